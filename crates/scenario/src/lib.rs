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
//!
//! A valid scenario carries the engine's configuration itself:
//!
//! ```
//! let scenario = immunosim_scenario::parse_str("[scenario]\npreset = \"sle\"\n", "x.toml").unwrap();
//! let config: &immunosim_engine::config::RunConfig = &scenario.config;
//! assert_eq!(config.params.b_cells.checkpoint_defect, 0.5);
//! assert_eq!(config.days, 730.0);
//! ```
//!
//! Every field, with its default, range, unit and meaning, is one row of [`fields`];
//! [`reference_markdown`] renders them (`immunosim help scenario`, `docs/scenario.md`).

pub mod antigens;
pub mod branch;
pub mod choices;
pub mod error;
pub mod fields;
mod file;
mod read;
mod reference;
mod resolved;
mod row;
mod rules;
pub mod schema;
pub mod validate;

use std::path::Path;

pub use choices::{Preset, RunStatus, ScoreScale};
pub use error::{ErrorKind, ScenarioError, ScenarioErrors};
pub use fields::{
    DEFAULT_CAR_T_CELLS_PER_AGENT, DEFAULT_CD4_SHARE, DEFAULT_MANUFACTURING_DAYS,
    DEFAULT_MANUFACTURING_FAILURE_PROBABILITY, PRODUCT_PHENOTYPE_SHARES,
};
use immunosim_engine::config::RunConfig;
use immunosim_model::antigen_panel::AntigenSpec;
pub use reference::reference_markdown;
pub use resolved::{Provenance, RunInfo};
pub use rules::MAX_B_TO_PLASMA_WEIGHT_RATIO;

/// The default scenario, embedded in the binary (`immunosim run` with no file).
pub const DEFAULT_SCENARIO: &str = include_str!("../../../scenarios/sle_cd19_erlangen.toml");
/// Name shown for the embedded default scenario in messages.
pub const DEFAULT_SCENARIO_LABEL: &str = "<built-in>/sle_cd19_erlangen.toml";

/// The text of a built-in preset.
pub fn preset_text(name: &str) -> Option<&'static str> {
    use immunosim_model::named::Named;
    Preset::from_name(name).map(Preset::text)
}

/// A validated scenario: what the file says about itself, and the engine's
/// configuration with every value resolved (catalogue defaults, then preset, then file).
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
    /// What the engine runs: days, seed, step, patient, resolution, sites, treatments,
    /// antigens and parameters.
    pub config: RunConfig,
    /// Antigens the scenario itself defines (`[[antigens]]`), for `run.toml`.
    pub own_antigens: Vec<AntigenSpec>,
    /// Antigen names the scenario's products use, in order of appearance.
    pub named_antigens: Vec<String>,
    /// The patient's disease-activity score at entry (`[patient] entry_score`), if
    /// stated: it sets `disease.organ_max_points` (the points of the involved organs).
    pub entry_score: Option<f64>,
}

/// Loads and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioErrors> {
    let file = read_file(path)?;
    parse_named(&file.text, &file.label, &file.stem)
}

/// A scenario (or cohort) file's text, with the label its messages use and its stem
/// (the default scenario name).
pub struct ScenarioFile {
    /// The file's text.
    pub text: String,
    /// The path as messages show it.
    pub label: String,
    /// The file name without extension.
    pub stem: String,
}

/// Reads a scenario or cohort file; an unreadable one is a scenario error naming it.
pub fn read_file(path: &Path) -> Result<ScenarioFile, ScenarioErrors> {
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
    Ok(ScenarioFile { text, label, stem })
}

/// Validates scenario text; `file` labels messages.
pub fn parse_str(text: &str, file: &str) -> Result<Scenario, ScenarioErrors> {
    parse_named(text, file, "scenario")
}

/// Stage 1 (syntax) stops at its error; otherwise the schema's problems, what serde
/// alone finds, and the cross-field rules on every table the others left sound are all
/// reported together, in file order.
fn parse_named(text: &str, file: &str, default_name: &str) -> Result<Scenario, ScenarioErrors> {
    let checked = validate::parse(file, text).map_err(|e| ScenarioErrors(vec![e]))?;
    let mut errors = validate::check_schema(&checked);
    let reading = read::read(&checked, &errors, default_name)?;
    let mut tainted = reading.tainted;
    tainted.extend(
        errors
            .iter()
            .filter(|e| e.kind != ErrorKind::UnknownField)
            .map(|e| read::table_of(&e.field).to_string()),
    );
    errors.extend(reading.errors);
    errors.extend(
        rules::cross_field_errors(&reading.scenario, &checked)
            .into_iter()
            .filter(|e| !read::taints(&tainted, &e.field)),
    );
    if errors.is_empty() {
        Ok(reading.scenario)
    } else {
        errors.sort();
        Err(ScenarioErrors(errors))
    }
}

#[cfg(test)]
mod tests;
