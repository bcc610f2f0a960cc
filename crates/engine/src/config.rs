//! What the engine needs to run one patient: resolved, validated values.

use immunosim_model::antigen_panel::AntigenPanel;
use immunosim_model::car::Product;
use immunosim_model::cell::Kind;
use immunosim_model::compartment::{Compartment, SiteLayout};
use immunosim_model::interventions::{Bridging, IvigDose, Vaccination};
use immunosim_model::rules::Fate;
use immunosim_model::{Cell, Draws, Parameters, Population, Specificity};

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
    /// Most real cells per agent of the self-reactive B lineage
    /// ([`Population::is_self_reactive_b_lineage`]): an absolute weight, so that the
    /// disease has the same resolution at any host weight; never coarser than the
    /// cells' kind's weight nor more than [`MAX_SELF_REACTIVE_REFINEMENT`] times finer.
    pub self_reactive_cells_per_agent: f64,
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
            self_reactive_cells_per_agent: DEFAULT_SELF_REACTIVE_CELLS_PER_AGENT,
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

    /// Real cells per agent of `population` and `specificity` at the run's finest
    /// resolution ([`Weights::of`] at no doublings).
    pub fn base_weight_of(&self, population: Population, specificity: Specificity) -> f64 {
        Weights::new(self, [0; 4]).of(population, specificity)
    }

    /// The site layout.
    pub fn site_layout(&self) -> SiteLayout {
        SiteLayout::new(self.sites)
    }
}

/// Changes an agent's weight when it changes weight class (a B cell becoming a
/// plasmablast of a finer kind, a self-reactive pre-B cell emigrating into the finer
/// self-reactive lineage; [`Weights::of`]): the agent of `weight_before` real cells becomes
/// `weight_before / w_new` agents on average (extra copies pushed as births, or dies with
/// the complementary probability), so real-cell numbers are conserved in expectation.
pub fn reweigh(
    cell: &Cell,
    weight_before: f64,
    weights: &Weights,
    draws: &mut impl Draws,
    births: &mut Vec<Cell>,
) -> Fate {
    let ratio = weight_before / weights.of(cell.population, cell.specificity);
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

/// Most times finer than its kind's weight the self-reactive weight may be: the copies
/// one emigrating pre-B agent (or converted plasma cell) becomes in one step ([`reweigh`]), the same bound as the
/// scenario's for plasma cells finer than B cells.
pub const MAX_SELF_REACTIVE_REFINEMENT: f64 = 256.0;

/// Default most real cells per self-reactive B-lineage agent: the default host weight.
/// A run at the default resolution is unchanged by it; a coarser host keeps the
/// disease's resolution, at the cost of ~1.2e5 agents (the self-reactive naive and
/// transitional cells of a lupus patient at 5e5 cells per agent).
pub const DEFAULT_SELF_REACTIVE_CELLS_PER_AGENT: f64 = 5e5;

/// Real cells per agent of each weighted kind at one moment, and of the self-reactive
/// pools.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights {
    by_kind: [f64; 4],
    self_reactive: f64,
}

impl Weights {
    /// The weights of `config`'s `cells_per_agent` doubled `doublings` times per kind.
    pub fn new(config: &RunConfig, doublings: [u8; 4]) -> Weights {
        Weights {
            by_kind: std::array::from_fn(|k| {
                config.cells_per_agent[k] * f64::powi(2.0, i32::from(doublings[k]))
            }),
            self_reactive: config.self_reactive_cells_per_agent,
        }
    }

    /// Real cells per agent of `kind` (1 for `Kind::None`).
    #[inline]
    pub fn get(&self, kind: Kind) -> f64 {
        slot(kind).map_or(1.0, |k| self.by_kind[k])
    }

    /// Real cells per agent of `population` and `specificity`: its kind's weight, or for
    /// the self-reactive B lineage the self-reactive weight, held between its kind's
    /// weight / [`MAX_SELF_REACTIVE_REFINEMENT`] and its kind's weight.
    #[inline]
    pub fn of(&self, population: Population, specificity: Specificity) -> f64 {
        let kind = self.get(population.kind());
        if population.is_self_reactive_b_lineage(specificity) {
            self.self_reactive
                .clamp(kind / MAX_SELF_REACTIVE_REFINEMENT, kind)
        } else {
            kind
        }
    }

    /// Real cells of `agents` agents of `population`, `self_reactive` of them
    /// self-reactive (at their own weight, [`Weights::of`]).
    pub fn cells(&self, population: Population, agents: f64, self_reactive: f64) -> f64 {
        let weight = self.get(population.kind());
        let fine = self.of(population, Specificity::Autoantigen);
        if fine == weight {
            return agents * weight;
        }
        (agents - self_reactive) * weight + self_reactive * fine
    }

    /// Whether some population of the self-reactive pools is finer than its kind.
    pub fn refines_self_reactive(&self) -> bool {
        [Kind::BCell, Kind::PlasmaCell]
            .iter()
            .any(|&k| self.self_reactive < self.get(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only the self-reactive B lineage past the precursor stage takes the self-reactive
    /// weight, held between its kind's weight / 256 and its kind's weight.
    #[test]
    fn the_self_reactive_weight_holds_only_the_self_reactive_b_lineage_within_its_bounds() {
        let auto = Specificity::Autoantigen;
        let config = RunConfig {
            cells_per_agent: [2e6, 2e6, 2e6, 1e5],
            self_reactive_cells_per_agent: 5e5,
            ..RunConfig::default()
        };
        let weights = Weights::new(&config, [0; 4]);
        for population in [
            Population::BTransitional,
            Population::BNaive,
            Population::BMemory,
            Population::BActivated,
            Population::BGerminalCentre,
            Population::Plasmablast,
            Population::PlasmaCell,
        ] {
            assert_eq!(weights.of(population, auto), 5e5, "{population:?}");
            assert_eq!(weights.of(population, Specificity::Other), 2e6);
            assert_eq!(weights.of(population, Specificity::VaccineA), 2e6);
        }
        for population in [Population::BPrecursor, Population::Cd4Tfh] {
            assert_eq!(weights.of(population, auto), 2e6, "{population:?}");
        }
        assert!(weights.refines_self_reactive());
        // Never coarser than the kind, never more than 256 times finer.
        let at = |host: f64| {
            let config = RunConfig {
                cells_per_agent: [host, host, host, 1e5],
                ..config.clone()
            };
            Weights::new(&config, [0; 4]).of(Population::PlasmaCell, auto)
        };
        assert_eq!(at(1e5), 1e5);
        assert_eq!(at(1e9), 1e9 / MAX_SELF_REACTIVE_REFINEMENT);
        // At the default resolution nothing is refined.
        assert!(!Weights::new(&RunConfig::default(), [0; 4]).refines_self_reactive());
    }

    /// An agent reweighed into the finer self-reactive lineage becomes the weight ratio
    /// in agents on average: real cells are conserved.
    #[test]
    fn reweighing_into_the_finer_pool_conserves_real_cells_in_expectation() {
        let config = RunConfig {
            cells_per_agent: [2e6, 2e6, 2e6, 1e5],
            self_reactive_cells_per_agent: 3e5,
            ..RunConfig::default()
        };
        let weights = Weights::new(&config, [0; 4]);
        let cell = Cell {
            population: Population::BActivated,
            specificity: Specificity::Autoantigen,
            ..Cell::default()
        };
        let (mut agents, trials) = (0u64, 20_000u64);
        for id in 0..trials {
            let mut draws = crate::rng::StepKey::new(3, 1, crate::rng::Purpose::CellStep).cell(id);
            let mut births = Vec::new();
            if reweigh(&cell, 2e6, &weights, &mut draws, &mut births) == Fate::Lives {
                agents += 1 + births.len() as u64;
            }
        }
        let per_agent = agents as f64 / trials as f64;
        // 2e6 / 3e5 = 6.67 agents: 6 or 7, so the standard error is ~0.0033.
        assert!((per_agent - 2e6 / 3e5).abs() < 0.02, "{per_agent}");
    }
}
