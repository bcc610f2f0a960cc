//! The options of `immunosim cohort` and `immunosim merge`.

use clap::Args;
use immunosim_cohort::manifest::parse_shard;
use std::path::PathBuf;

/// Options of `immunosim cohort`.
#[derive(Args, Debug)]
pub struct CohortArgs {
    /// Cohort file (a scenario with `[[variability]]` and `[[arms]]`; see `immunosim
    /// help scenario`, "Cohort files").
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,

    /// Virtual patients (overrides `[cohort] patients`). Patient k's draws and rows do
    /// not depend on how many there are.
    #[arg(short = 'n', long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub patients: Option<u64>,

    /// Output directory: cohort.csv, cohort_summary.csv, survival.csv,
    /// cohort_timeseries.csv, cohort.toml and parts/ (one file per patient).
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,

    /// Cohort seed (overrides scenario.seed): each patient's draws and run seed derive
    /// from it and the patient's index.
    #[arg(short, long, value_name = "N")]
    pub seed: Option<u64>,

    /// Days to record (overrides scenario.days).
    #[arg(short, long, value_name = "DAYS")]
    pub days: Option<f64>,

    /// Worker threads (default: all cores); patients run in parallel, one per thread
    /// (fewer if fewer fit in memory, see --max-memory). Outputs do not depend on it.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,

    /// Run at once only as many patients (each holding its burned-in checkpoint while
    /// its arms run) as fit in SIZE (e.g. 4G), sharing the threads among them (said on
    /// stderr); refuse to start if one does not fit. Default: the memory available at
    /// the start (MemAvailable, or less where the process's memory cgroup limit leaves
    /// less: a Slurm job's --mem, a container's).
    #[arg(long, value_name = "SIZE", value_parser = crate::memory_check::parse_size)]
    pub max_memory: Option<u64>,

    /// Continue the cohort in --out (killed or interrupted): finished patients are
    /// kept, the others are run; the outputs equal an uninterrupted run's.
    #[arg(long)]
    pub resume: bool,

    /// Run only shard I of N (patients k with k mod N = I) and leave the merging to
    /// `immunosim merge` (for job arrays; docs/cohorts.md).
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,

    /// Also write every patient-arm's full run outputs to DIR/patients/patient_K/ARM/.
    #[arg(long)]
    pub keep_patients: bool,

    /// Replace an earlier cohort in --out (its files only).
    #[arg(long)]
    pub force: bool,

    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,

    /// When the cohort's outputs are written, also write report.html and plot_*.svg
    /// (per-arm medians and IQRs, Kaplan-Meier curves, CRS grades and Cmax spread), as
    /// `immunosim report DIR` does.
    #[arg(long)]
    pub report: bool,

    /// Probabilistic sensitivity analysis with N replicates: prices and utilities drawn
    /// per replicate (keyed by the cohort seed and the replicate), the simulated
    /// ledgers re-priced, the acceptability curve written to ceac.csv. Needs
    /// `[economics]` (docs/economics.md).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub psa: Option<u64>,
}

/// Options of `immunosim merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Output folders of the shards of one cohort (`immunosim cohort --shard I/N`).
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,

    /// Where to write the merged cohort (its parts are copied there).
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,

    /// Replace an earlier cohort in --out.
    #[arg(long)]
    pub force: bool,

    /// Probabilistic sensitivity analysis with N replicates (as `cohort --psa`; keyed
    /// by the cohort's seed, so the same ceac.csv as one run).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub psa: Option<u64>,
}
