//! The loop of a run in the binary: steps, outputs, checkpoints, and what happens on
//! SIGINT/SIGTERM, on a failed write and when the agents outgrow the memory allowed.
//! The same loop serves a new run, a resumed one and a branch.

use crate::checkpoint_file::{self, RunPosition};
use crate::memory_check::{Allowance, Guard, size};
use crate::progress::RunProgress;
use anyhow::Context;
use immunosim_engine::recorder::{Event, EventKind, Recorder};
use immunosim_engine::simulation::Simulation;
use immunosim_output::{CsvRecorder, write_atomically};
use immunosim_scenario::{Provenance, RunInfo, RunStatus, Scenario};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Every step was taken and the summary written.
    Finished,
    /// Stopped by SIGINT or SIGTERM at a step boundary.
    Interrupted,
    /// Stopped at a step boundary because the agents outgrew the memory allowed: why,
    /// and what to set (exit 1).
    MemoryLimit(String),
}

/// When to write checkpoints, in steps.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checkpoints {
    /// The rolling checkpoint's interval (`--checkpoint-every`).
    pub every_steps: Option<u64>,
    /// Kept checkpoints (`--checkpoint-at`): (boundary, day).
    pub at: Vec<(u64, f64)>,
}

/// One run's loop: its scenario, output folder and checkpoint plan.
pub struct Driver<'a> {
    /// The scenario being run (its resolved TOML goes into run.toml and checkpoints).
    pub scenario: &'a Scenario,
    /// The output folder.
    pub out: &'a Path,
    /// When to checkpoint.
    pub checkpoints: Checkpoints,
    /// No progress bar or summary line.
    pub quiet: bool,
    /// Checkpoints written, and the bytes and seconds of the last (for the summary line).
    pub written: std::cell::Cell<(u32, u64, f64)>,
    /// The memory the run may use (None: no limit could be read).
    pub allowance: Option<Allowance>,
    /// The start-up estimate of the run's peak memory, bytes (a new run only).
    pub estimate: Option<f64>,
    /// Commit, command line and start time, for `run.toml`.
    pub provenance: Provenance,
}

/// Set by SIGINT/SIGTERM; the loop stops at the next step boundary.
pub fn interruption_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let raised = Arc::clone(&flag);
    // A second signal while the run winds down is ignored: the first one already asked
    // for a clean stop. If no handler can be installed the run is simply not
    // interruptible cleanly (a kill still leaves checkpoints and whole rows).
    let _ = ctrlc::set_handler(move || raised.store(true, Ordering::SeqCst));
    flag
}

impl Driver<'_> {
    fn run_info(status: RunStatus) -> RunInfo<'static> {
        RunInfo {
            version: env!("CARGO_PKG_VERSION"),
            threads: rayon::current_num_threads(),
            status,
        }
    }

    /// The resolved scenario saved in checkpoints: without the provenance, which
    /// `run.toml` carries, so that a checkpoint's bytes depend on the run alone.
    fn manifest(&self, status: RunStatus) -> String {
        self.scenario.to_resolved_toml(Self::run_info(status))
    }

    /// Writes `run.toml` with `status`.
    pub fn write_manifest(&self, status: RunStatus) -> anyhow::Result<()> {
        let text = self
            .scenario
            .to_run_toml(Self::run_info(status), &self.provenance);
        write_atomically(&self.out.join("run.toml"), text.as_bytes())
            .map_err(|e| anyhow::Error::new(e).context(self.failed_write()))?;
        Ok(())
    }

    /// What a failed write of the outputs is reported with: what to do next.
    fn failed_write(&self) -> String {
        if self.checkpoints.every_steps.is_some() {
            format!(
                "writing outputs (once the cause is fixed, e.g. space freed, `immunosim resume {}` continues from the last checkpoint)",
                self.out.display()
            )
        } else {
            "writing outputs (the run cannot be resumed: it has no --checkpoint-every)".into()
        }
    }

    fn checkpoint(
        &self,
        sim: &Simulation,
        recorder: &mut CsvRecorder,
        path: &Path,
    ) -> anyhow::Result<()> {
        let position = RunPosition {
            output: recorder.checkpoint()?,
            checkpoint_every_steps: self.checkpoints.every_steps,
            checkpoint_at: self.checkpoints.at.clone(),
        };
        let scenario = self.manifest(RunStatus::Running);
        let started = std::time::Instant::now();
        let bytes =
            checkpoint_file::write(path, &scenario, &position, sim.state()).with_context(|| {
                format!(
                    "writing checkpoint {} (the previous checkpoint, if any, is intact)",
                    path.display()
                )
            })?;
        let (count, _, _) = self.written.get();
        self.written
            .set((count + 1, bytes, started.elapsed().as_secs_f64()));
        Ok(())
    }

    /// Checkpoints due at the current boundary.
    fn due(&self, sim: &Simulation) -> Vec<PathBuf> {
        let step = sim.steps_taken();
        let mut due = Vec::new();
        for &(at, day) in &self.checkpoints.at {
            if at == step {
                due.push(self.out.join(checkpoint_file::at_day_name(day)));
            }
        }
        if let Some(every) = self.checkpoints.every_steps
            && step.is_multiple_of(every)
            && !sim.is_finished()
        {
            due.push(self.out.join(checkpoint_file::ROLLING));
        }
        due
    }

    /// Runs `sim` to its end (or to an interruption), from wherever it stands.
    pub fn run(
        &self,
        sim: &mut Simulation,
        mut recorder: CsvRecorder,
        interrupted: &AtomicBool,
    ) -> anyhow::Result<Ended> {
        let started = std::time::Instant::now();
        let progress = sim.progress();
        let mut bar = RunProgress::new(progress.total_steps, progress.burn_in_steps, self.quiet);
        let mut guard = self.allowance.map(|a| Guard::new(a, sim.census()));
        let failed = || self.failed_write();
        loop {
            let due = self.due(sim);
            for path in &due {
                self.checkpoint(sim, &mut recorder, path)
                    .with_context(failed)?;
            }
            if sim.is_finished() {
                break;
            }
            let over = guard
                .as_mut()
                .and_then(|g| g.exceeded(sim.census(), &self.scenario.config, sim.day()));
            if interrupted.load(Ordering::SeqCst) || over.is_some() {
                bar.finish();
                let rolling = self.out.join(checkpoint_file::ROLLING);
                if self.checkpoints.every_steps.is_some() && !due.contains(&rolling) {
                    self.checkpoint(sim, &mut recorder, &rolling)
                        .with_context(failed)?;
                }
                let resumable = if self.checkpoints.every_steps.is_some() {
                    "`immunosim resume` continues from the checkpoint"
                } else {
                    "no --checkpoint-every, so the run cannot be resumed"
                };
                let (kind, detail) = match &over {
                    Some(_) => (
                        EventKind::MemoryLimit,
                        format!(
                            "{} agents outgrew the memory allowed; {resumable}",
                            sim.census().living()
                        ),
                    ),
                    None => (
                        EventKind::RunInterrupted,
                        format!("SIGINT or SIGTERM; {resumable}"),
                    ),
                };
                let event = Event::at(sim.steps_taken(), sim.timeline(), kind, detail);
                recorder.event(&event).with_context(failed)?;
                recorder.checkpoint().with_context(failed)?;
                self.write_manifest(RunStatus::Interrupted)?;
                return Ok(match over {
                    Some(message) => Ended::MemoryLimit(message),
                    None => Ended::Interrupted,
                });
            }
            sim.advance(&mut recorder).with_context(failed)?;
            let p = sim.progress();
            bar.update(p.step, p.day, p.agents);
        }
        sim.finish(&mut recorder).with_context(failed)?;
        bar.finish();
        recorder.finish().with_context(failed)?;
        self.write_manifest(RunStatus::Finished)?;
        if !self.quiet {
            eprintln!(
                "{}: {} steps, {} agents at the end, {:.1} s; outputs in {}",
                self.scenario.name,
                sim.steps_taken(),
                sim.census().living(),
                started.elapsed().as_secs_f64(),
                self.out.display()
            );
            if let Some(peak) = crate::memory_check::peak_resident_bytes() {
                eprintln!(
                    "peak memory {} (VmHWM){}",
                    size(peak),
                    self.estimate.map_or(String::new(), |e| format!(
                        "; estimated before the start: {}",
                        size(e)
                    ))
                );
            }
            let (count, bytes, seconds) = self.written.get();
            if count > 0 {
                eprintln!(
                    "{count} checkpoint(s) written; the last {:.1} MB in {seconds:.2} s",
                    bytes as f64 / 1e6
                );
            }
        }
        Ok(Ended::Finished)
    }
}
