//! CAR-T encounters: who meets whom, in parallel and deterministically.
//!
//! The CAR-T cells are binned by site and the cells carrying any antigen that some
//! product targets by compartment (stable counting sorts, so rows stay in ascending
//! order). A CAR-T cell meets the targets of its whole compartment
//! ([`immunosim_model::rules::killing::TargetPool`] says why). The CAR-T cells of each
//! site are resolved in parallel, with the site's own random stream, by the model's law
//! of one CAR-T agent's encounters
//! ([`immunosim_model::rules::killing::car_agent_encounters`]); the compartment's
//! engagement memo is shared, and holds the same values whichever thread fills it.
//! Results are merged in site order, so they do not depend on threads.

use crate::census::Census;
use crate::config::RunConfig;
use crate::config::Weights;
use crate::rng::{Purpose, StepKey};
use crate::world::CHUNK_ROWS;
use immunosim_model::Compartment;
use immunosim_model::cell::Kind;
use immunosim_model::crs;
use immunosim_model::rules::killing::{self, EngagementMemo, TargetPool};
use immunosim_model::{Cell, Population};
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

/// A row in a bin (a site or a compartment), with a copy of its cell taken by the scan
/// while the row is in cache (copied later, from the scattered rows of a table larger
/// than the cache, each copy was a likely miss).
type BinEntry = (u16, u32, Cell);

/// Rows grouped by bin (a site or a compartment): `rows[start[s]..start[s + 1]]` are the
/// rows of bin `s`, and `cells` their cells in the same order (the encounters then read
/// a contiguous list instead of scattered rows of the table).
struct Bins {
    start: Vec<usize>,
    rows: Vec<u32>,
    cells: Vec<Cell>,
}

impl Bins {
    /// The rows and cells of bin `s`.
    fn bin(&self, s: usize) -> (&[u32], &[Cell]) {
        let range = self.start[s]..self.start[s + 1];
        (&self.rows[range.clone()], &self.cells[range])
    }
}

/// Stable counting sort into `bins` bins of the entries of `lists`, which arrive in row
/// order list after list.
fn binned<'a>(lists: impl Iterator<Item = &'a [BinEntry]> + Clone, bins: usize) -> Bins {
    let mut start = vec![0usize; bins + 1];
    for &(bin, ..) in lists.clone().flatten() {
        start[usize::from(bin) + 1] += 1;
    }
    for s in 0..bins {
        start[s + 1] += start[s];
    }
    let mut next = start.clone();
    let total = start[bins];
    let mut rows = vec![0u32; total];
    let mut cells = vec![Cell::default(); total];
    for &(bin, row, cell) in lists.flatten() {
        let at = next[usize::from(bin)];
        rows[at] = row;
        cells[at] = cell;
        next[usize::from(bin)] += 1;
    }
    Bins { start, rows, cells }
}

/// Resolves this step's encounters at the step's `weights` (the census's). `cells` is
/// read only.
pub fn encounters(
    cells: &[Cell],
    census: &Census,
    weights: &Weights,
    config: &RunConfig,
    step: u64,
) -> Encounters {
    if config.products.is_empty() {
        return Encounters::default();
    }
    let products = &config.products;
    // A cell may be targeted when it carries any antigen some product binds
    // (`Construct::may_target` of any product): the union of their density slots.
    let mut targeted = [false; 4];
    for antigen in products.iter().flat_map(|p| &p.construct.targets) {
        targeted[antigen.slot()] = true;
    }
    let may_be_targeted = |cell: &Cell| (0..4).any(|slot| targeted[slot] && cell.antigen[slot] > 0);
    let layout = config.site_layout();
    let compartment_of = |site: u16| layout.compartment_of(site).index() as u16;
    // Per chunk: its CAR-T cells by site and its possible targets by compartment.
    let lists: Vec<(Vec<BinEntry>, Vec<BinEntry>)> = cells
        .par_chunks(CHUNK_ROWS)
        .enumerate()
        .map(|(chunk, part)| {
            let mut cars = Vec::new();
            let mut targets = Vec::new();
            for (offset, cell) in part.iter().enumerate() {
                let row = (chunk * CHUNK_ROWS + offset) as u32;
                if cell.population.is_car_t() {
                    cars.push((cell.site, row, *cell));
                } else if cell.is_alive() && may_be_targeted(cell) {
                    targets.push((compartment_of(cell.site), row, *cell));
                }
            }
            (cars, targets)
        })
        .collect();
    let sites = census.by_site.len();
    if lists.iter().all(|l| l.0.is_empty()) {
        return Encounters::default();
    }
    let cars = binned(lists.iter().map(|l| l.0.as_slice()), sites);
    let targets = binned(lists.iter().map(|l| l.1.as_slice()), Compartment::COUNT);
    // Freed as soon as both are sorted: at the peak of CAR-T expansion they are among
    // the largest allocations of the step.
    drop(lists);
    let params = &config.params;
    let probes_per_cell = params.car_t.encounters_per_day * config.dt_days;
    let weight = |kind: Kind| weights.get(kind);
    // Per compartment: its targets' share of its real cells, and one engagement memo
    // keyed by its first CAR-T cell's (product, CAR expression).
    let mut compartment_cells = [0.0f64; Compartment::COUNT];
    for (site, counts) in census.by_site.iter().enumerate() {
        let c = compartment_of(site as u16) as usize;
        compartment_cells[c] += Population::LIVING
            .iter()
            .map(|&p| f64::from(counts[p.index()]) * weights.get(p.kind()))
            .sum::<f64>();
    }
    let mut first_car: [Option<(u8, u16)>; Compartment::COUNT] = [None; Compartment::COUNT];
    for site in 0..sites {
        let c = compartment_of(site as u16) as usize;
        if let (None, Some(car)) = (first_car[c], cars.bin(site).1.first()) {
            first_car[c] = Some((car.product, car.car_expression));
        }
    }
    let pools: Vec<(f64, EngagementMemo)> = (0..Compartment::COUNT)
        .map(|c| {
            let target_cells = targets.bin(c).1;
            let real: f64 = target_cells
                .iter()
                .map(|cell| weights.get(cell.population.kind()))
                .sum();
            let key = first_car[c].unwrap_or_default();
            let memo_len = if first_car[c].is_some() {
                target_cells.len()
            } else {
                0
            };
            (
                killing::target_share(real, compartment_cells[c]),
                EngagementMemo::new(memo_len, key),
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
                memo: &pools[c].1,
                meetings: killing::meetings(probes_per_cell, pools[c].0, &weight),
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
        .map(|&r| weights.get(cells[r as usize].population.kind()))
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
