//! Slow pools at the end of burn-in: the self-reactive niche plasma cells brought to the
//! equilibrium the model sets
//! ([`immunosim_model::rules::plasma_cells::equilibration_conversion_probability`]), and
//! the damage count started (damage accrues from entry, not over the burn-in).

use crate::census::Census;
use crate::config::RunConfig;
use crate::rng::{Purpose, StepKey};
use immunosim_model::cell::Kind;
use immunosim_model::fields::Fields;
use immunosim_model::rules::plasma_cells;
use immunosim_model::steady_state::SteadyState;
use immunosim_model::{Cell, Compartment, Draws, Population, Specificity};

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
/// serum IgG pools with them; the census and the row counts (`counts`,
/// [`crate::row_census`]) are updated in place.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of the state it changes"
)]
pub fn equilibrate_slow_pools(
    cells: &mut [Cell],
    counts: &mut Census,
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
    let flux_per_day = niche.entries[auto.index()] as f64 / window_days;
    let death = plasma_cells::plasma_cell_death_rate_of(auto, &config.params);
    let pc = Population::PlasmaCell.index();
    let current = f64::from(census.by_specificity[pc][auto.index()]);
    let others = f64::from(census.by_specificity[pc][Specificity::Other.index()]);
    let Some(p) =
        plasma_cells::equilibration_conversion_probability(flux_per_day, death, current, others)
    else {
        return;
    };
    let equilibration = StepKey::new(config.seed, step, Purpose::Equilibration);
    let mut converted = 0u32;
    for cell in cells {
        if cell.population == Population::PlasmaCell && cell.specificity == Specificity::Other {
            let mut draws = equilibration.cell(cell.id.0);
            if draws.chance(p) {
                counts.remove(cell);
                cell.specificity = auto;
                counts.add(cell, cell.compartment);
                converted += 1;
            }
        }
    }
    let converted_cells = f64::from(converted) * census.weights(config).get(Kind::PlasmaCell);
    let grams = plasma_cells::equilibrated_igg_g(
        converted_cells,
        steady.secretion_g_per_cell_day,
        &config.params,
    );
    let other = Specificity::Other.index();
    let moved = grams.min(fields.igg_body_g[other]);
    fields.igg_body_g[other] -= moved;
    fields.igg_body_g[auto.index()] += moved;
    let counts = &mut census.by_specificity[pc];
    counts[Specificity::Other.index()] -= converted;
    counts[auto.index()] += converted;
    census.autoreactive[Compartment::Marrow.index()][pc] += converted;
}
