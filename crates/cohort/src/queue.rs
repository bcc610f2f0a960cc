//! The manufacturing bottleneck in a cohort (`[facility]`): the queue of the whole
//! cohort, computed by every process from the cohort seed alone (it is cheap), and each
//! patient's arm journey shifted by that patient's wait, so that the disease goes on in
//! the simulation while the patient waits (the patient's day 0 is its referral).
//!
//! Each arm is its own counterfactual world with its own facility: every queued arm
//! has the same facility, referrals and batch draws (keyed by patient and attempt), so
//! their journeys are the same and are computed once.

use crate::draws::KeyedStream;
use crate::spec::CohortSpec;
use immunosim_facility::{Request, Uniforms, referral_days, simulate};
use immunosim_model::car::Manufacturing;
use immunosim_scenario::Scenario;
use std::sync::Arc;

pub use crate::spec::facility::{CohortQueue, FacilitySpec, Plan, QueueCache};

/// The cohort's keyed streams as the facility's uniforms.
pub struct Keyed(pub u64);

impl Uniforms for Keyed {
    fn uniform(&self, patient: u64, purpose: &str, attempt: u64) -> f64 {
        KeyedStream::new(self.0, patient, purpose, attempt).uniform()
    }
}

impl CohortQueue {
    /// The requests of the patients who passed screening.
    pub fn screened_in(&self) -> Vec<Request> {
        self.requests
            .iter()
            .zip(&self.screen_failed)
            .filter(|(_, failed)| !**failed)
            .map(|(r, _)| *r)
            .collect()
    }
}

/// Purpose key of a patient's screening draw.
pub const SCREEN_FAIL: &str = "facility.screen_fail";

/// The queue of `spec`'s `patients` under cohort seed `seed` (`None`: no `[facility]`).
pub fn queue(spec: &CohortSpec, seed: u64, patients: u64) -> Option<Arc<CohortQueue>> {
    let f = spec.facility.as_ref()?;
    let mut cache = spec.queue_cache.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((s, n, q)) = cache.as_ref()
        && *s == seed
        && *n == patients
    {
        return Some(Arc::clone(q));
    }
    let q = Arc::new(compute(spec, f, seed, patients));
    *cache = Some((seed, patients, Arc::clone(&q)));
    Some(q)
}

fn compute(spec: &CohortSpec, f: &FacilitySpec, seed: u64, patients: u64) -> CohortQueue {
    let draws = Keyed(seed);
    let referred = referral_days(f.referral, patients as usize, &draws);
    let requests: Vec<Request> = referred
        .iter()
        .enumerate()
        .map(|(k, &referral_day)| Request {
            patient: k as u64,
            referral_day,
            ready_day: referral_day + f.screening_days,
            severity: f.severity_row.map_or(0.0, |row| {
                let base = crate::drawn::drawn(spec, seed, k as u64);
                spec.variations[row].target.get(&base)
            }),
        })
        .collect();
    let screen_failed: Vec<bool> = (0..patients)
        .map(|k| draws.uniform(k, SCREEN_FAIL, 0) < f.screen_fail_probability)
        .collect();
    let mut q = CohortQueue {
        requests,
        screen_failed,
        journeys: Vec::new(),
    };
    let mut made = simulate(&f.facility, &q.screened_in(), &draws).into_iter();
    q.journeys = q
        .screen_failed
        .iter()
        .map(|&failed| if failed { None } else { made.next() })
        .collect();
    q
}

/// Patient `k`'s journey in arm `arm`, on the patient's own days (day 0: referral).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shift {
    /// Added to the days before release (the first leukapheresis, bridging start).
    pub before_release: f64,
    /// Added to the days after release (lymphodepletion, infusions, IVIG, bridging end).
    pub after_release: f64,
}

/// The shift of patient `k`'s arm `arm` (`None`: the arm does not queue, or the
/// patient failed screening).
pub fn shift(f: &FacilitySpec, q: &CohortQueue, arm: usize, k: usize) -> Option<Shift> {
    let r = &q.requests[k];
    if q.screen_failed[k] {
        return None;
    }
    match f.plans[arm] {
        Plan::Unqueued => None,
        Plan::Allogeneic { infusion_day } => {
            let d = r.ready_day - r.referral_day + f.allogeneic_days - infusion_day;
            Some(Shift {
                before_release: d,
                after_release: d,
            })
        }
        Plan::Queued {
            leukapheresis_day,
            release_day,
            ..
        } => {
            let j = q.journeys[k].as_ref()?;
            Some(Shift {
                before_release: j.attempts[0].start_day - r.referral_day - leukapheresis_day,
                after_release: j.last().release_day - r.referral_day - release_day,
            })
        }
    }
}

/// Applies patient `k`'s queue to its arm `arm` scenario `s`: the queued product is made
/// from the last batch's leukapheresis in exactly the batch length and fails exactly
/// when the facility's last batch failed (so the simulated product and the queue
/// agree); the arm's other days move by the wait. A patient who failed screening has no
/// CAR-T (nor its lymphodepletion, bridging or IVIG) in any arm.
pub fn apply(f: &FacilitySpec, q: &CohortQueue, arm: usize, k: usize, s: &mut Scenario) {
    let c = &mut s.config;
    if q.screen_failed[k] && f.plans[arm] != Plan::Unqueued {
        // Not eligible: the patient goes on as the untreated patient in this arm too.
        c.products.clear();
        c.lymphodepletion.clear();
        c.ivig.clear();
        c.bridging = None;
        return;
    }
    let Some(d) = shift(f, q, arm, k) else {
        return;
    };
    for p in &mut c.products {
        p.infusion_day += d.after_release;
        for day in &mut p.reinfusion_days {
            *day += d.after_release;
        }
    }
    if let Plan::Queued { product, .. } = f.plans[arm] {
        let last = q.journeys[k]
            .as_ref()
            .expect("shifted, so screened in")
            .last();
        c.products[product].manufacturing = Some(Manufacturing {
            leukapheresis_day: last.start_day - q.requests[k].referral_day,
            days_min: f.facility.batch_days,
            days_max: f.facility.batch_days,
            failure_probability: if last.failed { 1.0 } else { 0.0 },
        });
    }
    for chemo in &mut c.lymphodepletion {
        chemo.day += d.after_release;
    }
    for dose in &mut c.ivig {
        dose.day += d.after_release;
    }
    if let Some(b) = &mut c.bridging {
        b.start_day += d.before_release;
        b.end_day += d.after_release;
    }
}
