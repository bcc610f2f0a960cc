//! Well-mixed fields: antibody pools, BAFF, autoantigen, immune complexes, organ
//! inflammation, and the SLEDAI-2K-like score.
//!
//! Fields are double-buffered by construction: [`Fields::advance`] reads the census
//! taken at the start of the step and the fields of time t, and returns the fields of
//! t + dt; nothing reads a half-updated field.

use crate::cell::Specificity;
use crate::disease_course;
use crate::parameters::Parameters;
use crate::steady_state::SteadyState;

/// Antibody-secreting cells (real cells) by specificity, from the census.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SecretingCells {
    /// Plasmablasts and plasma cells, by [`Specificity`] index.
    pub by_specificity: [f64; Specificity::COUNT],
}

/// Field values at one time.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Fields {
    /// IgG in the body by specificity, g (intra- and extravascular).
    pub igg_body_g: [f64; Specificity::COUNT],
    /// BAFF relative to the healthy set point.
    pub baff_relative: f64,
    /// Organ inflammation, relative units.
    pub organ_inflammation: f64,
    /// Vaccine antigen in lymphoid tissue (vaccine A, vaccine B), relative units.
    pub vaccine_antigen: [f64; 2],
    /// Donor IgG from IVIG in the body, g (cleared like the patient's own IgG).
    pub ivig_body_g: f64,
    /// Renal activity (proteinuria, sediment), 0-1 (`disease_course`).
    pub renal_activity: f64,
    /// Irreversible damage accrued since the end of the burn-in, SDI-like points.
    pub damage_index: f64,
}

/// What the clinic would measure from the fields.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Serology {
    /// Total serum IgG, g/L.
    pub total_igg_g_per_l: f64,
    /// Serum IgG by specificity, mg/L.
    pub igg_mg_per_l: [f64; Specificity::COUNT],
    /// Autoantigen load, relative units.
    pub autoantigen: f64,
    /// Immune complexes (autoantibody mg/L × autoantigen).
    pub immune_complex: f64,
    /// Complement consumption, 0-1.
    pub complement_consumption: f64,
    /// Whether the autoantibody test is positive.
    pub autoantibody_positive: bool,
    /// SLEDAI-2K-like score, points.
    pub activity_score: f64,
    /// Renal activity, 0-1.
    pub renal_activity: f64,
    /// Damage accrued since the end of the burn-in, SDI-like points.
    pub damage_index: f64,
}

impl Fields {
    /// Fields at the healthy steady state implied by the initial secreting cells.
    pub fn at_steady_state(
        secreting: &SecretingCells,
        steady: &SteadyState,
        params: &Parameters,
    ) -> Fields {
        let clearance = std::f64::consts::LN_2 / params.physiology.igg_half_life_days;
        let igg_body_g = secreting
            .by_specificity
            .map(|cells| cells * steady.secretion_g_per_cell_day / clearance);
        Fields {
            igg_body_g,
            baff_relative: 1.0,
            organ_inflammation: params.disease.initial_organ_inflammation,
            vaccine_antigen: [0.0; 2],
            ivig_body_g: 0.0,
            renal_activity: organ_saturation(params.disease.initial_organ_inflammation, params),
            damage_index: 0.0,
        }
    }

    /// Advances the fields over `dt_days` given the census at the start of the step:
    /// secreting cells and the peripheral B pool (real cells).
    pub fn advance(
        &self,
        secreting: &SecretingCells,
        peripheral_b_cells: f64,
        prednisolone_mg_per_day: f64,
        steady: &SteadyState,
        params: &Parameters,
        dt_days: f64,
    ) -> Fields {
        // One FcRn pool salvages every IgG (own, self-reactive and donor): the rate of
        // the step is set by the total serum IgG at its start.
        let total_g_per_l = self.serology(steady, params).total_igg_g_per_l;
        let k = igg_catabolic_rate_per_day(total_g_per_l, params);
        let decay = (-k * dt_days).exp();
        let mut igg_body_g = self.igg_body_g;
        for (mass, cells) in igg_body_g.iter_mut().zip(secreting.by_specificity) {
            // Exact solution of dM/dt = S - kM over the step with S constant.
            let secretion = cells * steady.secretion_g_per_cell_day;
            *mass = *mass * decay + secretion / k * (1.0 - decay);
        }
        let serology = self.serology(steady, params);
        let d = &params.disease;
        let tau = d.organ_resolution_days;
        let relax = (-dt_days / tau).exp();
        let target = d.organ_inflammation_gain_per_day
            * deposited_immune_complex(serology.immune_complex, params)
            * (1.0 - glucocorticoid_suppression(prednisolone_mg_per_day, params))
            * tau;
        let antigen_decay =
            (-std::f64::consts::LN_2 / params.activation.vaccine_antigen_half_life_days * dt_days)
                .exp();
        Fields {
            igg_body_g,
            baff_relative: baff_relative(peripheral_b_cells, steady, params),
            organ_inflammation: target + (self.organ_inflammation - target) * relax,
            vaccine_antigen: self.vaccine_antigen.map(|a| a * antigen_decay),
            ivig_body_g: self.ivig_body_g * decay,
            renal_activity: disease_course::renal_activity_after(
                self.renal_activity,
                organ_saturation(self.organ_inflammation, params),
                params,
                dt_days,
            ),
            damage_index: self.damage_index
                + disease_course::damage_accrued(serology.activity_score, params, dt_days),
        }
    }

    /// A vaccine dose: one unit (half-saturating) of its antigen in lymphoid tissue.
    pub fn vaccinate(&mut self, slot: usize) {
        self.vaccine_antigen[slot] += 1.0;
    }

    /// An IVIG infusion of `grams` of donor IgG.
    pub fn infuse_ivig(&mut self, grams: f64) {
        self.ivig_body_g += grams;
    }

    /// During the burn-in the disease is held at least at its initial organ
    /// inflammation: the burn-in stands for years of established disease, during which
    /// the cell pools (autoreactive memory, plasma cells, antibody) build up to the
    /// active state. Without it a patient could settle in the quiescent state of the
    /// bistable autoantigen loop before its antibody had risen. Released at the end
    /// of the burn-in or at the first treatment, whichever comes first.
    pub fn hold_established_disease(&mut self, params: &Parameters) {
        self.organ_inflammation = self
            .organ_inflammation
            .max(params.disease.initial_organ_inflammation);
        self.renal_activity = self.renal_activity.max(organ_saturation(
            params.disease.initial_organ_inflammation,
            params,
        ));
    }

    /// Damage is counted from the end of the burn-in: the burn-in stands for years of
    /// disease whose damage the entry score does not describe.
    pub fn start_damage_count(&mut self) {
        self.damage_index = 0.0;
    }

    /// Clinical read-out of these fields.
    pub fn serology(&self, steady: &SteadyState, params: &Parameters) -> Serology {
        let to_serum = params.physiology.igg_intravascular_fraction / steady.plasma_volume_l;
        let igg_mg_per_l = self.igg_body_g.map(|g| g * to_serum * 1000.0);
        let total_igg_g_per_l =
            (igg_mg_per_l.iter().sum::<f64>() + self.ivig_body_g * to_serum * 1000.0) / 1000.0;
        let d = &params.disease;
        let auto_mg = igg_mg_per_l[Specificity::Autoantigen.index()];
        // Inflamed tissue releases autoantigen, saturating as inflammation does, so the
        // loop autoantibody → immune complex → inflammation → autoantigen is bounded at
        // (1 + feedback) × baseline.
        let organ = organ_saturation(self.organ_inflammation, params);
        // Renal items follow renal activity (months); the other organ items follow
        // inflammation (weeks).
        let renal = d.renal_share_of_organ_points;
        let organ_points = (1.0 - renal) * organ + renal * self.renal_activity;
        let autoantigen =
            d.autoantigen_baseline * (1.0 + d.autoantigen_inflammation_feedback * organ);
        let immune_complex = auto_mg * autoantigen;
        let complement_consumption =
            immune_complex / (immune_complex + d.complement_half_saturation);
        let autoantibody_positive = auto_mg >= d.autoantibody_positive_mg_per_l;
        let activity_score = d.organ_max_points * organ_points
            + d.complement_points * complement_consumption
            + if autoantibody_positive {
                d.dna_binding_points
            } else {
                0.0
            };
        Serology {
            total_igg_g_per_l,
            igg_mg_per_l,
            autoantigen,
            immune_complex,
            complement_consumption,
            autoantibody_positive,
            activity_score,
            renal_activity: self.renal_activity,
            damage_index: self.damage_index,
        }
    }
}

/// Saturation (0-1) of organ inflammation: the share of the organ points it gives
/// (half at `disease.organ_half_saturation`).
pub fn organ_saturation(organ_inflammation: f64, params: &Parameters) -> f64 {
    organ_inflammation / (organ_inflammation + params.disease.organ_half_saturation)
}

/// Fractional catabolic rate of IgG (1/day of the body pool) at total serum IgG
/// `total_g_per_l`: the Brambell protection receptor (FcRn) model. Endothelial cells take
/// up IgG by fluid-phase pinocytosis at a rate that does not depend on its concentration
/// (`k_uptake`); FcRn salvages it back to the circulation with a saturable capacity
/// (Michaelis-Menten, `plasma_cells.igg_fcrn_half_saturation_g_per_l`), and what is not
/// salvaged is degraded. So IgG lives longer when it is scarce (the reduced fractional
/// catabolic rate of agammaglobulinaemia; Waldmann & Strober) and shorter when it is
/// abundant (myeloma, high-dose IVIG), and a loss of antibody-secreting cells lowers
/// serum IgG less than in proportion. At the set point
/// (`plasma_cells.igg_g_per_l`) the rate is ln 2 / `physiology.igg_half_life_days` and
/// recycling is `plasma_cells.igg_fcrn_recycled_ratio` times catabolism (Kim et al.,
/// Clin Immunol 2007). Bounded below by a tenth of the set-point rate (pinocytosis by
/// cells without FcRn and losses in urine and gut do not saturate).
pub fn igg_catabolic_rate_per_day(total_g_per_l: f64, params: &Parameters) -> f64 {
    let pc = &params.plasma_cells;
    let k_set = std::f64::consts::LN_2 / params.physiology.igg_half_life_days;
    let r = pc.igg_fcrn_recycled_ratio;
    let km = pc.igg_fcrn_half_saturation_g_per_l;
    let set = pc.igg_g_per_l;
    let k_uptake = (1.0 + r) * k_set;
    let salvage = r * k_set * (km + set) / (km + total_g_per_l.max(0.0));
    (k_uptake - salvage).max(0.1 * k_set)
}

/// Hill coefficient of immune-complex deposition versus load (choice: a switch-like
/// saturation of clearance; the same value is named in the catalogue's doc of
/// `disease.immune_complex_clearance_capacity`).
const DEPOSITION_HILL: f64 = 2.0;

/// The part of the circulating immune complexes (mg/L × relative autoantigen) that
/// deposits in tissue: what exceeds clearance by erythrocyte CR1 and the mononuclear
/// phagocyte system, which remove small loads before they reach the kidney
/// (Davies et al., J Clin Invest 1992; Schifferli & Taylor, Kidney Int 1989; recalled).
/// A Hill function, so a titre that falls under the clearance capacity stops feeding
/// organ inflammation rather than feeding it in proportion.
pub fn deposited_immune_complex(immune_complex: f64, params: &Parameters) -> f64 {
    let capacity = params.disease.immune_complex_clearance_capacity;
    immune_complex * crate::hill::hill(immune_complex, capacity, DEPOSITION_HILL)
}

/// Fraction of immune-complex-driven organ inflammation suppressed by a glucocorticoid
/// at `prednisolone_mg_per_day` (prednisolone-equivalent): an Emax model
/// (`disease.glucocorticoid_inflammation_emax`, `disease.glucocorticoid_ed50_mg_per_day`).
/// Glucocorticoids damp the inflammation that immune complexes cause; they do not
/// remove the cells that make the autoantibody, so activity returns when they stop.
pub fn glucocorticoid_suppression(prednisolone_mg_per_day: f64, params: &Parameters) -> f64 {
    let d = &params.disease;
    d.glucocorticoid_inflammation_emax
        * crate::hill::hill(
            prednisolone_mg_per_day,
            d.glucocorticoid_ed50_mg_per_day,
            1.0,
        )
}

/// BAFF relative to health, quasi-steady (BAFF turns over in hours). Cleared partly by
/// a constant route and partly by binding to B cells: BAFF = production / ((1 − s) +
/// s · B/B_set), so it equals the production ratio at the set point and rises at most
/// production/(1 − s)-fold when B cells are gone (Cambridge 2006: ~2-4-fold after
/// rituximab; recalled).
pub fn baff_relative(peripheral_b_cells: f64, steady: &SteadyState, params: &Parameters) -> f64 {
    let b = &params.b_cells;
    let s = b.baff_consumption_share;
    let ratio = peripheral_b_cells / steady.peripheral_b_cells;
    b.baff_production_relative / ((1.0 - s) + s * ratio)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::LN_2;

    #[test]
    fn igg_half_life_is_the_textbook_one_at_the_set_point_and_longer_when_scarce() {
        let params = Parameters::default();
        let half_life = |g_per_l: f64| LN_2 / igg_catabolic_rate_per_day(g_per_l, &params);
        assert!((half_life(params.plasma_cells.igg_g_per_l) - 21.0).abs() < 1e-9);
        // Myeloma-range IgG is cleared faster, agammaglobulinaemia-range slower.
        assert!(
            (10.0..16.0).contains(&half_life(50.0)),
            "{}",
            half_life(50.0)
        );
        assert!((26.0..40.0).contains(&half_life(0.5)), "{}", half_life(0.5));
        let mut previous = f64::INFINITY;
        for g in [0.0, 2.0, 6.0, 12.0, 20.0, 40.0, 80.0] {
            assert!(half_life(g) < previous, "not monotone at {g} g/L");
            previous = half_life(g);
        }
    }

    #[test]
    fn igg_relaxes_at_the_rate_of_its_concentration() {
        let params = Parameters::default();
        let steady = SteadyState::derive(&params, 70.0);
        let to_serum = params.physiology.igg_intravascular_fraction / steady.plasma_volume_l;
        let set_body_g = params.plasma_cells.igg_g_per_l / to_serum;
        let start = Fields {
            igg_body_g: [set_body_g, 0.0, 0.0, 0.0],
            baff_relative: 1.0,
            organ_inflammation: 0.0,
            vaccine_antigen: [0.0; 2],
            ivig_body_g: 0.0,
            renal_activity: 0.0,
            damage_index: 0.0,
        };
        let none = SecretingCells::default();
        let after = start.advance(&none, steady.peripheral_b_cells, 0.0, &steady, &params, 1.0);
        let k = igg_catabolic_rate_per_day(params.plasma_cells.igg_g_per_l, &params);
        assert!((after.igg_body_g[0] / set_body_g - (-k).exp()).abs() < 1e-12);
        // With no secretion the pool falls, and more slowly as it empties.
        let mut f = start;
        for _ in 0..21 {
            f = f.advance(&none, steady.peripheral_b_cells, 0.0, &steady, &params, 1.0);
        }
        let left = f.igg_body_g[0] / set_body_g;
        assert!((0.5..0.65).contains(&left), "{left}");
    }

    /// A healthy patient's fields at steady state: every secreting cell makes
    /// antibody of other specificity.
    fn healthy_fields() -> (Parameters, SteadyState, Fields) {
        let params = Parameters::default();
        let steady = SteadyState::derive(&params, 70.0);
        let mut cells = SecretingCells::default();
        cells.by_specificity[0] = steady.plasmablasts + steady.plasma_cells;
        let fields = Fields::at_steady_state(&cells, &steady, &params);
        (params, steady, fields)
    }

    #[test]
    fn ivig_adds_to_total_igg_only() {
        let (params, steady, mut f) = healthy_fields();
        let before = f.serology(&steady, &params);
        // 0.4 g/kg in 70 kg: each 100 mg/kg raises the IgG trough by ~1.2 g/L
        // (Orange et al., Clin Immunol 2010; recalled), so about +4.8 g/L.
        f.infuse_ivig(0.4 * 70.0);
        let after = f.serology(&steady, &params);
        let rise = after.total_igg_g_per_l - before.total_igg_g_per_l;
        assert!((3.0..6.5).contains(&rise), "IVIG raised IgG by {rise} g/L");
        assert_eq!(
            after.igg_mg_per_l, before.igg_mg_per_l,
            "no specific antibody"
        );
    }

    #[test]
    fn baff_rises_when_b_cells_vanish() {
        let params = Parameters::default();
        let steady = SteadyState::derive(&params, 70.0);
        assert!((baff_relative(steady.peripheral_b_cells, &steady, &params) - 1.0).abs() < 1e-12);
        let empty = baff_relative(0.0, &steady, &params);
        assert!((empty - 1.0 / 0.3).abs() < 1e-9);
    }

    #[test]
    fn healthy_steady_state_scores_zero_and_igg_at_set_point() {
        let (params, steady, f) = healthy_fields();
        let s = f.serology(&steady, &params);
        assert!((s.total_igg_g_per_l - 12.0).abs() < 1e-9);
        assert_eq!(s.activity_score, 0.0);
        assert!(!s.autoantibody_positive);
    }
}
