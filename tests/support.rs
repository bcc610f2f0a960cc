//! Shared helpers of the end-to-end tests: running scenarios in memory and through
//! the binary, reading reference rows, and clinical read-outs of snapshots.

use immunosim_engine::config::RunConfig;
use immunosim_engine::recorder::{MemoryRecorder, Snapshot};
use immunosim_engine::simulation::Simulation;
use immunosim_model::{Population, Specificity};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Runs a scenario in memory.
pub fn simulate(text: &str) -> Vec<Snapshot> {
    simulate_with_events(text).snapshots
}

/// Runs a scenario in memory, keeping its events.
pub fn simulate_with_events(text: &str) -> MemoryRecorder {
    simulate_config(text, |_| {})
}

/// Runs a scenario in memory after `adjust` has changed its engine configuration.
pub fn simulate_config(text: &str, adjust: impl FnOnce(&mut RunConfig)) -> MemoryRecorder {
    let scenario = immunosim_scenario::parse_str(text, "test.toml").expect("valid scenario");
    let mut config = scenario.config;
    adjust(&mut config);
    let mut sim = Simulation::new(config);
    let mut recorder = MemoryRecorder::default();
    sim.run(&mut recorder, &mut |_| {})
        .expect("in-memory recording cannot fail");
    recorder
}

/// The snapshot of `day`.
pub fn on_day(snapshots: &[Snapshot], day: f64) -> &Snapshot {
    snapshots
        .iter()
        .find(|s| s.day == day)
        .unwrap_or_else(|| panic!("day {day} not recorded"))
}

/// Mean of `f` over recorded days in [from, to].
pub fn mean(snapshots: &[Snapshot], from: f64, to: f64, f: impl Fn(&Snapshot) -> f64) -> f64 {
    let picked: Vec<f64> = snapshots
        .iter()
        .filter(|s| s.day >= from && s.day <= to)
        .map(&f)
        .collect();
    assert!(!picked.is_empty());
    picked.iter().sum::<f64>() / picked.len() as f64
}

/// Relative change of the 90-day mean from the first to the last 90 recorded days.
pub fn drift(snapshots: &[Snapshot], f: impl Fn(&Snapshot) -> f64 + Copy) -> f64 {
    let last = snapshots.last().unwrap().day;
    let early = mean(snapshots, 0.0, 90.0, f);
    let late = mean(snapshots, last - 90.0, last, f);
    (late / early - 1.0).abs()
}

pub type Measure = (&'static str, fn(&Snapshot) -> f64);

/// The cell pools and total IgG every untreated patient must hold steady.
pub const POOLS_AND_IGG: [Measure; 3] = [
    ("B cells", b_cells),
    ("plasma cells", plasma_cells),
    ("IgG", igg),
];

/// Each measure's 90-day mean moves by less than `tolerance` (10% is the foundation
/// issue's steady-state criterion) from the first to the last 90 recorded days.
pub fn assert_steady(snapshots: &[Snapshot], patient: &str, measures: &[Measure]) {
    assert_steady_within(snapshots, patient, measures, 0.10);
}

/// Every (compartment, population) series of real cells that holds at least
/// `min_agents` agents on average over the first 90 days moves by less than `tolerance`
/// from the first to the last 90 recorded days (the per-series drift).
pub fn assert_every_population_steady(
    snapshots: &[Snapshot],
    patient: &str,
    min_agents: f64,
    tolerance: f64,
) {
    let rows = snapshots[0].populations.len();
    let mut checked = 0;
    for i in 0..rows {
        let agents = mean(snapshots, 0.0, 90.0, |s| s.populations[i].agents as f64);
        if agents < min_agents {
            continue;
        }
        checked += 1;
        let d = drift(snapshots, |s| s.populations[i].cells);
        let row = &snapshots[0].populations[i];
        assert!(
            d < tolerance,
            "{patient} {}/{} drift {d:.3}",
            row.compartment.name(),
            row.population.name()
        );
    }
    assert!(checked >= 20, "{patient}: only {checked} series checked");
}

/// [`assert_steady`] with another tolerance.
pub fn assert_steady_within(
    snapshots: &[Snapshot],
    patient: &str,
    measures: &[Measure],
    tolerance: f64,
) {
    for (name, f) in measures {
        let d = drift(snapshots, *f);
        assert!(d < tolerance, "{patient} {name} drift {d:.3}");
    }
}

pub fn b_cells(s: &Snapshot) -> f64 {
    s.blood_b_cells_per_ul()
}
pub fn plasma_cells(s: &Snapshot) -> f64 {
    s.total_cells(Population::PlasmaCell)
}
pub fn igg(s: &Snapshot) -> f64 {
    s.serology.total_igg_g_per_l
}
pub fn autoantibody(s: &Snapshot) -> f64 {
    s.serology.igg_mg_per_l[Specificity::Autoantigen.index()]
}
pub fn score(s: &Snapshot) -> f64 {
    s.serology.activity_score
}

pub fn immunosim(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_immunosim"));
    command.args(args).env_remove("RAYON_NUM_THREADS");
    for (k, v) in envs {
        command.env(k, v);
    }
    command.output().expect("binary runs")
}

/// Runs `immunosim run SCENARIO -q --out OUT` with extra environment variables.
pub fn run_quiet(scenario: &Path, out: &Path, envs: &[(&str, &str)]) -> Output {
    immunosim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        envs,
    )
}

/// Runs `immunosim run SCENARIO -q --out OUT` and asserts it succeeded.
pub fn run_ok(scenario: &Path, out: &Path) {
    let o = run_quiet(scenario, out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The output files of `scenario` run at 1, 2 and 4 threads (RAYON_NUM_THREADS).
pub fn outputs_at_1_2_4_threads(scenario: &Path, dir: &Path) -> Vec<Vec<(String, Vec<u8>)>> {
    ["1", "2", "4"]
        .iter()
        .map(|threads| {
            let out = dir.join(format!("t{threads}"));
            let o = run_quiet(scenario, &out, &[("RAYON_NUM_THREADS", threads)]);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            output_files(&out)
        })
        .collect()
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A small, fast SLE scenario (coarse agents, short burn-in).
pub const SMALL: &str = "[scenario]\nname = \"small\"\npreset = \"sle\"\ndays = 40\nburn_in_days = 20\n\
                     [resolution]\ncells_per_agent = 2e7\n";

/// The CSV outputs of a run: the four every run writes, then `car_t.csv` when the
/// scenario has products.
pub fn output_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let optional = std::iter::once("car_t.csv").filter(|name| dir.join(name).exists());
    [
        "timeseries.csv",
        "serology.csv",
        "events.csv",
        "summary.csv",
    ]
    .into_iter()
    .chain(optional)
    .map(|name| (name.to_string(), std::fs::read(dir.join(name)).unwrap()))
    .collect()
}

/// A branched run's outputs equal the unbranched run's: every CSV byte for byte, and
/// `events.csv` but for its run-start line (which says where the run started from).
pub fn assert_same_as_unbranched(branched: &Path, plain: &Path) {
    let without_start = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .lines()
            .filter(|l| !l.contains(",run_start,"))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    for ((name, a), (_, b)) in output_files(branched).iter().zip(output_files(plain)) {
        if name == "events.csv" {
            assert_eq!(without_start(a), without_start(&b), "{name}");
        } else {
            assert!(
                *a == b,
                "{name} of the branched run differs from the unbranched run"
            );
        }
    }
}

/// A row of data/*.csv: (value, low, high).
pub fn reference(id: &str) -> (f64, Option<f64>, Option<f64>) {
    static ROWS: OnceLock<BTreeMap<String, immunosim_reference::Row>> = OnceLock::new();
    let rows = ROWS.get_or_init(|| {
        immunosim_reference::read_dir(&immunosim_reference::data_dir())
            .unwrap_or_else(|e| panic!("data/: {e}"))
    });
    let row = rows
        .get(id)
        .unwrap_or_else(|| panic!("reference row {id} not in data/"));
    (row.value, row.low, row.high)
}

pub const TIMESERIES_COLUMNS: usize = 7;
pub const SEROLOGY_COLUMNS: usize = 17;

/// Erlangen-like CD19 CAR-T on an untreated SLE patient, at coarse resolution.
pub const CD19_CAR_T: &str = "[scenario]\npreset = \"sle\"\ndays = 60\nburn_in_days = 120\n\
    [resolution]\ncells_per_agent = 3e6\n[resolution.cells_per_agent_by_kind]\ncar_t = 3e5\n\
    [lymphodepletion]\nfludarabine_mg_per_m2_per_day = 25\nfludarabine_days = [-5, -4, -3]\n\
    cyclophosphamide_mg_per_m2_per_day = 1000\ncyclophosphamide_days = [-3]\n\
    [[products]]\nname = \"CD19\"\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\n";

/// The coarse CD19 scenario with its product replaced by `products`.
pub fn with_products(products: &str) -> String {
    let cut = CD19_CAR_T
        .find("[[products]]")
        .expect("the CD19 scenario has a product");
    format!("{}{products}", &CD19_CAR_T[..cut])
}

/// The coarse CD19 scenario without lymphodepletion or products: the same patient
/// untreated.
pub fn coarse_untreated() -> String {
    let cut = CD19_CAR_T
        .find("[lymphodepletion]")
        .expect("the CD19 scenario has lymphodepletion");
    CD19_CAR_T[..cut].to_string()
}

/// Parses each scenario text (as `t.toml`): an empty list of expected words means it
/// must be valid; otherwise the error report must contain every word.
pub fn assert_scenario_errors<T: AsRef<str>>(cases: &[(T, &[&str])]) {
    for (text, expected) in cases {
        let result = immunosim_scenario::parse_str(text.as_ref(), "t.toml");
        if expected.is_empty() {
            assert!(result.is_ok(), "{}\n{}", text.as_ref(), result.unwrap_err());
            continue;
        }
        let errors = result.unwrap_err().to_string();
        for word in *expected {
            assert!(errors.contains(word), "expected `{word}` in:\n{errors}");
        }
    }
}

pub fn car_t_per_ul(s: &Snapshot) -> f64 {
    s.car_t_blood_per_ul()
}

pub fn cd3_per_ul(s: &Snapshot) -> f64 {
    s.cd3_blood_per_ul()
}

/// `immunosim check` of `text`, written to `dir/bad.toml`, which must refuse it (exit
/// status 2): its messages.
pub fn check_refused(dir: &Path, text: &str) -> String {
    let path = write(dir, "bad.toml", text);
    let o = immunosim(&["check", path.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The 1-based line of the first `needle` in `text`.
pub fn line_of(text: &str, needle: &str) -> usize {
    1 + text[..text.find(needle).unwrap()].matches('\n').count()
}

/// `text` with its one occurrence of `from` replaced by `to`: a scenario edit that
/// silently matched nothing (or more than meant) would test another scenario.
pub fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} is not in the scenario once"
    );
    text.replacen(from, to, 1)
}
