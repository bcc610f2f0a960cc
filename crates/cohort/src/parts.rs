//! Each patient's results, one pair of files per patient in `parts/`, written
//! atomically as the patient finishes (the series first, the rows last: the rows file
//! is the mark of a finished patient). The cohort outputs are computed from these files
//! only, which is what makes them independent of threads, resumption, shards and ranks.

use crate::CohortError;
use crate::drawn::{DrawColumn, Patient, draw_columns, drawn_values};
use crate::recorder::{ArmRecord, CohortRecorder, SERIES};
use crate::spec::CohortSpec;
use immunosim_output::files::number;
use std::path::Path;

use crate::part_files::read_text;
pub use crate::part_files::{DIR, finished, rows_path, series_path};

/// The endpoint columns of every patient-arm, in order.
pub fn endpoint_names() -> Vec<&'static str> {
    CohortRecorder::default()
        .finish()
        .endpoints
        .iter()
        .map(|(n, _)| *n)
        .collect()
}

/// The header of `cohort.csv` (and of every rows file).
pub fn header(columns: &[DrawColumn]) -> String {
    let mut h = vec!["patient".to_string(), "arm".to_string()];
    h.extend(columns.iter().map(|c| c.header.clone()));
    h.extend(endpoint_names().iter().map(|n| n.to_string()));
    h.join(",")
}

fn cell(x: Option<f64>) -> String {
    x.map_or(String::new(), number)
}

/// Writes patient `patient`'s series and rows parts, the rows last (they mark the patient
/// finished); its economics part is written before, by [`crate::economics::write_part`].
pub fn write(
    spec: &CohortSpec,
    out: &Path,
    patient: &Patient,
    records: &[ArmRecord],
) -> Result<(), CohortError> {
    let dir = out.join(DIR);
    std::fs::create_dir_all(&dir).map_err(|e| CohortError::io(&dir, e))?;
    let k = patient.k;
    let mut series = format!("patient,arm,day,{}\n", SERIES.join(","));
    for (a, r) in records.iter().enumerate() {
        let arm = &spec.arms[a].name;
        for (day, values) in &r.days {
            let v: Vec<String> = values.iter().map(|&x| number(x)).collect();
            series.push_str(&format!("{k},{arm},{},{}\n", number(*day), v.join(",")));
        }
    }
    immunosim_output::write_atomically(&series_path(out, k), series.as_bytes())?;
    let columns = draw_columns(spec);
    let mut rows = header(&columns);
    rows.push('\n');
    for (a, r) in records.iter().enumerate() {
        let mut line = vec![k.to_string(), spec.arms[a].name.clone()];
        line.extend(
            drawn_values(spec, patient, a, &columns)
                .into_iter()
                .map(cell),
        );
        line.extend(r.endpoints.iter().map(|(_, v)| cell(*v)));
        rows.push_str(&line.join(","));
        rows.push('\n');
    }
    immunosim_output::write_atomically(&rows_path(out, k), rows.as_bytes())?;
    Ok(())
}

/// One patient-arm as read back.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Patient.
    pub patient: u64,
    /// Arm index.
    pub arm: usize,
    /// The line as written (`cohort.csv` repeats it byte for byte).
    pub line: String,
    /// Values by column (after patient and arm); `None` when empty.
    pub values: Vec<Option<f64>>,
}

/// A patient's parts as read back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PatientParts {
    /// Its rows, in arm order.
    pub rows: Vec<Row>,
    /// (arm, day, series) in file order.
    pub series: Vec<(usize, f64, [f64; 8])>,
    /// Its economics part, a ledger per arm in arm order (empty without economics;
    /// filled by `gather`).
    pub ledgers: Vec<immunosim_economics::Ledger>,
}

/// Reads patient `k`'s parts from `dir`, checking them against the cohort.
pub fn read(spec: &CohortSpec, dir: &Path, k: u64) -> Result<PatientParts, CohortError> {
    let path = rows_path(dir, k);
    let text = read_text(&path)?;
    let damaged = |what: String| CohortError::Mismatch(format!("{}: {what}", path.display()));
    let mut lines = text.lines();
    let expected = header(&draw_columns(spec));
    if lines.next() != Some(expected.as_str()) {
        return Err(damaged(
            "its header is not this cohort's (another cohort or version)".into(),
        ));
    }
    let arm_index = |name: &str| spec.arms.iter().position(|a| a.name == name);
    let mut parts = PatientParts::default();
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        let (Some(p), Some(arm)) = (fields.first(), fields.get(1).and_then(|n| arm_index(n)))
        else {
            return Err(damaged(format!("unreadable row `{line}`")));
        };
        if p.parse::<u64>().ok() != Some(k) {
            return Err(damaged(format!("row of another patient `{line}`")));
        }
        let values = fields[2..]
            .iter()
            .map(|f| {
                if f.is_empty() {
                    Ok(None)
                } else {
                    f.parse().map(Some)
                }
            })
            .collect::<Result<Vec<Option<f64>>, _>>()
            .map_err(|_| damaged(format!("unreadable number in `{line}`")))?;
        parts.rows.push(Row {
            patient: k,
            arm,
            line: line.to_string(),
            values,
        });
    }
    if parts.rows.len() != spec.arms.len() {
        return Err(damaged(format!(
            "{} rows for {} arms",
            parts.rows.len(),
            spec.arms.len()
        )));
    }
    let path = series_path(dir, k);
    let text = read_text(&path)?;
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let arm = fields.get(1).and_then(|n| arm_index(n));
        let numbers: Option<Vec<f64>> = fields
            .get(2..)
            .map(|f| f.iter().filter_map(|x| x.parse().ok()).collect());
        match (arm, numbers) {
            (Some(arm), Some(n)) if n.len() == 1 + SERIES.len() => {
                let mut values = [0.0; 8];
                values.copy_from_slice(&n[1..]);
                parts.series.push((arm, n[0], values));
            }
            _ => {
                return Err(CohortError::Mismatch(format!(
                    "{}: unreadable row `{line}`",
                    path.display()
                )));
            }
        }
    }
    Ok(parts)
}
