//! What a cohort keeps of each patient-arm: the endpoints (from `immunosim-outcomes`,
//! fed as the run goes) and the main daily series for `cohort_timeseries.csv`.

use immunosim_engine::recorder::{Event, EventKind, RecordError, Recorder, Snapshot};
use immunosim_model::Specificity;
use immunosim_outcomes::{Outcomes, VaccineTitres};

/// The daily series of `cohort_timeseries.csv`, with their units.
pub const SERIES: [&str; 8] = [
    "car_t_blood_per_uL",
    "b_cells_blood_per_uL",
    "autoantibody_mg_per_L",
    "total_igg_g_per_L",
    "vaccine_a_igg_mg_per_L",
    "vaccine_b_igg_mg_per_L",
    "activity_score",
    "il6_pg_per_mL",
];

/// The series' values on one recorded day.
fn series(s: &Snapshot) -> [f64; 8] {
    let igg = &s.serology.igg_mg_per_l;
    [
        s.car_t_blood_per_ul(),
        s.blood_b_cells_per_ul(),
        igg[Specificity::Autoantigen as usize],
        s.serology.total_igg_g_per_l,
        igg[Specificity::VaccineA as usize],
        igg[Specificity::VaccineB as usize],
        s.serology.activity_score,
        s.il6_pg_per_ml,
    ]
}

/// What one patient-arm gave.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmRecord {
    /// Every endpoint column (name with unit, value).
    pub endpoints: Vec<(&'static str, Option<f64>)>,
    /// Each recorded day and its series.
    pub days: Vec<(f64, [f64; 8])>,
    /// The journey ledger (cohorts with economics).
    pub economics: Option<immunosim_economics::Ledger>,
}

/// Feeds the endpoint trackers and keeps the series.
#[derive(Default)]
pub struct CohortRecorder {
    outcomes: Outcomes,
    titres: VaccineTitres,
    manufacturing_failures: u32,
    days: Vec<(f64, [f64; 8])>,
}

impl CohortRecorder {
    /// The endpoints and series of the run.
    pub fn finish(self) -> ArmRecord {
        let mut endpoints = self.outcomes.endpoints().cohort_columns();
        endpoints.extend(self.titres.columns());
        endpoints.push((
            "manufacturing_failures",
            Some(f64::from(self.manufacturing_failures)),
        ));
        ArmRecord {
            endpoints,
            days: self.days,
            economics: None,
        }
    }
}

impl Recorder for CohortRecorder {
    fn record(&mut self, s: &Snapshot) -> Result<(), RecordError> {
        self.outcomes.add_snapshot(s);
        self.titres.add_snapshot(s);
        self.days.push((s.day, series(s)));
        Ok(())
    }

    fn event(&mut self, e: &Event) -> Result<(), RecordError> {
        self.outcomes.add_event(e);
        if e.kind == EventKind::ManufacturingFailure {
            self.manufacturing_failures += 1;
        }
        Ok(())
    }
}

/// Hands everything to two recorders.
pub struct Tee<'a>(pub &'a mut dyn Recorder, pub &'a mut dyn Recorder);

impl Recorder for Tee<'_> {
    fn record(&mut self, s: &Snapshot) -> Result<(), RecordError> {
        self.0.record(s)?;
        self.1.record(s)
    }

    fn event(&mut self, e: &Event) -> Result<(), RecordError> {
        self.0.event(e)?;
        self.1.event(e)
    }
}
