//! What the engine needs to run one patient: resolved, validated values.

use immunosim_model::antigen_panel::AntigenPanel;
use immunosim_model::car::Product;
use immunosim_model::cell::Kind;
use immunosim_model::compartment::{Compartment, SiteLayout};
use immunosim_model::interventions::{Bridging, IvigDose, Vaccination};
use immunosim_model::rules::Fate;
use immunosim_model::{Cell, Draws, Parameters};

/// A fully resolved run (the scenario layer builds it after validation).
#[derive(Clone, Debug, PartialEq)]
pub struct RunConfig {
    /// Model parameters.
    pub params: Parameters,
    /// Body weight, kg.
    pub weight_kg: f64,
    /// Run seed.
    pub seed: u64,
    /// Step length, days.
    pub dt_days: f64,
    /// Days simulated before day 0 to reach the untreated steady state (not recorded).
    pub burn_in_days: f64,
    /// Days recorded, from day 0.
    pub days: f64,
    /// Interval between recorded days.
    pub record_every_days: f64,
    /// Sites per compartment (blood, lymphoid, marrow, organ).
    pub sites: [u16; Compartment::COUNT],
    /// Real cells per agent, by weighted kind (B cell, plasma cell, T cell, CAR-T cell):
    /// the run's finest resolution. The weight in force is the patient's
    /// ([`Weights`]: CAR-T agents are thinned to a coarser weight above
    /// their budget and split back towards this one when sparse).
    pub cells_per_agent: [f64; 4],
    /// CAR-T agents above which they are thinned to twice the weight (0: the weight
    /// stays at `cells_per_agent`; the resampling rule is the `weights` module's).
    pub car_t_agent_budget: u64,
    /// Height, cm (body surface area for chemotherapy doses).
    pub height_cm: f64,
    /// CAR-T products, in scenario order (a cell's `product` byte indexes this list).
    pub products: Vec<Product>,
    /// Lymphodepleting chemotherapy, one entry per day given.
    pub lymphodepletion: Vec<ChemotherapyDay>,
    /// The run's antigens, one per cell density slot (products' targets index it).
    pub antigens: AntigenPanel,
    /// Bridging glucocorticoid, if any.
    pub bridging: Option<Bridging>,
    /// Vaccine doses.
    pub vaccinations: Vec<Vaccination>,
    /// IVIG infusions.
    pub ivig: Vec<IvigDose>,
    /// Step resting cells by the quiet-cell shortcuts (`rules::quiet`: implicit
    /// positions, events by thinning). `false` sends every cell through the explicit
    /// rules: the same model and distributions with other draws, at about twice the
    /// cost (kept to check the one against the other).
    pub quiet_cells: bool,
}

/// The index of a weighted kind in per-kind tables (`cells_per_agent`, the census's
/// doublings), in [`Kind::WEIGHTED`] order; `None` for `Kind::None`.
pub fn slot(kind: Kind) -> Option<usize> {
    match kind {
        Kind::BCell => Some(0),
        Kind::PlasmaCell => Some(1),
        Kind::TCell => Some(2),
        Kind::CarT => Some(3),
        Kind::None => None,
    }
}

/// Chemotherapy given on one day, mg/m2.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChemotherapyDay {
    /// Day given.
    pub day: f64,
    /// Fludarabine, mg/m2.
    pub fludarabine_mg_per_m2: f64,
    /// Cyclophosphamide, mg/m2.
    pub cyclophosphamide_mg_per_m2: f64,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            params: Parameters::default(),
            weight_kg: 70.0,
            seed: 1,
            dt_days: 0.5,
            burn_in_days: 0.0,
            days: 30.0,
            record_every_days: 1.0,
            sites: [4, 32, 8, 4],
            cells_per_agent: [5e5, 5e5, 5e5, 1e5],
            car_t_agent_budget: 0,
            height_cm: 170.0,
            products: Vec::new(),
            lymphodepletion: Vec::new(),
            antigens: AntigenPanel::default(),
            bridging: None,
            vaccinations: Vec::new(),
            ivig: Vec::new(),
            quiet_cells: true,
        }
    }
}

impl RunConfig {
    /// Real cells per agent of a kind at the run's finest resolution (1 for
    /// `Kind::None`). Agents are converted to cells at the patient's current weight
    /// ([`crate::census::Census::weights`]), never at this one.
    pub fn base_weight(&self, kind: Kind) -> f64 {
        slot(kind).map_or(1.0, |k| self.cells_per_agent[k])
    }

    /// The site layout.
    pub fn site_layout(&self) -> SiteLayout {
        SiteLayout::new(self.sites)
    }
}

/// Changes an agent's weight when it changes kind (e.g. B cell → plasmablast) and the
/// two kinds carry different weights now: the agent becomes `w_old / w_new` agents on
/// average (extra copies pushed as births, or dies with the complementary probability),
/// so real-cell numbers are conserved in expectation.
pub fn reweigh(
    cell: &Cell,
    kind_before: Kind,
    weights: &Weights,
    draws: &mut impl Draws,
    births: &mut Vec<Cell>,
) -> Fate {
    let ratio = weights.get(kind_before) / weights.get(cell.population.kind());
    if (ratio - 1.0).abs() < 1e-12 {
        return Fate::Lives;
    }
    let copies = ratio.floor() as u64 + u64::from(draws.chance(ratio.fract()));
    if copies == 0 {
        return Fate::Dies;
    }
    for _ in 1..copies {
        births.push(*cell);
    }
    Fate::Lives
}

/// Most doublings of a kind's weight: 2^30 times the finest weight is far beyond any
/// budget a run can need, and keeps `u8` arithmetic clear of overflow.
pub const MAX_DOUBLINGS: u8 = 30;

/// Real cells per agent of each weighted kind at one moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights([f64; 4]);

impl Weights {
    /// The weights of `config`'s `cells_per_agent` doubled `doublings` times per kind.
    pub fn new(config: &RunConfig, doublings: [u8; 4]) -> Weights {
        Weights(std::array::from_fn(|k| {
            config.cells_per_agent[k] * f64::powi(2.0, i32::from(doublings[k]))
        }))
    }

    /// Real cells per agent of `kind` (1 for `Kind::None`).
    #[inline]
    pub fn get(&self, kind: Kind) -> f64 {
        slot(kind).map_or(1.0, |k| self.0[k])
    }
}
