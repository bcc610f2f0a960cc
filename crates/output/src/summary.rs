//! `summary.csv`: one row per patient with the endpoints a clinician or modeller reads
//! first — each measure at day 0, at the end, its mean, and its drift between the first
//! and last 90 recorded days.

use crate::files::number;
use immunosim_engine::recorder::{Event, EventKind, Snapshot};
use immunosim_model::{Population, Specificity};

/// CD19+ B cells per µL below which the patient is in B-cell aplasia (MODEL.md §7).
pub const APLASIA_B_CELLS_PER_UL: f64 = 1.0;
/// Days B cells must stay at or above the aplasia threshold to count as returned.
pub const RETURN_HELD_DAYS: f64 = 7.0;

/// Days at each end of the record compared for drift.
pub const DRIFT_WINDOW_DAYS: f64 = 90.0;

type Measure = (&'static str, fn(&Snapshot) -> f64);

/// The measures summarised, with their column stems (units in names).
pub const MEASURES: &[Measure] = &[
    ("b_cells_blood_per_uL", |s| s.blood_b_cells_per_ul()),
    ("plasmablasts_blood_per_uL", |s| {
        s.per_ul(immunosim_model::Compartment::Blood, Population::Plasmablast)
    }),
    ("plasma_cells", |s| s.total_cells(Population::PlasmaCell)),
    ("total_igg_g_per_L", |s| s.serology.total_igg_g_per_l),
    ("autoantibody_mg_per_L", |s| {
        s.serology.igg_mg_per_l[Specificity::Autoantigen.index()]
    }),
    ("vaccine_a_igg_mg_per_L", |s| {
        s.serology.igg_mg_per_l[Specificity::VaccineA.index()]
    }),
    ("vaccine_b_igg_mg_per_L", |s| {
        s.serology.igg_mg_per_l[Specificity::VaccineB.index()]
    }),
    ("sledai_like_score", |s| s.serology.activity_score),
    ("il6_pg_per_mL", |s| s.il6_pg_per_ml),
];

/// Accumulates recorded days into the summary row.
#[derive(Clone, Debug)]
pub struct SummaryBuilder {
    scenario: String,
    seed: u64,
    score_scale: String,
    days: Vec<f64>,
    values: Vec<Vec<f64>>,
    positive_days: u64,
    remissions: u64,
    relapses: u64,
    final_agents: u64,
    crs_grade_max: u8,
    tocilizumab_doses: u32,
    /// First recorded-period remission and relapse days.
    remission_day: Option<f64>,
    relapse_day: Option<f64>,
    /// (day, CAR-T /µL, B cells /µL, IgG g/L, autoantibody positive, score) per day.
    clinical: Vec<(f64, f64, f64, f64, bool, f64)>,
}

impl SummaryBuilder {
    /// A builder for one patient.
    pub fn new(scenario: &str, seed: u64) -> SummaryBuilder {
        SummaryBuilder {
            scenario: scenario.to_string(),
            seed,
            score_scale: "sledai_like".into(),
            days: Vec::new(),
            values: vec![Vec::new(); MEASURES.len()],
            positive_days: 0,
            remissions: 0,
            relapses: 0,
            final_agents: 0,
            crs_grade_max: 0,
            tocilizumab_doses: 0,
            remission_day: None,
            relapse_day: None,
            clinical: Vec::new(),
        }
    }

    /// Names the activity-score columns after `scale` (`sledai_like` by default,
    /// `mg_adl_like` for myasthenia gravis): `{scale}_score_*`, `{scale}_month3`, ...
    pub fn with_score_scale(mut self, scale: &str) -> SummaryBuilder {
        self.score_scale = scale.to_string();
        self
    }

    /// A column name with the score scale in place of the default `sledai_like`.
    pub fn column(&self, name: &str) -> String {
        name.replace("sledai_like", &self.score_scale)
    }

    /// Adds a recorded day.
    pub fn add(&mut self, s: &Snapshot) {
        self.days.push(s.day);
        for (values, (_, measure)) in self.values.iter_mut().zip(MEASURES) {
            values.push(measure(s));
        }
        self.positive_days += u64::from(s.serology.autoantibody_positive);
        self.final_agents = s.agents;
        self.crs_grade_max = self.crs_grade_max.max(s.crs_grade);
        self.clinical.push((
            s.day,
            s.car_t_blood_per_ul(),
            s.blood_b_cells_per_ul(),
            s.serology.total_igg_g_per_l,
            s.serology.autoantibody_positive,
            s.serology.activity_score,
        ));
        self.tocilizumab_doses = s.tocilizumab_doses;
    }

    /// Counts clinical events.
    pub fn add_event(&mut self, e: &Event) {
        let first = |slot: &mut Option<f64>| {
            if e.day >= 0.0 && slot.is_none() {
                *slot = Some(e.day);
            }
        };
        match e.kind {
            EventKind::Remission => {
                self.remissions += 1;
                first(&mut self.remission_day);
            }
            EventKind::Relapse => {
                self.relapses += 1;
                first(&mut self.relapse_day);
            }
            _ => {}
        }
    }

    /// Relative drift (fraction) of measure `index`: mean of the last window over the
    /// mean of the first, minus one; 0 when the first mean is 0.
    pub fn drift(&self, index: usize) -> f64 {
        let (Some(&first_day), Some(&last_day)) = (self.days.first(), self.days.last()) else {
            return 0.0;
        };
        let mean = |from: f64, to: f64| {
            let picked: Vec<f64> = self
                .days
                .iter()
                .zip(&self.values[index])
                .filter(|(d, _)| **d >= from && **d <= to)
                .map(|(_, v)| *v)
                .collect();
            picked.iter().sum::<f64>() / picked.len().max(1) as f64
        };
        let early = mean(first_day, first_day + DRIFT_WINDOW_DAYS);
        let late = mean(last_day - DRIFT_WINDOW_DAYS, last_day);
        if early == 0.0 {
            0.0
        } else {
            late / early - 1.0
        }
    }

    /// Clinical endpoints (MODEL.md §7), `None` where the event did not happen in the
    /// recorded days (written as an empty field). Aplasia: CD19+ B < 1 cell/µL; return:
    /// first day after aplasia with >= 1 cell/µL held for 7 days; Cmax/Tmax from blood.
    pub fn endpoints(&self) -> Vec<(&'static str, Option<f64>)> {
        let c = &self.clinical;
        let after_day0: Vec<&(f64, f64, f64, f64, bool, f64)> =
            c.iter().filter(|r| r.0 >= 0.0).collect();
        let peak = after_day0
            .iter()
            .filter(|r| r.1 > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let aplasia_start = after_day0
            .iter()
            .find(|r| r.2 < APLASIA_B_CELLS_PER_UL)
            .map(|r| r.0);
        let b_return = aplasia_start.and_then(|start| {
            after_day0
                .iter()
                .filter(|r| r.0 > start && r.2 >= APLASIA_B_CELLS_PER_UL)
                .map(|r| r.0)
                .find(|&day| {
                    let window: Vec<_> = c
                        .iter()
                        .filter(|r| r.0 >= day && r.0 <= day + RETURN_HELD_DAYS)
                        .collect();
                    window
                        .last()
                        .is_some_and(|last| last.0 >= day + RETURN_HELD_DAYS)
                        && window.iter().all(|r| r.2 >= APLASIA_B_CELLS_PER_UL)
                })
        });
        let negative = after_day0
            .first()
            .filter(|first| first.4)
            .and_then(|_| after_day0.iter().find(|r| !r.4).map(|r| r.0));
        let nadir = after_day0.iter().min_by(|a, b| a.3.total_cmp(&b.3));
        let score_at = |day: f64| c.iter().find(|r| (r.0 - day).abs() < 0.5).map(|r| r.5);
        vec![
            ("car_t_cmax_per_uL", peak.map(|r| r.1)),
            ("car_t_tmax_day", peak.map(|r| r.0)),
            ("b_aplasia_start_day", aplasia_start),
            ("b_return_day", b_return),
            ("autoantibody_negative_day", negative),
            ("igg_nadir_g_per_L", nadir.map(|r| r.3)),
            ("igg_nadir_day", nadir.map(|r| r.0)),
            ("sledai_like_month3", score_at(91.0)),
            ("sledai_like_month6", score_at(182.0)),
            ("sledai_like_month12", score_at(365.0)),
            ("sledai_like_month24", score_at(730.0)),
            ("remission_day", self.remission_day),
            ("relapse_day", self.relapse_day),
        ]
    }

    /// The header and the row.
    pub fn to_csv(&self) -> String {
        let mut header = vec![
            "scenario".to_string(),
            "seed".into(),
            "days_recorded".into(),
            "agents_final".into(),
        ];
        let recorded =
            self.days.last().copied().unwrap_or(0.0) - self.days.first().copied().unwrap_or(0.0);
        let mut row = vec![
            self.scenario.clone(),
            self.seed.to_string(),
            number(recorded),
            self.final_agents.to_string(),
        ];
        for (i, (stem, _)) in MEASURES.iter().enumerate() {
            let v = &self.values[i];
            let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
            for (suffix, value) in [
                ("day0", v.first().copied().unwrap_or(0.0)),
                ("final", v.last().copied().unwrap_or(0.0)),
                ("mean", mean),
                ("drift_fraction", self.drift(i)),
            ] {
                header.push(self.column(&format!("{stem}_{suffix}")));
                row.push(number(value));
            }
        }
        header.extend([
            "autoantibody_positive_fraction".into(),
            "remission_events".into(),
            "relapse_events".into(),
            "crs_grade_max".into(),
            "tocilizumab_doses".into(),
        ]);
        let positive = self.positive_days as f64 / self.days.len().max(1) as f64;
        row.extend([
            number(positive),
            self.remissions.to_string(),
            self.relapses.to_string(),
            self.crs_grade_max.to_string(),
            self.tocilizumab_doses.to_string(),
        ]);
        for (name, value) in self.endpoints() {
            header.push(self.column(name));
            row.push(value.map_or(String::new(), number));
        }
        let quote = |fields: Vec<String>| {
            fields
                .iter()
                .map(|f| {
                    if f.contains(',') || f.contains('"') {
                        format!("\"{}\"", f.replace('"', "\"\""))
                    } else {
                        f.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        format!("{}\n{}\n", quote(header), quote(row))
    }
}
