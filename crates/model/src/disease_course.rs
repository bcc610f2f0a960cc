//! The disease course beyond the immune loop: baseline severity (how a patient's entry
//! score maps onto the model), renal activity that resolves over months, and
//! irreversible damage.
//!
//! Patients with the same immune disease differ in how much clinical activity the same
//! immune-complex burden shows: which organ domains are involved decides which
//! SLEDAI-2K items can score (renal items 4 × 4 = 16; arthritis 4, rash 2, serositis 2,
//! ...; Gladman et al., J Rheumatol 2002). The entry score is therefore read as the
//! points the patient's involved organs give at established activity, not as a change of
//! the immune loop: the autoantibody, immune-complex and inflammation dynamics and their
//! fitted gain (`disease.organ_inflammation_gain_per_day`) are untouched.

use crate::parameters::Parameters;

/// The organ points at full inflammation (`disease.organ_max_points`) that make a
/// patient with established disease score `entry_score` at entry: the preset holds organ
/// inflammation at `disease.initial_organ_inflammation` through the burn-in, and an
/// active patient tests positive for anti-dsDNA and consumes complement (both serology
/// items score), so
/// `entry = organ_points × I/(I + K) + dna_binding_points + complement_points × c`
/// with `c` ≈ 1 in active disease (the SLE preset's complement consumption is ~0.9).
/// `None` when the preset starts without organ inflammation (there is no established
/// disease to score) or the entry score is below what the serology items alone give.
pub fn organ_points_for_entry_score(entry_score: f64, params: &Parameters) -> Option<f64> {
    let d = &params.disease;
    let inflammation = d.initial_organ_inflammation;
    if inflammation <= 0.0 {
        return None;
    }
    let saturation = inflammation / (inflammation + d.organ_half_saturation);
    let organ = entry_score - d.dna_binding_points - d.complement_points;
    (organ >= 0.0).then(|| organ / saturation)
}

/// The renal items' share of the involved organs' points for a patient with lupus
/// nephritis: the SLEDAI-2K renal items (`disease.renal_points`: casts, haematuria,
/// proteinuria, pyuria, 4 each) out of `disease.organ_max_points`, at most all of them.
pub fn renal_share_for_nephritis(params: &Parameters) -> f64 {
    let d = &params.disease;
    if d.organ_max_points <= 0.0 {
        return 0.0;
    }
    (d.renal_points / d.organ_max_points).min(1.0)
}

/// Renal activity (0-1: proteinuria, sediment) after `dt_days`: it follows the
/// saturation of organ inflammation (`organ_saturation`, 0-1) with the relaxation time
/// `disease.renal_resolution_days`. Glomerular injury and proteinuria outlast the immune
/// complexes that caused them, so renal items resolve over months while serology and
/// the other organ items resolve in weeks.
pub fn renal_activity_after(
    renal_activity: f64,
    organ_saturation: f64,
    params: &Parameters,
    dt_days: f64,
) -> f64 {
    let relax = (-dt_days / params.disease.renal_resolution_days).exp();
    organ_saturation + (renal_activity - organ_saturation) * relax
}

/// Irreversible damage (SLICC/ACR damage index-like points) accrued over `dt_days` at
/// disease-activity score `score`: in proportion to the activity above remission
/// (`disease.damage_per_point_year` per point above `disease.remission_score`), never
/// negative. Damage does not heal, so a patient keeps what sustained activity left.
pub fn damage_accrued(score: f64, params: &Parameters, dt_days: f64) -> f64 {
    let d = &params.disease;
    d.damage_per_point_year * (score - d.remission_score).max(0.0) * dt_days / 365.25
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_erlangen_median_entry_score_gives_the_catalogue_renal_points() {
        // The SLE preset: initial inflammation 3 (saturation 0.75); 16 = 12 organ
        // points + 2 + 2, and 12 / 0.75 = 16, the renal items of the catalogue.
        let mut p = Parameters::default();
        p.disease.initial_organ_inflammation = 3.0;
        let points = organ_points_for_entry_score(16.0, &p).unwrap();
        assert!(
            (points - p.disease.organ_max_points).abs() < 1e-9,
            "{points}"
        );
        let mild = organ_points_for_entry_score(10.0, &p).unwrap();
        let severe = organ_points_for_entry_score(18.0, &p).unwrap();
        assert!(mild < points && points < severe);
        assert_eq!(organ_points_for_entry_score(3.0, &p), None);
        p.disease.initial_organ_inflammation = 0.0;
        assert_eq!(organ_points_for_entry_score(16.0, &p), None);
    }

    #[test]
    fn renal_activity_resolves_over_months_and_damage_never_falls() {
        let p = Parameters::default();
        let mut renal = 0.75;
        for _ in 0..182 {
            renal = renal_activity_after(renal, 0.0, &p, 1.0);
        }
        // Half a year after the immune complexes are gone: partial renal response.
        assert!((0.05..0.4).contains(&(renal / 0.75)), "{renal}");
        assert!((renal_share_for_nephritis(&p) - 1.0).abs() < 1e-12);
        assert_eq!(
            damage_accrued(p.disease.remission_score - 1.0, &p, 1.0),
            0.0
        );
        let year = damage_accrued(16.0, &p, 365.25);
        assert!((0.1..0.6).contains(&year), "{year} SDI points a year at 16");
    }
}
