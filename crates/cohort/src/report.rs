//! The cohort outputs, computed from the patients' parts: `cohort.csv` (one row per
//! patient × arm), `cohort_summary.csv` (rates with Wilson intervals, medians and
//! IQRs, each arm against the first on the same patients), `survival.csv`
//! (Kaplan–Meier with Greenwood intervals) and `cohort_timeseries.csv` (per day and
//! arm, quantiles over patients of the main series).

use crate::CohortError;
use crate::drawn::draw_columns;
use crate::parts::{PatientParts, Row, endpoint_names};
use crate::recorder::SERIES;
use crate::spec::CohortSpec;
use crate::stats::{self, Z95};
use immunosim_outcomes::SCORE_MONTHS;
use immunosim_output::files::number;
use std::path::Path;

pub mod queue;

/// Output file names.
pub const COHORT_CSV: &str = "cohort.csv";
/// Per-arm summary.
pub const SUMMARY_CSV: &str = "cohort_summary.csv";
/// Kaplan–Meier curves.
pub const SURVIVAL_CSV: &str = "survival.csv";
/// Daily quantiles.
pub const TIMESERIES_CSV: &str = "cohort_timeseries.csv";

/// IgG below which hypogammaglobulinaemia is counted, g/L: 4 g/L is where IgG
/// replacement is usually considered, 7 g/L the lower limit of normal (IgG lower
/// reference limit; recalled clinical convention).
const IGG_LIMITS_G_PER_L: [f64; 2] = [4.0, 7.0];

/// Reads a row's value by column name.
pub(crate) struct Columns(Vec<String>);

impl Columns {
    pub(crate) fn new(spec: &CohortSpec) -> Columns {
        let mut names: Vec<String> = draw_columns(spec).into_iter().map(|c| c.header).collect();
        names.extend(endpoint_names().iter().map(|n| n.to_string()));
        Columns(names)
    }

    pub(crate) fn get(&self, row: &Row, name: &str) -> Option<f64> {
        let i = self
            .0
            .iter()
            .position(|n| n == name)
            .expect("a known column");
        row.values[i]
    }
}

/// The day of month `m` (from [`SCORE_MONTHS`], the outcomes crate's month days).
pub(crate) fn month_day(m: u32) -> f64 {
    SCORE_MONTHS
        .iter()
        .find(|(month, _)| *month == m)
        .map(|(_, d)| *d)
        .expect("a month of SCORE_MONTHS")
}

type RateFn = fn(&Columns, &Row, f64) -> Option<bool>;

/// The rates: name, and whether a patient-arm has the event (`None`: not evaluable,
/// e.g. a run shorter than the rate's horizon).
fn rates() -> Vec<(&'static str, RateFn)> {
    fn by(c: &Columns, r: &Row, days: f64, column: &str, horizon: f64) -> Option<bool> {
        (days >= horizon).then(|| c.get(r, column).is_some_and(|d| d <= horizon))
    }
    vec![
        ("remission_by_month3", |c, r, d| {
            by(c, r, d, "remission_day", month_day(3))
        }),
        ("remission_by_month6", |c, r, d| {
            by(c, r, d, "remission_day", month_day(6))
        }),
        ("remission_by_month12", |c, r, d| {
            by(c, r, d, "remission_day", month_day(12))
        }),
        ("autoantibody_negative_by_month3", |c, r, d| {
            by(c, r, d, "autoantibody_negative_day", month_day(3))
        }),
        ("crs_any", |c, r, _| Some(c.get(r, "crs_grade_max")? >= 1.0)),
        ("crs_grade2_or_more", |c, r, _| {
            Some(c.get(r, "crs_grade_max")? >= 2.0)
        }),
        ("crs_grade3_or_more", |c, r, _| {
            Some(c.get(r, "crs_grade_max")? >= 3.0)
        }),
        ("tocilizumab", |c, r, _| {
            Some(c.get(r, "tocilizumab_doses")? > 0.0)
        }),
        ("relapse_by_year1", |c, r, d| {
            by(c, r, d, "relapse_day", 365.0)
        }),
        ("relapse_by_year2", |c, r, d| {
            by(c, r, d, "relapse_day", 730.0)
        }),
        ("igg_below_4_g_per_L", |c, r, _| {
            Some(c.get(r, "igg_nadir_g_per_L")? < IGG_LIMITS_G_PER_L[0])
        }),
        ("igg_below_7_g_per_L", |c, r, _| {
            Some(c.get(r, "igg_nadir_g_per_L")? < IGG_LIMITS_G_PER_L[1])
        }),
        ("manufacturing_failure", |c, r, _| {
            Some(c.get(r, "manufacturing_failures")? > 0.0)
        }),
    ]
}

type MeasureFn = fn(&Columns, &Row) -> Option<f64>;

/// The continuous endpoints summarised by median and IQR.
fn measures() -> Vec<(&'static str, MeasureFn)> {
    vec![
        ("car_t_cmax_per_uL", |c, r| c.get(r, "car_t_cmax_per_uL")),
        ("car_t_tmax_day", |c, r| c.get(r, "car_t_tmax_day")),
        ("car_t_peak_percent_of_cd3", |c, r| {
            c.get(r, "car_t_peak_percent_of_cd3")
        }),
        ("b_aplasia_duration_days", |c, r| {
            Some(c.get(r, "b_aplasia_end_day")? - c.get(r, "b_aplasia_start_day")?)
        }),
        ("b_return_day", |c, r| c.get(r, "b_return_day")),
        ("igg_nadir_g_per_L", |c, r| c.get(r, "igg_nadir_g_per_L")),
        ("vaccine_a_igg_lowest_fraction_of_day0", |c, r| {
            c.get(r, "vaccine_a_igg_lowest_fraction_of_day0")
        }),
        ("vaccine_b_igg_lowest_fraction_of_day0", |c, r| {
            c.get(r, "vaccine_b_igg_lowest_fraction_of_day0")
        }),
        ("il6_peak_pg_per_mL", |c, r| c.get(r, "il6_peak_pg_per_mL")),
        ("activity_score_month3", |c, r| {
            c.get(r, "activity_score_month3")
        }),
    ]
}

pub(crate) fn num(x: f64) -> String {
    if x.is_nan() { String::new() } else { number(x) }
}

/// Header of `cohort_summary.csv`.
pub const SUMMARY_HEADER: &str = "arm,endpoint,statistic,n,events,estimate,ci95_low,ci95_high,q25,q75,vs_arm,difference,difference_ci95_low,difference_ci95_high,difference_method";

/// `cohort_summary.csv`.
pub fn summary(spec: &CohortSpec, days: f64, patients: &[PatientParts]) -> String {
    let c = Columns::new(spec);
    let mut out = format!("{SUMMARY_HEADER}\n");
    let first = &spec.arms[0].name;
    for (a, arm) in spec.arms.iter().enumerate() {
        for (name, f) in rates() {
            let values: Vec<(Option<bool>, Option<bool>)> = patients
                .iter()
                .map(|p| (f(&c, &p.rows[a], days), f(&c, &p.rows[0], days)))
                .collect();
            let own: Vec<bool> = values.iter().filter_map(|v| v.0).collect();
            let r = stats::wilson(own.iter().filter(|&&x| x).count(), own.len(), Z95);
            let mut line = format!(
                "{},{name},rate,{},{},{},{},{},,",
                arm.name,
                r.n,
                r.k,
                num(r.p),
                num(r.low),
                num(r.high)
            );
            let d = (a > 0).then(|| {
                let pairs: Vec<(bool, bool)> =
                    values.iter().filter_map(|v| Some((v.0?, v.1?))).collect();
                stats::paired_rate_difference(&pairs)
            });
            line.push_str(&difference_columns(first, d, "paired_newcombe"));
            out.push_str(&line);
            out.push('\n');
        }
        for (name, f) in measures() {
            let values: Vec<(Option<f64>, Option<f64>)> = patients
                .iter()
                .map(|p| (f(&c, &p.rows[a]), f(&c, &p.rows[0])))
                .collect();
            let own: Vec<f64> = values.iter().filter_map(|v| v.0).collect();
            let mut line = format!(
                "{},{name},median,{},,{},,,{},{}",
                arm.name,
                own.len(),
                num(stats::quantile(&own, 0.5)),
                num(stats::quantile(&own, 0.25)),
                num(stats::quantile(&own, 0.75))
            );
            let d = (a > 0).then(|| {
                let differences: Vec<f64> =
                    values.iter().filter_map(|v| Some(v.0? - v.1?)).collect();
                stats::paired_mean_difference(&differences)
            });
            line.push_str(&difference_columns(first, d, "paired_mean_t"));
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The `vs_arm` … `difference_method` columns of a summary row: against the first arm
/// (`first`) for later arms, empty for the first.
fn difference_columns(first: &str, d: Option<stats::Difference>, method: &str) -> String {
    match d {
        Some(d) => format!(
            ",{first},{},{},{},{method}",
            num(d.estimate),
            num(d.low),
            num(d.high)
        ),
        None => ",,,,,".to_owned(),
    }
}

/// Header of `survival.csv`.
pub const SURVIVAL_HEADER: &str =
    "arm,curve,day,at_risk,events,censored,survival,std_error,ci95_low,ci95_high";

/// `survival.csv`: time to relapse, remission-free survival (time to first
/// remission) and time to the end of B-cell aplasia (patients with aplasia), from day
/// 0, censored at the last recorded day.
pub fn survival(spec: &CohortSpec, days: f64, patients: &[PatientParts]) -> String {
    let c = Columns::new(spec);
    let mut out = format!("{SURVIVAL_HEADER}\n");
    let curves: [(&str, &str, Option<&str>); 3] = [
        ("time_to_relapse", "relapse_day", None),
        ("remission_free", "remission_day", None),
        (
            "aplasia_end",
            "b_aplasia_end_day",
            Some("b_aplasia_start_day"),
        ),
    ];
    for (a, arm) in spec.arms.iter().enumerate() {
        for (curve, event, among) in curves {
            let observations: Vec<(f64, bool)> = patients
                .iter()
                .map(|p| &p.rows[a])
                .filter(|r| among.is_none_or(|col| c.get(r, col).is_some()))
                .map(|r| match c.get(r, event) {
                    Some(day) => (day, true),
                    None => (days, false),
                })
                .collect();
            out.push_str(&format!(
                "{},{curve},0,{},0,0,1,0,1,1\n",
                arm.name,
                observations.len()
            ));
            for s in stats::kaplan_meier(&observations) {
                out.push_str(&format!(
                    "{},{curve},{},{},{},{},{},{},{},{}\n",
                    arm.name,
                    num(s.time),
                    s.at_risk,
                    s.events,
                    s.censored,
                    num(s.survival),
                    num(s.std_error),
                    num(s.low),
                    num(s.high)
                ));
            }
        }
    }
    out
}

/// Header of `cohort_timeseries.csv`.
pub const TIMESERIES_HEADER: &str = "arm,day,measure,n,median,q25,q75,q05,q95";

/// `cohort_timeseries.csv`.
pub fn timeseries(spec: &CohortSpec, patients: &[PatientParts]) -> Result<String, CohortError> {
    let mut out = format!("{TIMESERIES_HEADER}\n");
    for (a, arm) in spec.arms.iter().enumerate() {
        let per_patient: Vec<Vec<(f64, [f64; 8])>> = patients
            .iter()
            .map(|p| {
                p.series
                    .iter()
                    .filter(|s| s.0 == a)
                    .map(|s| (s.1, s.2))
                    .collect()
            })
            .collect();
        let Some(first) = per_patient.first() else {
            continue;
        };
        if per_patient.iter().any(|p| p.len() != first.len()) {
            return Err(CohortError::Mismatch(format!(
                "arm {}: patients recorded different days",
                arm.name
            )));
        }
        for (d, (day, _)) in first.iter().enumerate() {
            for (m, measure) in SERIES.iter().enumerate() {
                let mut values: Vec<f64> = per_patient.iter().map(|p| p[d].1[m]).collect();
                values.sort_by(f64::total_cmp);
                let q = |x: f64| num(stats::quantile_sorted(&values, x));
                out.push_str(&format!(
                    "{},{},{measure},{},{},{},{},{},{}\n",
                    arm.name,
                    num(*day),
                    values.len(),
                    q(0.5),
                    q(0.25),
                    q(0.75),
                    q(0.05),
                    q(0.95)
                ));
            }
        }
    }
    Ok(out)
}

/// `cohort.csv`: the rows of every patient, in patient order, then arm order.
pub fn cohort_csv(spec: &CohortSpec, patients: &[PatientParts]) -> String {
    let mut out = crate::parts::header(&draw_columns(spec));
    out.push('\n');
    for p in patients {
        for r in &p.rows {
            out.push_str(&r.line);
            out.push('\n');
        }
    }
    out
}

/// Writes every cohort output to `out` from the gathered parts (with `[facility]`, the
/// queue's too, computed whole from the cohort seed `seed`; with economics, its
/// outputs from the patients' ledgers).
pub fn write_all(
    spec: &CohortSpec,
    seed: u64,
    days: f64,
    patients: &[PatientParts],
    out: &Path,
) -> Result<(), CohortError> {
    let write = |name: &str, text: String| -> Result<(), CohortError> {
        immunosim_output::write_atomically(&out.join(name), text.as_bytes())?;
        Ok(())
    };
    write(COHORT_CSV, cohort_csv(spec, patients))?;
    write(SUMMARY_CSV, summary(spec, days, patients))?;
    write(SURVIVAL_CSV, survival(spec, days, patients))?;
    write(TIMESERIES_CSV, timeseries(spec, patients)?)?;
    if let (Some(f), Some(q)) = (
        &spec.facility,
        crate::queue::queue(spec, seed, patients.len() as u64),
    ) {
        write(queue::QUEUE_CSV, queue::queue_csv(spec, f, &q))?;
        write(
            queue::QUEUE_SUMMARY_CSV,
            queue::summary(spec, f, &q, seed, days, patients),
        )?;
    }
    crate::economics::write_outputs(spec, patients, out)
}

/// Reads the parts of patients 0..`patients` from `dirs` (each patient from the first
/// folder that has it) and writes the outputs of the cohort of seed `seed` to `out`.
pub fn merge(
    spec: &CohortSpec,
    seed: u64,
    days: f64,
    patients: u64,
    dirs: &[&Path],
    out: &Path,
) -> Result<(), CohortError> {
    let all = crate::gather::read_all(spec, patients, dirs)?;
    write_all(spec, seed, days, &all, out)
}
