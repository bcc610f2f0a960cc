//! Malignant B cells of a large B-cell lymphoma: a CD19+ tumour mass in lymph nodes and
//! tissue that CAR-T cells kill like any CD19+ target, and that regresses when killed.
//!
//! Large B-cell lymphoma is a nodal and extranodal tumour of ~1e10–1e12 cells with few
//! cells in blood, not a blood-borne load (Kimmel et al. 2021 model the tumour apart
//! from the blood). Its cells do not recirculate: they stay in their lymphoid site, so
//! CAR-T cells that engage them are held there (`migration::retained`) and the blood
//! sees only the killers that leave. The tumour grows logistically towards its untreated
//! plateau, `tumour.burden_cells` (the burden at the start of the run, held over the
//! burn-in), at ln 2 / `tumour.doubling_time_days` far below it; killed down, it regrows
//! at that pace unless it is cleared. It is chemorefractory by selection (ZUMA-1
//! enrolled refractory disease; Neelapu et al., N Engl J Med 2017): lymphodepleting
//! chemotherapy kills normal lymphocytes, not these cells.

use super::{Fate, StepContext, turnover::daughter};
use crate::cell::Cell;
use crate::draws::Draws;

/// Division rate (1/day) of a malignant B cell when the whole tumour is `relative`
/// times its plateau.
pub fn division_rate_per_day(relative: f64, doubling_time_days: f64) -> f64 {
    std::f64::consts::LN_2 / doubling_time_days * (1.0 - relative).max(0.0)
}

/// One step of a malignant B cell: logistic division (no draw at the plateau).
pub fn lymphoma(
    cell: &mut Cell,
    ctx: &StepContext<'_>,
    draws: &mut impl Draws,
    births: &mut Vec<Cell>,
) -> Fate {
    let rate = division_rate_per_day(ctx.tumour_relative, ctx.params.tumour.doubling_time_days);
    if rate > 0.0 && draws.hazard(rate, ctx.dt_days) {
        births.push(daughter(cell, ctx.day));
    }
    Fate::Lives
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_is_logistic_towards_the_plateau() {
        // Doubling in 30 days far below the plateau, half that rate halfway, none at
        // or above it.
        let r = std::f64::consts::LN_2 / 30.0;
        let rate = |relative: f64| division_rate_per_day(relative, 30.0);
        assert!((rate(0.0) - r).abs() < 1e-15);
        assert!((rate(0.5) - 0.5 * r).abs() < 1e-15);
        assert_eq!(rate(1.0), 0.0);
        assert_eq!(rate(1.2), 0.0);
    }
}
