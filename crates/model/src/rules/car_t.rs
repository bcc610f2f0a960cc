//! CAR-T cells: proliferation and differentiation under antigen, exhaustion by chronic
//! stimulation and recovery with rest, contraction without antigen, a persisting memory
//! fraction kept by homeostatic division, all bounded by a carrying capacity.
//!
//! A CAR-T cell that engaged antigen in this step's encounters (flag set by the killing
//! phase) divides at up to ln 2 / 0.78 days (Stein 2019), its daughters one step
//! further along the chain stem-like → central memory → effector memory → effector,
//! and it moves along the chain itself at Mueller-Schoell's rates. Division, antigen-
//! driven or homeostatic, is scaled by 1 − (all CAR-T cells / K_C): CAR-T cells compete
//! for space and γ-chain cytokines (Kimmel 2021's carrying capacity), so expansion
//! saturates and a larger dose reaches the bound with fewer divisions.
//!
//! Engagement also starts a division programme that runs on without antigen for
//! `programmed_division_days` on average (exponential): a brief antigen contact
//! commits T cells to several divisions and differentiation (Kaech & Ahmed, Nat
//! Immunol 2001; van Stipdonk et al., Nat Immunol 2001; recalled), so expansion
//! outlasts the targets it killed, and contraction starts only once it has ended.
//! Daughters inherit the programme; an exhausted cell leaves it. A daughter born in
//! lymphoid tissue leaves its parent's site as a free cell would
//! (`daughter_leave_probability`): division parts it from the synapse and lymph nodes
//! export the progeny of the T cells they activate, so blood carries proliferating
//! CAR-T cells while their engaged parents stay at the tumour. The marrow holds its
//! daughters (no efferent lymph), where the Erlangen B-cell sink is.
//!
//! Exhaustion follows the *recent* stimulation load, not a lifetime count: each
//! engagement adds one, and each unit is lost at `stimulation_load_decay_per_day` on a
//! day without antigen. An effector whose load reaches `exhaustion_stimulations` is
//! exhausted; an exhausted cell that rests until its load has halved is an effector
//! again (reversible exhaustion), though most die first at the effector rate.
//!
//! Without antigen, effectors die at 0.518/day (Mueller-Schoell's per-cell rate) or
//! revert to memory so that a fraction FB = 0.79% persists (Stein): the fast first
//! phase of the biphasic decline. Memory cells die at Mueller-Schoell's 0.0104/day (a
//! CD28 product's, effector-memory-like, at the effector-memory T cell's 0.047/day:
//! Macallan 2004) and divide without antigen at 0.007/day (IL-7/IL-15 maintenance), plus Kimmel's
//! rho_c · ln(T set point / all T cells) in a lymphopenic host (shared with host T
//! cells, which regrow faster, so they compete): the slow second phase, ~0.0034/day
//! net, Stein's terminal beta. The lymphopenic term is bounded as a host memory T
//! cell's division is ([`lymphopenic_division_per_day`]).
//!
//! Two product properties act here: allogeneic cells are rejected by host T cells in
//! proportion to how far those have recovered, and the CAR of an mRNA product is
//! degraded and diluted by division until the cell is an ordinary T cell again.

use super::{Fate, StepContext, turnover::daughter};
use crate::car::{Costimulation, Platform, Source};
use crate::cell::{Cell, Population};
use crate::draws::Draws;

/// Death rate (1/day) of a CAR-T phenotype of a CD28 (`cd28`) or 4-1BB product. A CD28
/// product's memory-like cells live as effector-memory T cells do
/// (`car_t.cd28_memory_death_rate_per_day`): CD28 costimulation drives effector-memory
/// differentiation where 4-1BB keeps central memory.
pub fn death_rate_per_day(population: Population, cd28: bool, ctx: &StepContext<'_>) -> f64 {
    let car = &ctx.params.car_t;
    match population {
        p if p.is_car_memory() && cd28 && car.cd28_memory_death_rate_per_day > 0.0 => {
            car.cd28_memory_death_rate_per_day
        }
        Population::CarStemLike | Population::CarCentralMemory => car.memory_death_rate_per_day,
        Population::CarEffectorMemory => car.effector_memory_death_rate_per_day,
        _ => car.effector_death_rate_per_day,
    }
}

/// The next phenotype under antigen, and the rate (1/day) of moving to it.
pub fn differentiation(population: Population, ctx: &StepContext<'_>) -> Option<(Population, f64)> {
    let car = &ctx.params.car_t;
    match population {
        Population::CarStemLike => Some((
            Population::CarCentralMemory,
            car.stem_to_central_memory_per_day,
        )),
        Population::CarCentralMemory => Some((
            Population::CarEffectorMemory,
            car.central_to_effector_memory_per_day,
        )),
        Population::CarEffectorMemory => Some((
            Population::CarEffector,
            car.effector_memory_to_effector_per_day,
        )),
        _ => None,
    }
}

/// Rate (1/day) at which an unstimulated effector reverts to central memory, chosen so
/// that a share `persisting_fraction` of effectors persists rather than dies.
pub fn reversion_rate_per_day(ctx: &StepContext<'_>) -> f64 {
    let car = &ctx.params.car_t;
    let fb = car.persisting_fraction.min(0.999);
    fb * car.effector_death_rate_per_day / (1.0 - fb)
}

/// Extra homeostatic division (1/day) of a memory-like CAR-T cell in a lymphopenic host:
/// Kimmel's rho_c · ln(T set point / all T cells), bounded as a host memory T cell's is
/// (at most `t_cells.memory_lymphopenic_division_max_fold` times its steady-state
/// division, [`super::turnover::homeostatic_division_rate`]): a CAR-T memory cell is a
/// memory T cell and reads the same IL-7/IL-15. The catalogue leaves the bound open
/// (the autoimmune presets); the lymphoma-like preset's older, pretreated host sets it.
pub fn lymphopenic_division_per_day(ctx: &StepContext<'_>) -> f64 {
    let car = &ctx.params.car_t;
    let fold = ctx.params.t_cells.memory_lymphopenic_division_max_fold;
    let cap = car.memory_homeostatic_division_per_day * (fold - 1.0).max(0.0);
    (car.homeostatic_growth_rate_per_day * ctx.t_cell_lymphopenia).min(cap)
}

/// Share of CAR-T division left under the carrying capacity: 1 − all CAR-T cells / K_C.
pub fn room(ctx: &StepContext<'_>) -> f64 {
    (1.0 - ctx.car_t_crowding).max(0.0)
}

/// Rates (1/day) of a resting CAR-T cell's competing events: death, reversion of an
/// effector to memory, homeostatic division of a memory-like cell.
pub fn resting_rates_per_day(
    population: Population,
    cd28: bool,
    ctx: &StepContext<'_>,
) -> [f64; 3] {
    let car = &ctx.params.car_t;
    let death = death_rate_per_day(population, cd28, ctx);
    let reversion = if population == Population::CarEffector {
        reversion_rate_per_day(ctx)
    } else {
        0.0
    };
    let homeostatic = if population.is_car_memory() {
        (car.memory_homeostatic_division_per_day + lymphopenic_division_per_day(ctx)) * room(ctx)
    } else {
        0.0
    };
    [death, reversion, homeostatic]
}

/// Rate (1/day) of antigen-driven (or programmed) division: one doubling per
/// `car_t.doubling_time_days`, times `vigour` (exhausted cells divide less), dexamethasone's
/// damping and the room under the carrying capacity.
pub fn division_rate_per_day(vigour: f64, ctx: &StepContext<'_>) -> f64 {
    std::f64::consts::LN_2 / ctx.params.car_t.doubling_time_days
        * vigour
        * ctx.car_proliferation_factor
        * room(ctx)
}

/// One step of a CAR-T cell.
pub fn car_t(
    cell: &mut Cell,
    ctx: &StepContext<'_>,
    draws: &mut impl Draws,
    births: &mut Vec<Cell>,
) -> Fate {
    let car = &ctx.params.car_t;
    let hazards = &ctx.hazards.car_t;
    let product = ctx.products.get(usize::from(cell.product));
    let mrna = product.is_some_and(|p| p.platform == Platform::Mrna);
    let cd28 = product.is_some_and(|p| p.costimulation == Costimulation::Cd28);
    let stimulated = cell.flags & Cell::FLAG_STIMULATED != 0;
    cell.flags &= !Cell::FLAG_STIMULATED;
    if product.is_some_and(|p| p.source == Source::Allogeneic)
        && draws.chance_if_any(hazards.allogeneic_rejection)
    {
        return Fate::Dies;
    }
    if mrna && fade_mrna_car(cell, ctx) {
        return Fate::Lives;
    }
    if stimulated {
        cell.stimulations = cell.stimulations.saturating_add(1);
        if cell.population == Population::CarEffector
            && f64::from(cell.stimulations) >= car.exhaustion_stimulations
        {
            cell.population = Population::CarExhausted;
        }
        let exhausted = cell.population == Population::CarExhausted;
        if terminal(cell, cd28, ctx) {
            // A terminal effector has spent its division destiny: it kills but no longer
            // divides, and dies on its own clock whether or not antigen remains.
            return if draws.chance_if_any(hazards.effector_death) {
                Fate::Dies
            } else {
                Fate::Lives
            };
        }
        // Exhausted cells die at the effector rate even under antigen; for the others,
        // effector death is the contraction once antigen is gone (Mueller-Schoell's ke4
        // acts on effectors that no longer expand).
        if exhausted && draws.chance_if_any(hazards.effector_death) {
            return Fate::Dies;
        }
        if car.programmed_division_days > 0.0 && !exhausted {
            cell.flags |= Cell::FLAG_PROGRAMMED;
        }
        divide(cell, exhausted, mrna, cd28, ctx, draws, births);
        return Fate::Lives;
    }
    rest(cell, ctx, draws);
    if cell.flags & Cell::FLAG_PROGRAMMED != 0 {
        // The programme runs on without antigen, then ends at rate 1/duration; cells
        // contract (die or revert) only once it has ended.
        if cell.population == Population::CarExhausted
            || terminal(cell, cd28, ctx)
            || draws.chance_if_any(hazards.programme_end)
        {
            cell.flags &= !Cell::FLAG_PROGRAMMED;
        } else {
            divide(cell, false, mrna, cd28, ctx, draws, births);
            return Fate::Lives;
        }
    }
    let rates = resting_rates_per_day(cell.population, cd28, ctx);
    let any = hazards.resting_any[usize::from(cd28)][cell.population.index()];
    match draws.competing_given(rates, any) {
        Some(0) => Fate::Dies,
        Some(1) => {
            // A reverted memory cell has a new division destiny (secondary expansions are
            // as large as primary ones).
            cell.population = Population::CarCentralMemory;
            cell.divisions = 0;
            Fate::Lives
        }
        Some(_) => {
            if mrna {
                share_mrna(cell, 2);
            }
            // Parent and daughter both count the division (the daughter is born with
            // one more than its parent had).
            births.push(daughter(cell, ctx.day));
            cell.divisions = cell.divisions.saturating_add(1);
            Fate::Lives
        }
        None => Fate::Lives,
    }
}

/// Whether `cell` is an effector (or an exhausted one) that has reached its division
/// destiny (`car_t.cd28_effector_division_limit`): exhaustion does not give it more
/// divisions.
fn terminal(cell: &Cell, cd28: bool, ctx: &StepContext<'_>) -> bool {
    let limit = ctx.params.car_t.cd28_effector_division_limit;
    cd28 && limit > 0.0
        && matches!(
            cell.population,
            Population::CarEffector | Population::CarExhausted
        )
        && f64::from(cell.divisions) >= limit
}

/// Antigen-driven (or programmed) division over the step at
/// [`division_rate_per_day`] of a functional or an `exhausted` cell, with
/// differentiation along the chain.
fn divide(
    cell: &mut Cell,
    exhausted: bool,
    mrna: bool,
    cd28: bool,
    ctx: &StepContext<'_>,
    draws: &mut impl Draws,
    births: &mut Vec<Cell>,
) {
    let car = &ctx.params.car_t;
    let hazards = &ctx.hazards.car_t;
    // Progressive differentiation: daughters of antigen-driven divisions are one step
    // further along the chain than their parent (Buchholz 2013, Gattinoni 2011;
    // recalled), so an expansion is mostly effectors, which contract.
    let daughter_population =
        differentiation(cell.population, ctx).map_or(cell.population, |n| n.0);
    let spent = cell.population.is_car_memory()
        && cd28
        && car.cd28_memory_division_limit > 0.0
        && f64::from(cell.divisions) >= car.cd28_memory_division_limit;
    let descendants = if spent {
        1
    } else {
        draws.descendants_of(&hazards.division[usize::from(exhausted)])
    };
    if mrna {
        share_mrna(cell, descendants);
    }
    // A cell that became `descendants` cells went through at least ceil(log2) rounds of
    // division (the fewest that make that many): the parent and its daughters all carry
    // that many more (the destiny counts the clone's rounds, whatever the phenotype).
    // With steps shorter than a doubling each division is counted, so the limits are
    // tied to the step they were fitted at (one day).
    let rounds = (u64::BITS - descendants.saturating_sub(1).leading_zeros()) as u8;
    for _ in 1..descendants {
        // A daughter born in a lymph node leaves its parent's synapse and the node as a
        // free cell would; the parent stays engaged (`migration::retained`).
        let mut born = daughter(cell, ctx.day);
        born.population = daughter_population;
        born.divisions = cell.divisions.saturating_add(rounds);
        if born.compartment == crate::compartment::Compartment::Lymphoid
            && draws.chance_if_any(car.daughter_leave_probability)
        {
            super::migration::migrate(&mut born, ctx, draws);
        }
        births.push(born);
    }
    cell.divisions = cell.divisions.saturating_add(rounds);
    if let Some((next, _)) = differentiation(cell.population, ctx)
        && draws.chance_if_any(hazards.differentiation[cell.population.index()])
    {
        cell.population = next;
    }
}

/// A step without antigen: each unit of the recent-stimulation load is lost with
/// probability 1 − exp(−rate · dt) (the count lost drawn as a Poisson of that mean,
/// capped at the load), and an exhausted cell whose load has fallen below half the
/// exhaustion threshold is an effector again.
fn rest(cell: &mut Cell, ctx: &StepContext<'_>, draws: &mut impl Draws) {
    let car = &ctx.params.car_t;
    if cell.stimulations > 0 && car.stimulation_load_decay_per_day > 0.0 {
        let p = ctx.hazards.car_t.load_unit_loss;
        let lost = draws.poisson(f64::from(cell.stimulations) * p);
        cell.stimulations -= lost.min(u64::from(cell.stimulations)) as u16;
    }
    if cell.population == Population::CarExhausted
        && f64::from(cell.stimulations) < 0.5 * car.exhaustion_stimulations
    {
        cell.population = Population::CarEffector;
    }
}

/// Degrades the CAR of an mRNA CAR-T cell over the step; a cell whose CAR has fallen
/// below `car_t.mrna_car_lost_fraction` is an ordinary memory T cell again (CD4 or CD8
/// as it was) and `true` is returned.
fn fade_mrna_car(cell: &mut Cell, ctx: &StepContext<'_>) -> bool {
    let car = &ctx.params.car_t;
    let decay = (-std::f64::consts::LN_2 / car.mrna_car_half_life_days * ctx.dt_days).exp();
    cell.set_car_expression_fraction(cell.car_expression_fraction() * decay);
    if cell.car_expression_fraction() >= car.mrna_car_lost_fraction {
        return false;
    }
    cell.population = if cell.flags & Cell::FLAG_CD8 != 0 {
        Population::Cd8Memory
    } else {
        Population::Cd4Memory
    };
    cell.product = 0;
    cell.stimulations = 0;
    cell.car_expression = 0;
    true
}

/// mRNA is not replicated: a cell that became `descendants` cells leaves each of them
/// an equal share of its CAR mRNA (and so of its surface CAR).
fn share_mrna(cell: &mut Cell, descendants: u64) {
    let share = cell.car_expression_fraction() / descendants.max(1) as f64;
    cell.set_car_expression_fraction(share);
}

#[cfg(test)]
mod tests;
