//! Migration between compartments and sites.
//!
//! Recirculating cells leave their compartment at `recirculation_rate_per_day` and
//! redraw one from their population's stationary shares (MODEL.md §2: ~2% of
//! lymphocytes in blood). With a blood transit of 5e11 cells/day this rate is ~12/day,
//! far faster than a step, so this is the exact transition of the underlying
//! two-state-per-compartment Markov chain over a step, not an approximation of it. A
//! cell that moves lands in a uniformly chosen site of its new compartment. Cells that
//! do not recirculate (pre-B, activated, GC, plasma cells) keep their site.

use super::StepContext;
use crate::cell::Cell;
use crate::compartment::Compartment;
use crate::draws::Draws;
use crate::steady_state::SteadyState;

/// Moves a recirculating cell.
pub fn migrate(cell: &mut Cell, ctx: &StepContext<'_>, draws: &mut impl Draws) {
    if !cell.population.recirculates() {
        return;
    }
    if !draws.hazard(
        ctx.params.physiology.recirculation_rate_per_day,
        ctx.dt_days,
    ) {
        return;
    }
    let shares = SteadyState::compartment_shares(ctx.params, cell.population);
    place(cell, pick_compartment(&shares, draws), ctx, draws);
}

/// Draws a compartment from stationary shares.
pub fn pick_compartment(shares: &[f64; Compartment::COUNT], draws: &mut impl Draws) -> Compartment {
    let total: f64 = shares.iter().sum();
    let mut u = draws.uniform() * total;
    for (i, &share) in shares.iter().enumerate() {
        if u < share {
            return Compartment::from_index(i);
        }
        u -= share;
    }
    Compartment::Lymphoid
}

/// Puts a cell into a random site of `compartment`.
pub fn place(
    cell: &mut Cell,
    compartment: Compartment,
    ctx: &StepContext<'_>,
    draws: &mut impl Draws,
) {
    let n = ctx.sites.count(compartment);
    cell.compartment = compartment;
    cell.site = ctx
        .sites
        .site(compartment, draws.index(usize::from(n)) as u16);
}
