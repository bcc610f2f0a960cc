//! The fields of a cohort file's `[facility]` table: referral, screening and the
//! manufacturing facility that every autologous arm's patients queue for
//! (`immunosim_facility`; docs/cohorts.md, "The manufacturing bottleneck"). Sources of
//! the defaults: data/economics.csv.

use crate::row::DefaultValue::{Note, Number, Text, Whole};
use crate::row::Field;

/// How patients are referred (`[facility] referral`).
pub const REFERRALS: &[&str] = &["poisson", "all_at_once"];
/// Which waiting patient a free line takes (`[facility] priority`).
pub const PRIORITIES: &[&str] = &["fifo", "severity"];

/// Days from referral to the end of screening when the file does not say
/// (economics.csv facility_screening_days: a stated choice, recalled).
pub const DEFAULT_SCREENING_DAYS: f64 = 14.0;
/// Days a batch occupies a line, leukapheresis to release: the midpoint of the default
/// manufacturing range, axi-cel 16-17 to tisa-cel 21-28 days (economics.csv
/// manufacture_time_axicel, manufacture_time_tisacel).
pub const DEFAULT_BATCH_DAYS: f64 = 22.0;
/// Batches a patient may have (economics.csv facility_max_attempts: one re-manufacture
/// after a failure; recalled practice).
pub const DEFAULT_MAX_ATTEMPTS: i64 = 2;
/// Days from the end of screening to the infusion of an allogeneic product on hand
/// (economics.csv allogeneic_days_to_infusion: lymphodepletion starts within days of
/// enrolment; recalled).
pub const DEFAULT_ALLOGENEIC_DAYS: f64 = 7.0;
/// Most lines the capacity search tries.
pub const DEFAULT_MAX_LINES: i64 = 64;

/// The `[facility]` fields.
// A table is easier to read one row to a field than in rustfmt's one argument a line.
#[rustfmt::skip]
pub const FACILITY_FIELDS: &[Field] = &[
    Field::choice("facility", "referral", REFERRALS, "How patients are referred: poisson (at referrals_per_week, exponential gaps keyed by patient) or all_at_once (every patient on day 0). Each patient's day 0 is its referral.")
        .or(Text("poisson")),
    Field::number("facility", "referrals_per_week", 0.001, 1000.0, "patients/week", "Mean referrals per week (poisson referral).")
        .or(Note("required for poisson")),
    Field::number("facility", "screening_days", 0.0, 365.0, "days", "Days from referral to the end of screening, when the patient may have leukapheresis (or an allogeneic product).")
        .or(Number(DEFAULT_SCREENING_DAYS)),
    Field::number("facility", "screen_fail_probability", 0.0, 1.0, "probability", "Probability a referred patient fails screening: that patient has no CAR-T (nor its lymphodepletion, bridging or IVIG) in any arm, and takes no slot.")
        .or(Number(0.0)),
    Field::integer("facility", "lines", 1, 10_000, "Parallel manufacturing lines (slots), each making one patient's product at a time; slots per week = lines x 7 / batch_days.")
        .or(Whole(1)),
    Field::number("facility", "batch_days", 1.0, 180.0, "days", "Days a batch occupies its line, leukapheresis to release; every autologous product of the cohort takes this long (the arm's manufacturing_days_min/max do not apply).")
        .or(Number(DEFAULT_BATCH_DAYS)),
    Field::number("facility", "failure_probability", 0.0, 1.0, "probability", "Probability a batch fails (the arm's manufacturing_failure_probability does not apply).")
        .or(Number(crate::fields::DEFAULT_MANUFACTURING_FAILURE_PROBABILITY)),
    Field::integer("facility", "max_attempts", 1, 10, "Batches a patient may have: after a failure the patient re-enters the queue on the failure's day, and after the last goes on without CAR-T.")
        .or(Whole(DEFAULT_MAX_ATTEMPTS)),
    Field::choice("facility", "priority", PRIORITIES, "Which waiting patient a free line takes: fifo (first come, first served) or severity (the highest value of severity_target first).")
        .or(Text("fifo")),
    Field::text("facility", "severity_target", "The `[[variability]]` target (`patient.*` or `parameters.*`) whose drawn value is a patient's severity (priority = \"severity\").")
        .or(Text("patient.entry_score")),
    Field::number("facility", "allogeneic_days_to_infusion", 0.0, 365.0, "days", "Days from the end of screening to the infusion of an allogeneic product (stock on hand: no queue).")
        .or(Number(DEFAULT_ALLOGENEIC_DAYS)),
    Field::number("facility", "target_wait_days", 0.0, 3650.0, "days", "Mean wait from referral to leukapheresis to plan for: queue_summary.csv gives the fewest lines that meet it (the queue re-run alone).")
        .or(Note("none: no capacity search")),
    Field::integer("facility", "max_lines", 1, 10_000, "Most lines the capacity search tries.")
        .or(Whole(DEFAULT_MAX_LINES)),
];
