//! The rules of biology, one module per process, and the per-cell step that applies
//! them in a fixed order.
//!
//! A rule reads the cell, the step's [`StepContext`] (parameters, derived rates, field
//! values at the start of the step) and draws; it may change the cell, kill it, or push
//! daughters into `births`. Rules never see other cells directly: within-site encounters
//! go through a [`SiteView`] of the cell's site taken at the start of the step.

pub mod activation;
pub mod anti_cd20;
pub mod antigens;
pub mod car_t;
pub mod germinal_centre;
pub mod hazards;
pub mod infusion;
pub mod killing;
pub mod lymphodepletion;
pub mod lymphoma;
pub mod lymphopoiesis;
pub mod maturation;
pub mod migration;
pub mod plasma_cells;
pub mod quiet;
#[cfg(test)]
pub(crate) mod testing;
pub mod turnover;

use crate::cell::{Cell, Population};
use crate::compartment::SiteLayout;
use crate::draws::Draws;
use crate::parameters::Parameters;
use crate::steady_state::SteadyState;

/// Read-only inputs of one step, shared by all cells.
#[derive(Clone, Debug)]
pub struct StepContext<'a> {
    /// Model parameters.
    pub params: &'a Parameters,
    /// Rates derived from the healthy steady state.
    pub derived: &'a SteadyState,
    /// Site numbering.
    pub sites: &'a SiteLayout,
    /// Step length, days.
    pub dt_days: f64,
    /// Simulated day at the start of the step.
    pub day: f64,
    /// BAFF relative to the healthy set point.
    pub baff_relative: f64,
    /// Autoantigen load, relative units.
    pub autoantigen: f64,
    /// Vaccine antigen in lymphoid tissue (vaccine A, vaccine B), relative units (one
    /// fresh dose = 1, half-saturating).
    pub vaccine_antigen: [f64; 2],
    /// Marrow B-lymphoid progenitors relative to health (1; cut by chemotherapy and
    /// regrowing, [`lymphodepletion::b_progenitor_relative`]): scales pre-B output.
    pub b_progenitor_relative: f64,
    /// Share of marrow plasma-cell niches that are free (0 to 1).
    pub niche_free_fraction: f64,
    /// Homeostatic division rate per population (1/day), set from the census.
    pub division_rate_per_day: [f64; Population::COUNT],
    /// This step's event probabilities ([`hazards::StepHazards::new`] of this context).
    pub hazards: hazards::StepHazards,
    /// ln(host T set point / all T cells, CAR-T included): 0 at steady state, high after
    /// lymphodepletion (drives homeostatic growth).
    pub t_cell_lymphopenia: f64,
    /// All CAR-T cells relative to their carrying capacity (`car_t.carrying_capacity_cells`):
    /// 0 before infusion; CAR-T division stops as it reaches 1.
    pub car_t_crowding: f64,
    /// Malignant B cells relative to their untreated plateau (`tumour.burden_cells`;
    /// 0 without a tumour): their logistic growth slows to a stop at 1.
    pub tumour_relative: f64,
    /// Multiplier on stimulated CAR-T proliferation (1; lowered by dexamethasone).
    pub car_proliferation_factor: f64,
    /// Host T cells relative to their set point (1 at steady state; low after
    /// lymphodepletion): the strength of host rejection of allogeneic CAR-T cells.
    pub host_t_relative: f64,
    /// CAR-T products of the run (a CAR-T cell's `product` byte indexes this list).
    pub products: &'a [crate::car::Product],
    /// The run's antigens, one per density slot.
    pub antigens: &'a crate::antigen_panel::AntigenPanel,
    /// The laws of surface antigen densities, once they are kept: a CAR-T product has
    /// been infused. Before that (`None`) nothing reads them, so changes of stage do
    /// not redraw them; the engine draws every living cell's surface at the first
    /// infusion (the same law as at its last change of stage: a fresh draw for its
    /// current stage).
    pub surface: Option<&'a antigens::SurfaceLaws>,
}

/// The members of one site at the start of the step, as counts by population: meeting
/// a random member is drawing a population with probability proportional to the real
/// cells it has there (the first half of a counting sort by site; the census builds
/// it).
#[derive(Clone, Copy, Debug)]
pub struct SiteView<'a> {
    /// Agents of each population in the site.
    pub counts: &'a [u32; Population::COUNT],
    /// Sum of `counts`.
    pub total: u32,
    /// Real cells per agent of each population, when the populations present do not
    /// all share one weight (`None`: they do, and an agent stands for a member).
    pub weights: Option<&'a [f64; Population::COUNT]>,
}

impl SiteView<'_> {
    /// Meets one random member (a real cell) of the site (`None` in an empty site). With
    /// one weight for all, a uniform agent is a uniform cell; with several (finer B
    /// than T agents, or CAR-T agents finer than host ones), each population counts
    /// with its cells, so that the chance of meeting, say, a Tfh cell does not depend on
    /// how finely the other populations are resolved.
    pub fn meet(&self, draws: &mut impl Draws) -> Option<Population> {
        if self.total == 0 {
            return None;
        }
        let Some(weights) = self.weights else {
            let mut k = draws.index(self.total as usize) as u32;
            for (i, &n) in self.counts.iter().enumerate() {
                if k < n {
                    return Population::LIVING.get(i.wrapping_sub(1)).copied();
                }
                k -= n;
            }
            return None;
        };
        let cells = |i: usize| f64::from(self.counts[i]) * weights[i];
        let total: f64 = (0..Population::COUNT).map(cells).sum();
        let mut x = draws.uniform() * total;
        let mut last = None;
        for i in (0..Population::COUNT).filter(|&i| self.counts[i] > 0) {
            last = Population::LIVING.get(i.wrapping_sub(1)).copied();
            if x < cells(i) {
                return last;
            }
            x -= cells(i);
        }
        last
    }
}

/// The members of every site at the start of the step (the census by site).
#[derive(Clone, Copy, Debug)]
pub struct SiteViews<'a> {
    /// Agents of each population, by site.
    pub counts: &'a [[u32; Population::COUNT]],
    /// Agents by site (sums of `counts`).
    pub totals: &'a [u32],
    /// Real cells per agent of each population, when the populations present do not
    /// all share one weight ([`SiteView::weights`]).
    pub weights: Option<&'a [f64; Population::COUNT]>,
}

impl<'a> SiteViews<'a> {
    /// The view of one site.
    #[inline]
    pub fn view(&self, site: u16) -> SiteView<'a> {
        let site = usize::from(site);
        SiteView {
            counts: &self.counts[site],
            total: self.totals[site],
            weights: self.weights,
        }
    }
}

/// What happened to a cell in a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// The cell lives on (possibly changed).
    Lives,
    /// The cell died; its row is freed.
    Dies,
}

/// Steps one living cell: the processes in their fixed order. The order is the
/// schedule of the model: fate (death, maturation, differentiation) first, then
/// division, then migration of the survivors.
pub fn step_cell(
    cell: &mut Cell,
    ctx: &StepContext<'_>,
    site: SiteView<'_>,
    draws: &mut impl Draws,
    births: &mut Vec<Cell>,
) -> Fate {
    // Read before the CAR-T rule consumes the flag (see `migration::retained`).
    let engaged = cell.flags & Cell::FLAG_STIMULATED != 0;
    // Residual anti-CD20 antibody kills first (drawn only while there is some, so
    // runs without prior anti-CD20 therapy draw as before).
    if anti_cd20::targets(cell.population) && draws.chance_if_any(ctx.hazards.anti_cd20_death) {
        return Fate::Dies;
    }
    let fate = match cell.population {
        Population::Dead => return Fate::Dies,
        Population::BPrecursor => lymphopoiesis::precursor(cell, ctx, draws),
        Population::BTransitional => maturation::transitional(cell, ctx, draws),
        Population::BNaive | Population::BMemory => {
            match turnover::turnover(cell, ctx, draws, births) {
                Fate::Dies => Fate::Dies,
                Fate::Lives => activation::activate(cell, ctx, site, draws),
            }
        }
        Population::BActivated => germinal_centre::activated(cell, ctx, draws, births),
        Population::BGerminalCentre => germinal_centre::germinal_centre(cell, ctx, draws, births),
        Population::Plasmablast => plasma_cells::plasmablast(cell, ctx, draws),
        Population::PlasmaCell => plasma_cells::plasma_cell(cell, ctx, draws),
        p if p.is_car_t() => car_t::car_t(cell, ctx, draws, births),
        Population::LymphomaB => lymphoma::lymphoma(cell, ctx, draws, births),
        _ => turnover::turnover(cell, ctx, draws, births),
    };
    if fate == Fate::Lives && !migration::retained(cell, engaged, ctx, draws) {
        migration::migrate(cell, ctx, draws);
    }
    fate
}
