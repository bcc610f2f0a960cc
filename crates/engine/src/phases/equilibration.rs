//! Slow pools at the end of burn-in: the self-reactive niche plasma cells brought to the
//! equilibrium the model sets
//! ([`immunosim_model::rules::plasma_cells::equilibration_conversion_probability`]), and
//! the damage count started (damage accrues from entry, not over the burn-in).

use crate::census::Census;
use crate::config::RunConfig;
use crate::ids::IdCounters;
use crate::phases::births;
use crate::rng::{Purpose, StepKey};
use crate::world::CellWorld;
use immunosim_model::fields::Fields;
use immunosim_model::rules::plasma_cells;
use immunosim_model::steady_state::SteadyState;
use immunosim_model::{Compartment, Draws, Population, Specificity};

/// Self-reactive plasmablasts entering niches, counted over the second half of burn-in
/// for the slow-pool equilibration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NicheWindow {
    /// Niche entries (agents) by specificity.
    pub entries: [u64; Specificity::COUNT],
    /// Steps over which they were counted.
    pub steps: u64,
}

/// Converts other-specificity niche plasma cells to self-reactive ones (each candidate
/// decides with its own stream) until the self-reactive pool holds the flux measured
/// over `niche` divided by its death rate, and moves the converted cells' share of the
/// serum IgG pools with them. A converted agent joins the finer self-reactive pool as
/// its weight ratio in agents on average (copies with counted ids, in row order), so
/// real cells are conserved. The census, the rows and their counts
/// ([`crate::row_census`]) and the id counters change together.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of the state it changes"
)]
pub fn equilibrate_slow_pools(
    world: &mut CellWorld,
    ids: &mut IdCounters,
    census: &mut Census,
    fields: &mut Fields,
    niche: &NicheWindow,
    config: &RunConfig,
    steady: &SteadyState,
    step: u64,
) {
    fields.start_damage_count();
    if niche.steps == 0 {
        return;
    }
    let window_days = niche.steps as f64 * config.dt_days;
    let auto = Specificity::Autoantigen;
    let weights = census.weights(config);
    let other_weight = weights.of(Population::PlasmaCell, Specificity::Other);
    // Self-reactive agents in units of other agents (1 unless the self-reactive pool is
    // finer), and the self-reactive agents one converted agent becomes.
    let scale = weights.of(Population::PlasmaCell, auto) / other_weight;
    let copies_per_conversion = 1.0 / scale;
    let flux_per_day = niche.entries[auto.index()] as f64 / window_days * scale;
    let death = plasma_cells::plasma_cell_death_rate_of(auto, &config.params);
    let pc = Population::PlasmaCell.index();
    let current = f64::from(census.by_specificity[pc][auto.index()]) * scale;
    let others = f64::from(census.by_specificity[pc][Specificity::Other.index()]);
    let Some(p) =
        plasma_cells::equilibration_conversion_probability(flux_per_day, death, current, others)
    else {
        return;
    };
    let equilibration = StepKey::new(config.seed, step, Purpose::Equilibration);
    let mut converted = 0u32;
    let mut clones = Vec::new();
    let mut free = Vec::new();
    let (cells, counts) = world.rows_and_counts(census.by_site.len());
    for (row, cell) in cells.iter_mut().enumerate() {
        if !cell.is_alive() {
            free.push(row as u32);
        } else if cell.population == Population::PlasmaCell
            && cell.specificity == Specificity::Other
        {
            let mut draws = equilibration.cell(cell.id.0);
            if draws.chance(p) {
                counts.remove(cell);
                cell.specificity = auto;
                counts.add(cell, cell.compartment);
                converted += 1;
                if copies_per_conversion != 1.0 {
                    // At least one (the agent itself): the self-reactive weight is
                    // never coarser than its kind's.
                    let copies = copies_per_conversion.floor() as u64
                        + u64::from(draws.chance(copies_per_conversion.fract()));
                    clones.extend((1..copies).map(|_| *cell));
                }
            }
        }
    }
    let converted_cells = f64::from(converted) * other_weight;
    let grams = plasma_cells::equilibrated_igg_g(
        converted_cells,
        steady.secretion_g_per_cell_day,
        &config.params,
    );
    let other = Specificity::Other.index();
    let moved = grams.min(fields.igg_body_g[other]);
    fields.igg_body_g[other] -= moved;
    fields.igg_body_g[auto.index()] += moved;
    let by_specificity = &mut census.by_specificity[pc];
    by_specificity[Specificity::Other.index()] -= converted;
    by_specificity[auto.index()] += converted;
    census.autoreactive[Compartment::Marrow.index()][pc] += converted;
    births::place_clones(world, census, ids, clones, &[free]);
}
