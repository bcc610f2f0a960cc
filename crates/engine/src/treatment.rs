//! The treatment journey inside the simulation: lymphodepleting chemotherapy and
//! infusion of CAR-T products, applied at the start of the step whose day they fall in.

use crate::config::{ChemotherapyDay, RunConfig};
use crate::rng::{Purpose, StepKey};
use immunosim_model::car::Product;
use immunosim_model::cell::Kind;
use immunosim_model::compartment::SiteLayout;
use immunosim_model::rules::lymphodepletion;
use immunosim_model::{Cell, Compartment, Draws, Population};
use rayon::prelude::*;

/// Whether `day` falls in the step starting at `step_day`.
pub fn in_step(day: f64, step_day: f64, dt_days: f64) -> bool {
    day >= step_day - 1e-9 && day < step_day + dt_days - 1e-9
}

/// Kills lymphocytes for one day of chemotherapy; returns the agents killed.
pub fn apply_chemotherapy(
    cells: &mut [Cell],
    dose: &ChemotherapyDay,
    config: &RunConfig,
    step: u64,
) -> u64 {
    let key = StepKey::new(config.seed, step, Purpose::Chemotherapy);
    cells
        .par_chunks_mut(crate::simulation::CHUNK_ROWS)
        .map(|chunk| {
            let mut killed = 0;
            for cell in chunk.iter_mut().filter(|c| c.is_alive()) {
                let survive = lymphodepletion::survival_probability(
                    cell.population,
                    dose.fludarabine_mg_per_m2,
                    dose.cyclophosphamide_mg_per_m2,
                    &config.params,
                );
                if survive < 1.0 && !key.cell(cell.id.0).chance(survive) {
                    cell.population = Population::Dead;
                    killed += 1;
                }
            }
            killed
        })
        .sum()
}

/// The agents of one infusion of `product` (index `index`), placed in blood sites; ids
/// are given when births are placed.
pub fn infusion(
    product: &Product,
    index: usize,
    config: &RunConfig,
    layout: &SiteLayout,
    step: u64,
    day: f64,
) -> Vec<Cell> {
    let key = StepKey::new(config.seed, step, Purpose::Infusion);
    let mut draws = key.cell(index as u64);
    let real = product.dose_cells_per_kg * config.weight_kg;
    let expected = real / config.weight(Kind::CarT);
    let agents = expected.floor() as u64 + u64::from(draws.chance(expected.fract()));
    let phenotypes = [
        Population::CarStemLike,
        Population::CarCentralMemory,
        Population::CarEffectorMemory,
        Population::CarEffector,
    ];
    let total: f64 = product.phenotype_shares.iter().sum();
    (0..agents)
        .map(|_| {
            let mut u = draws.uniform() * total;
            let mut population = phenotypes[3];
            for (p, share) in phenotypes.iter().zip(product.phenotype_shares) {
                if u < share {
                    population = *p;
                    break;
                }
                u -= share;
            }
            let site = layout.site(
                Compartment::Blood,
                draws.index(usize::from(layout.count(Compartment::Blood))) as u16,
            );
            Cell {
                birth_day: day as f32,
                site,
                population,
                compartment: Compartment::Blood,
                product: index as u8,
                ..Cell::default()
            }
        })
        .collect()
}
