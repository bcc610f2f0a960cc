//! Quiet cells: resting lymphocytes, B-cell precursors and transitional cells,
//! plasmablasts and long-lived plasma cells, whose events in a step are few (death,
//! homeostatic division, activation, leaving their stage, entering a niche), handled
//! without a random draw per cell.
//!
//! Over 85% of a lupus patient's agents are of these kinds. In a one-day step a
//! resting T cell dies or divides with probability ~0.001–0.02 and otherwise only
//! recirculates; a pre-B cell leaves marrow with probability ~0.2 and otherwise stays
//! put. Two shortcuts, the same in distribution as stepping each cell (the first up to
//! the chance of not moving at all, below), make such a cell cost one read and a count:
//!
//! * **Implicit positions.** A recirculating cell leaves its compartment at
//!   `physiology.recirculation_rate_per_day` (12.5/day) and redraws it from its
//!   population's stationary shares, so after a one-day step its compartment is a fresh
//!   stationary draw, independent of where it was, except with probability
//!   e^−12.5 ≈ 4·10⁻⁶ (no move at all). Its site is then a uniform site of that
//!   compartment. The positions of n such cells are therefore a multinomial sample, which
//!   the engine draws from the counts (a chain of binomials per population and
//!   specificity) instead of moving each cell. This holds while the step's move
//!   probability is at least [`IMPLICIT_POSITION_MIN_MOVE_PROBABILITY`]; with shorter
//!   steps or slower recirculation every cell is moved explicitly.
//! * **Skipping by thinning.** Every quiet cell of (population, specificity) has some
//!   event this step with probability `any`. The engine visits *candidates*: among the
//!   rows of each quiet population, in row order (in interleaved lanes of rows, the
//!   engine's choice), it skips geometric gaps
//!   ([`QuietPlan::gap`]) with the population's largest `any` over the specificities
//!   present, rounded up to a grid (`candidate`), so each of its cells is a candidate
//!   independently with that probability. A candidate's own stream then accepts an
//!   event with probability `any / candidate` and resolves which ([`candidate`]).
//!   Each cell thus has an event with probability exactly `any`, as if it had drawn
//!   for itself, and only a few percent of quiet rows (resting cells ~1%, pre-B cells
//!   25% in a lupus patient's step) cost more than a read and a count.
//!
//! The events are those of the explicit rules, in their order. A pre-B cell emigrates
//! ([`lymphopoiesis::emigrate`]) and a transitional cell leaves its stage
//! ([`maturation::leave`]); for resting cells, turnover
//! ([`super::turnover`]) first, then activation of a surviving naive or memory B cell
//! ([`super::activation`]), which needs the cell in a lymphoid site: with implicit
//! positions, the cell is in lymphoid tissue with its population's lymphoid share and
//! in a uniform lymphoid site, whose census then decides help and suppression. A cell
//! that is activated leaves the quiet set with that site as its position.
//!
//! A plasmablast recirculates too: with an implicit position it is in marrow with its
//! population's marrow share, and only there can it win a niche; one that does is
//! placed in a uniform marrow site, where plasma cells keep theirs.
//!
//! Recirculating B cells and plasmablasts keep explicit positions while CAR-T cells are
//! alive (the engine's choice, `b_positions_needed`): CAR-T killing bins targets by the
//! compartment of their row's site. Pre-B cells and plasma cells do not recirculate and
//! always keep theirs.

use super::{
    Fate, SiteViews, StepContext, activation, lymphopoiesis, maturation, migration, plasma_cells,
    turnover,
};
use crate::cell::{Cell, Population, Specificity};
use crate::compartment::Compartment;
use crate::draws::Draws;

/// Smallest step probability of leaving the compartment (`StepHazards::move_probability`)
/// at which a recirculating cell's position is treated as a fresh stationary draw each
/// step. The default recirculation (12.5/day) over a one-day step gives 1 − 4·10⁻⁶;
/// half-day steps give 1 − 2·10⁻³ and keep explicit positions. Choice: the error of the
/// shortcut is the share of cells that should have stayed where they were (a
/// correlation of a cell's site between consecutive steps), here at most 0.1%.
pub const IMPLICIT_POSITION_MIN_MOVE_PROBABILITY: f64 = 1.0 - 1e-3;

/// Which populations are quiet this step and the probabilities of their events.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QuietPlan {
    /// Population is handled by [`candidate`] rather than by the explicit rules.
    pub quiet: [bool; Population::COUNT],
    /// Population's positions are implicit (drawn by the engine from the counts).
    pub implicit_position: [bool; Population::COUNT],
    /// Thresholds on a candidate's uniform draw u, per (population, specificity):
    /// u below `[0]` dies in turnover, below `[1]` turns over (dies or divides), below
    /// `[2]` has an event (`any / candidate`, with `any` the probability that a quiet
    /// cell of that population and specificity has some event this step); for a
    /// plasmablast, u below `[0]` enters a niche and below `[2]` dies. Precomputed so
    /// that a candidate costs compares rather than a chain of divisions (the same
    /// events as dividing u by the acceptance and the turnover share, up to rounding at
    /// the thresholds).
    pub thresholds: [[[f64; 3]; Specificity::COUNT]; Population::COUNT],
    /// Probability that a resting B cell of (population, specificity) is in lymphoid
    /// tissue and its activation hazard fires (before help and suppression).
    pub activation: [[f64; Specificity::COUNT]; Population::COUNT],
    /// Candidate probability of a quiet cell of each population: the largest `any`
    /// over the specificities present.
    pub candidate: [f64; Population::COUNT],
    /// 1 / −ln(1 − candidate), the mean of the exponential whose floor is the
    /// geometric gap between candidates, rows (infinite when `candidate` is 0).
    pub candidate_mean_gap: [f64; Population::COUNT],
}

impl QuietPlan {
    /// The plan for the step of `ctx` (whose `hazards` must be set). `present` counts
    /// the agents alive at the start of the step by population and specificity (the
    /// census): `candidate` is taken over those only. `b_positions_needed`:
    /// recirculating B cells are stepped explicitly (CAR-T cells are alive and kill by
    /// compartment, read from the rows).
    pub fn new(
        ctx: &StepContext<'_>,
        present: &[[u32; Specificity::COUNT]; Population::COUNT],
        b_positions_needed: bool,
    ) -> QuietPlan {
        let h = &ctx.hazards;
        let mut plan = QuietPlan::default();
        let implicit_allowed = h.move_probability >= IMPLICIT_POSITION_MIN_MOVE_PROBABILITY;
        let [plasmablast_enters_niche, plasmablast_any] = plasmablast_events(ctx);
        for population in Population::LIVING {
            let p = population.index();
            let resting_b = matches!(population, Population::BNaive | Population::BMemory);
            let b_implicit = !b_positions_needed
                && (resting_b
                    || matches!(
                        population,
                        Population::BTransitional | Population::Plasmablast
                    ));
            // Cells that residual anti-CD20 antibody kills are stepped explicitly
            // (the rule in `step_cell`), while there is any.
            let antibody = h.anti_cd20_death > 0.0 && super::anti_cd20::targets(population);
            let implicit = implicit_allowed && !antibody && (population.is_t_cell() || b_implicit);
            plan.implicit_position[p] = implicit;
            plan.quiet[p] =
                implicit || matches!(population, Population::PlasmaCell | Population::BPrecursor);
            if !plan.quiet[p] {
                continue;
            }
            let lymphoid_share = h.compartment_share(population, Compartment::Lymphoid);
            // Probability of some event, by specificity.
            let mut any_event = [0.0; Specificity::COUNT];
            for specificity in Specificity::ALL {
                let s = specificity.index();
                let any = if population == Population::PlasmaCell {
                    h.plasma_cell_death[s]
                } else if population == Population::BPrecursor {
                    h.precursor_exit
                } else if population == Population::BTransitional {
                    h.transitional_exit
                } else if population == Population::Plasmablast {
                    plasmablast_any
                } else {
                    let activation = if resting_b {
                        let memory = usize::from(population == Population::BMemory);
                        lymphoid_share * h.activation[memory][s]
                    } else {
                        0.0
                    };
                    plan.activation[p][s] = activation;
                    1.0 - (1.0 - h.turnover_any[p]) * (1.0 - activation)
                };
                any_event[s] = any;
                if present[p][s] > 0 {
                    plan.candidate[p] = plan.candidate[p].max(any);
                }
            }
            plan.candidate[p] = grid_above(plan.candidate[p]);
            let candidate = plan.candidate[p];
            let [death, division] = h.turnover_rates[p];
            let resting = !matches!(
                population,
                Population::PlasmaCell
                    | Population::BPrecursor
                    | Population::BTransitional
                    | Population::Plasmablast
            );
            let enters_niche = if population == Population::Plasmablast {
                plasmablast_enters_niche
            } else {
                0.0
            };
            for (s, &any) in any_event.iter().enumerate() {
                if any <= 0.0 || candidate <= 0.0 {
                    continue;
                }
                let turnover = if resting {
                    h.turnover_any[p].min(any) / candidate
                } else {
                    0.0
                };
                let dies = if death + division > 0.0 {
                    turnover * death / (death + division)
                } else {
                    0.0
                };
                plan.thresholds[p][s] = if population == Population::Plasmablast {
                    [enters_niche / candidate, 0.0, any / candidate]
                } else {
                    [dies, turnover, any / candidate]
                };
            }
            plan.candidate_mean_gap[p] = 1.0 / -(-plan.candidate[p]).ln_1p();
        }
        plan
    }

    /// Quiet cells of `population` to pass over before the next candidate (geometric
    /// with the population's candidate probability; `u64::MAX` when it is 0).
    pub fn gap(&self, population: Population, draws: &mut impl Draws) -> u64 {
        draws.failures_before_success(self.candidate_mean_gap[population.index()])
    }

    /// Whether `population` is quiet this step.
    #[inline]
    pub fn is_quiet(&self, population: Population) -> bool {
        self.quiet[population.index()]
    }

    /// Whether `population`'s positions are implicit this step.
    #[inline]
    pub fn is_implicit(&self, population: Population) -> bool {
        self.implicit_position[population.index()]
    }
}

/// A quiet plasmablast's (niche entry, any event) probabilities in the step: with an
/// implicit position it is in marrow with its population's marrow share, and there
/// enters a niche or dies (competing risks, [`plasma_cells::plasmablast`]); elsewhere
/// it can only die.
fn plasmablast_events(ctx: &StepContext<'_>) -> [f64; 2] {
    let h = &ctx.hazards;
    let marrow = h.compartment_share(Population::Plasmablast, Compartment::Marrow);
    let [death, entry] = plasma_cells::plasmablast_rates_per_day(Compartment::Marrow, ctx);
    let in_marrow = h.plasmablast_any[1];
    let enters = if death + entry > 0.0 {
        marrow * in_marrow * entry / (death + entry)
    } else {
        0.0
    };
    [
        enters,
        marrow * in_marrow + (1.0 - marrow) * h.plasmablast_any[0],
    ]
}

/// Steps of the candidate-probability grid per doubling (see [`grid_above`]).
const GRID_STEPS_PER_DOUBLING: f64 = 4.0;

/// The smallest point of the grid 2^(k/4) at or above `p` (1 at most, 0 for 0).
/// Candidate probabilities are rounded up to this grid — at most 19% more candidates
/// than needed — so that two runs whose rates differ a little (a scenario and a variant
/// of it) often pick the same candidates, and each cell then decides with the same draw
/// in both: common random numbers, which make differences between scenarios show above
/// the noise. (A grid of powers of two kept more of them in common but cost up to twice
/// the candidates: the churn-heavy bench step was 1.8x a quiet one.)
fn grid_above(p: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    let exponent = (p.log2() * GRID_STEPS_PER_DOUBLING).ceil().min(0.0);
    (exponent / GRID_STEPS_PER_DOUBLING).exp2()
}

/// A quiet cell chosen as a candidate (with its population's `plan.candidate`
/// probability): accepts an event with probability `any / candidate` and resolves it.
/// A plasma cell dies; a pre-B cell emigrates; a transitional cell leaves its stage.
/// A resting cell turns over first (death, or division pushing a daughter); then a
/// surviving resting B cell whose activation hazard fired (given that something
/// happened: certainly if there was no turnover, with its own probability if there
/// was) meets the cells of a uniform lymphoid site for help.
pub fn candidate(
    cell: &mut Cell,
    ctx: &StepContext<'_>,
    plan: &QuietPlan,
    sites: SiteViews<'_>,
    draws: &mut impl Draws,
    births: &mut Vec<Cell>,
) -> Fate {
    let (p, s) = (cell.population.index(), cell.specificity.index());
    // Accepted with any / candidate; given that, where u falls also decides which
    // turnover event happened (u / accept is again uniform), so a T-cell candidate
    // costs one draw.
    let [dies, turnover, accept] = plan.thresholds[p][s];
    let u = draws.uniform();
    if u >= accept {
        return Fate::Lives;
    }
    match cell.population {
        Population::PlasmaCell => return Fate::Dies,
        Population::Plasmablast if u < dies => {
            // In marrow (with its stationary share), where it won a niche.
            cell.compartment = Compartment::Marrow;
            cell.site = ctx.sites.random_site(Compartment::Marrow, draws);
            plasma_cells::enter_niche(cell, ctx, draws);
            return Fate::Lives;
        }
        Population::Plasmablast => return Fate::Dies,
        Population::BPrecursor => {
            let fate = lymphopoiesis::emigrate(cell, ctx, draws);
            // A new transitional cell recirculates: moved now unless its position is
            // implicit this step (as the explicit rules move it after its step).
            if fate == Fate::Lives && !plan.is_implicit(cell.population) {
                migration::migrate(cell, ctx, draws);
            }
            return fate;
        }
        Population::BTransitional => return maturation::leave(cell, ctx, draws),
        _ => {}
    }
    let activation = plan.activation[p][s];
    let activation_fired = if u < turnover {
        // Death or division, in proportion to their rates (competing risks).
        if u < dies {
            return Fate::Dies;
        }
        births.push(turnover::daughter(cell, ctx.day));
        draws.chance_if_any(activation)
    } else {
        true
    };
    if activation_fired && activation > 0.0 {
        let site = ctx.sites.random_site(Compartment::Lymphoid, draws);
        if let Some(fate) = activation::refused_help(cell, ctx, sites.view(site), draws) {
            return fate;
        }
        cell.compartment = Compartment::Lymphoid;
        cell.site = site;
        activation::become_activated(cell, ctx, draws);
    }
    Fate::Lives
}
