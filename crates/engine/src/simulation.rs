//! A run of one patient: its setup, its state and the loop that steps it and hands
//! what it produces to a [`Recorder`].
//!
//! The loop is resumable: [`Simulation::begin`], then [`Simulation::advance`] until
//! [`Simulation::is_finished`], then [`Simulation::finish`]. Between two calls the
//! simulation is at a step boundary whose outputs have all been handed over, which is
//! where a checkpoint is taken ([`crate::checkpoint`]) and where a run resumes or a
//! branch starts ([`Simulation::from_state`]).

use crate::census::Census;
use crate::config::RunConfig;
use crate::phases::clinical::Observed;
use crate::recorder::{Event, EventKind, RecordError, Recorder, Snapshot};
use crate::schedule;
use crate::state::{PatientState, RunSetup};
use crate::timeline::Timeline;
use immunosim_model::steady_state::SteadyState;
use immunosim_model::{Cell, Population};

pub use crate::world::CHUNK_ROWS;

/// Progress of a run, for progress bars.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Steps done.
    pub step: u64,
    /// Steps in the run.
    pub total_steps: u64,
    /// Steps of burn-in (not recorded).
    pub burn_in_steps: u64,
    /// Simulated day.
    pub day: f64,
    /// Living agents.
    pub agents: u64,
}

/// One simulated patient.
pub struct Simulation {
    setup: RunSetup,
    state: PatientState,
    /// The first boundary recorded by this run: the timeline's record start, or the
    /// boundary a branch started from when that is later.
    record_from: u64,
    /// Rows stepped by population in the last step (not part of the patient's state).
    stepped: [u64; Population::COUNT],
}

impl Simulation {
    /// A patient at the healthy steady state, at the start of burn-in.
    pub fn new(config: RunConfig) -> Simulation {
        let setup = RunSetup::new(config);
        let state = PatientState::new(&setup);
        let record_from = setup.timeline.record_start;
        Simulation {
            setup,
            state,
            record_from,
            stepped: [0; Population::COUNT],
        }
    }

    /// A run of `config` continuing from a saved patient (resume, or a branch with
    /// another treatment: the caller checks that the patient agrees with `config`).
    /// Recording starts at the state's boundary at the earliest.
    pub fn from_state(config: RunConfig, state: PatientState) -> Simulation {
        let setup = RunSetup::new(config);
        let record_from = setup.timeline.record_start.max(state.step);
        Simulation {
            setup,
            state,
            record_from,
            stepped: [0; Population::COUNT],
        }
    }

    /// The run's configuration.
    pub fn config(&self) -> &RunConfig {
        &self.setup.config
    }

    /// Every scheduled event in steps.
    pub fn timeline(&self) -> &Timeline {
        &self.setup.timeline
    }

    /// The patient's state at the current boundary.
    pub fn state(&self) -> &PatientState {
        &self.state
    }

    /// The census at the current time.
    pub fn census(&self) -> &Census {
        self.state.census()
    }

    /// The cell rows (living and dead), in table order.
    pub fn cells(&self) -> &[Cell] {
        self.state.cells()
    }

    /// The derived healthy steady state.
    pub fn steady_state(&self) -> &SteadyState {
        &self.setup.steady
    }

    /// Steps taken.
    pub fn steps_taken(&self) -> u64 {
        self.state.step()
    }

    /// Cells created so far: initial, infused, new pre-B cells and daughters.
    pub fn cells_created(&self) -> u64 {
        self.state.cells_created()
    }

    /// Rows whose cells went through the model's rules in the last step: every living
    /// cell of a population stepped cell by cell, and the quiet cells chosen as
    /// candidates (`rules::quiet`). The rest of the living rows were only counted. What
    /// a step costs beyond reading the table grows with this number
    /// (docs/performance.md).
    pub fn rows_stepped(&self) -> u64 {
        self.state.rows_stepped()
    }

    /// [`Simulation::rows_stepped`] by population at the start of the step (the perf
    /// tool's events per step by kind); zeros before this simulation's first step.
    pub fn rows_stepped_by_population(&self) -> [u64; Population::COUNT] {
        self.stepped
    }

    /// Current simulated day (negative during burn-in).
    pub fn day(&self) -> f64 {
        self.setup.timeline.day_of(self.state.step())
    }

    /// Advances one step, discarding its events (benches, tools).
    pub fn step(&mut self) {
        self.stepped = schedule::step(&self.setup, &mut self.state).stepped;
    }

    /// The patient's state now, as recorded.
    pub fn snapshot(&self) -> Snapshot {
        let state = &self.state;
        Observed {
            cells: state.cells(),
            car_rows: state.world.car_rows(&self.setup.config),
            census: state.census(),
            fields: state.fields(),
            crs: state.crs(),
            config: &self.setup.config,
            steady: &self.setup.steady,
            layout: &self.setup.layout,
            step: state.step(),
            day: self.day(),
        }
        .snapshot()
    }

    /// Progress at the current boundary.
    pub fn progress(&self) -> Progress {
        let timeline = &self.setup.timeline;
        Progress {
            step: self.state.step(),
            total_steps: timeline.total_steps,
            burn_in_steps: timeline.record_start,
            day: self.day(),
            agents: self.state.census().living(),
        }
    }

    /// Whether every step has been taken.
    pub fn is_finished(&self) -> bool {
        self.state.step() >= self.setup.timeline.total_steps
    }

    /// Starts the record: the run-start event (`detail` says what the run starts from)
    /// and the current boundary's observations.
    pub fn begin(&mut self, recorder: &mut dyn Recorder, detail: &str) -> Result<(), RecordError> {
        recorder.event(&self.event(EventKind::RunStart, detail.to_string()))?;
        self.observe(recorder)
    }

    /// Takes one step and hands its events and the next boundary's observations to
    /// `recorder`.
    pub fn advance(&mut self, recorder: &mut dyn Recorder) -> Result<(), RecordError> {
        let report = schedule::step(&self.setup, &mut self.state);
        self.stepped = report.stepped;
        for event in report.events {
            recorder.event(&event)?;
        }
        self.observe(recorder)
    }

    /// Ends the record with the run-end event.
    pub fn finish(&mut self, recorder: &mut dyn Recorder) -> Result<(), RecordError> {
        let detail = format!("{} agents", self.state.census().living());
        recorder.event(&self.event(EventKind::RunEnd, detail))
    }

    /// Runs burn-in and the recorded days, handing snapshots and events to `recorder`.
    pub fn run(
        &mut self,
        recorder: &mut dyn Recorder,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), RecordError> {
        let detail = format!("seed {}", self.setup.config.seed);
        self.begin(recorder, &detail)?;
        while !self.is_finished() {
            self.advance(recorder)?;
            progress(self.progress());
        }
        self.finish(recorder)
    }

    /// The current boundary's observations: the start of recording, clinical events and
    /// the recorded state.
    fn observe(&mut self, recorder: &mut dyn Recorder) -> Result<(), RecordError> {
        let observation =
            schedule::observe_boundary(&self.setup, &mut self.state, self.record_from);
        if self.state.step() == self.record_from {
            let detail = format!("{} agents", self.state.census().living());
            recorder.event(&self.event(EventKind::BurnInComplete, detail))?;
        }
        for event in &observation.events {
            recorder.event(event)?;
        }
        if observation.record {
            // While CAR-T cells live, the snapshot counts blood CAR-T cells among the
            // rows the next step's encounters read: one scan serves both.
            if self.state.census().car_t_agents() > 0 {
                self.state.world.scan_car_rows(&self.setup.config);
            }
            recorder.record(&self.snapshot())?;
        }
        Ok(())
    }

    fn event(&self, kind: EventKind, detail: String) -> Event {
        Event::at(self.state.step(), &self.setup.timeline, kind, detail)
    }
}

#[cfg(test)]
mod tests;
