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

/// The laws of every slot on every stage (from the antigen panel), which slots a
/// product of the run reads, and how each stage's slots share Box–Muller's normal
/// pairs: worked out once per run rather than on every draw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SurfaceLaws {
    by_stage: [[Option<LogNormal>; Antigen::SLOTS]; Stage::ALL.len()],
    /// How each slot's normal is drawn, by stage.
    pairs: [[PairDraw; Antigen::SLOTS]; Stage::ALL.len()],
    /// Slots some product binds (an activating or inhibitory binder): only these
    /// densities are worked out. The others still take their place in the cell's draws,
    /// so that the densities a product reads are the same whichever other products the
    /// run has.
    read: [bool; Antigen::SLOTS],
}

/// How one slot's normal is drawn on a stage. Box–Muller gives normals in pairs, and
/// the slots with a law take them in slot order: the first of a pair draws it, the
/// next slot with a law takes its second normal.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
enum PairDraw {
    /// No law on this stage: the slot holds 0 and takes no draw.
    #[default]
    None,
    /// The first slot of a pair: the pair is drawn when either of its slots is read
    /// (`worked`), else only its two uniforms are taken.
    First { worked: bool },
    /// The second slot of a pair.
    Second,
}

impl SurfaceLaws {
    /// The laws of `panel`, for a run with `products`.
    pub fn new(panel: &AntigenPanel, products: &[Product]) -> SurfaceLaws {
        let mut laws = SurfaceLaws {
            read: crate::car::bound_slots(products),
            ..SurfaceLaws::default()
        };
        for k in 0..Stage::ALL.len() {
            for (law, spec) in laws.by_stage[k].iter_mut().zip(&panel.slots) {
                let density = spec.densities[k];
                *law = LogNormal::new(density.mean, density.sd);
            }
            let mut first_of_pair = None;
            for slot in (0..Antigen::SLOTS).filter(|&s| laws.by_stage[k][s].is_some()) {
                let read = laws.read[slot];
                laws.pairs[k][slot] = match first_of_pair.take() {
                    None => {
                        first_of_pair = Some(slot);
                        PairDraw::First { worked: read }
                    }
                    Some(first) => {
                        if read {
                            laws.pairs[k][first] = PairDraw::First { worked: true };
                        }
                        PairDraw::Second
                    }
                };
            }
        }
        laws
    }

    /// The laws of each slot on `population` and how its normals are drawn (all absent
    /// for cells without a stage).
    fn of(
        &self,
        population: Population,
    ) -> (
        [Option<LogNormal>; Antigen::SLOTS],
        [PairDraw; Antigen::SLOTS],
    ) {
        Stage::of(population)
            .and_then(|stage| Stage::ALL.iter().position(|&s| s == stage))
            .map_or(
                ([None; Antigen::SLOTS], [PairDraw::None; Antigen::SLOTS]),
                |k| (self.by_stage[k], self.pairs[k]),
            )
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
    // A pair neither of whose slots is read is not worked out, only its two uniforms
    // taken; a slot that is not read holds 0.
    let (of, pairs) = laws.of(cell.population);
    let mut second = None;
    for (slot, antigen) in Antigen::ALL.into_iter().enumerate() {
        let z = match pairs[slot] {
            PairDraw::None => None,
            PairDraw::First { worked: true } => {
                let (z, next) = draws.normal_pair();
                second = Some(next);
                Some(z)
            }
            PairDraw::First { worked: false } => {
                draws.uniform();
                draws.uniform();
                second = None;
                None
            }
            PairDraw::Second => second.take(),
        };
        let value = match (z, of[slot]) {
            (Some(z), Some(law)) if laws.read[slot] => law.at(z),
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
