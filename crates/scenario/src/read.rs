//! Reading a checked file into a [`Scenario`], tolerant of the problems validation has
//! already reported: a value the schema refused is read as its default, and a table
//! that serde cannot read is left out and "tainted", so that the cross-field rules can
//! still run on the rest of the file and every problem is reported at once.

use crate::error::{ErrorKind, ScenarioError, ScenarioErrors};
use crate::file::{self, AntigenTable, BridgingTable, IvigTable, LymphodepletionTable};
use crate::file::{ProductTable, VaccinationTable};
use crate::schema::{self, DefaultValue, Field, Slot};
use crate::validate::{self, Checked, check_value};
use crate::{Scenario, antigens, choices::Preset, choices::ScoreScale};
use immunosim_engine::config::RunConfig;
use immunosim_model::Parameters;
use immunosim_model::named::Named;
use serde::de::DeserializeOwned;
use toml_edit::{Item, Value};

/// What reading a file gave: the scenario (with defaults where the file is wrong), the
/// problems only serde found, and the tables whose values the cross-field rules must
/// not judge (see [`taints`]).
pub(crate) struct Reading {
    /// The scenario.
    pub(crate) scenario: Scenario,
    /// Problems found while reading (missing required fields, ...).
    pub(crate) errors: Vec<ScenarioError>,
    /// Table paths (`products`, `bridging`) left out or partly read.
    pub(crate) tainted: Vec<String>,
}

/// Reads `checked`, whose schema problems are `problems` (their values are skipped).
pub(crate) fn read(
    checked: &Checked<'_>,
    problems: &[ScenarioError],
    default_name: &str,
) -> Result<Reading, ScenarioErrors> {
    let mut s = Scenario {
        name: default_name.to_string(),
        description: String::new(),
        preset: String::new(),
        score_scale: String::new(),
        // Every value a scenario states is set below from the file or the schema's
        // default; the engine's defaults remain only for what scenarios do not state.
        config: RunConfig::default(),
        own_antigens: Vec::new(),
        named_antigens: Vec::new(),
        entry_score: None,
    };
    for field in schema::fields() {
        if let Some(slot) = field.slot {
            fill(
                &mut s,
                field,
                slot,
                checked.item(&format!("{}.{}", field.table, field.name)),
            );
        }
    }
    let preset = Preset::from_name(&s.preset).unwrap_or(Preset::Healthy);
    s.score_scale = apply_preset(preset, &mut s.config.params)?;
    set_parameters(checked, &mut s.config.params);
    let severity = baseline_severity(checked, &mut s);

    let mut reading = Reading {
        scenario: s,
        errors: severity.into_iter().collect(),
        tainted: Vec::new(),
    };
    let table: toml::Table = toml::from_str(checked.text).map_err(|e| {
        ScenarioErrors(vec![checked.error_at(
            e.span(),
            "",
            format!("TOML syntax error: {}", e.message().trim()),
            ErrorKind::Syntax,
        )])
    })?;
    let mut parts = Parts {
        checked,
        problems,
        table: &table,
        reading: &mut reading,
    };
    let products: Vec<ProductTable> = parts.array("products");
    let own: Vec<AntigenTable> = parts.array("antigens");
    let vaccinations: Vec<VaccinationTable> = parts.array("vaccinations");
    let ivig: Vec<IvigTable> = parts.array("ivig");
    let lymphodepletion: Option<LymphodepletionTable> = parts.single("lymphodepletion");
    let bridging: Option<BridgingTable> = parts.single("bridging");

    let s = &mut reading.scenario;
    s.own_antigens = own.iter().map(antigens::spec).collect();
    s.named_antigens = file::named_antigens(&products);
    let panel = antigens::panel(&antigens::known(&s.own_antigens), &s.named_antigens);
    let c = &mut s.config;
    c.products = products
        .iter()
        .enumerate()
        .map(|(i, p)| file::product(i, p, &panel))
        .collect();
    c.antigens = panel;
    c.lymphodepletion = lymphodepletion.map_or_else(Vec::new, |l| file::chemotherapy(&l));
    c.bridging = bridging.as_ref().map(file::bridging);
    c.vaccinations = vaccinations.iter().map(file::vaccination).collect();
    c.ivig = ivig.iter().map(file::ivig).collect();
    Ok(reading)
}

/// Baseline severity, once the preset and `[parameters]` are known
/// (`immunosim_model::disease_course`): the entry score as the involved organs' points
/// (an error when the preset has no established disease to score or the score is below
/// the serology items alone), and nephritis as the renal items' share of them.
fn baseline_severity(checked: &Checked<'_>, s: &mut Scenario) -> Option<ScenarioError> {
    let error = s
        .entry_score
        .and_then(|score| entry_score(checked, s, score));
    // Nephritis after the entry score: the renal items' share depends on the organ points.
    let nephritis = checked.item("patient.nephritis").and_then(Item::as_bool);
    if nephritis == Some(true) {
        let params = &mut s.config.params;
        params.disease.renal_share_of_organ_points =
            immunosim_model::disease_course::renal_share_for_nephritis(params);
    }
    error
}

/// `[patient] entry_score` as the involved organs' points.
fn entry_score(checked: &Checked<'_>, s: &mut Scenario, score: f64) -> Option<ScenarioError> {
    let params = &mut s.config.params;
    match immunosim_model::disease_course::organ_points_for_entry_score(score, params) {
        Some(points) => {
            params.disease.organ_max_points = points;
            None
        }
        None => Some(checked.error_at(
            checked.span_of("patient.entry_score"),
            "patient.entry_score",
            format!(
                "entry_score = {score} needs a disease preset that starts with established \
                 organ inflammation (disease.initial_organ_inflammation > 0; preset `{}` has \
                 {}) and at least the serology items' {} points",
                s.preset,
                params.disease.initial_organ_inflammation,
                params.disease.dna_binding_points + params.disease.complement_points
            ),
            ErrorKind::Inconsistent,
        )),
    }
}

/// Sets a single table's field from the file when the schema accepts its value, else
/// from its default (a `Note` default leaves what earlier rows or the base set).
fn fill(s: &mut Scenario, field: &Field, slot: Slot, item: Option<&Item>) {
    let value = item
        .and_then(Item::as_value)
        .filter(|v| check_value(Some(v), field.kind).is_none());
    match slot {
        Slot::Number(_, set) | Slot::NumberIn(set) => {
            match (value.and_then(number), field.default) {
                (Some(x), _) | (None, DefaultValue::Number(x)) => set(s, x),
                _ => {}
            }
        }
        Slot::Whole(_, set) => match (value.and_then(Value::as_integer), field.default) {
            // The schema's ranges of whole numbers start at 0 or 1.
            (Some(i), _) | (None, DefaultValue::Whole(i)) => {
                set(s, u64::try_from(i).unwrap_or_default())
            }
            _ => {}
        },
        Slot::Text(_, set) => match (value.and_then(Value::as_str), field.default) {
            (Some(text), _) | (None, DefaultValue::Text(text)) => set(s, text),
            _ => {}
        },
    }
}

/// A TOML number (float or integer) as `f64`.
fn number(value: &Value) -> Option<f64> {
    value
        .as_float()
        .or_else(|| value.as_integer().map(|i| i as f64))
}

/// Sets every `[parameters.GROUP]` value the schema accepts.
fn set_parameters(checked: &Checked<'_>, params: &mut Parameters) {
    let Some(groups) = checked.item("parameters").and_then(Item::as_table) else {
        return;
    };
    for (group, item) in groups.iter() {
        let Some(values) = item.as_table() else {
            continue;
        };
        for (name, item) in values.iter() {
            let Some(field) = schema::field(&format!("parameters.{group}"), name) else {
                continue;
            };
            let value = item
                .as_value()
                .filter(|v| check_value(Some(v), field.kind).is_none());
            if let Some(x) = value.and_then(number) {
                params.set(group, name, x);
            }
        }
    }
}

/// Applies a built-in preset's parameters (a preset file is validated like a scenario)
/// and returns its score scale.
fn apply_preset(preset: Preset, params: &mut Parameters) -> Result<String, ScenarioErrors> {
    let label = format!("<built-in>/presets/{}.toml", preset.name());
    let checked = validate::parse(&label, preset.text()).map_err(|e| ScenarioErrors(vec![e]))?;
    let errors = validate::check_schema(&checked);
    if !errors.is_empty() {
        return Err(ScenarioErrors(errors));
    }
    set_parameters(&checked, params);
    let scale = checked
        .item("preset.score_scale")
        .and_then(Item::as_str)
        .and_then(ScoreScale::from_name)
        .unwrap_or_else(|| schema::default_choice("preset", "score_scale"));
    Ok(scale.name().to_string())
}

/// The tables that serde reads, with the schema's problems taken out.
struct Parts<'a, 'c> {
    checked: &'a Checked<'c>,
    problems: &'a [ScenarioError],
    table: &'a toml::Table,
    reading: &'a mut Reading,
}

impl Parts<'_, '_> {
    /// Each table of array `key` that serde can read, or none at all when one cannot
    /// be read (indices must keep matching the file's for the cross-field rules).
    fn array<T: DeserializeOwned>(&mut self, key: &str) -> Vec<T> {
        let Some(items) = self.table.get(key).and_then(toml::Value::as_array) else {
            return Vec::new();
        };
        let mut read = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{key}[{i}]");
            let span = self
                .checked
                .array_table(key, i)
                .and_then(toml_edit::Table::span);
            match self.part(item, &path, span) {
                Some(value) => read.push(value),
                None => {
                    self.reading.tainted.push(key.to_string());
                    return Vec::new();
                }
            }
        }
        read
    }

    /// The single table `key`, if present and readable.
    fn single<T: DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        let item = self.table.get(key)?;
        let span = self.checked.span_of(key);
        let value = self.part(item, key, span);
        if value.is_none() {
            self.reading.tainted.push(key.to_string());
        }
        value
    }

    /// Reads one table at `path` without the keys the schema refused; a problem only
    /// serde sees (a required field left out) is reported unless the schema already
    /// reported one in this table.
    fn part<T: DeserializeOwned>(
        &mut self,
        item: &toml::Value,
        path: &str,
        span: Option<std::ops::Range<usize>>,
    ) -> Option<T> {
        let mut clean = item.as_table()?.clone();
        let prefix = format!("{path}.");
        let refused: Vec<&str> = self
            .problems
            .iter()
            .filter_map(|e| e.field.strip_prefix(&prefix))
            .collect();
        for key in &refused {
            clean.remove(*key);
        }
        match toml::Value::Table(clean).try_into::<T>() {
            Ok(value) => Some(value),
            Err(e) => {
                if refused.is_empty() {
                    self.reading.errors.push(self.checked.error_at(
                        span,
                        path,
                        e.message().trim().to_string(),
                        ErrorKind::WrongType,
                    ));
                }
                None
            }
        }
    }
}

/// The table a problem's field belongs to (`products[1]` for `products[1].logic`,
/// `` for a top-level key).
pub(crate) fn table_of(field: &str) -> &str {
    field.rfind('.').map_or("", |i| &field[..i])
}

/// Whether the cross-field problem at `field` judges a tainted table. Values of the
/// single tables (`[scenario]`, `[patient]`, `[resolution]`) enter most rules (burn-in,
/// weight, step), so a problem there taints every rule.
pub(crate) fn taints(tainted: &[String], field: &str) -> bool {
    const GLOBAL: [&str; 4] = ["", "scenario", "patient", "resolution"];
    tainted.iter().any(|t| {
        GLOBAL
            .iter()
            .any(|g| t == g || t.starts_with(&format!("{g}.")))
            || field == t
            || field.starts_with(&format!("{t}."))
            || field.starts_with(&format!("{t}["))
    })
}
