//! Surface antigen densities, drawn at birth and at each change of stage.
//!
//! Densities are log-normal around a mean per population and antigen (MODEL.md §3).
//! These densities are what a CAR sees; the untreated patient only carries them.

use crate::cell::{Antigen, Cell, Population, Specificity};
use crate::draws::Draws;
use crate::parameters::Parameters;

/// Mean and SD (molecules/cell) of an antigen on a population; `(0, 0)` means absent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Density {
    /// Mean molecules per cell.
    pub mean: f64,
    /// Standard deviation, molecules per cell.
    pub sd: f64,
}

const ABSENT: Density = Density { mean: 0.0, sd: 0.0 };
/// CD19 on mature B cells: 22,000 ± 7,000 (Ginaldi et al., J Clin Pathol 1998; seen).
const CD19_B: Density = Density {
    mean: 22_000.0,
    sd: 7_000.0,
};
/// CD20 on mature B cells: 94,000 ± 16,000 (Ginaldi et al. 1998; seen).
const CD20_B: Density = Density {
    mean: 94_000.0,
    sd: 16_000.0,
};
/// CD22 on mature B cells: ~4,000 ± 2,000 (choice: a few thousand sites per cell on
/// normal and leukaemic B cells; recalled, to check).
const CD22_B: Density = Density {
    mean: 4_000.0,
    sd: 2_000.0,
};
/// CD19 on pre-B cells: ~half the mature level (choice: CD19 is expressed from the
/// pro-B stage, lower than on mature cells; recalled).
const CD19_PRECURSOR: Density = Density {
    mean: 11_000.0,
    sd: 4_000.0,
};
/// CD20 on pre-B cells: low (choice: CD20 is gained late in marrow; recalled).
const CD20_PRECURSOR: Density = Density {
    mean: 5_000.0,
    sd: 3_000.0,
};
/// CD19 on plasmablasts: dim (choice: ~a fifth of B-cell levels; recalled).
const CD19_PLASMABLAST: Density = Density {
    mean: 4_000.0,
    sd: 2_500.0,
};
/// CD19 on CD19+ plasma cells: low, CD19 is lost as plasma cells mature (Mei 2015
/// describes CD19 low/negative marrow plasma cells; choice: a few hundred molecules,
/// near the CAR threshold; recalled, to check). 300 rather than 500: with 500 a CD19
/// CAR removed every CD19+ plasma cell within two months and total IgG fell below
/// 4 g/L, more than after CD19 CAR-T in lupus (MODEL.md §8: "falls only moderately").
const CD19_PLASMA_CELL: Density = Density {
    mean: 300.0,
    sd: 200.0,
};
/// BCMA on plasmablasts and plasma cells: ~1,000 (200-3,000) (Salem et al., Leuk Res
/// 2018 for myeloma, lower on normal cells; recalled, ref bcma_density_plasma_cell).
const BCMA_PC: Density = Density {
    mean: 1_000.0,
    sd: 700.0,
};

/// Densities of (CD19, CD20, CD22, BCMA) on a population.
pub fn densities(population: Population) -> [Density; 4] {
    match population {
        Population::BPrecursor => [CD19_PRECURSOR, CD20_PRECURSOR, CD22_B, ABSENT],
        Population::BTransitional
        | Population::BNaive
        | Population::BMemory
        | Population::BActivated
        | Population::BGerminalCentre => [CD19_B, CD20_B, CD22_B, ABSENT],
        Population::Plasmablast => [CD19_PLASMABLAST, ABSENT, ABSENT, BCMA_PC],
        Population::PlasmaCell => [CD19_PLASMA_CELL, ABSENT, ABSENT, BCMA_PC],
        _ => [ABSENT; 4],
    }
}

/// Draws the cell's surface for its current population. A new long-lived plasma cell
/// is CD19-negative with probability `plasma_cells.cd19_negative_share`.
pub fn draw_surface(cell: &mut Cell, params: &Parameters, draws: &mut impl Draws) {
    let table = densities(cell.population);
    for antigen in Antigen::ALL {
        let d = table[antigen as usize];
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
        cell.set_antigen_molecules(Antigen::Cd19, 0.0);
    }
}
