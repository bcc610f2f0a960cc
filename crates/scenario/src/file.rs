//! The scenario file as serde reads it (`deny_unknown_fields` everywhere), and its
//! conversion into model values. Validation with positions happens before this, in
//! [`crate::validate`]; serde is the typed second reading.

use immunosim_model::Antigen;
use immunosim_model::car::{Construct, Logic, Product};
use serde::Deserialize;
use std::collections::BTreeMap;

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

pub(crate) fn product(index: usize, p: &ProductTable) -> Product {
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
pub(crate) fn chemotherapy(ld: &LymphodepletionTable) -> Vec<(f64, f64, f64)> {
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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScenarioFile {
    #[serde(default)]
    pub(crate) scenario: ScenarioTable,
    #[serde(default)]
    pub(crate) patient: PatientTable,
    #[serde(default)]
    pub(crate) resolution: ResolutionTable,
    #[serde(default)]
    pub(crate) sites: SitesTable,
    #[serde(default)]
    pub(crate) parameters: BTreeMap<String, BTreeMap<String, f64>>,
    #[serde(default)]
    pub(crate) lymphodepletion: LymphodepletionTable,
    #[serde(default)]
    pub(crate) products: Vec<ProductTable>,
    #[serde(default, rename = "run")]
    pub(crate) _run: Option<toml::Table>,
    #[serde(default, rename = "preset")]
    pub(crate) _preset: Option<toml::Table>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScenarioTable {
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) preset: Option<String>,
    pub(crate) days: Option<f64>,
    pub(crate) burn_in_days: Option<f64>,
    pub(crate) seed: Option<u64>,
    pub(crate) time_step_days: Option<f64>,
    pub(crate) record_every_days: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct PatientTable {
    pub(crate) weight_kg: Option<f64>,
    pub(crate) height_cm: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct LymphodepletionTable {
    pub(crate) fludarabine_mg_per_m2_per_day: Option<f64>,
    #[serde(default)]
    pub(crate) fludarabine_days: Vec<f64>,
    pub(crate) cyclophosphamide_mg_per_m2_per_day: Option<f64>,
    #[serde(default)]
    pub(crate) cyclophosphamide_days: Vec<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProductTable {
    pub(crate) name: Option<String>,
    pub(crate) targets: Vec<String>,
    pub(crate) logic: Option<String>,
    pub(crate) inhibitory: Option<String>,
    pub(crate) dose_cells_per_kg: f64,
    pub(crate) infusion_day: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResolutionTable {
    pub(crate) cells_per_agent: Option<f64>,
    #[serde(default)]
    pub(crate) cells_per_agent_by_kind: KindWeights,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct KindWeights {
    pub(crate) b_cell: Option<f64>,
    pub(crate) plasma_cell: Option<f64>,
    pub(crate) t_cell: Option<f64>,
    pub(crate) car_t: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct SitesTable {
    pub(crate) blood: Option<u16>,
    pub(crate) lymphoid: Option<u16>,
    pub(crate) marrow: Option<u16>,
    pub(crate) organ: Option<u16>,
}
