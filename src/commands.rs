//! `immunosim run` and `immunosim resume`: from arguments to a started [`Driver`].
//! Every refusal before the first step is bad input (exit 2) with a message naming the
//! file or flag and what is wrong; nothing is written before all checks pass.

use crate::checkpoint_file::{self, Loaded};
use crate::cli::{ResumeArgs, RunArgs};
use crate::driver::{Checkpoints, Driver, Ended, interruption_flag};
use crate::failure::{Failure, bad, use_threads};
use crate::memory_check::{check_memory, resume_allowance};
use crate::provenance;
use anyhow::Context;
use immunosim_engine::simulation::Simulation;
use immunosim_engine::timeline::Timeline;
use immunosim_output::{CsvRecorder, OutDirLock, SummaryBuilder, lock_out_dir, prepare_out_dir};
use immunosim_scenario::branch;
use immunosim_scenario::{DEFAULT_SCENARIO, DEFAULT_SCENARIO_LABEL, RunInfo, RunStatus, Scenario};
use std::path::Path;

fn load_scenario(args: &RunArgs) -> Result<Scenario, Failure> {
    let mut scenario = match &args.scenario {
        Some(path) => immunosim_scenario::load(path),
        None => immunosim_scenario::parse_str(DEFAULT_SCENARIO, DEFAULT_SCENARIO_LABEL),
    }
    .map_err(bad)?;
    if let Some(seed) = args.seed {
        scenario.config.seed = seed;
    }
    if let Some(days) = args.days {
        if !(days.is_finite() && (1.0..=36_525.0).contains(&days)) {
            return Err(bad(format!(
                "error: --days {days} is out of range (allowed 1 <= days <= 36525)"
            )));
        }
        scenario.config.days = days;
    }
    Ok(scenario)
}

/// The checkpoint plan of `args` on `scenario`'s step grid.
fn checkpoint_plan(args: &RunArgs, scenario: &Scenario) -> Result<Checkpoints, Failure> {
    let config = &scenario.config;
    let timeline = Timeline::for_run(config);
    let every_steps = args
        .checkpoint_every
        .map(|days| ((days / config.dt_days).round() as u64).max(1));
    let mut at = Vec::new();
    for &day in &args.checkpoint_at {
        let step = timeline
            .step_of(day)
            .filter(|&s| s < timeline.total_steps)
            .ok_or_else(|| {
                bad(format!(
                    "error: --checkpoint-at {day} is outside the run (allowed {} <= DAY < {})",
                    timeline.day_of(0),
                    timeline.day_of(timeline.total_steps)
                ))
            })?;
        at.push((step, day));
    }
    Ok(Checkpoints { every_steps, at })
}

/// Refuses a checkpoint whose state does not fit its own scenario (a forged or
/// hand-edited file that passed the checksum).
fn fits(path: &Path, saved: &Loaded, scenario: &Scenario) -> Result<(), Failure> {
    immunosim_engine::checkpoint::check_fits(&saved.state, &scenario.config).map_err(|e| {
        bad(format!(
            "error: {}: corrupted: {e} (the checksum matches: a forged or edited file?)",
            path.display()
        ))
    })
}

/// The saved patient of `--from`, checked against the arm's scenario.
fn branch_from(path: &Path, arm: &Scenario) -> Result<Loaded, Failure> {
    let saved = checkpoint_file::read(path).map_err(|e| bad(format!("error: {e}")))?;
    let label = format!("{} (its scenario)", path.display());
    let own = immunosim_scenario::parse_str(&saved.scenario_toml, &label).map_err(bad)?;
    fits(path, &saved, &own)?;
    let arm_toml = arm.to_resolved_toml(RunInfo {
        version: env!("CARGO_PKG_VERSION"),
        threads: 1,
        status: RunStatus::Running,
    });
    let mut problems = branch::disagreements(&arm_toml, &saved.scenario_toml);
    problems.extend(branch::timing_problems(arm, saved.state.step()));
    if !problems.is_empty() {
        return Err(bad(format!(
            "error: {} does not fit the checkpoint {}:\n  {}",
            arm.name,
            path.display(),
            problems.join("\n  ")
        )));
    }
    Ok(saved)
}

/// Locks `dir` for this process (creating it if missing): a folder another run or
/// resume is writing into is bad input.
fn lock(dir: &Path) -> Result<Option<OutDirLock>, Failure> {
    lock_out_dir(dir).map_err(|e| bad(format!("error: {e}")))
}

/// `immunosim run`.
pub fn run(args: &RunArgs) -> Result<Ended, Failure> {
    if let Some(path) = &args.scenario
        && (args.patient.is_some() || crate::cohort_command::is_cohort_file(path))
    {
        return crate::cohort_command::run_patient(path, args);
    }
    let provenance = provenance::current();
    let scenario = load_scenario(args)?;
    let saved = match &args.from {
        Some(path) => Some(branch_from(path, &scenario)?),
        None => None,
    };
    let checkpoints = checkpoint_plan(args, &scenario)?;
    use_threads(args.threads)?;
    let allowance =
        check_memory(&scenario, args.max_memory).map_err(|m| bad(format!("error: {m}")))?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("out").join(&scenario.name));
    // Held until the run ends: --force must not clear a folder another run writes in.
    let _lock = lock(&out)?;
    prepare_out_dir(&out, args.force).map_err(|e| bad(format!("error: {e}")))?;
    let driver = Driver {
        scenario: &scenario,
        out: &out,
        checkpoints,
        quiet: args.quiet,
        written: Default::default(),
        allowance,
        estimate: Some(immunosim_engine::memory::estimate_peak_bytes(
            &scenario.config,
        )),
        provenance,
    };
    let interrupted = interruption_flag();
    driver.write_manifest(RunStatus::Running)?;
    let mut recorder = CsvRecorder::create(
        &out,
        SummaryBuilder::new(&scenario.name, scenario.config.seed)
            .with_score_scale(&scenario.score_scale),
        !scenario.config.products.is_empty(),
    )
    .context("creating the outputs")?;
    let seed = format!("seed {}", scenario.config.seed);
    let (mut sim, detail) = match (saved, &args.from) {
        (Some(saved), Some(path)) => {
            let sim = Simulation::from_state(scenario.config.clone(), saved.state);
            let detail = format!(
                "{seed}; from checkpoint {} (day {})",
                path.display(),
                sim.day()
            );
            (sim, detail)
        }
        _ => (Simulation::new(scenario.config.clone()), seed),
    };
    sim.begin(&mut recorder, &detail)
        .context("writing outputs")?;
    let ended = driver.run(&mut sim, recorder, &interrupted)?;
    if args.report && matches!(ended, Ended::Finished) {
        crate::report_command::report(&out)?;
    }
    Ok(ended)
}

/// `immunosim resume`.
pub fn resume(args: &ResumeArgs) -> Result<Ended, Failure> {
    let provenance = provenance::current();
    let path = args.dir.join(checkpoint_file::ROLLING);
    if !path.exists() {
        return Err(bad(format!(
            "error: {} has no checkpoint to resume from ({} is missing; runs write it with --checkpoint-every)",
            args.dir.display(),
            path.display()
        )));
    }
    let manifest = args.dir.join("run.toml");
    let finished = std::fs::read_to_string(&manifest)
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| {
            t.get("run")?
                .get("status")?
                .as_str()
                .map(|s| s == "finished")
        })
        .unwrap_or(false);
    if finished {
        return Err(bad(format!(
            "error: the run in {} has finished ({} says status = \"finished\"); nothing to resume",
            args.dir.display(),
            manifest.display()
        )));
    }
    // Before anything is read: the run may still be going, writing this checkpoint.
    let _lock = lock(&args.dir)?;
    let saved = checkpoint_file::read(&path).map_err(|e| bad(format!("error: {e}")))?;
    let label = format!("{} (its scenario)", path.display());
    let scenario = immunosim_scenario::parse_str(&saved.scenario_toml, &label).map_err(bad)?;
    fits(&path, &saved, &scenario)?;
    let allowance = resume_allowance(saved.state.census(), args.max_memory)
        .map_err(|m| bad(format!("error: {m}")))?;
    use_threads(args.threads)?;
    let recorder = CsvRecorder::resume(&args.dir, &saved.position.output)
        .map_err(|e| bad(format!("error: cannot resume: {e}")))?;
    let driver = Driver {
        scenario: &scenario,
        out: &args.dir,
        checkpoints: Checkpoints {
            every_steps: saved.position.checkpoint_every_steps,
            at: saved.position.checkpoint_at.clone(),
        },
        quiet: args.quiet,
        written: Default::default(),
        allowance,
        estimate: None,
        provenance,
    };
    let interrupted = interruption_flag();
    driver.write_manifest(RunStatus::Running)?;
    let mut sim = Simulation::from_state(scenario.config.clone(), saved.state);
    Ok(driver.run(&mut sim, recorder, &interrupted)?)
}
