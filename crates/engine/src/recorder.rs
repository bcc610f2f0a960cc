//! What the engine hands to outputs: one [`Snapshot`] per recorded day and [`Event`]s.
//! The output crate implements [`Recorder`] for files; tests record in memory.

use immunosim_model::fields::Serology;
use immunosim_model::{Compartment, Population};

/// One row of the population table: a (compartment, population) pair on a day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PopulationRow {
    /// Compartment.
    pub compartment: Compartment,
    /// Population.
    pub population: Population,
    /// Agents in the simulation.
    pub agents: u64,
    /// Real cells (agents × cells per agent).
    pub cells: f64,
    /// Real cells per µL of the compartment's volume.
    pub cells_per_ul: f64,
    /// Share of the cells that are self-reactive (0 when there are none).
    pub autoreactive_share: f64,
}

/// CAR-T cells in blood of one (product, phenotype, CD4/CD8) triple on a day.
#[derive(Clone, Debug, PartialEq)]
pub struct CarTRow {
    /// Product name.
    pub product: String,
    /// Phenotype (a CAR-T population).
    pub population: Population,
    /// CD8+ (true) or CD4+ (false).
    pub cd8: bool,
    /// Agents in blood.
    pub agents: u64,
    /// Real cells per µL of blood.
    pub cells_per_ul: f64,
    /// Share of all CD3+ cells in blood (host T and CAR-T), percent.
    pub percent_of_cd3: f64,
}

/// The state of the patient on a recorded day.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The step boundary recorded: the patient after that many steps, before the
    /// treatment of the next.
    pub step: u64,
    /// Simulated day of the boundary (0 = end of burn-in; `Timeline::day_of`).
    pub day: f64,
    /// Every (compartment, population) pair, in fixed order.
    pub populations: Vec<PopulationRow>,
    /// CAR-T cells in blood by product, phenotype and CD4/CD8, in fixed order (empty
    /// without products).
    pub car_t: Vec<CarTRow>,
    /// Clinical read-out of the fields.
    pub serology: Serology,
    /// BAFF relative to the healthy set point.
    pub baff_relative: f64,
    /// Organ inflammation, relative units.
    pub organ_inflammation: f64,
    /// Living agents.
    pub agents: u64,
    /// Serum IL-6, pg/mL.
    pub il6_pg_per_ml: f64,
    /// CRS grade (ASTCT-like, 0-4) of the step that ended on this day.
    pub crs_grade: u8,
    /// Tocilizumab doses given so far.
    pub tocilizumab_doses: u32,
}

impl Snapshot {
    /// Cells per µL of `population` in `compartment`.
    pub fn per_ul(&self, compartment: Compartment, population: Population) -> f64 {
        self.populations
            .iter()
            .find(|r| r.compartment == compartment && r.population == population)
            .map_or(0.0, |r| r.cells_per_ul)
    }

    /// Cells per µL of blood of every population for which `counts` is true.
    pub fn blood_per_ul_where(&self, counts: impl Fn(Population) -> bool) -> f64 {
        self.populations
            .iter()
            .filter(|r| r.compartment == Compartment::Blood && counts(r.population))
            .map(|r| r.cells_per_ul)
            .sum()
    }

    /// CD19+ B cells per µL of blood, as a flow cytometer counts them.
    pub fn blood_b_cells_per_ul(&self) -> f64 {
        self.blood_per_ul_where(Population::is_b_cell)
    }

    /// CAR-T cells per µL of blood, all phenotypes.
    pub fn car_t_blood_per_ul(&self) -> f64 {
        self.blood_per_ul_where(Population::is_car_t)
    }

    /// CD3+ cells (host T and CAR-T) per µL of blood.
    pub fn cd3_blood_per_ul(&self) -> f64 {
        self.blood_per_ul_where(|p| p.is_t_cell() || p.is_car_t())
    }

    /// Host CD4+ T cells per µL of blood (CAR-T cells not counted).
    pub fn cd4_blood_per_ul(&self) -> f64 {
        self.blood_per_ul_where(Population::is_host_cd4)
    }

    /// Real cells of `population` summed over compartments.
    pub fn total_cells(&self, population: Population) -> f64 {
        self.populations
            .iter()
            .filter(|r| r.population == population)
            .map(|r| r.cells)
            .sum()
    }
}

/// Kinds of event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventKind {
    /// The run started (at the beginning of burn-in).
    RunStart,
    /// Burn-in ended; recording starts (day 0).
    BurnInComplete,
    /// The autoantibody test turned positive.
    AutoantibodyPositive,
    /// The autoantibody test turned negative.
    AutoantibodyNegative,
    /// The activity score fell to the remission threshold or below.
    Remission,
    /// The activity score rose above the remission threshold after remission.
    Relapse,
    /// The patient's T cells were collected for an autologous product.
    Leukapheresis,
    /// A product passed manufacturing and was released.
    ProductReleased,
    /// A product failed manufacturing: it will not be infused.
    ManufacturingFailure,
    /// Lymphodepleting chemotherapy was given.
    Lymphodepletion,
    /// Lymphodepletion was not given: no product is left to infuse.
    LymphodepletionCancelled,
    /// A CAR-T product was infused.
    Infusion,
    /// The CRS grade changed.
    CrsGrade,
    /// Tocilizumab was given.
    Tocilizumab,
    /// Dexamethasone was given.
    Dexamethasone,
    /// Bridging glucocorticoid started.
    BridgingStart,
    /// Bridging glucocorticoid stopped.
    BridgingEnd,
    /// A vaccine dose was given.
    Vaccination,
    /// Intravenous immunoglobulin was given.
    Ivig,
    /// The run reached its last day.
    RunEnd,
    /// The run was stopped (SIGINT or SIGTERM) before its last day.
    RunInterrupted,
    /// The run was stopped before its last day because its agents outgrew the memory
    /// allowed (the runtime memory guard).
    MemoryLimit,
}

impl EventKind {
    /// Name used in `events.csv`.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::RunStart => "run_start",
            EventKind::BurnInComplete => "burn_in_complete",
            EventKind::AutoantibodyPositive => "autoantibody_positive",
            EventKind::AutoantibodyNegative => "autoantibody_negative",
            EventKind::Remission => "remission",
            EventKind::Relapse => "relapse",
            EventKind::Leukapheresis => "leukapheresis",
            EventKind::ProductReleased => "product_released",
            EventKind::ManufacturingFailure => "manufacturing_failure",
            EventKind::Lymphodepletion => "lymphodepletion",
            EventKind::LymphodepletionCancelled => "lymphodepletion_cancelled",
            EventKind::Infusion => "infusion",
            EventKind::CrsGrade => "crs_grade",
            EventKind::Tocilizumab => "tocilizumab",
            EventKind::Dexamethasone => "dexamethasone",
            EventKind::BridgingStart => "bridging_start",
            EventKind::BridgingEnd => "bridging_end",
            EventKind::Vaccination => "vaccination",
            EventKind::Ivig => "ivig",
            EventKind::RunEnd => "run_end",
            EventKind::RunInterrupted => "run_interrupted",
            EventKind::MemoryLimit => "memory_limit",
        }
    }
}

/// Something that happened on a day.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The step boundary the event belongs to: the start of the step for what is given
    /// in it (treatment), its end for what it leads to (CRS, clinical changes).
    pub step: u64,
    /// Simulated day of that boundary (`Timeline::day_of`).
    pub day: f64,
    /// What happened.
    pub kind: EventKind,
    /// A short human-readable detail (values that triggered it).
    pub detail: String,
}

impl Event {
    /// An event at boundary `step`, with its day from `timeline`.
    pub fn at(
        step: u64,
        timeline: &crate::timeline::Timeline,
        kind: EventKind,
        detail: String,
    ) -> Event {
        Event {
            step,
            day: timeline.day_of(step),
            kind,
            detail,
        }
    }
}

/// Receives what a run produces. Implementations must leave complete records on disk
/// for everything they have been given, whatever happens later.
pub trait Recorder {
    /// Records a day.
    fn record(&mut self, snapshot: &Snapshot) -> Result<(), RecordError>;
    /// Records an event.
    fn event(&mut self, event: &Event) -> Result<(), RecordError>;
}

/// A recorder could not write a file. The I/O error is kept as the source (not
/// flattened into text), so callers can match its kind (disk full, permission) and
/// error reports print the chain: `cannot write out/serology.csv: No space left`.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}", path.display())]
pub struct RecordError {
    /// The file being written.
    pub path: std::path::PathBuf,
    /// The cause.
    #[source]
    pub source: std::io::Error,
}

/// A recorder that keeps everything in memory (tests, tools).
#[derive(Clone, Debug, Default)]
pub struct MemoryRecorder {
    /// Recorded days.
    pub snapshots: Vec<Snapshot>,
    /// Recorded events.
    pub events: Vec<Event>,
}

impl Recorder for MemoryRecorder {
    fn record(&mut self, snapshot: &Snapshot) -> Result<(), RecordError> {
        self.snapshots.push(snapshot.clone());
        Ok(())
    }

    fn event(&mut self, event: &Event) -> Result<(), RecordError> {
        self.events.push(event.clone());
        Ok(())
    }
}

/// A recorder that keeps nothing: a cohort patient's burn-in before its arms branch, or
/// a run timed without its outputs.
pub struct Discard;

impl Recorder for Discard {
    fn record(&mut self, _: &Snapshot) -> Result<(), RecordError> {
        Ok(())
    }
    fn event(&mut self, _: &Event) -> Result<(), RecordError> {
        Ok(())
    }
}
