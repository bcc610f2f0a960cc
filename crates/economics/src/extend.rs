//! The horizon rule: economics over more years than were simulated.
//!
//! From the last simulated day to the horizon, a patient-arm stays in the state it
//! ended in, except that a patient in remission relapses (to active disease) at the
//! arm's own relapse hazard measured on the simulated patients: relapse events from
//! day 0 per year in remission, over every patient of the arm (constant hazard, so the
//! expected days in remission on day t are `exp(-h (t - T))` of the days, T the last
//! simulated day). Monitoring visits continue by their schedule. Nothing else (doses,
//! hospital days, new infusions) happens after the run. The ledger keeps expected
//! (fractional) days.

use crate::item::{Item, State};
use crate::ledger::{Ledger, Rates};
use crate::prices::{DAYS_PER_YEAR, Journey};

/// The relapse hazard per day of `ledgers` (relapses from day 0 per day in remission;
/// 0 without days in remission).
pub fn relapse_hazard_per_day(ledgers: &[&Ledger]) -> f64 {
    let relapses: f64 = ledgers.iter().map(|l| f64::from(l.relapses)).sum();
    let days: f64 = ledgers
        .iter()
        .map(|l| l.total(Item::DaysRemission, 0))
        .sum();
    if days > 0.0 { relapses / days } else { 0.0 }
}

/// `ledger` extended from its last day to `horizon_days` by the rule above, with the
/// relapse hazard `hazard` per day.
pub fn extend(
    ledger: &Ledger,
    horizon_days: f64,
    hazard: f64,
    journey: &Journey,
    rates: Rates,
) -> Ledger {
    let mut l = ledger.clone();
    let end = l.last_day;
    if horizon_days <= end {
        return l;
    }
    if let Some(state) = l.end_state {
        let mut t = end;
        while t < horizon_days {
            let u = (t.floor() + 1.0).min(horizon_days);
            let w = u - t;
            if state == State::Remission {
                let p = (-hazard * (t - end)).exp();
                l.add(Item::DaysRemission, t, w * p, rates);
                l.add(Item::DaysActive, t, w * (1.0 - p), rates);
            } else {
                l.add(state.days_item(), t, w, rates);
            }
            t = u;
        }
    }
    if let Some(f) = l.infusion_day {
        for v in journey.monitoring_visits(f, end, horizon_days) {
            l.add(Item::MonitoringVisits, v, 1.0, rates);
        }
    }
    l
}

/// The horizon in days: `horizon_years` if given and longer than the run, else the
/// run's last day.
pub fn horizon_days(horizon_years: Option<f64>, last_day: f64) -> f64 {
    horizon_years.map_or(last_day, |y| (y * DAYS_PER_YEAR).max(last_day))
}
