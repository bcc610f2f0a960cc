//! Plasmablasts and long-lived plasma cells.
//!
//! A plasmablast secretes for a few days and dies, unless while in marrow it wins a
//! free survival niche (hazard ∝ the free share of niches: capacity-limited, as in
//! Radbruch 2006) and becomes a long-lived plasma cell. Long-lived plasma cells die
//! with a half-life that depends on their specificity: the antigen-specific antibody
//! half-lives of Amanna 2007 (measles > 200 y, tetanus 11 y) are, with no
//! re-stimulation, the half-lives of the cells that make them, since serum IgG turns
//! over in weeks.

use super::{Fate, StepContext, antigens};
use crate::cell::{Cell, Population, Specificity};
use crate::compartment::Compartment;
use crate::draws::Draws;
use crate::parameters::Parameters;
use crate::steady_state::half_life_rate;

/// Death rate (1/day) of a long-lived plasma cell of `specificity`.
pub fn plasma_cell_death_rate(specificity: Specificity, ctx: &StepContext<'_>) -> f64 {
    plasma_cell_death_rate_of(specificity, ctx.params)
}

/// Death rate (1/day) of a long-lived plasma cell of `specificity`, from parameters.
pub fn plasma_cell_death_rate_of(specificity: Specificity, params: &Parameters) -> f64 {
    let pc = &params.plasma_cells;
    half_life_rate(match specificity {
        Specificity::Other => pc.other_half_life_years,
        Specificity::Autoantigen => pc.autoreactive_half_life_years,
        Specificity::VaccineA => pc.vaccine_a_half_life_years,
        Specificity::VaccineB => pc.vaccine_b_half_life_years,
    })
}

/// (death, niche entry) rates of a plasmablast in `compartment`, 1/day.
pub fn plasmablast_rates_per_day(compartment: Compartment, ctx: &StepContext<'_>) -> [f64; 2] {
    let death = 1.0 / ctx.params.plasma_cells.plasmablast_lifespan_days;
    let entry = if compartment == Compartment::Marrow {
        ctx.derived.niche_entry_rate_per_day * ctx.niche_free_fraction
    } else {
        0.0
    };
    [death, entry]
}

/// A plasmablast: death, or entry into a marrow niche (competing risks).
pub fn plasmablast(cell: &mut Cell, ctx: &StepContext<'_>, draws: &mut impl Draws) -> Fate {
    let in_marrow = usize::from(cell.compartment == Compartment::Marrow);
    let rates = plasmablast_rates_per_day(cell.compartment, ctx);
    match draws.competing_given(rates, ctx.hazards.plasmablast_any[in_marrow]) {
        Some(0) => Fate::Dies,
        Some(_) => {
            enter_niche(cell, ctx, draws);
            Fate::Lives
        }
        None => Fate::Lives,
    }
}

/// A plasmablast in marrow that won a niche becomes a long-lived plasma cell, with the
/// surface of one.
pub fn enter_niche(cell: &mut Cell, ctx: &StepContext<'_>, draws: &mut impl Draws) {
    cell.population = Population::PlasmaCell;
    cell.flags |= Cell::FLAG_NICHE;
    antigens::redraw_surface(cell, ctx, draws);
}

/// A long-lived plasma cell: death frees its niche.
pub fn plasma_cell(cell: &mut Cell, ctx: &StepContext<'_>, draws: &mut impl Draws) -> Fate {
    if draws.chance(ctx.hazards.plasma_cell_death[cell.specificity.index()]) {
        Fate::Dies
    } else {
        Fate::Lives
    }
}

/// Slow-pool equilibration of self-reactive niche plasma cells at the end of burn-in.
///
/// A disease preset describes a patient who has had the disease for years; a burn-in of
/// one year cannot build a pool that turns over in years, and without this step that
/// pool would keep growing through the recorded days (drift). The pool's equilibrium is
/// the flux of self-reactive plasmablasts into niches (`flux_per_day`, agents measured
/// over the second half of burn-in) over their death rate (`death_rate_per_day`); the
/// missing agents are converted from the other-specificity plasma cells (`others`), so
/// niche occupancy is unchanged. Returns the probability with which each
/// other-specificity plasma cell converts, or `None` when nothing is to convert.
pub fn equilibration_conversion_probability(
    flux_per_day: f64,
    death_rate_per_day: f64,
    current: f64,
    others: f64,
) -> Option<f64> {
    let needed = flux_per_day / death_rate_per_day - current;
    if needed <= 0.0 || others <= 0.0 {
        return None;
    }
    Some((needed / others).min(1.0))
}

/// Serum IgG (grams in the body) that `converted_cells` real plasma cells, converted to
/// self-reactive at equilibration, would have made at steady state: their secretion over
/// the IgG clearance rate. Moving it between the pools keeps the titre from climbing for
/// months after day 0 (a transient of the conversion, not biology).
pub fn equilibrated_igg_g(
    converted_cells: f64,
    secretion_g_per_cell_day: f64,
    params: &Parameters,
) -> f64 {
    let clearance = std::f64::consts::LN_2 / params.physiology.igg_half_life_days;
    converted_cells * secretion_g_per_cell_day / clearance
}
