//! Per-step event probabilities.
//!
//! Every rate in the rules is constant within a step for a given population (and
//! specificity or compartment), so its step probability 1 − exp(−rate·dt) is computed
//! here once per step instead of once per cell: the per-cell `expm1` was 38% of a step's
//! time in a profile of a 1.2-million-agent lupus run. The rules still own the rates;
//! this table only caches what they imply for one step.

use super::StepContext;
use super::{activation, anti_cd20, car_t, plasma_cells, turnover};
use crate::cell::{Cell, Population, Specificity};
use crate::compartment::Compartment;
use crate::draws::{Descendants, probability};
use crate::steady_state::SteadyState;

/// Probabilities of events within one step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepHazards {
    /// A recirculating cell redraws its compartment.
    pub move_probability: f64,
    /// A pre-B cell emigrates.
    pub precursor_exit: f64,
    /// A transitional cell leaves the stage.
    pub transitional_exit: f64,
    /// An activated B cell divides.
    pub activated_division: f64,
    /// (death, division) rates of each resting population this step, 1/day.
    pub turnover_rates: [[f64; 2]; Population::COUNT],
    /// Any turnover event (death or division) of a resting population.
    pub turnover_any: [f64; Population::COUNT],
    /// Cumulative stationary compartment shares of each population (blood, lymphoid,
    /// marrow, organ), normalised to end at 1.
    pub compartment_cdf: [[f64; Compartment::COUNT]; Population::COUNT],
    /// Thresholds of a germinal-centre agent's events (exit, net growth) on its
    /// uniform ([`super::germinal_centre::germinal_centre_thresholds`]).
    pub germinal_centre_thresholds: [f64; 2],
    /// Any event (death, niche entry) of a plasmablast outside and inside marrow.
    pub plasmablast_any: [f64; 2],
    /// Death of a long-lived plasma cell, by specificity.
    pub plasma_cell_death: [f64; Specificity::COUNT],
    /// Activation of a lymphoid naive (0) or memory (1) B cell, by specificity.
    pub activation: [[f64; Specificity::COUNT]; 2],
    /// Death of a CD20+ B cell by residual anti-CD20 antibody (0 without prior
    /// anti-CD20 therapy; [`anti_cd20::kill_rate_per_day`]).
    pub anti_cd20_death: f64,
    /// The same for a cell that becomes a CD20+ emigrant during the step: exposed from
    /// its emigration, on average half the step.
    pub anti_cd20_emigrant_death: f64,
    /// The CAR-T cells' ([`CarTHazards`]).
    pub car_t: CarTHazards,
}

/// Step probabilities of the CAR-T rules ([`car_t::car_t`]), each a function of the
/// phenotype and the product's costimulation only.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CarTHazards {
    /// Rejection of an allogeneic cell by the host's T cells.
    pub allogeneic_rejection: f64,
    /// Death of an effector, exhausted or terminal cell.
    pub effector_death: f64,
    /// End of the division programme that antigen started.
    pub programme_end: f64,
    /// Loss of one unit of the recent-stimulation load in a step of rest.
    pub load_unit_loss: f64,
    /// Moving on along the chain under antigen, by phenotype.
    pub differentiation: [f64; Population::COUNT],
    /// Any event of a resting cell ([`car_t::resting_rates_per_day`]) of a 4-1BB (0)
    /// or CD28 (1) product, by phenotype.
    pub resting_any: [[f64; Population::COUNT]; 2],
    /// Descendants of a functional (0) and an exhausted (1) cell that divides.
    pub division: [Descendants; 2],
}

impl CarTHazards {
    /// The table for the step described by `ctx`.
    pub fn new(ctx: &StepContext<'_>) -> CarTHazards {
        let p = |rate: f64| probability(rate, ctx.dt_days);
        let car = &ctx.params.car_t;
        let mut differentiation = [0.0; Population::COUNT];
        let mut resting_any = [[0.0; Population::COUNT]; 2];
        for population in Population::LIVING.into_iter().filter(|p| p.is_car_t()) {
            let k = population.index();
            differentiation[k] = car_t::differentiation(population, ctx).map_or(0.0, |n| p(n.1));
            for cd28 in [false, true] {
                let rates = car_t::resting_rates_per_day(population, cd28, ctx);
                resting_any[usize::from(cd28)][k] = p(rates.iter().map(|r| r.max(0.0)).sum());
            }
        }
        CarTHazards {
            allogeneic_rejection: p(car.allogeneic_rejection_rate_per_day * ctx.host_t_relative),
            effector_death: p(car.effector_death_rate_per_day),
            programme_end: p(1.0 / car.programmed_division_days),
            load_unit_loss: p(car.stimulation_load_decay_per_day),
            differentiation,
            resting_any,
            division: [1.0, car.exhausted_function_relative].map(|vigour| {
                Descendants::new(car_t::division_rate_per_day(vigour, ctx), ctx.dt_days)
            }),
        }
    }
}

impl StepHazards {
    /// Stationary share of `population` in `compartment` (from `compartment_cdf`).
    pub fn compartment_share(&self, population: Population, compartment: Compartment) -> f64 {
        let cdf = &self.compartment_cdf[population.index()];
        let c = compartment.index();
        cdf[c] - if c == 0 { 0.0 } else { cdf[c - 1] }
    }

    /// The table for the step described by `ctx` (whose own `hazards` are ignored).
    pub fn new(ctx: &StepContext<'_>) -> StepHazards {
        let p = |rate: f64| probability(rate, ctx.dt_days);
        let params = ctx.params;
        let anti_cd20_kill = anti_cd20::kill_rate_per_day(ctx.day, params);
        let act = &params.activation;
        let mut turnover_rates = [[0.0; 2]; Population::COUNT];
        let mut turnover_any = [0.0; Population::COUNT];
        let mut compartment_cdf = [[1.0; Compartment::COUNT]; Population::COUNT];
        for population in Population::LIVING {
            let rates = turnover::rates_per_day(population, ctx);
            turnover_rates[population.index()] = rates;
            turnover_any[population.index()] = p(rates.iter().sum());
            let shares = SteadyState::compartment_shares(params, population);
            let total: f64 = shares.iter().sum();
            let mut running = 0.0;
            for (cdf, share) in compartment_cdf[population.index()].iter_mut().zip(shares) {
                running += share / total;
                *cdf = running;
            }
        }
        let plasmablast = |compartment| {
            p(plasma_cells::plasmablast_rates_per_day(compartment, ctx)
                .iter()
                .sum())
        };
        let activation = [Population::BNaive, Population::BMemory].map(|population| {
            Specificity::ALL.map(|specificity| {
                let cell = Cell {
                    population,
                    specificity,
                    compartment: Compartment::Lymphoid,
                    ..Cell::default()
                };
                p(activation::activation_rate_per_day(&cell, ctx))
            })
        });
        let germinal_centre_rates = super::germinal_centre::germinal_centre_rates_per_day(params);
        StepHazards {
            move_probability: p(params.physiology.recirculation_rate_per_day),
            precursor_exit: p(1.0 / params.b_cells.precursor_dwell_days),
            transitional_exit: p(ctx.derived.transitional_exit_rate_per_day),
            activated_division: p(act.activated_division_rate_per_day),
            turnover_rates,
            turnover_any,
            compartment_cdf,
            germinal_centre_thresholds: super::germinal_centre::germinal_centre_thresholds(
                germinal_centre_rates,
                ctx.dt_days,
            ),
            plasmablast_any: [
                plasmablast(Compartment::Lymphoid),
                plasmablast(Compartment::Marrow),
            ],
            plasma_cell_death: Specificity::ALL
                .map(|s| p(plasma_cells::plasma_cell_death_rate(s, ctx))),
            activation,
            anti_cd20_death: p(anti_cd20_kill),
            anti_cd20_emigrant_death: probability(anti_cd20_kill, ctx.dt_days / 2.0),
            car_t: CarTHazards::new(ctx),
        }
    }
}
