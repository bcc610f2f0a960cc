//! The binary: determinism across thread counts, outputs, bad input, help.

use crate::support::*;
use immunosim_model::Population;
use std::path::Path;
use std::process::Command;

#[test]
fn same_seed_gives_identical_bytes_at_any_thread_count_and_another_seed_differs() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "small.toml", SMALL);
    let runs = outputs_at_1_2_4_threads(&scenario, tmp.path());
    assert_eq!(runs[0], runs[1], "1 vs 2 threads");
    assert_eq!(runs[0], runs[2], "1 vs 4 threads");
    let out = tmp.path().join("seed2");
    let o = immunosim(
        &[
            "run",
            scenario.to_str().unwrap(),
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
    // 41 recorded days (0..=40) x 4 compartments x every living population but the
    // lymphoma cells of a patient without a tumour.
    let populations = Population::LIVING.iter().filter(|p| !p.is_tumour()).count();
    assert_eq!(rows, 41 * 4 * populations);
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
    let o = run_quiet(&scenario, &out, &[]);
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
        (
            "split.toml",
            Some("[resolution.cells_per_agent_by_kind]\nb_cell = 1e6\nplasma_cell = 1e3\n"),
            &[
                "split.toml:3:15",
                "resolution.cells_per_agent_by_kind.plasma_cell",
                "are 1000 times finer than B cells",
                "plasma_cell >= b_cell / 256 = 3906.25",
            ],
        ),
    ];
    for (name, text, expected) in cases {
        let path = tmp.path().join(name);
        if let Some(text) = text {
            std::fs::write(&path, text).unwrap();
        }
        let out = tmp.path().join(format!("out-{name}"));
        let o = run_quiet(&path, &out, &[]);
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

/// Plasma cells may be resolved up to 256 times finer than B cells (the bound of
/// `MAX_B_TO_PLASMA_WEIGHT_RATIO`), and coarser without bound.
#[test]
fn plasma_cells_may_be_resolved_finer_than_b_cells_up_to_the_bound() {
    let weights = |b: &str, plasma: &str| {
        let text =
            format!("[resolution.cells_per_agent_by_kind]\nb_cell = {b}\nplasma_cell = {plasma}\n");
        immunosim_scenario::parse_str(&text, "weights.toml").map(|s| s.config.cells_per_agent)
    };
    assert_eq!(weights("2.56e5", "1e3").unwrap()[..2], [2.56e5, 1e3]);
    assert!(weights("2.57e5", "1e3").is_err());
    assert!(weights("1e3", "1e9").is_ok());
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
            let text = std::fs::read_to_string(&path).unwrap();
            if immunosim_cohort::spec::is_cohort_text(&text) {
                immunosim_cohort::spec::load(&path).unwrap_or_else(|e| panic!("{e}"));
            } else {
                immunosim_scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
            }
            checked += 1;
        }
    }
    assert!(checked >= 2);
    immunosim_scenario::parse_str(immunosim_scenario::DEFAULT_SCENARIO, "default").unwrap();
}

/// A script written for one preset reads every preset's outputs: the score has one
/// column name, and `summary.csv` names the scale it mimics.
#[test]
fn the_score_has_one_column_name_in_every_preset_and_summary_names_its_scale() {
    let tmp = tempfile::tempdir().unwrap();
    let mg = write(
        tmp.path(),
        "mg.toml",
        "[scenario]\npreset = \"mg\"\ndays = 3\nburn_in_days = 5\n[resolution]\ncells_per_agent = 2e7\n",
    );
    let out = tmp.path().join("out");
    run_ok(&mg, &out);
    let serology = std::fs::read_to_string(out.join("serology.csv")).unwrap();
    let header = serology.lines().next().unwrap();
    assert!(header.contains(",activity_score,"), "{header}");
    assert!(
        !header.contains("sledai") && !header.contains("mg_adl"),
        "{header}"
    );
    let mut summary = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let header = summary.headers().unwrap().clone();
    let row = summary.records().next().unwrap().unwrap();
    let column = |name: &str| header.iter().position(|h| h == name);
    assert_eq!(column("score_scale").map(|i| &row[i]), Some("mg_adl_like"));
    for name in ["activity_score_baseline", "activity_score_month3"] {
        assert!(column(name).is_some(), "{name} missing: {header:?}");
    }
    assert!(
        !header
            .iter()
            .any(|h| h.contains("sledai") || h.contains("mg_adl"))
    );
}

/// `immunosim help scenario` prints the generated reference, which docs/scenario.md
/// holds; the three misspelt choices and a file of comments only exit 2 through the
/// binary as they fail in the scenario crate.
#[test]
fn help_scenario_prints_the_reference_and_bad_choices_exit_2() {
    let o = Command::new(env!("CARGO_BIN_EXE_immunosim"))
        .args(["help", "scenario"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        immunosim_scenario::reference_markdown()
    );
    let tmp = tempfile::tempdir().unwrap();
    let product = "[[products]]\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\n";
    let cases = [
        (
            "source = \"alogeneic\"\n",
            "c.toml:4:10",
            "did you mean `allogeneic`",
        ),
        (
            "platform = \"mRNA\"\n",
            "c.toml:4:12",
            "allowed: one of viral, mrna",
        ),
        (
            "logic = \"xor\"\n",
            "c.toml:4:9",
            "allowed: one of or, and, not",
        ),
    ];
    for (line, at, words) in cases {
        let path = write(tmp.path(), "c.toml", &format!("{product}{line}"));
        let o = run_quiet(&path, &tmp.path().join("out"), &[]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(at) && stderr.contains(words), "{stderr}");
    }
    let path = write(tmp.path(), "notes.toml", "# [scenario]\n# days = 30\n");
    let o = run_quiet(&path, &tmp.path().join("out"), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("only comments"));
}
