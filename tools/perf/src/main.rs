//! `immunosim-perf`: the performance table of the README.
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
//! ```

use immunosim_engine::simulation::Simulation;

use std::process::Command;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let days: u32 = value("--days").map_or(30, |d| d.parse().expect("--days takes a whole number"));
    if let Some(n) = value("--storage") {
        println!(
            "{}",
            storage(n.parse().expect("--storage takes a number of cells"))
        );
        return;
    }
    if let Some(size) = value("--one") {
        let size: f64 = size.parse().expect("--one takes a number of agents");
        println!("{}", measure(size, days));
        return;
    }
    let sizes = value("--sizes").unwrap_or_else(|| "1e5,1e6,1e7".into());
    println!(
        "| agents (start) | steps | wall time of steps (s) | ns per cell-step | agents through the rules per step | peak RSS (MiB) | bytes per agent | threads | same rows at 1 thread |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let exe = std::env::current_exe().expect("own path");
    for size in sizes.split(',') {
        let run = |threads: Option<&str>| {
            let mut command = Command::new(&exe);
            command.args(["--one", size, "--days", &days.to_string()]);
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
            .args(["--storage", "1e7", kind])
            .output()
            .expect("child run");
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
}

/// Peak memory per cell of storing `n` cells as a plain `Vec<Cell>` or as bevy entities.
fn storage(n: f64) -> String {
    let n = n as u64;
    let kind = std::env::args().next_back().unwrap_or_default();
    let before = current_rss_bytes();
    let cells = (0..n).map(|i| immunosim_model::Cell {
        id: immunosim_model::CellId(i),
        ..Default::default()
    });
    let len = if kind == "ecs" {
        let mut world = immunosim_engine::world::CellWorld::new();
        world.spawn(cells);
        world.len()
    } else {
        cells.collect::<Vec<_>>().len()
    };
    let grown = peak_rss_bytes().saturating_sub(before);
    format!(
        "storage of {len} cells as {}: {:.1} bytes per cell (the Cell record is {} bytes)",
        if kind == "ecs" {
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
    let steps = config.total_steps();
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
