//! Baseline severity: how a patient's entry disease-activity score maps onto the model.
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
}
