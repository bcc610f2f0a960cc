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
    let checkpoint =
        (name.starts_with("checkpoint") && name.ends_with(".ckpt")) || name.ends_with(".ckpt.tmp");
    RUN_FILES.iter().any(|file| is_written_as(name, file))
        || checkpoint
        || is_report_file(name)
        || name == LOCK_FILE
}

/// Whether `name` is `file` or one of its temporary names while it is written
/// atomically (`summary.tmp`, `summary.csv.tmp`).
pub fn is_written_as(name: &str, file: &str) -> bool {
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    name == file || name == format!("{stem}.tmp") || name == format!("{file}.tmp")
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
    prepare_dir(dir, force, &|name, is_dir| !is_dir && is_run_file(name))
}

/// Creates `dir`, or, with `force`, clears it of the entries `ours(name, is_dir)`
/// claims (folders whole). A non-empty folder is refused without `force`; one holding
/// any entry not claimed is refused even with it, and nothing is removed. A lock file
/// (held by a running run, see `lock_out_dir`) is never removed.
pub fn prepare_dir(
    dir: &Path,
    force: bool,
    ours: &dyn Fn(&str, bool) -> bool,
) -> Result<(), OutputError> {
    if !dir.exists() {
        return std::fs::create_dir_all(dir).map_err(io(dir));
    }
    let mut found = Vec::new();
    let mut foreign = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let is_dir = entry.file_type().map_err(io(&entry.path()))?.is_dir();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_dir && name == LOCK_FILE {
            continue;
        }
        if ours(&name, is_dir) {
            found.push((entry.path(), is_dir));
        } else {
            foreign.push(name);
        }
    }
    if found.is_empty() && foreign.is_empty() {
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
    for (path, is_dir) in found {
        let removed = if is_dir {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(io(&path))?;
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
