//! Transitional B cells: the peripheral tolerance checkpoint and BAFF-dependent
//! survival into the mature naive pool.
//!
//! A transitional cell leaves the stage at the derived exit rate. It matures with a
//! probability that rises with BAFF (more BAFF per cell when B cells are scarce, as
//! after depletion) and, if self-reactive, must also escape deletion at the peripheral
//! checkpoint, which high BAFF weakens (Lesley 2004, Thien 2004: BAFF rescues
//! self-reactive transitional cells; recalled) and the disease's checkpoint defect
//! weakens further (Yurasov 2005). Cells that do not mature die.

use super::{Fate, StepContext, antigens};
use crate::cell::{Cell, Population, Specificity};
use crate::draws::Draws;

/// Probability that a transitional cell of the given specificity matures now.
pub fn maturation_probability(specificity: Specificity, ctx: &StepContext<'_>) -> f64 {
    let baff = ctx.baff_relative.max(1e-6);
    let survive = (ctx.derived.maturation_probability_nonautoreactive * baff).min(1.0);
    if specificity == Specificity::Autoantigen {
        let deletion = ctx.derived.peripheral_deletion_probability
            * (1.0 - ctx.params.b_cells.checkpoint_defect)
            / baff;
        survive * (1.0 - deletion.clamp(0.0, 1.0))
    } else {
        survive
    }
}

/// Exit from the transitional stage: maturation or death.
pub fn transitional(cell: &mut Cell, ctx: &StepContext<'_>, draws: &mut impl Draws) -> Fate {
    if !draws.chance(ctx.hazards.transitional_exit) {
        return Fate::Lives;
    }
    leave(cell, ctx, draws)
}

/// A transitional cell that leaves the stage: it matures into a naive cell or dies.
pub fn leave(cell: &mut Cell, ctx: &StepContext<'_>, draws: &mut impl Draws) -> Fate {
    if draws.chance(maturation_probability(cell.specificity, ctx)) {
        cell.population = Population::BNaive;
        antigens::redraw_surface(cell, ctx, draws);
        Fate::Lives
    } else {
        Fate::Dies
    }
}
