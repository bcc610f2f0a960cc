//! The run's progress bar on stderr: the phase (burn-in or recorded), the simulated
//! day, the living agents, and an ETA from recent step times.
//!
//! A step costs about the same per living agent within a phase, but not between
//! phases: burn-in steps of the untreated patient are far cheaper than treated steps
//! (CAR-T encounters, killing, more agents through the rules), and the number of
//! agents changes during a run. A linear ETA in steps (indicatif's) therefore
//! under-estimated ~10× during burn-in. The ETA here is the recent cost of an
//! agent-step (seconds per agent per step over the last [`WINDOW_UPDATES`] updates)
//! times the agent-steps left (steps left × agents now): it follows the phase change
//! within a few steps and the growth or loss of agents as it happens.

use indicatif::{HumanDuration, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::VecDeque;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Updates over which the recent cost of an agent-step is measured: enough to smooth
/// the noise of single steps (a few ms at the default resolution), few enough to follow
/// the start of treatment within seconds.
pub const WINDOW_UPDATES: usize = 50;

/// Seconds left: `recent_seconds` spent on `recent_agent_steps` agent-steps, extended
/// to `steps_left` steps of `agents` agents. `None` until there is a measurement.
pub fn eta_seconds(
    recent_seconds: f64,
    recent_agent_steps: f64,
    steps_left: u64,
    agents: u64,
) -> Option<f64> {
    if recent_agent_steps <= 0.0 || !recent_seconds.is_finite() {
        return None;
    }
    Some(recent_seconds / recent_agent_steps * steps_left as f64 * agents as f64)
}

/// The progress bar of one run (hidden under `--quiet` or when stderr is not a
/// terminal, so logs and pipes get no control characters).
pub struct RunProgress {
    bar: ProgressBar,
    total_steps: u64,
    burn_in_steps: u64,
    /// (time, agent-steps done so far) at recent updates, oldest first.
    recent: VecDeque<(Instant, f64)>,
    /// Agent-steps done so far, and the step they reach.
    agent_steps: f64,
    last_step: u64,
}

impl RunProgress {
    /// A bar for a run of `total_steps` steps, the first `burn_in_steps` of them burn-in.
    pub fn new(total_steps: u64, burn_in_steps: u64, quiet: bool) -> RunProgress {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar =
                ProgressBar::with_draw_target(Some(total_steps), ProgressDrawTarget::stderr());
            let style =
                ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {percent}% {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
            bar.set_style(style);
            bar
        };
        RunProgress {
            bar,
            total_steps,
            burn_in_steps,
            recent: VecDeque::with_capacity(WINDOW_UPDATES + 1),
            agent_steps: 0.0,
            last_step: 0,
        }
    }

    /// Reports that `step` steps are done, at simulated `day`, with `agents` living.
    pub fn update(&mut self, step: u64, day: f64, agents: u64) {
        if self.bar.is_hidden() {
            return;
        }
        let now = Instant::now();
        self.agent_steps += step.saturating_sub(self.last_step) as f64 * agents as f64;
        self.last_step = step;
        self.recent.push_back((now, self.agent_steps));
        if self.recent.len() > WINDOW_UPDATES {
            self.recent.pop_front();
        }
        let eta = match (self.recent.front(), self.recent.back()) {
            (Some(&(t0, a0)), Some(&(t1, a1))) => eta_seconds(
                (t1 - t0).as_secs_f64(),
                a1 - a0,
                self.total_steps.saturating_sub(step),
                agents,
            ),
            _ => None,
        };
        let eta = eta.map_or("…".to_string(), |s| {
            HumanDuration(Duration::from_secs_f64(s)).to_string()
        });
        let phase = if step <= self.burn_in_steps {
            "burn-in"
        } else {
            "recorded"
        };
        self.bar.set_position(step);
        self.bar.set_message(format!(
            "{phase} | day {day:.0} | {agents} agents | ETA {eta}"
        ));
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_prices_the_steps_left_at_the_recent_cost_per_agent() {
        // 2 s for 10 steps of 1e6 agents: 2e-7 s per agent-step.
        let eta = eta_seconds(2.0, 1e7, 100, 1_000_000).unwrap();
        assert!((eta - 20.0).abs() < 1e-9, "{eta}");
        // Twice the agents now (expansion), twice the time left.
        let eta = eta_seconds(2.0, 1e7, 100, 2_000_000).unwrap();
        assert!((eta - 40.0).abs() < 1e-9, "{eta}");
        // Cheap burn-in steps followed by dear treated steps: once the window holds
        // treated steps, the estimate is theirs, not the run's average.
        let burn_in = eta_seconds(0.1, 1e7, 1000, 1_000_000).unwrap();
        let treated = eta_seconds(1.0, 1e7, 1000, 1_000_000).unwrap();
        assert!((treated / burn_in - 10.0).abs() < 1e-9);
        assert_eq!(eta_seconds(0.0, 0.0, 10, 5), None);
        assert_eq!(eta_seconds(0.5, 1e6, 0, 5), Some(0.0));
    }

    #[test]
    fn a_quiet_bar_is_hidden_and_updates_are_free() {
        let mut progress = RunProgress::new(10, 4, true);
        progress.update(1, -3.0, 100);
        assert!(progress.bar.is_hidden());
        assert!(progress.recent.is_empty());
        progress.finish();
    }
}
