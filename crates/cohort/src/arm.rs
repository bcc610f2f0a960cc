//! A treatment arm of a cohort (its own module so that the targets of `[[variability]]`,
//! which may name an arm's products, and the cohort file's reader both use it).

use immunosim_scenario::Scenario;

/// One treatment arm: its name and the patient's scenario with the arm's treatment.
#[derive(Clone, Debug)]
pub struct Arm {
    /// Name (letters, digits, `_`, `-`).
    pub name: String,
    /// What the arm gives.
    pub description: String,
    /// The cohort's patient (before draws) with the arm's treatment.
    pub scenario: Scenario,
}
