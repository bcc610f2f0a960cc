//! A cohort folder (`immunosim cohort`) read into what its report draws.

use crate::error::ReportError;
use crate::table::Table;
use immunosim_cohort::manifest;
use immunosim_cohort::report::{COHORT_CSV, SUMMARY_CSV, SURVIVAL_CSV, TIMESERIES_CSV};
use std::collections::BTreeMap;
use std::path::Path;

/// One day of a measure in one arm: (day, median, q25, q75).
pub type Quartiles = Vec<(f64, f64, f64, f64)>;

/// One step of a Kaplan–Meier curve: (day, survival, ci95 low, ci95 high).
pub type Steps = Vec<(f64, f64, f64, f64)>;

/// One row of `cohort_summary.csv`, as text.
#[derive(Debug, Clone, Default)]
pub struct SummaryRow {
    /// Arm.
    pub arm: String,
    /// Endpoint name.
    pub endpoint: String,
    /// `rate` or `median`.
    pub statistic: String,
    /// Patients with a value.
    pub n: String,
    /// Estimate, interval low and high (Wilson for rates; q25 and q75 for medians).
    pub estimate: (Option<f64>, Option<f64>, Option<f64>),
    /// Difference from the first arm with its interval.
    pub difference: (Option<f64>, Option<f64>, Option<f64>),
}

/// Everything a cohort report draws.
#[derive(Debug, Clone, Default)]
pub struct CohortData {
    /// The cohort's name (the cohort file's stem in `cohort.toml`, or the folder's name).
    pub name: String,
    /// Facts from `cohort.toml`: (label, value).
    pub facts: Vec<(String, String)>,
    /// Arms in file order.
    pub arms: Vec<String>,
    /// measure → arm → quartiles per day.
    pub series: BTreeMap<String, BTreeMap<String, Quartiles>>,
    /// curve → arm → steps.
    pub survival: BTreeMap<String, BTreeMap<String, Steps>>,
    /// (arm, CRS grade max, Cmax cells/µL) per patient × arm of `cohort.csv`.
    pub patients: Vec<(String, Option<f64>, Option<f64>)>,
    /// `cohort_summary.csv`.
    pub summary: Vec<SummaryRow>,
}

impl CohortData {
    /// Whether `dir` holds a cohort's outputs (its `cohort_timeseries.csv`).
    pub fn is_cohort(dir: &Path) -> bool {
        dir.join(TIMESERIES_CSV).exists()
    }

    /// Reads the cohort folder `dir`.
    pub fn read(dir: &Path) -> Result<CohortData, ReportError> {
        let mut data = CohortData {
            name: dir
                .file_name()
                .map_or_else(|| "cohort".into(), |n| n.to_string_lossy().into_owned()),
            ..CohortData::default()
        };
        read_manifest(dir, &mut data)?;
        let ts = Table::read(dir, TIMESERIES_CSV)?;
        let (arm, day, measure) = (ts.index("arm")?, ts.index("day")?, ts.index("measure")?);
        let (median, q25, q75) = (ts.index("median")?, ts.index("q25")?, ts.index("q75")?);
        for r in 0..ts.len() {
            let name = ts.text(r, arm).to_owned();
            if !data.arms.contains(&name) {
                data.arms.push(name.clone());
            }
            let point = (
                ts.required(r, day)?,
                ts.required(r, median)?,
                ts.required(r, q25)?,
                ts.required(r, q75)?,
            );
            data.series
                .entry(ts.text(r, measure).to_owned())
                .or_default()
                .entry(name)
                .or_default()
                .push(point);
        }
        let km = Table::read(dir, SURVIVAL_CSV)?;
        let (arm, curve, day) = (km.index("arm")?, km.index("curve")?, km.index("day")?);
        let (s, low, high) = (
            km.index("survival")?,
            km.index("ci95_low")?,
            km.index("ci95_high")?,
        );
        for r in 0..km.len() {
            let survival = km.required(r, s)?;
            let point = (
                km.required(r, day)?,
                survival,
                km.number(r, low)?.unwrap_or(survival),
                km.number(r, high)?.unwrap_or(survival),
            );
            data.survival
                .entry(km.text(r, curve).to_owned())
                .or_default()
                .entry(km.text(r, arm).to_owned())
                .or_default()
                .push(point);
        }
        let rows = Table::read(dir, COHORT_CSV)?;
        let (arm, crs, cmax) = (
            rows.index("arm")?,
            rows.index("crs_grade_max")?,
            rows.index("car_t_cmax_per_uL")?,
        );
        for r in 0..rows.len() {
            data.patients.push((
                rows.text(r, arm).to_owned(),
                rows.number(r, crs)?,
                rows.number(r, cmax)?,
            ));
        }
        data.summary = read_summary(&Table::read(dir, SUMMARY_CSV)?)?;
        Ok(data)
    }
}

fn read_manifest(dir: &Path, data: &mut CohortData) -> Result<(), ReportError> {
    let path = dir.join(manifest::FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ReportError::Scenario {
            file: path.display().to_string(),
            message: e.to_string(),
        })?;
    let mut flat = Vec::new();
    flatten("", &doc, &mut flat);
    for (key, value) in flat {
        if key.ends_with("stem") {
            data.name = value.clone();
        }
        if value.len() <= 80 {
            data.facts.push((key, value));
        }
    }
    Ok(())
}

/// Scalar entries of a TOML table as (dotted key, text); long texts (the embedded
/// cohort file) are left to the folder.
fn flatten(prefix: &str, table: &toml::Table, out: &mut Vec<(String, String)>) {
    for (key, value) in table {
        let key = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => out.push((key, s.clone())),
            toml::Value::Array(_) => {}
            other => out.push((key, other.to_string())),
        }
    }
}

fn read_summary(table: &Table) -> Result<Vec<SummaryRow>, ReportError> {
    let col = |name: &str| table.index(name);
    let (arm, endpoint, statistic, n) =
        (col("arm")?, col("endpoint")?, col("statistic")?, col("n")?);
    let (estimate, low, high) = (col("estimate")?, col("ci95_low")?, col("ci95_high")?);
    let (q25, q75) = (col("q25")?, col("q75")?);
    let (difference, d_low, d_high) = (
        col("difference")?,
        col("difference_ci95_low")?,
        col("difference_ci95_high")?,
    );
    (0..table.len())
        .map(|r| {
            let rate = table.text(r, statistic) == "rate";
            let (lo, hi) = if rate { (low, high) } else { (q25, q75) };
            Ok(SummaryRow {
                arm: table.text(r, arm).to_owned(),
                endpoint: table.text(r, endpoint).to_owned(),
                statistic: table.text(r, statistic).to_owned(),
                n: table.text(r, n).to_owned(),
                estimate: (
                    table.number(r, estimate)?,
                    table.number(r, lo)?,
                    table.number(r, hi)?,
                ),
                difference: (
                    table.number(r, difference)?,
                    table.number(r, d_low)?,
                    table.number(r, d_high)?,
                ),
            })
        })
        .collect()
}
