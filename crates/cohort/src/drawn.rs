//! A virtual patient's draws: what each `[[variability]]` row gives patient `k`
//! (keyed by the cohort seed, `k` and the row, never by the number of patients), the
//! drawn-value columns of `cohort.csv`, and the patient with its arms' scenarios.

use crate::draws::{KeyedStream, patient_seed};
use crate::spec::{CohortSpec, Variation};
use immunosim_scenario::Scenario;

/// Redraws before a truncated draw gives up and takes the nearer bound: a row whose
/// distribution lies this far outside its bounds is a mistake of the file, and the
/// bound is then what its values pile up at.
const MAX_ATTEMPTS: u64 = 1000;

/// A drawn value column of `cohort.csv`: a row, and for product rows the product.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawColumn {
    /// Column name (`draw.` + the row's target, `.` + the product's name for products).
    pub header: String,
    /// The `[[variability]]` row.
    pub row: usize,
    /// The product (product rows).
    pub product: Option<String>,
}

/// The drawn-value columns of a cohort, in row order (product rows: one per product
/// name the row applies to in any arm, in order of first appearance).
pub fn draw_columns(spec: &CohortSpec) -> Vec<DrawColumn> {
    let mut columns = Vec::new();
    for (row, v) in spec.variations.iter().enumerate() {
        if !v.target.is_product() {
            columns.push(DrawColumn {
                header: format!("draw.{}", v.name),
                row,
                product: None,
            });
            continue;
        }
        let mut seen: Vec<&str> = Vec::new();
        for p in spec.arms.iter().flat_map(|a| &a.scenario.config.products) {
            if v.target.product_value(p).is_some() && !seen.contains(&p.name.as_str()) {
                seen.push(&p.name);
                columns.push(DrawColumn {
                    header: format!("draw.{}.{}", v.name, slug(&p.name)),
                    row,
                    product: Some(p.name.clone()),
                });
            }
        }
    }
    columns
}

/// A product name as a column-name part: lower-case letters, digits and `_`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// Patient `k` of a cohort: the untreated patient and each arm's scenario, with the
/// patient's draws and run seed.
#[derive(Clone, Debug)]
pub struct Patient {
    /// Index in the cohort (from 0).
    pub k: u64,
    /// The untreated patient (burned in).
    pub patient: Scenario,
    /// Each arm's scenario for this patient, in arm order.
    pub arms: Vec<Scenario>,
    /// Each arm's economics terms, in arm order (empty without economics).
    pub economics: Vec<immunosim_economics::ledger::ArmTerms>,
}

/// The first accepted draw of row `v` around `nominal` for patient `k`.
pub(crate) fn draw_one(v: &Variation, seed: u64, k: u64, nominal: f64) -> f64 {
    let mut last = nominal;
    for attempt in 0..MAX_ATTEMPTS {
        let mut stream = KeyedStream::new(seed, k, &v.name, attempt);
        let (z, u) = if v.distribution.is_gaussian() {
            (stream.normal(), 0.0)
        } else {
            (0.0, stream.uniform())
        };
        last = v.distribution.value(nominal, z, u);
        if last >= v.lower && last <= v.upper {
            return last;
        }
    }
    last.clamp(v.lower, v.upper)
}

/// The untreated patient `k` of `spec` under cohort seed `seed`: the patient's draws
/// of every `patient.*` and `parameters.*` row.
pub fn drawn(spec: &CohortSpec, seed: u64, k: u64) -> Scenario {
    let mut base = spec.patient.clone();
    base.config.seed = patient_seed(seed, k);
    // Correlated rows: one vector of deviates per attempt, combined by the Cholesky
    // factor, redrawn together until every value is within its bounds.
    let n = spec.correlated.len();
    if n > 0 {
        let mut values = vec![0.0; n];
        for attempt in 0..MAX_ATTEMPTS {
            let z: Vec<f64> = spec
                .correlated
                .iter()
                .map(|&i| KeyedStream::new(seed, k, &spec.variations[i].name, attempt).normal())
                .collect();
            let mut ok = true;
            for (a, &i) in spec.correlated.iter().enumerate() {
                let zc: f64 = (0..=a).map(|b| spec.cholesky[a * n + b] * z[b]).sum();
                let v = &spec.variations[i];
                values[a] = v.distribution.value(v.target.get(&base), zc, 0.0);
                ok &= values[a] >= v.lower && values[a] <= v.upper;
            }
            if ok || attempt + 1 == MAX_ATTEMPTS {
                break;
            }
        }
        for (a, &i) in spec.correlated.iter().enumerate() {
            let v = &spec.variations[i];
            let value = values[a].clamp(v.lower, v.upper);
            v.target.set(&mut base, value);
        }
    }
    for (i, v) in spec.variations.iter().enumerate() {
        if v.target.is_product() || spec.correlated.contains(&i) {
            continue;
        }
        let value = draw_one(v, seed, k, v.target.get(&base));
        v.target.set(&mut base, value);
    }
    base
}

/// The drawn values of arm `arm` of `patient`, one per column (`None`: the arm has no
/// such product).
pub fn drawn_values(
    spec: &CohortSpec,
    patient: &Patient,
    arm: usize,
    columns: &[DrawColumn],
) -> Vec<Option<f64>> {
    let s = &patient.arms[arm];
    columns
        .iter()
        .map(|c| {
            let v = &spec.variations[c.row];
            match &c.product {
                None => Some(v.target.get(s)),
                Some(name) => s
                    .config
                    .products
                    .iter()
                    .find(|p| &p.name == name)
                    .and_then(|p| v.target.product_value(p)),
            }
        })
        .collect()
}
