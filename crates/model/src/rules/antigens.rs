//! Surface antigen densities, drawn at birth and at each change of stage.
//!
//! Densities are log-normal around a mean per stage and antigen (docs/model.md §3), from the
//! run's [`AntigenPanel`] (data: `scenarios/antigens/catalogue.toml`). These densities
//! are what a CAR sees, and only a CAR reads them: they are drawn from the first
//! infusion on (see `StepContext::surface`), and only the slots some product binds are
//! worked out (the log-normal's exp and Box–Muller's transcendentals are most of what
//! a new B cell costs after an infusion).

use super::StepContext;
use crate::antigen_panel::{AntigenPanel, Stage};
use crate::car::Product;
use crate::cell::{Antigen, Cell, Population, Specificity};
use crate::draws::{Draws, LogNormal};
use crate::parameters::Parameters;

/// The laws of every slot on every stage (from the antigen panel) and which slots a
/// product of the run reads, worked out once per run rather than on every draw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SurfaceLaws {
    by_stage: [[Option<LogNormal>; Antigen::SLOTS]; Stage::ALL.len()],
    /// Slots some product binds (an activating or inhibitory binder): only these
    /// densities are worked out. The others still take their place in the cell's draws,
    /// so that the densities a product reads are the same whichever other products the
    /// run has.
    read: [bool; Antigen::SLOTS],
}

impl SurfaceLaws {
    /// The laws of `panel`, for a run with `products`.
    pub fn new(panel: &AntigenPanel, products: &[Product]) -> SurfaceLaws {
        let mut laws = SurfaceLaws::default();
        for k in 0..Stage::ALL.len() {
            for (law, spec) in laws.by_stage[k].iter_mut().zip(&panel.slots) {
                let density = spec.densities[k];
                *law = LogNormal::new(density.mean, density.sd);
            }
        }
        for product in products {
            let construct = &product.construct;
            for antigen in construct.targets.iter().chain(&construct.inhibitory) {
                laws.read[antigen.slot()] = true;
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
    // Box–Muller gives normals in pairs: the second of a pair serves the next slot with
    // a law. A pair neither of whose slots is read is not worked out, only its two
    // uniforms taken (`spare` is then `Some(None)`); a slot that is not read holds 0.
    let of = laws.of(cell.population);
    let mut spare: Option<Option<f64>> = None;
    for (slot, antigen) in Antigen::ALL.into_iter().enumerate() {
        let Some(law) = of[slot] else {
            cell.set_antigen_molecules(antigen, 0.0);
            continue;
        };
        let z = spare.take().unwrap_or_else(|| {
            let partner = (slot + 1..Antigen::SLOTS).find(|&s| of[s].is_some());
            if laws.read[slot] || partner.is_some_and(|s| laws.read[s]) {
                let (z, next) = draws.normal_pair();
                spare = Some(Some(next));
                Some(z)
            } else {
                draws.uniform();
                draws.uniform();
                spare = Some(None);
                None
            }
        });
        let value = match z {
            Some(z) if laws.read[slot] => law.at(z),
            _ => 0.0,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::antigen_panel::{AntigenSpec, Density};
    use crate::car::Dose;
    use crate::draws::testing::TestDraws;

    /// Four antigens present on every stage, at 1,000 to 4,000 molecules.
    fn panel() -> AntigenPanel {
        AntigenPanel {
            slots: (0..Antigen::SLOTS)
                .map(|k| AntigenSpec {
                    name: format!("A{k}"),
                    densities: [Density {
                        mean: 1000.0 * (k + 1) as f64,
                        sd: 300.0,
                    }; Stage::ALL.len()],
                    lost_by_mature_plasma_cells: false,
                    source: String::new(),
                })
                .collect(),
        }
    }

    /// A product binding `slots`.
    fn binding(slots: &[u8]) -> Product {
        let mut product = Product::cd19_4_1bb(Dose::PerKg(1e6));
        product.construct.targets = slots.iter().map(|&s| Antigen(s)).collect();
        product
    }

    /// The surface of a pre-B cell drawn from seed 7, and the next uniform after it.
    fn drawn(laws: &SurfaceLaws) -> ([f64; Antigen::SLOTS], f64) {
        let (params, panel) = (Parameters::default(), panel());
        let mut cell = Cell {
            population: Population::BPrecursor,
            ..Cell::default()
        };
        let mut draws = TestDraws(7);
        draw_surface(&mut cell, &params, &panel, laws, &mut draws);
        (
            Antigen::ALL.map(|a| cell.antigen_molecules(a)),
            draws.uniform(),
        )
    }

    #[test]
    fn densities_no_product_reads_are_not_worked_out_and_the_rest_are_as_if_they_were() {
        let all = drawn(&SurfaceLaws::new(&panel(), &[binding(&[0, 1, 2, 3])]));
        assert!(all.0.iter().all(|&m| m > 0.0), "{all:?}");
        // One slot of each pair read, a whole pair unread, one slot read by a second
        // product: the slots read hold the same densities, the rest 0, and the cell's
        // later draws are the same.
        for products in [
            vec![binding(&[1])],
            vec![binding(&[2])],
            vec![binding(&[0]), binding(&[3])],
        ] {
            let laws = SurfaceLaws::new(&panel(), &products);
            let (some, next) = drawn(&laws);
            assert_eq!(next, all.1);
            for (slot, (&got, &full)) in some.iter().zip(&all.0).enumerate() {
                let expected = if laws.read[slot] { full } else { 0.0 };
                assert_eq!(got, expected, "slot {slot} of {:?}", laws.read);
            }
        }
    }
}
