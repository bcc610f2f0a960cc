//! `immunosim-perf`: the performance tables of docs/performance.md.
//!
//! Runs the untreated SLE patient (no burn-in) at about 1e5, 1e6 and 1e7
//! agents for a fixed number of simulated days and prints one row per size: agents,
//! steps, wall time of the steps, ns per cell-step, the share of agents sent through the
//! model's rules per step (`Simulation::rows_stepped`; the rest are only counted), peak
//! resident memory (VmHWM) and bytes per agent, threads. Each size runs in a fresh child
//! process so that its peak memory is its own.
//!
//! ```text
//! cargo run --release -p immunosim-perf -- [--days 30] [--sizes 1e5,1e6,1e7]
//! RAYON_NUM_THREADS=1 cargo run --release -p immunosim-perf
//! cargo run --release -p immunosim-perf -- --help
//! ```

use clap::{Parser, ValueEnum};
use immunosim_engine::simulation::Simulation;

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

EXAMPLES:
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
        let mut world = immunosim_engine::world::CellWorld::new();
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

/// Current resident set size (VmRSS), bytes.
fn current_rss_bytes() -> u64 {
    status_kb("VmRSS:") * 1024
}

fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0)
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

/// Peak resident set size of this process (VmHWM), bytes.
fn peak_rss_bytes() -> u64 {
    status_kb("VmHWM:") * 1024
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
    }
}
