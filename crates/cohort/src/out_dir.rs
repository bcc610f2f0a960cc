//! A cohort's output folder: created, or with `--force` cleared of an earlier cohort's
//! files (and nothing else: a folder holding other files is refused).

use crate::CohortError;
use crate::{manifest, parts, report};
use std::path::Path;

/// The files and folders a cohort writes.
const COHORT_FILES: &[&str] = &[
    manifest::FILE,
    report::COHORT_CSV,
    report::SUMMARY_CSV,
    report::SURVIVAL_CSV,
    report::TIMESERIES_CSV,
    crate::queue::output::QUEUE_CSV,
    crate::queue::output::QUEUE_SUMMARY_CSV,
];

fn ours(name: &str) -> bool {
    immunosim_output::out_dir::is_report_file(name)
        || COHORT_FILES.iter().any(|f| {
            name == *f
                || name == format!("{f}.tmp")
                || Some(name)
                    == f.rsplit_once('.')
                        .map(|(s, _)| format!("{s}.tmp"))
                        .as_deref()
        })
}

/// Creates `dir`; a non-empty one is refused unless `force`, which removes an earlier
/// cohort's files (`parts/`, `patients/` and the outputs) but refuses any other file.
pub fn prepare(dir: &Path, force: bool) -> Result<(), CohortError> {
    if !dir.exists() {
        return std::fs::create_dir_all(dir).map_err(|e| CohortError::io(dir, e));
    }
    let mut found = Vec::new();
    let mut foreign = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| CohortError::io(dir, e))? {
        let entry = entry.map_err(|e| CohortError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.path().is_dir();
        if (is_dir && (name == parts::DIR || name == "patients")) || (!is_dir && ours(&name)) {
            found.push(entry.path());
        } else {
            foreign.push(name);
        }
    }
    if found.is_empty() && foreign.is_empty() {
        return Ok(());
    }
    if !force {
        return Err(CohortError::Mismatch(format!(
            "{} is not empty: give another --out, --resume to continue the cohort in it, or --force to replace it",
            dir.display()
        )));
    }
    if !foreign.is_empty() {
        foreign.sort();
        return Err(CohortError::Mismatch(format!(
            "{} holds files a cohort does not write ({}); --force removes only a cohort's files, so choose another --out",
            dir.display(),
            foreign.join(", ")
        )));
    }
    for path in found {
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| CohortError::io(&path, e))?;
    }
    Ok(())
}
