//! A cohort with a manufacturing facility through the binary: `queue.csv` and
//! `queue_summary.csv` are the same at any thread count and from merged shards, are
//! replaced by `--force`, and patient K's arm run alone is the arm the cohort ran
//! (shifted by the same wait).

use crate::support::*;
use std::path::Path;

/// Four coarse patients referred about one a week into one line of 14-day batches, an
/// autologous arm, an allogeneic arm and standard of care.
const COHORT: &str = "[scenario]\nname = \"queue\"\npreset = \"sle\"\ndays = 30\nburn_in_days = 30\nseed = 5\n\
    [resolution]\ncells_per_agent = 2e7\n[resolution.cells_per_agent_by_kind]\ncar_t = 1e6\n\
    [cohort]\npatients = 4\n\
    [facility]\nreferrals_per_week = 1\nscreening_days = 3\nlines = 1\nbatch_days = 14\nfailure_probability = 0.3\ntarget_wait_days = 10\n\
    [[variability]]\ntarget = \"patient.weight_kg\"\ndistribution = \"lognormal\"\ncv = 0.2\nlower = 40\nupper = 120\n\
    [[arms]]\nname = \"cd19\"\n\
    [arms.lymphodepletion]\nfludarabine_mg_per_m2_per_day = 25\nfludarabine_days = [-5, -4, -3]\n\
    [[arms.products]]\nname = \"CD19\"\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\nleukapheresis_day = -20\n\
    manufacturing_days_min = 14\nmanufacturing_days_max = 14\n\
    [[arms]]\nname = \"allo\"\n\
    [arms.lymphodepletion]\nfludarabine_mg_per_m2_per_day = 25\nfludarabine_days = [-5, -4, -3]\n\
    [[arms.products]]\nname = \"allo\"\ntargets = [\"CD19\"]\nsource = \"allogeneic\"\ndose_cells = 7e7\n\
    [[arms]]\nname = \"soc\"\n";

const FILES: [&str; 6] = [
    "cohort.csv",
    "cohort_summary.csv",
    "survival.csv",
    "cohort_timeseries.csv",
    "queue.csv",
    "queue_summary.csv",
];

fn files(dir: &Path) -> Vec<String> {
    FILES
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}")))
        .collect()
}

fn ok(args: &[&str], threads: &str) {
    let o = immunosim(args, &[("RAYON_NUM_THREADS", threads)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn the_queue_outputs_agree_across_threads_shards_force_and_a_patient_run_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "queue.toml", COHORT);
    let s = scenario.to_str().unwrap();
    let whole = tmp.path().join("whole");
    let w = whole.to_str().unwrap();
    ok(&["cohort", s, "-q", "--out", w, "--keep-patients"], "2");
    let reference = files(&whole);
    let queue = &reference[4];
    assert_eq!(queue.lines().count(), 1 + 4 * 3, "{queue}");
    assert!(queue.lines().skip(1).all(|l| {
        let route = l.split(',').nth(2).unwrap();
        route
            == ["facility", "allogeneic", "none"][["cd19", "allo", "soc"]
                .iter()
                .position(|a| l.split(',').nth(1) == Some(a))
                .unwrap()]
    }));
    let summary = &reference[5];
    assert!(
        summary
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("cd19,facility,4,1,"),
        "{summary}"
    );
    // The shards, at one thread, merged.
    let mut merge = vec!["merge".to_string()];
    for i in 0..2 {
        let dir = tmp.path().join(format!("shard{i}"));
        ok(
            &[
                "cohort",
                s,
                "-q",
                "--out",
                dir.to_str().unwrap(),
                "--shard",
                &format!("{i}/2"),
            ],
            "1",
        );
        assert!(
            !dir.join("queue.csv").exists(),
            "a shard leaves merging to merge"
        );
        merge.push(dir.to_str().unwrap().to_string());
    }
    let merged = tmp.path().join("merged");
    merge.extend(["--out".to_string(), merged.to_str().unwrap().to_string()]);
    ok(&merge.iter().map(String::as_str).collect::<Vec<_>>(), "1");
    assert_eq!(files(&merged), reference);
    // --force replaces a cohort's queue files with the new cohort's.
    ok(
        &[
            "cohort",
            s,
            "-q",
            "--out",
            merged.to_str().unwrap(),
            "--force",
            "--seed",
            "6",
        ],
        "1",
    );
    assert_ne!(files(&merged)[4], reference[4]);
    // Patient 2's autologous arm alone: the kept run of the cohort, byte for byte.
    let alone = tmp.path().join("alone");
    ok(
        &[
            "run",
            s,
            "--patient",
            "2",
            "--arm",
            "cd19",
            "-q",
            "--out",
            alone.to_str().unwrap(),
        ],
        "1",
    );
    let kept = whole.join("patients/patient_000002/cd19");
    for f in ["events.csv", "timeseries.csv", "run.toml"] {
        let a = std::fs::read_to_string(alone.join(f)).unwrap();
        let b = std::fs::read_to_string(kept.join(f)).unwrap();
        if f == "run.toml" {
            let strip = |t: &str| {
                t.lines()
                    .filter(|l| {
                        !l.starts_with("threads")
                            && !l.starts_with("command")
                            && !l.starts_with("started")
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            assert_eq!(strip(&a), strip(&b));
        } else {
            assert_eq!(a, b, "{f}");
        }
    }
    // The journey the arm ran starts with the patient's wait: leukapheresis on the
    // queue's slot day, counted from referral.
    let row = queue.lines().find(|l| l.starts_with("2,cd19,")).unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    let referral: f64 = cells[3].parse().unwrap();
    let leukapheresis: f64 = cells[6].parse().unwrap();
    let run_toml = std::fs::read_to_string(kept.join("run.toml")).unwrap();
    let day = run_toml
        .lines()
        .find_map(|l| l.strip_prefix("leukapheresis_day = "))
        .unwrap();
    assert!((day.parse::<f64>().unwrap() - (leukapheresis - referral)).abs() < 1e-9);
}
