//! # immunosim-scenario: scenario files, presets and validation
//!
//! A scenario is a TOML file that states only what differs from its disease preset,
//! which states only what differs from the model's catalogue defaults. Loading
//! validates in two stages (syntax, then schema and cross-field rules) and reports
//! every problem at once, each with file, line, column, field, value and allowed range:
//!
//! ```
//! let text = "[scenario]\npreset = \"sle\"\ndays = -3\n\n[patient]\nweigth_kg = 70\n";
//! let errors = immunosim_scenario::parse_str(text, "demo.toml").unwrap_err();
//! let report = errors.to_string();
//! assert!(report.contains("demo.toml:3:8"));
//! assert!(report.contains("did you mean `weight_kg`"));
//! ```

pub mod antigens;
pub mod error;
mod file;
mod resolved;
mod rules;
pub mod schema;
pub mod validate;

use std::path::Path;

pub use error::{ErrorKind, ScenarioError, ScenarioErrors};
pub use file::{
    DEFAULT_CAR_T_CELLS_PER_AGENT, DEFAULT_CD4_SHARE, DEFAULT_MANUFACTURING_DAYS,
    DEFAULT_MANUFACTURING_FAILURE_PROBABILITY, PRODUCT_PHENOTYPE_SHARES,
};
use file::{ScenarioFile, bridging, chemotherapy, ivig, named_antigens, product, vaccinations};
use immunosim_model::Parameters;
use immunosim_model::antigen_panel::{AntigenPanel, AntigenSpec};
use immunosim_model::car::Product;
use immunosim_model::interventions::{Bridging, IvigDose, Vaccination};
pub use rules::MAX_B_TO_PLASMA_WEIGHT_RATIO;
use rules::cross_field_errors;

/// The default scenario, embedded in the binary (`immunosim run` with no file).
pub const DEFAULT_SCENARIO: &str = include_str!("../../../scenarios/sle_cd19_erlangen.toml");
/// Name shown for the embedded default scenario in messages.
pub const DEFAULT_SCENARIO_LABEL: &str = "<built-in>/sle_cd19_erlangen.toml";

/// The text of a built-in preset.
pub fn preset_text(name: &str) -> Option<&'static str> {
    match name {
        "healthy" => Some(include_str!("../../../scenarios/presets/healthy.toml")),
        "sle" => Some(include_str!("../../../scenarios/presets/sle.toml")),
        "lymphoma_like" => Some(include_str!(
            "../../../scenarios/presets/lymphoma_like.toml"
        )),
        "mg" => Some(include_str!("../../../scenarios/presets/mg.toml")),
        _ => None,
    }
}

/// A validated scenario with every value resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Short name.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Disease preset.
    pub preset: String,
    /// Clinical scale of the activity score (`sledai_like`, `mg_adl_like`): names its
    /// output columns.
    pub score_scale: String,
    /// Days recorded.
    pub days: f64,
    /// Burn-in days before day 0.
    pub burn_in_days: f64,
    /// Run seed.
    pub seed: u64,
    /// Step length, days.
    pub time_step_days: f64,
    /// Interval between recorded days.
    pub record_every_days: f64,
    /// Body weight, kg.
    pub weight_kg: f64,
    /// Cells per agent for (B cell, plasma cell, T cell, CAR-T cell).
    pub cells_per_agent: [f64; 4],
    /// Height, cm.
    pub height_cm: f64,
    /// CAR-T products (their constructs' targets are slots of `antigens`).
    pub products: Vec<Product>,
    /// The run's antigens, one per cell density slot.
    pub antigens: AntigenPanel,
    /// Antigens the scenario itself defines (`[[antigens]]`), for `run.toml`.
    pub own_antigens: Vec<AntigenSpec>,
    /// Antigen names the scenario's products use, in order of appearance.
    pub named_antigens: Vec<String>,
    /// Lymphodepletion: (day, fludarabine mg/m2, cyclophosphamide mg/m2), by day.
    pub chemotherapy: Vec<(f64, f64, f64)>,
    /// Bridging glucocorticoid, if any.
    pub bridging: Option<Bridging>,
    /// Vaccine doses, in file order.
    pub vaccinations: Vec<Vaccination>,
    /// IVIG infusions, in file order.
    pub ivig: Vec<IvigDose>,
    /// Sites in (blood, lymphoid, marrow, organ).
    pub sites: [u16; 4],
    /// All model parameters (catalogue defaults, then preset, then scenario).
    pub params: Parameters,
}
/// Loads and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioErrors> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ScenarioErrors(vec![ScenarioError {
            file: label.clone(),
            line: 0,
            column: 0,
            field: String::new(),
            message: format!("cannot read the file: {e}"),
            kind: ErrorKind::Unreadable,
        }])
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse_named(&text, &label, &stem)
}

/// Validates scenario text; `file` labels messages.
pub fn parse_str(text: &str, file: &str) -> Result<Scenario, ScenarioErrors> {
    parse_named(text, file, "scenario")
}

fn parse_named(text: &str, file: &str, default_name: &str) -> Result<Scenario, ScenarioErrors> {
    let checked = validate::parse(file, text).map_err(|e| ScenarioErrors(vec![e]))?;
    let mut errors = validate::check_schema(&checked);
    if !errors.is_empty() {
        errors.sort();
        return Err(ScenarioErrors(errors));
    }
    let parsed: ScenarioFile = toml::from_str(text).map_err(|e| {
        ScenarioErrors(vec![checked.error_at(
            e.span(),
            "",
            e.message().to_string(),
            ErrorKind::WrongType,
        )])
    })?;
    let preset = parsed
        .scenario
        .preset
        .clone()
        .unwrap_or_else(|| "healthy".into());
    let mut params = Parameters::default();
    let score_scale = apply_preset(&preset, &mut params)?;
    for (group, values) in &parsed.parameters {
        for (name, &value) in values {
            params.set(group, name, value);
        }
    }
    let own_antigens: Vec<AntigenSpec> = parsed.antigens.iter().map(antigens::spec).collect();
    let named = named_antigens(&parsed.products);
    let panel = antigens::panel(&antigens::known(&own_antigens), &named);
    let s = &parsed.scenario;
    let all = parsed.resolution.cells_per_agent.unwrap_or(5e5);
    let k = &parsed.resolution.cells_per_agent_by_kind;
    let scenario = Scenario {
        name: s.name.clone().unwrap_or_else(|| default_name.to_string()),
        description: s.description.clone().unwrap_or_default(),
        preset,
        score_scale,
        days: s.days.unwrap_or(730.0),
        burn_in_days: s.burn_in_days.unwrap_or(365.0),
        seed: s.seed.unwrap_or(1),
        time_step_days: s.time_step_days.unwrap_or(1.0),
        record_every_days: s.record_every_days.unwrap_or(1.0),
        weight_kg: parsed.patient.weight_kg.unwrap_or(70.0),
        cells_per_agent: [
            k.b_cell.unwrap_or(all),
            k.plasma_cell.unwrap_or(all),
            k.t_cell.unwrap_or(all),
            k.car_t.unwrap_or(DEFAULT_CAR_T_CELLS_PER_AGENT),
        ],
        height_cm: parsed.patient.height_cm.unwrap_or(170.0),
        products: parsed
            .products
            .iter()
            .enumerate()
            .map(|(i, p)| product(i, p, &panel))
            .collect(),
        antigens: panel,
        own_antigens,
        named_antigens: named,
        chemotherapy: chemotherapy(&parsed.lymphodepletion),
        bridging: bridging(parsed.bridging.as_ref()),
        vaccinations: vaccinations(&parsed.vaccinations),
        ivig: ivig(&parsed.ivig),
        sites: [
            parsed.sites.blood.unwrap_or(4),
            parsed.sites.lymphoid.unwrap_or(32),
            parsed.sites.marrow.unwrap_or(8),
            parsed.sites.organ.unwrap_or(4),
        ],
        params,
    };
    let errors = cross_field_errors(&scenario, &checked);
    if errors.is_empty() {
        Ok(scenario)
    } else {
        Err(ScenarioErrors(errors))
    }
}

/// Applies a built-in preset's parameters (a preset file is validated like a scenario)
/// and returns its score scale.
fn apply_preset(name: &str, params: &mut Parameters) -> Result<String, ScenarioErrors> {
    let default_scale = schema::SCORE_SCALES[0].to_string();
    let Some(text) = preset_text(name) else {
        return Ok(default_scale);
    };
    let label = format!("<built-in>/presets/{name}.toml");
    let checked = validate::parse(&label, text).map_err(|e| ScenarioErrors(vec![e]))?;
    let errors = validate::check_schema(&checked);
    if !errors.is_empty() {
        return Err(ScenarioErrors(errors));
    }
    let parsed: ScenarioFile = toml::from_str(text).map_err(|e| {
        ScenarioErrors(vec![checked.error_at(
            e.span(),
            "",
            e.message().to_string(),
            ErrorKind::WrongType,
        )])
    })?;
    for (group, values) in &parsed.parameters {
        for (name, &value) in values {
            params.set(group, name, value);
        }
    }
    Ok(parsed
        ._preset
        .as_ref()
        .and_then(|p| p.get("score_scale"))
        .and_then(|v| v.as_str())
        .map_or(default_scale, str::to_string))
}
