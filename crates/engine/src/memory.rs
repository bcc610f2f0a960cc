//! The memory a run will need, estimated before it starts.
//!
//! Peak memory is dominated by the cells: 32 bytes of our record plus what bevy_ecs keeps
//! per entity (entity metadata, the archetype's and table's entity lists, change ticks):
//! 88 bytes per cell in all in a world sized for its rows (104 spawned in batches into
//! a world of no size; [`crate::world`]), measured by `immunosim-perf --storage 1e7 ecs`
//! on this project's 2-core machine. Per-step buffers (freed rows, births, per-chunk census)
//! and the allocator's slack brought the whole run's peak to 114 bytes per agent at 1e7
//! agents and 133 at 1e6 (`immunosim-perf`, 20 days of untreated SLE).

use crate::config::{MAX_SELF_REACTIVE_REFINEMENT, RunConfig, slot};
use immunosim_model::car::Platform;
use immunosim_model::cell::Kind;
use immunosim_model::steady_state::SteadyState;

/// Peak bytes per agent used for the estimate: the measured 114-133, rounded up.
pub const BYTES_PER_AGENT: f64 = 140.0;
/// Headroom for agents born beyond the starting population (an untreated lupus patient
/// grows ~10% over burn-in; expansion after treatment will need more).
pub const GROWTH_HEADROOM: f64 = 1.25;
/// Memory that does not scale with agents (binary, thread stacks, tables), bytes.
pub const FIXED_BYTES: f64 = 32.0 * 1024.0 * 1024.0;

/// Growth of the self-reactive B lineage over a lupus burn-in, as a factor of its
/// agents in the healthy starting state: the tolerance defect raises the self-reactive
/// share of naive B cells (its agents grew 3.5-fold, 27,400 to 96,700, over 365 days
/// at 8e6 cells per agent, seed 1). It counts where the lineage is held finer than its
/// kind (a coarse host); elsewhere those agents are a few percent of the run and fall
/// within [`GROWTH_HEADROOM`].
pub const SELF_REACTIVE_GROWTH: f64 = 3.6;

/// Agents of each pool of the healthy starting state at `config`'s weights, with whether
/// the pool is a self-reactive B lineage held finer than its kind.
fn starting_pools(config: &RunConfig) -> impl Iterator<Item = (f64, bool)> + '_ {
    let steady = SteadyState::derive(&config.params, config.weight_kg);
    steady
        .initial_counts(&config.params)
        .into_iter()
        .map(|(population, specificity, count)| {
            let weight = config.base_weight_of(population, specificity);
            (
                count / weight,
                weight < config.base_weight(population.kind()),
            )
        })
}

/// Host agents (all but CAR-T) the estimate allows for at the run's peak: the starting
/// agents with [`GROWTH_HEADROOM`], those of a self-reactive B lineage held finer than
/// its kind with [`SELF_REACTIVE_GROWTH`].
pub fn host_agents_at_peak(config: &RunConfig) -> f64 {
    starting_pools(config)
        .map(|(agents, held_finer)| {
            agents
                * if held_finer {
                    SELF_REACTIVE_GROWTH
                } else {
                    GROWTH_HEADROOM
                }
        })
        .sum()
}

/// Agents the run starts with, expected from the healthy steady state and the weights.
pub fn initial_agents(config: &RunConfig) -> f64 {
    starting_pools(config).map(|(agents, _)| agents).sum()
}

/// Scales every per-kind `cells_per_agent` by one factor so that the run starts with
/// about `target_agents` agents (benches and the perf tool size runs this way).
pub fn scale_to_agents(config: &mut RunConfig, target_agents: f64) {
    let factor = initial_agents(config) / target_agents;
    config.cells_per_agent = config.cells_per_agent.map(|w| w * factor);
}

/// CAR-T cells with a lasting CAR at the peak of expansion, per B-lineage or plasma cell
/// the patient starts with (the cells a B-lineage CAR can target). Expansion is fed by
/// engaging targets, so the target pool bounds it: the whole-body peak measured 2.1 per
/// target cell in the Erlangen SLE scenario (4.4e11 CAR-T cells on day 16 against
/// 2.1e11) and 2.4 in the lymphoma-like one (4.6e12 against 1.9e12); doubled here.
/// (Stein 2019's 3,900-fold median expansion, ref stein_fold_expansion, is measured in
/// blood and underestimated the tissue pool of this model by a factor of up to 17.)
pub const CAR_T_PEAK_PER_TARGET_CELL: f64 = 4.0;

/// CAR-T agents in the table, at most, relative to `car_t_agent_budget`: they are
/// thinned at every boundary above the budget, so within a step they exceed it by at
/// most that step's growth: ×2.3 on the steepest day of the Erlangen expansion (days
/// 6-7: 5.6e4 to 1.26e5 agents at the fixed weight), rounded up.
pub const CAR_T_BUDGET_OVERSHOOT: f64 = 2.5;

/// CAR-T agents at the peak of expansion, as allowed for: products with a lasting CAR
/// together reach at most `CAR_T_PEAK_PER_TARGET_CELL` per initial B-lineage or plasma
/// cell and at most the carrying capacity (or their dose, if larger); an mRNA CAR-T cell shares its CAR with its
/// daughters, so at most `1 / car_t.mrna_car_lost_fraction` of its descendants are
/// still CAR-T cells. A budget (`car_t_agent_budget`) caps the agents whatever the
/// cells.
pub fn peak_car_t_agents(config: &RunConfig) -> f64 {
    let dose = |p: &immunosim_model::car::Product| {
        p.dose.cells(config.weight_kg) * p.infusion_days().len() as f64
    };
    let lasting: f64 = config
        .products
        .iter()
        .filter(|p| p.platform == Platform::Viral)
        .map(dose)
        .sum();
    let mrna_headroom = 1.0 / config.params.car_t.mrna_car_lost_fraction.max(1e-6);
    let mrna: f64 = config
        .products
        .iter()
        .filter(|p| p.platform == Platform::Mrna)
        .map(|p| dose(p) * mrna_headroom)
        .sum();
    // Division stops at the carrying capacity (`car_t.carrying_capacity_cells`), so
    // beyond the dose the pool reaches at most that.
    let capacity = config.params.car_t.carrying_capacity_cells;
    let lasting_peak = if lasting > 0.0 {
        lasting.max((CAR_T_PEAK_PER_TARGET_CELL * initial_target_cells(config)).min(capacity))
    } else {
        0.0
    };
    let agents = (lasting_peak + mrna) / config.base_weight(immunosim_model::cell::Kind::CarT);
    if config.car_t_agent_budget > 0 {
        agents.min(config.car_t_agent_budget as f64 * CAR_T_BUDGET_OVERSHOOT)
    } else {
        agents
    }
}

/// Real B-lineage and plasma cells the run starts with.
fn initial_target_cells(config: &RunConfig) -> f64 {
    let steady = SteadyState::derive(&config.params, config.weight_kg);
    steady
        .initial_counts(&config.params)
        .iter()
        .filter(|(p, _, _)| p.is_b_cell() || p.is_antibody_secreting())
        .map(|(_, _, count)| count)
        .sum()
}

/// Bytes of one agent in an encoded checkpoint (postcard rows): 40.2 MB for the
/// 1.25 M agents of the untreated SLE patient at the default resolution. A cohort
/// keeps each running patient's burned-in checkpoint in memory while its arms run.
pub const CHECKPOINT_BYTES_PER_AGENT: f64 = 32.0;

/// Agents the estimate allows for at the run's peak, host and CAR-T.
pub fn peak_agents(config: &RunConfig) -> f64 {
    host_agents_at_peak(config) + peak_car_t_agents(config)
}

/// Rows a run's world reserves entity metadata for
/// ([`crate::world::CellWorld::with_capacity`]): the estimated peak agents, but never
/// more than twice the starting agents (bevy's own doubling holds up to twice the
/// rows), so that an estimate far above the run (a CAR-T bound no run reaches) costs no
/// more metadata than bevy alone would.
pub fn reserved_rows(config: &RunConfig) -> usize {
    peak_agents(config).min(2.0 * initial_agents(config)) as usize
}

/// Estimated peak resident memory of the run, bytes.
pub fn estimate_peak_bytes(config: &RunConfig) -> f64 {
    FIXED_BYTES + peak_agents(config) * BYTES_PER_AGENT
}

/// The coarsest B-lineage and T-cell `cells_per_agent` at which results are converged,
/// with the self-reactive B lineage at its own default weight (5e5; docs/model.md §2).
/// Untreated lupus (365 d burn-in + 730 d) left the active state within the two years
/// in 0 of 72 seeds at 2e6, 1 of 36 at 4e6 and 0 of 36 at 8e6 (none of 48 at 5e5), and
/// its means over seeds 1-3 (autoantibody, score, blood B cells, plasma cells, IgG) lie
/// within 8% of 5e5's. With the self-reactive cells at the host's weight, 13 of 72 seeds
/// left it at 2e6: the grain of each activation decides the course. Coarser than 8e6
/// is not measured.
pub const CONVERGED_CELLS_PER_AGENT: f64 = 8e6;

/// The smallest common host `cells_per_agent` (multiplying the B-lineage, plasma-cell
/// and T-cell weights by the same factor) at which the estimate fits in `limit_bytes`;
/// `None` if the CAR-T agents and the fixed cost alone would not fit. The CAR-T weight
/// is left as it is: the CAR-T agents are bounded by `car_t_agent_budget`, not by their
/// weight, and coarser CAR-T agents return the B cells early (docs/calibration.md,
/// "Convergence in both weights": two weeks early at 4e5 CAR-T cells per agent), so
/// scaling it with the host weights would take the advice out of the converged range.
pub fn cells_per_agent_to_fit(config: &RunConfig, limit_bytes: f64) -> Option<f64> {
    let room = limit_bytes - FIXED_BYTES - peak_car_t_agents(config) * BYTES_PER_AGENT;
    if room <= 0.0 {
        return None;
    }
    let car_t = slot(Kind::CarT).expect("CAR-T cells carry a weight");
    let scaled = |factor: f64| {
        let mut scaled = config.clone();
        for (k, w) in scaled.cells_per_agent.iter_mut().enumerate() {
            if k != car_t {
                *w *= factor;
            }
        }
        scaled
    };
    let host_bytes = |factor: f64| host_agents_at_peak(&scaled(factor)) * BYTES_PER_AGENT;
    // The host's agents fall as 1/factor, except the self-reactive B lineage's, which
    // keep their own weight (`self_reactive_cells_per_agent`) until the host's is 256
    // times coarser: the smallest factor that fits, by bisection on its logarithm
    // between the linear guess and 256 times beyond it.
    let linear = (host_bytes(1.0) / room).max(1.0);
    let (mut low, mut high) = (linear.ln(), (linear * MAX_SELF_REACTIVE_REFINEMENT).ln());
    if host_bytes(linear) > room {
        for _ in 0..60 {
            let mid = 0.5 * (low + high);
            if host_bytes(mid.exp()) <= room {
                high = mid;
            } else {
                low = mid;
            }
        }
    } else {
        high = low;
    }
    let factor = high.exp();
    let largest = config
        .cells_per_agent
        .iter()
        .enumerate()
        .filter(|&(k, _)| k != car_t)
        .map(|(_, &w)| w)
        .fold(0.0, f64::max);
    Some((largest * factor * 1.01).ceil())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default patient with a CD19 4-1BB product at 1e6 cells/kg.
    fn with_cd19_product() -> RunConfig {
        let mut config = RunConfig::default();
        config
            .products
            .push(immunosim_model::car::Product::cd19_4_1bb(
                immunosim_model::car::Dose::PerKg(1e6),
            ));
        config
    }

    #[test]
    fn car_t_allowance_covers_the_measured_erlangen_peak() {
        let mut config = with_cd19_product();
        // The estimate at the fixed default weight (1e5 CAR-T cells per agent), against
        // a carrying capacity of 6.96e10 cells = 696,000 agents; a run measures less
        // (~4.9e5 at seed 1: the pool stops short of the capacity).
        let peak = peak_car_t_agents(&config);
        assert!((6.2e5..=7.0e5).contains(&peak), "{peak}");
        config.car_t_agent_budget = 200_000;
        assert_eq!(
            peak_car_t_agents(&config),
            200_000.0 * CAR_T_BUDGET_OVERSHOOT
        );
        config.car_t_agent_budget = 0;
        config.products[0].platform = Platform::Mrna;
        assert!(peak_car_t_agents(&config) < 1e5, "mRNA cells barely expand");
    }

    /// The reservation follows the estimate where it is modest and stops at twice the
    /// starting agents where a CAR-T bound is far above any run (fine CAR-T agents, no
    /// budget).
    #[test]
    fn reserved_rows_follow_the_estimate_up_to_twice_the_start() {
        let mut config = with_cd19_product();
        config.car_t_agent_budget = 200_000;
        let start = initial_agents(&config);
        assert_eq!(reserved_rows(&config), peak_agents(&config) as usize);
        assert!(peak_agents(&config) < 2.0 * start);
        config.car_t_agent_budget = 0;
        config.cells_per_agent[slot(Kind::CarT).expect("a CAR-T weight")] = 1e3;
        assert!(peak_agents(&config) > 2.0 * start);
        assert_eq!(reserved_rows(&config), (2.0 * start) as usize);
    }

    #[test]
    fn estimate_scales_inversely_with_weight_and_suggestion_fits() {
        let mut config = RunConfig::default();
        let coarse = estimate_peak_bytes(&config);
        config.cells_per_agent = [2.5e5; 4];
        let fine = estimate_peak_bytes(&config);
        assert!(((fine - FIXED_BYTES) / (coarse - FIXED_BYTES) - 2.0).abs() < 1e-9);
        let limit = 100.0 * 1024.0 * 1024.0;
        let weight = cells_per_agent_to_fit(&config, limit).unwrap();
        config.cells_per_agent = [weight; 4];
        assert!(estimate_peak_bytes(&config) <= limit);
    }

    /// With a CAR-T product the advice coarsens the host weights only, as
    /// `[resolution] cells_per_agent` does, and the run then fits with its CAR-T weight
    /// unchanged; a limit the CAR-T allowance alone exceeds gets no advice.
    #[test]
    fn advice_coarsens_host_cells_only_and_then_fits() {
        let mut config = with_cd19_product();
        config.car_t_agent_budget = 200_000;
        let car_t = slot(Kind::CarT).expect("CAR-T cells carry a weight");
        let car_t_weight = config.cells_per_agent[car_t];
        let car_t_bytes = peak_car_t_agents(&config) * BYTES_PER_AGENT;
        let limit = FIXED_BYTES + car_t_bytes + 60.0 * 1024.0 * 1024.0;
        let weight = cells_per_agent_to_fit(&config, limit).unwrap();
        assert!(weight > config.cells_per_agent[0], "{weight}");
        for (k, w) in config.cells_per_agent.iter_mut().enumerate() {
            if k != car_t {
                *w = weight;
            }
        }
        assert_eq!(config.cells_per_agent[car_t], car_t_weight);
        let estimate = estimate_peak_bytes(&config);
        assert!(
            estimate <= limit && estimate > 0.97 * limit,
            "{estimate} vs {limit}"
        );
        assert_eq!(
            cells_per_agent_to_fit(&config, FIXED_BYTES + 0.5 * car_t_bytes),
            None
        );
    }
}
