//! Adaptive agent weights: a bounded number of CAR-T agents through expansion.
//!
//! An agent of a kind stands for `cells_per_agent × 2^d` real cells, where `d` (the
//! kind's doublings, [`crate::census::Census::doublings`]) is part of the patient's
//! state. When a kind's agents outgrow their budget, every agent of the kind is kept
//! with probability 2^-k and `d` grows by k, the fewest doublings that bring the
//! agents under the budget (thinning); when they fall below [`SPLIT_SHARE`] of the
//! budget and `d > 0`, every agent is cloned under a new id and `d` falls by one
//! (splitting), so rare cells (the infused dose, the few CAR-T cells left months
//! later) keep the run's resolution. Both preserve the expected number of real cells
//! of every state an agent can be in: a kept agent is worth 2^k times as much, and a
//! clone and its original each half. Thinning leaves between half the budget and the
//! budget (in expectation), above the split threshold, so a kind does not flip between
//! weights step after step; splitting as soon as the agents fall below that threshold
//! keeps the kind at its finest weight
//! whenever the budget allows it: rare populations keep their resolution, and
//! endpoints stay within seed noise of the fixed-weight run (docs/performance.md).
//!
//! Only CAR-T cells are resampled: their positions are always explicit, so each
//! removed or cloned agent is counted out of or into its own site. Host B and T cells
//! may have implicit positions (`rules::quiet`), whose per-site counts are drawn rather
//! than held by rows.
//!
//! The census and the world's row counts ([`crate::row_census`]) lose each removed
//! agent and gain each clone alike.
//!
//! Resampling happens at a step boundary, after the step's census is complete: draws
//! come from streams keyed by (seed, step, cell id, [`Purpose::Resample`]), clones get
//! counted ids in row order ([`crate::ids::counted`]), so the result is the same at any
//! thread count and after a resume.

use crate::census::Census;
use crate::config::{MAX_DOUBLINGS, RunConfig, slot};
use crate::ids::IdCounters;
use crate::phases::births;
use crate::rng::{Purpose, StepKey};
use crate::world::{CHUNK_ROWS, CellWorld};
use immunosim_model::cell::Kind;
use immunosim_model::{Cell, Draws, Population};
use rayon::prelude::*;

/// Share of the budget below which a coarsened kind is split: above the half of the
/// budget that thinning leaves (so a thinned kind is not split back in the next step
/// unless it contracts by a fifth), as high as that allows.
pub const SPLIT_SHARE: f64 = 0.4;

/// What a step boundary does to a kind's agents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resample {
    /// Nothing.
    Keep,
    /// Keep each agent with probability 2^-k; the weight doubles k times (as many as
    /// bring the agents under the budget, so a step that more than doubled the pool
    /// still ends at or below it).
    Thin(u8),
    /// Clone each agent; the weight halves.
    Split,
}

/// The rule: thin above `budget` agents (unless at [`MAX_DOUBLINGS`]), split below
/// [`SPLIT_SHARE`] of it when coarser than the run's resolution, else keep. A budget of 0 keeps
/// the weight fixed.
pub fn decide(agents: u64, budget: u64, doublings: u8) -> Resample {
    if budget == 0 {
        Resample::Keep
    } else if agents > budget && doublings < MAX_DOUBLINGS {
        let mut k = 1u8;
        while agents as f64 > budget as f64 * f64::powi(2.0, i32::from(k))
            && doublings + k < MAX_DOUBLINGS
        {
            k += 1;
        }
        Resample::Thin(k)
    } else if doublings > 0 && (agents as f64) < budget as f64 * SPLIT_SHARE {
        Resample::Split
    } else {
        Resample::Keep
    }
}

/// Whether an agent survives thinning by `k` doublings, from its own draw:
/// probability 2^-k.
#[inline]
pub fn kept_in_thinning(draws: &mut impl Draws, k: u8) -> bool {
    draws.chance(0.5f64.powi(i32::from(k)))
}

/// Resamples the CAR-T agents at the boundary closing step `step`, by [`decide`] on the
/// census of that boundary; the census, rows and id counters change together. Returns
/// what was done.
pub fn resample_car_t(
    world: &mut CellWorld,
    census: &mut Census,
    ids: &mut IdCounters,
    config: &RunConfig,
    step: u64,
) -> Resample {
    let k = slot(Kind::CarT).expect("CAR-T cells carry a weight");
    let action = decide(
        census.car_t_agents(),
        config.car_t_agent_budget,
        census.doublings[k],
    );
    match action {
        Resample::Keep => {}
        Resample::Thin(doublings) => {
            let key = StepKey::new(config.seed, step, Purpose::Resample);
            let (rows, counts) = world.rows_and_counts(census.by_site.len());
            let removed: Vec<Vec<Cell>> = rows
                .par_chunks_mut(CHUNK_ROWS)
                .map(|rows| {
                    let mut removed = Vec::new();
                    for cell in rows.iter_mut().filter(|c| c.population.is_car_t()) {
                        if !kept_in_thinning(&mut key.cell(cell.id.0), doublings) {
                            removed.push(*cell);
                            cell.population = Population::Dead;
                        }
                    }
                    removed
                })
                .collect();
            for cell in removed.iter().flatten() {
                census.remove(cell);
                counts.remove(cell);
            }
            census.doublings[k] += doublings;
        }
        Resample::Split => {
            // Clones and free rows in row order (chunk by chunk): clones take counted ids
            // in that order and fill the free rows first, then new rows at the end.
            let found: Vec<(Vec<Cell>, Vec<u32>)> = world
                .cells()
                .par_chunks(CHUNK_ROWS)
                .enumerate()
                .map(|(chunk, rows)| {
                    let (mut clones, mut free) = (Vec::new(), Vec::new());
                    for (offset, cell) in rows.iter().enumerate() {
                        if cell.population.is_car_t() {
                            clones.push(*cell);
                        } else if !cell.is_alive() {
                            free.push((chunk * CHUNK_ROWS + offset) as u32);
                        }
                    }
                    (clones, free)
                })
                .collect();
            let (clones, free): (Vec<Vec<Cell>>, Vec<Vec<u32>>) = found.into_iter().unzip();
            births::place_clones(world, census, ids, clones.concat(), &free);
            census.doublings[k] -= 1;
        }
    }
    action
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Weights;

    #[test]
    fn the_rule_thins_under_the_budget_and_splits_below_its_split_share() {
        assert_eq!(decide(1_000_000, 0, 0), Resample::Keep);
        assert_eq!(decide(101, 100, 0), Resample::Thin(1));
        assert_eq!(decide(200, 100, 0), Resample::Thin(1));
        // A pool that more than doubled is thinned as often as it takes.
        assert_eq!(decide(201, 100, 0), Resample::Thin(2));
        assert_eq!(decide(1_000, 100, 0), Resample::Thin(4));
        assert_eq!(decide(1_000, 100, MAX_DOUBLINGS - 2), Resample::Thin(2));
        assert_eq!(decide(100, 100, 0), Resample::Keep);
        assert_eq!(decide(101, 100, MAX_DOUBLINGS), Resample::Keep);
        // Never finer than the run's resolution.
        assert_eq!(decide(3, 100, 0), Resample::Keep);
        assert_eq!(decide(39, 100, 2), Resample::Split);
        assert_eq!(decide(40, 100, 2), Resample::Keep);
        // What thinning leaves (at least half the budget) is not split back.
        assert_eq!(decide(50, 100, 1), Resample::Keep);
    }

    /// Thinning keeps each agent with probability 1/2 at twice the weight: the real
    /// cells it stands for are conserved in expectation (over many agents, within 4
    /// standard errors of the binomial); splitting conserves them exactly.
    #[test]
    fn resampling_conserves_real_cells_in_expectation() {
        let (agents, weight) = (200_000u64, 1e5);
        let key = StepKey::new(7, 3, Purpose::Resample);
        let kept = (0..agents)
            .filter(|&id| kept_in_thinning(&mut key.cell(id), 1))
            .count() as f64;
        let before = agents as f64 * weight;
        let after = kept * 2.0 * weight;
        let se = 2.0 * weight * (agents as f64 * 0.25).sqrt();
        assert!(
            (after - before).abs() < 4.0 * se,
            "{after:e} cells after thinning against {before:e}"
        );
        // And per state: the agents kept of any subset are half of it on average (here
        // every tenth id, e.g. one phenotype).
        let subset: Vec<u64> = (0..agents).step_by(10).collect();
        let kept_subset = subset
            .iter()
            .filter(|&&id| kept_in_thinning(&mut key.cell(id), 1))
            .count() as f64;
        let n = subset.len() as f64;
        assert!((kept_subset - n / 2.0).abs() < 4.0 * (n * 0.25).sqrt());
        // Three doublings at once: kept with probability 1/8 at eight times the weight.
        let kept_3 = (0..agents)
            .filter(|&id| kept_in_thinning(&mut key.cell(id), 3))
            .count() as f64;
        let after_3 = kept_3 * 8.0 * weight;
        let se_3 = 8.0 * weight * (agents as f64 * (1.0 / 8.0) * (7.0 / 8.0)).sqrt();
        assert!(
            (after_3 - before).abs() < 4.0 * se_3,
            "{after_3:e} cells after thinning by 3 against {before:e}"
        );
        // Splitting: twice the agents at half the weight.
        let config = RunConfig::default();
        let coarse = Weights::new(&config, [0, 0, 0, 3]).get(Kind::CarT);
        let fine = Weights::new(&config, [0, 0, 0, 2]).get(Kind::CarT);
        assert_eq!(coarse, 2.0 * fine);
        assert_eq!(Weights::new(&config, [0; 4]).get(Kind::CarT), 1e5);
    }
}
