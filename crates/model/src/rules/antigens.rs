//! Surface antigen densities, drawn at birth and at each change of stage.
//!
//! Densities are log-normal around a mean per stage and antigen (MODEL.md §3), from the
//! run's [`AntigenPanel`] (data: `scenarios/antigens/catalogue.toml`). These densities
//! are what a CAR sees; the untreated patient only carries them.

use crate::antigen_panel::AntigenPanel;
use crate::cell::{Antigen, Cell, Population, Specificity};
use crate::draws::Draws;
use crate::parameters::Parameters;

/// Draws the cell's surface for its current population. A new long-lived plasma cell
/// is in the CD19-negative subset with probability `plasma_cells.cd19_negative_share`;
/// antigens the panel marks `lost_by_mature_plasma_cells` are then absent.
pub fn draw_surface(
    cell: &mut Cell,
    params: &Parameters,
    panel: &AntigenPanel,
    draws: &mut impl Draws,
) {
    let table = panel.densities(cell.population);
    for antigen in Antigen::ALL {
        let d = table[antigen.slot()];
        let value = if d.mean > 0.0 {
            draws.log_normal(d.mean, d.sd)
        } else {
            0.0
        };
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
