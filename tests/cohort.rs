//! Cohorts through the binary: the outputs do not depend on threads, shards or a kill
//! and `--resume`; patient K's arm run alone matches its rows and is the arm run
//! without the branch; adding patients or arms changes no other rows; cohort files'
//! errors name the cohort file's own lines.

use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A coarse cohort: three patients who differ in weight, CAR-T doubling time (with a
/// correlation) and dose, in a CD19 arm and a standard-of-care arm.
const COHORT: &str = "[scenario]\nname = \"tiny\"\npreset = \"sle\"\ndays = 30\nburn_in_days = 30\nseed = 5\n\
    [resolution]\ncells_per_agent = 2e7\n[resolution.cells_per_agent_by_kind]\ncar_t = 1e6\n\
    [cohort]\npatients = 3\n\
    [[variability]]\ntarget = \"patient.weight_kg\"\ndistribution = \"lognormal\"\ncv = 0.2\nlower = 40\nupper = 120\n\
    [[variability]]\ntarget = \"parameters.car_t.doubling_time_days\"\ndistribution = \"lognormal\"\nomega2 = 0.005\n\
    [[variability]]\ntarget = \"products.dose_cells_per_kg\"\ndistribution = \"lognormal\"\ncv = 0.3\n\
    [[correlations]]\nfirst = \"patient.weight_kg\"\nsecond = \"parameters.car_t.doubling_time_days\"\nrho = 0.3\n\
    [[arms]]\nname = \"cd19\"\n\
    [arms.lymphodepletion]\nfludarabine_mg_per_m2_per_day = 25\nfludarabine_days = [-5, -4, -3]\n\
    cyclophosphamide_mg_per_m2_per_day = 1000\ncyclophosphamide_days = [-3]\n\
    [[arms.products]]\nname = \"CD19\"\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\n\
    [[arms]]\nname = \"soc\"\n";

/// An arm whose treatment starts earlier than the others' (so that the cohort
/// branches its patients earlier).
const EARLY_ARM: &str = "[[arms]]\nname = \"early\"\n\
    [[arms.products]]\nname = \"CD19\"\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\ninfusion_day = -10\n";

/// The files every cohort writes.
const OUTPUTS: [&str; 4] = [
    "cohort.csv",
    "cohort_summary.csv",
    "survival.csv",
    "cohort_timeseries.csv",
];

pub fn outputs(dir: &Path) -> Vec<(String, String)> {
    OUTPUTS
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(dir.join(f))
                .unwrap_or_else(|e| panic!("{}: {e}", dir.join(f).display()));
            (f.to_string(), text)
        })
        .collect()
}

fn cohort(scenario: &Path, out: &Path, extra: &[&str], threads: &str) {
    let mut args = vec![
        "cohort",
        scenario.to_str().unwrap(),
        "-q",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    let o = immunosim(&args, &[("RAYON_NUM_THREADS", threads)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The reference run (2 threads, patients kept), shared by the tests.
pub fn reference() -> &'static (PathBuf, PathBuf) {
    static REFERENCE: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap().keep();
        let scenario = write(&tmp, "tiny.toml", COHORT);
        let out = tmp.join("reference");
        cohort(&scenario, &out, &["--keep-patients"], "2");
        (scenario, out)
    })
}

fn rows(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("cohort.csv"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn a_cohort_is_the_same_at_1_thread_and_in_3_merged_shards() {
    let (scenario, reference) = reference();
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one_thread");
    cohort(scenario, &one, &[], "1");
    assert_eq!(outputs(&one), outputs(reference));
    let shards: Vec<PathBuf> = (0..3)
        .map(|i| {
            let dir = tmp.path().join(format!("shard{i}"));
            cohort(scenario, &dir, &["--shard", &format!("{i}/3")], "1");
            assert!(
                !dir.join("cohort.csv").exists(),
                "a shard leaves merging to merge"
            );
            dir
        })
        .collect();
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|d| d.to_str().unwrap()));
    args.extend(["--out", merged.to_str().unwrap()]);
    let o = immunosim(&args, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(outputs(&merged), outputs(reference));
    // Two shards of three are not a cohort.
    let o = immunosim(
        &[
            "merge",
            shards[0].to_str().unwrap(),
            shards[1].to_str().unwrap(),
            "--out",
            tmp.path().join("partial").to_str().unwrap(),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("1 of 3 patients have no results") && stderr.contains("patients 2"),
        "{stderr}"
    );
}

#[test]
fn patient_k_run_alone_matches_its_rows_and_is_the_arm_without_the_branch() {
    let (scenario, reference) = reference();
    let tmp = tempfile::tempdir().unwrap();
    let alone = tmp.path().join("p1_cd19");
    let o = immunosim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--patient",
            "1",
            "--arm",
            "cd19",
            "-q",
            "--out",
            alone.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The same files as the cohort kept for that patient-arm.
    let kept = reference.join("patients/patient_000001/cd19");
    assert_eq!(output_files(&alone), output_files(&kept));
    // Its endpoints are the cohort's row.
    let summary = std::fs::read_to_string(alone.join("summary.csv")).unwrap();
    let (head, values) = summary.split_once('\n').unwrap();
    let value_of = |name: &str| {
        let i = head.split(',').position(|h| h == name).unwrap();
        values.trim_end().split(',').nth(i).unwrap().to_string()
    };
    let header = rows(reference)[0].clone();
    let row = rows(reference)
        .into_iter()
        .find(|r| r.starts_with("1,cd19,"))
        .unwrap();
    let cell = |name: &str| {
        let i = header.split(',').position(|h| h == name).unwrap();
        row.split(',').nth(i).unwrap().to_string()
    };
    for name in [
        "car_t_cmax_per_uL",
        "car_t_tmax_day",
        "igg_nadir_g_per_L",
        "remission_day",
    ] {
        assert_eq!(value_of(name), cell(name), "{name}");
    }
    // The patient-arm's run.toml, run as a plain scenario from its own burn-in, gives
    // the same outputs: the branch changes nothing (common random numbers).
    let plain = tmp.path().join("plain");
    run_ok(&alone.join("run.toml"), &plain);
    assert_same_as_unbranched(&alone, &plain);
}

#[test]
fn adding_patients_or_an_arm_changes_no_other_rows() {
    let (_, reference) = reference();
    let tmp = tempfile::tempdir().unwrap();
    let more = write(
        tmp.path(),
        "more.toml",
        &format!("{COHORT}{EARLY_ARM}").replace("patients = 3", "patients = 4"),
    );
    let out = tmp.path().join("more");
    cohort(&more, &out, &["--patients", "4"], "2");
    let bigger = rows(&out);
    let before = rows(reference);
    assert_eq!(bigger[0], before[0], "the columns are the same");
    let kept: Vec<&String> = bigger
        .iter()
        .skip(1)
        .filter(|r| !r.contains(",early,") && !r.starts_with("3,"))
        .collect();
    assert_eq!(kept, before.iter().skip(1).collect::<Vec<_>>());
    assert_eq!(bigger.len(), 1 + 4 * 3);
}

#[test]
fn a_cohort_killed_midway_resumes_to_the_uninterrupted_outputs() {
    let (scenario, reference) = reference();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("killed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_immunosim"))
        .args([
            "cohort",
            scenario.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ])
        .env("RAYON_NUM_THREADS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let first = out.join("parts/patient_000000.csv");
    while !first.exists() && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    assert!(first.exists(), "the first patient finished before the kill");
    assert!(!out.join("cohort.csv").exists(), "killed before the end");
    // Without --resume the folder is refused; with it the cohort continues.
    let o = immunosim(
        &[
            "cohort",
            scenario.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    cohort(scenario, &out, &["--resume"], "2");
    assert_eq!(outputs(&out), outputs(reference));
    // Another cohort (other seed) is not resumed into it.
    let o = immunosim(
        &[
            "cohort",
            scenario.to_str().unwrap(),
            "-q",
            "--resume",
            "--seed",
            "9",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("another cohort"), "{stderr}");
}

#[test]
fn cohort_files_report_errors_at_their_own_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let check = |text: &str| check_refused(tmp.path(), text);
    // An unknown target names the file, line and what is allowed.
    let text = COHORT.replace(
        "parameters.car_t.doubling_time_days",
        "parameters.car_t.doubling_days",
    );
    let e = check(&text);
    let line = line_of(&text, "\"parameters.car_t.doubling_days\"");
    assert!(e.contains(&format!("bad.toml:{line}:")), "{e}");
    assert!(
        e.contains("did you mean `parameters.car_t.doubling_time_days`"),
        "{e}"
    );
    let text = COHORT.replace(
        "\"patient.weight_kg\"\ndistribution",
        "\"patient.mass\"\ndistribution",
    );
    let e = check(&text);
    assert!(
        e.contains("patient.weight_kg") && e.contains("products.dose_cells_per_kg"),
        "{e}"
    );
    // A bad value inside an arm's product is reported at its line in the cohort file.
    let text = COHORT.replace("dose_cells_per_kg = 1e6", "dose_cells_per_kg = 1e13");
    let e = check(&text);
    let line = line_of(&text, "dose_cells_per_kg = 1e13");
    assert!(
        e.contains(&format!("bad.toml:{line}:")) && e.contains("out of range"),
        "{e}"
    );
    // Treatment outside the arms, two arms of one name, a distribution without its
    // spread, a truncation outside the target's range.
    let e = check(&format!(
        "{COHORT}[bridging]\nprednisolone_mg_per_day = 10\nstart_day = -20\nend_day = -6\n"
    ));
    assert!(e.contains("move [bridging] into the arms"), "{e}");
    let e = check(&COHORT.replace("name = \"soc\"", "name = \"cd19\""));
    assert!(e.contains("names two arms"), "{e}");
    let e = check(&COHORT.replace("cv = 0.3\n", ""));
    assert!(e.contains("exactly one of cv and omega2"), "{e}");
    let e = check(&COHORT.replace("lower = 40", "lower = 5"));
    assert!(
        e.contains("within the target's range") && e.contains("20 <= x <= 250"),
        "{e}"
    );
    // Draws that break a rule of the scenario (a manufacturing time drawn so long that
    // the product is released after its infusion day) are refused before anything is
    // written, naming the patient, the arm, the rule and the drawn values.
    let text = COHORT
        .replace(
            "dose_cells_per_kg = 1e6\n[[arms]]\nname = \"soc\"",
            "dose_cells_per_kg = 1e6\nleukapheresis_day = -25\nmanufacturing_days_min = 15\nmanufacturing_days_max = 20\n[[arms]]\nname = \"soc\"",
        )
        .replace(
            "[[correlations]]",
            "[[variability]]\ntarget = \"products.manufacturing_days\"\ndistribution = \"uniform\"\nmin = 10\nmax = 40\n[[correlations]]",
        );
    assert!(text.contains("leukapheresis_day = -25"));
    let e = check(&text);
    assert!(
        e.contains("patients break a rule of the scenario")
            && e.contains("arm cd19: products[0].infusion_day")
            && e.contains("draw.products.manufacturing_days.cd19 = "),
        "{e}"
    );
    let path = write(tmp.path(), "draws.toml", &text);
    let out = tmp.path().join("draws_out");
    let o = immunosim(
        &[
            "cohort",
            path.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("arm cd19: products[0].infusion_day"));
    assert!(
        !out.exists(),
        "nothing is written for draws that break a rule"
    );
    // Memory for fewer patients than threads: that many at a time, said on stderr, and
    // the same outputs; memory for none: refused before anything is written.
    let path = write(tmp.path(), "c.toml", COHORT);
    let memory_run = |limit: &str, out: &Path| {
        immunosim(
            &[
                "cohort",
                path.to_str().unwrap(),
                "--max-memory",
                limit,
                "--out",
                out.to_str().unwrap(),
            ],
            &[("RAYON_NUM_THREADS", "4")],
        )
    };
    let out = tmp.path().join("memory_out");
    let o = memory_run("75M", &out);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{e}");
    assert!(
        e.contains("note: memory holds 1 patient at a time")
            && e.contains("the --max-memory of 75 MiB")
            && e.contains("running 1 at a time on 4 threads each"),
        "{e}"
    );
    assert_eq!(outputs(&out), outputs(&reference().1));
    let out = tmp.path().join("no_memory_out");
    let o = memory_run("40M", &out);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        e.contains("one patient of this cohort needs about")
            && e.contains("more than the --max-memory of 40 MiB"),
        "{e}"
    );
    assert!(
        !out.exists(),
        "nothing is written for a cohort that would not fit"
    );
    // A cohort file is not run as one scenario.
    let o = immunosim(
        &[
            "run",
            path.to_str().unwrap(),
            "-q",
            "--out",
            tmp.path().join("o").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--patient K --arm NAME"));
}
