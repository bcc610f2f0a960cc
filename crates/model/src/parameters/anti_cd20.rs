//! Prior anti-CD20 therapy (rituximab in chemo-immunotherapy lines before CAR-T): the
//! antibody left in serum and the kill it still does on CD20+ B cells (docs/model.md
//! §8.4). Trust words as in `groups.rs`.

use super::parameter_group;

parameter_group! {
    /// Residual anti-CD20 antibody from earlier lines of therapy (none by default).
    AntiCd20 = "anti_cd20" {
        #[doc = "Serum anti-CD20 antibody just after the last dose of the earlier line: 0 is a patient who never had anti-CD20 therapy (nothing of this group then acts)."]
        last_dose_serum_ug_per_ml: "ug/mL" = 0.0, [0.0, 5000.0],
            "choice: none in the catalogue; the lymphoma-like preset sets 486 ug/mL, the mean Cmax after the fourth weekly 375 mg/m2 rituximab infusion in relapsed NHL (Rituxan US prescribing information, clinical pharmacology; recalled), the order of a rituximab-chemotherapy line's peak (ref rituximab_cmax_fourth_dose)";
        #[doc = "Day of the last anti-CD20 dose, relative to the CAR-T infusion (day 0); before it the level is taken as at the dose (a course under way)."]
        last_dose_day: "day" = -90.0, [-3650.0, 0.0],
            "choice: ZUMA-1 enrolled refractory large B-cell lymphoma after >= 2 lines, nearly all including rituximab (Neelapu et al., N Engl J Med 2017; recalled); the lymphoma-like preset sets -60, a rituximab-containing salvage line ending two months before infusion (choice)";
        #[doc = "Terminal elimination half-life of the antibody in serum (first-order decay after the last dose)."]
        half_life_days: "days" = 22.0, [1.0, 365.0],
            "seen: median terminal half-life 22 days (range 6.1-52) in 298 NHL patients, rituximab US prescribing information (population PK, copy of the label text read); 24.7 (men) and 30.7 days (women) after 8 doses with CHOP-14 in elderly DLBCL (Mueller et al., Blood 2012;119:3276, RICOVER-60 PK, abstract read; refs rituximab_half_life, rituximab_half_life_dlbcl)";
        #[doc = "Serum level at which the antibody kills CD20+ B cells at half its maximal rate (saturable: rate = max x C / (C + this))."]
        half_maximal_ug_per_ml: "ug/mL" = 3.0, [0.001, 1000.0],
            "fitted by hand on the label's B-cell recovery after rituximab, 'B-cell recovery began at approximately 6 months and median B-cell levels returned to normal by 12 months following completion of treatment' (rituximab US prescribing information; recalled; ref rituximab_b_recovery_onset): the lymphoma-like host without Flu/Cy or CAR-T (last dose 486 ug/mL on day -60) has blood B cells below 1/uL until ~day 110 (5.7 months after the dose) and ~70% of healthy a year after it; 5 gave 5 months, 8 gave 4.6, 15 gave 3.9 and 150 gave 1 month (first blood B >= 1/uL after the dose); with 3 the kill is a third of its maximum at 6 months and a tenth at ~7.5";
        #[doc = "Kill rate of a CD20+ B cell at saturating antibody (complement, ADCC, phagocytosis)."]
        max_kill_rate_per_day: "1/day" = 20.0, [0.0, 1000.0],
            "choice: opsonised B cells are cleared from blood within hours and circulating B cells are depleted within a day or two of the first rituximab infusion (rituximab US prescribing information: 'rapid and sustained depletion of circulating and tissue-based B cells'; recalled); 20/day is a half-life of ~50 minutes, and 2/day left new emigrants at ~30/uL in blood";
    }
}
