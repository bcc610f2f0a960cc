//! Residual anti-CD20 antibody from earlier lines of therapy.
//!
//! Patients who come to CAR-T for large B-cell lymphoma have had two or more lines of
//! chemo-immunotherapy, nearly all with rituximab, and arrive B-lymphopenic: the
//! antibody outlives its last dose by months (first-order decay, half-life ~3 weeks)
//! and goes on killing every CD20+ B cell the marrow releases, so B cells come back
//! only once the level has fallen below what depletes them, ~6 months after the last
//! dose. This is why B cells stay away after CD19 CAR-T in lymphoma for longer than the
//! CAR-T cells alone would explain (88% undetectable on day 30, ~40-58% detectable at
//! one year; refs lbcl_b_cell_detectable_1y, baird_b_cell_detectable_1y).
//!
//! CD20 is carried by pre-B and mature B cells but not by stem cells, pro-B cells or
//! plasma cells (MabThera SmPC, 5.1); the model's pre-B cells (the marrow stage that
//! the progenitors make) are spared, as the B cells that repopulate after rituximab
//! come from the marrow, and so are plasmablasts and plasma cells, so IgG is not
//! touched. The malignant B cells are spared too: the lymphoma-like host is refractory
//! to its earlier lines, rituximab included. The level is a closed form of the day,
//! so there is no state to checkpoint.

use crate::cell::Population;
use crate::parameters::Parameters;

/// Serum anti-CD20 antibody on `day` (ug/mL): the level after the last dose, halving
/// every `half_life_days` after it (the level of the dose before it). 0 without prior
/// anti-CD20 therapy.
pub fn serum_ug_per_ml(day: f64, params: &Parameters) -> f64 {
    let a = &params.anti_cd20;
    let since = (day - a.last_dose_day).max(0.0);
    a.last_dose_serum_ug_per_ml * (-std::f64::consts::LN_2 * since / a.half_life_days).exp()
}

/// Kill rate (1/day) of a CD20+ B cell on `day`: saturable in the serum level.
pub fn kill_rate_per_day(day: f64, params: &Parameters) -> f64 {
    let c = serum_ug_per_ml(day, params);
    if c <= 0.0 {
        return 0.0;
    }
    let a = &params.anti_cd20;
    a.max_kill_rate_per_day * c / (c + a.half_maximal_ug_per_ml)
}

/// Whether the antibody kills cells of `population`: the CD20+ normal B cells from
/// the transitional stage on, up to the germinal centre.
pub fn targets(population: Population) -> bool {
    matches!(
        population,
        Population::BTransitional
            | Population::BNaive
            | Population::BMemory
            | Population::BActivated
            | Population::BGerminalCentre
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pretreated() -> Parameters {
        let mut p = Parameters::default();
        p.anti_cd20.last_dose_serum_ug_per_ml = 486.0;
        p.anti_cd20.last_dose_day = -60.0;
        p
    }

    #[test]
    fn no_prior_therapy_kills_nothing() {
        let p = Parameters::default();
        for day in [-400.0, -60.0, 0.0, 30.0, 365.0] {
            assert_eq!(serum_ug_per_ml(day, &p), 0.0);
            assert_eq!(kill_rate_per_day(day, &p), 0.0);
        }
    }

    #[test]
    fn the_level_halves_each_half_life_and_the_kill_wanes_over_months() {
        let p = pretreated();
        // Held at the dose's level before it, halving after.
        assert_eq!(serum_ug_per_ml(-100.0, &p), 486.0);
        assert!((serum_ug_per_ml(-60.0 + 22.0, &p) - 243.0).abs() < 1e-9);
        // Near-maximal kill at infusion and a month after; still a third of it 6
        // months after the last dose, when the label's recovery begins (new B cells
        // outrun it), and nearly none at a year.
        let max = p.anti_cd20.max_kill_rate_per_day;
        assert!(kill_rate_per_day(0.0, &p) > 0.9 * max);
        assert!(kill_rate_per_day(30.0, &p) > 0.8 * max);
        let onset = kill_rate_per_day(-60.0 + 182.0, &p) / max;
        assert!((0.2..0.5).contains(&onset), "{onset}");
        assert!(kill_rate_per_day(-60.0 + 365.0, &p) < 0.01 * max);
        // Monotone decline after the dose.
        let course: Vec<f64> = (0..20)
            .map(|k| kill_rate_per_day(-60.0 + 20.0 * k as f64, &p))
            .collect();
        assert!(course.windows(2).all(|w| w[1] < w[0]), "{course:?}");
    }

    #[test]
    fn only_cd20_positive_normal_b_cells_are_targets() {
        // Rituximab spares CD20-negative stages (pro/pre-B, plasmablasts, plasma cells),
        // the chemo-immunotherapy-resistant tumour, and every T and CAR-T cell.
        let b_stages = Population::LIVING.iter().filter(|p| targets(**p)).count();
        assert_eq!(b_stages, 5);
        for spared in [
            Population::BPrecursor,
            Population::Plasmablast,
            Population::PlasmaCell,
            Population::LymphomaB,
        ] {
            assert!(!targets(spared), "{spared:?}");
        }
        for population in Population::LIVING {
            if population.is_car_t() || population.kind() == crate::cell::Kind::TCell {
                assert!(!targets(population), "{population:?}");
            }
        }
        assert!(targets(Population::BTransitional) && targets(Population::BGerminalCentre));
    }
}
