//! End-to-end tests: the untreated patient's clinical figures, determinism across
//! thread counts, bad input, and the output files. Agent counts are kept small (coarse
//! `cells_per_agent`) so the suite runs in minutes on 2 cores; the default resolution is
//! exercised by the README's measurements, not here.

use immunosim_engine::recorder::{MemoryRecorder, Snapshot};
use immunosim_engine::simulation::Simulation;
use immunosim_model::{Population, Specificity};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs a scenario in memory.
fn simulate(text: &str) -> Vec<Snapshot> {
    let scenario = immunosim_scenario::parse_str(text, "test.toml").expect("valid scenario");
    let mut sim = Simulation::new(immunosim::run_config(&scenario));
    let mut recorder = MemoryRecorder::default();
    sim.run(&mut recorder, &mut |_| {})
        .expect("in-memory recording cannot fail");
    recorder.snapshots
}

/// Mean of `f` over recorded days in [from, to].
fn mean(snapshots: &[Snapshot], from: f64, to: f64, f: impl Fn(&Snapshot) -> f64) -> f64 {
    let picked: Vec<f64> = snapshots
        .iter()
        .filter(|s| s.day >= from && s.day <= to)
        .map(&f)
        .collect();
    assert!(!picked.is_empty());
    picked.iter().sum::<f64>() / picked.len() as f64
}

/// Relative change of the 90-day mean from the first to the last 90 recorded days.
fn drift(snapshots: &[Snapshot], f: impl Fn(&Snapshot) -> f64 + Copy) -> f64 {
    let last = snapshots.last().unwrap().day;
    let early = mean(snapshots, 0.0, 90.0, f);
    let late = mean(snapshots, last - 90.0, last, f);
    (late / early - 1.0).abs()
}

type Measure = (&'static str, fn(&Snapshot) -> f64);

/// Each measure's 90-day mean moves by less than 10% from the first to the last 90
/// recorded days (the steady-state criterion).
fn assert_steady(snapshots: &[Snapshot], patient: &str, measures: &[Measure]) {
    for (name, f) in measures {
        let d = drift(snapshots, *f);
        assert!(d < 0.10, "{patient} {name} drift {d:.3}");
    }
}

fn b_cells(s: &Snapshot) -> f64 {
    s.blood_b_cells_per_ul()
}
fn plasma_cells(s: &Snapshot) -> f64 {
    s.total_cells(Population::PlasmaCell)
}
fn igg(s: &Snapshot) -> f64 {
    s.serology.total_igg_g_per_l
}
fn autoantibody(s: &Snapshot) -> f64 {
    s.serology.igg_mg_per_l[Specificity::Autoantigen.index()]
}
fn score(s: &Snapshot) -> f64 {
    s.serology.activity_score
}

#[test]
fn healthy_patient_holds_steady_for_two_years_within_reference_ranges() {
    let snapshots = simulate(
        "[scenario]\npreset = \"healthy\"\ndays = 730\nburn_in_days = 60\nrecord_every_days = 5\n\
         [resolution]\ncells_per_agent = 1e6\n",
    );
    assert_steady(
        &snapshots,
        "healthy",
        &[
            ("B cells", b_cells),
            ("plasma cells", plasma_cells),
            ("IgG", igg),
        ],
    );
    // Reference ranges from data/: blood B cells 109-802 /uL (men, Clin Diagn Lab
    // Immunol 2004, Table 3), IgG 7.68-16.32 g/L (laboratory tables).
    let (_, b_low, b_high) = reference("b_cells_blood_male");
    let (_, igg_low, igg_high) = reference("igg_serum_normal");
    let b_range = b_low.unwrap()..=b_high.unwrap();
    let igg_range = igg_low.unwrap()..=igg_high.unwrap();
    for s in &snapshots {
        assert!(
            b_range.contains(&b_cells(s)),
            "day {}: B {}",
            s.day,
            b_cells(s)
        );
        assert!(igg_range.contains(&igg(s)), "day {}: IgG {}", s.day, igg(s));
        assert!(score(s) < 0.5, "day {}: healthy score {}", s.day, score(s));
        assert!(
            !s.serology.autoantibody_positive,
            "day {}: healthy autoantibody positive",
            s.day
        );
    }
}

#[test]
fn untreated_sle_holds_a_chronic_active_steady_state() {
    let snapshots = simulate(
        "[scenario]\npreset = \"sle\"\ndays = 730\nburn_in_days = 365\nrecord_every_days = 5\n\
         [resolution]\ncells_per_agent = 1e6\n",
    );
    assert_steady(
        &snapshots,
        "SLE",
        &[
            ("B cells", b_cells),
            ("plasma cells", plasma_cells),
            ("IgG", igg),
            ("autoantibody", autoantibody),
            ("score", score),
        ],
    );
    let mean_score = mean(&snapshots, 0.0, 730.0, score);
    assert!((8.0..=22.0).contains(&mean_score), "SLE score {mean_score}");
    assert!(
        snapshots.iter().all(|s| s.serology.autoantibody_positive),
        "SLE autoantibody must stay positive"
    );
    // Defective checkpoints: the naive repertoire is more self-reactive than in health (20%).
    let last = snapshots.last().unwrap();
    let naive = last
        .populations
        .iter()
        .find(|r| {
            r.compartment == immunosim_model::Compartment::Blood
                && r.population == Population::BNaive
        })
        .unwrap();
    assert!(
        naive.autoreactive_share > 0.30,
        "SLE naive self-reactive share {}",
        naive.autoreactive_share
    );
}

// ---------------------------------------------------------------- the binary

fn immunosim(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_immunosim"));
    command.args(args).env_remove("RAYON_NUM_THREADS");
    for (k, v) in envs {
        command.env(k, v);
    }
    command.output().expect("binary runs")
}

/// Runs `immunosim run SCENARIO -q --out OUT` and asserts it succeeded.
fn run_ok(scenario: &Path, out: &Path) {
    let o = immunosim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A small, fast SLE scenario (coarse agents, short burn-in).
const SMALL: &str = "[scenario]\nname = \"small\"\npreset = \"sle\"\ndays = 40\nburn_in_days = 20\n\
                     [resolution]\ncells_per_agent = 2e7\n";

fn output_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    [
        "timeseries.csv",
        "serology.csv",
        "events.csv",
        "summary.csv",
    ]
    .iter()
    .map(|name| (name.to_string(), std::fs::read(dir.join(name)).unwrap()))
    .collect()
}

#[test]
fn same_seed_gives_identical_bytes_at_any_thread_count_and_another_seed_differs() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "small.toml", SMALL);
    let scenario = scenario.to_str().unwrap();
    let mut runs = Vec::new();
    for threads in ["1", "2", "4"] {
        let out = tmp.path().join(format!("t{threads}"));
        let o = immunosim(
            &["run", scenario, "-q", "--out", out.to_str().unwrap()],
            &[("RAYON_NUM_THREADS", threads)],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        runs.push(output_files(&out));
    }
    assert_eq!(runs[0], runs[1], "1 vs 2 threads");
    assert_eq!(runs[0], runs[2], "1 vs 4 threads");
    let out = tmp.path().join("seed2");
    let o = immunosim(
        &[
            "run",
            scenario,
            "-q",
            "--seed",
            "2",
            "--threads",
            "2",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success());
    assert_ne!(
        runs[0][0].1,
        output_files(&out)[0].1,
        "another seed must change timeseries.csv"
    );
}

#[test]
fn outputs_are_tidy_csv_and_run_toml_reruns_to_the_same_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "small.toml", SMALL);
    let first = tmp.path().join("first");
    run_ok(&scenario, &first);

    let mut reader = csv::Reader::from_path(first.join("timeseries.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "day",
            "compartment",
            "population",
            "agents",
            "cells",
            "cells_per_uL",
            "autoreactive_fraction"
        ]
    );
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        for field in [3, 4, 5, 6] {
            let x: f64 = record[field].parse().unwrap();
            assert!(x.is_finite() && x >= 0.0, "bad value {record:?}");
        }
        rows += 1;
    }
    // 41 recorded days (0..=40) x 4 compartments x every living population.
    assert_eq!(rows, 41 * 4 * Population::LIVING.len());
    let mut serology = csv::Reader::from_path(first.join("serology.csv")).unwrap();
    assert!(
        serology
            .headers()
            .unwrap()
            .iter()
            .any(|h| h == "total_igg_g_per_L")
    );
    for record in serology.records() {
        let record = record.unwrap();
        for field in record.iter().skip(1) {
            let x: f64 = field.parse().unwrap();
            assert!(x.is_finite() && x >= 0.0);
        }
    }
    let summary = std::fs::read_to_string(first.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 2);

    let again = tmp.path().join("again");
    let run_toml = first.join("run.toml");
    run_ok(&run_toml, &again);
    assert_eq!(
        output_files(&first),
        output_files(&again),
        "run.toml must reproduce the run"
    );
}

#[test]
fn existing_non_empty_output_directory_is_refused_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "small.toml", SMALL);
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "precious").unwrap();
    let o = immunosim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(out.join("keep.txt")).unwrap(),
        "precious"
    );
}

/// Each bad input: exit code 2, a message naming file (and line where there is one)
/// and the expected words, and no output directory created.
#[test]
fn bad_input_gives_a_clear_error_exit_2_and_no_output() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: &[(&str, Option<&str>, &[&str])] = &[
        ("missing.toml", None, &["missing.toml", "cannot read"]),
        (
            "syntax.toml",
            Some("[scenario]\ndays = = 3\n"),
            &["syntax.toml:2:", "syntax error"],
        ),
        (
            "unknown.toml",
            Some("[scenario]\ndays = 30\n[patient]\nweigth_kg = 70\n"),
            &[
                "unknown.toml:4:1",
                "patient.weigth_kg",
                "did you mean `weight_kg`",
            ],
        ),
        (
            "type.toml",
            Some("[scenario]\ndays = \"thirty\"\n"),
            &["type.toml:2:8", "scenario.days", "expected a number"],
        ),
        (
            "range.toml",
            Some("[parameters.b_cells]\nmarrow_output_fraction_per_day = 7.5\n"),
            &[
                "range.toml:2:34",
                "parameters.b_cells.marrow_output_fraction_per_day",
                "allowed 0.005 <= x <= 0.5",
                "1/day",
            ],
        ),
        (
            "weight.toml",
            Some("[resolution]\ncells_per_agent = -5\n"),
            &[
                "weight.toml:2:19",
                "resolution.cells_per_agent",
                "out of range",
            ],
        ),
        ("empty.toml", Some("\n\n"), &["empty.toml", "empty"]),
        (
            "preset.toml",
            Some("[scenario]\npreset = \"lupus\"\n"),
            &["preset.toml:2:10", "healthy, sle, lymphoma_like"],
        ),
        (
            "cross.toml",
            Some("[scenario]\ntime_step_days = 0.5\nrecord_every_days = 0.75\n"),
            &["cross.toml:3:21", "whole multiple"],
        ),
    ];
    for (name, text, expected) in cases {
        let path = tmp.path().join(name);
        if let Some(text) = text {
            std::fs::write(&path, text).unwrap();
        }
        let out = tmp.path().join(format!("out-{name}"));
        let o = immunosim(
            &[
                "run",
                path.to_str().unwrap(),
                "-q",
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {stderr}");
        for word in *expected {
            assert!(
                stderr.contains(word),
                "{name}: expected `{word}` in:\n{stderr}"
            );
        }
        assert!(!out.exists(), "{name}: output directory was created");
    }
}

#[test]
fn all_problems_of_a_file_are_reported_at_once() {
    let text = "[scenario]\ndays = -1\nseeed = 3\n[parameters.t_cells]\ntfh_share = 2.0\n";
    let errors = immunosim_scenario::parse_str(text, "many.toml").unwrap_err();
    assert_eq!(errors.0.len(), 3, "{errors}");
}

#[test]
fn shipped_scenarios_are_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            immunosim_scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
            checked += 1;
        }
    }
    assert!(checked >= 2);
    immunosim_scenario::parse_str(immunosim_scenario::DEFAULT_SCENARIO, "default").unwrap();
}

// ------------------------------------------------------------- reference data

/// A row of data/*.csv: (value, low, high).
fn reference(id: &str) -> (f64, Option<f64>, Option<f64>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for file in ["physiology.csv", "erlangen_cohort.csv"] {
        let mut reader = csv::Reader::from_path(path.join(file)).unwrap();
        for record in reader.records() {
            let r = record.unwrap();
            if &r[0] == id {
                let num = |i: usize| r[i].parse::<f64>().ok();
                return (num(2).unwrap(), num(3), num(4));
            }
        }
    }
    panic!("reference row {id} not in data/");
}

#[test]
fn catalogue_defaults_match_reference_rows() {
    let p = immunosim_model::Parameters::default();
    // (group, parameter, reference row, factor from the row's unit to the parameter's)
    let rows = [
        (
            "physiology",
            "blood_share_of_recirculating",
            "blood_fraction_lymphocytes",
            0.01,
        ),
        ("physiology", "igg_half_life_days", "igg_half_life", 1.0),
        (
            "b_cells",
            "marrow_output_fraction_per_day",
            "marrow_b_output",
            0.01,
        ),
        (
            "b_cells",
            "naive_division_rate_per_day",
            "b_turnover_naive",
            0.01,
        ),
        (
            "b_cells",
            "memory_division_rate_per_day",
            "b_turnover_memory",
            0.01,
        ),
        (
            "b_cells",
            "immature_autoreactive_share",
            "autoreactive_early_immature",
            0.01,
        ),
        (
            "b_cells",
            "emigrant_autoreactive_share",
            "autoreactive_new_emigrant",
            0.01,
        ),
        (
            "b_cells",
            "naive_autoreactive_share",
            "autoreactive_mature_naive",
            0.01,
        ),
        ("plasma_cells", "igg_g_per_l", "igg_serum_normal", 1.0),
        (
            "plasma_cells",
            "secretion_molecules_per_s",
            "antibody_secretion_rate",
            1.0,
        ),
        (
            "plasma_cells",
            "vaccine_a_half_life_years",
            "amanna_ab_half_life_measles",
            1.0,
        ),
        (
            "plasma_cells",
            "vaccine_b_half_life_years",
            "amanna_ab_half_life_tetanus",
            1.0,
        ),
        (
            "plasma_cells",
            "cd19_negative_share",
            "llpc_cd19_negative_fraction",
            0.01,
        ),
        (
            "t_cells",
            "naive_cd4_half_life_years",
            "t_half_life_naive_cd4",
            1.0,
        ),
        (
            "t_cells",
            "naive_cd8_half_life_years",
            "t_half_life_naive_cd8",
            1.0,
        ),
        (
            "t_cells",
            "memory_cd4_half_life_years",
            "t_half_life_memory_cd4",
            1.0,
        ),
        (
            "t_cells",
            "memory_cd8_half_life_years",
            "t_half_life_memory_cd8",
            1.0,
        ),
    ];
    for (group, name, row, factor) in rows {
        let default = p.get(group, name).unwrap();
        let expected = reference(row).0 * factor;
        assert!(
            (default / expected - 1.0).abs() < 1e-9,
            "{group}.{name} = {default}, {row} says {expected}"
        );
    }
    let (male, female) = (
        reference("b_cells_blood_male").0,
        reference("b_cells_blood_female").0,
    );
    assert!((p.b_cells.blood_b_cells_per_ul - (male + female) / 2.0).abs() < 1.0);
    // The healthy steady state carries ~5e10 antibody-secreting cell equivalents.
    let steady = immunosim_model::steady_state::SteadyState::derive(&p, 70.0);
    let asc = steady.plasmablasts + steady.plasma_cells;
    assert!(
        (asc / reference("plasma_cell_equivalents").0 - 1.0).abs() < 0.25,
        "{asc}"
    );
}

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

const TIMESERIES_COLUMNS: usize = 7;
const SEROLOGY_COLUMNS: usize = 15;

#[test]
fn a_run_that_would_not_fit_in_memory_is_refused_with_advice() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = immunosim(
        &[
            "run",
            "--max-memory",
            "64M",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("GiB") && stderr.contains("cells_per_agent ="),
        "{stderr}"
    );
    assert!(!out.exists());
    // The advice works: the suggested weight fits the same limit.
    let weight: f64 = stderr
        .split("cells_per_agent = ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let scenario = write(
        tmp.path(),
        "fit.toml",
        &format!(
            "[scenario]\ndays = 1\nburn_in_days = 0\n[resolution]\ncells_per_agent = {weight}\n"
        ),
    );
    let o = immunosim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--max-memory",
            "64M",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

// ------------------------------------------------------------------- CAR-T

/// Erlangen-like CD19 CAR-T on an untreated SLE patient, at coarse resolution.
const CD19_CAR_T: &str = "[scenario]\npreset = \"sle\"\ndays = 60\nburn_in_days = 120\n\
    [resolution]\ncells_per_agent = 3e6\n[resolution.cells_per_agent_by_kind]\ncar_t = 3e5\n\
    [lymphodepletion]\nfludarabine_mg_per_m2_per_day = 25\nfludarabine_days = [-5, -4, -3]\n\
    cyclophosphamide_mg_per_m2_per_day = 1000\ncyclophosphamide_days = [-3]\n\
    [[products]]\nname = \"CD19\"\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\n";

fn car_t_per_ul(s: &Snapshot) -> f64 {
    s.car_t_blood_per_ul()
}

fn cd3_per_ul(s: &Snapshot) -> f64 {
    s.cd3_blood_per_ul()
}

#[test]
fn cd19_car_t_expands_depletes_b_cells_and_plasmablasts_contracts_and_spares_vaccine_titres() {
    let snapshots = simulate(CD19_CAR_T);
    let at = |day: f64| snapshots.iter().find(|s| s.day == day).unwrap();
    let peak = snapshots
        .iter()
        .max_by(|a, b| car_t_per_ul(a).total_cmp(&car_t_per_ul(b)))
        .unwrap();
    // MODEL.md §8 and Erlangen: peak on day 7-14 at 11-59% of CD3+ cells.
    assert!(
        (7.0..=14.0).contains(&peak.day),
        "CAR-T peak on day {}",
        peak.day
    );
    let share = 100.0 * car_t_per_ul(peak) / cd3_per_ul(peak);
    assert!(
        (11.0..=59.0).contains(&share),
        "CAR-T {share:.1}% of CD3 at the peak"
    );
    // B cells and plasmablasts (CD19+) fall by more than 90% within two weeks.
    let (b0, pb0) = (
        b_cells(at(0.0)),
        at(0.0).per_ul(immunosim_model::Compartment::Blood, Population::Plasmablast),
    );
    let b_low = snapshots
        .iter()
        .filter(|s| s.day <= 21.0)
        .map(b_cells)
        .fold(f64::MAX, f64::min);
    let pb_low = snapshots
        .iter()
        .filter(|s| s.day <= 21.0)
        .map(|s| s.per_ul(immunosim_model::Compartment::Blood, Population::Plasmablast))
        .fold(f64::MAX, f64::min);
    assert!(b_low < 0.1 * b0, "B cells {b0:.1} -> {b_low:.1}/uL");
    assert!(
        pb_low < 0.1 * pb0,
        "plasmablasts {pb0:.2} -> {pb_low:.2}/uL"
    );
    // Effectors contract once antigen is gone.
    assert!(
        car_t_per_ul(at(60.0)) < 0.2 * car_t_per_ul(peak),
        "no contraction"
    );
    // CD19-negative long-lived plasma cells keep the measles-like titre (+/-10%).
    let vaccine = |s: &Snapshot| s.serology.igg_mg_per_l[Specificity::VaccineA.index()];
    let change = vaccine(at(60.0)) / vaccine(at(0.0)) - 1.0;
    assert!(
        change.abs() < 0.10,
        "vaccine A titre changed by {:.1}%",
        100.0 * change
    );
    // Autoantibody falls as its short-lived source is removed.
    assert!(autoantibody(at(60.0)) < 0.7 * autoantibody(at(0.0)));
    // Low antigen load: mild CRS (MODEL.md §8; Erlangen had no grade >= 3).
    let worst = snapshots.iter().map(|s| s.crs_grade).max().unwrap();
    assert!(worst <= 2, "CRS grade {worst}");
    // summary.csv endpoints agree with the recorded days.
    let mut summary = immunosim_output::SummaryBuilder::new("cd19", 1);
    for s in &snapshots {
        summary.add(s);
    }
    let endpoints: std::collections::BTreeMap<_, _> = summary.endpoints().into_iter().collect();
    assert_eq!(endpoints["car_t_tmax_day"], Some(peak.day));
    assert_eq!(endpoints["car_t_cmax_per_uL"], Some(car_t_per_ul(peak)));
    let first_aplasia = snapshots
        .iter()
        .find(|s| s.day >= 0.0 && b_cells(s) < 1.0)
        .map(|s| s.day);
    assert_eq!(endpoints["b_aplasia_start_day"], first_aplasia);
    if let Some(back) = endpoints["b_return_day"] {
        assert!(back > first_aplasia.unwrap());
        assert!(
            snapshots
                .iter()
                .filter(|s| s.day >= back && s.day <= back + 7.0)
                .all(|s| b_cells(s) >= 1.0)
        );
    }
}

#[test]
fn lymphoma_like_load_gives_far_more_expansion_and_worse_crs_than_lupus() {
    let lymphoma = CD19_CAR_T
        .replace("preset = \"sle\"", "preset = \"lymphoma_like\"")
        .replace("days = 60", "days = 30");
    let sle = CD19_CAR_T.replace("days = 60", "days = 30");
    let (lymphoma, sle) = (simulate(&lymphoma), simulate(&sle));
    let cmax = |s: &[Snapshot]| s.iter().map(car_t_per_ul).fold(0.0, f64::max);
    let grade = |s: &[Snapshot]| s.iter().map(|x| x.crs_grade).max().unwrap();
    let il6 = |s: &[Snapshot]| s.iter().map(|x| x.il6_pg_per_ml).fold(0.0, f64::max);
    assert!(
        cmax(&lymphoma) >= 5.0 * cmax(&sle),
        "CAR-T Cmax {:.0} vs {:.0}/uL",
        cmax(&lymphoma),
        cmax(&sle)
    );
    assert!(
        grade(&lymphoma) > grade(&sle),
        "CRS grade {} vs {}",
        grade(&lymphoma),
        grade(&sle)
    );
    assert!(
        il6(&lymphoma) > 3.0 * il6(&sle),
        "IL-6 {:.0} vs {:.0} pg/mL",
        il6(&lymphoma),
        il6(&sle)
    );
}

#[test]
fn determinism_holds_with_car_t_expansion() {
    let tmp = tempfile::tempdir().unwrap();
    let text = CD19_CAR_T
        .replace("days = 60", "days = 20")
        .replace("burn_in_days = 120", "burn_in_days = 10");
    let scenario = write(tmp.path(), "car.toml", &text);
    let mut runs = Vec::new();
    for threads in ["1", "2", "4"] {
        let out = tmp.path().join(format!("t{threads}"));
        let o = immunosim(
            &[
                "run",
                scenario.to_str().unwrap(),
                "-q",
                "--out",
                out.to_str().unwrap(),
            ],
            &[("RAYON_NUM_THREADS", threads)],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        runs.push(output_files(&out));
    }
    assert_eq!(runs[0], runs[1], "1 vs 2 threads");
    assert_eq!(runs[0], runs[2], "1 vs 4 threads");
    let events = String::from_utf8_lossy(&runs[0][2].1).to_string();
    assert!(
        events.contains("infusion") && events.contains("lymphodepletion"),
        "{events}"
    );
}

#[test]
fn a_product_not_yet_given_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let untreated = write(tmp.path(), "untreated.toml", SMALL);
    let later = format!(
        "{SMALL}[[products]]\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\ninfusion_day = 1000\n"
    );
    let planned = write(tmp.path(), "planned.toml", &later);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run_ok(&untreated, &a);
    run_ok(&planned, &b);
    assert_eq!(output_files(&a), output_files(&b));
}

#[test]
fn bad_treatment_input_is_reported_with_file_line_and_known_values() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[[products]]\ntargets = [\"CD91\"]\ndose_cells_per_kg = 1e6\n",
            &[
                "t.toml:2:11",
                "products[0].targets",
                "unknown antigen \"CD91\"",
                "CD19, CD20, CD22, BCMA",
            ],
        ),
        (
            "[[products]]\ntargets = []\ndose_cells_per_kg = 1e6\n",
            &["t.toml:2:11", "at least one target"],
        ),
        (
            "[[products]]\ntargets = [\"CD19\"]\ndose_cells_per_kg = 5e11\n",
            &[
                "t.toml:3:21",
                "products[0].dose_cells_per_kg",
                "allowed 10000 <= x <= 10000000000",
                "cells/kg",
            ],
        ),
        (
            "[[products]]\ntargets = [\"CD19\"]\nlogic = \"not\"\ndose_cells_per_kg = 1e6\n",
            &["t.toml:3:9", "products[0].logic", "inhibitory"],
        ),
        (
            "[lymphodepletion]\nfludarabine_mg_per_m2_per_day = 250\nfludarabine_days = [-5]\n",
            &[
                "t.toml:2:33",
                "lymphodepletion.fludarabine_mg_per_m2_per_day",
                "allowed 0 <= x <= 50",
            ],
        ),
        (
            "[[products]]\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\ninfusion_day = -500\n",
            &["t.toml:4:16", "infusion_day", "out of range"],
        ),
        (
            "[scenario]\nburn_in_days = 0\n[lymphodepletion]\nfludarabine_mg_per_m2_per_day = 25\nfludarabine_days = [-5]\n",
            &["t.toml:5:20", "day -5 is before the simulation starts"],
        ),
    ];
    for (text, expected) in cases {
        let errors = immunosim_scenario::parse_str(text, "t.toml")
            .unwrap_err()
            .to_string();
        for word in *expected {
            assert!(errors.contains(word), "expected `{word}` in:\n{errors}");
        }
    }
}
