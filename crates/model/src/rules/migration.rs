//! Migration between compartments and sites.
//!
//! Recirculating cells leave their compartment at `recirculation_rate_per_day` and
//! redraw one from their population's stationary shares (docs/model.md §2: ~2% of
//! lymphocytes in blood). With a blood transit of 5e11 cells/day this rate is ~12/day,
//! far faster than a step, so this is the exact transition of the underlying
//! two-state-per-compartment Markov chain over a step, not an approximation of it. A
//! cell that moves lands in a uniformly chosen site of its new compartment. Cells that
//! do not recirculate (pre-B, activated, GC, plasma cells) keep their site.

use super::StepContext;
use crate::cell::Cell;
use crate::compartment::Compartment;
use crate::draws::Draws;

/// Whether a cell stays in its site this step because it engaged antigen there: a T
/// cell that signals through its receptor stops migrating and is held where its
/// antigen is (the TCR "stop signal", Dustin et al., J Exp Med 1997; Mempel et al.,
/// Nature 2004; recalled). For CAR-T cells this makes killers gather where targets are
/// made (marrow, lymphoid tissue) instead of spending 98% of their time elsewhere.
///
/// Blood holds no one: cells there flow on whatever they meet. In tissue the hold is
/// not absolute: an engaged CAR-T cell still leaves with `car_t.engaged_leave_relative`
/// times the chance of a free cell (contacts last hours, and killers detach and move
/// on; Mempel et al. 2004, recalled); no draw is made when that is 0.
pub fn retained(
    cell: &Cell,
    engaged_antigen: bool,
    ctx: &StepContext<'_>,
    draws: &mut impl Draws,
) -> bool {
    if !engaged_antigen || cell.compartment == Compartment::Blood {
        return false;
    }
    let leave = ctx.params.car_t.engaged_leave_relative;
    !draws.chance_if_any(leave)
}

/// Moves a recirculating cell.
pub fn migrate(cell: &mut Cell, ctx: &StepContext<'_>, draws: &mut impl Draws) {
    if !cell.population.recirculates() {
        return;
    }
    if !draws.chance(ctx.hazards.move_probability) {
        return;
    }
    // One draw picks the compartment from the cumulative shares; where it falls within
    // that compartment's interval is itself uniform and picks the site.
    let cdf = &ctx.hazards.compartment_cdf[cell.population.index()];
    let u = draws.uniform();
    let mut low = 0.0;
    for (i, &high) in cdf.iter().enumerate() {
        if u < high || i + 1 == cdf.len() {
            let compartment = Compartment::from_index(i);
            let n = ctx.sites.count(compartment);
            let within = if high > low {
                ((u - low) / (high - low)).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let k = ((within * f64::from(n)) as u16).min(n - 1);
            cell.compartment = compartment;
            cell.site = ctx.sites.site(compartment, k);
            return;
        }
        low = high;
    }
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
