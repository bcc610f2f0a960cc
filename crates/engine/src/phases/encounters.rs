//! CAR-T encounters: who meets whom, in parallel and deterministically.
//!
//! The CAR-T cells come binned by site and the cells carrying any antigen that some
//! product targets by compartment, rows ascending ([`crate::car_rows`]). A
//! CAR-T cell meets the targets of its whole compartment
//! ([`immunosim_model::rules::killing::TargetPool`] says why). The CAR-T cells of each
//! site are resolved in parallel, with the site's own random stream, by the model's law
//! of one CAR-T agent's encounters
//! ([`immunosim_model::rules::killing::car_agent_encounters`]); the compartment's
//! engagement memo is shared, and holds the same values whichever thread fills it.
//! Results are merged in site order, so they do not depend on threads.

use crate::car_rows::CarRows;
use crate::census::Census;
use crate::config::RunConfig;
use crate::config::Weights;
use crate::rng::{Purpose, StepKey};
use immunosim_model::Compartment;
use immunosim_model::cell::Kind;
use immunosim_model::crs;
use immunosim_model::rules::killing::{self, EngagementMemo, KillShares, TargetPool};
use immunosim_model::{Cell, Population, Specificity};
use rayon::prelude::*;

/// What a step's encounters did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Encounters {
    /// Rows of targets killed (ascending, unique).
    pub killed: Vec<u32>,
    /// Rows of CAR-T cells that engaged antigen.
    pub stimulated: Vec<u32>,
    /// For each of `stimulated`, in the same order: its real cells and those times its
    /// product's costimulation propensity (what the IL-6 drive sums, kept here so that
    /// it does not read the scattered rows again).
    pub stimulated_cells: Vec<(f64, f64)>,
}

/// Resolves this step's encounters at the step's `weights` (the census's) among
/// `car_rows`, the CAR-T rows and possible targets of `cells` ([`crate::car_rows::scan`]).
/// `cells` is read only.
pub fn encounters(
    cells: &[Cell],
    car_rows: &CarRows,
    census: &Census,
    weights: &Weights,
    config: &RunConfig,
    step: u64,
) -> Encounters {
    let products = &config.products;
    if products.is_empty() || car_rows.cars.is_empty() {
        return Encounters::default();
    }
    let (cars, targets) = (&car_rows.cars, &car_rows.targets);
    let sites = census.by_site.len();
    let layout = config.site_layout();
    let compartment_of = |site: u16| layout.compartment_of(site).index() as u16;
    let params = &config.params;
    let probes_per_cell = params.car_t.encounters_per_day * config.dt_days;
    let weight = |kind: Kind| weights.get(kind);
    let target_weight = |p: Population, s: Specificity| weights.of(p, s);
    // Per compartment: its targets' share of its real cells, and one engagement memo
    // keyed by its first CAR-T cell's (product, CAR expression).
    let compartment_cells = Compartment::ALL.map(|c| {
        Population::LIVING
            .iter()
            .map(|&p| census.cells_in(&layout, c, p, weights))
            .sum::<f64>()
    });
    let mut first_car: [Option<(u8, u16)>; Compartment::COUNT] = [None; Compartment::COUNT];
    for site in 0..sites {
        let c = compartment_of(site as u16) as usize;
        if let (None, Some(car)) = (first_car[c], cars.bin(site).1.first()) {
            first_car[c] = Some((car.product, car.car_expression));
        }
    }
    let pools: Vec<(f64, EngagementMemo, f64, KillShares)> = (0..Compartment::COUNT)
        .map(|c| {
            let target_cells = targets.bin(c).1;
            let (real, finest) = target_cells
                .iter()
                .map(|cell| weights.of(cell.population, cell.specificity))
                .fold((0.0, f64::INFINITY), |(sum, min), w| (sum + w, min.min(w)));
            let key = first_car[c].unwrap_or_default();
            let memo_targets = if first_car[c].is_some() {
                target_cells.len()
            } else {
                0
            };
            let reference_weight = if finest.is_finite() {
                finest
            } else {
                weights.get(Kind::BCell)
            };
            (
                killing::target_share(real, compartment_cells[c]),
                EngagementMemo::new(memo_targets, key),
                reference_weight,
                KillShares::new(&target_weight, reference_weight),
            )
        })
        .collect();
    let key = StepKey::new(config.seed, step, Purpose::Killing);
    let per_site: Vec<Encounters> = (0..sites)
        .into_par_iter()
        .map(|site| {
            let c = compartment_of(site as u16) as usize;
            let (site_cars, car_cells) = cars.bin(site);
            let (pool_targets, target_cells) = targets.bin(c);
            let mut killed = Vec::new();
            let mut stimulated = Vec::new();
            let mut stimulated_cells = Vec::new();
            if site_cars.is_empty() || pool_targets.is_empty() {
                return Encounters::default();
            }
            let law = TargetPool {
                targets: pool_targets,
                target_cells,
                target_share: pools[c].0,
                probes_per_cell,
                kills_per_cell_max: params.car_t.max_kills_per_day * config.dt_days,
                weight: &weight,
                reference_weight: pools[c].2,
                kill_shares: pools[c].3,
                memo: &pools[c].1,
                meetings: killing::meetings(
                    probes_per_cell,
                    pools[c].0,
                    &weight,
                    pools[c].2,
                    params,
                ),
            };
            let mut draws = key.cell(site as u64);
            for (&car_row, car) in site_cars.iter().zip(car_cells) {
                let product = &products[usize::from(car.product)];
                let engaged = killing::car_agent_encounters(
                    car,
                    product,
                    params,
                    &law,
                    &mut draws,
                    &mut killed,
                );
                if engaged {
                    stimulated.push(car_row);
                    let real = weights.get(car.population.kind());
                    let propensity =
                        crs::costimulation_propensity(product.costimulation, &config.params);
                    stimulated_cells.push((real, real * propensity));
                }
            }
            Encounters {
                killed,
                stimulated,
                stimulated_cells,
            }
        })
        .collect();
    // CAR-T cells of different sites (or one agent's several probes) may kill the
    // same target agent: it dies once. Marked in a bit per row of the table and read
    // back in row order: ascending and unique, without sorting the kills.
    let mut dead = vec![0u64; cells.len().div_ceil(64)];
    let mut out = Encounters::default();
    for site in per_site {
        for row in site.killed {
            dead[row as usize / 64] |= 1 << (row % 64);
        }
        out.stimulated.extend(site.stimulated);
        out.stimulated_cells.extend(site.stimulated_cells);
    }
    out.killed = rows_marked(&dead);
    out
}

/// The rows whose bits are set in `marks` (bit `r % 64` of word `r / 64`), ascending.
fn rows_marked(marks: &[u64]) -> Vec<u32> {
    let mut rows = Vec::new();
    for (word, &bits) in marks.iter().enumerate() {
        let mut left = bits;
        while left != 0 {
            rows.push((word * 64) as u32 + left.trailing_zeros());
            left &= left - 1;
        }
    }
    rows
}

/// The CAR-T drive of IL-6 (serum pg/mL per day at full myeloid amplification) from
/// this step's encounters: the real cells killed and the real CAR-T cells engaged,
/// times the engaged cells' mean product propensity (costimulatory domain)
/// ([`crs::encounter_il6_drive`]).
pub fn il6_drive(
    cells: &[Cell],
    encounters: &Encounters,
    weights: &Weights,
    config: &RunConfig,
) -> f64 {
    let killed: f64 = encounters
        .killed
        .iter()
        .map(|&r| {
            let cell = &cells[r as usize];
            weights.of(cell.population, cell.specificity)
        })
        .sum();
    let stimulated: f64 = encounters.stimulated_cells.iter().map(|c| c.0).sum();
    let propensity = if stimulated > 0.0 {
        encounters.stimulated_cells.iter().map(|c| c.1).sum::<f64>() / stimulated
    } else {
        1.0
    };
    crs::encounter_il6_drive(
        killed,
        stimulated,
        propensity,
        &config.params,
        config.dt_days,
    )
}

/// Applies encounters: kills targets, flags stimulated CAR-T cells.
pub fn apply(cells: &mut [Cell], counts: &mut Census, encounters: &Encounters) {
    for &row in &encounters.killed {
        counts.remove(&cells[row as usize]);
        cells[row as usize].population = immunosim_model::Population::Dead;
    }
    for &row in &encounters.stimulated {
        cells[row as usize].flags |= Cell::FLAG_STIMULATED;
    }
}

#[cfg(test)]
mod tests {
    use super::rows_marked;

    /// Rows marked in any order, some twice, come back ascending and once each, as
    /// sorting and removing duplicates gives them.
    #[test]
    fn marked_rows_come_back_ascending_and_unique() {
        let rows = [700u32, 3, 63, 64, 3, 0, 129, 700, 65];
        let mut marks = vec![0u64; 701usize.div_ceil(64)];
        for row in rows {
            marks[row as usize / 64] |= 1 << (row % 64);
        }
        let mut expected = rows.to_vec();
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(rows_marked(&marks), expected);
        assert!(rows_marked(&[0, 0]).is_empty());
    }
}
