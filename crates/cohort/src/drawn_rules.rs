//! The scenario rules that involve more than one value (a shortest manufacturing time
//! no longer than the longest, days in order, ...) re-checked on every patient-arm's
//! drawn values. The cohort file's own check sees only the nominal values and each row's
//! bounds, so a draw can break such a rule (a uniform shortest manufacturing time drawn
//! above the fixed longest). Each patient-arm is checked by the scenario crate's whole
//! validation of its resolved scenario, before anything runs or is written.

use crate::patient::{self, DrawColumn, draw_columns, drawn_values};
use crate::{CohortError, CohortSpec};
use immunosim_scenario::RunStatus;
use rayon::prelude::*;

/// Patients whose problems are listed in full; the rest are counted.
const SHOWN: usize = 3;

/// The problems of patient `k` (of `n`)'s drawn arms, one line each (empty: none).
fn problems(spec: &CohortSpec, columns: &[DrawColumn], seed: u64, k: u64, n: u64) -> Vec<String> {
    let one = patient::patient(spec, seed, k, n);
    let mut lines = Vec::new();
    for (a, (arm, name)) in one.arms.iter().zip(&spec.arms).enumerate() {
        let name = &name.name;
        let text = patient::resolved(arm, 1, RunStatus::Running);
        let label = format!("patient {k}, arm {name}");
        let Err(errors) = immunosim_scenario::parse_str(&text, &label) else {
            continue;
        };
        let drawn: Vec<String> = columns
            .iter()
            .zip(drawn_values(spec, &one, a, columns))
            .filter_map(|(c, v)| v.map(|v| format!("{} = {v}", c.header)))
            .collect();
        for e in errors.0 {
            lines.push(format!(
                "patient {k}, arm {name}: {}: {} (drawn: {})",
                e.field,
                e.message,
                drawn.join(", ")
            ));
        }
    }
    lines
}

/// Checks the drawn scenarios of `patients` under cohort seed `seed`: an error listing
/// the first patients whose draws break a scenario rule, and how many do.
pub fn check(spec: &CohortSpec, seed: u64, patients: &[u64]) -> Result<(), CohortError> {
    let columns = draw_columns(spec);
    if columns.is_empty() {
        return Ok(());
    }
    // The cohort's size, for a queue by severity (`[facility]`): the file's, or more.
    let n = patients
        .iter()
        .map(|k| k + 1)
        .max()
        .unwrap_or(0)
        .max(spec.patients as u64);
    let found: Vec<Vec<String>> = patients
        .par_iter()
        .map(|&k| problems(spec, &columns, seed, k, n))
        .collect();
    let bad: Vec<&Vec<String>> = found.iter().filter(|p| !p.is_empty()).collect();
    if bad.is_empty() {
        return Ok(());
    }
    let mut message = format!(
        "the [[variability]] draws of {} of {} patients break a rule of the scenario; narrow the distributions or set their lower and upper bounds:",
        bad.len(),
        patients.len()
    );
    for line in bad.iter().take(SHOWN).flat_map(|p| p.iter()) {
        message.push_str("\n  ");
        message.push_str(line);
    }
    if bad.len() > SHOWN {
        message.push_str(&format!("\n  ... and {} more patients", bad.len() - SHOWN));
    }
    Err(CohortError::Mismatch(message))
}
