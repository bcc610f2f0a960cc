//! Faults through the binary: a full disk (a file-size limit, and a small tmpfs where
//! the test may mount one) leaves every per-day CSV ending with whole rows of one last
//! day and exits 1 naming the file; a CAR-T pool that outgrows the memory allowed stops
//! cleanly; a folder in use is refused, and a killed run's lock does not block; run.toml
//! carries the build's provenance.

use crate::support::*;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_immunosim");

/// SMALL recorded for 800 days: ~3.5 MiB of timeseries.csv in a second or two.
fn long_small() -> String {
    SMALL.replace("days = 40\n", "days = 800\n")
}

/// Every per-day CSV of `dir` parses, each row with its header's number of fields and
/// the file ending with a newline; the daily files end on the same day, with as many
/// timeseries rows on it as on the first day (none missing), and no event is later.
/// Returns that last day.
fn assert_whole_days(dir: &Path) -> f64 {
    let rows = |name: &str| -> Vec<csv::StringRecord> {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        assert!(bytes.ends_with(b"\n"), "{name} ends inside a row");
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let width = reader.headers().unwrap().len();
        reader
            .records()
            .map(|r| {
                let r = r.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(r.len(), width, "{name}: {r:?}");
                r
            })
            .collect()
    };
    let day = |r: &csv::StringRecord| r[0].parse::<f64>().unwrap();
    let timeseries = rows("timeseries.csv");
    let serology = rows("serology.csv");
    assert!(!serology.is_empty(), "no whole day at all");
    let last = day(serology.last().unwrap());
    let on = |d: f64| timeseries.iter().filter(|r| day(r) == d).count();
    assert_eq!(day(timeseries.last().unwrap()), last);
    assert_eq!(
        on(last),
        on(day(&timeseries[0])),
        "the last day is incomplete"
    );
    if dir.join("car_t.csv").exists() {
        assert_eq!(day(rows("car_t.csv").last().unwrap()), last);
    }
    assert!(rows("events.csv").iter().all(|r| day(r) <= last));
    last
}

#[test]
fn a_file_size_limit_mid_run_leaves_whole_days_and_exits_1_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "small.toml", &long_small());
    let out = tmp.path().join("out");
    // RLIMIT_FSIZE of 2 MiB per file (above the ~1 MiB checkpoint): the write that
    // crosses it is cut short and the next fails with EFBIG (SIGXFSZ ignored, so that
    // it is a plain error, as a full disk's ENOSPC is).
    let script = "trap '' XFSZ; ulimit -f 2048; exec \"$0\" \"$@\"";
    let o = Command::new("bash")
        .args(["-c", script, BIN, "run", scenario.to_str().unwrap(), "-q"])
        .args(["--checkpoint-every", "1000", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("timeseries.csv"), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(
        stderr.contains("was cut back to the end of day"),
        "{stderr}"
    );
    assert!(stderr.contains("immunosim resume"), "{stderr}");
    let last = assert_whole_days(&out);
    assert!(last > 0.0 && last < 800.0, "last whole day {last}");
    // Freed of the limit, the run resumes from its checkpoint to the whole outputs.
    let o = immunosim(&["resume", out.to_str().unwrap(), "-q"], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let whole = tmp.path().join("whole");
    run_ok(&scenario, &whole);
    assert_eq!(output_files(&out), output_files(&whole));
}

#[test]
fn a_full_tmpfs_leaves_whole_days_and_exits_1_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "small.toml", &long_small());
    let (disk, kept) = (tmp.path().join("disk"), tmp.path().join("kept"));
    std::fs::create_dir_all(&disk).unwrap();
    // A 300 KiB tmpfs in a mount namespace of its own (gone with the process); the
    // outputs are copied out before it ends.
    let script = "mount -t tmpfs -o size=300k tmpfs \"$1\" || exit 99\n\
                  \"$0\" run \"$2\" -q --out \"$1/out\" 2> \"$3.stderr\"; echo $? > \"$3.rc\"\n\
                  cp -r \"$1/out\" \"$3\"";
    let o = Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
            BIN,
        ])
        .args([&disk, &scenario, &kept])
        .stderr(Stdio::null())
        .output();
    if !o.is_ok_and(|o| o.status.success()) {
        eprintln!("NOTICE: skipped: this test cannot mount a tmpfs (needs root and unshare)");
        return;
    }
    let rc = std::fs::read_to_string(tmp.path().join("kept.rc")).unwrap();
    let stderr = std::fs::read_to_string(tmp.path().join("kept.stderr")).unwrap();
    assert_eq!(rc.trim(), "1", "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(stderr.contains(".csv"), "{stderr}");
    assert!(stderr.contains("was cut back to"), "{stderr}");
    assert_whole_days(&kept);
}

/// CD19 CAR-T cells that never kill, never exhaust and meet no carrying capacity: the
/// pool doubles with every division, far beyond the start-up estimate's allowance (at a
/// fixed CAR-T weight: a budget would hold the agents).
fn runaway() -> String {
    CD19_CAR_T
        .replace(
            "cells_per_agent = 3e6\n",
            "cells_per_agent = 2e7\ncar_t_agent_budget = 0\n",
        )
        .replace("car_t = 3e5\n", "car_t = 3e6\n")
        .replace("burn_in_days = 120\n", "burn_in_days = 60\n")
        + "[parameters.car_t]\nkill_probability = 0\nexhaustion_stimulations = 1000\n\
           carrying_capacity_cells = 1e14\n"
}

#[test]
fn a_car_t_pool_outgrowing_the_memory_allowed_stops_cleanly_with_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let text = runaway();
    let scenario = write(tmp.path(), "runaway.toml", &text);
    let config = immunosim_scenario::parse_str(&text, "runaway.toml")
        .unwrap()
        .config;
    // Just above the start-up estimate: the run starts, and its CAR-T pool outgrows it.
    let limit = (immunosim_engine::memory::estimate_peak_bytes(&config) * 1.05) as u64;
    let out = tmp.path().join("out");
    let o = Command::new(BIN)
        .args([
            "run",
            scenario.to_str().unwrap(),
            "-q",
            "--checkpoint-every",
            "5",
        ])
        .args([
            "--max-memory",
            &limit.to_string(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    for words in [
        "the CAR-T cells grew to",
        "--max-memory",
        "[resolution.cells_per_agent_by_kind] car_t =",
    ] {
        assert!(stderr.contains(words), "`{words}` not in {stderr}");
    }
    let last = assert_whole_days(&out);
    assert!(last > 0.0 && last < 60.0, "stopped on day {last}");
    let events = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(
        events.lines().last().unwrap().contains(",memory_limit,"),
        "{events}"
    );
    let manifest = std::fs::read_to_string(out.join("run.toml")).unwrap();
    assert!(manifest.contains("status = \"interrupted\""));
    assert!(
        out.join("checkpoint.ckpt").exists(),
        "no checkpoint at the stop"
    );
    // The checkpoint is of the stop: resumed with the same limit it does not run on.
    // Either the saved agents already exceed the limit and the resume is refused before
    // it writes anything (exit 2), or they are just under it and the run stops again
    // within a step (exit 1); which depends on how far the last step overshot.
    let o = Command::new(BIN)
        .args([
            "resume",
            out.to_str().unwrap(),
            "-q",
            "--max-memory",
            &limit.to_string(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let again = assert_whole_days(&out);
    match o.status.code() {
        Some(2) => {
            assert!(stderr.contains("--max-memory"), "{stderr}");
            assert_eq!(again, last, "a refused resume wrote days");
        }
        Some(1) => assert!((last..=last + 1.0).contains(&again), "{last} then {again}"),
        code => panic!("resume exited with {code:?}: {stderr}"),
    }
}

/// Waits until `path` exists (a run's first output), at most a minute.
fn wait_for(path: &Path) {
    let started = Instant::now();
    while !path.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{} never came",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn run_into(scenario: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "-q",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    immunosim(&args, &[])
}

#[test]
fn a_folder_in_use_is_refused_and_a_killed_runs_lock_does_not_block() {
    let tmp = tempfile::tempdir().unwrap();
    // Years of coarse days: still running when the others try the folder.
    let long = write(
        tmp.path(),
        "long.toml",
        &SMALL.replace("days = 40\n", "days = 30000\n"),
    );
    let out = tmp.path().join("out");
    let first = Command::new(BIN)
        .args([
            "run",
            long.to_str().unwrap(),
            "-q",
            "--checkpoint-every",
            "10",
        ])
        .args(["--out", out.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed however the test ends (a failed assertion must not leave it running).
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut first = KillOnDrop(first);
    wait_for(&out.join("checkpoint.ckpt"));
    let small = write(tmp.path(), "small.toml", SMALL);
    let pid = format!("pid {}", first.0.id());
    for (what, o) in [
        ("run", run_into(&small, &out, &[])),
        ("run --force", run_into(&small, &out, &["--force"])),
        (
            "resume",
            immunosim(&["resume", out.to_str().unwrap(), "-q"], &[]),
        ),
    ] {
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{what}: {stderr}");
        assert!(
            stderr.contains("in use by another immunosim run"),
            "{what}: {stderr}"
        );
        assert!(stderr.contains(&pid), "{what}: {stderr}");
    }
    assert!(
        first.0.try_wait().unwrap().is_none(),
        "the first run was disturbed"
    );
    assert!(
        out.join("checkpoint.ckpt").exists(),
        "--force cleared a folder in use"
    );
    first.0.kill().unwrap(); // SIGKILL: it has no chance to release anything itself
    first.0.wait().unwrap();
    let o = run_into(&small, &out, &["--force"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("summary.csv").exists());
}

#[test]
fn run_toml_carries_the_provenance_and_the_csvs_do_not() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "small.toml", SMALL);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run_ok(&scenario, &a);
    std::thread::sleep(Duration::from_millis(1100));
    let o = immunosim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "-q",
            "-j",
            "1",
            "--out",
            b.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let run = |dir: &Path| -> toml::Table {
        let text = std::fs::read_to_string(dir.join("run.toml")).unwrap();
        text.parse::<toml::Table>().unwrap()["run"]
            .as_table()
            .unwrap()
            .clone()
    };
    let (ra, rb) = (run(&a), run(&b));
    let text = |t: &toml::Table, key: &str| t[key].as_str().unwrap().to_string();
    assert_eq!(text(&ra, "version"), env!("CARGO_PKG_VERSION"));
    let commit = text(&ra, "commit");
    let hash = commit.trim_end_matches("-dirty");
    assert!(
        commit == "unknown" || (hash.len() == 40 && hash.chars().all(|c| c.is_ascii_hexdigit())),
        "{commit}"
    );
    assert!(text(&rb, "command").ends_with(&format!("-j 1 --out {}", b.display())));
    assert_eq!(rb["threads"].as_integer(), Some(1));
    let started = text(&ra, "started");
    assert_eq!(started.len(), 20, "{started}");
    assert!(
        started.starts_with("20") && started.ends_with('Z'),
        "{started}"
    );
    assert_ne!(started, text(&rb, "started"));
    assert_eq!(output_files(&a), output_files(&b));
}
