//! The memory a run will need, estimated before it starts.
//!
//! Peak memory is dominated by the cells: 32 bytes of our record plus what bevy_ecs keeps
//! per entity (entity metadata, the archetype's and table's entity lists, change ticks):
//! 104 bytes per cell in all, measured by `immunosim-perf --storage 1e7 ecs` on this
//! project's 2-core machine. Per-step buffers (freed rows, births, per-chunk census)
//! and the allocator's slack brought the whole run's peak to 114 bytes per agent at 1e7
//! agents and 133 at 1e6 (`immunosim-perf`, 20 days of untreated SLE).

use crate::config::RunConfig;
use immunosim_model::car::Platform;
use immunosim_model::steady_state::SteadyState;

/// Peak bytes per agent used for the estimate: the measured 114-133, rounded up.
pub const BYTES_PER_AGENT: f64 = 140.0;
/// Headroom for agents born beyond the starting population (an untreated lupus patient
/// grows ~10% over burn-in; expansion after treatment will need more).
pub const GROWTH_HEADROOM: f64 = 1.25;
/// Memory that does not scale with agents (binary, thread stacks, tables), bytes.
pub const FIXED_BYTES: f64 = 32.0 * 1024.0 * 1024.0;

/// Agents the run starts with, expected from the healthy steady state and the weights.
pub fn initial_agents(config: &RunConfig) -> f64 {
    let steady = SteadyState::derive(&config.params, config.weight_kg);
    steady
        .initial_counts(&config.params)
        .iter()
        .map(|(population, _, count)| count / config.weight(population.kind()))
        .sum()
}

/// Scales every per-kind `cells_per_agent` by one factor so that the run starts with
/// about `target_agents` agents (benches and the perf tool size runs this way).
pub fn scale_to_agents(config: &mut RunConfig, target_agents: f64) {
    let factor = initial_agents(config) / target_agents;
    config.cells_per_agent = config.cells_per_agent.map(|w| w * factor);
}

/// Fold expansion of CAR-T cells allowed for in the estimate: Stein 2019's median of
/// 3,900 in B-ALL (ref stein_fold_expansion), the high end of what a product does.
pub const CAR_T_EXPANSION_HEADROOM: f64 = 3900.0;

/// CAR-T agents at the peak of expansion, as allowed for. An mRNA CAR-T cell shares
/// its CAR with its daughters, so at most `1 / car_t.mrna_car_lost_fraction` of its
/// descendants are still CAR-T cells.
pub fn peak_car_t_agents(config: &RunConfig) -> f64 {
    let mrna_headroom = 1.0 / config.params.car_t.mrna_car_lost_fraction.max(1e-6);
    let peak_cells: f64 = config
        .products
        .iter()
        .map(|p| {
            let headroom = match p.platform {
                Platform::Viral => CAR_T_EXPANSION_HEADROOM,
                Platform::Mrna => mrna_headroom.min(CAR_T_EXPANSION_HEADROOM),
            };
            p.dose.cells(config.weight_kg) * p.infusion_days().len() as f64 * headroom
        })
        .sum();
    peak_cells / config.weight(immunosim_model::cell::Kind::CarT)
}

/// Estimated peak resident memory of the run, bytes.
pub fn estimate_peak_bytes(config: &RunConfig) -> f64 {
    FIXED_BYTES
        + (initial_agents(config) * GROWTH_HEADROOM + peak_car_t_agents(config)) * BYTES_PER_AGENT
}

/// The smallest common `cells_per_agent` (multiplying all per-kind weights by the same
/// factor) at which the estimate fits in `limit_bytes`; `None` if even one agent per
/// kind would not fit.
pub fn cells_per_agent_to_fit(config: &RunConfig, limit_bytes: f64) -> Option<f64> {
    let variable = estimate_peak_bytes(config) - FIXED_BYTES;
    let room = limit_bytes - FIXED_BYTES;
    if room <= 0.0 {
        return None;
    }
    let factor = (variable / room).max(1.0);
    let largest = config.cells_per_agent.iter().copied().fold(0.0, f64::max);
    Some((largest * factor * 1.01).ceil())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
