//! A cohort file's `[facility]` table, read and checked against the arms: which arms
//! queue (autologous products made during the run), which take stock on hand
//! (allogeneic), and what each arm's journey is anchored to.

use crate::arm::Arm;
use crate::spec::Variation;
use immunosim_facility::{Discipline, Facility, Referral};
use immunosim_facility::{Journey, Request};
use immunosim_model::car::Source;
use immunosim_scenario::fields::FACILITY_FIELDS;
use immunosim_scenario::schema::DefaultValue;
use immunosim_scenario::validate::Checked;
use immunosim_scenario::{ErrorKind, ScenarioError};
use std::sync::{Arc, Mutex};
use toml_edit::{Item, Table};

/// The queue of a whole cohort, on the cohort's calendar (day 0: the first day of
/// referrals).
#[derive(Clone, Debug, PartialEq)]
pub struct CohortQueue {
    /// Each patient's request (referral, end of screening, severity).
    pub requests: Vec<Request>,
    /// Whether each patient failed screening (and has no CAR-T in any arm).
    pub screen_failed: Vec<bool>,
    /// Each patient's batches (`None`: failed screening).
    pub journeys: Vec<Option<Journey>>,
}

/// The last queue computed, by (seed, patients): every patient of a process needs the
/// same one.
pub type QueueCache = Arc<Mutex<Option<(u64, u64, Arc<CohortQueue>)>>>;

/// How an arm's journey meets the facility.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    /// No CAR-T made for the arm (standard of care, or products made before the run):
    /// the arm's days are as stated.
    Unqueued,
    /// The arm's product `product` is made by the facility. Its stated leukapheresis
    /// day and latest release day (leukapheresis + manufacturing_days_max) anchor the
    /// arm's other days: bridging starts as long after the first leukapheresis, and
    /// lymphodepletion, infusions, IVIG and the end of bridging come as long after the
    /// release, as the arm states.
    Queued {
        /// Index of the product in the arm.
        product: usize,
        /// The arm's stated leukapheresis day.
        leukapheresis_day: f64,
        /// The arm's stated latest release day.
        release_day: f64,
    },
    /// An allogeneic product on hand: the arm's days keep their offsets from its first
    /// infusion, which comes `allogeneic_days_to_infusion` after screening.
    Allogeneic {
        /// The arm's stated first infusion day.
        infusion_day: f64,
    },
}

/// The `[facility]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct FacilitySpec {
    /// Referral.
    pub referral: Referral,
    /// Days from referral to the end of screening.
    pub screening_days: f64,
    /// Probability a patient fails screening (no CAR-T in any arm).
    pub screen_fail_probability: f64,
    /// The facility.
    pub facility: Facility,
    /// The `[[variability]]` row whose value is a patient's severity (priority by
    /// severity).
    pub severity_row: Option<usize>,
    /// Days from screening to an allogeneic infusion.
    pub allogeneic_days: f64,
    /// Mean wait from referral to leukapheresis to plan capacity for.
    pub target_wait_days: Option<f64>,
    /// Most lines the capacity search tries.
    pub max_lines: u32,
    /// Each arm's plan, in arm order.
    pub plans: Vec<Plan>,
}

fn default_number(name: &str) -> f64 {
    match FACILITY_FIELDS
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.default)
    {
        Some(DefaultValue::Number(x)) => x,
        Some(DefaultValue::Whole(n)) => n as f64,
        _ => f64::NAN,
    }
}

fn number(table: &Table, name: &str) -> Option<f64> {
    let v = table.get(name)?.as_value()?;
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

/// Reads `[facility]` (its keys and ranges already checked) against `arms` and
/// `variations`; problems go to `errors`.
pub fn read(
    checked: &Checked<'_>,
    table: &Table,
    arms: &[Arm],
    variations: &[Variation],
    errors: &mut Vec<ScenarioError>,
) -> Option<FacilitySpec> {
    let at = |name: &str| {
        table
            .key(name)
            .and_then(|k| k.span())
            .or_else(|| table.span())
    };
    let mut error = |span, field: &str, message: String| {
        errors.push(checked.error_at(span, field, message, ErrorKind::Inconsistent));
    };
    let get = |name: &str| number(table, name).unwrap_or_else(|| default_number(name));
    let text = |name: &str, default: &str| {
        table
            .get(name)
            .and_then(Item::as_str)
            .unwrap_or(default)
            .to_string()
    };
    let referral = match text("referral", "poisson").as_str() {
        "all_at_once" => Referral::AllAtOnce,
        _ => match number(table, "referrals_per_week") {
            Some(per_week) => Referral::Poisson { per_week },
            None => {
                error(
                    at("referral"),
                    "facility.referrals_per_week",
                    "is required with referral = \"poisson\" (the default): give the mean referrals per week, or referral = \"all_at_once\"".into(),
                );
                Referral::AllAtOnce
            }
        },
    };
    let discipline = match text("priority", "fifo").as_str() {
        "severity" => Discipline::Severity,
        _ => Discipline::Fifo,
    };
    let severity_target = text("severity_target", "patient.entry_score");
    let severity_row = variations.iter().position(|v| v.name == severity_target);
    if discipline == Discipline::Severity
        && severity_row.is_none_or(|i| variations[i].target.is_product())
    {
        let known: Vec<&str> = variations
            .iter()
            .filter(|v| !v.target.is_product())
            .map(|v| v.name.as_str())
            .collect();
        error(
            at("severity_target").or(at("priority")),
            "facility.severity_target",
            format!(
                "= \"{severity_target}\" is not the target of a patient or parameter [[variability]] row, so patients would not differ in severity (rows: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
        );
    }
    for v in variations
        .iter()
        .filter(|v| v.name.starts_with("products.manufacturing"))
    {
        error(
            at("batch_days"),
            "facility",
            format!(
                "with [facility], batch_days and failure_probability set every product's manufacturing, so the [[variability]] row of `{}` would not apply; remove one of them",
                v.name
            ),
        );
    }
    let facility = Facility {
        lines: get("lines") as u32,
        batch_days: get("batch_days"),
        failure_probability: get("failure_probability"),
        max_attempts: get("max_attempts") as u32,
        discipline,
    };
    let mut plans = Vec::new();
    for (i, arm) in arms.iter().enumerate() {
        let span = checked.span_in_array("arms", i, "name");
        let shown = format!("arms[{i}]");
        let products = &arm.scenario.config.products;
        let allogeneic = products.iter().position(|p| p.source == Source::Allogeneic);
        let autologous: Vec<usize> = (0..products.len())
            .filter(|&p| products[p].source == Source::Autologous)
            .collect();
        let plan = match (allogeneic, autologous.as_slice()) {
            (None, []) => Plan::Unqueued,
            (Some(p), []) => Plan::Allogeneic {
                infusion_day: products[p].infusion_day,
            },
            (None, &[p]) => match products[p].manufacturing {
                Some(m) => Plan::Queued {
                    product: p,
                    leukapheresis_day: m.leukapheresis_day,
                    release_day: m.latest_release_day(),
                },
                None => {
                    error(
                        span.clone(),
                        &shown,
                        format!(
                            "arm `{}`: with [facility], an autologous product states leukapheresis_day (the facility makes it from the collected cells; the arm's days are shifted by each patient's wait)",
                            arm.name
                        ),
                    );
                    Plan::Unqueued
                }
            },
            _ => {
                error(
                    span.clone(),
                    &shown,
                    format!(
                        "arm `{}`: with [facility], an arm has one autologous product, or allogeneic products only (the queue of two products of one patient is not modelled)",
                        arm.name
                    ),
                );
                Plan::Unqueued
            }
        };
        if let (Plan::Queued { release_day, .. }, Some(b)) = (&plan, arm.scenario.config.bridging) {
            // Bridging starts after the first leukapheresis and ends before the release
            // anchor: at least the batch (plus the stated margins) apart.
            let planned = release_day
                - products[autologous[0]]
                    .manufacturing
                    .map_or(0.0, |m| m.leukapheresis_day);
            let length = b.end_day - b.start_day - planned + facility.batch_days;
            if length <= 0.0 {
                error(
                    span_bridging(checked, i),
                    &format!("{shown}.bridging"),
                    format!(
                        "arm `{}`: with batch_days = {}, bridging from day {} to day {} would end before it starts once the journey is anchored to the batch (it keeps its offsets from leukapheresis and from release); start it earlier or end it later",
                        arm.name, facility.batch_days, b.start_day, b.end_day
                    ),
                );
            }
        }
        if let Some((what, day)) = earliest(
            arm,
            &plan,
            &facility,
            get("screening_days"),
            get("allogeneic_days_to_infusion"),
        ) && day < 0.0
        {
            error(
                span,
                &shown,
                format!(
                    "arm `{}`: with [facility], its {what} would come {:.1} days before referral (day 0) for a patient who does not wait: the arm's days are moved to each patient's slot, keeping their offsets from leukapheresis and release (or from an allogeneic infusion), so give them closer to those",
                    arm.name, -day
                ),
            );
        }
        plans.push(plan);
    }
    Some(FacilitySpec {
        referral,
        screening_days: get("screening_days"),
        screen_fail_probability: get("screen_fail_probability"),
        facility,
        severity_row: (discipline == Discipline::Severity)
            .then_some(severity_row)
            .flatten(),
        allogeneic_days: get("allogeneic_days_to_infusion"),
        target_wait_days: number(table, "target_wait_days"),
        max_lines: get("max_lines") as u32,
        plans,
    })
}

fn span_bridging(checked: &Checked<'_>, arm: usize) -> Option<std::ops::Range<usize>> {
    checked
        .span_in_array("arms", arm, "bridging")
        .or_else(|| checked.span_in_array("arms", arm, "name"))
}

/// The arm's earliest event, and its day counted from referral, for a patient who is
/// served as soon as screening ends (`None`: the arm does not queue). Every later
/// patient's days are the same or later.
fn earliest(
    arm: &Arm,
    plan: &Plan,
    facility: &Facility,
    screening_days: f64,
    allogeneic_days: f64,
) -> Option<(&'static str, f64)> {
    let c = &arm.scenario.config;
    let (before, after) = match *plan {
        Plan::Unqueued => return None,
        Plan::Allogeneic { infusion_day } => {
            let d = screening_days + allogeneic_days - infusion_day;
            (d, d)
        }
        Plan::Queued {
            leukapheresis_day,
            release_day,
            ..
        } => (
            screening_days - leukapheresis_day,
            screening_days + facility.batch_days - release_day,
        ),
    };
    let mut days: Vec<(&'static str, f64)> = Vec::new();
    days.extend(
        c.lymphodepletion
            .iter()
            .map(|l| ("lymphodepletion", l.day + after)),
    );
    days.extend(c.ivig.iter().map(|i| ("IVIG", i.day + after)));
    days.extend(
        c.products
            .iter()
            .flat_map(|p| p.infusion_days())
            .map(|d| ("infusion", d + after)),
    );
    if let Some(b) = c.bridging {
        days.push(("bridging", b.start_day + before));
    }
    days.into_iter().min_by(|a, b| a.1.total_cmp(&b.1))
}
