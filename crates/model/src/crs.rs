//! IL-6, cytokine release syndrome (ASTCT grade) and its management.
//!
//! IL-6 is made by myeloid cells driven by the killing CAR-T cells cause and by CAR-T
//! activation, and cleared first-order. Three things make CRS differ between patients
//! and products: the product's costimulatory domain (a CD28 CAR releases more cytokine
//! per engagement than a 4-1BB CAR), and the patient's baseline inflammation (primed
//! myeloid cells switch on at a lower drive) and myeloid responsiveness (how much IL-6
//! they make), both parameters that a cohort can vary. The myeloid loop resolves:
//! sustained activation makes monocytes and macrophages refractory (a tolerance that
//! builds while they are driven and fades over weeks), so CRS lasts days to two weeks
//! even while CAR-T cells keep killing.
//!
//! The grade follows IL-6 *signalling*: IL-6 times the share of receptors tocilizumab
//! leaves free, since tocilizumab blocks IL-6 signalling but not CAR-T expansion (Stein
//! 2019). Management follows the scenario's rules: tocilizumab 8 mg/kg (at most 800 mg)
//! at grade >= 2, repeated while the grade holds, at most 3 per 24 h and 4 in all;
//! dexamethasone 10 mg every 6 h at grade >= 3, which damps stimulated CAR-T
//! proliferation while it is given.

use crate::parameters::Parameters;

/// Dexamethasone per dose, mg (ref dexamethasone_dose).
pub const DEXAMETHASONE_MG: f64 = 10.0;
/// Dexamethasone doses per day at one every 6 h (ref dexamethasone_interval).
pub const DEXAMETHASONE_DOSES_PER_DAY: u32 = 4;

/// A treatment given for CRS.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CrsAction {
    /// Tocilizumab, mg.
    Tocilizumab(f64),
    /// Dexamethasone, mg.
    Dexamethasone(f64),
}

/// The CRS state of the patient.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CrsState {
    /// Serum IL-6, pg/mL.
    pub il6_pg_per_ml: f64,
    /// Share of IL-6 receptors blocked by tocilizumab.
    pub blockade: f64,
    /// ASTCT grade seen this step (0-4), before the step's treatment.
    pub grade: u8,
    /// Days on which tocilizumab was given.
    pub tocilizumab_steps: Vec<u64>,
    /// Dexamethasone doses given.
    pub dexamethasone_doses: u32,
    /// Whether dexamethasone is being given.
    pub dexamethasone_active: bool,
    /// Myeloid refractoriness (0-1): the share of IL-6 output lost to tolerance after
    /// sustained activation.
    pub myeloid_tolerance: f64,
}

/// Myeloid activation (0-1) by the CAR-T drive (kills and engaged CAR-T, in serum
/// pg/mL/day of IL-6 at full amplification).
///
/// Macrophages and monocytes, not CAR-T cells, make most IL-6 in CRS (Giavridis et al.,
/// Nat Med 2018; Norelli et al., Nat Med 2018; recalled), and they switch on only when
/// activation signals (IFN-g, GM-CSF, DAMPs from dying cells) are dense: a Hill
/// function of the drive, half-maximal at `myeloid_half_drive_pg_per_ml_per_day`
/// divided by the patient's baseline inflammation (primed cells switch on sooner). So a
/// burst of killing at the expansion peak gives CRS, while the steady trickle of kills
/// that keeps regenerating B precursors away for months gives none.
pub fn myeloid_activation(drive_pg_per_ml_per_day: f64, params: &Parameters) -> f64 {
    let c = &params.crs;
    crate::hill::hill(
        drive_pg_per_ml_per_day,
        c.myeloid_half_drive_pg_per_ml_per_day / c.baseline_inflammation_relative.max(1e-9),
        c.myeloid_hill,
    )
}

/// Real cells in a billion: the IL-6 drive parameters are per 10^9 cells.
pub const CELLS_PER_BILLION: f64 = 1e9;

/// The CAR-T drive of IL-6 (serum pg/mL per day at full myeloid amplification) of one
/// step's encounters: `killed_cells` real target cells killed and `stimulated_cells`
/// real CAR-T cells engaged over a step of `dt_days`, each at its per-billion rate
/// (`parameters.crs`), times the mean cytokine propensity of the engaged cells'
/// products (`propensity`, 1 for a 4-1BB CAR).
pub fn encounter_il6_drive(
    killed_cells: f64,
    stimulated_cells: f64,
    propensity: f64,
    params: &Parameters,
    dt_days: f64,
) -> f64 {
    let crs = &params.crs;
    let per_day = 1.0 / dt_days;
    (crs.il6_per_billion_kills_pg_per_ml * killed_cells
        + crs.il6_per_billion_stimulated_car_t_pg_per_ml * stimulated_cells)
        * propensity
        * (1.0 / CELLS_PER_BILLION)
        * per_day
}

/// Cytokine propensity of a CAR with this costimulatory domain, relative to 4-1BB.
pub fn costimulation_propensity(domain: crate::car::Costimulation, params: &Parameters) -> f64 {
    match domain {
        crate::car::Costimulation::Cd28 => params.crs.cd28_il6_relative,
        crate::car::Costimulation::FourOneBb => 1.0,
    }
}

impl CrsState {
    /// No CRS: IL-6 at baseline.
    pub fn new(params: &Parameters) -> CrsState {
        CrsState {
            il6_pg_per_ml: params.crs.il6_baseline_pg_per_ml,
            ..CrsState::default()
        }
    }

    /// IL-6 production (serum pg/mL per day) for a CAR-T drive: the drive amplified by
    /// myeloid activation, scaled by the patient's myeloid responsiveness and by the
    /// share of myeloid output not lost to tolerance.
    pub fn production(&self, drive_pg_per_ml_per_day: f64, params: &Parameters) -> f64 {
        drive_pg_per_ml_per_day
            * myeloid_activation(drive_pg_per_ml_per_day, params)
            * params.crs.myeloid_responsiveness
            * (1.0 - self.myeloid_tolerance)
    }

    /// Advances IL-6, myeloid tolerance and the blockade over `dt_days` under a CAR-T
    /// drive in serum pg/mL per day (exact solution of first-order clearance with
    /// constant production). Tolerance builds at `myeloid_tolerance_rate_per_day` times
    /// the myeloid activation, towards 1, and fades with its half-life.
    pub fn advance(&mut self, drive_pg_per_ml_per_day: f64, params: &Parameters, dt_days: f64) {
        let c = &params.crs;
        let production_pg_per_ml_per_day = self.production(drive_pg_per_ml_per_day, params);
        let on =
            c.myeloid_tolerance_rate_per_day * myeloid_activation(drive_pg_per_ml_per_day, params);
        let off = std::f64::consts::LN_2 / c.myeloid_tolerance_half_life_days;
        let total = on + off;
        if total > 0.0 {
            let equilibrium = on / total;
            self.myeloid_tolerance =
                equilibrium + (self.myeloid_tolerance - equilibrium) * (-total * dt_days).exp();
        }
        let k = std::f64::consts::LN_2 / c.il6_half_life_days;
        let target = c.il6_baseline_pg_per_ml + production_pg_per_ml_per_day / k;
        self.il6_pg_per_ml = target + (self.il6_pg_per_ml - target) * (-k * dt_days).exp();
        self.blockade *=
            (-std::f64::consts::LN_2 / c.tocilizumab_blockade_half_life_days * dt_days).exp();
    }

    /// IL-6 signalling, pg/mL: IL-6 on free receptors.
    pub fn signalling(&self) -> f64 {
        self.il6_pg_per_ml * (1.0 - self.blockade)
    }

    /// ASTCT-like grade for an IL-6 signalling level.
    pub fn grade_for(signalling: f64, params: &Parameters) -> u8 {
        let c = &params.crs;
        [
            c.grade1_il6_pg_per_ml,
            c.grade2_il6_pg_per_ml,
            c.grade3_il6_pg_per_ml,
            c.grade4_il6_pg_per_ml,
        ]
        .iter()
        .filter(|&&threshold| signalling >= threshold)
        .count() as u8
    }

    /// Grades the patient at the end of step `step` and applies the management rules;
    /// returns the treatments given. `steps_per_day` steps make the 24 h window of the
    /// tocilizumab limit.
    pub fn manage(
        &mut self,
        step: u64,
        steps_per_day: u64,
        weight_kg: f64,
        params: &Parameters,
    ) -> Vec<CrsAction> {
        let c = &params.crs;
        let mut actions = Vec::new();
        self.grade = Self::grade_for(self.signalling(), params);
        let dose_mg = (c.tocilizumab_mg_per_kg * weight_kg).min(c.tocilizumab_max_mg);
        // Doses while the grade holds: at most 3 in any 24 h and 4 in all.
        while f64::from(Self::grade_for(self.signalling(), params)) >= c.tocilizumab_at_grade {
            let last_day = self
                .tocilizumab_steps
                .iter()
                .filter(|&&given| given + steps_per_day > step)
                .count();
            if last_day as f64 >= c.tocilizumab_max_per_day
                || self.tocilizumab_steps.len() as f64 >= c.tocilizumab_max_total
                || dose_mg <= 0.0
            {
                break;
            }
            self.tocilizumab_steps.push(step);
            self.blockade = self.blockade.max(c.tocilizumab_blockade);
            actions.push(CrsAction::Tocilizumab(dose_mg));
        }
        self.dexamethasone_active =
            f64::from(Self::grade_for(self.signalling(), params)) >= c.dexamethasone_at_grade;
        if self.dexamethasone_active {
            self.dexamethasone_doses += DEXAMETHASONE_DOSES_PER_DAY;
            actions.push(CrsAction::Dexamethasone(
                DEXAMETHASONE_MG * f64::from(DEXAMETHASONE_DOSES_PER_DAY),
            ));
        }
        actions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_follow_il6_signalling() {
        let p = Parameters::default();
        assert_eq!(CrsState::grade_for(2.0, &p), 0);
        assert_eq!(CrsState::grade_for(100.0, &p), 1);
        assert_eq!(CrsState::grade_for(300.0, &p), 2);
        assert_eq!(CrsState::grade_for(1500.0, &p), 3);
        assert_eq!(CrsState::grade_for(1.0e4, &p), 4);
    }

    #[test]
    fn tocilizumab_at_grade_two_respects_limits_and_blocks_signalling() {
        let p = Parameters::default();
        let mut s = CrsState {
            il6_pg_per_ml: 5.0e4,
            ..CrsState::new(&p)
        };
        let mut doses = 0;
        // One-day steps: each step is its own 24 h window.
        for step in 0..5 {
            let actions = s.manage(step, 1, 120.0, &p);
            let toci: Vec<f64> = actions
                .iter()
                .filter_map(|a| match a {
                    CrsAction::Tocilizumab(mg) => Some(*mg),
                    _ => None,
                })
                .collect();
            assert!(toci.len() <= 3, "at most 3 per 24 h");
            assert!(
                toci.iter().all(|&mg| mg == 800.0),
                "8 mg/kg capped at 800 mg"
            );
            doses += toci.len();
        }
        assert_eq!(doses, 4, "at most 4 in all");
        assert!(s.signalling() < 0.11 * s.il6_pg_per_ml);
        assert!(
            s.dexamethasone_active,
            "grade >= 3 persists at this IL-6: dexamethasone"
        );
        let mut mild = CrsState {
            il6_pg_per_ml: 100.0,
            ..CrsState::new(&p)
        };
        assert!(
            mild.manage(0, 1, 70.0, &p).is_empty(),
            "grade 1 is not treated"
        );
    }

    #[test]
    fn sustained_drive_makes_myeloid_cells_refractory_and_they_recover() {
        let p = Parameters::default();
        let mut s = CrsState::new(&p);
        let drive = 10.0 * p.crs.myeloid_half_drive_pg_per_ml_per_day;
        s.advance(drive, &p, 1.0);
        let first = s.il6_pg_per_ml;
        for _ in 0..20 {
            s.advance(drive, &p, 1.0);
        }
        assert!(
            s.il6_pg_per_ml < 0.3 * first,
            "IL-6 {:.0} after 3 weeks of drive vs {first:.0} on day 1",
            s.il6_pg_per_ml
        );
        let tolerant = s.myeloid_tolerance;
        let half_life = p.crs.myeloid_tolerance_half_life_days;
        s.advance(0.0, &p, half_life);
        assert!(
            (s.myeloid_tolerance / tolerant - 0.5).abs() < 1e-9,
            "tolerance fades with its half-life"
        );
    }

    #[test]
    fn primed_and_responsive_myeloid_cells_make_more_il6() {
        let p = Parameters::default();
        let drive = p.crs.myeloid_half_drive_pg_per_ml_per_day;
        let typical = CrsState::new(&p).production(drive, &p);
        let mut primed = p.clone();
        primed.crs.baseline_inflammation_relative = 2.0;
        let mut responsive = p.clone();
        responsive.crs.myeloid_responsiveness = 2.0;
        assert!(CrsState::new(&primed).production(drive, &primed) > 1.5 * typical);
        let r = CrsState::new(&responsive).production(drive, &responsive);
        assert!((r / typical - 2.0).abs() < 1e-9);
    }

    #[test]
    fn il6_returns_to_baseline_without_production() {
        let p = Parameters::default();
        let mut s = CrsState {
            il6_pg_per_ml: 1000.0,
            ..CrsState::new(&p)
        };
        for _ in 0..10 {
            s.advance(0.0, &p, 1.0);
        }
        assert!((s.il6_pg_per_ml - p.crs.il6_baseline_pg_per_ml).abs() < 0.01);
    }
}
