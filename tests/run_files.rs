//! What a run leaves on disk when it is killed, refused for memory or replaced with
//! `--force`: complete rows, no output, no file of the earlier run.

use crate::support::*;
use std::process::Command;

/// A run killed mid-way (as by Ctrl-C or the OOM killer) leaves per-day files whose
/// every line is a complete row, and no partial summary.
#[test]
fn a_killed_run_leaves_complete_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(
        tmp.path(),
        "long.toml",
        "[scenario]\npreset = \"sle\"\ndays = 3000\nburn_in_days = 0\n[resolution]\ncells_per_agent = 1e7\n",
    );
    let out = tmp.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_immunosim"))
        .args([
            "run",
            scenario.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    // Wait until some days are on disk, then kill without warning.
    let serology = out.join("serology.csv");
    for _ in 0..600 {
        let lines = std::fs::read_to_string(&serology)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if lines > 20 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    for (name, columns) in [
        ("timeseries.csv", TIMESERIES_COLUMNS),
        ("serology.csv", SEROLOGY_COLUMNS),
        ("events.csv", 3),
    ] {
        let text = std::fs::read_to_string(out.join(name)).unwrap();
        assert!(text.ends_with('\n'), "{name} ends in a torn line");
        let mut reader = csv::Reader::from_path(out.join(name)).unwrap();
        for record in reader.records() {
            assert_eq!(record.unwrap().len(), columns, "{name}");
        }
    }
    let lines = std::fs::read_to_string(&serology).unwrap().lines().count();
    assert!(
        lines > 20 && lines < 3002,
        "the run was not stopped mid-way ({lines} lines)"
    );
    assert!(
        !out.join("summary.csv").exists(),
        "summary.csv must be whole or absent"
    );
    assert!(
        std::fs::read_to_string(out.join("run.toml"))
            .unwrap()
            .contains("[run]")
    );
}

/// The default (Erlangen CD19) run refused for memory gets a host weight that fits: the
/// same scenario at that weight passes the same limit. Its CAR-T agents, bounded by the
/// agent budget whatever their weight, need ~70 MB of the limit themselves. Advice
/// coarser than the converged range (8e6, with the self-reactive B lineage held at its
/// own weight) carries a warning.
#[test]
fn a_run_that_would_not_fit_in_memory_is_refused_with_advice() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run_within = |scenario: Option<&str>, limit: &str| {
        let mut args = vec!["run"];
        args.extend(scenario);
        args.extend(["--max-memory", limit, "-q", "--out", out.to_str().unwrap()]);
        immunosim(&args, &[])
    };
    let o = run_within(None, "120M");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    // ~1.1e7: beyond the converged 8e6, and the advice says so.
    assert!(
        stderr.contains("at a cost: beyond 8e6 results are not converged"),
        "{stderr}"
    );
    let run = |scenario: Option<&str>| run_within(scenario, "160M");
    let o = run(None);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("this run needs about") && stderr.contains("cells_per_agent ="),
        "{stderr}"
    );
    // The advised weight (~1.9e6) is within the converged range.
    assert!(!stderr.contains("at a cost"), "{stderr}");
    assert!(!out.exists());
    let weight: f64 = stderr
        .split("cells_per_agent = ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let erlangen = replace_once(
        include_str!("../scenarios/sle_cd19_erlangen.toml"),
        "days = 365\nburn_in_days = 365\n",
        "days = 1\nburn_in_days = 10\n",
    );
    let scenario = write(
        tmp.path(),
        "fit.toml",
        &format!("{erlangen}\n[resolution]\ncells_per_agent = {weight}\n"),
    );
    let o = run(Some(scenario.to_str().unwrap()));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// `--force` replaces an earlier run: over a CAR-T run's folder, a run without
/// products leaves no file of the earlier run (its `car_t.csv` used to stay); a folder
/// with a user's file is refused and kept.
#[test]
fn force_over_an_earlier_car_t_run_leaves_no_file_of_it() {
    let tmp = tempfile::tempdir().unwrap();
    let treated = write(
        tmp.path(),
        "treated.toml",
        &format!(
            "{SMALL}[[products]]\nname = \"CD19\"\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\n"
        ),
    );
    let untreated = write(tmp.path(), "untreated.toml", SMALL);
    let out = tmp.path().join("out");
    run_ok(&treated, &out);
    assert!(out.join("car_t.csv").exists());
    std::fs::write(out.join("checkpoint.ckpt"), "earlier").unwrap();
    let forced = |scenario: &std::path::Path| {
        let args = ["run", scenario.to_str().unwrap(), "-q", "--force", "--out"];
        immunosim(&[&args[..], &[out.to_str().unwrap()]].concat(), &[])
    };
    let o = forced(&untreated);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "events.csv",
            "immunosim.lock",
            "run.toml",
            "serology.csv",
            "summary.csv",
            "timeseries.csv"
        ]
    );
    let fresh = tmp.path().join("fresh");
    run_ok(&untreated, &fresh);
    assert_eq!(output_files(&out), output_files(&fresh));
    // A file immunosim does not write: refused (exit 2) and nothing removed.
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let o = forced(&treated);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("notes.txt"), "{stderr}");
    assert!(out.join("summary.csv").exists() && out.join("notes.txt").exists());
}
