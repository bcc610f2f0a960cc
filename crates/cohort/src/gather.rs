//! Every patient's parts gathered for the cohort outputs (a merge, the end of a run or
//! of `--resume`), each checked: its rows and series (`parts`), its economics part where
//! the cohort has economics, and the days each arm recorded, the same for every patient.

use crate::CohortError;
use crate::parts::{PatientParts, finished, read, series_path};
use crate::spec::CohortSpec;
use std::path::{Path, PathBuf};

/// Every patient's parts, each from the first of `dirs` that has them, checked against
/// the cohort: errors name the damaged file, or the patients with no results.
pub fn read_all(
    spec: &CohortSpec,
    patients: u64,
    dirs: &[&Path],
) -> Result<Vec<PatientParts>, CohortError> {
    let mut all = Vec::with_capacity(patients as usize);
    let mut from = Vec::with_capacity(patients as usize);
    let mut missing = Vec::new();
    for k in 0..patients {
        match dirs.iter().find(|d| finished(d, k)) {
            Some(dir) => {
                let mut parts = read(spec, dir, k)?;
                if spec.economics.is_some() {
                    parts.ledgers = crate::economics::read_part(spec, dir, k)?;
                }
                all.push(parts);
                from.push(series_path(dir, k));
            }
            None => missing.push(k),
        }
    }
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(10).map(|k| k.to_string()).collect();
        return Err(CohortError::Mismatch(format!(
            "{} of {patients} patients have no results in {} (patients {}{}); run their shards (or `--resume`) first",
            missing.len(),
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            shown.join(", "),
            if missing.len() > 10 { ", ..." } else { "" }
        )));
    }
    same_days(spec, &all, &from)?;
    Ok(all)
}

/// Every patient recorded the same days in each arm (the arm's scenario fixes them):
/// a series that differs was damaged, and both files are named.
fn same_days(spec: &CohortSpec, all: &[PatientParts], from: &[PathBuf]) -> Result<(), CohortError> {
    let days = |p: &PatientParts, a: usize| -> Vec<f64> {
        p.series.iter().filter(|s| s.0 == a).map(|s| s.1).collect()
    };
    for (a, arm) in spec.arms.iter().enumerate() {
        let Some(first) = all.first().map(|p| days(p, a)) else {
            continue;
        };
        if let Some(k) = (1..all.len()).find(|&k| days(&all[k], a) != first) {
            return Err(CohortError::Mismatch(format!(
                "{} and {}: arm {} recorded different days ({} and {} rows); one of them was damaged after it was written",
                from[0].display(),
                from[k].display(),
                arm.name,
                first.len(),
                days(&all[k], a).len()
            )));
        }
    }
    Ok(())
}
