//! Activated B cells (extrafollicular burst) and germinal centres.
//!
//! An activated cell divides `activated_divisions` times (a burst of 2^n cells), then
//! each cell becomes a plasmablast or enters a germinal centre. In a germinal centre
//! cells divide and most daughters die in selection (division ≈ death, so a GC holds
//! its size while it lasts); leavers become memory cells or plasmablasts.

use super::{Fate, StepContext, antigens, turnover::daughter};
use crate::cell::{Cell, Population};
use crate::draws::Draws;

/// The extrafollicular burst.
pub fn activated(
    cell: &mut Cell,
    ctx: &StepContext<'_>,
    draws: &mut impl Draws,
    births: &mut Vec<Cell>,
) -> Fate {
    let act = &ctx.params.activation;
    if f64::from(cell.divisions) >= act.activated_divisions.round() {
        if draws.chance(act.germinal_centre_share) {
            cell.population = Population::BGerminalCentre;
        } else {
            become_plasmablast(cell, ctx, draws);
        }
        return Fate::Lives;
    }
    if draws.chance(ctx.hazards.activated_division) {
        cell.divisions = cell.divisions.saturating_add(1);
        births.push(daughter(cell, ctx.day).with_divisions(cell.divisions));
    }
    Fate::Lives
}

/// (exit, selection death, division) rates of a germinal-centre B cell, 1/day.
pub fn germinal_centre_rates_per_day(ctx: &StepContext<'_>) -> [f64; 3] {
    let act = &ctx.params.activation;
    [
        1.0 / act.germinal_centre_duration_days,
        act.germinal_centre_death_rate_per_day,
        act.germinal_centre_division_rate_per_day,
    ]
}

/// A germinal-centre B cell: exit, selection death, or division (competing risks).
pub fn germinal_centre(
    cell: &mut Cell,
    ctx: &StepContext<'_>,
    draws: &mut impl Draws,
    births: &mut Vec<Cell>,
) -> Fate {
    let act = &ctx.params.activation;
    match draws.competing_by_thresholds(&ctx.hazards.germinal_centre_thresholds) {
        Some(0) => {
            if draws.chance(act.germinal_centre_memory_share) {
                cell.population = Population::BMemory;
                antigens::redraw_surface(cell, ctx, draws);
            } else {
                become_plasmablast(cell, ctx, draws);
            }
            Fate::Lives
        }
        Some(1) => Fate::Dies,
        Some(_) => {
            births.push(daughter(cell, ctx.day));
            Fate::Lives
        }
        None => Fate::Lives,
    }
}

/// Differentiation into a plasmablast (CD20 lost, CD19 dim, BCMA gained).
pub fn become_plasmablast(cell: &mut Cell, ctx: &StepContext<'_>, draws: &mut impl Draws) {
    cell.population = Population::Plasmablast;
    cell.birth_day = ctx.day as f32;
    antigens::redraw_surface(cell, ctx, draws);
}

impl Cell {
    /// The same cell with `divisions` set (a builder for daughters).
    pub fn with_divisions(mut self, divisions: u8) -> Cell {
        self.divisions = divisions;
        self
    }
}
