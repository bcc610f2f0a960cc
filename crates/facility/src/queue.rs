//! The facility's queue: identical lines, a fixed batch length, failures that send the
//! patient back to the queue.

use crate::{BATCH_FAILURE, Uniforms};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Which waiting patient a free line takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discipline {
    /// The earliest request (ties: the lower patient index).
    Fifo,
    /// The highest severity (ties: the earliest request, then the lower index).
    Severity,
}

/// A manufacturing facility.
#[derive(Clone, Debug, PartialEq)]
pub struct Facility {
    /// Parallel lines, each making one product at a time.
    pub lines: u32,
    /// Days a batch occupies its line, from leukapheresis to release (or failure).
    pub batch_days: f64,
    /// Probability a batch fails (known on its release day).
    pub failure_probability: f64,
    /// Batches a patient may have; after the last failure the patient goes on without
    /// the product.
    pub max_attempts: u32,
    /// Which waiting patient a free line takes.
    pub discipline: Discipline,
}

/// One patient's request for a slot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request {
    /// The patient (keys its draws and breaks ties).
    pub patient: u64,
    /// Day of referral.
    pub referral_day: f64,
    /// Day the patient is ready for leukapheresis (screening done).
    pub ready_day: f64,
    /// Severity (used by [`Discipline::Severity`]; higher is served first).
    pub severity: f64,
}

/// One batch of a patient.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Attempt {
    /// Day the patient joined the queue for it.
    pub requested_day: f64,
    /// Day a line started it (leukapheresis).
    pub start_day: f64,
    /// Day it was released or declared failed.
    pub release_day: f64,
    /// Whether it failed.
    pub failed: bool,
}

/// A patient's way through the facility: its batches, in order (at least one).
#[derive(Clone, Debug, PartialEq)]
pub struct Journey {
    /// The batches.
    pub attempts: Vec<Attempt>,
}

impl Journey {
    /// The last batch (the product infused, unless it failed).
    pub fn last(&self) -> &Attempt {
        self.attempts.last().expect("a journey has a batch")
    }

    /// Whether the patient ends without a product.
    pub fn failed(&self) -> bool {
        self.last().failed
    }
}

/// A waiting request, ordered so that the heap's top is the one a free line takes.
#[derive(Clone, Copy, Debug)]
struct Waiting {
    key: f64,
    day: f64,
    patient: usize,
    attempt: u32,
}

impl Waiting {
    /// `Ordering::Greater`: served first.
    fn priority(&self, other: &Waiting) -> Ordering {
        other
            .key
            .total_cmp(&self.key)
            .then(other.day.total_cmp(&self.day))
            .then(other.patient.cmp(&self.patient))
            .then(other.attempt.cmp(&self.attempt))
    }
}

impl PartialEq for Waiting {
    fn eq(&self, other: &Waiting) -> bool {
        self.priority(other) == Ordering::Equal
    }
}
impl Eq for Waiting {}
impl PartialOrd for Waiting {
    fn partial_cmp(&self, other: &Waiting) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Waiting {
    fn cmp(&self, other: &Waiting) -> Ordering {
        self.priority(other)
    }
}

/// Runs the facility over `requests`; gives each request's journey, in order. The line free soonest takes the next batch, when it is free and someone is
/// waiting; among those waiting then, the discipline chooses. Patient k's batch outcome
/// on attempt a is `draws.uniform(k, BATCH_FAILURE, a) < failure_probability` (k is
/// `Request::patient`), whoever else is in the queue.
pub fn simulate(facility: &Facility, requests: &[Request], draws: &dyn Uniforms) -> Vec<Journey> {
    let key = |k: usize, day: f64| match facility.discipline {
        Discipline::Fifo => day,
        Discipline::Severity => -requests[k].severity,
    };
    // Requests not yet made, earliest first (FIFO order whatever the discipline).
    let mut future: BinaryHeap<Waiting> = requests
        .iter()
        .enumerate()
        .map(|(k, r)| Waiting {
            key: r.ready_day,
            day: r.ready_day,
            patient: k,
            attempt: 0,
        })
        .collect();
    let mut waiting: BinaryHeap<Waiting> = BinaryHeap::new();
    let mut free_at = vec![0.0_f64; facility.lines.max(1) as usize];
    let mut journeys: Vec<Vec<Attempt>> = vec![Vec::new(); requests.len()];
    // Batches start in order of time: `now` is the last start.
    let mut now = f64::NEG_INFINITY;
    loop {
        let (line, &free) = free_at
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1).then(a.0.cmp(&b.0)))
            .expect("at least one line");
        let next_request = future.peek().map(|w| w.day);
        let start = match (waiting.is_empty(), next_request) {
            (false, _) => free.max(now),
            (true, Some(day)) => free.max(now).max(day),
            (true, None) => break,
        };
        now = start;
        // Everyone who has asked by `start` is waiting then.
        while future.peek().is_some_and(|w| w.day <= start) {
            let w = future.pop().expect("peeked");
            waiting.push(Waiting {
                key: key(w.patient, w.day),
                ..w
            });
        }
        let w = waiting.pop().expect("someone is waiting at the start");
        let release = start + facility.batch_days;
        let failed = draws.uniform(
            requests[w.patient].patient,
            BATCH_FAILURE,
            u64::from(w.attempt),
        ) < facility.failure_probability;
        journeys[w.patient].push(Attempt {
            requested_day: w.day,
            start_day: start,
            release_day: release,
            failed,
        });
        free_at[line] = release;
        if failed && w.attempt + 1 < facility.max_attempts {
            future.push(Waiting {
                key: release,
                day: release,
                patient: w.patient,
                attempt: w.attempt + 1,
            });
        }
    }
    journeys
        .into_iter()
        .map(|attempts| Journey { attempts })
        .collect()
}

/// The mean of `values` (NaN when empty).
pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}
