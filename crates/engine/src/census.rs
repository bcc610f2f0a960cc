//! The census: integer counts of agents by site, population and specificity.
//!
//! Counted per chunk in the parallel pass and merged in chunk order. All counts are
//! integers, so the merge is exact and the census is the same at any thread count.
//! The per-site, per-population counts are the first half of a counting sort by site:
//! they are what a cell's encounters within its site are drawn from.

use crate::config::RunConfig;
use crate::config::Weights;
use crate::rng::Stream;
use immunosim_model::cell::{Population, Specificity};
use immunosim_model::compartment::{Compartment, SiteLayout};
use immunosim_model::fields::SecretingCells;
use immunosim_model::rules::hazards::StepHazards;
use immunosim_model::rules::turnover;
use immunosim_model::steady_state::SteadyState;

/// Agents whose positions are implicit, by population and specificity (counted in the
/// cell pass, placed by [`Census::place_implicit`]).
pub type Unplaced = [[u32; Specificity::COUNT]; Population::COUNT];

/// Agent counts at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Census {
    /// Agents by site and population.
    pub by_site: Vec<[u32; Population::COUNT]>,
    /// Self-reactive agents by compartment and population.
    pub autoreactive: [[u32; Population::COUNT]; Compartment::COUNT],
    /// Agents by population and specificity (all compartments).
    pub by_specificity: [[u32; Specificity::COUNT]; Population::COUNT],
    /// Times each weighted kind's weight has been doubled from the run's
    /// `cells_per_agent` (the `weights` module's resampling), in [`Kind::WEIGHTED`] order: what one
    /// agent of the counts stands for. Carried from each step's census to the next.
    pub doublings: [u8; 4],
}

impl Census {
    /// An empty census for `sites` sites.
    pub fn new(sites: usize) -> Census {
        Census {
            by_site: vec![[0; Population::COUNT]; sites],
            ..Census::default()
        }
    }

    /// Real cells per agent of each kind now: the one conversion of agents to cells.
    pub fn weights(&self, config: &RunConfig) -> Weights {
        Weights::new(config, self.doublings)
    }

    /// Uncounts one cell (the inverse of [`Census::add`]; explicit positions only).
    pub fn remove(&mut self, cell: &immunosim_model::Cell) {
        let p = cell.population.index();
        self.by_site[usize::from(cell.site)][p] -= 1;
        self.by_specificity[p][cell.specificity.index()] -= 1;
        if cell.specificity == Specificity::Autoantigen {
            self.autoreactive[cell.compartment.index()][p] -= 1;
        }
    }

    /// Counts one cell.
    #[inline]
    pub fn add(&mut self, cell: &immunosim_model::Cell, layout_compartment: Compartment) {
        let p = cell.population.index();
        self.by_site[usize::from(cell.site)][p] += 1;
        self.by_specificity[p][cell.specificity.index()] += 1;
        if cell.specificity == Specificity::Autoantigen {
            self.autoreactive[layout_compartment.index()][p] += 1;
        }
    }

    /// Places agents whose positions are implicit (`rules::quiet`): each is in a
    /// compartment drawn from its population's stationary shares
    /// ([`StepHazards::compartment_share`]) and in a uniform site of it, independently of the others, so the
    /// counts by site are one multinomial draw per population and specificity, taken as
    /// a chain of binomials (compartments, then the sites of each). Each (population,
    /// specificity) draws from its own stream (`stream(group)`), so a change in one
    /// group's count leaves the others' placement as it was (common random numbers
    /// between scenarios that differ a little).
    pub fn place_implicit(
        &mut self,
        unplaced: &Unplaced,
        hazards: &StepHazards,
        layout: &SiteLayout,
        stream: impl Fn(u64) -> Stream,
    ) {
        for population in Population::LIVING {
            let p = population.index();
            for specificity in Specificity::ALL {
                let n = unplaced[p][specificity.index()];
                if n == 0 {
                    continue;
                }
                let draws = &mut stream((p * Specificity::COUNT + specificity.index()) as u64);
                self.by_specificity[p][specificity.index()] += n;
                let (mut left, mut mass_left) = (u64::from(n), 1.0_f64);
                for compartment in Compartment::ALL {
                    let c = compartment.index();
                    let share = hazards.compartment_share(population, compartment);
                    let in_compartment = if c + 1 == Compartment::COUNT {
                        left
                    } else {
                        draws.binomial(left, share / mass_left.max(f64::MIN_POSITIVE))
                    };
                    left -= in_compartment;
                    mass_left -= share;
                    if specificity == Specificity::Autoantigen {
                        self.autoreactive[c][p] += in_compartment as u32;
                    }
                    let sites = layout.count(compartment);
                    let mut here_left = in_compartment;
                    for k in 0..sites {
                        let in_site = if k + 1 == sites {
                            here_left
                        } else {
                            draws.binomial(here_left, 1.0 / f64::from(sites - k))
                        };
                        here_left -= in_site;
                        self.by_site[usize::from(layout.site(compartment, k))][p] += in_site as u32;
                    }
                }
            }
        }
    }

    /// Adds another census's counts (same layout; the doublings stay this census's).
    pub fn merge(&mut self, other: &Census) {
        self.combine(other, |x, y| x + y);
    }

    /// Combines every count with `other`'s at the same place (same layout): the one
    /// walk over the census's arrays that merging and applying a delta share.
    pub(crate) fn combine(&mut self, other: &Census, f: impl Fn(u32, u32) -> u32) {
        let pairs = self
            .by_site
            .iter_mut()
            .zip(&other.by_site)
            .map(|(a, b)| (&mut a[..], &b[..]))
            .chain(
                self.autoreactive
                    .iter_mut()
                    .zip(&other.autoreactive)
                    .map(|(a, b)| (&mut a[..], &b[..])),
            )
            .chain(
                self.by_specificity
                    .iter_mut()
                    .zip(&other.by_specificity)
                    .map(|(a, b)| (&mut a[..], &b[..])),
            );
        for (a, b) in pairs {
            for (x, &y) in a.iter_mut().zip(b) {
                *x = f(*x, y);
            }
        }
    }

    /// Agents of `population` in `compartment`.
    pub fn agents(
        &self,
        layout: &SiteLayout,
        compartment: Compartment,
        population: Population,
    ) -> u64 {
        (0..layout.count(compartment))
            .map(|k| {
                u64::from(
                    self.by_site[usize::from(layout.site(compartment, k))][population.index()],
                )
            })
            .sum()
    }

    /// Agents of `population` anywhere.
    pub fn total(&self, population: Population) -> u64 {
        self.by_specificity[population.index()]
            .iter()
            .map(|&n| u64::from(n))
            .sum()
    }

    /// Living CAR-T agents.
    pub fn car_t_agents(&self) -> u64 {
        Population::LIVING
            .iter()
            .filter(|p| p.is_car_t())
            .map(|&p| self.total(p))
            .sum()
    }

    /// Living agents.
    pub fn living(&self) -> u64 {
        Population::LIVING.iter().map(|&p| self.total(p)).sum()
    }

    /// Real cells of `population` anywhere, at the current weights.
    pub fn cells(&self, population: Population, config: &RunConfig) -> f64 {
        self.cells_at(population, &self.weights(config))
    }

    /// Real cells of `population` in `compartment` at `weights` (the self-reactive agents
    /// of a finer pool at their own weight, [`Weights::cells`]).
    pub fn cells_in(
        &self,
        layout: &SiteLayout,
        compartment: Compartment,
        population: Population,
        weights: &Weights,
    ) -> f64 {
        let agents = self.agents(layout, compartment, population);
        let auto = self.autoreactive[compartment.index()][population.index()];
        weights.cells(population, agents as f64, f64::from(auto))
    }

    /// Real cells of `population` anywhere at `weights` (the self-reactive agents of a
    /// finer pool at their own weight, [`Weights::of`]).
    pub fn cells_at(&self, population: Population, weights: &Weights) -> f64 {
        let auto = self.by_specificity[population.index()][Specificity::Autoantigen.index()];
        weights.cells(population, self.total(population) as f64, f64::from(auto))
    }

    /// Real cells per agent of each population (indexed as `Population::index`) for a
    /// cell that meets random members of its site (`rules::SiteView::meet`), or `None`
    /// when every population with agents has the same weight, so that a uniform agent is
    /// a uniform cell.
    pub fn meeting_weights(&self, weights: &Weights) -> Option<[f64; Population::COUNT]> {
        // A population with self-reactive agents of a finer weight meets at its mean
        // weight: a site's self-reactive share is not counted, and is the population's
        // own share up to sampling noise (every agent of a population and specificity
        // is placed from the same stationary shares, uniformly over the sites).
        let mut by_population = [0.0; Population::COUNT];
        for population in Population::LIVING {
            let (total, weight) = (self.total(population), weights.get(population.kind()));
            let finer = weights.of(population, Specificity::Autoantigen) != weight;
            by_population[population.index()] = if finer && total > 0 {
                self.cells_at(population, weights) / total as f64
            } else {
                weight
            };
        }
        let mut present = Population::LIVING
            .into_iter()
            .filter(|&p| self.total(p) > 0)
            .map(|p| by_population[p.index()]);
        let first = present.next()?;
        present.any(|w| w != first).then_some(by_population)
    }
}

/// What the census implies for a step: real-cell totals the fields and rules read.
impl Census {
    /// ln(host T-cell set point / current T cells, host and CAR-T alike): the
    /// IL-7/IL-15 excess that drives homeostatic growth, which CAR-T cells compete for;
    /// 0 at or above the set point.
    pub fn t_cell_lymphopenia(&self, config: &RunConfig, steady: &SteadyState) -> f64 {
        let (host, set_point) = self.host_t_cells(config, steady);
        let car_t: f64 = Population::LIVING
            .iter()
            .filter(|p| p.is_car_t())
            .map(|&p| self.cells(p, config))
            .sum();
        turnover::log_lymphopenia(set_point, host + car_t)
    }

    /// All real CAR-T cells relative to their carrying capacity (Kimmel's K_C).
    pub fn car_t_crowding(&self, config: &RunConfig) -> f64 {
        let car_t: f64 = Population::LIVING
            .iter()
            .filter(|p| p.is_car_t())
            .map(|&p| self.cells(p, config))
            .sum();
        car_t / config.params.car_t.carrying_capacity_cells.max(1.0)
    }

    /// Malignant B cells relative to their untreated plateau (0 without a tumour).
    pub fn tumour_relative(&self, config: &RunConfig) -> f64 {
        let plateau = config.params.tumour.burden_cells;
        if plateau <= 0.0 {
            return 0.0;
        }
        self.cells(Population::LymphomaB, config) / plateau
    }

    /// Host T cells relative to their set point (1 at steady state).
    pub fn host_t_relative(&self, config: &RunConfig, steady: &SteadyState) -> f64 {
        let (host, set_point) = self.host_t_cells(config, steady);
        host / set_point.max(1.0)
    }

    /// Real host T cells and their set point.
    fn host_t_cells(&self, config: &RunConfig, steady: &SteadyState) -> (f64, f64) {
        let set_point: f64 = steady.t_cells.iter().map(|t| t.1).sum();
        let host: f64 = steady.t_cells.iter().map(|t| self.cells(t.0, config)).sum();
        (host, set_point)
    }

    /// Real antibody-secreting cells by specificity.
    pub fn secreting_cells(&self, config: &RunConfig) -> SecretingCells {
        let weights = self.weights(config);
        let mut out = SecretingCells::default();
        for population in [Population::Plasmablast, Population::PlasmaCell] {
            for (specificity, (total, &n)) in Specificity::ALL.into_iter().zip(
                out.by_specificity
                    .iter_mut()
                    .zip(&self.by_specificity[population.index()]),
            ) {
                *total += f64::from(n) * weights.of(population, specificity);
            }
        }
        out
    }

    /// Real recirculating B cells (transitional, naive, memory): the pool BAFF senses.
    pub fn peripheral_b_cells(&self, config: &RunConfig) -> f64 {
        [
            Population::BTransitional,
            Population::BNaive,
            Population::BMemory,
        ]
        .iter()
        .map(|&p| self.cells(p, config))
        .sum()
    }

    /// Share of marrow niches free.
    pub fn niche_free_fraction(&self, config: &RunConfig, steady: &SteadyState) -> f64 {
        let held = self.cells(Population::PlasmaCell, config);
        (1.0 - held / steady.niche_capacity).clamp(0.0, 1.0)
    }

    /// Homeostatic division rates this step ([`turnover::division_rates`]).
    pub fn division_rates(
        &self,
        config: &RunConfig,
        steady: &SteadyState,
    ) -> [f64; Population::COUNT] {
        turnover::division_rates(&config.params, steady, |population| {
            self.cells(population, config)
        })
    }
}
