//! The calibration targets: the reference row each comes from, its band, and how the
//! model's value is read from a run; one list per calibrated scenario.

use immunosim_engine::recorder::Snapshot;
use immunosim_model::Population;
use immunosim_outcomes::Endpoints;

/// What a target reads: one run's endpoints and recorded days.
pub struct Run {
    /// The run's endpoints.
    pub endpoints: Endpoints,
    /// The run's recorded days.
    pub snapshots: Vec<Snapshot>,
}

impl Run {
    /// `read` of the snapshot of `day` (`None` if the day was not recorded).
    fn on(&self, day: f64, read: fn(&Snapshot) -> f64) -> Option<f64> {
        self.snapshots.iter().find(|s| s.day == day).map(read)
    }

    /// CAR-T cells per uL of blood on `day`.
    fn blood_car_t_on(&self, day: f64) -> Option<f64> {
        self.on(day, Snapshot::car_t_blood_per_ul)
    }

    /// Host CD4+ T cells per uL of blood on `day`.
    fn blood_cd4_on(&self, day: f64) -> Option<f64> {
        self.on(day, Snapshot::cd4_blood_per_ul)
    }

    /// Normal B cells per uL of blood on `day`.
    fn blood_b_cells_on(&self, day: f64) -> Option<f64> {
        self.on(day, Snapshot::blood_b_cells_per_ul)
    }

    /// The highest whole-body count of real CAR-T cells.
    fn whole_body_car_t_peak(&self) -> Option<f64> {
        self.snapshots
            .iter()
            .map(|s| {
                Population::LIVING
                    .iter()
                    .filter(|p| p.is_car_t())
                    .map(|&p| s.total_cells(p))
                    .sum::<f64>()
            })
            .reduce(f64::max)
    }

    /// Days from the first CRS (grade > 0 from day 0) to the first day back at grade 0.
    fn crs_duration_days(&self) -> Option<f64> {
        let after = |s: &&Snapshot| s.day >= 0.0;
        let onset = self
            .snapshots
            .iter()
            .filter(after)
            .find(|s| s.crs_grade > 0)?
            .day;
        let end = self
            .snapshots
            .iter()
            .find(|s| s.day > onset && s.crs_grade == 0)?
            .day;
        Some(end - onset)
    }
}

/// A clinical target: the reference row it comes from, its band, and how the model's
/// value is read from a run.
pub struct Target {
    pub name: &'static str,
    pub row: &'static str,
    /// Band used when the row has no low/high: (low, high).
    pub band: Option<(f64, f64)>,
    /// The model's value, from the run (its endpoints, `immunosim-outcomes`, or its
    /// recorded days).
    pub value: fn(&Run) -> Option<f64>,
    /// Whether a run without the event meets the target (e.g. no CRS at all).
    pub absent_ok: bool,
}

/// The Erlangen cohort's targets, on the Erlangen CD19 scenario.
pub const ERLANGEN: &[Target] = &[
    Target {
        name: "CAR-T peak day",
        row: "erlangen_cart_peak_day",
        band: Some((7.0, 14.0)), // docs/model.md §8.2
        value: |r| r.endpoints.car_t_peak.map(|p| p.day),
        absent_ok: false,
    },
    Target {
        name: "CAR-T peak, % of CD3+",
        row: "erlangen_cart_peak_pct_cd3",
        band: None,
        value: |r| r.endpoints.car_t_peak.map(|p| p.percent_of_cd3),
        absent_ok: false,
    },
    Target {
        name: "B cells back, day",
        row: "erlangen_b_cell_return",
        band: None,
        value: |r| r.endpoints.b_return_day,
        absent_ok: false,
    },
    Target {
        name: "SLEDAI-like at baseline",
        row: "erlangen_sledai_baseline",
        band: Some((8.0, 22.0)), // docs/model.md §4: refractory SLE typically 8-22
        value: |r| r.endpoints.score_day0,
        absent_ok: false,
    },
    Target {
        name: "SLEDAI-like at month 3",
        row: "erlangen_sledai_month3",
        band: Some((0.0, 2.0)), // median 0; the test's band
        value: |r| r.endpoints.score_at_month[0].1,
        absent_ok: false,
    },
    Target {
        name: "autoantibody negative, day",
        row: "erlangen_b_cell_return", // its note: anti-dsDNA turned negative
        band: Some((0.0, 90.0)),       // docs/model.md §8.2: by month 3
        value: |r| r.endpoints.autoantibody_negative_day,
        absent_ok: false,
    },
    Target {
        name: "CRS grade, max",
        row: "erlangen_crs_grade3plus",
        band: Some((0.0, 2.0)), // 0/15 at grade >= 3
        value: |r| Some(f64::from(r.endpoints.crs_grade_max)),
        absent_ok: false,
    },
    Target {
        name: "CRS onset, day",
        row: "crs_new_after_day14",
        band: Some((0.0, 14.0)), // no new CRS after day 14
        value: |r| r.endpoints.crs_onset_day,
        absent_ok: true,
    },
    Target {
        name: "IL-6 peak day",
        row: "il6_peak_day",
        band: None,
        value: |r| r.endpoints.il6_peak.map(|p| p.day),
        absent_ok: false,
    },
    Target {
        name: "IL-6 peak, pg/mL",
        row: "il6_peak_mild_crs",
        band: None,
        value: |r| r.endpoints.il6_peak.map(|p| p.value),
        absent_ok: false,
    },
];

/// Kimmel's carrying capacity of CAR-T cells (ref kimmel_k_c, cells).
const KIMMEL_K_C: f64 = 6.96e10;

/// ZUMA-1 and Kimmel's kinetic model, on the axi-cel-like lymphoma-like scenario
/// (`scenarios/lymphoma_like_axicel.toml`).
pub const AXICEL: &[Target] = &[
    Target {
        name: "blood CAR-T day 7, /uL",
        row: "kimmel_zuma1_cart_day7",
        band: None,
        value: |r| r.blood_car_t_on(7.0),
        absent_ok: false,
    },
    Target {
        name: "blood CAR-T day 14, /uL",
        row: "kimmel_zuma1_cart_day14",
        band: None,
        value: |r| r.blood_car_t_on(14.0),
        absent_ok: false,
    },
    Target {
        name: "blood CAR-T day 28, /uL",
        row: "kimmel_zuma1_cart_day28",
        band: None,
        value: |r| r.blood_car_t_on(28.0),
        absent_ok: false,
    },
    Target {
        name: "blood CAR-T day 90, /uL",
        row: "kimmel_zuma1_cart_day90",
        band: None,
        value: |r| r.blood_car_t_on(90.0),
        absent_ok: false,
    },
    Target {
        name: "whole-body CAR-T peak, cells",
        row: "kimmel_k_c",
        band: Some((KIMMEL_K_C / 3.0, 3.0 * KIMMEL_K_C)), // a third to three times K_C
        value: |r| r.whole_body_car_t_peak(),
        absent_ok: false,
    },
    Target {
        name: "blood B cells day 30, /uL",
        row: "lbcl_b_cell_detectable_1y",
        // 88.2% of LBCL patients have no detectable B cells on day 30 after axi-cel
        // (the row's note); below 1/uL is undetectable here.
        band: Some((0.0, 1.0)),
        value: |r| r.blood_b_cells_on(30.0),
        absent_ok: false,
    },
    Target {
        name: "host CD4 day 90, /uL",
        row: "lbcl_cd4_1y",
        // CD4 fall after the axi-cel regimen and stay low for a year (the row: median
        // 155/uL at one year, range 33-269; the target of
        // t_cells.memory_lymphopenic_division_max_fold): below 200 on day 90.
        band: Some((0.0, 200.0)),
        value: |r| r.blood_cd4_on(90.0),
        absent_ok: false,
    },
    Target {
        name: "CRS duration, days",
        row: "crs_new_after_day14",
        band: Some((0.0, 21.0)), // clinical CRS resolves within days to two weeks
        value: |r| r.crs_duration_days(),
        absent_ok: true,
    },
];
