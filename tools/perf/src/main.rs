//! `immunosim-perf`: the performance tables of docs/performance.md.
//!
//! Runs the untreated SLE patient (no burn-in) at about 1e5, 1e6 and 1e7
//! agents for a fixed number of simulated days and prints one row per size: agents,
//! steps, wall time of the steps, ns per cell-step, the share of agents sent through the
//! model's rules per step (`Simulation::rows_stepped`; the rest are only counted), peak
//! resident memory (VmHWM) and bytes per agent, threads. Each size runs in a fresh child
//! process so that its peak memory is its own.
//!
//! With `--bench` it prints the full picture instead, in one process so that ratios
//! are measured side by side ([`bench`], [`whole`]): the quiet step against the
//! reference loop at 1e5/1e6/1e7, agent events per step by kind and their CPU, the
//! churn-heavy and CAR-T expansion steps, 1 against 2 threads, an untreated and a
//! treated patient-year, what a shared burn-in saves, a 16-patient cohort, and the
//! Erlangen patient at ~1e7 agents over two years.
//!
//! ```text
//! cargo build --release && target/release/immunosim-perf --bench
//! cargo run --release -p immunosim-perf -- --bench --quick      (tiny sizes, seconds)
//! cargo run --release -p immunosim-perf -- [--days 30] [--sizes 1e5,1e6,1e7]
//! RAYON_NUM_THREADS=1 cargo run --release -p immunosim-perf
//! cargo run --release -p immunosim-perf -- --help
//! ```

mod bench;
mod proc_stats;
mod whole;

use clap::{Parser, ValueEnum};
use immunosim_engine::simulation::Simulation;
use proc_stats::{current_rss_bytes, peak_rss_bytes};

use std::process::Command;
use std::time::Instant;

const ABOUT: &str = "Measures immunosim's step: wall time, ns per cell-step and peak memory";

const LONG_ABOUT: &str = "\
Measures immunosim's step: the performance tables of docs/performance.md.

Runs the untreated SLE patient (no burn-in, no treatment) at each size for --days
simulated days and prints one Markdown row per size. Each size runs in a fresh child
process (so that its peak memory is its own), once at the default thread count and
once at 1 thread, to check that both give the same world row for row. Then it measures
the storage cost of 1e7 cells as a plain Vec<Cell> and as bevy_ecs entities.";

const AFTER_LONG_HELP: &str = "\
OUTPUT (stdout, a Markdown table, one row per size):
    agents (start)        living agents when the run starts
    steps                 time steps run (days / time step)
    wall time of steps    seconds spent in the steps (set-up excluded)
    ns per cell-step      wall time / sum over steps of the living agents
    agents through rules  share of agent-steps sent through the model's rules (the
                          rest are only counted)
    peak RSS, bytes/agent VmHWM of the child process, and per starting agent
    threads               rayon threads (RAYON_NUM_THREADS or all cores)
    same rows at 1 thread yes when a hash of every row equals the 1-thread run's
followed by two lines on the storage cost per cell.

WITH --bench (the README's performance table; ~4 min on 2 cores at full size):
    the machine (/proc/cpuinfo); the quiet step against the reference loop and a dry
    scan at 1e5/1e6/1e7 agents (medians), agent events per step by kind and CPU per
    event; the churn-heavy and CAR-T expansion steps against the quiet one; 1 against 2
    threads; an untreated and a treated patient-year (365 d burn-in + 365 d, default
    resolution; CPU, peak agents, peak RSS); what a shared burn-in saves; a 16-patient
    2-arm cohort run by the immunosim binary beside this one; the Erlangen patient at
    ~1e7 agents over 365 + 730 days (CPU, wall, peak RSS per agent at the start and at
    the end of burn-in). --quick: tiny sizes, no 1e7 run.
    --steps: the step section alone (a few minutes).

EXAMPLES:
    cargo build --release && target/release/immunosim-perf --bench
    cargo run --release -p immunosim-perf
    cargo run --release -p immunosim-perf -- --days 10 --sizes 1e5,1e6
    RAYON_NUM_THREADS=1 cargo run --release -p immunosim-perf";

/// Command-line options.
#[derive(Parser, Debug)]
#[command(
    name = "immunosim-perf",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_long_help = AFTER_LONG_HELP
)]
struct Options {
    /// Simulated days run at each size.
    #[arg(long, default_value_t = 30, value_name = "DAYS")]
    days: u32,
    /// Sizes to measure: agents at the start, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1e5,1e6,1e7",
        value_name = "N,N"
    )]
    sizes: Vec<f64>,
    /// The full picture (see below), instead of the step table.
    #[arg(long)]
    bench: bool,
    /// With --bench: tiny sizes and short runs (checks the command, not the speed).
    #[arg(long, requires = "bench")]
    quick: bool,
    /// With --bench: only the step section (no whole runs, no cohort; a few minutes).
    #[arg(long, requires = "bench")]
    steps: bool,
    /// With --bench: also the peak agents of these scenario files over a patient-year.
    #[arg(
        long,
        value_delimiter = ',',
        requires = "bench",
        value_name = "FILE,FILE"
    )]
    scenarios: Vec<String>,
    /// (Internal: a child process making one whole run: untreated, treated or a file.)
    #[arg(long, hide = true, value_name = "WHICH")]
    whole: Option<String>,
    /// (Internal: the whole run's burn-in days.)
    #[arg(long, hide = true, value_name = "DAYS")]
    burn_in_days: Option<f64>,
    /// (Internal: factor on the whole run's cells per agent.)
    #[arg(long, hide = true, default_value_t = 1.0, value_name = "F")]
    coarsen: f64,
    /// (Internal: a child process measuring one size and printing its row.)
    #[arg(long, hide = true, value_name = "N")]
    one: Option<f64>,
    /// (Internal: a child process measuring the storage of N cells.)
    #[arg(long, hide = true, value_name = "N")]
    storage: Option<f64>,
    /// (Internal: how the storage child stores its cells.)
    #[arg(long, hide = true, value_enum, default_value_t = Storage::Vec)]
    storage_kind: Storage,
}

/// How cells are stored, for the storage measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Storage {
    /// A plain `Vec<Cell>`.
    Vec,
    /// bevy_ecs entities (the engine's world).
    Ecs,
}

fn main() {
    let options = Options::parse();
    let days = options.days;
    if let Some(n) = options.storage {
        println!("{}", storage(n, options.storage_kind));
        return;
    }
    if let Some(which) = &options.whole {
        let text = whole::scenario_text(which);
        let run = whole::whole_run(
            &text,
            f64::from(days),
            options.burn_in_days,
            options.coarsen,
        );
        println!("{}", run.line());
        return;
    }
    if options.bench {
        print!(
            "{}",
            full_picture(options.quick, options.steps, &options.scenarios)
        );
        return;
    }
    if let Some(size) = options.one {
        println!("{}", measure(size, days));
        return;
    }
    println!(
        "| agents (start) | steps | wall time of steps (s) | ns per cell-step | agents through the rules per step | peak RSS (MiB) | bytes per agent | threads | same rows at 1 thread |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let exe = std::env::current_exe().expect("own path");
    for size in &options.sizes {
        let run = |threads: Option<&str>| {
            let mut command = Command::new(&exe);
            command.args(["--one", &size.to_string(), "--days", &days.to_string()]);
            if let Some(n) = threads {
                command.env("RAYON_NUM_THREADS", n);
            }
            let out = command.output().expect("child run");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
            let (row, checksum) = text.rsplit_once(' ').expect("row and checksum");
            (row.to_string(), checksum.to_string())
        };
        let (row, checksum) = run(None);
        let (_, single) = run(Some("1"));
        println!("{row} {} |", if checksum == single { "yes" } else { "NO" });
    }
    for kind in ["vec", "ecs"] {
        let out = Command::new(&exe)
            .args(["--storage", "1e7", "--storage-kind", kind])
            .output()
            .expect("child run");
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
}

/// Peak memory per cell of storing `n` cells as a plain `Vec<Cell>` or as bevy entities.
fn storage(n: f64, kind: Storage) -> String {
    let n = n as u64;
    let before = current_rss_bytes();
    let cells = (0..n).map(|i| immunosim_model::Cell {
        id: immunosim_model::CellId(i),
        ..Default::default()
    });
    let len = if kind == Storage::Ecs {
        // Sized for its rows, as a run's world is (`CellWorld::with_capacity`).
        let mut world = immunosim_engine::world::CellWorld::with_capacity(n as usize);
        world.spawn(cells);
        world.len()
    } else {
        cells.collect::<Vec<_>>().len()
    };
    let grown = peak_rss_bytes().saturating_sub(before);
    format!(
        "storage of {len} cells as {}: {:.1} bytes per cell (the Cell record is {} bytes)",
        if kind == Storage::Ecs {
            "bevy_ecs entities"
        } else {
            "a Vec<Cell>"
        },
        grown as f64 / len as f64,
        std::mem::size_of::<immunosim_model::Cell>()
    )
}

/// The `--bench` report: the machine, the step section and (unless `steps_only`) the
/// whole-run section.
fn full_picture(quick: bool, steps_only: bool, scenarios: &[String]) -> String {
    let (steps, runs) = if quick {
        (bench::Plan::quick(), whole::Plan::quick())
    } else {
        (bench::Plan::full(), whole::Plan::full())
    };
    let mut out = format!(
        "Machine: {}; {} rayon threads; immunosim-perf --bench{}{}\n\n",
        proc_stats::machine(),
        rayon::current_num_threads(),
        if quick { " --quick" } else { "" },
        if steps_only { " --steps" } else { "" }
    );
    let report = bench::run(&steps);
    out += &bench::tables(&report, steps.mid);
    if steps_only {
        return out;
    }
    out += "\n";
    let dir = std::env::temp_dir().join(format!("immunosim-perf-{}", std::process::id()));
    out += &whole::section(&runs, scenarios, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// Runs one size and returns its table row.
fn measure(target_agents: f64, days: u32) -> String {
    let scenario = immunosim_scenario::parse_str(
        &format!("[scenario]\npreset = \"sle\"\nburn_in_days = 0\ndays = {days}\n"),
        "perf.toml",
    )
    .expect("valid scenario");
    let mut config = scenario.config;
    immunosim_engine::memory::scale_to_agents(&mut config, target_agents);
    let steps = immunosim_engine::timeline::Timeline::for_run(&config).total_steps;
    let mut sim = Simulation::new(config);
    let start_agents = sim.census().living();
    let mut agent_steps = 0u64;
    let mut stepped = 0u64;
    let started = Instant::now();
    for _ in 0..steps {
        agent_steps += sim.census().living();
        sim.step();
        stepped += sim.rows_stepped();
    }
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_rss_bytes();
    // FNV-1a over every row's fields: equal checksums at 1 and N threads mean the same
    // world, row for row.
    let checksum = sim.cells().iter().fold(0xcbf2_9ce4_8422_2325u64, |h, c| {
        let words = [
            c.id.0,
            u64::from(c.birth_day.to_bits()),
            u64::from(c.site),
            c.population as u64,
            c.specificity as u64,
            c.compartment as u64,
            u64::from(c.divisions),
            u64::from(c.flags),
            u64::from(c.antigen[0])
                | u64::from(c.antigen[1]) << 16
                | u64::from(c.antigen[2]) << 32
                | u64::from(c.antigen[3]) << 48,
        ];
        words
            .iter()
            .fold(h, |h, w| (h ^ w).wrapping_mul(0x0100_0000_01b3))
    });
    format!(
        "| {} | {} | {:.2} | {:.1} | {:.1}% | {:.0} | {:.0} | {} | {checksum:016x}",
        start_agents,
        steps,
        seconds,
        seconds * 1e9 / agent_steps as f64,
        100.0 * stepped as f64 / agent_steps as f64,
        peak as f64 / 1048576.0,
        peak as f64 / start_agents as f64,
        rayon::current_num_threads()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_is_consistent_and_help_is_an_answer_not_a_run() {
        Options::command().debug_assert();
        for flag in ["--help", "-h"] {
            let kind = Options::try_parse_from(["immunosim-perf", flag])
                .unwrap_err()
                .kind();
            assert_eq!(kind, clap::error::ErrorKind::DisplayHelp, "{flag}");
        }
        let sizes = Options::try_parse_from(["immunosim-perf", "--sizes", "1e5,2e6"]).unwrap();
        assert_eq!(sizes.sizes, [1e5, 2e6]);
        assert!(Options::try_parse_from(["immunosim-perf", "--quick"]).is_err());
    }

    /// The `--bench` step section at tiny size: keeps the command from rotting, and
    /// checks what its table rests on (events counted by kind, the ratios finite).
    #[test]
    fn the_bench_step_section_runs_at_tiny_size() {
        let report = bench::run(&bench::Plan::quick());
        let largest = report.sizes.last().expect("sizes");
        // Germinal-centre and pre-B cells have events every step in a lupus patient.
        assert!(
            largest.events[0] > 0.0 && largest.events[3] > 0.0,
            "{largest:?}"
        );
        assert!(largest.events_total() < largest.agents as f64);
        let table = bench::tables(&report, 2e4);
        assert!(
            table.contains("germinal-centre B") && !table.contains("NaN"),
            "{table}"
        );
    }

    /// A whole run at tiny size: peaks and CPU split as the table needs them.
    #[test]
    fn a_whole_run_reports_its_agents_and_cost() {
        let text = whole::scenario_text("treated");
        let run = whole::whole_run(&text, 15.0, Some(10.0), 200.0);
        assert!(run.start_agents > 0 && run.peak_agents >= run.burn_in_peak_agents);
        // Process CPU (10 ms ticks) never falls; the tiny run may take under a tick.
        assert!(
            run.cpu_s >= run.burn_in_cpu_s && run.burn_in_cpu_s >= 0.0,
            "{run:?}"
        );
        assert_eq!(whole::WholeRun::parse(&run.line()), Some(run));
    }
}
