//! `immunosim-calibrate`: the calibrated scenarios over a grid of the free parameters,
//! compared with the published figures they were fitted on.
//!
//! Each grid point runs, for every seed, the Erlangen CD19 scenario
//! (`scenarios/sle_cd19_erlangen.toml`, embedded) against the Erlangen cohort, and the
//! axi-cel-like scenario (`scenarios/lymphoma_like_axicel.toml`) against the ZUMA-1
//! blood CAR-T medians and IQRs on days 7/14/28/90, Kimmel's carrying capacity, blood B
//! cells on day 30 (undetectable in most LBCL patients), host CD4 on day 90 (below
//! 200/µL) and the CRS duration; each target names its reference row in `data/`
//! (targets.rs). Prints one table per grid point and scenario (target, model value per seed, band, met) and,
//! with `--out`, writes the same as a tidy CSV (one row per point × scenario × seed ×
//! target).
//!
//! ```text
//! cargo run --release -p immunosim-calibrate
//! cargo run --release -p immunosim-calibrate -- --scenarios erlangen \
//!     --grid car_t.encounters_per_day=150,300,600 --seeds 1,2,3 --out calibration.csv
//! ```
//!
//! The default grid is the parameters fitted with this tool most recently:
//! `car_t.exhaustion_stimulations` (with the stimulation-load decay: Erlangen B-cell
//! return, refitted when targets became compartment-wide) and
//! `car_t.programmed_division_days` (Erlangen CAR-T peak).
//! Each scenario runs at its own resolution (the Erlangen scenario at `run`'s default,
//! 5e5 host cells and 1e5 CAR-T cells per agent, where its B-cell return has converged
//! in both weights; the axi-cel-like scenario at its 2e6), so the tool judges what
//! `immunosim run` gives; `--cells-per-agent 3e6` is ~2.5× faster for exploring a grid,
//! but its coarse host moves the B-cell return with the CAR-T weight
//! (docs/calibration.md, "Convergence in both weights").
//! `cargo run --release -p immunosim-calibrate -- --help` lists the options, the output and examples.

use clap::Parser;
use grid::{grid_points, parse_axis};
use immunosim_engine::recorder::MemoryRecorder;
use immunosim_engine::simulation::Simulation;
use immunosim_outcomes::Outcomes;
use std::collections::BTreeMap;
use std::path::PathBuf;
use targets::{AXICEL, ERLANGEN, Run, Target};

mod grid;
mod targets;

const LONG_ABOUT: &str = "\
Runs the calibrated scenarios over a grid of the free parameters and compares their
endpoints with the published figures.

Each grid point runs, once per seed with the point's parameters, the Erlangen CD19
scenario (embedded; CAR-T peak day and share of CD3+, B-cell return, score at baseline
and month 3, autoantibody negative, CRS grade and onset, IL-6 peak: the Erlangen
cohort) and the axi-cel-like scenario scenarios/lymphoma_like_axicel.toml (blood CAR-T
on days 7/14/28/90: ZUMA-1; whole-body CAR-T peak: Kimmel's carrying capacity; blood B
cells below 1/uL on day 30: LBCL after axi-cel; host CD4 below 200/uL on day 90; CRS
duration). Each value is compared with its band: the reference row of data/*.csv it
names, or the band given in the source. The default grid is the parameters fitted
most recently: car_t.exhaustion_stimulations (Erlangen B-cell return) and
car_t.programmed_division_days (Erlangen CAR-T peak).";

const AFTER_LONG_HELP: &str = "\
OUTPUT:
    stdout  one Markdown table per grid point and scenario: target, model value per
            seed, band, seeds that met it; then how many targets every seed met
    --out   the same as tidy CSV, one row per (point, scenario, seed, target): the
            grid parameters, scenario, seed, target, reference_row, model, low, high,
            met (0/1)

EXAMPLES:
    cargo run --release -p immunosim-calibrate
    cargo run --release -p immunosim-calibrate -- --scenarios erlangen \\
        --grid car_t.encounters_per_day=150,300,600 --seeds 1,2,3 --out calibration.csv
    cargo run --release -p immunosim-calibrate -- --cells-per-agent 3e6 --days 180

Each scenario runs at its own resolution unless --cells-per-agent or
--car-t-cells-per-agent is given: the Erlangen scenario at `immunosim run`'s default
(5e5 host and 1e5 CAR-T cells per agent, ~11 s per run on 2 cores), where its B-cell
return has converged in both weights; the axi-cel-like scenario at its own 2e6.
--cells-per-agent 3e6 runs ~2.5x faster for exploring a grid, but on that coarse host the
B-cell return moves with the CAR-T weight (docs/calibration.md, \"Convergence in both
weights\").";

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
    /// multi-dimensional grid. Default: the exhaustion threshold and the programmed
    /// division, fitted most recently.
    #[arg(long, value_name = "GROUP.NAME=V1,V2")]
    grid: Vec<String>,
    /// Seeds run at every grid point.
    #[arg(long, value_delimiter = ',', default_value = "1,2,3")]
    seeds: Vec<u64>,
    /// Real cells per agent of host cells. Default: each scenario's own (`run`'s
    /// default 5e5 for the Erlangen scenario, 2e6 for the axi-cel-like one).
    #[arg(long)]
    cells_per_agent: Option<f64>,
    /// Real cells per agent of CAR-T cells. Default: each scenario's own (`run`'s
    /// default for both), where the B-cell return has converged (docs/calibration.md,
    /// "Convergence of the B-cell return").
    #[arg(long)]
    car_t_cells_per_agent: Option<f64>,
    /// Days recorded after infusion.
    #[arg(long, default_value_t = 365.0)]
    days: f64,
    /// Burn-in days.
    #[arg(long, default_value_t = 120.0)]
    burn_in_days: f64,
    /// Scenarios run at every grid point: `erlangen` (the Erlangen cohort's targets)
    /// and `axicel` (the axi-cel-like lymphoma-like scenario: ZUMA-1 blood CAR-T on days
    /// 7/14/28/90, Kimmel's carrying capacity, blood B cells on day 30, host CD4 on day
    /// 90, CRS duration).
    #[arg(long, value_delimiter = ',', default_value = "erlangen,axicel")]
    scenarios: Vec<Calibrated>,
    /// Also write the table as CSV here.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// A calibrated scenario.
#[derive(Clone, Copy, Debug, PartialEq, clap::ValueEnum)]
enum Calibrated {
    /// `scenarios/sle_cd19_erlangen.toml` (embedded), against the Erlangen cohort.
    Erlangen,
    /// `scenarios/lymphoma_like_axicel.toml`, against ZUMA-1 and Kimmel 2021.
    Axicel,
}

impl Calibrated {
    fn targets(self) -> &'static [Target] {
        match self {
            Calibrated::Erlangen => ERLANGEN,
            Calibrated::Axicel => AXICEL,
        }
    }
}

fn main() {
    let options = Options::parse();
    let grid = if options.grid.is_empty() {
        vec![
            "car_t.exhaustion_stimulations=15,16,17".to_string(),
            "car_t.programmed_division_days=0,0.5".to_string(),
        ]
    } else {
        options.grid.clone()
    };
    let axes: Vec<(String, Vec<f64>)> = grid.iter().map(|g| parse_axis(g)).collect();
    let references = read_references();
    let mut writer = options
        .out
        .as_ref()
        .map(|path| csv::Writer::from_path(path).expect("cannot write --out"));
    if let Some(w) = writer.as_mut() {
        let mut header: Vec<String> = axes.iter().map(|a| a.0.clone()).collect();
        header.extend(
            [
                "scenario",
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
        for &scenario in &options.scenarios {
            println!("\n## {scenario:?}: {}\n", label.join(", "));
            let runs: Vec<Run> = options
                .seeds
                .iter()
                .map(|&seed| run(&options, scenario, &axes, &point, seed))
                .collect();
            let table = Table {
                scenario,
                seeds: &options.seeds,
                point: &point,
                references: &references,
            };
            table.print(scenario.targets(), &runs, writer.as_mut());
        }
    }
    if let Some(mut w) = writer {
        w.flush().expect("flush");
    }
}

/// One grid point's comparison of runs (one per seed) with targets.
struct Table<'a> {
    scenario: Calibrated,
    seeds: &'a [u64],
    point: &'a [f64],
    references: &'a BTreeMap<String, (f64, f64)>,
}

impl Table<'_> {
    /// Prints the Markdown table and writes the CSV rows.
    fn print(
        &self,
        targets: &[Target],
        runs: &[Run],
        mut writer: Option<&mut csv::Writer<std::fs::File>>,
    ) {
        let seeds: Vec<String> = self.seeds.iter().map(|s| format!("seed {s}")).collect();
        println!("| target | {} | band | met |", seeds.join(" | "));
        println!("|---|{}---|---|", "---|".repeat(seeds.len()));
        let mut met_all = 0;
        for target in targets {
            let (low, high) = band(target, self.references);
            let values: Vec<Option<f64>> = runs.iter().map(|r| (target.value)(r)).collect();
            let meets = |v: &Option<f64>| match v {
                Some(v) => *v >= low && *v <= high,
                None => target.absent_ok,
            };
            let met = values.iter().filter(|v| meets(v)).count();
            if met == values.len() {
                met_all += 1;
            }
            let shown: Vec<String> = values.iter().map(|v| v.map_or("-".into(), shown)).collect();
            println!(
                "| {} | {} | {low}-{high} | {met}/{} |",
                target.name,
                shown.join(" | "),
                values.len()
            );
            if let Some(w) = writer.as_mut() {
                for (seed, value) in self.seeds.iter().zip(&values) {
                    let mut record: Vec<String> =
                        self.point.iter().map(|v| v.to_string()).collect();
                    record.extend([
                        format!("{:?}", self.scenario).to_lowercase(),
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
        println!("\n{met_all} of {} targets met at every seed", targets.len());
    }
}

/// A model value for the table: cell counts in scientific notation, the rest with
/// three decimals (blood counts of 0.01/uL matter).
fn shown(v: f64) -> String {
    if v.abs() >= 1e5 {
        format!("{v:.3e}")
    } else {
        format!("{v:.3}")
    }
}

/// The axi-cel-like scenario, as shipped.
const AXICEL_SCENARIO: &str = include_str!("../../../scenarios/lymphoma_like_axicel.toml");

/// A calibrated scenario at the tool's resolution with the point's parameters: the
/// Erlangen scenario for `--days` after a `--burn-in-days` burn-in, the axi-cel-like
/// scenario for its own days.
fn scenario_text(
    options: &Options,
    scenario: Calibrated,
    axes: &[(String, Vec<f64>)],
    point: &[f64],
) -> String {
    let mut text = match scenario {
        Calibrated::Erlangen => {
            let text = replace_once(
                immunosim_scenario::DEFAULT_SCENARIO,
                "\ndays = 365\n",
                &format!("\ndays = {}\n", options.days),
            );
            let mut text = replace_once(
                &text,
                "burn_in_days = 365\n",
                &format!("burn_in_days = {}\n", options.burn_in_days),
            );
            if let Some(host) = options.cells_per_agent {
                text.push_str(&format!("\n[resolution]\ncells_per_agent = {host:e}\n"));
            }
            text
        }
        Calibrated::Axicel => match options.cells_per_agent {
            Some(host) => replace_once(
                AXICEL_SCENARIO,
                "cells_per_agent = 2e6\n",
                &format!("cells_per_agent = {host:e}\n"),
            ),
            None => AXICEL_SCENARIO.to_string(),
        },
    };
    // Neither scenario sets a CAR-T weight of its own (a table may be defined once).
    if let Some(car_t) = options.car_t_cells_per_agent {
        text.push_str(&format!(
            "\n[resolution.cells_per_agent_by_kind]\ncar_t = {car_t:e}\n"
        ));
    }
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

fn run(
    options: &Options,
    scenario: Calibrated,
    axes: &[(String, Vec<f64>)],
    point: &[f64],
    seed: u64,
) -> Run {
    let text = scenario_text(options, scenario, axes, point);
    let scenario =
        immunosim_scenario::parse_str(&text, "calibration.toml").unwrap_or_else(|e| panic!("{e}"));
    let mut config = scenario.config;
    config.seed = seed;
    let mut sim = Simulation::new(config);
    let mut recorder = MemoryRecorder::default();
    sim.run(&mut recorder, &mut |_| {})
        .expect("in-memory recording cannot fail");
    Run {
        endpoints: Outcomes::of_run(&recorder.snapshots, &recorder.events),
        snapshots: recorder.snapshots,
    }
}

/// `text` with its one occurrence of `from` replaced by `to` (a scenario edit that
/// matched nothing would calibrate another scenario).
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} is not in the scenario once"
    );
    text.replacen(from, to, 1)
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
fn read_references() -> BTreeMap<String, (f64, f64)> {
    immunosim_reference::read_dir(&immunosim_reference::data_dir())
        .unwrap_or_else(|e| panic!("reference rows: {e}"))
        .into_iter()
        .filter_map(|(id, row)| Some((id, row.band()?)))
        .collect()
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
