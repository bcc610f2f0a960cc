//! Lymphodepleting chemotherapy: its kill of lymphocytes and of the marrow's B-lymphoid
//! progenitors, and the progenitors' recovery (docs/model.md §4). Trust words as in
//! `groups.rs`.

use super::parameter_group;

parameter_group! {
    /// Lymphodepleting chemotherapy (docs/model.md §4).
    Lymphodepletion = "lymphodepletion" {
        #[doc = "Natural-log kill of lymphocytes per mg/m2 of fludarabine."]
        fludarabine_log_kill_per_mg_per_m2: "1/(mg/m2)" = 0.02, [0.0, 1.0],
            "choice: with cyclophosphamide below, the Erlangen regimen (Flu 3 x 25 mg/m2 + Cy 1 g/m2) leaves ~5% of lymphocytes, 'ALC near zero at infusion' (docs/model.md §4; ref erlangen_ld_flu_daily)";
        #[doc = "Natural-log kill of lymphocytes per mg/m2 of cyclophosphamide."]
        cyclophosphamide_log_kill_per_mg_per_m2: "1/(mg/m2)" = 0.0015, [0.0, 1.0],
            "choice: half of the regimen's log kill from Cy 1 g/m2 (ref erlangen_ld_cy_total); plasma cells are spared (non-dividing; vaccine titres survive lymphodepletion)";
        #[doc = "Log kill of B cells (pre-B to germinal-centre) relative to that of T cells and CAR-T cells: a B cell's survival of a dose is the T cells' to this power."]
        b_cell_log_kill_relative: "ratio" = 1.5, [0.0, 5.0],
            "choice: fludarabine is most toxic to B cells (resting B cells make more of its active triphosphate; the drug of B-cell CLL; recalled) and every patient was B-aplastic after Flu/Cy and a BCMA CAR-T (ref wang_bcma_b_aplasia_days); with 1.5 the Erlangen regimen leaves ~1% of B cells against ~5% of T cells, blood B cells without CAR-T are at ~3% of baseline on day 0 (6.7% with 1; 1.6% with 2), while days 7-97 are set by the marrow's output (b_progenitor_*) and hardly move (tests/reconstitution.rs); Erlangen bands met at 1.25-2 (tools/calibrate)";
        #[doc = "Log kill of the marrow's B-lymphoid progenitors (the pro-B and earlier cells that make pre-B cells) relative to that of T cells: the share of marrow B output left after a dose is the T cells' survival to this power."]
        b_progenitor_log_kill_relative: "ratio" = 0.5, [0.0, 5.0],
            "choice, half the T cells' log kill: early haematopoietic progenitors are partly spared by cyclophosphamide (aldehyde dehydrogenase; recalled) and Flu/Cy is not myeloablative, while cycling pro-B cells are hit; with 0.5 the Erlangen regimen leaves ~22% of marrow B output, and blood B cells without CAR-T are at ~12% of baseline on day 7, ~46% on day 28 and ~88% by day 97 (tests/reconstitution.rs; ref wang_bcma_b_nadir_day, wang_bcma_b_baseline_day); 0.75 or more, which would hold them low for weeks as in Wang 2021 (ref wang_bcma_b_aplasia_days), moves the Erlangen IL-6 peak past day 7 and, from 1, the CAR-T peak and the B-cell return out of their bands (tools/calibrate, docs/calibration.md)";
        #[doc = "Logistic regrowth rate of the marrow's B-lymphoid progenitor pool after chemotherapy (towards its healthy size)."]
        b_progenitor_recovery_rate_per_day: "1/day" = 0.1, [0.001, 10.0],
            "fitted (0.1 tried with kill_relative 0.5 and 1) on the blood B-cell course after Flu/Cy with a BCMA CAR-T (B cells back to baseline on median day 97, aplasia median 70 days; ref wang_bcma_b_baseline_day, wang_bcma_b_aplasia_days; Wang et al., Blood Adv 2021;5:5290, seen abstract); tests/reconstitution.rs";
    }
}
