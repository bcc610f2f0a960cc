//! The initial patient: agents drawn from the healthy steady state.
//!
//! Counts come from [`SteadyState::initial_counts`]; each (population, specificity)
//! gets `count / cells_per_agent` agents (the fractional part by a draw), placed in a
//! compartment drawn from the population's stationary shares and a uniform site, with a
//! surface drawn for its stage. A disease preset starts here too and reaches its own
//! steady state during burn-in.

use crate::config::RunConfig;
use crate::ids;
use crate::rng::{Purpose, StepKey, Stream};
use immunosim_model::rules::migration;
use immunosim_model::steady_state::SteadyState;
use immunosim_model::{Cell, Compartment, Draws, Population};

/// Builds the initial cells one (population, specificity) group at a time, handing each
/// group to `emit` (so peak memory holds one group, not the whole patient twice);
/// returns the next free id.
pub fn initial_cells(
    config: &RunConfig,
    steady: &SteadyState,
    mut emit: impl FnMut(Vec<Cell>),
) -> u64 {
    let layout = config.site_layout();
    let start_day = -config.burn_in_days;
    let mut next_id = 0u64;
    let per_cell = StepKey::new(config.seed, 0, Purpose::Initial);
    for (group, (population, specificity, count)) in steady
        .initial_counts(&config.params)
        .into_iter()
        .enumerate()
    {
        let expected = count / config.base_weight_of(population, specificity);
        let mut draws = Stream::new(config.seed, 0, group as u64, Purpose::Initial);
        let agents = expected.floor() as u64 + u64::from(draws.chance(expected.fract()));
        let shares = SteadyState::compartment_shares(&config.params, population);
        let mut cells = Vec::with_capacity(agents as usize);
        for _ in 0..agents {
            let id = ids::counted(next_id, 0);
            next_id += 1;
            let mut draws = per_cell.cell(id.0);
            let compartment = migration::pick_compartment(&shares, &mut draws);
            let site = layout.random_site(compartment, &mut draws);
            let mut cell = Cell {
                id,
                birth_day: start_day as f32,
                site,
                population,
                specificity,
                compartment,
                ..Cell::default()
            };
            if population == Population::PlasmaCell {
                cell.flags |= Cell::FLAG_NICHE;
            }
            if population == Population::BActivated {
                let burst = config.params.activation.activated_divisions.round() as usize;
                cell.divisions = draws.index(burst.max(1)) as u8;
            }
            debug_assert!(compartment != Compartment::Organ || population.recirculates());
            cells.push(cell);
        }
        emit(cells);
    }
    next_id
}
