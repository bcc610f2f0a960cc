//! Lymphodepleting chemotherapy: fludarabine and cyclophosphamide kill lymphocytes in
//! proportion to dose (log-kill), leaving plasma cells (non-dividing, and vaccine
//! titres survive lymphodepletion) and non-lymphoid state untouched.

use crate::cell::Population;
use crate::parameters::Parameters;

/// Probability that a cell of `population` survives one day's doses (mg/m2).
pub fn survival_probability(
    population: Population,
    fludarabine_mg_per_m2: f64,
    cyclophosphamide_mg_per_m2: f64,
    params: &Parameters,
) -> f64 {
    let lymphocyte = population.is_b_cell() || population.is_t_cell() || population.is_car_t();
    if !lymphocyte {
        return 1.0;
    }
    let ld = &params.lymphodepletion;
    (-(ld.fludarabine_log_kill_per_mg_per_m2 * fludarabine_mg_per_m2
        + ld.cyclophosphamide_log_kill_per_mg_per_m2 * cyclophosphamide_mg_per_m2))
        .exp()
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
        let flu = survival_probability(Population::BNaive, 25.0, 0.0, &p).powi(3);
        let cy = survival_probability(Population::BNaive, 0.0, 1000.0, &p);
        let left = flu * cy;
        assert!((left - 0.05).abs() < 0.005, "{left}");
        assert_eq!(
            survival_probability(Population::PlasmaCell, 25.0, 1000.0, &p),
            1.0
        );
        assert!((body_surface_area_m2(70.0, 170.0) - 1.818).abs() < 0.01);
    }
}
