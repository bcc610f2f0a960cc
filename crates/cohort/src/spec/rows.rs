//! The `[[variability]]` and `[[correlations]]` rows of a cohort file, read and
//! checked (targets, distributions, truncation, a valid correlation matrix).

use super::{Arm, Variation, array, check_table};
use crate::draws::{Distribution, cholesky};
use crate::target;
use immunosim_scenario::validate::Checked;
use immunosim_scenario::{ErrorKind, ScenarioError};
use toml_edit::{Item, Table};

fn number(table: &Table, key: &str) -> Option<f64> {
    let v = table.get(key)?.as_value()?;
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

/// Reads `[[variability]]` row `i`; `None` after reporting its problems.
pub(super) fn variation(
    checked: &Checked<'_>,
    i: usize,
    table: &Table,
    arms: &[Arm],
    errors: &mut Vec<ScenarioError>,
) -> Option<Variation> {
    let shown = format!("variability[{i}]");
    let at = |key: &str| checked.span_in_array("variability", i, key);
    let mut fail = |key: &str, message: String, kind: ErrorKind| {
        errors.push(checked.error_at(at(key), &format!("{shown}.{key}"), message, kind));
    };
    let Some(text) = table.get("target").and_then(Item::as_str) else {
        fail(
            "target",
            "every [[variability]] row needs a target".into(),
            ErrorKind::Inconsistent,
        );
        return None;
    };
    let product = table
        .get("product")
        .and_then(Item::as_str)
        .map(str::to_string);
    let (target, (min, max)) = match target::resolve(text, product.clone(), arms) {
        Ok(t) => t,
        Err(message) => {
            fail("target", message, ErrorKind::UnknownChoice);
            return None;
        }
    };
    let kind = table.get("distribution").and_then(Item::as_str);
    let distribution = match kind {
        Some("lognormal") => {
            let omega2 = match (number(table, "cv"), number(table, "omega2")) {
                (Some(cv), None) => (1.0 + cv * cv).ln(),
                (None, Some(w)) => w,
                _ => {
                    fail(
                        "distribution",
                        "a lognormal needs exactly one of cv and omega2".into(),
                        ErrorKind::Inconsistent,
                    );
                    return None;
                }
            };
            Distribution::LogNormal {
                median: number(table, "median"),
                omega2,
            }
        }
        Some("normal") => match number(table, "sd") {
            Some(sd) => Distribution::Normal {
                mean: number(table, "mean"),
                sd,
            },
            None => {
                fail(
                    "distribution",
                    "a normal needs sd".into(),
                    ErrorKind::Inconsistent,
                );
                return None;
            }
        },
        Some("uniform") => match (number(table, "min"), number(table, "max")) {
            (Some(lo), Some(hi)) if lo < hi => Distribution::Uniform { min: lo, max: hi },
            _ => {
                fail(
                    "distribution",
                    "a uniform needs min < max".into(),
                    ErrorKind::Inconsistent,
                );
                return None;
            }
        },
        Some("levels") => {
            let levels: Vec<f64> = table
                .get("levels")
                .and_then(Item::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
                        .collect()
                })
                .unwrap_or_default();
            if levels.is_empty() {
                fail(
                    "distribution",
                    "levels needs a non-empty list `levels`".into(),
                    ErrorKind::Inconsistent,
                );
                return None;
            }
            Distribution::Levels(levels)
        }
        _ => {
            // The schema check has reported a missing or unknown distribution.
            if kind.is_none() {
                fail(
                    "distribution",
                    format!(
                        "every [[variability]] row needs a distribution (one of {})",
                        immunosim_scenario::fields::DISTRIBUTIONS.join(", ")
                    ),
                    ErrorKind::Inconsistent,
                );
            }
            return None;
        }
    };
    let lower = number(table, "lower").unwrap_or(min);
    let upper = number(table, "upper").unwrap_or(max);
    let range = format!("{text} allows {min} <= x <= {max}");
    if lower < min || upper > max || lower >= upper {
        let key = if lower < min || lower >= upper {
            "lower"
        } else {
            "upper"
        };
        fail(
            key,
            format!(
                "truncation [{lower}, {upper}] must be an interval within the target's range ({range})"
            ),
            ErrorKind::OutOfRange,
        );
        return None;
    }
    let outside = |x: f64| x < lower || x > upper;
    let bad = match &distribution {
        Distribution::Uniform { min: a, max: b } => outside(*a) || outside(*b),
        Distribution::Levels(l) => l.iter().any(|&x| outside(x)),
        Distribution::LogNormal {
            median: Some(m), ..
        } => outside(*m) || *m <= 0.0,
        Distribution::Normal { mean: Some(m), .. } => outside(*m),
        _ => false,
    };
    if bad {
        fail(
            "distribution",
            format!("its values must lie within [{lower}, {upper}] ({range})"),
            ErrorKind::OutOfRange,
        );
        return None;
    }
    let name = match &product {
        Some(p) => format!("{text}[{p}]"),
        None => text.to_string(),
    };
    Some(Variation {
        name,
        target,
        distribution,
        lower,
        upper,
    })
}

/// The correlated rows and the Cholesky factor of their correlation matrix.
pub(super) fn correlations(
    checked: &Checked<'_>,
    root: &Table,
    variations: &[Variation],
    errors: &mut Vec<ScenarioError>,
) -> (Vec<usize>, Vec<f64>) {
    let mut pairs = Vec::new();
    for (i, table) in array(checked, root, "correlations", errors)
        .iter()
        .enumerate()
    {
        let shown = format!("correlations[{i}]");
        check_table(checked, table, "correlations", &shown, &[], errors);
        let mut find = |key: &str| {
            let name = table.get(key).and_then(Item::as_str).unwrap_or_default();
            let found = variations.iter().position(|v| {
                v.name == name && v.distribution.is_gaussian() && !v.target.is_product()
            });
            if found.is_none() {
                let allowed: Vec<&str> = variations
                    .iter()
                    .filter(|v| v.distribution.is_gaussian() && !v.target.is_product())
                    .map(|v| v.name.as_str())
                    .collect();
                errors.push(checked.error_at(
                    checked.span_in_array("correlations", i, key),
                    &format!("{shown}.{key}"),
                    format!("= \"{name}\" is not a lognormal or normal [[variability]] target of a parameter or covariate (allowed: {})", allowed.join(", ")),
                    ErrorKind::UnknownChoice,
                ));
            }
            found
        };
        let (a, b) = (find("first"), find("second"));
        if let (Some(a), Some(b), Some(rho)) = (a, b, number(table, "rho")) {
            pairs.push((a, b, rho, i));
        }
    }
    let mut set: Vec<usize> = pairs.iter().flat_map(|p| [p.0, p.1]).collect();
    set.sort_unstable();
    set.dedup();
    let n = set.len();
    let mut matrix = vec![0.0; n * n];
    for i in 0..n {
        matrix[i * n + i] = 1.0;
    }
    for &(a, b, rho, _) in &pairs {
        let (i, j) = (
            set.binary_search(&a).unwrap_or(0),
            set.binary_search(&b).unwrap_or(0),
        );
        matrix[i * n + j] = rho;
        matrix[j * n + i] = rho;
    }
    match cholesky(&matrix, n) {
        Some(l) => (set, l),
        None => {
            let at = pairs.first().map_or(0, |p| p.3);
            errors.push(checked.error_at(
                checked.span_in_array("correlations", at, "rho"),
                "correlations",
                "the correlations do not form a valid correlation matrix (not positive definite; a row cannot correlate with itself)".into(),
                ErrorKind::Inconsistent,
            ));
            (Vec::new(), Vec::new())
        }
    }
}
