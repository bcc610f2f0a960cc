//! CAR-T cells: proliferation and differentiation under antigen, exhaustion,
//! contraction without antigen, a persisting memory fraction, and homeostatic expansion
//! after lymphodepletion.
//!
//! A CAR-T cell that engaged antigen in this step's encounters (flag set by the killing
//! phase) divides at up to ln 2 / 0.78 days (Stein 2019), its daughters one step
//! further along the chain stem-like → central memory → effector memory → effector,
//! and it moves along the chain itself at Mueller-Schoell's rates; an effector stimulated `exhaustion_stimulations` times
//! becomes exhausted. Without antigen, effectors die at 0.518/day (Mueller-Schoell's
//! per-cell rate) or revert to memory so that a fraction FB = 0.79% persists (Stein),
//! and memory cells die slowly (220-day half-life) while growing homeostatically at
//! Kimmel's rho_c · ln(T set point / all T cells) in a lymphopenic host (shared with
//! host T cells, which regrow faster, so they compete).
//!
//! Two product properties act here: allogeneic cells are rejected by host T cells in
//! proportion to how far those have recovered, and the CAR of an mRNA product is
//! degraded and diluted by division until the cell is an ordinary T cell again.

use super::{Fate, StepContext, turnover::daughter};
use crate::car::{Platform, Source};
use crate::cell::{Cell, Population};
use crate::draws::Draws;

/// Death rate (1/day) of a CAR-T phenotype.
pub fn death_rate_per_day(population: Population, ctx: &StepContext<'_>) -> f64 {
    let car = &ctx.params.car_t;
    match population {
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

/// One step of a CAR-T cell.
pub fn car_t(
    cell: &mut Cell,
    ctx: &StepContext<'_>,
    draws: &mut impl Draws,
    births: &mut Vec<Cell>,
) -> Fate {
    let car = &ctx.params.car_t;
    let product = ctx.products.get(usize::from(cell.product));
    let mrna = product.is_some_and(|p| p.platform == Platform::Mrna);
    let stimulated = cell.flags & Cell::FLAG_STIMULATED != 0;
    cell.flags &= !Cell::FLAG_STIMULATED;
    if product.is_some_and(|p| p.source == Source::Allogeneic)
        && draws.hazard(
            car.allogeneic_rejection_rate_per_day * ctx.host_t_relative,
            ctx.dt_days,
        )
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
        // Exhausted cells die at the effector rate even under antigen; for the others,
        // effector death is the contraction once antigen is gone (Mueller-Schoell's ke4
        // acts on effectors that no longer expand).
        if exhausted && draws.hazard(death_rate_per_day(cell.population, ctx), ctx.dt_days) {
            return Fate::Dies;
        }
        let vigour = if exhausted {
            car.exhausted_function_relative
        } else {
            1.0
        };
        let division =
            std::f64::consts::LN_2 / car.doubling_time_days * vigour * ctx.car_proliferation_factor;
        // Progressive differentiation: daughters of antigen-driven divisions are one
        // step further along the chain than their parent (Buchholz 2013, Gattinoni
        // 2011; recalled), so an expansion is mostly effectors, which contract.
        let daughter_population =
            differentiation(cell.population, ctx).map_or(cell.population, |n| n.0);
        let descendants = draws.descendants(division, ctx.dt_days);
        if mrna {
            share_mrna(cell, descendants);
        }
        for _ in 1..descendants {
            let mut born = daughter(cell, ctx.day);
            born.population = daughter_population;
            births.push(born);
        }
        if let Some((next, rate)) = differentiation(cell.population, ctx)
            && draws.hazard(rate, ctx.dt_days)
        {
            cell.population = next;
        }
        return Fate::Lives;
    }
    let death = death_rate_per_day(cell.population, ctx);
    let reversion = if cell.population == Population::CarEffector {
        reversion_rate_per_day(ctx)
    } else {
        0.0
    };
    let homeostatic = match cell.population {
        Population::CarStemLike | Population::CarCentralMemory | Population::CarEffectorMemory => {
            car.homeostatic_growth_rate_per_day * ctx.t_cell_lymphopenia
        }
        _ => 0.0,
    };
    match draws.competing([death, reversion, homeostatic], ctx.dt_days) {
        Some(0) => Fate::Dies,
        Some(1) => {
            cell.population = Population::CarCentralMemory;
            Fate::Lives
        }
        Some(_) => {
            if mrna {
                share_mrna(cell, 2);
            }
            births.push(daughter(cell, ctx.day));
            Fate::Lives
        }
        None => Fate::Lives,
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
