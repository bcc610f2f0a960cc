//! IL-6, cytokine release syndrome and its management (docs/model.md §4). Trust words
//! as in `groups.rs`.

use super::parameter_group;

parameter_group! {
    /// IL-6, cytokine release syndrome (ASTCT grade) and its management (docs/model.md §4).
    Crs = "crs" {
        #[doc = "Serum IL-6 without CAR-T activity."]
        il6_baseline_pg_per_ml: "pg/mL" = 2.0, [0.0, 100.0],
            "choice: healthy serum IL-6 is a few pg/mL (laboratory ranges < 7 pg/mL, recalled)";
        #[doc = "Half-life of serum IL-6 (first-order clearance)."]
        il6_half_life_days: "days" = 0.2, [0.01, 5.0],
            "choice: IL-6 is cleared within hours (recalled); the grade follows production closely";
        #[doc = "IL-6 produced (serum pg/mL per day) per 1e9 target cells killed per day, myeloid amplification included."]
        il6_per_billion_kills_pg_per_ml: "pg/mL/day per 1e9 cells/day" = 100.0, [0.0, 1.0e5],
            "refitted to 100 after the marrow B-progenitor rule removed the B-cell rebound that CAR-T cells had killed in the first week (30 then gave grade 0 and an IL-6 peak of ~5 pg/mL; 100 gives grade 1, IL-6 peak ~57 pg/mL on day 6 at seeds 1-3; 150: ~45 with kill_relative 1; 300: ~125); first fitted tools/calibrate on the Erlangen CD19 scenario together with the CAR-T term and myeloid_half_drive_pg_per_ml_per_day (grid kills 15/30/40/60/240, CAR-T 0/0.5/2, half drive 400/800/1600; seeds 1-3): grade 1 at every seed as most Erlangen patients (ref erlangen_mackensen_crs_grade1 60%, erlangen_crs_grade2 6.7%, erlangen_crs_grade3plus 0), onset day 5-6 (ref crs_new_after_day14: none after day 14) and IL-6 peak ~100 pg/mL (ref il6_peak_mild_crs 10-300); target-cell death drives macrophage IL-6 (pyroptosis, Liu et al., Sci Immunol 2020; recalled). The IL-6 peak comes on day 10-11, later than the oncology day 3-7 (ref il6_peak_day): killing in the model peaks as the CAR-T expansion does";
        #[doc = "IL-6 produced (serum pg/mL per day) per 1e9 CAR-T cells engaging antigen."]
        il6_per_billion_stimulated_car_t_pg_per_ml: "pg/mL/day per 1e9 cells" = 0.5, [0.0, 1.0e5],
            "fitted with the kill term (see there); activated CAR-T cells drive macrophage IL-6 through IFN-g and GM-CSF (Giavridis 2018, recalled); 2 let the large tissue pool of CAR-T cells engaging a trickle of new pre-B cells start CRS on day ~16, after the killing, against ref crs_new_after_day14";
        #[doc = "CAR-T drive (kills and engaged CAR-T, in pg/mL/day of IL-6 at full amplification) at which myeloid cells give half their IL-6."]
        myeloid_half_drive_pg_per_ml_per_day: "pg/mL/day" = 800.0, [0.0, 1.0e6],
            "fitted with the kill and CAR-T terms (see il6_per_billion_kills_pg_per_ml): 1,600 started CRS only on day 9-10 with IL-6 ~40 pg/mL, 400 gave grade 2; the amplification lets a burst of killing give CRS while the months-long trickle of kills that keeps B precursors away does not (without it grade 1 lasted ~5 months)";
        #[doc = "Patient's baseline inflammation relative to a typical patient: primed myeloid cells reach half activation at the half drive divided by this."]
        baseline_inflammation_relative: "ratio" = 1.0, [0.1, 10.0],
            "choice (1 = the patients the CRS terms were fitted on); a patient-level driver for cohorts: high baseline CRP and ferritin predict severe CRS (Teachey et al., Cancer Discov 2016; Hay et al., Blood 2017; recalled)";
        #[doc = "Patient's myeloid responsiveness: IL-6 made per unit of myeloid activation, relative to a typical patient."]
        myeloid_responsiveness: "ratio" = 1.0, [0.1, 10.0],
            "choice (1 = the patients the CRS terms were fitted on); a patient-level driver for cohorts: monocyte IL-6 and IL-1 output drives CRS severity (Norelli et al., Nat Med 2018; Giavridis et al., Nat Med 2018; recalled)";
        #[doc = "Rate at which myeloid cells become refractory (IL-6 output lost) at full activation."]
        myeloid_tolerance_rate_per_day: "1/day" = 1.5, [0.0, 10.0],
            "refitted to 1.5 with il6_per_billion_kills_pg_per_ml = 100 after the marrow B-progenitor rule (tools/calibrate, seeds 1-3: 1.0 gave axi-cel-like CRS of 30-34 days, 1.5 gives 3 days; Erlangen grade 1, IL-6 peak day 6, ~47 pg/mL); first fitted on the lymphoma-like axi-cel-like scenario with tools/calibrate (tried 0.15/0.3/0.5/0.6/1.0/1.5 with half-lives 14 and 30 d, seed 1): with 1.0 and 30 d, CRS from day 3 is grade 0 from day 22 at the shipped and at coarse resolution (0.5: day 26 at coarse resolution; 0.15 and 14 d: day 35) while killing continues; on Erlangen it moves the IL-6 peak to day 6 (ref il6_peak_day 3-7; before: day 9-10) at ~30 pg/mL, grade 1 (clinical CRS lasts a median of ~5-8 days, ZUMA-1 and JULIET, recalled; ide-cel median 5 d (1-63), seen-2 in a review table); mechanism: endotoxin-tolerance-like refractoriness of activated monocytes and IL-10/SOCS3 feedback (Biswas & Lopez-Collazo, Trends Immunol 2009; recalled)";
        #[doc = "Half-life of myeloid refractoriness once the drive is gone."]
        myeloid_tolerance_half_life_days: "days" = 30.0, [0.5, 365.0],
            "fitted with myeloid_tolerance_rate_per_day (see there); monocyte refractoriness after sepsis-like stimulation lasts weeks (immunoparalysis; Hotchkiss et al., Nat Rev Immunol 2013; recalled)";
        #[doc = "Cytokine (IL-6) drive of a CD28-costimulated CAR relative to a 4-1BB CAR at the same engagement."]
        cd28_il6_relative: "ratio" = 2.0, [1.0, 10.0],
            "choice: CD28 CARs expand faster and release more cytokine per engagement than 4-1BB CARs (Kawalekar et al., Immunity 2016; Cappell & Kochenderfer, Nat Rev Clin Oncol 2023; recalled); grade >= 3 CRS 13% with axi-cel (CD28, ZUMA-1) vs 2% with liso-cel (4-1BB, TRANSCEND) on the Lee scale (recalled); the 4-1BB Erlangen product is the reference (1)";
        #[doc = "Hill coefficient of myeloid IL-6 amplification versus the CAR-T drive."]
        myeloid_hill: "dimensionless" = 2.0, [0.5, 8.0],
            "choice: a switch-like macrophage response to dense activation signals (Giavridis 2018, Norelli 2018; recalled)";
        #[doc = "IL-6 signalling (pg/mL, after receptor blockade) from which CRS is grade 1 (fever)."]
        grade1_il6_pg_per_ml: "pg/mL" = 25.0, [0.0, 1.0e5],
            "choice: mild CRS peaks at IL-6 ~10-300 pg/mL (ref il6_peak_mild_crs), ASTCT grade 1 = fever (ref astct_grade1_fever)";
        #[doc = "IL-6 signalling from which CRS is grade 2 (hypotension or low-flow oxygen)."]
        grade2_il6_pg_per_ml: "pg/mL" = 150.0, [0.0, 1.0e5],
            "choice: between the mild-CRS median (100) and severe-CRS levels (ref il6_peak_mild_crs, il6_peak_severe_crs)";
        #[doc = "IL-6 signalling from which CRS is grade 3 (vasopressor or high-flow oxygen)."]
        grade3_il6_pg_per_ml: "pg/mL" = 1000.0, [0.0, 1.0e6],
            "severe CRS peaks at IL-6 >= 1000 pg/mL (Teachey 2016, Hay 2017; seen; ref il6_peak_severe_crs)";
        #[doc = "IL-6 signalling from which CRS is grade 4 (several vasopressors, ventilation)."]
        grade4_il6_pg_per_ml: "pg/mL" = 5000.0, [0.0, 1.0e7],
            "choice: five times the severe threshold";
        #[doc = "CRS grade at or above which tocilizumab is given."]
        tocilizumab_at_grade: "grade" = 2.0, [1.0, 4.0],
            "management rule (ref crs.csv tocilizumab rows; docs/model.md §4)";
        #[doc = "Tocilizumab dose per kg."]
        tocilizumab_mg_per_kg: "mg/kg" = 8.0, [0.0, 12.0],
            "label dose (seen-2; ref tocilizumab_dose)";
        #[doc = "Largest single tocilizumab dose."]
        tocilizumab_max_mg: "mg" = 800.0, [0.0, 2000.0],
            "label (seen-2; ref tocilizumab_max_dose)";
        #[doc = "Most tocilizumab doses within 24 hours."]
        tocilizumab_max_per_day: "doses" = 3.0, [0.0, 6.0],
            "label (seen-2; ref tocilizumab_max_per_24h)";
        #[doc = "Most tocilizumab doses in all."]
        tocilizumab_max_total: "doses" = 4.0, [0.0, 20.0],
            "label (seen-2; ref tocilizumab_max_total)";
        #[doc = "IL-6 receptor blockade right after a tocilizumab dose."]
        tocilizumab_blockade: "fraction" = 0.9, [0.0, 1.0],
            "choice: tocilizumab blocks IL-6 signalling, not CAR-T expansion (Stein 2019; docs/model.md §4)";
        #[doc = "Half-life of the blockade after a dose."]
        tocilizumab_blockade_half_life_days: "days" = 6.0, [0.1, 60.0],
            "choice: tocilizumab's terminal half-life is days to two weeks at 8 mg/kg (label, recalled)";
        #[doc = "CRS grade at or above which dexamethasone is given (10 mg every 6 h while it lasts)."]
        dexamethasone_at_grade: "grade" = 3.0, [1.0, 4.0],
            "management rule (ref dexamethasone_dose, dexamethasone_interval; docs/model.md §4)";
        #[doc = "Stimulated CAR-T proliferation under dexamethasone, relative to none."]
        dexamethasone_proliferation_relative: "ratio" = 0.7, [0.0, 1.0],
            "choice: damped proliferation (docs/model.md §4), modest because Stein 2019 found no significant steroid effect on kinetics (ref stein_steroid_effect)";
    }
}
