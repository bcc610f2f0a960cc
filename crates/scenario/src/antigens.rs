//! Antigens as data: the built-in catalogue (`scenarios/antigens/catalogue.toml`) and a
//! scenario's own `[[antigens]]`, and the run's panel — the at most four antigens a
//! cell stores densities for.

use crate::file::AntigenTable;
use immunosim_model::Antigen;
use immunosim_model::antigen_panel::{AntigenPanel, AntigenSpec, Density, Stage};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalogue {
    antigen: Vec<AntigenTable>,
}

/// The built-in antigens, in catalogue order.
pub fn catalogue() -> Vec<AntigenSpec> {
    let parsed: Catalogue = toml::from_str(crate::schema::ANTIGEN_CATALOGUE)
        .expect("the built-in antigen catalogue parses (tested)");
    parsed.antigen.iter().map(spec).collect()
}

/// The model's description of one antigen table.
pub(crate) fn spec(table: &AntigenTable) -> AntigenSpec {
    let density = |values: Option<&Vec<f64>>| match values.map(Vec::as_slice) {
        Some([mean, sd]) => Density {
            mean: *mean,
            sd: *sd,
        },
        _ => Density::default(),
    };
    let by_stage = |stage: Stage| match stage {
        Stage::BPrecursor => density(table.b_precursor.as_ref()),
        Stage::BCell => density(table.b_cell.as_ref()),
        Stage::BMemory => density(table.memory_b.as_ref().or(table.b_cell.as_ref())),
        Stage::BActivated => density(table.activated_b.as_ref().or(table.b_cell.as_ref())),
        Stage::Plasmablast => density(table.plasmablast.as_ref()),
        Stage::PlasmaCell => density(table.plasma_cell.as_ref()),
    };
    AntigenSpec {
        name: table.name.clone(),
        densities: Stage::ALL.map(by_stage),
        lost_by_mature_plasma_cells: table.lost_by_mature_plasma_cells.unwrap_or(false),
        source: table.source.clone().unwrap_or_default(),
    }
}

/// Every antigen known to a scenario: the catalogue, with the scenario's own antigens
/// replacing catalogue entries of the same name or added after them.
pub fn known(own: &[AntigenSpec]) -> Vec<AntigenSpec> {
    let mut all = catalogue();
    for spec in own {
        match all.iter_mut().find(|a| a.name == spec.name) {
            Some(existing) => *existing = spec.clone(),
            None => all.push(spec.clone()),
        }
    }
    all
}

/// The run's panel: the antigens `named` by its products (unknown names are skipped;
/// the rules report them), then known antigens in order until the slots are full, kept
/// in the order of `known` — so runs that name only catalogue antigens store the same
/// antigens in the same slots as an untreated run.
pub fn panel(known: &[AntigenSpec], named: &[String]) -> AntigenPanel {
    let mut chosen: Vec<usize> = Vec::new();
    for name in named {
        if let Some(i) = known.iter().position(|a| &a.name == name)
            && !chosen.contains(&i)
            && chosen.len() < Antigen::SLOTS
        {
            chosen.push(i);
        }
    }
    for i in 0..known.len() {
        if chosen.len() >= Antigen::SLOTS {
            break;
        }
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    chosen.sort_unstable();
    AntigenPanel {
        slots: chosen.into_iter().map(|i| known[i].clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_parses_with_sources_and_the_cd19_rule() {
        let all = catalogue();
        let names: Vec<&str> = all.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["CD19", "CD20", "CD22", "BCMA"]);
        assert!(all.iter().all(|a| !a.source.is_empty()));
        assert!(all[0].lost_by_mature_plasma_cells && !all[3].lost_by_mature_plasma_cells);
        // CD19 on B cells: 22,000 +/- 7,000 (Ginaldi 1998).
        assert_eq!(all[0].densities[1].mean, 22_000.0);
        // Memory and activated B cells: CD19 as on naive B cells (left out, so b_cell's);
        // BCMA absent on memory B cells, low on the plasmablast precursors.
        let at = |a: &AntigenSpec, stage: Stage| {
            a.densities[Stage::ALL.iter().position(|&s| s == stage).unwrap()]
        };
        assert_eq!(at(&all[0], Stage::BMemory), at(&all[0], Stage::BCell));
        assert_eq!(at(&all[0], Stage::BActivated), at(&all[0], Stage::BCell));
        assert_eq!(at(&all[3], Stage::BMemory).mean, 0.0);
        assert_eq!(at(&all[3], Stage::BActivated).mean, 300.0);
    }

    #[test]
    fn named_antigens_take_slots_in_known_order() {
        let mut own = catalogue()[3].clone();
        own.name = "CD38".into();
        let known = known(&[own]);
        let p = panel(&known, &["CD38".into()]);
        let names: Vec<&str> = p.slots.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["CD19", "CD20", "CD22", "CD38"]);
        let untreated = panel(&known, &[]);
        assert_eq!(untreated.slots[..3], p.slots[..3]);
    }
}
