//! The `immunosim` binary: wires scenario, engine and output. It alone reads argv,
//! the terminal and the clock, and it alone exits.

mod cli;
mod progress;

use anyhow::Context;
use clap::Parser;
use cli::{Cli, Command, RunArgs};
use immunosim_engine::simulation::Simulation;
use immunosim_output::{CsvRecorder, SummaryBuilder, prepare_out_dir, write_atomically};
use immunosim_scenario::{
    DEFAULT_SCENARIO, DEFAULT_SCENARIO_LABEL, RunInfo, RunStatus, Scenario, ScenarioErrors,
};
use std::process::ExitCode;

/// Exit status for bad input.
const EXIT_BAD_INPUT: u8 = 2;
/// Exit status for a failed run.
const EXIT_FAILURE: u8 = 1;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { scenarios } => check(&scenarios),
        Command::Run(args) => run(args),
        Command::Help {
            topic: cli::HelpTopic::Scenario,
        } => {
            print!("{}", immunosim_scenario::reference_markdown());
            ExitCode::SUCCESS
        }
    }
}

fn check(paths: &[std::path::PathBuf]) -> ExitCode {
    let mut bad = false;
    for path in paths {
        match immunosim_scenario::load(path) {
            Ok(s) => println!(
                "{}: ok ({}, preset {}, {} days)",
                path.display(),
                s.name,
                s.preset,
                s.config.days
            ),
            Err(errors) => {
                bad = true;
                eprintln!("{errors}");
            }
        }
    }
    if bad {
        ExitCode::from(EXIT_BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}

fn load_scenario(args: &RunArgs) -> Result<Scenario, ScenarioErrors> {
    let mut scenario = match &args.scenario {
        Some(path) => immunosim_scenario::load(path)?,
        None => immunosim_scenario::parse_str(DEFAULT_SCENARIO, DEFAULT_SCENARIO_LABEL)?,
    };
    if let Some(seed) = args.seed {
        scenario.config.seed = seed;
    }
    if let Some(days) = args.days {
        scenario.config.days = days;
    }
    Ok(scenario)
}

fn run(args: RunArgs) -> ExitCode {
    let scenario = match load_scenario(&args) {
        Ok(s) => s,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    if let Some(days) = args.days
        && !(days.is_finite() && (1.0..=36_525.0).contains(&days))
    {
        eprintln!("error: --days {days} is out of range (allowed 1 <= days <= 36525)");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    if let Some(threads) = args.threads
        && let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(threads))
            .build_global()
    {
        eprintln!("error: cannot start {threads} threads: {e}");
        return ExitCode::from(EXIT_FAILURE);
    }
    if let Err(message) = check_memory(&scenario, args.max_memory) {
        eprintln!("error: {message}");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| std::path::Path::new("out").join(&scenario.name));
    if let Err(e) = prepare_out_dir(&out, args.force) {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    match simulate(&scenario, &out, args.quiet) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Refuses a run whose estimated peak memory exceeds the limit (`--max-memory`, or the
/// memory available now), naming the `cells_per_agent` that would fit.
fn check_memory(scenario: &Scenario, max_memory: Option<u64>) -> Result<(), String> {
    use immunosim_engine::memory;
    let (limit, what) = match max_memory {
        Some(bytes) => (bytes as f64, "--max-memory"),
        None => match available_memory_bytes() {
            Some(bytes) => (bytes, "available memory (MemAvailable)"),
            None => return Ok(()),
        },
    };
    let config = &scenario.config;
    let estimate = memory::estimate_peak_bytes(config);
    if estimate <= limit {
        return Ok(());
    }
    let gib = |b: f64| b / 1024.0 / 1024.0 / 1024.0;
    let advice = match memory::cells_per_agent_to_fit(config, limit) {
        Some(w) => format!("set [resolution] cells_per_agent = {w:.3e} or more to fit"),
        None => "the limit is below the fixed cost of a run".to_string(),
    };
    Err(format!(
        "this run needs about {:.2} GiB ({:.0} agents at ~{} bytes each, with {}% headroom for births), \
         more than the {what} of {:.2} GiB; {advice}",
        gib(estimate),
        memory::initial_agents(config),
        memory::BYTES_PER_AGENT,
        ((memory::GROWTH_HEADROOM - 1.0) * 100.0).round(),
        gib(limit),
    ))
}

/// MemAvailable from /proc/meminfo, bytes (None where it cannot be read).
fn available_memory_bytes() -> Option<f64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb: f64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024.0)
}

fn simulate(scenario: &Scenario, out: &std::path::Path, quiet: bool) -> anyhow::Result<()> {
    let threads = rayon::current_num_threads();
    let manifest = scenario.to_resolved_toml(RunInfo {
        version: env!("CARGO_PKG_VERSION"),
        threads,
        status: RunStatus::Running,
    });
    write_atomically(&out.join("run.toml"), manifest.as_bytes())?;
    let started = std::time::Instant::now();
    let config = scenario.config.clone();
    let total_steps = config.total_steps();
    let burn_in_steps = config.burn_in_steps();
    let mut sim = Simulation::new(config);
    let mut recorder = CsvRecorder::create(
        out,
        SummaryBuilder::new(&scenario.name, scenario.config.seed)
            .with_score_scale(&scenario.score_scale),
        !scenario.config.products.is_empty(),
    )?;
    let mut bar = progress::RunProgress::new(total_steps, burn_in_steps, quiet);
    sim.run(&mut recorder, &mut |p| bar.update(p.step, p.day, p.agents))
        .context("writing outputs")?;
    bar.finish();
    recorder.finish()?;
    if !quiet {
        let seconds = started.elapsed().as_secs_f64();
        eprintln!(
            "{}: {} steps, {} agents at the end, {:.1} s; outputs in {}",
            scenario.name,
            total_steps,
            sim.census().living(),
            seconds,
            out.display()
        );
    }
    Ok(())
}
