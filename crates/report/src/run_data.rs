//! A finished run folder read into the series the report draws.
//!
//! Days are moved so that day 0 is the first infusion (the clinical convention for CAR-T
//! follow-up); a run without an infusion keeps the simulator's day 0, the end of burn-in.

use crate::error::ReportError;
use crate::table::Table;
use std::collections::BTreeMap;
use std::path::Path;

/// A series of (day, value) points, days ascending.
pub type Points = Vec<(f64, f64)>;

/// One row of `events.csv`, on the report's time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Day from the first infusion (or from day 0 without one).
    pub day: f64,
    /// The event kind (`infusion`, `lymphodepletion`, `tocilizumab`, ...).
    pub kind: String,
    /// The free-text detail.
    pub detail: String,
}

/// One row of `products.csv`: a product's own CAR-T peak in blood.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductPeak {
    /// The product's name.
    pub product: String,
    /// Cmax, cells/µL (`None` when the product was never infused).
    pub cmax_per_ul: Option<f64>,
    /// Tmax on the report's axis.
    pub tmax_day: Option<f64>,
}

/// What the report needs of `run.toml`.
#[derive(Debug, Clone, Default)]
pub struct ScenarioInfo {
    /// `[scenario] name`.
    pub name: String,
    /// `[scenario] description`.
    pub description: String,
    /// Key facts shown in the report's scenario table, in order.
    pub facts: Vec<(String, String)>,
    /// `[parameters.disease] remission_score`, when the scenario has it.
    pub remission_score: Option<f64>,
    /// `[parameters.disease] autoantibody_positive_mg_per_l`, when the scenario has it.
    pub autoantibody_positive: Option<f64>,
}

/// Everything the report draws, read from one run folder.
#[derive(Debug, Clone, Default)]
pub struct RunData {
    /// From `run.toml`.
    pub scenario: ScenarioInfo,
    /// Day of the simulator's day 0 on the report's axis (minus the first infusion day).
    pub day_shift: f64,
    /// Whether day 0 of the axis is the first infusion.
    pub from_infusion: bool,
    /// Blood counts per population (cells/µL), from `timeseries.csv`.
    pub blood: BTreeMap<String, Points>,
    /// Whole-body cells per population (all compartments summed), from `timeseries.csv`.
    pub body: BTreeMap<String, Points>,
    /// `serology.csv`: every numeric column by name.
    pub serology: BTreeMap<String, Points>,
    /// `car_t.csv`: blood CAR-T cells/µL per product (phenotypes and subsets summed).
    pub car_t: BTreeMap<String, Points>,
    /// `products.csv`: each product's peak.
    pub products: Vec<ProductPeak>,
    /// `events.csv`.
    pub events: Vec<Event>,
    /// `summary.csv`: column → cell text, in file order (empty for an interrupted run,
    /// which writes none).
    pub summary: Vec<(String, String)>,
}

impl RunData {
    /// Reads the run folder `dir`. `car_t.csv` and `products.csv` are read when the run
    /// has products; every other file must be present and whole.
    pub fn read(dir: &Path) -> Result<RunData, ReportError> {
        let scenario = read_scenario(dir)?;
        let events_table = Table::read(dir, "events.csv")?;
        let raw_events = read_events(&events_table)?;
        let first_infusion = raw_events
            .iter()
            .find(|e| e.kind == "infusion")
            .map(|e| e.day);
        let shift = -first_infusion.unwrap_or(0.0);
        let events = raw_events
            .into_iter()
            .map(|e| Event {
                day: e.day + shift,
                ..e
            })
            .collect();
        let (blood, body) = read_timeseries(&Table::read(dir, "timeseries.csv")?, shift)?;
        let serology = numeric_columns(&Table::read(dir, "serology.csv")?, shift)?;
        let has_products = dir.join("products.csv").exists() || dir.join("car_t.csv").exists();
        let (car_t, products) = if has_products {
            (
                read_car_t(&Table::read(dir, "car_t.csv")?, shift)?,
                read_products(&Table::read(dir, "products.csv")?, shift)?,
            )
        } else {
            (BTreeMap::new(), Vec::new())
        };
        // An interrupted run has no summary.csv: its course is drawn, its endpoints are
        // said to be missing.
        let summary = if dir.join("summary.csv").exists() {
            read_summary(&Table::read(dir, "summary.csv")?)?
        } else {
            Vec::new()
        };
        Ok(RunData {
            scenario,
            day_shift: shift,
            from_infusion: first_infusion.is_some(),
            blood,
            body,
            serology,
            car_t,
            products,
            events,
            summary,
        })
    }

    /// A summary endpoint as a number (`None` when empty or absent).
    pub fn endpoint(&self, column: &str) -> Option<f64> {
        self.summary
            .iter()
            .find(|(c, _)| c == column)
            .and_then(|(_, v)| v.parse().ok())
    }

    /// A summary endpoint that is a day, moved onto the report's axis.
    pub fn endpoint_day(&self, column: &str) -> Option<f64> {
        self.endpoint(column).map(|d| d + self.day_shift)
    }
}

fn read_summary(table: &Table) -> Result<Vec<(String, String)>, ReportError> {
    if table.len() != 1 {
        return Err(ReportError::at(
            &table.file,
            2,
            &format!("expected one row, found {}", table.len()),
        ));
    }
    Ok(table
        .columns()
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clone(), table.text(0, i).to_owned()))
        .collect())
}

fn read_scenario(dir: &Path) -> Result<ScenarioInfo, ReportError> {
    let path = dir.join("run.toml");
    let file = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|source| ReportError::Io {
        file: file.clone(),
        source,
    })?;
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ReportError::Scenario {
            file: file.clone(),
            message: e.to_string(),
        })?;
    let get = |table: &str, key: &str| -> Option<&toml::Value> { doc.get(table)?.get(key) };
    let text_of = |v: Option<&toml::Value>| match v {
        Some(toml::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let name = text_of(get("scenario", "name"));
    if name.is_empty() {
        return Err(ReportError::Scenario {
            file,
            message: "no [scenario] name: not a run.toml written by immunosim".into(),
        });
    }
    let mut facts = Vec::new();
    for (label, table, key) in [
        ("Preset", "scenario", "preset"),
        ("Seed", "scenario", "seed"),
        ("Burn-in (days)", "scenario", "burn_in_days"),
        ("Days simulated", "scenario", "days"),
        ("Weight (kg)", "patient", "weight_kg"),
        ("Run status", "run", "status"),
        ("immunosim version", "run", "version"),
    ] {
        if let Some(v) = get(table, key) {
            facts.push((label.to_owned(), text_of(Some(v))));
        }
    }
    if let Some(toml::Value::Array(products)) = doc.get("products") {
        for (i, product) in products.iter().enumerate() {
            let field = |k: &str| text_of(product.get(k));
            let targets = match product.get("targets") {
                Some(toml::Value::Array(t)) => t
                    .iter()
                    .map(|v| text_of(Some(v)))
                    .collect::<Vec<_>>()
                    .join(&format!(" {} ", field("logic").to_uppercase())),
                _ => String::new(),
            };
            let dose = product
                .get("dose_cells_per_kg")
                .and_then(toml::Value::as_float)
                .map_or_else(String::new, |d| format!("{d:.3e}"));
            facts.push((
                format!("Product {}", i + 1),
                format!(
                    "{} ({}, {}): {targets}; {dose} cells/kg on day {}",
                    field("name"),
                    field("source"),
                    field("platform"),
                    field("infusion_day")
                ),
            ));
        }
    }
    let disease = |key: &str| {
        doc.get("parameters")
            .and_then(|p| p.get("disease"))
            .and_then(|d| d.get(key))
            .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
    };
    Ok(ScenarioInfo {
        name,
        description: text_of(get("scenario", "description")),
        facts,
        remission_score: disease("remission_score"),
        autoantibody_positive: disease("autoantibody_positive_mg_per_l"),
    })
}

fn read_events(table: &Table) -> Result<Vec<Event>, ReportError> {
    let (day, kind, detail) = (
        table.index("day")?,
        table.index("event")?,
        table.index("detail")?,
    );
    (0..table.len())
        .map(|r| {
            Ok(Event {
                day: table.required(r, day)?,
                kind: table.text(r, kind).to_owned(),
                detail: table.text(r, detail).to_owned(),
            })
        })
        .collect()
}

type Populations = BTreeMap<String, Points>;

fn read_timeseries(table: &Table, shift: f64) -> Result<(Populations, Populations), ReportError> {
    let day = table.index("day")?;
    let compartment = table.index("compartment")?;
    let population = table.index("population")?;
    let per_ul = table.index("cells_per_uL")?;
    let cells = table.index("cells")?;
    let mut blood = Populations::new();
    let mut body = Populations::new();
    for r in 0..table.len() {
        let d = table.required(r, day)? + shift;
        let name = table.text(r, population);
        if table.text(r, compartment) == "blood" {
            push(&mut blood, name, d, table.required(r, per_ul)?);
        }
        add(&mut body, name, d, table.required(r, cells)?);
    }
    Ok((blood, body))
}

fn numeric_columns(table: &Table, shift: f64) -> Result<Populations, ReportError> {
    let day = table.index("day")?;
    let mut out = Populations::new();
    for (c, name) in table.columns().iter().enumerate() {
        if c == day {
            continue;
        }
        let mut points = Points::with_capacity(table.len());
        for r in 0..table.len() {
            if let Some(v) = table.number(r, c)? {
                points.push((table.required(r, day)? + shift, v));
            }
        }
        out.insert(name.clone(), points);
    }
    Ok(out)
}

fn read_car_t(table: &Table, shift: f64) -> Result<Populations, ReportError> {
    let day = table.index("day")?;
    let product = table.index("product")?;
    let per_ul = table.index("cells_per_uL")?;
    let mut out = Populations::new();
    for r in 0..table.len() {
        let d = table.required(r, day)? + shift;
        add(
            &mut out,
            table.text(r, product),
            d,
            table.required(r, per_ul)?,
        );
    }
    Ok(out)
}

fn read_products(table: &Table, shift: f64) -> Result<Vec<ProductPeak>, ReportError> {
    let product = table.index("product")?;
    let cmax = table.index("car_t_cmax_per_uL")?;
    let tmax = table.index("car_t_tmax_day")?;
    (0..table.len())
        .map(|r| {
            Ok(ProductPeak {
                product: table.text(r, product).to_owned(),
                cmax_per_ul: table.number(r, cmax)?,
                tmax_day: table.number(r, tmax)?.map(|d| d + shift),
            })
        })
        .collect()
}

fn push(map: &mut Populations, name: &str, day: f64, value: f64) {
    map.entry(name.to_owned()).or_default().push((day, value));
}

/// Adds `value` to the point of `day` (rows of one day are consecutive in the outputs).
fn add(map: &mut Populations, name: &str, day: f64, value: f64) {
    let points = map.entry(name.to_owned()).or_default();
    match points.last_mut() {
        Some((d, v)) if *d == day => *v += value,
        _ => points.push((day, value)),
    }
}
