//! The treatment and antigen tables as serde reads them (`deny_unknown_fields`
//! everywhere), and their conversion into model and engine values, with the defaults of
//! [`crate::fields`]. Validation with positions happens before this, in
//! [`crate::validate`]; serde is the typed second reading. The single tables
//! (`[scenario]`, `[patient]`, ...) are read through their schema slots instead.

use crate::choices::Chosen;
use crate::fields::PRODUCT_PHENOTYPE_SHARES;
use crate::schema::{default_choice, default_number};
use immunosim_engine::config::ChemotherapyDay;
use immunosim_model::antigen_panel::AntigenPanel;
use immunosim_model::car::{
    Construct, Costimulation, Dose, Logic, Manufacturing, Platform, Product, Source,
};
use immunosim_model::interventions::{Bridging, IvigDose, Vaccination, Vaccine};
use serde::Deserialize;

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

/// A product of the file, with the schema's defaults for what it leaves out.
pub(crate) fn product(index: usize, p: &ProductTable, panel: &AntigenPanel) -> Product {
    let antigen = |name: &str| panel.slot_of(name);
    let number =
        |value: Option<f64>, name: &str| value.unwrap_or_else(|| default_number("products", name));
    let manufacturing = p.leukapheresis_day.map(|leukapheresis_day| Manufacturing {
        leukapheresis_day,
        days_min: number(p.manufacturing_days_min, "manufacturing_days_min"),
        days_max: number(p.manufacturing_days_max, "manufacturing_days_max"),
        failure_probability: number(
            p.manufacturing_failure_probability,
            "manufacturing_failure_probability",
        ),
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
                .as_ref()
                .map_or_else(|| default_choice("products", "logic"), |c| c.0),
            inhibitory: p.inhibitory.as_deref().and_then(antigen),
        },
        source: p
            .source
            .as_ref()
            .map_or_else(|| default_choice("products", "source"), |c| c.0),
        platform: p
            .platform
            .as_ref()
            .map_or_else(|| default_choice("products", "platform"), |c| c.0),
        costimulation: p.costimulatory_domain.as_ref().map_or_else(
            || default_choice("products", "costimulatory_domain"),
            |c| c.0,
        ),
        dose: match (p.dose_cells_per_kg, p.dose_cells) {
            (_, Some(cells)) => Dose::Flat(cells),
            // No dose is an error of the cross-field rules; 0 keeps the reading going.
            (per_kg, None) => Dose::PerKg(per_kg.unwrap_or(0.0)),
        },
        infusion_day: number(p.infusion_day, "infusion_day"),
        doses: p
            .doses
            .unwrap_or_else(|| default_number("products", "doses") as u32),
        dose_interval_days: number(p.dose_interval_days, "dose_interval_days"),
        reinfusion_days: p.reinfusion_days.clone(),
        cd4_share: number(p.cd4_share, "cd4_share"),
        phenotype_shares,
        activation_threshold_molecules: p.activation_threshold_molecules,
        manufacturing,
    }
}

/// The bridging glucocorticoid of the file.
pub(crate) fn bridging(b: &BridgingTable) -> Bridging {
    Bridging {
        prednisolone_mg_per_day: b.prednisolone_mg_per_day,
        start_day: b.start_day,
        end_day: b.end_day,
    }
}

/// A vaccination of the file.
pub(crate) fn vaccination(v: &VaccinationTable) -> Vaccination {
    Vaccination {
        day: v.day,
        vaccine: v.vaccine.0.specificity(),
    }
}

/// An IVIG dose of the file.
pub(crate) fn ivig(d: &IvigTable) -> IvigDose {
    IvigDose {
        day: d.day,
        dose_g_per_kg: d.dose_g_per_kg,
    }
}

/// One entry per chemotherapy day, sorted by day, doses of both drugs merged.
pub(crate) fn chemotherapy(ld: &LymphodepletionTable) -> Vec<ChemotherapyDay> {
    let mut days: Vec<ChemotherapyDay> = Vec::new();
    let mut add = |day: f64, flu: f64, cy: f64| match days.iter_mut().find(|d| d.day == day) {
        Some(d) => {
            d.fludarabine_mg_per_m2 += flu;
            d.cyclophosphamide_mg_per_m2 += cy;
        }
        None => days.push(ChemotherapyDay {
            day,
            fludarabine_mg_per_m2: flu,
            cyclophosphamide_mg_per_m2: cy,
        }),
    };
    let flu = ld
        .fludarabine_mg_per_m2_per_day
        .unwrap_or_else(|| default_number("lymphodepletion", "fludarabine_mg_per_m2_per_day"));
    let cy = ld
        .cyclophosphamide_mg_per_m2_per_day
        .unwrap_or_else(|| default_number("lymphodepletion", "cyclophosphamide_mg_per_m2_per_day"));
    for &day in &ld.fludarabine_days {
        add(day, flu, 0.0);
    }
    for &day in &ld.cyclophosphamide_days {
        add(day, 0.0, cy);
    }
    days.sort_by(|a, b| a.day.total_cmp(&b.day));
    days
}

/// `[lymphodepletion]`.
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

/// One `[[products]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProductTable {
    pub(crate) name: Option<String>,
    pub(crate) targets: Vec<String>,
    pub(crate) logic: Option<Chosen<Logic>>,
    pub(crate) inhibitory: Option<String>,
    pub(crate) source: Option<Chosen<Source>>,
    pub(crate) platform: Option<Chosen<Platform>>,
    pub(crate) costimulatory_domain: Option<Chosen<Costimulation>>,
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
    pub(crate) activation_threshold_molecules: Option<f64>,
    pub(crate) leukapheresis_day: Option<f64>,
    pub(crate) manufacturing_days_min: Option<f64>,
    pub(crate) manufacturing_days_max: Option<f64>,
    pub(crate) manufacturing_failure_probability: Option<f64>,
}

/// One `[[antigens]]` table (and one antigen of the built-in catalogue).
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct AntigenTable {
    pub(crate) name: String,
    pub(crate) b_precursor: Option<Vec<f64>>,
    pub(crate) b_cell: Option<Vec<f64>>,
    pub(crate) memory_b: Option<Vec<f64>>,
    pub(crate) activated_b: Option<Vec<f64>>,
    pub(crate) plasmablast: Option<Vec<f64>>,
    pub(crate) plasma_cell: Option<Vec<f64>>,
    pub(crate) lost_by_mature_plasma_cells: Option<bool>,
    pub(crate) source: Option<String>,
}

/// `[bridging]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BridgingTable {
    pub(crate) prednisolone_mg_per_day: f64,
    pub(crate) start_day: f64,
    pub(crate) end_day: f64,
}

/// One `[[vaccinations]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VaccinationTable {
    pub(crate) day: f64,
    pub(crate) vaccine: Chosen<Vaccine>,
}

/// One `[[ivig]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IvigTable {
    pub(crate) day: f64,
    pub(crate) dose_g_per_kg: f64,
}
