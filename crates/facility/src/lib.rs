//! # immunosim-facility: the manufacturing bottleneck
//!
//! A cohort-level discrete-event simulation of patients referred for autologous CAR-T:
//! referral over time, screening, then a manufacturing facility of identical lines, each
//! making one patient's product at a time for a fixed batch length; a batch fails with
//! a probability, and a failed patient re-enters the queue on the day the failure is
//! known until the attempts run out. Patients waiting for a line are served first come,
//! first served, or by severity.
//!
//! The crate draws nothing itself: every random number comes from [`Uniforms`], keyed by
//! (patient, purpose, attempt), which the cohort implements with its own keyed streams
//! (`immunosim_cohort::draws`). So patient k's referral gap and batch outcomes do not
//! depend on the other patients, threads, ranks or shards; the queue itself is computed
//! whole (it is cheap) by every process that needs it.

mod queue;

pub use queue::{Attempt, Discipline, Facility, Journey, Request, mean, simulate};

/// The uniform draws the simulation needs, in [0, 1), keyed by patient, purpose and
/// attempt.
pub trait Uniforms {
    /// The uniform of `patient`'s `purpose`, attempt `attempt`.
    fn uniform(&self, patient: u64, purpose: &str, attempt: u64) -> f64;
}

/// Purpose key of the gap before a patient's referral.
pub const REFERRAL_GAP: &str = "facility.referral_gap";
/// Purpose key of a batch's failure draw (the attempt keys each batch).
pub const BATCH_FAILURE: &str = "facility.batch_failure";

/// How patients are referred.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Referral {
    /// A Poisson process: exponential gaps with mean `7 / per_week` days.
    Poisson {
        /// Referrals per week.
        per_week: f64,
    },
    /// Every patient on day 0 (a cohort waiting when the facility opens).
    AllAtOnce,
}

/// The referral days of patients `0..n`: patient k is referred after the sum of the
/// gaps of patients 0..=k, each drawn from patient j's own stream, so patient k's day
/// does not depend on how many patients come after it.
pub fn referral_days(referral: Referral, n: usize, draws: &dyn Uniforms) -> Vec<f64> {
    match referral {
        Referral::AllAtOnce => vec![0.0; n],
        Referral::Poisson { per_week } => {
            let mean_gap_days = 7.0 / per_week;
            let mut day = 0.0;
            (0..n as u64)
                .map(|k| {
                    // 1 - u is in (0, 1]: the logarithm is finite.
                    let u = draws.uniform(k, REFERRAL_GAP, 0);
                    day += -(1.0 - u).ln() * mean_gap_days;
                    day
                })
                .collect()
        }
    }
}

/// The smallest number of lines, from 1 to `max_lines`, whose mean wait from referral
/// to the first batch start (leukapheresis) is at most `target_days` (`None`: not even `max_lines`). The
/// queue is re-run alone for each count, on the same requests and draws.
pub fn lines_for_mean_wait(
    facility: &Facility,
    requests: &[Request],
    draws: &dyn Uniforms,
    target_days: f64,
    max_lines: u32,
) -> Option<u32> {
    (1..=max_lines).find(|&lines| {
        let f = Facility {
            lines,
            ..facility.clone()
        };
        let journeys = simulate(&f, requests, draws);
        let waits: Vec<f64> = journeys
            .iter()
            .zip(requests)
            .map(|(j, r)| j.attempts[0].start_day - r.referral_day)
            .collect();
        mean(&waits) <= target_days
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every draw 0.5: no batch fails below p = 0.5, every batch fails above.
    struct Half;

    impl Uniforms for Half {
        fn uniform(&self, _: u64, _: &str, _: u64) -> f64 {
            0.5
        }
    }

    fn at_once(n: u64) -> Vec<Request> {
        (0..n)
            .map(|patient| Request {
                patient,
                referral_day: 0.0,
                ready_day: 2.0,
                severity: 0.0,
            })
            .collect()
    }

    #[test]
    fn lines_work_in_parallel_and_failures_come_back_until_the_attempts_run_out() {
        let mut f = Facility {
            lines: 2,
            batch_days: 10.0,
            failure_probability: 0.4,
            max_attempts: 2,
            discipline: Discipline::Fifo,
        };
        let starts = |f: &Facility| -> Vec<Vec<f64>> {
            simulate(f, &at_once(5), &Half)
                .iter()
                .map(|j| j.attempts.iter().map(|a| a.start_day).collect())
                .collect()
        };
        assert_eq!(starts(&f), [[2.0], [2.0], [12.0], [12.0], [22.0]]);
        // Every batch fails: each patient is made twice, the second batch queued behind
        // those who asked before its first failed.
        f.failure_probability = 0.6;
        let journeys = simulate(&f, &at_once(3), &Half);
        assert!(journeys.iter().all(|j| j.attempts.len() == 2 && j.failed()));
        let expected: [[f64; 2]; 5] = [
            [2.0, 22.0],
            [2.0, 32.0],
            [12.0, 32.0],
            [12.0, 42.0],
            [22.0, 42.0],
        ];
        assert_eq!(starts(&f), expected);
    }

    #[test]
    fn poisson_referrals_have_the_stated_mean_gap() {
        struct Spread;
        impl Uniforms for Spread {
            fn uniform(&self, patient: u64, _: &str, _: u64) -> f64 {
                // A deterministic grid of [0, 1): the mean of -ln(1 - u) over it is ~1.
                (patient as f64 + 0.5) / 1000.0
            }
        }
        let days = referral_days(Referral::Poisson { per_week: 2.0 }, 1000, &Spread);
        let mean_gap = days[999] / 1000.0;
        assert!((mean_gap - 3.5).abs() < 0.02, "{mean_gap}");
        assert!(days.windows(2).all(|w| w[1] >= w[0]));
        assert_eq!(referral_days(Referral::AllAtOnce, 3, &Spread), [0.0; 3]);
    }
}
