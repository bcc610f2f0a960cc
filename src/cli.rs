//! Command-line interface: flags and their documentation.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Agent-based simulator of a patient's immune system, cell by cell.
///
/// immunosim simulates a patient as millions of individual B cells, plasma cells and T
/// cells in a bevy_ecs world stepped in parallel, and reports what a clinic would
/// measure: blood counts, IgG and autoantibody titres, vaccine antibodies, and a
/// SLEDAI-2K-like disease activity score. Scenarios are TOML files (see
/// scenarios/*.toml and `immunosim help scenario`).
#[derive(Parser, Debug)]
// clap's own `help` subcommand would shadow `help scenario`; `--help` stays on every
// command.
#[command(name = "immunosim", version, about, long_about, after_long_help = EXAMPLES)]
#[command(disable_help_subcommand = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

const EXAMPLES: &str = "\
EXAMPLES:
    Run the built-in default scenario (SLE, Erlangen CD19 CAR-T regimen, one year):
        immunosim run --out out/sle

    Run a scenario file with another seed, on 2 threads:
        immunosim run scenarios/healthy.toml --seed 7 --threads 2 --out out/healthy

    Re-run a finished run exactly, from its resolved scenario:
        immunosim run out/sle/run.toml --out out/sle-again

    Validate scenario files without running them:
        immunosim check scenarios/*.toml

    Every scenario field with its allowed values, unit, default and meaning:
        immunosim help scenario

OUTPUTS (in --out):
    timeseries.csv  one row per (day, compartment, population): agents, cells, cells_per_uL
    serology.csv    one row per day: IgG g/L, autoantibody and vaccine IgG mg/L, score
    events.csv      run start/end, burn-in, leukapheresis, product release or failure,
                    bridging, lymphodepletion, infusions, CRS grades and doses,
                    vaccination, IVIG, autoantibody and remission changes
    car_t.csv       with products: one row per (day, product, phenotype, CD4/CD8):
                    CAR-T cells_per_uL in blood and percent_of_cd3
    summary.csv     one row: each endpoint at day 0, at the end, mean and drift
    run.toml        the fully resolved scenario, seed, version, thread count and status

EXIT STATUS:
    0  success
    1  the run failed (I/O error while writing outputs, internal error)
    2  bad input (scenario errors, unreadable file, non-empty --out without --force)";

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario and write its outputs.
    ///
    /// With no SCENARIO, runs the built-in default (scenarios/sle_cd19_erlangen.toml).
    Run(RunArgs),
    /// Validate scenario files and report every problem, without running.
    Check {
        /// Scenario files to check.
        #[arg(required = true, value_name = "SCENARIO")]
        scenarios: Vec<PathBuf>,
    },
    /// Print a reference: `immunosim help scenario` lists every scenario field with its
    /// allowed values, unit, default and meaning (markdown; docs/scenario.md holds it).
    Help {
        /// What to explain.
        #[arg(value_enum)]
        topic: HelpTopic,
    },
}

/// Topics of `immunosim help`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum HelpTopic {
    /// Every scenario table and field, and every model parameter.
    Scenario,
}

/// Options of `immunosim run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenario file (TOML). Default: the built-in Erlangen CD19 CAR-T scenario.
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<PathBuf>,

    /// Output directory; created if missing, refused if not empty (see --force).
    /// Default: out/<scenario name>.
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Replace an earlier run in the output directory: its files (CSVs, run.toml,
    /// checkpoints) are removed first. Refused if the directory holds other files.
    #[arg(long)]
    pub force: bool,

    /// Run seed (overrides scenario.seed). Same scenario and seed give byte-identical
    /// outputs at any thread count.
    #[arg(short, long, value_name = "N")]
    pub seed: Option<u64>,

    /// Worker threads (default: all cores). Outputs do not depend on it.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,

    /// Days to record (overrides scenario.days).
    #[arg(short, long, value_name = "DAYS")]
    pub days: Option<f64>,

    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,

    /// Refuse to start if the run's estimated peak memory exceeds SIZE (e.g. 512M, 8G).
    /// Default: the memory available now (MemAvailable).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,
}

/// Parses a size such as `512M`, `8G`, `1.5G` or a number of bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (number, unit) = t.split_at(t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len()));
    let scale = match unit
        .to_ascii_uppercase()
        .trim_end_matches("IB")
        .trim_end_matches('B')
    {
        "" => 1.0,
        "K" => 1024.0,
        "M" => 1024.0 * 1024.0,
        "G" => 1024.0 * 1024.0 * 1024.0,
        "T" => 1024.0_f64.powi(4),
        _ => return Err(format!("unknown unit `{unit}` (use K, M, G or T)")),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a size such as 512M or 8G"))?;
    if !(value.is_finite() && value > 0.0) {
        return Err(format!("`{text}` must be a positive size"));
    }
    Ok((value * scale) as u64)
}
