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

    A run and its report (report.html: plots and endpoints in one file):
        immunosim run --report --out out/sle
        immunosim report out/sle

    A virtual cohort of 30 patients in four arms, on every core; then patient 3's CD19 arm alone:
        immunosim cohort scenarios/cohort_sle_arms.toml --patients 30 --out out/cohort
        immunosim run scenarios/cohort_sle_arms.toml --patient 3 --arm cd19 --out out/p3

    Validate scenario files without running them:
        immunosim check scenarios/*.toml

    Every scenario field with its allowed values, unit, default and meaning:
        immunosim help scenario

    A long run that survives a kill: checkpoint every 30 days, continue after a crash:
        immunosim run scenarios/sle_cd19_erlangen.toml --days 730 --checkpoint-every 30 --out out/long
        immunosim resume out/long

    Two treatment arms for one saved patient (saved on day -40, before any treatment):
        immunosim run scenarios/sle_untreated.toml --days 1 --checkpoint-at -40 --out out/patient
        immunosim run scenarios/sle_cd19_erlangen.toml --from out/patient/checkpoint_day-40.ckpt --out out/cd19
        immunosim run scenarios/sle_bcma_cd19_compound.toml --from out/patient/checkpoint_day-40.ckpt --out out/compound

OUTPUTS (in --out):
    timeseries.csv  one row per (day, compartment, population): agents, cells, cells_per_uL
    serology.csv    one row per day: IgG g/L, autoantibody and vaccine IgG mg/L, score
    events.csv      run start/end, burn-in, leukapheresis, product release or failure,
                    bridging, lymphodepletion, infusions, CRS grades and doses,
                    vaccination, IVIG, autoantibody and remission changes
    car_t.csv       with products: one row per (day, product, phenotype, CD4/CD8):
                    CAR-T cells_per_uL in blood and percent_of_cd3
    summary.csv     one row: each measure at baseline, at the end, mean and drift; endpoints
    report.html     with --report or `immunosim report DIR`: plots and endpoints, one file;
    plot_*.svg      the same plots, one SVG per panel
    run.toml        the fully resolved scenario, seed, version, commit, command line,
                    thread count, start time and status (running, finished or interrupted)
    immunosim.lock  held while a run or resume writes into the folder (never removed)
    checkpoint.ckpt with --checkpoint-every: the latest snapshot of the whole run
    checkpoint_day<DAY>.ckpt  with --checkpoint-at: the patient at that day, kept

EXIT STATUS:
    0  success
    1  the run failed (I/O error while writing outputs: every per-day file is cut
       back to its last whole day; internal error), or was stopped because its agents
       outgrew the memory allowed (events.csv ends with memory_limit)
    2  bad input (scenario errors, unreadable file, non-empty --out without --force,
       a truncated, corrupted or other-version checkpoint, a branch that does not fit,
       an --out another run or resume is writing into)
    130  interrupted (SIGINT or SIGTERM): run.toml says so, events.csv ends with
       run_interrupted, and with --checkpoint-every a checkpoint of the last step is
       written so that `immunosim resume` continues";

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario and write its outputs.
    ///
    /// With no SCENARIO, runs the built-in default (scenarios/sle_cd19_erlangen.toml).
    Run(RunArgs),
    /// Continue an interrupted or killed run from its checkpoint.
    ///
    /// Reads RUN_DIR/checkpoint.ckpt (written by `run --checkpoint-every`), cuts the
    /// output files back to where they stood at the checkpoint and runs to the end: the
    /// outputs are byte-identical to those of an uninterrupted run, at any thread count.
    Resume(ResumeArgs),
    /// Write report.html (inline SVG plots, endpoint table) and plot_*.svg for a run.
    ///
    /// Reads the run folder's CSV files and run.toml; the page is one self-contained file
    /// (no script, no network) that any browser opens and prints. Days are counted from
    /// the first CAR-T infusion.
    Report(ReportArgs),
    /// Run a virtual cohort: every patient (drawn from `[[variability]]`) in every
    /// treatment arm (`[[arms]]`), patients in parallel.
    ///
    /// Each patient is burned in once and branched into every arm, so arms are compared
    /// on the same patients. Writes cohort.csv (one row per patient and arm: drawn
    /// values and every endpoint), cohort_summary.csv (rates with Wilson 95% intervals,
    /// medians and IQRs, each arm against the first on the same patients), survival.csv
    /// (Kaplan-Meier with Greenwood intervals) and cohort_timeseries.csv (per day and
    /// arm, quantiles of the main series). Outputs do not depend on threads, --resume
    /// or shards.
    Cohort(crate::cohort_args::CohortArgs),
    /// Combine the output folders of a cohort's shards (`cohort --shard I/N`) into the
    /// outputs one unsharded run gives.
    Merge(crate::cohort_args::MergeArgs),
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

    /// Refuse to start if the run's estimated peak memory exceeds SIZE (e.g. 512M, 8G),
    /// and stop the run cleanly (exit 1, outputs whole, a checkpoint with
    /// --checkpoint-every) at the end of a step whose agents outgrow it.
    /// Default: the memory available at the start (MemAvailable, or less where the
    /// process's memory cgroup limit leaves less: a Slurm job's --mem, a container's).
    #[arg(long, value_name = "SIZE", value_parser = crate::memory_check::parse_size)]
    pub max_memory: Option<u64>,

    /// Write a checkpoint of the whole run to DIR/checkpoint.ckpt every DAYS simulated
    /// days (burn-in included), replacing the previous one atomically; `immunosim
    /// resume DIR` continues from it.
    #[arg(long, value_name = "DAYS", value_parser = positive_days)]
    pub checkpoint_every: Option<f64>,

    /// Keep a checkpoint of the patient at the start of day DAY (may be negative:
    /// burn-in) as DIR/checkpoint_day<DAY>.ckpt, to branch treatment arms from with
    /// --from. May be given several times.
    #[arg(long, value_name = "DAY", allow_negative_numbers = true)]
    pub checkpoint_at: Vec<f64>,

    /// Start from a saved patient instead of a new one: another treatment arm for the
    /// patient of CHECKPOINT. The scenario must describe the same patient (preset,
    /// burn-in, seed, time step, body, resolution, sites, parameters) and give no
    /// treatment before the checkpoint's day; recording starts there at the latest.
    #[arg(long, value_name = "CHECKPOINT")]
    pub from: Option<PathBuf>,

    /// With a cohort file: run patient K (from 0) alone, writing its full outputs; the
    /// same rows as in the cohort's cohort.csv. Needs --arm.
    #[arg(long, value_name = "K", requires = "arm")]
    pub patient: Option<u64>,

    /// With --patient: the arm to run (an `[[arms]]` name).
    #[arg(long, value_name = "NAME", requires = "patient")]
    pub arm: Option<String>,

    /// When the run finishes, also write report.html and plot_*.svg (as `immunosim
    /// report DIR` does).
    #[arg(long)]
    pub report: bool,
}

/// Options of `immunosim report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The output directory of a run (finished or interrupted).
    #[arg(value_name = "RUN_DIR")]
    pub dir: PathBuf,
}

/// Options of `immunosim resume`.
#[derive(Args, Debug)]
pub struct ResumeArgs {
    /// The output directory of the run to continue.
    #[arg(value_name = "RUN_DIR")]
    pub dir: PathBuf,

    /// Refuse to continue if the run's agents need more than SIZE (e.g. 512M, 8G), and
    /// stop it cleanly if they outgrow it. Default: the memory available now.
    #[arg(long, value_name = "SIZE", value_parser = crate::memory_check::parse_size)]
    pub max_memory: Option<u64>,

    /// Worker threads (default: all cores). Outputs do not depend on it.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,

    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Parses a positive number of days.
fn positive_days(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(d) if d.is_finite() && d > 0.0 => Ok(d),
        _ => Err(format!("`{text}` is not a positive number of days")),
    }
}
