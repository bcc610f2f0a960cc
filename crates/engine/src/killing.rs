//! CAR-T encounters, site by site.
//!
//! Cells are binned by site (a stable counting sort of two lists: the CAR-T cells and
//! the cells carrying any antigen that some product targets). Each site's encounters are
//! then resolved independently, in parallel, with the site's own random stream: every
//! real CAR-T cell probes `encounters_per_day` cells of its site per day; a probe meets a
//! target with the targets' share of the site, engages it with the construct's
//! activation, and kills it with the kill probability. A CAR-T agent is stimulated with
//! the probability that one of its cells engages at least once; its kills are its real
//! cells' probes counted in target agents (the ratio of agent weights). Results are applied in site order, so they do not depend on threads.

use crate::census::Census;
use crate::config::RunConfig;
use crate::rng::{Purpose, StepKey};
use crate::simulation::CHUNK_ROWS;
use immunosim_model::cell::Kind;
use immunosim_model::rules::killing;
use immunosim_model::{Cell, Draws, Population};
use rayon::prelude::*;

/// Targets sampled to estimate the mean activation a CAR-T cell meets in its site.
const STIMULATION_SAMPLES: usize = 4;

/// What a step's encounters did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Encounters {
    /// Rows of targets killed (ascending, unique).
    pub killed: Vec<u32>,
    /// Rows of CAR-T cells that engaged antigen.
    pub stimulated: Vec<u32>,
}

/// A (site, row) pair.
type SiteEntry = (u16, u32);

/// Rows grouped by site: `rows[start[s]..start[s + 1]]` are the rows of site `s`.
struct BySite {
    start: Vec<usize>,
    rows: Vec<u32>,
}

/// Stable counting sort of (site, row) pairs that arrive in row order.
fn by_site(entries: &[(u16, u32)], sites: usize) -> BySite {
    let mut start = vec![0usize; sites + 1];
    for &(site, _) in entries {
        start[usize::from(site) + 1] += 1;
    }
    for s in 0..sites {
        start[s + 1] += start[s];
    }
    let mut next = start.clone();
    let mut rows = vec![0u32; entries.len()];
    for &(site, row) in entries {
        rows[next[usize::from(site)]] = row;
        next[usize::from(site)] += 1;
    }
    BySite { start, rows }
}

/// Resolves this step's encounters. `cells` is read only.
pub fn encounters(cells: &[Cell], census: &Census, config: &RunConfig, step: u64) -> Encounters {
    if config.products.is_empty() {
        return Encounters::default();
    }
    let products = &config.products;
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
                } else if cell.is_alive() && products.iter().any(|p| p.construct.may_target(cell)) {
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
    let (cars, targets) = (by_site(&cars, sites), by_site(&targets, sites));
    let params = &config.params;
    let probes_per_cell = params.car_t.encounters_per_day * config.dt_days;
    let weight_ratio = config.weight(Kind::CarT) / config.weight(Kind::BCell);
    let key = StepKey::new(config.seed, step, Purpose::Killing);
    let per_site: Vec<(Vec<u32>, Vec<u32>)> = (0..sites)
        .into_par_iter()
        .map(|site| {
            let site_cars = &cars.rows[cars.start[site]..cars.start[site + 1]];
            let site_targets = &targets.rows[targets.start[site]..targets.start[site + 1]];
            let mut killed = Vec::new();
            let mut stimulated = Vec::new();
            if site_cars.is_empty() || site_targets.is_empty() {
                return (killed, stimulated);
            }
            // Shares of real cells, not of agents: kinds carry different weights (CAR-T
            // agents are finer), and a site crowded with CAR-T agents must not look
            // emptier of targets than it is.
            let members: f64 = Population::LIVING
                .iter()
                .map(|&p| f64::from(census.by_site[site][p.index()]) * config.weight(p.kind()))
                .sum();
            let target_cells: f64 = site_targets
                .iter()
                .map(|&row| config.weight(cells[row as usize].population.kind()))
                .sum();
            let target_share = (target_cells / members.max(1.0)).min(1.0);
            let mut draws = key.cell(site as u64);
            for &car_row in site_cars {
                let car = &cells[car_row as usize];
                let product = &products[usize::from(car.product)];
                // Stimulation is what one real CAR-T cell of this agent experiences:
                // engagements ~ Poisson(probes x target share x mean activation), with the
                // mean activation estimated from a few targets of the site.
                let mean_activation = (0..STIMULATION_SAMPLES)
                    .map(|_| {
                        let row = site_targets[draws.index(site_targets.len())];
                        killing::engagement(&cells[row as usize], car, product, params)
                    })
                    .sum::<f64>()
                    / STIMULATION_SAMPLES as f64;
                let engagements = probes_per_cell * target_share * mean_activation;
                let engaged = draws.chance(-(-engagements).exp_m1());
                // Kills: each probe of the agent's real cells meets one real target; the
                // agent's probes are counted in units of target agents.
                for _ in 0..draws.poisson(probes_per_cell * weight_ratio) {
                    if !draws.chance(target_share) {
                        continue;
                    }
                    let target_row = site_targets[draws.index(site_targets.len())];
                    let target = &cells[target_row as usize];
                    if !draws.chance(killing::engagement(target, car, product, params)) {
                        continue;
                    }
                    // A probe is one real target cell; an agent of another weight dies
                    // with the ratio of weights, so real kills are conserved.
                    let target_weight = config.weight(target.population.kind());
                    let per_agent = (config.weight(Kind::BCell) / target_weight).min(1.0);
                    if draws.chance(killing::kill_probability(car, params) * per_agent) {
                        killed.push(target_row);
                    }
                }
                if engaged {
                    stimulated.push(car_row);
                }
            }
            killed.sort_unstable();
            killed.dedup();
            (killed, stimulated)
        })
        .collect();
    let mut out = Encounters::default();
    for (killed, stimulated) in per_site {
        out.killed.extend(killed);
        out.stimulated.extend(stimulated);
    }
    out.killed.sort_unstable();
    out
}

/// IL-6 production (serum pg/mL per day) from this step's encounters: killed target
/// cells and engaged CAR-T cells, in real cells, amplified by myeloid cells (MODEL.md §4;
/// rates in `parameters.crs`).
pub fn il6_production(cells: &[Cell], encounters: &Encounters, config: &RunConfig) -> f64 {
    let real = |rows: &[u32]| -> f64 {
        rows.iter()
            .map(|&r| config.weight(cells[r as usize].population.kind()))
            .sum()
    };
    let crs = &config.params.crs;
    let per_day = 1.0 / config.dt_days;
    let drive = (crs.il6_per_billion_kills_pg_per_ml * real(&encounters.killed)
        + crs.il6_per_billion_stimulated_car_t_pg_per_ml * real(&encounters.stimulated))
        * 1e-9
        * per_day;
    immunosim_model::crs::myeloid_amplified_production(drive, &config.params)
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
