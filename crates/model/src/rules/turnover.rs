//! Turnover: death and homeostatic division of resting lymphocytes (naive and memory
//! B cells, all T cells). One rule for every kind; the rates differ by population.
//!
//! B cells divide at the deuterated-glucose rates of Macallan 2005 (memory B cells less
//! above their set point, [`memory_b_division_rate`]) and die at the rates derived in
//! [`crate::steady_state`]. T cells die at the rates implied by their
//! half-lives (Vrisekoop 2008) and divide at a rate set each step by
//! [`homeostatic_division_rate`] (IL-7/IL-15 availability), which holds each T pool at
//! its set point and lets it regrow after depletion: Gompertz regrowth (Kimmel 2021's
//! r_N) bounded by what homeostatic proliferation can do. A T cell's division rises with
//! the cytokine per cell but at most to `*_lymphopenic_division_max_fold` times its
//! steady-state rate, so a pool regrows no faster than its own turnover allows. Naive
//! T cells are thymus-limited in adults and regenerate slowly, more so with age and
//! prior chemotherapy (Mackall et al., N Engl J Med 1995: CD4 regeneration after
//! intensive chemotherapy is inversely related to age and thymus-dependent; recalled);
//! memory T cells expand more (IL-7/IL-15-driven homeostatic proliferation). The
//! catalogue default leaves regrowth unbounded (the young, chemotherapy-naive host of
//! the autoimmune presets; see docs/model.md §4.3 for why this is not yet bounded
//! there); the lymphoma-like preset, an older, pretreated host, sets the bounds fitted
//! to the median CD4 count a year after axi-cel (155/µL; ref lbcl_cd4_1y in
//! data/lymphodepletion.csv), so its allogeneic rejection and B-cell return follow a
//! host T-cell recovery of months.

use super::{Fate, StepContext};
use crate::cell::{Cell, Population};
use crate::draws::Draws;
use crate::parameters::Parameters;
use crate::steady_state::{SteadyState, half_life_rate};

/// Death rate (1/day) of a resting population.
pub fn death_rate_per_day(
    population: Population,
    params: &Parameters,
    derived: &SteadyState,
) -> f64 {
    let t = &params.t_cells;
    match population {
        Population::BNaive => derived.naive_death_rate_per_day,
        Population::BMemory => derived.memory_death_rate_per_day,
        Population::Cd4Naive => half_life_rate(t.naive_cd4_half_life_years),
        Population::Cd4Memory | Population::Cd4Tfh | Population::Cd4Treg => {
            half_life_rate(t.memory_cd4_half_life_years)
        }
        Population::Cd8Naive => half_life_rate(t.naive_cd8_half_life_years),
        Population::Cd8Memory => half_life_rate(t.memory_cd8_half_life_years),
        _ => 0.0,
    }
}

/// Homeostatic division rate: equal to death at the set point; below it, Gompertz
/// regrowth (net growth `regrowth_rate_per_day` · ln(set/current), Kimmel 2021) as
/// IL-7/IL-15 per cell rises, the division rate at most `max_fold` times death; above
/// it, division falls in proportion (set/current).
pub fn homeostatic_division_rate(
    death_rate_per_day: f64,
    regrowth_rate_per_day: f64,
    max_fold: f64,
    set_point: f64,
    current: f64,
) -> f64 {
    let log_gap = log_lymphopenia(set_point, current);
    if current < set_point {
        let cap = death_rate_per_day * (max_fold - 1.0).max(0.0);
        death_rate_per_day + (regrowth_rate_per_day * log_gap).min(cap)
    } else {
        death_rate_per_day * set_point / current
    }
}

/// Homeostatic division rate (1/day) of memory B cells: Macallan's rate up to the set
/// point (where the derived death equals it, [`crate::steady_state`]) and falling as
/// set/current above it. Memory B cells compete for the signals that drive their
/// homeostatic division (bystander T help and TLR ligands; Bernasconi et al., Science
/// 2002, recalled), so a pool above its set point divides less and returns to it;
/// below it they divide no faster (memory B cells recover over years after depletion,
/// not by lymphopenia-induced expansion; Anolik et al. 2007, recalled).
pub fn memory_b_division_rate(division_rate_per_day: f64, set_point: f64, current: f64) -> f64 {
    if current > set_point {
        division_rate_per_day * set_point / current
    } else {
        division_rate_per_day
    }
}

/// Homeostatic division rates (1/day) of every population this step: fixed for naive
/// B cells (Macallan 2005), set-point limited for memory B cells
/// ([`memory_b_division_rate`]), and set-point feedback for each T pool
/// ([`homeostatic_division_rate`]) given its current real cells (`current_cells`).
pub fn division_rates(
    params: &Parameters,
    derived: &SteadyState,
    current_cells: impl Fn(Population) -> f64,
) -> [f64; Population::COUNT] {
    let mut rates = [0.0; Population::COUNT];
    rates[Population::BNaive.index()] = params.b_cells.naive_division_rate_per_day;
    rates[Population::BMemory.index()] = memory_b_division_rate(
        params.b_cells.memory_division_rate_per_day,
        derived.memory,
        current_cells(Population::BMemory),
    );
    let t = &params.t_cells;
    for &(population, set_point) in &derived.t_cells {
        let death = death_rate_per_day(population, params, derived);
        let current = current_cells(population);
        let max_fold = match population {
            Population::Cd4Naive | Population::Cd8Naive => t.naive_lymphopenic_division_max_fold,
            _ => t.memory_lymphopenic_division_max_fold,
        };
        rates[population.index()] =
            homeostatic_division_rate(death, t.regrowth_rate_per_day, max_fold, set_point, current);
    }
    rates
}

/// ln(set/current), at least 0, bounded at ln(1e4) for an emptied pool.
pub fn log_lymphopenia(set_point: f64, current: f64) -> f64 {
    if current <= 0.0 {
        return 1e4f64.ln();
    }
    (set_point / current).ln().clamp(0.0, 1e4f64.ln())
}

/// (death, division) rates of a resting agent of `population` this step, 1/day.
///
/// A memory B agent takes the net of the two (only one is non-zero): its real cells
/// divide and die at about 2.7%/day each (Macallan 2005) and balance at the set point,
/// but stepping both as whole-agent events would make every memory agent a critical
/// branching lineage whose noise grows with the weight and does not average out in the
/// real cells (the germinal-centre argument, [`super::germinal_centre`]); small pools
/// such as self-reactive memory wandered by tens of percent over two years. The mean of
/// every real cell's course is the same.
pub fn rates_per_day(population: Population, ctx: &StepContext<'_>) -> [f64; 2] {
    let death = death_rate_per_day(population, ctx.params, ctx.derived);
    let division = ctx.division_rate_per_day[population.index()];
    if population == Population::BMemory {
        net_rates(death, division)
    } else {
        [death, division]
    }
}

/// (death, division) as a net rate: the excess of one over the other, the other zero.
pub fn net_rates(death: f64, division: f64) -> [f64; 2] {
    [(death - division).max(0.0), (division - death).max(0.0)]
}

/// Death or division of a resting cell (competing risks).
pub fn turnover(
    cell: &mut Cell,
    ctx: &StepContext<'_>,
    draws: &mut impl Draws,
    births: &mut Vec<Cell>,
) -> Fate {
    let p = cell.population.index();
    match draws.competing_given(ctx.hazards.turnover_rates[p], ctx.hazards.turnover_any[p]) {
        Some(0) => Fate::Dies,
        Some(_) => {
            births.push(daughter(cell, ctx.day));
            Fate::Lives
        }
        None => Fate::Lives,
    }
}

/// A daughter of `parent`: same population, specificity, place and surface; born now.
/// Its id is given by the engine when births are applied.
pub fn daughter(parent: &Cell, day: f64) -> Cell {
    Cell {
        birth_day: day as f32,
        divisions: parent.divisions.saturating_add(1),
        ..*parent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Memory B division balances the derived death at the set point, falls as
    /// set/current above it (net death, returning the pool) and is Macallan's below it.
    #[test]
    fn memory_b_division_balances_death_at_the_set_point_and_falls_above_it() {
        let params = Parameters::default();
        let derived = crate::steady_state::SteadyState::derive(&params, 70.0);
        let division = params.b_cells.memory_division_rate_per_day;
        let death = death_rate_per_day(Population::BMemory, &params, &derived);
        let set = derived.memory;
        let at = memory_b_division_rate(division, set, set);
        assert!(net_rates(death, at).iter().all(|r| *r < 1e-12));
        let above = memory_b_division_rate(division, set, 1.25 * set);
        assert!((above - division * 0.8).abs() < 1e-12);
        let [net_death, net_division] = net_rates(death, above);
        assert!((net_death - (death - above)).abs() < 1e-12 && net_division == 0.0);
        assert!(net_death > 0.004, "{net_death}");
        assert_eq!(memory_b_division_rate(division, set, 0.5 * set), division);
        // Through the per-step rates, the same division for the whole memory pool.
        let rates = division_rates(&params, &derived, |p| {
            if p == Population::BMemory {
                1.25 * set
            } else {
                0.0
            }
        });
        assert!((rates[Population::BMemory.index()] - above).abs() < 1e-12);
    }
}
