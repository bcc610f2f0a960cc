//! A large B-cell lymphoma: the malignant CD19+ B cells of a lymphoma-like patient, in
//! lymph nodes and tissue (docs/model.md §8.4). Trust words as in `groups.rs`.

use super::parameter_group;

parameter_group! {
    /// Lymphoma: the tumour's burden and growth law (docs/model.md §8.4).
    Tumour = "tumour" {
        #[doc = "Malignant B cells at the start of the run, and the untreated plateau they hold (the logistic capacity of their growth): 0 is a patient without lymphoma."]
        burden_cells: "cells" = 0.0, [0.0, 1.0e13],
            "choice: no tumour in the catalogue; the lymphoma-like preset sets 1e11, a bulky refractory large B-cell lymphoma (~100 mL of tumour at ~1e9 cells per mL; ZUMA-1 median baseline SPD and metabolic tumour volume of the order of 100 mL, Locke et al., Blood Adv 2020; recalled), 50x Kimmel's half-saturation of killing k_B 2.02e9 target cells (ref kimmel_k_b, seen)";
        #[doc = "Doubling time of malignant B cells far below their plateau (logistic growth: division at ln 2 / this x (1 - burden / plateau)); also the pace of regrowth after killing."]
        doubling_time_days: "days" = 30.0, [0.5, 10000.0],
            "choice: refractory large B-cell lymphoma progresses within weeks to a few months without effective therapy (median overall survival ~6 months in SCHOLAR-1, Crump et al., Blood 2017; recalled); a month doubles the burden within the span of a bridging therapy";
    }
}
