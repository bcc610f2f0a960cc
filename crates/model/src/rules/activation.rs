//! Activation of resting B cells into an extrafollicular response.
//!
//! Two routes, both in lymphoid sites:
//! * **Foreign and environmental antigen** (other specificity): a background hazard
//!   derived in [`crate::steady_state`] so that the plasmablasts it yields make the
//!   short-lived share of IgG. Help is part of this average rate.
//! * **Autoantigen**: a self-reactive cell must meet its autoantigen (a Hill function of the
//!   autoantigen load) and get help: among the cells of its site it meets during the
//!   step there must be a Tfh cell, and no Treg among them may suppress it. This is
//!   where lupus lives: more autoantigen (defective clearance, inflammation), more Tfh
//!   and weaker Tregs turn the same repertoire into a chronic response.
//!
//! * **Vaccine antigen** (vaccine specificities): only after a vaccination event, while
//!   the dose's antigen lasts (`activation.vaccine_antigen_half_life_days`); memory
//!   cells are recalled, so a patient without vaccine-specific memory B cells (during
//!   B-cell aplasia, or after a reset) makes no recall response.

use super::{Fate, SiteView, StepContext, antigens};
use crate::cell::{Cell, Population, Specificity};
use crate::compartment::Compartment;
use crate::draws::Draws;

/// Activation hazard (1/day) of a resting B cell before help and suppression are
/// resolved. Zero outside lymphoid tissue, and for vaccine specificities without
/// vaccine antigen.
pub fn activation_rate_per_day(cell: &Cell, ctx: &StepContext<'_>) -> f64 {
    if cell.compartment != Compartment::Lymphoid {
        return 0.0;
    }
    let act = &ctx.params.activation;
    let memory = cell.population == Population::BMemory;
    match cell.specificity {
        Specificity::Other => {
            // The derived rate is per cell of the whole pool; only the lymphoid share
            // can be activated, so the per-lymphoid-cell rate is higher by that share.
            let lymphoid = lymphoid_share(ctx);
            let rate = ctx.derived.memory_activation_rate_per_day / lymphoid;
            if memory {
                rate
            } else {
                rate * act.naive_activation_relative
            }
        }
        Specificity::Autoantigen => {
            // Cooperative: nuclear autoantigen activates through BCR and TLR7/9 at once
            // (Leadbetter et al., Nature 2002; recalled), a Hill function.
            let antigen = crate::hill::hill(
                ctx.autoantigen,
                act.autoantigen_half_saturation,
                act.autoantigen_hill,
            );
            let advantage = if memory {
                act.memory_activation_advantage
            } else {
                1.0
            };
            act.autoreactive_activation_rate_per_day * antigen * advantage
        }
        Specificity::VaccineA | Specificity::VaccineB => {
            // Recall by a vaccination event only: the antigen's Hill function (n = 1,
            // one fresh dose half-saturating), help averaged as for foreign antigen.
            let antigen = crate::interventions::Vaccination::slot(cell.specificity)
                .map_or(0.0, |slot| ctx.vaccine_antigen[slot]);
            let rate = act.vaccine_recall_rate_per_day * crate::hill::hill(antigen, 1.0, 1.0);
            if memory {
                rate
            } else {
                rate * act.naive_activation_relative
            }
        }
    }
}

fn lymphoid_share(ctx: &StepContext<'_>) -> f64 {
    let phys = &ctx.params.physiology;
    (1.0 - phys.blood_share_of_recirculating
        - phys.marrow_share_of_recirculating
        - phys.organ_share_of_recirculating)
        .max(1e-6)
}

/// Whether a self-reactive cell gets help and escapes suppression this step: it meets
/// `partners_met_per_step` random cells of its site.
pub fn helped_and_unsuppressed(
    ctx: &StepContext<'_>,
    site: SiteView<'_>,
    draws: &mut impl Draws,
) -> bool {
    let act = &ctx.params.activation;
    let meetings = act.partners_met_per_step.round() as usize;
    let mut helped = false;
    for _ in 0..meetings {
        match site.meet(draws) {
            Some(Population::Cd4Tfh) => helped = true,
            Some(Population::Cd4Treg) if draws.chance(act.treg_suppression_probability) => {
                return false;
            }
            _ => {}
        }
    }
    helped
}

/// A resting naive or memory B cell may become activated; a self-reactive one that
/// engages its autoantigen without help, or is suppressed, may die instead
/// ([`unhelped_fate`]).
pub fn activate(
    cell: &mut Cell,
    ctx: &StepContext<'_>,
    site: SiteView<'_>,
    draws: &mut impl Draws,
) -> Fate {
    if cell.compartment != Compartment::Lymphoid {
        return Fate::Lives;
    }
    let memory = usize::from(cell.population == Population::BMemory);
    let p = ctx.hazards.activation[memory][cell.specificity.index()];
    if p <= 0.0 || !draws.chance(p) {
        return Fate::Lives;
    }
    if let Some(fate) = refused_help(cell, ctx, site, draws) {
        return fate;
    }
    become_activated(cell, ctx, draws);
    Fate::Lives
}

/// The fate of a B cell that engaged its antigen at `site` and found no help: `None`
/// when it may go on to activation (it is not self-reactive, or it is helped and not
/// suppressed), otherwise [`unhelped_fate`]. The one check both the explicit path
/// ([`activate`]) and the quiet path ([`super::quiet`]) apply.
pub fn refused_help(
    cell: &Cell,
    ctx: &StepContext<'_>,
    site: SiteView<'_>,
    draws: &mut impl Draws,
) -> Option<Fate> {
    (cell.specificity == Specificity::Autoantigen && !helped_and_unsuppressed(ctx, site, draws))
        .then(|| unhelped_fate(ctx, draws))
}

/// Peripheral tolerance after activation: a self-reactive B cell that has engaged its
/// autoantigen but found no Tfh help (or met a suppressing Treg) dies with probability
/// `activation.unhelped_autoreactive_death_probability`. Antigen receptor signalling
/// without a second signal leads to apoptosis (Akkaya et al., Nat Immunol 2018;
/// Fas-dependent elimination by T cells, Rathmell et al., Nature 1995; recalled). This
/// loss, proportional to antigen engagement, holds the self-reactive memory pool at
/// its own equilibrium in chronic lupus.
pub fn unhelped_fate(ctx: &StepContext<'_>, draws: &mut impl Draws) -> Fate {
    let q = ctx
        .params
        .activation
        .unhelped_autoreactive_death_probability;
    if draws.chance_if_any(q) {
        Fate::Dies
    } else {
        Fate::Lives
    }
}

/// The cell enters the extrafollicular burst: an activated B cell with no divisions yet,
/// with the surface of its new stage (activated B cells are the plasmablast precursors:
/// BCMA appears, `scenarios/antigens/catalogue.toml` `activated_b`).
pub fn become_activated(cell: &mut Cell, ctx: &StepContext<'_>, draws: &mut impl Draws) {
    cell.population = Population::BActivated;
    cell.divisions = 0;
    antigens::redraw_surface(cell, ctx, draws);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::antigen_panel::AntigenPanel;
    use crate::compartment::SiteLayout;
    use crate::draws::testing::TestDraws;
    use crate::parameters::Parameters;
    use crate::rules::testing::context;
    use crate::steady_state::SteadyState;

    /// The view of a site with these counts.
    fn view(counts: &[u32; Population::COUNT]) -> SiteView<'_> {
        SiteView {
            counts,
            total: counts.iter().sum(),
            weights: None,
        }
    }

    /// A meeting draws a real cell: with one Tfh agent of 4 cells and four naive-B
    /// agents of one cell each, half the meetings are with a Tfh cell; without weights
    /// (one weight for all) an agent is a cell, and a fifth are.
    #[test]
    fn a_meeting_is_with_a_random_cell_not_a_random_agent() {
        let mut counts = [0; Population::COUNT];
        counts[Population::Cd4Tfh.index()] = 1;
        counts[Population::BNaive.index()] = 4;
        let mut weights = [1.0; Population::COUNT];
        weights[Population::Cd4Tfh.index()] = 4.0;
        let share_of_tfh = |weights: Option<&[f64; Population::COUNT]>| {
            let site = SiteView {
                weights,
                ..view(&counts)
            };
            let mut draws = TestDraws(3);
            let n = 20_000;
            let tfh = (0..n)
                .filter(|_| site.meet(&mut draws) == Some(Population::Cd4Tfh))
                .count();
            tfh as f64 / f64::from(n)
        };
        assert!((share_of_tfh(Some(&weights)) - 0.5).abs() < 0.02);
        assert!((share_of_tfh(None) - 0.2).abs() < 0.02);
    }

    /// A site holding `n` agents of `population` only.
    fn site_of(population: Population, n: u32) -> [u32; Population::COUNT] {
        let mut counts = [0; Population::COUNT];
        counts[population.index()] = n;
        counts
    }

    /// Peripheral tolerance: only self-reactive cells are checked; one that meets a Tfh
    /// cell goes on to activation, one that meets no help (or only Tregs, which
    /// suppress) dies with `unhelped_autoreactive_death_probability`, on the explicit
    /// and the quiet path alike (both call `refused_help`).
    #[test]
    fn self_reactive_cells_without_help_die_with_the_unhelped_probability() {
        let mut params = Parameters::default();
        params.activation.treg_suppression_probability = 1.0;
        let derived = SteadyState::derive(&params, 70.0);
        let sites = SiteLayout::new([1; Compartment::COUNT]);
        let antigens = AntigenPanel::default();
        let tfh = site_of(Population::Cd4Tfh, 10);
        let treg = site_of(Population::Cd4Treg, 10);
        let empty = [0; Population::COUNT];
        let (tfh, treg, empty) = (view(&tfh), view(&treg), view(&empty));
        let auto = Cell {
            population: Population::BMemory,
            specificity: Specificity::Autoantigen,
            ..Cell::default()
        };
        let other = Cell {
            specificity: Specificity::Other,
            ..auto
        };
        let mut draws = TestDraws(3);
        for q in [0.0, 1.0] {
            params.activation.unhelped_autoreactive_death_probability = q;
            let ctx = context(&params, &derived, &sites, &antigens);
            let refused = if q == 1.0 { Fate::Dies } else { Fate::Lives };
            for _ in 0..100 {
                assert_eq!(refused_help(&other, &ctx, empty, &mut draws), None);
                assert_eq!(refused_help(&auto, &ctx, tfh, &mut draws), None);
                assert_eq!(refused_help(&auto, &ctx, empty, &mut draws), Some(refused));
                assert_eq!(refused_help(&auto, &ctx, treg, &mut draws), Some(refused));
            }
        }
        // At 0.5 about half of the unhelped die.
        params.activation.unhelped_autoreactive_death_probability = 0.5;
        let ctx = context(&params, &derived, &sites, &antigens);
        let deaths = (0..4000)
            .filter(|_| refused_help(&auto, &ctx, empty, &mut draws) == Some(Fate::Dies))
            .count();
        assert!((1850..=2150).contains(&deaths), "{deaths} of 4000");
    }
}
