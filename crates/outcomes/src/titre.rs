//! Vaccine titres kept or lost: each vaccine's IgG on day 0 and its lowest level from
//! day 0 as a share of it. Plasma cells that make vaccine antibody carry BCMA but not
//! CD19 (long-lived marrow plasma cells), so this is the endpoint that separates a
//! CD19 product (titres kept, as in Erlangen) from one that also targets BCMA.
//!
//! Kept apart from [`crate::Outcomes`] (whose layout is part of the run checkpoint) as a
//! tracker of its own, fed the same snapshots.

use immunosim_engine::recorder::Snapshot;
use immunosim_model::Specificity;

/// The two vaccine specificities, in output order (vaccine_a, vaccine_b).
const VACCINES: [Specificity; 2] = [Specificity::VaccineA, Specificity::VaccineB];

/// Vaccine IgG on day 0 and its lowest level since, per vaccine.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VaccineTitres {
    day0_mg_per_l: [Option<f64>; 2],
    lowest_mg_per_l: [Option<f64>; 2],
}

impl VaccineTitres {
    /// A tracker that has seen nothing.
    pub fn new() -> VaccineTitres {
        VaccineTitres::default()
    }

    /// Adds a recorded day (days in order; days before day 0 are ignored).
    pub fn add_snapshot(&mut self, s: &Snapshot) {
        if s.day < 0.0 {
            return;
        }
        for (i, vaccine) in VACCINES.iter().enumerate() {
            let igg = s.serology.igg_mg_per_l[*vaccine as usize];
            if self.day0_mg_per_l[i].is_none() {
                self.day0_mg_per_l[i] = Some(igg);
            }
            if self.lowest_mg_per_l[i].is_none_or(|low| igg < low) {
                self.lowest_mg_per_l[i] = Some(igg);
            }
        }
    }

    /// Vaccine `i`'s (0 = a, 1 = b) lowest IgG from day 0 as a share of its day-0 level
    /// (`None` before day 0 or for a patient without that antibody).
    pub fn lowest_share_of_day0(&self, i: usize) -> Option<f64> {
        let day0 = self.day0_mg_per_l[i].filter(|&d| d > 0.0)?;
        Some(self.lowest_mg_per_l[i]? / day0)
    }

    /// The endpoints, named with their units.
    pub fn columns(&self) -> [(&'static str, Option<f64>); 4] {
        [
            ("vaccine_a_igg_day0_mg_per_L", self.day0_mg_per_l[0]),
            (
                "vaccine_a_igg_lowest_fraction_of_day0",
                self.lowest_share_of_day0(0),
            ),
            ("vaccine_b_igg_day0_mg_per_L", self.day0_mg_per_l[1]),
            (
                "vaccine_b_igg_lowest_fraction_of_day0",
                self.lowest_share_of_day0(1),
            ),
        ]
    }
}
