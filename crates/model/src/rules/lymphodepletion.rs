//! Lymphodepleting chemotherapy: fludarabine and cyclophosphamide kill lymphocytes in
//! proportion to dose (log-kill), B cells deeper than T cells, leaving plasma cells
//! (non-dividing, and vaccine titres survive lymphodepletion) and non-lymphoid state
//! untouched.
//!
//! The same drugs hit the marrow's B-lymphoid progenitors, which make the pre-B cells:
//! killing the pre-B cells alone would leave the supply intact, and blood B cells
//! would be back within days (BAFF, high after depletion, lets nearly every emigrant
//! mature). The progenitor pool regrows logistically over weeks, so marrow B output
//! and then blood B cells come back over months, as after a product that spares B
//! cells (Wang et al., Blood Adv 2021, BCMA CAR-T: nadir day 7, baseline day 97). The
//! depth of the peripheral kill sets only the first days' nadir: from then on blood B
//! cells are the marrow's new transitional and naive cells.

use crate::cell::Population;
use crate::parameters::Parameters;

/// Natural-log kill of one day's doses (mg/m2) on T cells and CAR-T cells, the
/// reference lymphocytes of the log-kill parameters.
fn lymphocyte_log_kill(
    fludarabine_mg_per_m2: f64,
    cyclophosphamide_mg_per_m2: f64,
    params: &Parameters,
) -> f64 {
    let ld = &params.lymphodepletion;
    ld.fludarabine_log_kill_per_mg_per_m2 * fludarabine_mg_per_m2
        + ld.cyclophosphamide_log_kill_per_mg_per_m2 * cyclophosphamide_mg_per_m2
}

/// Probability that a cell of `population` survives one day's doses (mg/m2). B cells
/// take `b_cell_log_kill_relative` times the T cells' log kill: fludarabine is a
/// purine analogue that resting B cells phosphorylate to its active form more than T
/// cells do, the reason it is a drug of B-cell leukaemia.
pub fn survival_probability(
    population: Population,
    fludarabine_mg_per_m2: f64,
    cyclophosphamide_mg_per_m2: f64,
    params: &Parameters,
) -> f64 {
    let relative = if population.is_b_cell() {
        params.lymphodepletion.b_cell_log_kill_relative
    } else if population.is_t_cell() || population.is_car_t() {
        1.0
    } else {
        return 1.0;
    };
    (-relative * lymphocyte_log_kill(fludarabine_mg_per_m2, cyclophosphamide_mg_per_m2, params))
        .exp()
}

/// Share of the healthy marrow B-lymphoid progenitor pool left on `day`, after the
/// chemotherapy days `given` (day, fludarabine mg/m2, cyclophosphamide mg/m2), those
/// given on or before `day`, in any order. Each dose leaves the T cells' survival
/// to the power `b_progenitor_log_kill_relative`; between doses the pool regrows
/// logistically, `dp/dt = r p (1 - p)`, in closed form. 1 without chemotherapy.
pub fn b_progenitor_relative(
    given: impl IntoIterator<Item = (f64, f64, f64)>,
    day: f64,
    params: &Parameters,
) -> f64 {
    let ld = &params.lymphodepletion;
    let mut doses: Vec<(f64, f64, f64)> = given.into_iter().filter(|d| d.0 <= day).collect();
    if doses.is_empty() {
        return 1.0;
    }
    doses.sort_by(|a, b| a.0.total_cmp(&b.0));
    let regrow = |p: f64, days: f64| {
        if p >= 1.0 {
            return 1.0;
        }
        1.0 / (1.0 + (1.0 / p - 1.0) * (-ld.b_progenitor_recovery_rate_per_day * days).exp())
    };
    let mut pool = 1.0;
    let mut at = doses[0].0;
    for (dose_day, flu, cy) in doses {
        pool = regrow(pool, dose_day - at);
        at = dose_day;
        pool *= (-ld.b_progenitor_log_kill_relative * lymphocyte_log_kill(flu, cy, params)).exp();
    }
    // A pool killed to nothing never regrows (the logistic form needs p > 0).
    regrow(pool.max(f64::MIN_POSITIVE), day - at)
}

/// Body surface area (m2) by Mosteller's formula (N Engl J Med 1987): sqrt(h·w/3600).
pub fn body_surface_area_m2(weight_kg: f64, height_cm: f64) -> f64 {
    (weight_kg * height_cm / 3600.0).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlangen_regimen_leaves_about_five_percent_of_lymphocytes() {
        let p = Parameters::default();
        let flu = survival_probability(Population::Cd4Naive, 25.0, 0.0, &p).powi(3);
        let cy = survival_probability(Population::Cd4Naive, 0.0, 1000.0, &p);
        let left = flu * cy;
        assert!((left - 0.05).abs() < 0.005, "{left}");
        // B cells take 1.5 times the log kill: ~1% of them are left.
        let b = survival_probability(Population::BNaive, 25.0, 0.0, &p).powi(3)
            * survival_probability(Population::BMemory, 0.0, 1000.0, &p);
        assert!(
            (b - left.powf(1.5)).abs() < 1e-12 && (0.009..0.013).contains(&b),
            "{b}"
        );
        assert_eq!(
            survival_probability(Population::CarEffector, 25.0, 0.0, &p),
            survival_probability(Population::Cd8Memory, 25.0, 0.0, &p)
        );
        assert_eq!(
            survival_probability(Population::PlasmaCell, 25.0, 1000.0, &p),
            1.0
        );
        assert!((body_surface_area_m2(70.0, 170.0) - 1.818).abs() < 0.01);
    }

    #[test]
    fn marrow_b_output_is_cut_by_each_dose_and_regrows_over_weeks() {
        // Progenitors as sensitive as lymphocytes, so the numbers are the lymphocytes'.
        let mut p = Parameters::default();
        p.lymphodepletion.b_progenitor_log_kill_relative = 1.0;
        let erlangen = [(-5.0, 25.0, 0.0), (-4.0, 25.0, 0.0), (-3.0, 25.0, 1000.0)];
        assert_eq!(b_progenitor_relative([], 0.0, &p), 1.0);
        // Before the first dose nothing is cut; doses after `day` do not count.
        assert_eq!(b_progenitor_relative(erlangen, -5.5, &p), 1.0);
        let after_first = b_progenitor_relative(erlangen, -5.0, &p);
        assert!(
            (after_first - (-0.5f64).exp()).abs() < 1e-12,
            "{after_first}"
        );
        // Right after the last dose: about the lymphocytes' 5% (a little regrowth
        // between the doses), and the order of the list does not matter.
        let nadir = b_progenitor_relative(erlangen, -3.0, &p);
        assert!((0.05..0.07).contains(&nadir), "{nadir}");
        let reversed = [erlangen[2], erlangen[1], erlangen[0]];
        assert_eq!(b_progenitor_relative(reversed, -3.0, &p), nadir);
        // Regrowth is monotone, half-way within weeks, nearly complete by 3 months.
        let days = [0.0, 7.0, 14.0, 28.0, 56.0, 90.0];
        let course: Vec<f64> = days
            .iter()
            .map(|&d| b_progenitor_relative(erlangen, d, &p))
            .collect();
        assert!(course.windows(2).all(|w| w[1] > w[0]), "{course:?}");
        assert!(
            course[1] < 0.3 && course[3] > 0.5 && course[5] > 0.99,
            "{course:?}"
        );
        // No regrowth without a rate, and none from a pool killed to nothing.
        let mut slow = p.clone();
        slow.lymphodepletion.b_progenitor_recovery_rate_per_day = 0.001;
        assert!(b_progenitor_relative(erlangen, 90.0, &slow) < 0.07);
        assert!(b_progenitor_relative([(0.0, 50.0, 1.0e5)], 30.0, &p) < 1e-6);
        // The default spares progenitors by half the log kill: the square root.
        let half =
            b_progenitor_relative(erlangen[..1].iter().copied(), -5.0, &Parameters::default());
        assert!((half - (-0.25f64).exp()).abs() < 1e-12, "{half}");
    }
}
