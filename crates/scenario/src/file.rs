//! The scenario file as serde reads it (`deny_unknown_fields` everywhere), and its
//! conversion into model values. Validation with positions happens before this, in
//! [`crate::validate`]; serde is the typed second reading.

use immunosim_model::antigen_panel::AntigenPanel;
use immunosim_model::car::{Construct, Dose, Logic, Manufacturing, Platform, Product, Source};
use immunosim_model::interventions::{Bridging, IvigDose, Vaccination};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Default real CAR-T cells per agent: finer than host cells, so that a dose of 1e6/kg
/// in a 70 kg patient (7e7 cells) is 700 agents.
pub const DEFAULT_CAR_T_CELLS_PER_AGENT: f64 = 1e5;

/// Share of CD4+ cells in a product when the scenario does not say: a defined 1:1
/// CD4:CD8 composition, as in liso-cel (choice; recalled). Both subsets follow the same
/// kinetics in the model: CD4+ CAR-T cells kill too (Wang et al., JCI Insight 2018;
/// recalled), and the reference gives no per-subset rates.
pub const DEFAULT_CD4_SHARE: f64 = 0.5;

/// Leukapheresis-to-release range when a product states leukapheresis but not the
/// duration, days: axi-cel's 16-17 days to tisa-cel's 21-28 (economics.csv
/// manufacture_time_axicel, manufacture_time_tisacel; recalled company reports).
pub const DEFAULT_MANUFACTURING_DAYS: (f64, f64) = (16.0, 28.0);

/// Manufacturing failure probability when a product states leukapheresis but not the
/// probability: 26 of 926 pooled over the pivotal trials of six autologous products
/// (economics.csv manufacture_failure_rate, derived, 2.8%).
pub const DEFAULT_MANUFACTURING_FAILURE_PROBABILITY: f64 = 0.028;

/// Phenotype shares of an infused product (stem-like, central memory, effector memory,
/// effector): a choice typical of a manufactured autologous product rich in memory
/// phenotypes (Mueller-Schoell 2021 starts most cells as naive/central memory; recalled).
pub const PRODUCT_PHENOTYPE_SHARES: [f64; 4] = [0.3, 0.4, 0.2, 0.1];

/// The antigen names products of the file use, in order of appearance.
pub(crate) fn named_antigens(products: &[ProductTable]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for p in products {
        for name in p.targets.iter().chain(p.inhibitory.iter()) {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

pub(crate) fn product(index: usize, p: &ProductTable, panel: &AntigenPanel) -> Product {
    let antigen = |name: &str| panel.slot_of(name);
    let source = match p.source.as_deref() {
        Some("allogeneic") => Source::Allogeneic,
        _ => Source::Autologous,
    };
    let manufacturing = p.leukapheresis_day.map(|leukapheresis_day| Manufacturing {
        leukapheresis_day,
        days_min: p
            .manufacturing_days_min
            .unwrap_or(DEFAULT_MANUFACTURING_DAYS.0),
        days_max: p
            .manufacturing_days_max
            .unwrap_or(DEFAULT_MANUFACTURING_DAYS.1),
        failure_probability: p
            .manufacturing_failure_probability
            .unwrap_or(DEFAULT_MANUFACTURING_FAILURE_PROBABILITY),
    });
    let mut phenotype_shares = PRODUCT_PHENOTYPE_SHARES;
    if p.phenotype_shares.len() == 4 {
        phenotype_shares.copy_from_slice(&p.phenotype_shares);
    }
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
        source,
        platform: match p.platform.as_deref() {
            Some("mrna") => Platform::Mrna,
            _ => Platform::Viral,
        },
        dose: match (p.dose_cells_per_kg, p.dose_cells) {
            (_, Some(cells)) => Dose::Flat(cells),
            (per_kg, None) => Dose::PerKg(per_kg.unwrap_or(0.0)),
        },
        infusion_day: p.infusion_day.unwrap_or(0.0),
        doses: p.doses.unwrap_or(1),
        dose_interval_days: p.dose_interval_days.unwrap_or(7.0),
        reinfusion_days: p.reinfusion_days.clone(),
        cd4_share: p.cd4_share.unwrap_or(DEFAULT_CD4_SHARE),
        phenotype_shares,
        manufacturing,
    }
}

/// The bridging glucocorticoid of the file.
pub(crate) fn bridging(table: Option<&BridgingTable>) -> Option<Bridging> {
    table.map(|b| Bridging {
        prednisolone_mg_per_day: b.prednisolone_mg_per_day,
        start_day: b.start_day,
        end_day: b.end_day,
    })
}

/// Vaccinations of the file, in file order (errors point at the n-th table).
pub(crate) fn vaccinations(table: &[VaccinationTable]) -> Vec<Vaccination> {
    table
        .iter()
        .filter_map(|v| {
            Vaccination::VACCINES
                .iter()
                .find(|(name, _)| *name == v.vaccine)
                .map(|&(_, vaccine)| Vaccination {
                    day: v.day,
                    vaccine,
                })
        })
        .collect()
}

/// IVIG doses of the file, in file order.
pub(crate) fn ivig(table: &[IvigTable]) -> Vec<IvigDose> {
    table
        .iter()
        .map(|d| IvigDose {
            day: d.day,
            dose_g_per_kg: d.dose_g_per_kg,
        })
        .collect()
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
    #[serde(default)]
    pub(crate) antigens: Vec<AntigenTable>,
    pub(crate) bridging: Option<BridgingTable>,
    #[serde(default)]
    pub(crate) vaccinations: Vec<VaccinationTable>,
    #[serde(default)]
    pub(crate) ivig: Vec<IvigTable>,
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
    pub(crate) source: Option<String>,
    pub(crate) platform: Option<String>,
    pub(crate) dose_cells_per_kg: Option<f64>,
    pub(crate) dose_cells: Option<f64>,
    pub(crate) infusion_day: Option<f64>,
    pub(crate) doses: Option<u32>,
    pub(crate) dose_interval_days: Option<f64>,
    #[serde(default)]
    pub(crate) reinfusion_days: Vec<f64>,
    pub(crate) cd4_share: Option<f64>,
    #[serde(default)]
    pub(crate) phenotype_shares: Vec<f64>,
    pub(crate) leukapheresis_day: Option<f64>,
    pub(crate) manufacturing_days_min: Option<f64>,
    pub(crate) manufacturing_days_max: Option<f64>,
    pub(crate) manufacturing_failure_probability: Option<f64>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct AntigenTable {
    pub(crate) name: String,
    pub(crate) b_precursor: Option<Vec<f64>>,
    pub(crate) b_cell: Option<Vec<f64>>,
    pub(crate) plasmablast: Option<Vec<f64>>,
    pub(crate) plasma_cell: Option<Vec<f64>>,
    pub(crate) lost_by_mature_plasma_cells: Option<bool>,
    pub(crate) source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BridgingTable {
    pub(crate) prednisolone_mg_per_day: f64,
    pub(crate) start_day: f64,
    pub(crate) end_day: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VaccinationTable {
    pub(crate) day: f64,
    pub(crate) vaccine: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IvigTable {
    pub(crate) day: f64,
    pub(crate) dose_g_per_kg: f64,
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
