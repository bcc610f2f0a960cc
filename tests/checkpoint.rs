//! Checkpoints through the binary: a run killed at a random step and resumed equals the
//! uninterrupted run byte for byte at 1 and 2 threads; SIGINT stops cleanly and
//! resumes; damaged checkpoints are refused with exit 2 naming the file and the fault;
//! branches from a saved patient start from the same state and equal the arm run
//! without the branch.

use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn(args: &[&str], threads: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_immunosim"))
        .args(args)
        .env("RAYON_NUM_THREADS", threads)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts")
}

/// Starts `run SCENARIO -q --checkpoint-every EVERY --out OUT` in the background.
fn spawn_checkpointed(scenario: &Path, out: &Path, every: &str, threads: &str) -> Child {
    spawn(
        &[
            "run",
            scenario.to_str().unwrap(),
            "-q",
            "--checkpoint-every",
            every,
            "--out",
            out.to_str().unwrap(),
        ],
        threads,
    )
}

/// Runs `SCENARIO` for one recorded day, keeping the patient at the start of `day`;
/// returns the checkpoint's path.
fn save_patient(scenario: &Path, out: &Path, day: &str) -> PathBuf {
    let o = immunosim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "-q",
            "--days",
            "1",
            "--checkpoint-at",
            day,
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out.join(format!("checkpoint_day{day}.ckpt"))
}

/// `run SCENARIO -q --from CHECKPOINT --out OUT`.
fn branch(scenario: &Path, checkpoint: &Path, out: &Path) -> std::process::Output {
    immunosim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "-q",
            "--from",
            checkpoint.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    )
}

fn status_of(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("run.toml")).unwrap_or_default();
    let table: toml::Table = text.parse().unwrap_or_default();
    table
        .get("run")
        .and_then(|r| r.get("status"))
        .and_then(|s| s.as_str())
        .unwrap_or("")
        .to_string()
}

/// A pseudo-random delay in `0..max_ms` (the process id and a heap address, which
/// address-space randomisation moves): the kill lands on a different step each time
/// the suite runs.
fn random_delay(max_ms: u64) -> Duration {
    let heap = Box::new(0u8);
    let address = std::ptr::from_ref::<u8>(&heap) as u64;
    let mixed = (address ^ u64::from(std::process::id())).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    Duration::from_millis((mixed >> 32) % max_ms)
}

/// Starts `run SCENARIO --checkpoint-every 0.5` and kills it (SIGKILL) at a random
/// moment after its first checkpoint; retried with shorter delays if the run finished
/// first. Returns the output folder, left mid-run.
fn killed_run(scenario: &Path, out: &Path, threads: &str) -> PathBuf {
    for max_ms in [1500, 400, 100, 10] {
        let _ = std::fs::remove_dir_all(out);
        let mut child = spawn_checkpointed(scenario, out, "0.5", threads);
        let started = Instant::now();
        while !out.join("checkpoint.ckpt").exists() && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(random_delay(max_ms));
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        if status_of(out) == "running" {
            return out.to_path_buf();
        }
    }
    panic!("the run always finished before it could be killed");
}

fn resume(dir: &Path, threads: &str) -> std::process::Output {
    immunosim(
        &["resume", dir.to_str().unwrap(), "-q"],
        &[("RAYON_NUM_THREADS", threads)],
    )
}

#[test]
fn a_run_killed_at_a_random_step_resumes_to_the_uninterrupted_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "cd19.toml", CD19_CAR_T);
    let whole = tmp.path().join("whole");
    run_ok(&scenario, &whole);
    let expected = output_files(&whole);
    for (killed_at, resumed_at) in [("1", "2"), ("2", "1")] {
        let dir = killed_run(
            &scenario,
            &tmp.path().join(format!("k{killed_at}")),
            killed_at,
        );
        let o = resume(&dir, resumed_at);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(status_of(&dir), "finished");
        for ((name, bytes), (_, want)) in output_files(&dir).iter().zip(&expected) {
            assert!(
                bytes == want,
                "{name} differs after kill at {killed_at} threads, resume at {resumed_at}"
            );
        }
        assert_eq!(output_files(&dir).len(), expected.len());
    }
}

#[test]
fn sigint_stops_at_a_step_boundary_and_the_run_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    // 600 recorded days (~6 s): the signal, sent 0.3 s in, always lands mid-run.
    let long = CD19_CAR_T.replace("days = 60\n", "days = 600\n");
    let scenario = write(tmp.path(), "cd19.toml", &long);
    let whole = tmp.path().join("whole");
    run_ok(&scenario, &whole);
    let out = tmp.path().join("int");
    let mut child = spawn_checkpointed(&scenario, &out, "20", "2");
    while !out.join("events.csv").exists() {
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(300));
    let pid = child.id().to_string();
    Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill runs");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "the run was not interrupted");
    assert_eq!(status_of(&out), "interrupted");
    let events = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(
        events.lines().last().unwrap().contains(",run_interrupted,"),
        "{events}"
    );
    assert!(
        !out.join("summary.csv").exists(),
        "no summary for an unfinished run"
    );
    let o = resume(&out, "1");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(output_files(&out), output_files(&whole));
}

#[test]
fn damaged_checkpoints_are_refused_naming_the_file_and_the_fault() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "small.toml", SMALL);
    let good = save_patient(&scenario, &tmp.path().join("good"), "-5");
    let bytes = std::fs::read(&good).unwrap();
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 3] ^= 0x01;
    let mut version = bytes.clone();
    version[8] = version[8].wrapping_add(1);
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "truncated",
            bytes[..bytes.len() * 2 / 3].to_vec(),
            "truncated",
        ),
        ("flipped", flipped, "checksum"),
        ("version", version, "format version"),
    ];
    for (name, damaged, fault) in cases {
        let dir = tmp.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("checkpoint.ckpt");
        std::fs::write(&path, &damaged).unwrap();
        for o in [
            resume(&dir, "2"),
            branch(&scenario, &path, &dir.join("arm")),
        ] {
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{name}: {stderr}");
            assert!(
                stderr.contains(path.to_str().unwrap()) && stderr.contains(fault),
                "{name}: {stderr}"
            );
        }
        assert!(
            !dir.join("arm").exists(),
            "{name}: nothing written for a refused branch"
        );
    }
}

#[test]
fn arms_branched_from_a_saved_patient_start_identical_and_match_unbranched_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let patient = write(tmp.path(), "untreated.toml", &coarse_untreated());
    let saved = tmp.path().join("patient");
    let checkpoint = save_patient(&patient, &saved, "-20");
    let cd19 = write(tmp.path(), "cd19.toml", CD19_CAR_T);
    let cocktail = write(
        tmp.path(),
        "cocktail.toml",
        &with_products(
            "[[products]]\nname = \"CD19+BCMA\"\ntargets = [\"CD19\", \"BCMA\"]\ndose_cells_per_kg = 1e6\n",
        ),
    );
    let arm = |scenario: &Path, name: &str| {
        let out = tmp.path().join(name);
        let o = branch(scenario, &checkpoint, &out);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    };
    let (a, b) = (arm(&cd19, "arm_cd19"), arm(&cocktail, "arm_cocktail"));
    // The first recorded day is the saved patient's baseline in both arms.
    for file in ["timeseries.csv", "serology.csv"] {
        let first_day = |dir: &Path| -> Vec<String> {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            let day = text
                .lines()
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap()
                .to_string();
            text.lines()
                .skip(1)
                .filter(|l| l.starts_with(&format!("{day},")))
                .map(String::from)
                .collect()
        };
        assert_eq!(first_day(&a), first_day(&b), "{file}");
        assert!(!first_day(&a).is_empty());
    }
    // The branch is the arm run without it: the same patient until the checkpoint.
    let whole = tmp.path().join("whole");
    run_ok(&cd19, &whole);
    assert_same_as_unbranched(&a, &whole);
    // An arm whose treatment starts before the checkpoint does not fit it.
    let late = save_patient(&patient, &saved.join("late"), "-2");
    let o = branch(&cd19, &late, &tmp.path().join("bad"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("before the checkpoint's day -2"),
        "{stderr}"
    );
    let heavier = write(
        tmp.path(),
        "heavier.toml",
        &CD19_CAR_T.replace("[resolution]", "[patient]\nweight_kg = 90\n[resolution]"),
    );
    let o = branch(&heavier, &checkpoint, &tmp.path().join("bad2"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("patient.weight_kg = 90"), "{stderr}");
}
