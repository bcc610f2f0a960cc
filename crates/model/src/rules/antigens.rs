//! Surface antigen densities, drawn at birth and at each change of stage.
//!
//! Densities are log-normal around a mean per stage and antigen (docs/model.md §3), from the
//! run's [`AntigenPanel`] (data: `scenarios/antigens/catalogue.toml`). These densities
//! are what a CAR sees, and only a CAR reads them: they are drawn from the first
//! infusion on (see `StepContext::surface`).

use super::StepContext;
use crate::antigen_panel::{AntigenPanel, Stage};
use crate::cell::{Antigen, Cell, Population, Specificity};
use crate::draws::{Draws, LogNormal};
use crate::parameters::Parameters;

/// The laws of every slot on every stage, worked out once per run (they depend only on
/// the antigen panel) rather than on every draw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SurfaceLaws {
    by_stage: [[Option<LogNormal>; Antigen::SLOTS]; Stage::ALL.len()],
}

impl SurfaceLaws {
    /// The laws of `panel`.
    pub fn new(panel: &AntigenPanel) -> SurfaceLaws {
        let mut laws = SurfaceLaws::default();
        for k in 0..Stage::ALL.len() {
            for (law, spec) in laws.by_stage[k].iter_mut().zip(&panel.slots) {
                let density = spec.densities[k];
                *law = LogNormal::new(density.mean, density.sd);
            }
        }
        laws
    }

    /// The laws of each slot on `population` (all absent for cells without a stage).
    fn of(&self, population: Population) -> [Option<LogNormal>; Antigen::SLOTS] {
        Stage::of(population)
            .and_then(|stage| Stage::ALL.iter().position(|&s| s == stage))
            .map_or([None; Antigen::SLOTS], |k| self.by_stage[k])
    }
}

/// [`draw_surface`] with the run's laws, when surfaces are kept (`ctx.surface`).
pub fn redraw_surface(cell: &mut Cell, ctx: &StepContext<'_>, draws: &mut impl Draws) {
    if let Some(laws) = ctx.surface {
        draw_surface(cell, ctx.params, ctx.antigens, laws, draws);
    }
}

/// Draws the cell's surface for its current population (`laws` of `panel`). A new
/// long-lived plasma cell is in the CD19-negative subset with probability
/// `plasma_cells.cd19_negative_share`; antigens the panel marks
/// `lost_by_mature_plasma_cells` are then absent.
pub fn draw_surface(
    cell: &mut Cell,
    params: &Parameters,
    panel: &AntigenPanel,
    laws: &SurfaceLaws,
    draws: &mut impl Draws,
) {
    // Box–Muller gives normals in pairs: the second of a pair serves the next slot.
    let mut spare = None;
    for (antigen, law) in Antigen::ALL.into_iter().zip(laws.of(cell.population)) {
        let value = law.map_or(0.0, |law| {
            let z = spare.take().unwrap_or_else(|| {
                let (z, next) = draws.normal_pair();
                spare = Some(next);
                z
            });
            law.at(z)
        });
        cell.set_antigen_molecules(antigen, value);
    }
    // Vaccine-specific plasma cells in the initial patient formed years to decades
    // ago: the long-lived measles-, mumps- and tetanus-specific plasma cells sit in the
    // CD19-negative subset (Halliley et al., Immunity 2015; recalled).
    let old_vaccine_cell = matches!(
        cell.specificity,
        Specificity::VaccineA | Specificity::VaccineB
    );
    if cell.population == Population::PlasmaCell
        && (old_vaccine_cell || draws.chance(params.plasma_cells.cd19_negative_share))
    {
        for (slot, spec) in panel.slots.iter().enumerate() {
            if spec.lost_by_mature_plasma_cells {
                cell.set_antigen_molecules(Antigen(slot as u8), 0.0);
            }
        }
    }
}
