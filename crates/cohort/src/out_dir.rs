//! A cohort's output folder: created, or with `--force` cleared of an earlier cohort's
//! files (and nothing else: a folder holding other files is refused).

use crate::CohortError;
use crate::{economics, manifest, parts, report};
use std::path::Path;

/// The files and folders a cohort writes.
const COHORT_FILES: &[&str] = &[
    manifest::FILE,
    report::COHORT_CSV,
    report::SUMMARY_CSV,
    report::SURVIVAL_CSV,
    report::TIMESERIES_CSV,
    economics::ECONOMICS_CSV,
    economics::ECONOMICS_SUMMARY_CSV,
    economics::CEAC_CSV,
    crate::report::queue::QUEUE_CSV,
    crate::report::queue::QUEUE_SUMMARY_CSV,
];

fn ours(name: &str, is_dir: bool) -> bool {
    if is_dir {
        return name == parts::DIR || name == "patients";
    }
    immunosim_output::out_dir::is_report_file(name)
        || COHORT_FILES
            .iter()
            .any(|f| immunosim_output::out_dir::is_written_as(name, f))
}

/// Creates `dir`; a non-empty one is refused unless `force`, which removes an earlier
/// cohort's files (`parts/`, `patients/` and the outputs) but refuses any other file.
pub fn prepare(dir: &Path, force: bool) -> Result<(), CohortError> {
    use immunosim_output::OutputError;
    immunosim_output::out_dir::prepare_dir(dir, force, &ours).map_err(|e| match e {
        OutputError::NotEmpty(dir) => CohortError::Mismatch(format!(
            "{} is not empty: give another --out, --resume to continue the cohort in it, or --force to replace it",
            dir.display()
        )),
        OutputError::Foreign { dir, files } => CohortError::Mismatch(format!(
            "{} holds files a cohort does not write ({}); --force removes only a cohort's files, so choose another --out",
            dir.display(),
            files.join(", ")
        )),
        other => CohortError::Output(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn force_clears_a_cohort_folder_and_refuses_a_folder_with_other_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("c");
        prepare(&dir, false).unwrap();
        for f in [
            manifest::FILE,
            report::COHORT_CSV,
            "cohort_summary.tmp",
            "report.html",
        ] {
            std::fs::write(dir.join(f), "x").unwrap();
        }
        std::fs::create_dir_all(dir.join(parts::DIR)).unwrap();
        std::fs::write(dir.join(parts::DIR).join("patient_000000.csv"), "x").unwrap();
        let e = prepare(&dir, false).unwrap_err().to_string();
        assert!(e.contains("is not empty") && e.contains("--resume"), "{e}");
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        let e = prepare(&dir, true).unwrap_err().to_string();
        assert!(e.contains("a cohort does not write (notes.txt)"), "{e}");
        assert!(
            dir.join(parts::DIR).is_dir(),
            "nothing removed when refused"
        );
        std::fs::remove_file(dir.join("notes.txt")).unwrap();
        prepare(&dir, true).unwrap();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    }
}
