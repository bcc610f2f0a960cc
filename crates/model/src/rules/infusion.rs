//! The cells of one infusion: how many agents a dose makes, and each agent's phenotype,
//! CD4/CD8 subset and blood site, drawn from the product's stated mix.

use crate::car::Product;
use crate::cell::{CAR_EXPRESSION_FULL, Cell, Population};
use crate::compartment::{Compartment, SiteLayout};
use crate::draws::Draws;

/// CAR-T phenotypes in the order of `Product::phenotype_shares` (stem-like, central
/// memory, effector memory, effector).
pub const PHENOTYPES: [Population; 4] = [
    Population::CarStemLike,
    Population::CarCentralMemory,
    Population::CarEffectorMemory,
    Population::CarEffector,
];

/// The agents of one infusion of `product` (index `index` in the run's products) on
/// `day`: `dose_cells / car_t_cells_per_agent` agents (the fraction by a draw), each
/// with a phenotype drawn from the product's shares, CD8+ with probability
/// `1 - cd4_share`, full CAR expression, in a uniform blood site. Ids are given by the
/// engine when the cells are placed.
pub fn infused_cells(
    product: &Product,
    index: usize,
    dose_cells: f64,
    car_t_cells_per_agent: f64,
    layout: &SiteLayout,
    day: f64,
    draws: &mut impl Draws,
) -> Vec<Cell> {
    let expected = dose_cells / car_t_cells_per_agent;
    let agents = expected.floor() as u64 + u64::from(draws.chance(expected.fract()));
    let total: f64 = product.phenotype_shares.iter().sum();
    (0..agents)
        .map(|_| {
            let mut u = draws.uniform() * total;
            let mut population = PHENOTYPES[3];
            for (p, share) in PHENOTYPES.iter().zip(product.phenotype_shares) {
                if u < share {
                    population = *p;
                    break;
                }
                u -= share;
            }
            let cd8 = !draws.chance(product.cd4_share);
            let site = layout.random_site(Compartment::Blood, draws);
            Cell {
                birth_day: day as f32,
                site,
                population,
                compartment: Compartment::Blood,
                product: index as u8,
                flags: if cd8 { Cell::FLAG_CD8 } else { 0 },
                car_expression: CAR_EXPRESSION_FULL,
                ..Cell::default()
            }
        })
        .collect()
}
