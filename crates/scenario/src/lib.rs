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

pub mod error;
pub mod schema;
pub mod validate;

use std::collections::BTreeMap;
use std::path::Path;

pub use error::{ErrorKind, ScenarioError, ScenarioErrors};
use immunosim_model::car::{Construct, Logic, Product};
use immunosim_model::{Antigen, Parameters};

/// Default real CAR-T cells per agent: finer than host cells, so that a dose of 1e6/kg
/// in a 70 kg patient (7e7 cells) is 700 agents.
pub const DEFAULT_CAR_T_CELLS_PER_AGENT: f64 = 1e5;

/// Phenotype shares of an infused product (stem-like, central memory, effector memory,
/// effector): a choice typical of a manufactured autologous product rich in memory
/// phenotypes (Mueller-Schoell 2021 starts most cells as naive/central memory; recalled).
pub const PRODUCT_PHENOTYPE_SHARES: [f64; 4] = [0.3, 0.4, 0.2, 0.1];

fn antigen(name: &str) -> Option<Antigen> {
    Antigen::ALL.into_iter().find(|a| a.name() == name)
}

fn product(index: usize, p: &ProductTable) -> Product {
    Product {
        name: p
            .name
            .clone()
            .unwrap_or_else(|| format!("product_{}", index + 1)),
        construct: Construct {
            targets: p.targets.iter().filter_map(|t| antigen(t)).collect(),
            logic: p
                .logic
                .as_deref()
                .and_then(Logic::from_name)
                .unwrap_or(Logic::Or),
            inhibitory: p.inhibitory.as_deref().and_then(antigen),
        },
        dose_cells_per_kg: p.dose_cells_per_kg,
        infusion_day: p.infusion_day.unwrap_or(0.0),
        phenotype_shares: PRODUCT_PHENOTYPE_SHARES,
    }
}

/// One entry per chemotherapy day, sorted by day, doses of both drugs merged.
fn chemotherapy(ld: &LymphodepletionTable) -> Vec<(f64, f64, f64)> {
    let mut days: Vec<(f64, f64, f64)> = Vec::new();
    let mut add = |day: f64, flu: f64, cy: f64| match days.iter_mut().find(|d| d.0 == day) {
        Some(d) => {
            d.1 += flu;
            d.2 += cy;
        }
        None => days.push((day, flu, cy)),
    };
    for &day in &ld.fludarabine_days {
        add(day, ld.fludarabine_mg_per_m2_per_day.unwrap_or(0.0), 0.0);
    }
    for &day in &ld.cyclophosphamide_days {
        add(
            day,
            0.0,
            ld.cyclophosphamide_mg_per_m2_per_day.unwrap_or(0.0),
        );
    }
    days.sort_by(|a, b| a.0.total_cmp(&b.0));
    days
}
use serde::Deserialize;

/// The default scenario, embedded in the binary (`immunosim run` with no file).
pub const DEFAULT_SCENARIO: &str = include_str!("../../../scenarios/sle_untreated.toml");
/// Name shown for the embedded default scenario in messages.
pub const DEFAULT_SCENARIO_LABEL: &str = "<built-in>/sle_untreated.toml";

/// The text of a built-in preset.
pub fn preset_text(name: &str) -> Option<&'static str> {
    match name {
        "healthy" => Some(include_str!("../../../scenarios/presets/healthy.toml")),
        "sle" => Some(include_str!("../../../scenarios/presets/sle.toml")),
        "lymphoma_like" => Some(include_str!(
            "../../../scenarios/presets/lymphoma_like.toml"
        )),
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
    /// CAR-T products.
    pub products: Vec<Product>,
    /// Lymphodepletion: (day, fludarabine mg/m2, cyclophosphamide mg/m2), by day.
    pub chemotherapy: Vec<(f64, f64, f64)>,
    /// Sites in (blood, lymphoid, marrow, organ).
    pub sites: [u16; 4],
    /// All model parameters (catalogue defaults, then preset, then scenario).
    pub params: Parameters,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    #[serde(default)]
    scenario: ScenarioTable,
    #[serde(default)]
    patient: PatientTable,
    #[serde(default)]
    resolution: ResolutionTable,
    #[serde(default)]
    sites: SitesTable,
    #[serde(default)]
    parameters: BTreeMap<String, BTreeMap<String, f64>>,
    #[serde(default)]
    lymphodepletion: LymphodepletionTable,
    #[serde(default)]
    products: Vec<ProductTable>,
    #[serde(default, rename = "run")]
    _run: Option<toml::Table>,
    #[serde(default, rename = "preset")]
    _preset: Option<toml::Table>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ScenarioTable {
    name: Option<String>,
    description: Option<String>,
    preset: Option<String>,
    days: Option<f64>,
    burn_in_days: Option<f64>,
    seed: Option<u64>,
    time_step_days: Option<f64>,
    record_every_days: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PatientTable {
    weight_kg: Option<f64>,
    height_cm: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct LymphodepletionTable {
    fludarabine_mg_per_m2_per_day: Option<f64>,
    #[serde(default)]
    fludarabine_days: Vec<f64>,
    cyclophosphamide_mg_per_m2_per_day: Option<f64>,
    #[serde(default)]
    cyclophosphamide_days: Vec<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductTable {
    name: Option<String>,
    targets: Vec<String>,
    logic: Option<String>,
    inhibitory: Option<String>,
    dose_cells_per_kg: f64,
    infusion_day: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ResolutionTable {
    cells_per_agent: Option<f64>,
    #[serde(default)]
    cells_per_agent_by_kind: KindWeights,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct KindWeights {
    b_cell: Option<f64>,
    plasma_cell: Option<f64>,
    t_cell: Option<f64>,
    car_t: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SitesTable {
    blood: Option<u16>,
    lymphoid: Option<u16>,
    marrow: Option<u16>,
    organ: Option<u16>,
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
    apply_preset(&preset, &mut params)?;
    for (group, values) in &parsed.parameters {
        for (name, &value) in values {
            params.set(group, name, value);
        }
    }
    let s = &parsed.scenario;
    let all = parsed.resolution.cells_per_agent.unwrap_or(5e5);
    let k = &parsed.resolution.cells_per_agent_by_kind;
    let scenario = Scenario {
        name: s.name.clone().unwrap_or_else(|| default_name.to_string()),
        description: s.description.clone().unwrap_or_default(),
        preset,
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
            .map(|(i, p)| product(i, p))
            .collect(),
        chemotherapy: chemotherapy(&parsed.lymphodepletion),
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

/// Applies a built-in preset's parameters (a preset file is validated like a scenario).
fn apply_preset(name: &str, params: &mut Parameters) -> Result<(), ScenarioErrors> {
    let Some(text) = preset_text(name) else {
        return Ok(());
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
    Ok(())
}

/// Rules that involve more than one value.
fn cross_field_errors(s: &Scenario, checked: &validate::Checked<'_>) -> Vec<ScenarioError> {
    let mut errors = Vec::new();
    let mut fail = |path: &str, message: String| {
        errors.push(checked.error_at(
            checked.span_of(path),
            path,
            message,
            ErrorKind::Inconsistent,
        ));
    };
    let steps = s.record_every_days / s.time_step_days;
    if (steps - steps.round()).abs() > 1e-9 || steps < 1.0 - 1e-9 {
        fail(
            "scenario.record_every_days",
            format!(
                "= {} must be a whole multiple of scenario.time_step_days = {}",
                s.record_every_days, s.time_step_days
            ),
        );
    }
    let p = &s.params;
    let ph = &p.physiology;
    let recirculating = ph.blood_share_of_recirculating
        + ph.marrow_share_of_recirculating
        + ph.organ_share_of_recirculating;
    if recirculating >= 1.0 {
        fail(
            "parameters.physiology.blood_share_of_recirculating",
            format!(
                "blood + marrow + organ shares of recirculating cells = {recirculating} (allowed < 1: the rest is lymphoid tissue)"
            ),
        );
    }
    if ph.plasmablast_blood_share + ph.plasmablast_marrow_share >= 1.0 {
        fail(
            "parameters.physiology.plasmablast_marrow_share",
            "plasmablast blood + marrow shares must be < 1".into(),
        );
    }
    let t = &p.t_cells;
    if t.cd4_naive_share + t.tfh_share + t.treg_share >= 1.0 {
        fail(
            "parameters.t_cells.tfh_share",
            format!(
                "cd4_naive_share + tfh_share + treg_share = {} (allowed < 1: the rest is memory CD4)",
                t.cd4_naive_share + t.tfh_share + t.treg_share
            ),
        );
    }
    let b = &p.b_cells;
    if b.transitional_share + b.memory_share >= 1.0 {
        fail(
            "parameters.b_cells.memory_share",
            "transitional_share + memory_share must be < 1 (the rest is naive)".into(),
        );
    }
    if !(b.naive_autoreactive_share <= b.emigrant_autoreactive_share
        && b.emigrant_autoreactive_share <= b.immature_autoreactive_share)
    {
        fail("parameters.b_cells.emigrant_autoreactive_share", "self-reactive shares must not rise through the checkpoints: naive <= emigrant <= immature".into());
    }
    let ps = &p.plasma_cells;
    if ps.vaccine_a_niche_share + ps.vaccine_b_niche_share >= 1.0 {
        fail(
            "parameters.plasma_cells.vaccine_a_niche_share",
            "vaccine niche shares must add to < 1".into(),
        );
    }
    for (i, product) in s.products.iter().enumerate() {
        let path = format!("products[{i}]");
        let logic_path = format!("{path}.logic");
        match (product.construct.logic, product.construct.inhibitory) {
            (Logic::Not, None) => errors.push(checked.error_at(
                checked.span_of_product(i, "logic"),
                &logic_path,
                "= \"not\" needs an `inhibitory` antigen".into(),
                ErrorKind::Inconsistent,
            )),
            (Logic::Or | Logic::And, Some(_)) => errors.push(checked.error_at(
                checked.span_of_product(i, "inhibitory"),
                &format!("{path}.inhibitory"),
                "is only meaningful with logic = \"not\"".into(),
                ErrorKind::Inconsistent,
            )),
            _ => {}
        }
        if product.infusion_day < -s.burn_in_days - 1e-9 {
            errors.push(checked.error_at(
                checked.span_of_product(i, "infusion_day"),
                &format!("{path}.infusion_day"),
                format!(
                    "= {} is before the simulation starts (day -{} with this burn-in)",
                    product.infusion_day, s.burn_in_days
                ),
                ErrorKind::Inconsistent,
            ));
        }
    }
    for &(day, _, _) in &s.chemotherapy {
        if day < -s.burn_in_days - 1e-9 {
            errors.push(checked.error_at(
                checked.span_of("lymphodepletion.fludarabine_days").or(checked.span_of("lymphodepletion.cyclophosphamide_days")),
                "lymphodepletion",
                format!("chemotherapy on day {day} is before the simulation starts (day -{} with this burn-in)", s.burn_in_days),
                ErrorKind::Inconsistent,
            ));
            break;
        }
    }
    errors
}

impl Scenario {
    /// The fully resolved scenario as TOML: every field and every parameter, so that
    /// the file re-runs to the same outputs. `run` adds informational `[run]` values.
    pub fn to_resolved_toml(&self, version: &str, threads: usize) -> String {
        let mut out = String::new();
        out.push_str("# Fully resolved scenario written by immunosim: re-run it with\n");
        out.push_str("#   immunosim run run.toml\n# Every parameter is listed with its unit.\n\n");
        out.push_str("[scenario]\n");
        out.push_str(&format!("name = {}\n", quote(&self.name)));
        out.push_str(&format!("description = {}\n", quote(&self.description)));
        out.push_str(&format!("preset = {}\n", quote(&self.preset)));
        out.push_str(&format!("days = {}\n", num(self.days)));
        out.push_str(&format!("burn_in_days = {}\n", num(self.burn_in_days)));
        out.push_str(&format!("seed = {}\n", self.seed));
        out.push_str(&format!("time_step_days = {}\n", num(self.time_step_days)));
        out.push_str(&format!(
            "record_every_days = {}\n\n",
            num(self.record_every_days)
        ));
        out.push_str(&format!(
            "[patient]\nweight_kg = {}\nheight_cm = {}\n\n",
            num(self.weight_kg),
            num(self.height_cm)
        ));
        out.push_str("[resolution.cells_per_agent_by_kind]\n");
        for (kind, w) in ["b_cell", "plasma_cell", "t_cell", "car_t"]
            .iter()
            .zip(self.cells_per_agent)
        {
            out.push_str(&format!("{kind} = {}\n", num(w)));
        }
        let [blood, lymphoid, marrow, organ] = self.sites;
        out.push_str(&format!("\n[sites]\nblood = {blood}\nlymphoid = {lymphoid}\nmarrow = {marrow}\norgan = {organ}\n"));
        if !self.chemotherapy.is_empty() {
            // One table can hold one dose per drug: days with the same dose are listed.
            let days_of = |pick: fn(&(f64, f64, f64)) -> f64| -> (f64, Vec<String>) {
                let given: Vec<&(f64, f64, f64)> =
                    self.chemotherapy.iter().filter(|d| pick(d) > 0.0).collect();
                (
                    given.first().map_or(0.0, |d| pick(d)),
                    given.iter().map(|d| num(d.0)).collect(),
                )
            };
            let (flu, flu_days) = days_of(|d| d.1);
            let (cy, cy_days) = days_of(|d| d.2);
            out.push_str(&format!(
                "\n[lymphodepletion]\nfludarabine_mg_per_m2_per_day = {}\nfludarabine_days = [{}]\ncyclophosphamide_mg_per_m2_per_day = {}\ncyclophosphamide_days = [{}]\n",
                num(flu), flu_days.join(", "), num(cy), cy_days.join(", ")
            ));
        }
        for p in &self.products {
            let c = &p.construct;
            let targets: Vec<String> = c.targets.iter().map(|a| quote(a.name())).collect();
            let logic = match c.logic {
                Logic::Or => "or",
                Logic::And => "and",
                Logic::Not => "not",
            };
            out.push_str(&format!(
                "\n[[products]]\nname = {}\ntargets = [{}]\nlogic = \"{logic}\"\n",
                quote(&p.name),
                targets.join(", ")
            ));
            if let Some(veto) = c.inhibitory {
                out.push_str(&format!("inhibitory = {}\n", quote(veto.name())));
            }
            out.push_str(&format!(
                "dose_cells_per_kg = {}\ninfusion_day = {}\n",
                num(p.dose_cells_per_kg),
                num(p.infusion_day)
            ));
        }
        for group in Parameters::GROUPS {
            out.push_str(&format!("\n[parameters.{group}]\n"));
            for spec in Parameters::catalogue().filter(|s| s.group == group) {
                let value = self.params.get(group, spec.name).unwrap_or(spec.default);
                out.push_str(&format!(
                    "{} = {}  # {}\n",
                    spec.name,
                    num(value),
                    spec.unit
                ));
            }
        }
        out.push_str(&format!(
            "\n[run]\nversion = {}\nthreads = {threads}\n",
            quote(version)
        ));
        out
    }
}

fn quote(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

/// A float in TOML that reads back to the same `f64` (shortest round-trip form).
fn num(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}
