//! `queue.csv` (per patient × arm: the journey through referral, screening and the
//! facility, on the cohort's calendar) and `queue_summary.csv` (per arm: the wait
//! distribution, outcomes by wait band from the cohort's endpoints, and the fewest
//! lines that meet a target wait, the queue re-run alone).

use super::{Columns, month_day, num};
use crate::parts::PatientParts;
use crate::queue::{CohortQueue, FacilitySpec, Keyed, Plan, shift};
use crate::spec::CohortSpec;
use crate::stats;
use immunosim_facility::{lines_for_mean_wait, mean};

/// File names.
pub const QUEUE_CSV: &str = "queue.csv";
/// Per-arm summary of the queue.
pub const QUEUE_SUMMARY_CSV: &str = "queue_summary.csv";

/// Header of `queue.csv`.
pub const QUEUE_HEADER: &str = "patient,arm,route,referral_day,screening_end_day,screen_failed,slot_start_day,leukapheresis_day,release_day,attempts,failed,infusion_day,wait_to_leukapheresis_days,wait_to_infusion_days";

/// Header of `queue_summary.csv`.
pub const SUMMARY_HEADER: &str = "arm,route,patients,lines,screen_failed_patients,failed_patients,wait_to_leukapheresis_mean_days,wait_to_leukapheresis_median_days,wait_to_leukapheresis_q25_days,wait_to_leukapheresis_q75_days,wait_to_leukapheresis_p90_days,wait_to_infusion_mean_days,wait_to_infusion_median_days,wait_to_infusion_q25_days,wait_to_infusion_q75_days,wait_to_infusion_p90_days,wait_split_days,short_wait_patients,long_wait_patients,remission_by_month3_short_wait_fraction,remission_by_month3_long_wait_fraction,activity_score_month3_short_wait_median_points,activity_score_month3_long_wait_median_points,target_wait_days,lines_for_target_wait";

/// One patient-arm's journey, on the cohort's calendar.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// `facility`, `allogeneic` or `none`.
    pub route: &'static str,
    /// Day of referral.
    pub referral_day: f64,
    /// End of screening.
    pub screening_end_day: f64,
    /// Whether the patient failed screening.
    pub screen_failed: bool,
    /// First batch start (first leukapheresis).
    pub slot_start_day: Option<f64>,
    /// Last batch start (the leukapheresis of the cells infused).
    pub leukapheresis_day: Option<f64>,
    /// Last batch's release (or failure) day.
    pub release_day: Option<f64>,
    /// Batches.
    pub attempts: Option<usize>,
    /// Whether the last batch failed.
    pub failed: Option<bool>,
    /// First infusion (none if manufacturing failed).
    pub infusion_day: Option<f64>,
}

impl Row {
    /// Days from referral to the first leukapheresis.
    pub fn wait_to_leukapheresis(&self) -> Option<f64> {
        Some(wait(self.slot_start_day? - self.referral_day))
    }

    /// Days from referral to the first infusion.
    pub fn wait_to_infusion(&self) -> Option<f64> {
        Some(wait(self.infusion_day? - self.referral_day))
    }
}

/// A wait rounded to a millionth of a day (0.09 s): a difference of two calendar days
/// carries their rounding error (21 days as 20.999999999999996), which would otherwise
/// split patients of equal waits between the wait bands.
fn wait(days: f64) -> f64 {
    (days * 1e6).round() / 1e6
}

/// Patient `k`'s row of arm `arm`.
pub fn row(spec: &CohortSpec, f: &FacilitySpec, q: &CohortQueue, arm: usize, k: usize) -> Row {
    let r = &q.requests[k];
    let mut row = Row {
        route: "none",
        referral_day: r.referral_day,
        screening_end_day: r.ready_day,
        screen_failed: q.screen_failed[k],
        slot_start_day: None,
        leukapheresis_day: None,
        release_day: None,
        attempts: None,
        failed: None,
        infusion_day: None,
    };
    let products = &spec.arms[arm].scenario.config.products;
    row.route = match f.plans[arm] {
        Plan::Unqueued => "none",
        Plan::Allogeneic { .. } => "allogeneic",
        Plan::Queued { .. } => "facility",
    };
    let Some(d) = shift(f, q, arm, k) else {
        return row;
    };
    match f.plans[arm] {
        Plan::Unqueued => {}
        Plan::Allogeneic { infusion_day } => {
            row.infusion_day = Some(r.referral_day + infusion_day + d.after_release);
        }
        Plan::Queued { product, .. } => {
            let Some(j) = &q.journeys[k] else {
                return row;
            };
            row.slot_start_day = Some(j.attempts[0].start_day);
            row.leukapheresis_day = Some(j.last().start_day);
            row.release_day = Some(j.last().release_day);
            row.attempts = Some(j.attempts.len());
            row.failed = Some(j.failed());
            row.infusion_day = (!j.failed())
                .then(|| r.referral_day + products[product].infusion_days()[0] + d.after_release);
        }
    }
    row
}

fn opt(x: Option<f64>) -> String {
    x.map_or(String::new(), num)
}

/// `queue.csv`.
pub fn queue_csv(spec: &CohortSpec, f: &FacilitySpec, q: &CohortQueue) -> String {
    let mut out = format!("{QUEUE_HEADER}\n");
    for k in 0..q.requests.len() {
        for (a, arm) in spec.arms.iter().enumerate() {
            let r = row(spec, f, q, a, k);
            out.push_str(&format!(
                "{k},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                arm.name,
                r.route,
                num(r.referral_day),
                num(r.screening_end_day),
                r.screen_failed,
                opt(r.slot_start_day),
                opt(r.leukapheresis_day),
                opt(r.release_day),
                r.attempts.map_or(String::new(), |n| n.to_string()),
                r.failed.map_or(String::new(), |b| b.to_string()),
                opt(r.infusion_day),
                opt(r.wait_to_leukapheresis()),
                opt(r.wait_to_infusion()),
            ));
        }
    }
    out
}

/// Mean, median, quartiles and 90th percentile, as CSV cells.
fn distribution(values: &[f64]) -> String {
    let q = |x: f64| num(stats::quantile(values, x));
    format!(
        "{},{},{},{},{}",
        num(mean(values)),
        q(0.5),
        q(0.25),
        q(0.75),
        q(0.9)
    )
}

/// `queue_summary.csv`: one row per arm that meets the facility or takes stock on hand.
pub fn summary(
    spec: &CohortSpec,
    f: &FacilitySpec,
    q: &CohortQueue,
    seed: u64,
    days: f64,
    patients: &[PatientParts],
) -> String {
    let c = Columns::new(spec);
    let mut out = format!("{SUMMARY_HEADER}\n");
    let lines_needed = f.target_wait_days.and_then(|target| {
        lines_for_mean_wait(
            &f.facility,
            &q.screened_in(),
            &Keyed(seed),
            target,
            f.max_lines,
        )
    });
    for (a, arm) in spec.arms.iter().enumerate() {
        let rows: Vec<Row> = (0..q.requests.len())
            .map(|k| row(spec, f, q, a, k))
            .collect();
        let route = rows.first().map_or("none", |r| r.route);
        if route == "none" {
            continue;
        }
        let to_leukapheresis: Vec<f64> =
            rows.iter().filter_map(Row::wait_to_leukapheresis).collect();
        let to_infusion: Vec<f64> = rows.iter().filter_map(Row::wait_to_infusion).collect();
        let split = stats::quantile(&to_infusion, 0.5);
        let band = |short: bool| -> Vec<usize> {
            (0..rows.len())
                .filter(|&k| {
                    rows[k]
                        .wait_to_infusion()
                        .is_some_and(|w| (w < split) == short)
                })
                .collect()
        };
        let month3 = month_day(3);
        let remission = |ks: &[usize]| -> f64 {
            let evaluable: Vec<bool> = ks
                .iter()
                .filter(|_| days >= month3)
                .map(|&k| {
                    c.get(&patients[k].rows[a], "remission_day")
                        .is_some_and(|d| d <= month3)
                })
                .collect();
            evaluable.iter().filter(|&&x| x).count() as f64 / evaluable.len() as f64
        };
        let score = |ks: &[usize]| -> f64 {
            let v: Vec<f64> = ks
                .iter()
                .filter_map(|&k| c.get(&patients[k].rows[a], "activity_score_month3"))
                .collect();
            stats::quantile(&v, 0.5)
        };
        let (short, long) = (band(true), band(false));
        let queued = route == "facility";
        out.push_str(&format!(
            "{},{route},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            arm.name,
            rows.len(),
            if queued {
                f.facility.lines.to_string()
            } else {
                String::new()
            },
            rows.iter().filter(|r| r.screen_failed).count(),
            rows.iter().filter(|r| r.failed == Some(true)).count(),
            if queued {
                distribution(&to_leukapheresis)
            } else {
                ",,,,".to_string()
            },
            distribution(&to_infusion),
            num(split),
            short.len(),
            long.len(),
            num(remission(&short)),
            num(remission(&long)),
            num(score(&short)),
            num(score(&long)),
            opt(f.target_wait_days.filter(|_| queued)),
            if queued {
                lines_needed.map_or(String::new(), |n| n.to_string())
            } else {
                String::new()
            },
        ));
    }
    out
}
