//! The antigens of a run, as data: which antigen each of a cell's density slots holds,
//! and its density on each B-lineage stage.
//!
//! Antigens are defined in data (`scenarios/antigens/catalogue.toml`, extended by a
//! scenario's `[[antigens]]`); the scenario layer picks at most [`Antigen::SLOTS`] of
//! them for a run (those its products name, then catalogue order) and hands the model
//! this panel. Adding a target antigen is adding a table to the data, not code.

use crate::cell::{Antigen, Population};

/// Log-normal density of an antigen on a stage, molecules per cell; `mean = 0` means
/// absent.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Density {
    /// Mean molecules per cell.
    pub mean: f64,
    /// Standard deviation, molecules per cell.
    pub sd: f64,
}

/// The stages an antigen's density is stated for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Pre-B cells in marrow.
    BPrecursor,
    /// Transitional and naive B cells (and, where a table leaves them out, the stages
    /// below).
    BCell,
    /// Memory B cells (a table without `memory_b` gives them `b_cell`'s density).
    BMemory,
    /// Activated and germinal-centre B cells, the plasmablast precursors (a table
    /// without `activated_b` gives them `b_cell`'s density).
    BActivated,
    /// Plasmablasts.
    Plasmablast,
    /// Long-lived plasma cells.
    PlasmaCell,
}

impl Stage {
    /// All stages, in table order.
    pub const ALL: [Stage; 6] = [
        Stage::BPrecursor,
        Stage::BCell,
        Stage::BMemory,
        Stage::BActivated,
        Stage::Plasmablast,
        Stage::PlasmaCell,
    ];

    /// Names used in the data files.
    pub fn name(self) -> &'static str {
        match self {
            Stage::BPrecursor => "b_precursor",
            Stage::BCell => "b_cell",
            Stage::BMemory => "memory_b",
            Stage::BActivated => "activated_b",
            Stage::Plasmablast => "plasmablast",
            Stage::PlasmaCell => "plasma_cell",
        }
    }

    /// The stage of a population, if it carries B-lineage antigens.
    pub fn of(population: Population) -> Option<Stage> {
        match population {
            Population::BPrecursor => Some(Stage::BPrecursor),
            Population::BTransitional | Population::BNaive => Some(Stage::BCell),
            Population::BMemory => Some(Stage::BMemory),
            // Large B-cell lymphomas are germinal-centre or activated B-cell-like by
            // their expression profile (Alizadeh et al., Nature 2000; recalled).
            Population::BActivated | Population::BGerminalCentre | Population::LymphomaB => {
                Some(Stage::BActivated)
            }
            Population::Plasmablast => Some(Stage::Plasmablast),
            Population::PlasmaCell => Some(Stage::PlasmaCell),
            _ => None,
        }
    }
}

/// One antigen: its name, its density on each stage, and whether it is lost by the
/// CD19-negative subset of long-lived plasma cells.
#[derive(Clone, Debug, PartialEq)]
pub struct AntigenSpec {
    /// Name used in scenario files (`targets = ["CD19"]`).
    pub name: String,
    /// Density by [`Stage`], in [`Stage::ALL`] order.
    pub densities: [Density; Stage::ALL.len()],
    /// Absent on the mature plasma cells that have lost CD19 (the CD19-negative
    /// subset, `plasma_cells.cd19_negative_share`, and the decades-old vaccine-specific
    /// plasma cells of the initial patient).
    pub lost_by_mature_plasma_cells: bool,
    /// Where the densities come from.
    pub source: String,
}

/// The antigens of a run, one per density slot (at most [`Antigen::SLOTS`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AntigenPanel {
    /// The antigen of each slot.
    pub slots: Vec<AntigenSpec>,
}

impl AntigenPanel {
    /// The slot holding the antigen named `name`.
    pub fn slot_of(&self, name: &str) -> Option<Antigen> {
        self.slots
            .iter()
            .position(|s| s.name == name)
            .map(|i| Antigen(i as u8))
    }

    /// The name of the antigen in `slot`.
    pub fn name(&self, slot: Antigen) -> &str {
        self.slots.get(slot.slot()).map_or("?", |s| s.name.as_str())
    }
}
