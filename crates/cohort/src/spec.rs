//! Cohort files: a scenario (the patient) plus `[cohort]`, `[[variability]]`,
//! `[[correlations]]` and `[[arms]]` (docs/scenario.md, "Cohort files"). Loading
//! validates everything at once and reports each problem with file, line, column,
//! field, value and what is allowed, as scenario files do.

pub use crate::arm::Arm;
use crate::draws::Distribution;
use crate::sections::{ARM_TABLES, COHORT_TABLES, arm_text};
use crate::target::Target;
use immunosim_scenario::fields::{COHORT_FIELDS, ECONOMICS_FIELDS, FACILITY_FIELDS};
use immunosim_scenario::validate::{self, Checked, check_value};
use immunosim_scenario::{ErrorKind, Scenario, ScenarioError, ScenarioErrors, schema};
use rows::{correlations, variation};
use toml_edit::{Item, Table};

pub mod economics;
pub mod facility;
mod rows;

/// One `[[variability]]` row.
#[derive(Clone, Debug)]
pub struct Variation {
    /// The row's name: its target, with `[product]` when restricted to a product. Keys
    /// the patient's stream and names the row in correlations.
    pub name: String,
    /// What it sets.
    pub target: Target,
    /// How it is distributed.
    pub distribution: Distribution,
    /// Draws outside [lower, upper] are redrawn.
    pub lower: f64,
    /// Upper truncation bound.
    pub upper: f64,
}

/// A loaded cohort file.
#[derive(Clone, Debug)]
pub struct CohortSpec {
    /// Name (the scenario's name).
    pub name: String,
    /// The patient without treatment (burned in once, then branched into every arm).
    pub patient: Scenario,
    /// The arms, in file order.
    pub arms: Vec<Arm>,
    /// What varies.
    pub variations: Vec<Variation>,
    /// Indices of the correlated rows, ascending, and the lower Cholesky factor of
    /// their correlation matrix (row-major).
    pub correlated: Vec<usize>,
    /// The factor.
    pub cholesky: Vec<f64>,
    /// Patients when `--patients` does not say.
    pub patients: usize,
    /// The cohort file's text (kept in the output folder's manifest).
    pub text: String,
    /// Health economics (`[economics]`, `[[contracts]]`); `None`: no economics outputs.
    pub economics: Option<economics::EconomicsSpec>,
    /// The manufacturing facility the arms queue for (`[facility]`).
    pub facility: Option<facility::FacilitySpec>,
    /// The queue last computed from it (`crate::queue::queue`).
    pub queue_cache: facility::QueueCache,
}

/// Whether `text` is a cohort file (has a cohort table at its top level).
pub fn is_cohort_text(text: &str) -> bool {
    text.parse::<toml::Table>()
        .map(|t| COHORT_TABLES.iter().any(|k| t.contains_key(*k)))
        .unwrap_or(false)
}

/// Loads and validates a cohort file.
pub fn load(path: &std::path::Path) -> Result<CohortSpec, ScenarioErrors> {
    let file = immunosim_scenario::read_file(path)?;
    parse(&file.text, &file.label, &file.stem)
}

/// Validates cohort text; `file` labels messages, `stem` is the default name.
pub fn parse(text: &str, file: &str, stem: &str) -> Result<CohortSpec, ScenarioErrors> {
    let checked = validate::parse(file, text).map_err(|e| ScenarioErrors(vec![e]))?;
    let mut errors = Vec::new();
    let root = checked.document.as_table();
    let named = root
        .get("scenario")
        .and_then(Item::as_table)
        .is_some_and(|t| t.contains_key("name"));
    let fix_name = |s: &mut Scenario, suffix: &str| {
        if !named {
            s.name = stem.to_string();
        }
        s.name.push_str(suffix);
    };
    let patient_text = arm_text(text, &checked.document, None);
    let patient = match immunosim_scenario::parse_str(&patient_text, file) {
        Ok(mut s) => {
            fix_name(&mut s, "");
            Some(s)
        }
        Err(e) => {
            errors.extend(e.0);
            None
        }
    };
    let arm_tables = array(&checked, root, "arms", &mut errors);
    let has_arms = !arm_tables.is_empty();
    if has_arms {
        for (table, _) in ARM_TABLES {
            if let Some(item) = root.get(table) {
                errors.push(checked.error_at(
                    root.key(table).and_then(|k| k.span()).or_else(|| item.span()),
                    table,
                    format!("with [[arms]], every arm states its own treatment: move [{table}] into the arms as [arms.{table}] (an arm without treatment is standard of care)"),
                    ErrorKind::Inconsistent,
                ));
            }
        }
    }
    if let Some(cohort) = root.get("cohort") {
        match cohort.as_table() {
            Some(t) => check_table(&checked, t, "cohort", "cohort", &[], &mut errors),
            None => errors.push(wrong_kind(&checked, root, "cohort", "a table ([cohort])")),
        }
    }
    let mut arms = Vec::new();
    for (i, table) in arm_tables.iter().enumerate() {
        let shown = format!("arms[{i}]");
        let subs: Vec<&str> = ARM_TABLES.iter().map(|(t, _)| *t).collect();
        check_table(&checked, table, "arms", &shown, &subs, &mut errors);
        let name = table.get("name").and_then(Item::as_str).unwrap_or_default();
        let span = checked.span_in_array("arms", i, "name");
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            errors.push(checked.error_at(
                span.clone(),
                &format!("{shown}.name"),
                format!("= \"{name}\": every arm needs a name of letters, digits, `_` and `-` (it names files and rows)"),
                ErrorKind::Inconsistent,
            ));
        } else if arms.iter().any(|a: &Arm| a.name == name) {
            errors.push(checked.error_at(
                span.clone(),
                &format!("{shown}.name"),
                format!("= \"{name}\" names two arms; arm names must differ"),
                ErrorKind::Inconsistent,
            ));
        }
        let own = arm_text(text, &checked.document, Some(i));
        match immunosim_scenario::parse_str(&own, file) {
            Ok(mut s) => {
                fix_name(&mut s, &format!("_{name}"));
                arms.push(Arm {
                    name: name.to_string(),
                    description: table
                        .get("description")
                        .and_then(Item::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    scenario: s,
                });
            }
            Err(e) => errors.extend(e.0),
        }
    }
    if !has_arms && let Some(p) = &patient {
        arms.push(Arm {
            name: "scenario".into(),
            description: "the scenario's own treatment".into(),
            scenario: p.clone(),
        });
    }
    let mut variations = Vec::new();
    for (i, table) in array(&checked, root, "variability", &mut errors)
        .iter()
        .enumerate()
    {
        check_table(
            &checked,
            table,
            "variability",
            &format!("variability[{i}]"),
            &[],
            &mut errors,
        );
        if let Some(v) = variation(&checked, i, table, &arms, &mut errors) {
            if variations.iter().any(|o: &Variation| o.name == v.name) {
                errors.push(checked.error_at(
                    checked.span_in_array("variability", i, "target"),
                    &format!("variability[{i}].target"),
                    format!("`{}` is given two distributions", v.name),
                    ErrorKind::Inconsistent,
                ));
            }
            variations.push(v);
        }
    }
    let (correlated, factor) = correlations(&checked, root, &variations, &mut errors);
    let arm_names: Vec<String> = arms.iter().map(|a| a.name.clone()).collect();
    let economics = economics::read(&checked, root, &arm_tables, &arm_names, &mut errors);
    let facility = match root.get("facility") {
        None => None,
        Some(item) => match item.as_table() {
            Some(t) => {
                check_table(&checked, t, "facility", "facility", &[], &mut errors);
                facility::read(&checked, t, &arms, &variations, &mut errors)
            }
            None => {
                errors.push(wrong_kind(
                    &checked,
                    root,
                    "facility",
                    "a table ([facility])",
                ));
                None
            }
        },
    };
    errors.sort();
    errors.dedup();
    if !errors.is_empty() {
        return Err(ScenarioErrors(errors));
    }
    let patient = patient.expect("no errors, so the patient parsed");
    let patients = root
        .get("cohort")
        .and_then(|c| c.get("patients"))
        .and_then(Item::as_integer)
        .map_or_else(
            || match schema::field("cohort", "patients").map(|f| f.default) {
                Some(schema::DefaultValue::Whole(n)) => n as usize,
                _ => 30,
            },
            |n| n as usize,
        );
    Ok(CohortSpec {
        name: patient.name.clone(),
        patient,
        arms,
        variations,
        correlated,
        cholesky: factor,
        patients,
        text: text.to_string(),
        economics,
        facility,
        queue_cache: Default::default(),
    })
}

/// The tables of array `name` (`[[name]]`), with an error if it is something else.
fn array<'t>(
    checked: &Checked<'_>,
    root: &'t Table,
    name: &str,
    errors: &mut Vec<ScenarioError>,
) -> Vec<&'t Table> {
    match root.get(name) {
        None => Vec::new(),
        Some(item) => match item.as_array_of_tables() {
            Some(a) => a.iter().collect(),
            None => {
                errors.push(wrong_kind(
                    checked,
                    root,
                    name,
                    &format!("an array of tables ([[{name}]])"),
                ));
                Vec::new()
            }
        },
    }
}

fn wrong_kind(checked: &Checked<'_>, root: &Table, name: &str, expected: &str) -> ScenarioError {
    checked.error_at(
        root.key(name).and_then(|k| k.span()),
        name,
        format!("must be {expected}"),
        ErrorKind::WrongType,
    )
}

/// Checks the keys of a cohort table against the rows of `schema_table`; `subs` are
/// the sub-tables it may hold (checked by the scenario's own rules).
fn check_table(
    checked: &Checked<'_>,
    table: &Table,
    schema_table: &str,
    shown: &str,
    subs: &[&str],
    errors: &mut Vec<ScenarioError>,
) {
    for (key, item) in table.iter() {
        let full = format!("{shown}.{key}");
        let span = table
            .key(key)
            .and_then(|k| k.span())
            .or_else(|| item.span());
        if subs.contains(&key) {
            let headed = match item {
                Item::Table(t) => !t.is_implicit() && t.span().is_some(),
                Item::ArrayOfTables(_) => true,
                _ => false,
            };
            if !headed {
                errors.push(checked.error_at(span, &full, format!("write `{key}` of an arm as its own table ([arms.{key}] or [[arms.{key}]]), not inline"), ErrorKind::WrongType));
            }
            continue;
        }
        let Some(field) = COHORT_FIELDS
            .iter()
            .chain(ECONOMICS_FIELDS)
            .chain(FACILITY_FIELDS)
            .find(|f| f.table == schema_table && f.name == key)
        else {
            let mut known: Vec<String> = COHORT_FIELDS
                .iter()
                .chain(ECONOMICS_FIELDS)
                .chain(FACILITY_FIELDS)
                .filter(|f| f.table == schema_table)
                .map(|f| f.name.to_string())
                .collect();
            known.extend(subs.iter().map(|s| s.to_string()));
            let hint = match schema::suggest(key, &known) {
                Some(s) => format!("; did you mean `{s}`?"),
                None => format!("; known here: {}", known.join(", ")),
            };
            errors.push(checked.error_at(
                span,
                &full,
                format!("unknown field `{key}` in [{shown}]{hint}"),
                ErrorKind::UnknownField,
            ));
            continue;
        };
        if let Some((message, kind)) = check_value(item.as_value(), field.kind) {
            errors.push(checked.error_at(item.span().or(span), &full, message, kind));
        }
    }
}
