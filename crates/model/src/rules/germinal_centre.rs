//! Activated B cells (extrafollicular burst) and germinal centres.
//!
//! An activated cell divides `activated_divisions` times (a burst of 2^n cells), then
//! each cell enters a germinal centre (`activation.germinal_centre_share`) or stays
//! extrafollicular and becomes a plasmablast or, with the share derived in
//! [`crate::steady_state`], a memory cell: memory B cells also form outside germinal
//! centres (early, GC-independent memory; Taylor, Pape & Jenkins, J Exp Med 2012,
//! recalled; reviewed in Front Immunol 2019;10:559, Fig. 1, seen). In a germinal centre
//! cells divide and most daughters die in selection (division ≈ death, so a GC holds
//! its size while it lasts); leavers become memory cells or plasmablasts.
//!
//! **Net growth, not division and death, per agent.** An agent stands for
//! `cells_per_agent` real cells, and an agent's division copies all of them at once.
//! Stepping GC division and selection death (1/day each) as agent events would make
//! every entering agent a critical branching lineage: its expected output is one leaver,
//! as for the real cells, but with a variance of about 2·division/exit ≈ 40 leavers²,
//! carried by whole agents — noise that grows with the weight and does not average out
//! in real cells (their lineages are independent: 5e5 of them per agent). That noise
//! knocked untreated lupus out of its active state at coarse resolutions (docs/model.md
//! §2, convergence). So an agent takes the *net* rate, division − death, as its
//! division (or, if negative, death) hazard, and leaves with its own exit hazard, which
//! no longer competes with the two: the mean residence is the GC duration at any step
//! length (with competing events in one-day steps it was 2.4 times longer).

use super::{Fate, StepContext, antigens, turnover::daughter};
use crate::cell::{Cell, Population, Specificity};
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
        } else if draws.chance(extrafollicular_memory_share(cell, ctx)) {
            become_memory(cell, ctx, draws);
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

/// Share of an extrafollicular daughter that returns to the memory pool: the derived
/// share for foreign and vaccine antigen (T-dependent responses with help), none for
/// self-reactive cells driven by nuclear autoantigen: TLR7/9 engagement with IL-21
/// drives activated (DN2-like) B cells to plasmablasts (Jenks et al., Immunity 2018,
/// recalled), so a chronic autoreactive response makes memory only through germinal
/// centres.
pub fn extrafollicular_memory_share(cell: &Cell, ctx: &StepContext<'_>) -> f64 {
    if cell.specificity == Specificity::Autoantigen {
        0.0
    } else {
        ctx.derived.extrafollicular_memory_share
    }
}

/// (exit, net growth) rates of a germinal-centre B agent, 1/day: exit at 1/duration;
/// net growth = division − selection death (negative: net loss).
pub fn germinal_centre_rates_per_day(params: &crate::parameters::Parameters) -> [f64; 2] {
    let act = &params.activation;
    [
        1.0 / act.germinal_centre_duration_days,
        act.germinal_centre_division_rate_per_day - act.germinal_centre_death_rate_per_day,
    ]
}

/// Step thresholds of a germinal-centre agent's uniform draw for rates `[exit, net]`
/// over `dt_days`: below `[0]` it leaves (probability of the exit hazard); below `[1]`
/// it divides (net > 0) or dies (net < 0), with the probability of |net| among those
/// that stay.
pub fn germinal_centre_thresholds(rates: [f64; 2], dt_days: f64) -> [f64; 2] {
    let exit = crate::draws::probability(rates[0], dt_days);
    let net = crate::draws::probability(rates[1].abs(), dt_days);
    [exit, exit + (1.0 - exit) * net]
}

/// A germinal-centre B agent: exit, or its net growth event (see the module docs).
pub fn germinal_centre(
    cell: &mut Cell,
    ctx: &StepContext<'_>,
    draws: &mut impl Draws,
    births: &mut Vec<Cell>,
) -> Fate {
    let act = &ctx.params.activation;
    let grows = act.germinal_centre_division_rate_per_day >= act.germinal_centre_death_rate_per_day;
    match draws.competing_by_thresholds(&ctx.hazards.germinal_centre_thresholds) {
        Some(0) => {
            if draws.chance(act.germinal_centre_memory_share) {
                become_memory(cell, ctx, draws);
            } else {
                become_plasmablast(cell, ctx, draws);
            }
            Fate::Lives
        }
        Some(_) if grows => {
            births.push(daughter(cell, ctx.day));
            Fate::Lives
        }
        Some(_) => Fate::Dies,
        None => Fate::Lives,
    }
}

/// Return to the resting memory pool (from a germinal centre, or directly from an
/// extrafollicular burst).
pub fn become_memory(cell: &mut Cell, ctx: &StepContext<'_>, draws: &mut impl Draws) {
    cell.population = Population::BMemory;
    antigens::redraw_surface(cell, ctx, draws);
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
