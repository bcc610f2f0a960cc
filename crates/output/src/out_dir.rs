//! The output directory: created, or cleared of an earlier run's files with `--force`.

use crate::error::{OutputError, io};
use crate::lock::LOCK_FILE;
use std::path::Path;

/// The files a run writes into its directory. `--force` removes these (and their
/// temporary names, and checkpoints) and nothing else.
pub const RUN_FILES: &[&str] = &[
    "timeseries.csv",
    "serology.csv",
    "events.csv",
    "car_t.csv",
    "products.csv",
    "summary.csv",
    "run.toml",
    REPORT_FILE,
];

/// The report page `immunosim report` (or `run --report`) writes into a run folder.
pub const REPORT_FILE: &str = "report.html";

/// The file of one report panel: `plot_<panel>.svg`, beside the page.
pub fn plot_file(panel: &str) -> String {
    format!("{PLOT_PREFIX}{panel}.svg")
}

const PLOT_PREFIX: &str = "plot_";

/// Whether immunosim writes a file of this name: a [`RUN_FILES`] name, its temporary
/// name while it is written atomically (`summary.tmp`, or `summary.csv.tmp`), or a
/// checkpoint (`checkpoint*.ckpt`, `*.ckpt.tmp`), or a report panel (`plot_*.svg`, `plot_*.tmp`).
pub fn is_run_file(name: &str) -> bool {
    let temporary = RUN_FILES.iter().any(|file| {
        let stem = file.rsplit_once('.').map_or(*file, |(stem, _)| stem);
        name == format!("{stem}.tmp") || name == format!("{file}.tmp")
    });
    let checkpoint =
        (name.starts_with("checkpoint") && name.ends_with(".ckpt")) || name.ends_with(".ckpt.tmp");
    RUN_FILES.contains(&name)
        || temporary
        || checkpoint
        || is_report_file(name)
        || name == LOCK_FILE
}

/// Whether `immunosim report` writes a file of this name into a run or cohort folder:
/// the page, a panel (`plot_*.svg`), or their temporary names while written.
pub fn is_report_file(name: &str) -> bool {
    let plot = name.starts_with(PLOT_PREFIX) && (name.ends_with(".svg") || name.ends_with(".tmp"));
    plot || name == REPORT_FILE || name == "report.tmp"
}

/// Creates `dir`. An existing non-empty one (its lock file aside) is refused, unless `force`: then the
/// earlier run's files are removed so that two runs never mix (a scenario without
/// products must not leave the earlier run's `car_t.csv` behind). A folder holding any
/// file immunosim does not write (or a sub-folder) is refused even with `force`, and
/// nothing in it is removed: `--force` can never delete a user's other data.
pub fn prepare_out_dir(dir: &Path, force: bool) -> Result<(), OutputError> {
    if !dir.exists() {
        return std::fs::create_dir_all(dir).map_err(io(dir));
    }
    let mut ours = Vec::new();
    let mut foreign = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let is_dir = entry.file_type().map_err(io(&entry.path()))?.is_dir();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_dir && name == LOCK_FILE {
            // Held by this run (see `lock_out_dir`), never removed.
            continue;
        }
        if !is_dir && is_run_file(&name) {
            ours.push(entry.path());
        } else {
            foreign.push(name);
        }
    }
    if ours.is_empty() && foreign.is_empty() {
        return Ok(());
    }
    if !force {
        return Err(OutputError::NotEmpty(dir.to_path_buf()));
    }
    if !foreign.is_empty() {
        foreign.sort();
        return Err(OutputError::Foreign {
            dir: dir.to_path_buf(),
            files: foreign,
        });
    }
    for path in ours {
        std::fs::remove_file(&path).map_err(io(&path))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_files_temporaries_and_checkpoints_are_ours_nothing_else() {
        for name in [
            "car_t.csv",
            "run.toml",
            "summary.tmp",
            "run.tmp",
            "serology.csv.tmp",
            "checkpoint.ckpt",
            "checkpoint-day-30.ckpt",
            "checkpoint.ckpt.tmp",
            "report.html",
            "report.tmp",
            "plot_car_t.svg",
            "plot_car_t.tmp",
            "immunosim.lock",
        ] {
            assert!(is_run_file(name), "{name}");
        }
        for name in [
            "notes.txt",
            "car_t.csv.bak",
            "data.ckpt",
            "summary.csv~",
            "plot_car_t.png",
            "report.pdf",
            "",
        ] {
            assert!(!is_run_file(name), "{name}");
        }
    }

    #[test]
    fn force_removes_an_earlier_run_and_refuses_a_folder_with_other_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        prepare_out_dir(&dir, false).unwrap();
        for name in ["car_t.csv", "summary.tmp", "checkpoint.ckpt"] {
            std::fs::write(dir.join(name), "x").unwrap();
        }
        let refused = prepare_out_dir(&dir, false).unwrap_err();
        assert!(matches!(refused, OutputError::NotEmpty(_)), "{refused}");
        std::fs::write(dir.join(LOCK_FILE), "pid 1").unwrap();
        prepare_out_dir(&dir, true).unwrap();
        // Only the lock file is left: it is never removed, and alone it is no run.
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [LOCK_FILE]);
        prepare_out_dir(&dir, false).unwrap();
        // A user's file beside a run's: nothing is removed.
        std::fs::write(dir.join("summary.csv"), "x").unwrap();
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        std::fs::create_dir(dir.join("plots")).unwrap();
        let refused = prepare_out_dir(&dir, true).unwrap_err().to_string();
        assert!(refused.contains("notes.txt, plots"), "{refused}");
        assert!(dir.join("summary.csv").exists() && dir.join("notes.txt").exists());
    }
}
