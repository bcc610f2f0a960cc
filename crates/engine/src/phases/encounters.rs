//! CAR-T encounters, site by site: who meets whom, in parallel and deterministically.
//!
//! Cells are binned by site (a stable counting sort of two lists: the CAR-T cells and
//! the cells carrying any antigen that some product targets). Each site's encounters are
//! then resolved independently, in parallel, with the site's own random stream, by the
//! model's law of one CAR-T agent's encounters
//! ([`immunosim_model::rules::killing::car_agent_encounters`]). Results are applied in
//! site order, so they do not depend on threads.

use crate::census::Census;
use crate::config::RunConfig;
use crate::config::Weights;
use crate::rng::{Purpose, StepKey};
use crate::world::CHUNK_ROWS;
use immunosim_model::cell::Kind;
use immunosim_model::crs;
use immunosim_model::rules::killing::{self, EngagementMemo, SiteEncounters};
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

/// A (site, row) pair.
type SiteEntry = (u16, u32);

/// Rows grouped by site: `rows[start[s]..start[s + 1]]` are the rows of site `s`, and
/// `cells` their cells in the same order (copies: the encounters of a site then read
/// its own contiguous list instead of scattered rows of the table).
struct BySite {
    start: Vec<usize>,
    rows: Vec<u32>,
    cells: Vec<Cell>,
}

impl BySite {
    /// The rows and cells of site `s`.
    fn site(&self, s: usize) -> (&[u32], &[Cell]) {
        let range = self.start[s]..self.start[s + 1];
        (&self.rows[range.clone()], &self.cells[range])
    }
}

/// Stable counting sort of (site, row) pairs that arrive in row order; the cells are
/// copied from `table` in that (ascending) order.
fn by_site(entries: &[(u16, u32)], sites: usize, table: &[Cell]) -> BySite {
    let mut start = vec![0usize; sites + 1];
    for &(site, _) in entries {
        start[usize::from(site) + 1] += 1;
    }
    for s in 0..sites {
        start[s + 1] += start[s];
    }
    let mut next = start.clone();
    let mut rows = vec![0u32; entries.len()];
    let mut cells = vec![Cell::default(); entries.len()];
    for &(site, row) in entries {
        let at = next[usize::from(site)];
        rows[at] = row;
        cells[at] = table[row as usize];
        next[usize::from(site)] += 1;
    }
    BySite { start, rows, cells }
}

/// Resolves this step's encounters. `cells` is read only.
pub fn encounters(cells: &[Cell], census: &Census, config: &RunConfig, step: u64) -> Encounters {
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
    let lists: Vec<(Vec<SiteEntry>, Vec<SiteEntry>)> = cells
        .par_chunks(CHUNK_ROWS)
        .enumerate()
        .map(|(chunk, part)| {
            let mut cars = Vec::new();
            let mut targets = Vec::new();
            for (offset, cell) in part.iter().enumerate() {
                let row = (chunk * CHUNK_ROWS + offset) as u32;
                if cell.population.is_car_t() {
                    cars.push((cell.site, row));
                } else if cell.is_alive() && may_be_targeted(cell) {
                    targets.push((cell.site, row));
                }
            }
            (cars, targets)
        })
        .collect();
    let sites = census.by_site.len();
    let cars: Vec<(u16, u32)> = lists.iter().flat_map(|l| l.0.iter().copied()).collect();
    if cars.is_empty() {
        return Encounters::default();
    }
    let targets: Vec<(u16, u32)> = lists.iter().flat_map(|l| l.1.iter().copied()).collect();
    // Each list is freed as soon as it is sorted: at the peak of CAR-T expansion they
    // are the largest allocations of the step.
    drop(lists);
    let sorted = |entries: Vec<SiteEntry>| by_site(&entries, sites, cells);
    let (cars, targets) = (sorted(cars), sorted(targets));
    let params = &config.params;
    let probes_per_cell = params.car_t.encounters_per_day * config.dt_days;
    let weights = census.weights(config);
    let weight = |kind: Kind| weights.get(kind);
    let key = StepKey::new(config.seed, step, Purpose::Killing);
    let per_site: Vec<Encounters> = (0..sites)
        .into_par_iter()
        .map(|site| {
            let (site_cars, car_cells) = cars.site(site);
            let (site_targets, target_cells) = targets.site(site);
            let mut killed = Vec::new();
            let mut stimulated = Vec::new();
            let mut stimulated_cells = Vec::new();
            if site_cars.is_empty() || site_targets.is_empty() {
                return Encounters::default();
            }
            let site_cells: f64 = Population::LIVING
                .iter()
                .map(|&p| f64::from(census.by_site[site][p.index()]) * weights.get(p.kind()))
                .sum();
            let target_real_cells: f64 = target_cells
                .iter()
                .map(|cell| weights.get(cell.population.kind()))
                .sum();
            let law = SiteEncounters {
                targets: site_targets,
                target_cells,
                target_share: killing::target_share(target_real_cells, site_cells),
                probes_per_cell,
                kills_per_cell_max: params.car_t.max_kills_per_day * config.dt_days,
                weight: &weight,
                memo: EngagementMemo::new(site_targets.len()).into(),
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
            killed.sort_unstable();
            killed.dedup();
            Encounters {
                killed,
                stimulated,
                stimulated_cells,
            }
        })
        .collect();
    let mut out = Encounters::default();
    for site in per_site {
        out.killed.extend(site.killed);
        out.stimulated.extend(site.stimulated);
        out.stimulated_cells.extend(site.stimulated_cells);
    }
    out.killed.sort_unstable();
    out
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
pub fn apply(cells: &mut [Cell], encounters: &Encounters) {
    for &row in &encounters.killed {
        cells[row as usize].population = immunosim_model::Population::Dead;
    }
    for &row in &encounters.stimulated {
        cells[row as usize].flags |= Cell::FLAG_STIMULATED;
    }
}
