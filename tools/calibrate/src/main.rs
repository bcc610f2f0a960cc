//! `immunosim-calibrate`: the Erlangen CD19 scenario over a grid of the free
//! parameters, compared with the Erlangen cohort.
//!
//! Each grid point runs `scenarios/sle_cd19_erlangen.toml` (embedded) for every seed
//! with the parameters of the point, and compares the clinical endpoints with the
//! reference rows copied into `data/` (targets and bands below, each naming its row).
//! Prints one table per grid point (target, model value per seed, band, met) and, with
//! `--out`, writes the same as a tidy CSV (one row per point × seed × target).
//!
//! ```text
//! cargo run --release -p immunosim-calibrate
//! cargo run --release -p immunosim-calibrate -- \
//!     --grid car_t.encounters_per_day=150,300,600 --seeds 1,2,3 --out calibration.csv
//! ```
//!
//! The default grid is the parameters fitted on this cohort: `car_t.encounters_per_day`
//! (aplasia and B-cell return) and the IL-6 drive (`crs.il6_per_billion_kills_pg_per_ml`,
//! `crs.myeloid_half_drive_pg_per_ml_per_day`: CRS grade, onset and IL-6 peak). The default resolution is coarse (3e6 cells per agent, ~5 s
//! per run on 2 cores); `--cells-per-agent 5e5` is the default resolution of `run`.
//! `cargo run --release -p immunosim-calibrate -- --help` lists the options, the output and examples.

use clap::Parser;
use immunosim_engine::recorder::MemoryRecorder;
use immunosim_engine::simulation::Simulation;
use immunosim_outcomes::{Endpoints, Outcomes};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const LONG_ABOUT: &str = "\
Runs the Erlangen CD19 scenario over a grid of the free parameters and compares its
clinical endpoints with the Erlangen cohort.

Each grid point runs scenarios/sle_cd19_erlangen.toml (embedded) once per seed with the
point's parameters and reads its endpoints (immunosim-outcomes: CAR-T peak day and
share of CD3+, B-cell return, score at baseline and month 3, autoantibody negative,
CRS grade and onset, IL-6 peak). Each is compared with its band: the reference row of
data/*.csv it names, or the band given in the source. The default grid is the
parameters fitted on this cohort: car_t.encounters_per_day (aplasia and B-cell return)
and crs.il6_per_billion_kills_pg_per_ml (CRS grade, onset and IL-6 peak).";

const AFTER_LONG_HELP: &str = "\
OUTPUT:
    stdout  one Markdown table per grid point: target, model value per seed, band,
            seeds that met it; then how many targets every seed met
    --out   the same as tidy CSV, one row per (point, seed, target): the grid
            parameters, seed, target, reference_row, model, low, high, met (0/1)

EXAMPLES:
    cargo run --release -p immunosim-calibrate
    cargo run --release -p immunosim-calibrate -- \\
        --grid car_t.encounters_per_day=150,300,600 --seeds 1,2,3 --out calibration.csv
    cargo run --release -p immunosim-calibrate -- --cells-per-agent 5e5 --days 180

The default resolution is coarse (3e6 cells per agent, ~5 s per run on 2 cores);
--cells-per-agent 5e5 is the default resolution of `immunosim run`.";

/// Command-line options.
#[derive(Parser, Debug)]
#[command(
    name = "immunosim-calibrate",
    version,
    about,
    long_about = LONG_ABOUT,
    after_long_help = AFTER_LONG_HELP
)]
struct Options {
    /// A parameter and its grid values, `group.name=v1,v2,...`; repeat for a
    /// multi-dimensional grid. Default: encounters and the IL-6 kill term, fitted on
    /// Erlangen.
    #[arg(long, value_name = "GROUP.NAME=V1,V2")]
    grid: Vec<String>,
    /// Seeds run at every grid point.
    #[arg(long, value_delimiter = ',', default_value = "1,2,3")]
    seeds: Vec<u64>,
    /// Real cells per agent of host cells (CAR-T cells get a tenth).
    #[arg(long, default_value_t = 3e6)]
    cells_per_agent: f64,
    /// Days recorded after infusion.
    #[arg(long, default_value_t = 365.0)]
    days: f64,
    /// Burn-in days.
    #[arg(long, default_value_t = 120.0)]
    burn_in_days: f64,
    /// Also write the table as CSV here.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// A clinical target: the reference row it comes from, its band, and how the model's
/// value is read from a run.
struct Target {
    name: &'static str,
    row: &'static str,
    /// Band used when the row has no low/high: (low, high).
    band: Option<(f64, f64)>,
    /// The model's value, from the run's endpoints (`immunosim-outcomes`).
    value: fn(&Endpoints) -> Option<f64>,
    /// Whether a run without the event meets the target (e.g. no CRS at all).
    absent_ok: bool,
}

const TARGETS: &[Target] = &[
    Target {
        name: "CAR-T peak day",
        row: "erlangen_cart_peak_day",
        band: Some((7.0, 14.0)), // docs/model.md §8.2
        value: |e| e.car_t_peak.map(|p| p.day),
        absent_ok: false,
    },
    Target {
        name: "CAR-T peak, % of CD3+",
        row: "erlangen_cart_peak_pct_cd3",
        band: None,
        value: |e| e.car_t_peak.map(|p| p.percent_of_cd3),
        absent_ok: false,
    },
    Target {
        name: "B cells back, day",
        row: "erlangen_b_cell_return",
        band: None,
        value: |e| e.b_return_day,
        absent_ok: false,
    },
    Target {
        name: "SLEDAI-like at baseline",
        row: "erlangen_sledai_baseline",
        band: Some((8.0, 22.0)), // docs/model.md §4: refractory SLE typically 8-22
        value: |e| e.score_day0,
        absent_ok: false,
    },
    Target {
        name: "SLEDAI-like at month 3",
        row: "erlangen_sledai_month3",
        band: Some((0.0, 2.0)), // median 0; the test's band
        value: |e| e.score_at_month[0].1,
        absent_ok: false,
    },
    Target {
        name: "autoantibody negative, day",
        row: "erlangen_b_cell_return", // its note: anti-dsDNA turned negative
        band: Some((0.0, 90.0)),       // docs/model.md §8.2: by month 3
        value: |e| e.autoantibody_negative_day,
        absent_ok: false,
    },
    Target {
        name: "CRS grade, max",
        row: "erlangen_crs_grade3plus",
        band: Some((0.0, 2.0)), // 0/15 at grade >= 3
        value: |e| Some(f64::from(e.crs_grade_max)),
        absent_ok: false,
    },
    Target {
        name: "CRS onset, day",
        row: "crs_new_after_day14",
        band: Some((0.0, 14.0)), // no new CRS after day 14
        value: |e| e.crs_onset_day,
        absent_ok: true,
    },
    Target {
        name: "IL-6 peak day",
        row: "il6_peak_day",
        band: None,
        value: |e| e.il6_peak.map(|p| p.day),
        absent_ok: false,
    },
    Target {
        name: "IL-6 peak, pg/mL",
        row: "il6_peak_mild_crs",
        band: None,
        value: |e| e.il6_peak.map(|p| p.value),
        absent_ok: false,
    },
];

fn main() {
    let options = Options::parse();
    let grid = if options.grid.is_empty() {
        vec![
            "car_t.encounters_per_day=100,150,200".to_string(),
            "crs.il6_per_billion_kills_pg_per_ml=15,30,60".to_string(),
        ]
    } else {
        options.grid.clone()
    };
    let axes: Vec<(String, Vec<f64>)> = grid.iter().map(|g| parse_axis(g)).collect();
    let references = read_references(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data"));
    let mut writer = options
        .out
        .as_ref()
        .map(|path| csv::Writer::from_path(path).expect("cannot write --out"));
    if let Some(w) = writer.as_mut() {
        let mut header: Vec<String> = axes.iter().map(|a| a.0.clone()).collect();
        header.extend(
            [
                "seed",
                "target",
                "reference_row",
                "model",
                "low",
                "high",
                "met",
            ]
            .map(String::from),
        );
        w.write_record(&header).expect("write");
    }
    for point in grid_points(&axes) {
        let label: Vec<String> = axes
            .iter()
            .zip(&point)
            .map(|(a, v)| format!("{} = {v}", a.0))
            .collect();
        println!("\n## {}\n", label.join(", "));
        let runs: Vec<Endpoints> = options
            .seeds
            .iter()
            .map(|&seed| run(&options, &axes, &point, seed))
            .collect();
        let seeds: Vec<String> = options.seeds.iter().map(|s| format!("seed {s}")).collect();
        println!("| target | {} | band | met |", seeds.join(" | "));
        println!("|---|{}---|---|", "---|".repeat(seeds.len()));
        let mut met_all = 0;
        for target in TARGETS {
            let (low, high) = band(target, &references);
            let values: Vec<Option<f64>> = runs.iter().map(|r| (target.value)(r)).collect();
            let meets = |v: &Option<f64>| match v {
                Some(v) => *v >= low && *v <= high,
                None => target.absent_ok,
            };
            let met = values.iter().filter(|v| meets(v)).count();
            if met == values.len() {
                met_all += 1;
            }
            let shown: Vec<String> = values
                .iter()
                .map(|v| v.map_or("-".into(), |v| format!("{v:.1}")))
                .collect();
            println!(
                "| {} | {} | {low}-{high} | {met}/{} |",
                target.name,
                shown.join(" | "),
                values.len()
            );
            if let Some(w) = writer.as_mut() {
                for (seed, value) in options.seeds.iter().zip(&values) {
                    let mut record: Vec<String> = point.iter().map(|v| v.to_string()).collect();
                    record.extend([
                        seed.to_string(),
                        target.name.to_string(),
                        target.row.to_string(),
                        value.map_or(String::new(), |v| v.to_string()),
                        low.to_string(),
                        high.to_string(),
                        u8::from(meets(value)).to_string(),
                    ]);
                    w.write_record(&record).expect("write");
                }
            }
        }
        println!("\n{met_all} of {} targets met at every seed", TARGETS.len());
    }
    if let Some(mut w) = writer {
        w.flush().expect("flush");
    }
}

/// `group.name=v1,v2` → (`group.name`, [v1, v2]).
fn parse_axis(text: &str) -> (String, Vec<f64>) {
    let (name, values) = text
        .split_once('=')
        .unwrap_or_else(|| panic!("--grid {text}: expected group.name=v1,v2"));
    let values = values
        .split(',')
        .map(|v| {
            v.trim()
                .parse()
                .unwrap_or_else(|_| panic!("--grid {text}: {v} is not a number"))
        })
        .collect();
    (name.trim().to_string(), values)
}

/// Every combination of the axes' values, the last axis fastest.
fn grid_points(axes: &[(String, Vec<f64>)]) -> Vec<Vec<f64>> {
    axes.iter().fold(vec![Vec::new()], |points, (_, values)| {
        points
            .iter()
            .flat_map(|p| {
                values.iter().map(move |&v| {
                    let mut q = p.clone();
                    q.push(v);
                    q
                })
            })
            .collect()
    })
}

/// The Erlangen scenario at the tool's resolution with the point's parameters.
fn scenario_text(options: &Options, axes: &[(String, Vec<f64>)], point: &[f64]) -> String {
    let mut text = immunosim_scenario::DEFAULT_SCENARIO
        .replace("days = 365\n", &format!("days = {}\n", options.days))
        .replace(
            "burn_in_days = 365\n",
            &format!("burn_in_days = {}\n", options.burn_in_days),
        );
    text.push_str(&format!(
        "\n[resolution]\ncells_per_agent = {:e}\n[resolution.cells_per_agent_by_kind]\ncar_t = {:e}\n",
        options.cells_per_agent,
        options.cells_per_agent / 10.0
    ));
    let mut groups: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for ((name, _), value) in axes.iter().zip(point) {
        let (group, key) = name
            .split_once('.')
            .unwrap_or_else(|| panic!("--grid {name}: expected group.name"));
        groups
            .entry(group)
            .or_default()
            .push(format!("{key} = {value:e}"));
    }
    for (group, lines) in groups {
        text.push_str(&format!("\n[parameters.{group}]\n{}\n", lines.join("\n")));
    }
    text
}

fn run(options: &Options, axes: &[(String, Vec<f64>)], point: &[f64], seed: u64) -> Endpoints {
    let text = scenario_text(options, axes, point);
    let scenario =
        immunosim_scenario::parse_str(&text, "calibration.toml").unwrap_or_else(|e| panic!("{e}"));
    let mut config = scenario.config;
    config.seed = seed;
    let mut sim = Simulation::new(config);
    let mut recorder = MemoryRecorder::default();
    sim.run(&mut recorder, &mut |_| {})
        .expect("in-memory recording cannot fail");
    Outcomes::of_run(&recorder.snapshots, &recorder.events)
}

/// A target's band: its own, or the reference row's low-high.
fn band(target: &Target, references: &BTreeMap<String, (f64, f64)>) -> (f64, f64) {
    target.band.unwrap_or_else(|| {
        *references
            .get(target.row)
            .unwrap_or_else(|| panic!("reference row {} has no band in data/", target.row))
    })
}

/// Rows of `data/*.csv` that have a band: id → (low, high).
fn read_references(dir: &Path) -> BTreeMap<String, (f64, f64)> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("data/ next to the workspace") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let mut reader = csv::Reader::from_path(&path).expect("readable reference CSV");
        for record in reader.records() {
            let record = record.expect("CSV row");
            let (low, high) = (record[3].parse(), record[4].parse());
            if let (Ok(low), Ok(high)) = (low, high) {
                out.insert(record[0].to_string(), (low, high));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_is_consistent_and_help_is_an_answer_not_a_run() {
        Options::command().debug_assert();
        for flag in ["--help", "-h"] {
            let kind = Options::try_parse_from(["immunosim-calibrate", flag])
                .unwrap_err()
                .kind();
            assert_eq!(kind, clap::error::ErrorKind::DisplayHelp, "{flag}");
        }
        let options = Options::try_parse_from(["immunosim-calibrate", "--seeds", "4,5"]).unwrap();
        assert_eq!(options.seeds, [4, 5]);
    }
}
