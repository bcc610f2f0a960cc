//! B lymphopoiesis: new pre-B cells in marrow, the central tolerance checkpoint, and
//! emigration as transitional cells.
//!
//! Pre-B cells are made at a constant rate (the stem-cell-driven supply; derived in
//! [`crate::steady_state`] from the marrow output of 5-10% of the peripheral pool per
//! day), scaled by what chemotherapy left of the progenitor pool
//! ([`super::lymphodepletion::b_progenitor_relative`]). Each carries a specificity drawn from the immature repertoire (65%
//! self-reactive, Wardemann 2003). After a mean dwell of a few days it emigrates; a
//! self-reactive cell is deleted on the way out with the central checkpoint's
//! probability, weakened by the disease's checkpoint defect.

use super::{Fate, StepContext, antigens};
use crate::cell::{Cell, Population, Specificity};
use crate::compartment::Compartment;
use crate::draws::Draws;

/// Expected number of pre-B cells (real cells) made during one step.
pub fn precursors_per_step(ctx: &StepContext<'_>) -> f64 {
    ctx.derived.precursor_production_per_day * ctx.b_progenitor_relative * ctx.dt_days
}

/// A new pre-B cell in a random marrow site (id given by the engine).
pub fn new_precursor(ctx: &StepContext<'_>, draws: &mut impl Draws) -> Cell {
    let specificity = if draws.chance(ctx.params.b_cells.immature_autoreactive_share) {
        Specificity::Autoantigen
    } else {
        Specificity::Other
    };
    let site = ctx.sites.random_site(Compartment::Marrow, draws);
    let mut cell = Cell {
        birth_day: ctx.day as f32,
        site,
        population: Population::BPrecursor,
        specificity,
        compartment: Compartment::Marrow,
        ..Cell::default()
    };
    antigens::redraw_surface(&mut cell, ctx, draws);
    cell
}

/// Probability that the central checkpoint deletes a self-reactive precursor.
pub fn central_deletion_probability(ctx: &StepContext<'_>) -> f64 {
    ctx.derived.central_deletion_probability * (1.0 - ctx.params.b_cells.checkpoint_defect)
}

/// A pre-B cell either stays, or emigrates (and may be deleted at the checkpoint).
pub fn precursor(cell: &mut Cell, ctx: &StepContext<'_>, draws: &mut impl Draws) -> Fate {
    if !draws.chance(ctx.hazards.precursor_exit) {
        return Fate::Lives;
    }
    emigrate(cell, ctx, draws)
}

/// A pre-B cell that leaves marrow: deleted at the central checkpoint if self-reactive
/// (with the checkpoint's probability), otherwise a transitional cell.
pub fn emigrate(cell: &mut Cell, ctx: &StepContext<'_>, draws: &mut impl Draws) -> Fate {
    if cell.specificity == Specificity::Autoantigen
        && draws.chance(central_deletion_probability(ctx))
    {
        return Fate::Dies;
    }
    // A new emigrant is CD20+: residual anti-CD20 antibody meets it for the rest of the
    // step (drawn only while there is some antibody).
    if draws.chance_if_any(ctx.hazards.anti_cd20_emigrant_death) {
        return Fate::Dies;
    }
    cell.population = Population::BTransitional;
    antigens::redraw_surface(cell, ctx, draws);
    Fate::Lives
}
