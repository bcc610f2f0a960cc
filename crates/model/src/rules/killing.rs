//! What happens when a CAR-T cell meets a cell of its compartment: engagement
//! (activation by the target's antigens through the construct) and killing. The engine
//! runs the encounters in parallel over the CAR-T cells' sites; this module holds the
//! rule of one encounter.

use crate::car::Product;
use crate::cell::{Antigen, Cell, Population, Specificity};
use crate::draws::Poisson;
use crate::parameters::Parameters;
use std::sync::atomic::{AtomicU64, Ordering};

/// A possible target as the encounters read it: its surface antigens, and the
/// population and specificity that set its agent's weight. 10 bytes where its cell is
/// 32: every treated step copies a compartment's targets into a list that its CAR-T
/// agents then read at random, so the list takes a third of the memory (at 10^7 agents,
/// with ~2 million targets, it was a few percent of the run's peak) and of the cache
/// lines.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Target {
    /// Surface antigen densities ([`Cell::antigen`]).
    pub antigen: [u16; Antigen::SLOTS],
    /// The target's population.
    pub population: Population,
    /// The target's specificity.
    pub specificity: Specificity,
}

impl From<&Cell> for Target {
    fn from(cell: &Cell) -> Target {
        Target {
            antigen: cell.antigen,
            population: cell.population,
            specificity: cell.specificity,
        }
    }
}

/// Activation (0-1) of CAR-T cell `car_cell` of `product` by `target`: the probability
/// the encounter engages it. Engaged receptor pairs scale with CAR × antigen density
/// (law of mass action at the synapse), so a cell with a fraction `e` of the fresh CAR
/// (a fading mRNA CAR) needs `1/e` times the antigen to reach the same activation. The
/// threshold is the product's own where it states one (its binders' avidity), else the
/// catalogue's.
pub fn engagement(target: &Target, car_cell: &Cell, product: &Product, params: &Parameters) -> f64 {
    let car = &params.car_t;
    let expression = car_cell.car_expression_fraction();
    if expression <= 0.0 {
        return 0.0;
    }
    let threshold = product
        .activation_threshold_molecules
        .unwrap_or(car.activation_threshold_molecules);
    product
        .construct
        .activation(&target.antigen, threshold / expression, car.activation_hill)
}

/// Probability that an engaged encounter kills the target (exhausted killers are weaker).
pub fn kill_probability(car_cell: &Cell, params: &Parameters) -> f64 {
    let car = &params.car_t;
    let function = if car_cell.population == Population::CarExhausted {
        car.exhausted_function_relative
    } else {
        1.0
    };
    car.kill_probability * function
}

/// Targets sampled to estimate the mean activation a CAR-T cell meets in its compartment: a
/// few are enough because the mean only sets the chance of at least one engagement
/// among ~`encounters_per_day × dt` probes.
pub const STIMULATION_SAMPLES: usize = 4;

/// A compartment's possible targets as the law of one CAR-T agent's encounters sees
/// them: the cells of the compartment that some product may target (`targets`, rows
/// into `cells`), their share of the compartment's real cells, and the per-kind agent
/// weights that turn probes of real cells into agent events.
///
/// Why the compartment and not the CAR-T cell's site: a compartment is well mixed
/// (docs/model.md §2), and its sites are how the engine divides work and holds engaged
/// cells, not spatial niches of their own. A target's hazard taken from its own site's
/// CAR-T agents depended on how the compartment's CAR-T cells happened to be spread over
/// its sites, which is lumpier the fewer and heavier the agents (a site's engaged cells
/// stay and divide there): at the same CAR-T cells per compartment, B cells made in a
/// marrow site with few CAR-T agents escaped, and the B-cell return after CD19 CAR-T
/// moved with the CAR-T agent weight and the site count (docs/calibration.md,
/// "Convergence of the B-cell return"). From the compartment's pool, a target's chance
/// of being met depends only on the compartment's real CAR-T cells.
pub struct TargetPool<'a> {
    /// Rows of the compartment's possible targets.
    pub targets: &'a [u32],
    /// What the encounters read of those rows' cells, in the same order (gathered in
    /// row order, so that meeting a random target reads the compartment's own short
    /// list, not a random row of the whole table).
    pub target_cells: &'a [Target],
    /// Share of the compartment's real cells that are possible targets (0-1).
    pub target_share: f64,
    /// Probes one real CAR-T cell makes in the step (`encounters_per_day × dt`).
    pub probes_per_cell: f64,
    /// Most kills of one real CAR-T cell in the step (`max_kills_per_day × dt`; 0: no
    /// bound).
    pub kills_per_cell_max: f64,
    /// Real cells per agent of each kind (`Kind::BCell`, `Kind::CarT`, ...).
    pub weight: &'a (dyn Fn(crate::cell::Kind) -> f64 + Sync),
    /// The finest target agent's weight in the pool: meetings are counted in its units,
    /// and a coarser target dies with the ratio of weights, so that every real target
    /// cell is met alike whatever its agent's weight.
    pub reference_weight: f64,
    /// Those ratios, by the target's population and specificity ([`KillShares::new`]).
    pub kill_shares: KillShares,
    /// Engagements of `targets` already computed in this step ([`EngagementMemo::new`]),
    /// shared by every CAR-T agent of the compartment.
    pub memo: &'a EngagementMemo,
    /// The law of the probes of one CAR-T agent that meet a possible target
    /// ([`meetings`] of the fields above), worked out once for all the agents.
    pub meetings: Meetings,
}

/// The probes of one CAR-T agent that meet a possible target: Poisson of mean
/// `probes_per_cell` × (CAR-T weight / B-cell weight) × `target_share` (the agent's
/// real cells' probes, in units of target agents, thinned by the share), and the laws
/// of those that would kill an engaged target, worked out once for all the agents.
pub fn meetings(
    probes_per_cell: f64,
    target_share: f64,
    weight: &dyn Fn(crate::cell::Kind) -> f64,
    reference_weight: f64,
    params: &Parameters,
) -> Meetings {
    use crate::cell::Kind;
    let weight_ratio = weight(Kind::CarT) / reference_weight;
    let mean = probes_per_cell * weight_ratio * target_share;
    let at_full_capacity = [Population::CarEffector, Population::CarExhausted].map(|population| {
        let kill = kill_probability(
            &Cell {
                population,
                ..Cell::default()
            },
            params,
        );
        (kill, Poisson::new(mean * kill))
    });
    Meetings {
        mean,
        at_full_capacity,
    }
}

/// The meetings of one CAR-T agent with possible targets in a step ([`meetings`]).
/// A meeting kills when the target engages (its [`engagement`]), the CAR-T cell kills
/// ([`kill_probability`] × the capacity's saturation) and the target agent stands for
/// the real cell met (the ratio of weights): independent chances, so the meetings that
/// pass the one chance that is the same for every target, the CAR-T cell's, are a
/// Poisson count of the mean thinned by it (exact), and only those are drawn and read.
/// Without a capacity bound that chance is a functional or an exhausted cell's kill
/// probability, the same for every agent of the compartment, so their laws are worked
/// out once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Meetings {
    /// Mean meetings of one agent with possible targets.
    pub mean: f64,
    /// (kill probability, law of the meetings that pass it) of a functional and of an
    /// exhausted cell at full capacity.
    pub at_full_capacity: [(f64, Poisson); 2],
}

impl Meetings {
    /// The law of the meetings that kill an engaged target, for a CAR-T cell of kill
    /// probability `kill` whose capacity leaves `saturation` of it.
    fn killing(&self, kill: f64, saturation: f64) -> Poisson {
        let known = self.at_full_capacity.iter().find(|(k, _)| *k == kill);
        match known {
            Some(&(_, law)) if saturation >= 1.0 => law,
            _ => Poisson::new(self.mean * kill * saturation),
        }
    }
}

/// The [`engagement`]s of a compartment's targets computed so far in a step, for the
/// CAR-T cells of one (product, CAR expression): most CAR-T agents share both, and meet
/// the same targets again and again (at the peak of expansion CAR-T agents outnumber
/// their targets), so each engagement is computed once per target instead of once per
/// meeting. The same function of the same cells, so the same values whichever thread
/// computes one first: a cache, not an approximation. CAR-T cells of other keys compute
/// theirs.
///
/// An entry is the value's 8 bytes alone: every meeting and stimulation sample reads one
/// at random from a memo larger than the cache, so its size sets how many of those
/// reads miss. The target's population and specificity (its agent weight) are read from
/// the target list only after a probe engages, which few do.
#[derive(Debug)]
pub struct EngagementMemo {
    /// (product, CAR expression) of the values.
    key: (u8, u16),
    /// By index into the targets: the bits of the value ([`UNKNOWN`] where not yet
    /// computed).
    values: Vec<AtomicU64>,
}

/// Bits of a memo entry not yet computed (a NaN no engagement returns).
const UNKNOWN: u64 = u64::MAX;

impl EngagementMemo {
    /// An empty memo for a pool of `targets` targets (0: no memo) and the CAR-T cells of
    /// `key` (product, CAR expression).
    pub fn new(targets: usize, key: (u8, u16)) -> EngagementMemo {
        EngagementMemo {
            key,
            values: (0..targets).map(|_| AtomicU64::new(UNKNOWN)).collect(),
        }
    }
}

impl TargetPool<'_> {
    /// [`engagement`] of the pool's target `index` by `car`, through the memo.
    fn engagement(&self, index: usize, car: &Cell, product: &Product, params: &Parameters) -> f64 {
        let target = &self.target_cells[index];
        let memo = self.memo;
        let Some(slot) = memo.values.get(index) else {
            return engagement(target, car, product, params);
        };
        if memo.key != (car.product, car.car_expression) {
            return engagement(target, car, product, params);
        }
        let known = slot.load(Ordering::Relaxed);
        if known != UNKNOWN {
            return f64::from_bits(known);
        }
        let value = engagement(target, car, product, params);
        slot.store(value.to_bits(), Ordering::Relaxed);
        value
    }

    /// The chance that a meeting with the pool's target `index` stands for the real
    /// cell met ([`KillShares`]).
    fn kill_share_of(&self, index: usize) -> f64 {
        let cell = &self.target_cells[index];
        self.kill_shares.0[cell.population.index()][cell.specificity.index()]
    }
}

/// The chance that a meeting, counted in units of the pool's finest target agent,
/// kills a target agent of each population and specificity: reference weight / the
/// target's weight, at most 1. Worked out once per pool: a division and a call per
/// meeting that engages were ~1% of a treated run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KillShares([[f64; Specificity::COUNT]; Population::COUNT]);

impl KillShares {
    /// The shares for targets of `target_weight` (real cells per agent of a population
    /// and specificity: its kind's weight, or the finer self-reactive one) met in units
    /// of `reference_weight`.
    pub fn new(
        target_weight: &dyn Fn(Population, Specificity) -> f64,
        reference_weight: f64,
    ) -> KillShares {
        // Free rows are never targets: their entries stay 0.
        let mut shares = [[0.0; Specificity::COUNT]; Population::COUNT];
        for population in Population::LIVING {
            for specificity in Specificity::ALL {
                shares[population.index()][specificity.index()] =
                    (reference_weight / target_weight(population, specificity)).min(1.0);
            }
        }
        KillShares(shares)
    }
}

/// Share (0-1) of a compartment's real cells that are possible targets. Shares of real
/// cells, not of agents: kinds carry different weights (CAR-T agents are finer), and a
/// compartment crowded with CAR-T agents must not look emptier of targets than it is.
pub fn target_share(target_cells: f64, compartment_cells: f64) -> f64 {
    (target_cells / compartment_cells.max(1.0)).min(1.0)
}

/// Whether uniform `u` is below 1 − e^(−x), the chance of at least one of Poisson(x)
/// events, without the exponential where its bounds x / (1 + x) ≤ 1 − e^(−x) ≤ x
/// decide. For x above 1e-6 both bounds lie at least ~x/2 (relatively) from the value,
/// millions of rounding units, so the answer is the one the computed exponential gives.
fn below_at_least_one(u: f64, x: f64) -> bool {
    if x > 1e-6 {
        if u >= x {
            return false;
        }
        if u < x / (1.0 + x) {
            return true;
        }
    }
    u < -(-x).exp_m1()
}

/// The encounters of one CAR-T agent in its compartment over one step (Kimmel et al.
/// 2021-like mass action, one probe = one real cell met): pushes the rows it kills into
/// `killed` and returns whether the agent was stimulated.
///
/// Stimulation is what one real CAR-T cell of this agent experiences: engagements ~
/// Poisson(probes × target share × mean activation), the mean activation estimated from
/// [`STIMULATION_SAMPLES`] targets of the compartment; the agent is stimulated with the chance
/// of at least one. Kills: each probe of the agent's real cells meets one real cell of
/// the compartment, counted in units of target agents (the ratio of agent weights); a target
/// agent of another weight dies with the ratio of weights, so real kills are conserved.
/// Probes are a Poisson count and each meets a possible target with the target share,
/// and a meeting kills with the CAR-T cell's own kill chance (the same for every
/// target) times the target's engagement and weight ratio; thinning a Poisson count is
/// exact, so only the meetings that pass the first two chances are drawn, at once, as
/// a Poisson count ([`Meetings`]): the same law, with a fifth of the draws at the peak
/// of expansion for the first thinning and half the rest (kill probability 0.5) for
/// the second.
pub fn car_agent_encounters(
    car: &Cell,
    product: &Product,
    params: &Parameters,
    pool: &TargetPool<'_>,
    draws: &mut impl crate::Draws,
    killed: &mut Vec<u32>,
) -> bool {
    let targets = pool.targets;
    // The samples are drawn before any is read, so that the reads of the memo (random
    // entries of a list larger than the cache) are issued together.
    let mut samples = [0usize; STIMULATION_SAMPLES];
    for sample in &mut samples {
        *sample = draws.index(targets.len());
    }
    let mean_activation = samples
        .iter()
        .map(|&index| pool.engagement(index, car, product, params))
        .sum::<f64>()
        / STIMULATION_SAMPLES as f64;
    let engagements = pool.probes_per_cell * pool.target_share * mean_activation;
    let engaged = below_at_least_one(draws.uniform(), engagements);
    // Killing capacity: a real cell's encounter-limited kills k saturate at the most it
    // can kill in the step, c, as k c / (k + c) (Kimmel's saturating kill term per
    // CAR-T cell): each engaged probe kills with the chance scaled by c / (k + c).
    // c = 0 is no bound (and leaves the draws as they were).
    let kill = kill_probability(car, params);
    let met_kills = engagements * kill;
    let capacity = pool.kills_per_cell_max;
    let saturation = if met_kills > 0.0 && capacity > 0.0 {
        capacity / (met_kills + capacity)
    } else {
        1.0
    };
    // Only the meetings that pass the CAR-T cell's own kill chance ([`Meetings`]).
    for _ in 0..draws.poisson_of(&pool.meetings.killing(kill, saturation)) {
        let index = draws.index(targets.len());
        let engagement = pool.engagement(index, car, product, params);
        if engagement <= 0.0 {
            continue;
        }
        let per_agent = pool.kill_share_of(index);
        if draws.chance(engagement * per_agent) {
            // The row is read only for a kill: each read of a random target's row may
            // miss the cache.
            killed.push(targets[index]);
        }
    }
    engaged
}

#[cfg(test)]
mod tests;
