//! # immunosim-outcomes: the clinical endpoints of a run, defined once
//!
//! `summary.csv`, the calibration tool and the end-to-end tests all read the same
//! endpoints (CAR-T Cmax/Tmax, B-cell aplasia and return, autoantibody negative, IgG
//! nadir, the disease score, renal activity and damage at months 3-24, remission,
//! relapse, CRS); each is defined
//! here, once, with its threshold as a named constant.
//!
//! [`Outcomes`] is incremental: it is fed every recorded [`Snapshot`] and every
//! [`Event`] in order ([`Outcomes::add_snapshot`], [`Outcomes::add_event`]) and keeps
//! only what the endpoints need (a few numbers and at most a week of candidate days),
//! not the rows, so that it can be saved in a checkpoint (it is `serde`) at a size that
//! does not grow with the length of the run. [`Outcomes::endpoints`] reads the
//! endpoints at any moment.
//!
//! Endpoints that describe the response to treatment are read from day 0 on (recorded
//! days before day 0, such as a pre-treatment baseline, are the untreated patient);
//! `None` means the event did not happen in the recorded days.

mod b_return;
mod peak;
mod titre;

pub use b_return::BReturn;
pub use peak::{CarTPeak, Peak, ProductPeak};
pub use titre::VaccineTitres;

use immunosim_engine::recorder::{Event, EventKind, Snapshot};
use serde::{Deserialize, Serialize};

/// CD19+ B cells per µL of blood below which the patient is in B-cell aplasia: flow
/// cytometry reports fewer than 1 cell/µL as undetectable, and the Erlangen reports
/// (Mackensen et al., Nat Med 2022) define aplasia and its end by this count.
pub const APLASIA_B_CELLS_PER_UL: f64 = 1.0;

/// Days the B-cell count must stay at or above [`APLASIA_B_CELLS_PER_UL`] for the
/// B cells to count as returned: one recorded day above the threshold can be a few
/// agents passing through blood; a week held rules such transients out.
pub const RETURN_HELD_DAYS: f64 = 7.0;

/// The months at which the disease score is read, with the day each is read on
/// (month m = the day closest to m × 30.4 days; 730 for two years).
pub const SCORE_MONTHS: [(u32, f64); 4] = [(3, 91.0), (6, 182.0), (12, 365.0), (24, 730.0)];

/// A month's score is the first recorded day within this many days of its day: with
/// daily recording exactly that day; a coarser record takes the nearest day if any.
pub const SCORE_DAY_TOLERANCE_DAYS: f64 = 0.5;

/// CRS grade (ASTCT-like) at or above which CRS counts as present, for its onset day.
pub const CRS_ONSET_GRADE: u8 = 1;

/// A value and the recorded day it was lowest (IgG nadir).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Nadir {
    /// The lowest value.
    pub value: f64,
    /// The first recorded day it was reached.
    pub day: f64,
}

/// The endpoints of a run so far (see [`Outcomes`] for their definitions).
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoints {
    /// CAR-T cells in blood, all products: highest count from day 0 (the last day it
    /// was reached on a tie) and its share of CD3+ cells; `None` without CAR-T.
    pub car_t_peak: Option<CarTPeak>,
    /// The same per product, in the order the products first appear in `car_t` rows.
    pub product_peaks: Vec<ProductPeak>,
    /// First day from day 0 with CD19+ B cells below [`APLASIA_B_CELLS_PER_UL`].
    pub aplasia_start_day: Option<f64>,
    /// First recorded day after the aplasia start with B cells at or above the
    /// threshold again (the end of the first aplasia episode, held or not).
    pub aplasia_end_day: Option<f64>,
    /// First day after the aplasia start from which B cells stay at or above the
    /// threshold for [`RETURN_HELD_DAYS`] (a day recorded exactly that much later).
    pub b_return_day: Option<f64>,
    /// First day the autoantibody test is negative, for a patient positive on the first
    /// recorded day from day 0 (`None` for a patient negative from the start).
    pub autoantibody_negative_day: Option<f64>,
    /// Lowest total IgG (g/L) from day 0 and its first day.
    pub igg_nadir: Option<Nadir>,
    /// The disease score on day 0.
    pub score_day0: Option<f64>,
    /// The disease score at each of [`SCORE_MONTHS`], in that order.
    pub score_at_month: [(u32, Option<f64>); 4],
    /// Renal activity (0-1) at each of [`SCORE_MONTHS`].
    pub renal_activity_at_month: [(u32, Option<f64>); 4],
    /// Damage (SDI-like points accrued since the end of the burn-in) at each of
    /// [`SCORE_MONTHS`]; it never falls.
    pub damage_at_month: [(u32, Option<f64>); 4],
    /// First remission event from day 0.
    pub remission_day: Option<f64>,
    /// First relapse event from day 0.
    pub relapse_day: Option<f64>,
    /// Remission events (all, burn-in included: the untreated disease can remit).
    pub remission_events: u64,
    /// Relapse events (all).
    pub relapse_events: u64,
    /// Highest CRS grade on a recorded day.
    pub crs_grade_max: u8,
    /// First day from day 0 with CRS grade at or above [`CRS_ONSET_GRADE`].
    pub crs_onset_day: Option<f64>,
    /// Tocilizumab doses given by the last recorded day.
    pub tocilizumab_doses: u32,
    /// Highest serum IL-6 (pg/mL) from day 0 and its day (the last on a tie).
    pub il6_peak: Option<Peak>,
}

impl Endpoints {
    /// The endpoints of `summary.csv`, with their column names (units in names), in
    /// the file's order.
    pub fn summary_columns(&self) -> Vec<(&'static str, Option<f64>)> {
        let month = |i: usize| self.score_at_month[i].1;
        vec![
            ("car_t_cmax_per_uL", self.car_t_peak.map(|p| p.per_ul)),
            ("car_t_tmax_day", self.car_t_peak.map(|p| p.day)),
            ("b_aplasia_start_day", self.aplasia_start_day),
            ("b_return_day", self.b_return_day),
            ("autoantibody_negative_day", self.autoantibody_negative_day),
            ("igg_nadir_g_per_L", self.igg_nadir.map(|n| n.value)),
            ("igg_nadir_day", self.igg_nadir.map(|n| n.day)),
            ("activity_score_month3", month(0)),
            ("activity_score_month6", month(1)),
            ("activity_score_month12", month(2)),
            ("activity_score_month24", month(3)),
            ("renal_activity_month6", self.renal_activity_at_month[1].1),
            ("renal_activity_month12", self.renal_activity_at_month[2].1),
            ("damage_index_month12", self.damage_at_month[2].1),
            ("damage_index_month24", self.damage_at_month[3].1),
            ("remission_day", self.remission_day),
            ("relapse_day", self.relapse_day),
        ]
    }

    /// Every endpoint of a patient-arm in a cohort (`cohort.csv`): those of
    /// `summary.csv`, then the aplasia's end, CRS and its treatment, and the IL-6 peak.
    pub fn cohort_columns(&self) -> Vec<(&'static str, Option<f64>)> {
        let mut columns = self.summary_columns();
        columns.extend([
            ("b_aplasia_end_day", self.aplasia_end_day),
            ("crs_grade_max", Some(f64::from(self.crs_grade_max))),
            ("crs_onset_day", self.crs_onset_day),
            ("tocilizumab_doses", Some(f64::from(self.tocilizumab_doses))),
            ("il6_peak_pg_per_mL", self.il6_peak.map(|p| p.value)),
            (
                "car_t_peak_percent_of_cd3",
                self.car_t_peak.map(|p| p.percent_of_cd3),
            ),
        ]);
        columns
    }

    /// The peak of the product named `name`.
    pub fn product_peak(&self, name: &str) -> Option<Peak> {
        self.product_peaks
            .iter()
            .find(|p| p.product == name)
            .and_then(|p| p.peak)
    }
}

/// The incremental endpoint tracker (see the crate docs).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcomes {
    car_t_peak: Option<CarTPeak>,
    product_peaks: Vec<ProductPeak>,
    aplasia_start_day: Option<f64>,
    aplasia_end_day: Option<f64>,
    b_return: BReturn,
    /// Autoantibody status on the first recorded day from day 0.
    first_positive: Option<bool>,
    autoantibody_negative_day: Option<f64>,
    igg_nadir: Option<Nadir>,
    score_day0: Option<f64>,
    score_at_month: [Option<f64>; 4],
    renal_at_month: [Option<f64>; 4],
    damage_at_month: [Option<f64>; 4],
    remission_day: Option<f64>,
    relapse_day: Option<f64>,
    remission_events: u64,
    relapse_events: u64,
    crs_grade_max: u8,
    crs_onset_day: Option<f64>,
    tocilizumab_doses: u32,
    il6_peak: Option<Peak>,
}

impl Outcomes {
    /// A tracker that has seen nothing.
    pub fn new() -> Outcomes {
        Outcomes::default()
    }

    /// Adds a recorded day (days must come in order).
    pub fn add_snapshot(&mut self, s: &Snapshot) {
        let day = s.day;
        let score = s.serology.activity_score;
        let read = [score, s.serology.renal_activity, s.serology.damage_index];
        for (k, (_, month_day)) in SCORE_MONTHS.iter().enumerate() {
            if (day - month_day).abs() >= SCORE_DAY_TOLERANCE_DAYS {
                continue;
            }
            let slots = [
                &mut self.score_at_month[k],
                &mut self.renal_at_month[k],
                &mut self.damage_at_month[k],
            ];
            for (slot, value) in slots.into_iter().zip(read) {
                slot.get_or_insert(value);
            }
        }
        self.crs_grade_max = self.crs_grade_max.max(s.crs_grade);
        self.tocilizumab_doses = s.tocilizumab_doses;
        if day < 0.0 {
            return;
        }
        if day == 0.0 && self.score_day0.is_none() {
            self.score_day0 = Some(score);
        }
        let car_t = s.car_t_blood_per_ul();
        if car_t > 0.0 && self.car_t_peak.is_none_or(|p| car_t >= p.per_ul) {
            self.car_t_peak = Some(CarTPeak {
                per_ul: car_t,
                day,
                percent_of_cd3: 100.0 * car_t / s.cd3_blood_per_ul(),
            });
        }
        peak::add_products(&mut self.product_peaks, s);
        let b = s.blood_b_cells_per_ul();
        let aplastic = b < APLASIA_B_CELLS_PER_UL;
        match self.aplasia_start_day {
            None if aplastic => self.aplasia_start_day = Some(day),
            Some(start) if day > start && !aplastic && self.aplasia_end_day.is_none() => {
                self.aplasia_end_day = Some(day);
            }
            _ => {}
        }
        if let Some(start) = self.aplasia_start_day
            && day > start
        {
            self.b_return.add(day, !aplastic);
        }
        let positive = s.serology.autoantibody_positive;
        if self.first_positive.is_none() {
            self.first_positive = Some(positive);
        }
        if self.first_positive == Some(true)
            && !positive
            && self.autoantibody_negative_day.is_none()
        {
            self.autoantibody_negative_day = Some(day);
        }
        let igg = s.serology.total_igg_g_per_l;
        if self.igg_nadir.is_none_or(|n| igg < n.value) {
            self.igg_nadir = Some(Nadir { value: igg, day });
        }
        if self.crs_onset_day.is_none() && s.crs_grade >= CRS_ONSET_GRADE {
            self.crs_onset_day = Some(day);
        }
        let il6 = s.il6_pg_per_ml;
        if self.il6_peak.is_none_or(|p| il6 >= p.value) {
            self.il6_peak = Some(Peak { value: il6, day });
        }
    }

    /// Adds an event (remission and relapse; other kinds are ignored).
    pub fn add_event(&mut self, e: &Event) {
        let (count, first) = match e.kind {
            EventKind::Remission => (&mut self.remission_events, &mut self.remission_day),
            EventKind::Relapse => (&mut self.relapse_events, &mut self.relapse_day),
            _ => return,
        };
        *count += 1;
        if e.day >= 0.0 && first.is_none() {
            *first = Some(e.day);
        }
    }

    /// The endpoints of the days and events added so far.
    pub fn endpoints(&self) -> Endpoints {
        let by_month = |values: [Option<f64>; 4]| {
            let mut out = SCORE_MONTHS.map(|(month, _)| (month, None));
            for (slot, value) in out.iter_mut().zip(values) {
                slot.1 = value;
            }
            out
        };
        let score_at_month = by_month(self.score_at_month);
        Endpoints {
            car_t_peak: self.car_t_peak,
            product_peaks: self.product_peaks.clone(),
            aplasia_start_day: self.aplasia_start_day,
            aplasia_end_day: self.aplasia_end_day,
            b_return_day: self.b_return.day(),
            autoantibody_negative_day: self.autoantibody_negative_day,
            igg_nadir: self.igg_nadir,
            score_day0: self.score_day0,
            score_at_month,
            renal_activity_at_month: by_month(self.renal_at_month),
            damage_at_month: by_month(self.damage_at_month),
            remission_day: self.remission_day,
            relapse_day: self.relapse_day,
            remission_events: self.remission_events,
            relapse_events: self.relapse_events,
            crs_grade_max: self.crs_grade_max,
            crs_onset_day: self.crs_onset_day,
            tocilizumab_doses: self.tocilizumab_doses,
            il6_peak: self.il6_peak,
        }
    }

    /// Endpoints of a whole recorded run (tests, tools).
    pub fn of_run(snapshots: &[Snapshot], events: &[Event]) -> Endpoints {
        let mut outcomes = Outcomes::new();
        snapshots.iter().for_each(|s| outcomes.add_snapshot(s));
        events.iter().for_each(|e| outcomes.add_event(e));
        outcomes.endpoints()
    }
}

#[cfg(test)]
mod tests;
