//! Interventions other than CAR-T products and lymphodepletion: bridging
//! glucocorticoids, vaccination and intravenous immunoglobulin (docs/model.md §4-5). The scenario states them; the engine
//! applies them on their day; their effects live in [`crate::fields`] and
//! [`crate::rules::activation`].

use crate::cell::Specificity;

/// A vaccine dose: the vaccine antigen appears in lymphoid tissue and recalls the
/// memory B cells of its specificity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Vaccination {
    /// Day given.
    pub day: f64,
    /// Which vaccine ([`Specificity::VaccineA`] or [`Specificity::VaccineB`]).
    pub vaccine: Specificity,
}

crate::named_enum! {
    /// A vaccine as scenario files name it (`[[vaccinations]] vaccine`).
    pub enum Vaccine {
        /// A measles-like vaccine: recalls the memory B cells of [`Specificity::VaccineA`].
        VaccineA = "vaccine_a",
        /// A tetanus-like vaccine: recalls the memory B cells of [`Specificity::VaccineB`].
        VaccineB = "vaccine_b",
    }
}

impl Vaccine {
    /// The specificity whose memory B cells this vaccine recalls.
    pub const fn specificity(self) -> Specificity {
        match self {
            Vaccine::VaccineA => Specificity::VaccineA,
            Vaccine::VaccineB => Specificity::VaccineB,
        }
    }
}

/// A dose of intravenous immunoglobulin: pooled donor IgG that adds to total IgG, not
/// to the autoantibody or to the patient's own vaccine titres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IvigDose {
    /// Day given.
    pub day: f64,
    /// Dose, g per kg body weight.
    pub dose_g_per_kg: f64,
}

impl Vaccination {
    /// Names used in scenario files, with the specificity each stands for.
    pub const VACCINES: [(&'static str, Specificity); 2] = [
        ("vaccine_a", Specificity::VaccineA),
        ("vaccine_b", Specificity::VaccineB),
    ];

    /// Index of a vaccine specificity in per-vaccine tables (0 for A, 1 for B).
    pub fn slot(vaccine: Specificity) -> Option<usize> {
        Self::VACCINES.iter().position(|v| v.1 == vaccine)
    }
}

/// Bridging therapy between leukapheresis and lymphodepletion: a glucocorticoid at a
/// constant prednisolone-equivalent dose on days [start, end). Its effect is in
/// [`crate::fields::glucocorticoid_suppression`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bridging {
    /// Prednisolone-equivalent dose, mg/day.
    pub prednisolone_mg_per_day: f64,
    /// First day given.
    pub start_day: f64,
    /// Day it stops (not given on this day).
    pub end_day: f64,
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::named::Named;

    /// The engine names vaccines by `Vaccination::VACCINES`, scenario files by
    /// [`Vaccine`]: both must give each name the same specificity.
    #[test]
    fn vaccine_names_agree_with_the_engine_table() {
        let from_enum: Vec<(&str, Specificity)> = Vaccine::ALL
            .iter()
            .map(|v| (v.name(), v.specificity()))
            .collect();
        assert_eq!(from_enum, Vaccination::VACCINES);
    }
}
