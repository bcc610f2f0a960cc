//! The scenario schema: every table and field a scenario may contain.
//!
//! Parameter tables (`[parameters.GROUP]`) come from the model's catalogue; the other
//! fields are the rows of [`crate::fields`]. Validation walks a parsed file against this
//! schema, so that unknown fields, wrong types and out-of-range values are all reported
//! at once; the reader, `run.toml` and the reference take defaults and places from it.

use crate::fields::{OTHER_FIELDS, RUN_FIELDS};
use immunosim_model::Parameters;
use immunosim_model::named::Named;

pub use crate::row::{DefaultValue, Field, FieldKind, Slot};

/// The built-in antigen catalogue (data: names, densities by stage, sources).
pub const ANTIGEN_CATALOGUE: &str = include_str!("../../../scenarios/antigens/catalogue.toml");

/// Tables that are arrays (`[[products]]`, `[[antigens]]`, `[[vaccinations]]`, `[[ivig]]`).
pub const ARRAY_TABLES: &[&str] = &["products", "antigens", "vaccinations", "ivig"];

/// Every field outside `[parameters.*]`, in reference order.
pub fn fields() -> impl Iterator<Item = &'static Field> {
    RUN_FIELDS.iter().chain(OTHER_FIELDS)
}

/// Every table a file may contain (parameter groups included).
pub fn tables() -> Vec<String> {
    let mut tables: Vec<String> = fields()
        .map(|f| f.table.to_string())
        .filter(|t| !ARRAY_TABLES.contains(&t.as_str()))
        .collect();
    tables.push("parameters".into());
    tables.extend(Parameters::GROUPS.iter().map(|g| format!("parameters.{g}")));
    tables.sort();
    tables.dedup();
    tables
}

/// The field `name` of `table`, parameters included.
pub fn field(table: &str, name: &str) -> Option<Field> {
    if let Some(group) = table.strip_prefix("parameters.") {
        return Parameters::spec(group, name).map(|s| {
            Field::number("parameters", s.name, s.min, s.max, s.unit, s.doc)
                .or(DefaultValue::Number(s.default))
        });
    }
    fields()
        .find(|f| f.table == table && f.name == name)
        .copied()
}

/// The default of a field that has one of a plain value; panics on a name the schema
/// lacks, so a misspelt name fails every test that reads a product.
fn default_of(table: &str, name: &str) -> DefaultValue {
    field(table, name)
        .unwrap_or_else(|| panic!("schema has no field {table}.{name}"))
        .default
}

/// The number default of `table.name`.
pub(crate) fn default_number(table: &str, name: &str) -> f64 {
    match default_of(table, name) {
        DefaultValue::Number(x) => x,
        DefaultValue::Whole(i) => i as f64,
        other => panic!("{table}.{name} has no number default: {other:?}"),
    }
}

/// The choice default of `table.name`.
pub(crate) fn default_choice<T: Named>(table: &str, name: &str) -> T {
    match default_of(table, name) {
        DefaultValue::Text(text) => T::from_name(text)
            .unwrap_or_else(|| panic!("{table}.{name}: default {text} is not a choice")),
        other => panic!("{table}.{name} has no choice default: {other:?}"),
    }
}

/// Names of the fields and sub-tables of `table`, for suggestions.
pub fn names_in(table: &str) -> Vec<String> {
    let mut names: Vec<String> = if let Some(group) = table.strip_prefix("parameters.") {
        Parameters::catalogue()
            .filter(|s| s.group == group)
            .map(|s| s.name.to_string())
            .collect()
    } else {
        fields()
            .filter(|f| f.table == table)
            .map(|f| f.name.to_string())
            .collect()
    };
    // Sub-tables directly below `table` (top-level tables when `table` is empty).
    for t in tables() {
        let rest = if table.is_empty() {
            Some(t.as_str())
        } else {
            t.strip_prefix(&format!("{table}."))
        };
        if let Some(rest) = rest.filter(|r| !r.contains('.')) {
            names.push(rest.to_string());
        }
    }
    if table.is_empty() {
        names.extend(ARRAY_TABLES.iter().map(|t| t.to_string()));
    }
    names.sort();
    names.dedup();
    names
}

/// The closest name to `unknown` among `candidates`, if close enough to suggest
/// (compared without case, so `mRNA` finds `mrna`).
pub fn suggest(unknown: &str, candidates: &[String]) -> Option<String> {
    let unknown = unknown.to_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&unknown, &c.to_lowercase()), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.clone())
}
