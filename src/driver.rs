//! The loop of a run in the binary: steps, outputs, checkpoints, and what happens on
//! SIGINT/SIGTERM. The same loop serves a new run, a resumed one and a branch.

use crate::checkpoint_file::{self, RunPosition};
use crate::progress::RunProgress;
use anyhow::Context;
use immunosim_engine::recorder::{Event, EventKind, Recorder};
use immunosim_engine::simulation::Simulation;
use immunosim_output::{CsvRecorder, write_atomically};
use immunosim_scenario::{RunInfo, RunStatus, Scenario};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Every step was taken and the summary written.
    Finished,
    /// Stopped by SIGINT or SIGTERM at a step boundary.
    Interrupted,
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
    fn manifest(&self, status: RunStatus) -> String {
        self.scenario.to_resolved_toml(RunInfo {
            version: env!("CARGO_PKG_VERSION"),
            threads: rayon::current_num_threads(),
            status,
        })
    }

    /// Writes `run.toml` with `status`.
    pub fn write_manifest(&self, status: RunStatus) -> anyhow::Result<()> {
        write_atomically(&self.out.join("run.toml"), self.manifest(status).as_bytes())?;
        Ok(())
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
        let bytes = checkpoint_file::write(path, &scenario, &position, sim.state())
            .with_context(|| format!("writing checkpoint {}", path.display()))?;
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
        loop {
            let due = self.due(sim);
            for path in &due {
                self.checkpoint(sim, &mut recorder, path)?;
            }
            if sim.is_finished() {
                break;
            }
            if interrupted.load(Ordering::SeqCst) {
                bar.finish();
                let rolling = self.out.join(checkpoint_file::ROLLING);
                if self.checkpoints.every_steps.is_some() && !due.contains(&rolling) {
                    self.checkpoint(sim, &mut recorder, &rolling)?;
                }
                let detail = if self.checkpoints.every_steps.is_some() {
                    "SIGINT or SIGTERM; `immunosim resume` continues from the checkpoint"
                } else {
                    "SIGINT or SIGTERM; no --checkpoint-every, so the run cannot be resumed"
                };
                let event = Event::at(
                    sim.steps_taken(),
                    sim.timeline(),
                    EventKind::RunInterrupted,
                    detail.into(),
                );
                recorder.event(&event).context("writing outputs")?;
                recorder.checkpoint()?;
                self.write_manifest(RunStatus::Interrupted)?;
                return Ok(Ended::Interrupted);
            }
            sim.advance(&mut recorder).context("writing outputs")?;
            let p = sim.progress();
            bar.update(p.step, p.day, p.agents);
        }
        sim.finish(&mut recorder).context("writing outputs")?;
        bar.finish();
        recorder.finish()?;
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
