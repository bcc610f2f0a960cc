//! Time in steps: every scheduled day of a run placed on the step grid once, when the
//! run is set up.
//!
//! A run is a sequence of steps `0..total`; step `s` covers the days
//! `[day_of(s), day_of(s + 1))`, where `day_of(s) = s · dt − burn_in_days` (day 0 is
//! the end of burn-in). Step boundaries are the moments a recorded row describes: the
//! row of boundary `b` is the patient after steps `0..b` and before step `b`'s
//! treatment. The rest of the engine compares step numbers only; the one tolerance for
//! days that fall a rounding error short of a boundary lives in [`Timeline::step_of`].

use crate::config::RunConfig;
use crate::rng::{Purpose, StepKey};
use immunosim_model::Draws;
use immunosim_model::car::Manufacturing;

/// A day given in a scenario may fall this many days short of a step boundary through
/// float rounding (e.g. `-5 + 0.1 · 50`) and still belong to the step that starts
/// there.
const DAY_ROUNDING_DAYS: f64 = 1e-9;

/// What manufacturing decided for one product, on the step grid.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Release {
    /// Day the product was released or declared failed (drawn; named in the event).
    pub day: f64,
    /// The step in which that happens (`None`: outside the run).
    pub step: Option<u64>,
    /// Whether manufacturing failed (no infusion).
    pub failed: bool,
}

/// One product's journey on the step grid.
#[derive(Clone, Debug, PartialEq)]
pub struct ProductSteps {
    /// Steps of the product's infusions (regular doses and re-infusions), ascending.
    pub infusions: Vec<u64>,
    /// Step of leukapheresis, for products made during the run.
    pub leukapheresis: Option<u64>,
    /// Manufacturing outcome, for products made during the run.
    pub release: Option<Release>,
}

impl ProductSteps {
    /// Whether the product is known by the end of step `step` to have failed.
    fn known_failed_by(&self, step: u64) -> bool {
        self.release
            .is_some_and(|r| r.failed && r.step.is_some_and(|s| s <= step))
    }

    /// Whether the product failed manufacturing (whenever that becomes known).
    pub fn failed(&self) -> bool {
        self.release.is_some_and(|r| r.failed)
    }
}

/// Every scheduled event of a run, in steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    dt_days: f64,
    burn_in_days: f64,
    /// Steps of burn-in: boundary `burn_in_steps` is day 0.
    pub burn_in_steps: u64,
    /// Steps in the run.
    pub total_steps: u64,
    /// Steps between recorded rows.
    pub steps_per_record: u64,
    /// The first recorded boundary: day 0, or earlier so that the untreated patient is
    /// recorded on the day before the first intervention (see
    /// [`Timeline::record_start_for`]). The slow pools are equilibrated here.
    pub record_start: u64,
    /// Steps of each day of lymphodepleting chemotherapy (by `RunConfig::lymphodepletion`
    /// index).
    pub chemotherapy: Vec<Option<u64>>,
    /// Each product's journey.
    pub products: Vec<ProductSteps>,
    /// Bridging: the first step given and the first step no longer given.
    pub bridging: Option<(u64, u64)>,
    /// Steps of each vaccination (by `RunConfig::vaccinations` index).
    pub vaccinations: Vec<Option<u64>>,
    /// Steps of each IVIG infusion (by `RunConfig::ivig` index).
    pub ivig: Vec<Option<u64>>,
    /// The step of the first intervention actually given (an infusion of a product that
    /// did not fail, chemotherapy that is not cancelled, bridging, a vaccine or IVIG):
    /// the untreated disease is held until then. Leukapheresis does not count, so a
    /// patient whose only product failed stays exactly as the untreated one.
    pub first_treatment: Option<u64>,
}

impl Timeline {
    /// The run's timeline, with manufacturing outcomes drawn ([`manufacture`]).
    pub fn for_run(config: &RunConfig) -> Timeline {
        Timeline::new(config, &manufacture(config))
    }

    /// The run's timeline; `releases` are the drawn manufacturing outcomes (day, failed)
    /// by product (`None` for products made before the run or allogeneic).
    pub fn new(config: &RunConfig, releases: &[Option<(f64, bool)>]) -> Timeline {
        let dt_days = config.dt_days;
        let burn_in_steps = (config.burn_in_days / dt_days).round() as u64;
        let mut timeline = Timeline {
            dt_days,
            burn_in_days: config.burn_in_days,
            burn_in_steps,
            total_steps: burn_in_steps + (config.days / dt_days).round() as u64,
            steps_per_record: ((config.record_every_days / dt_days).round() as u64).max(1),
            record_start: burn_in_steps,
            chemotherapy: Vec::new(),
            products: Vec::new(),
            bridging: None,
            vaccinations: Vec::new(),
            ivig: Vec::new(),
            first_treatment: None,
        };
        timeline.products = config
            .products
            .iter()
            .zip(releases)
            .map(|(product, release)| ProductSteps {
                infusions: product
                    .infusion_days()
                    .iter()
                    .filter_map(|&d| timeline.step_of(d))
                    .collect(),
                leukapheresis: product
                    .manufacturing
                    .and_then(|m: Manufacturing| timeline.step_of(m.leukapheresis_day)),
                release: release.map(|(day, failed)| Release {
                    day,
                    step: timeline.step_of(day),
                    failed,
                }),
            })
            .collect();
        timeline.chemotherapy = config
            .lymphodepletion
            .iter()
            .map(|c| timeline.step_of(c.day))
            .collect();
        timeline.bridging = config.bridging.map(|b| {
            (
                timeline.first_step_from(b.start_day),
                timeline.first_step_from(b.end_day),
            )
        });
        timeline.vaccinations = config
            .vaccinations
            .iter()
            .map(|v| timeline.step_of(v.day))
            .collect();
        timeline.ivig = config
            .ivig
            .iter()
            .map(|d| timeline.step_of(d.day))
            .collect();
        timeline.first_treatment = timeline.first_treatment_step(config);
        timeline.record_start = timeline.record_start_for();
        timeline
    }

    /// Steps in a day, at least one (a day's window in steps, e.g. the 24 h of the
    /// tocilizumab limit or the baseline before the first intervention).
    pub fn steps_per_day(&self) -> u64 {
        (1.0 / self.dt_days).round().max(1.0) as u64
    }

    /// Simulated day at boundary `step` (negative during burn-in).
    pub fn day_of(&self, step: u64) -> f64 {
        step as f64 * self.dt_days - self.burn_in_days
    }

    /// The step whose days contain `day` (`None` before the run's first step).
    pub fn step_of(&self, day: f64) -> Option<u64> {
        let contains = |s: i64| {
            let start = s as f64 * self.dt_days - self.burn_in_days;
            day >= start - DAY_ROUNDING_DAYS && day < start + self.dt_days - DAY_ROUNDING_DAYS
        };
        let guess = ((day + self.burn_in_days) / self.dt_days).floor() as i64;
        let step = (guess - 1..=guess + 1).find(|&s| contains(s))?;
        u64::try_from(step).ok()
    }

    /// The first step that starts on or after `day` (for spans such as bridging, given
    /// from the step starting on its first day to the one before its end day).
    fn first_step_from(&self, day: f64) -> u64 {
        let starts_from = |s: u64| self.day_of(s) >= day - DAY_ROUNDING_DAYS;
        let guess = ((day + self.burn_in_days) / self.dt_days).ceil().max(0.0) as u64;
        let from = guess.saturating_sub(1);
        (from..).find(|&s| starts_from(s)).unwrap_or(from)
    }

    /// Whether lymphodepletion in step `step` is given: only while some product, not
    /// known by then to have failed, still has an infusion in that step or later. With
    /// no products at all, chemotherapy is given as stated.
    pub fn product_left_to_infuse(&self, step: u64) -> bool {
        self.products.is_empty()
            || self
                .products
                .iter()
                .any(|p| !p.known_failed_by(step) && p.infusions.iter().any(|&s| s >= step))
    }

    /// The chemotherapy days given by step `step` (those not cancelled, see
    /// [`Self::product_left_to_infuse`]): (day, fludarabine mg/m2, cyclophosphamide
    /// mg/m2), as the marrow's progenitor pool needs them.
    pub fn chemotherapy_given<'a>(
        &'a self,
        config: &'a RunConfig,
        step: u64,
    ) -> impl Iterator<Item = (f64, f64, f64)> + 'a {
        config
            .lymphodepletion
            .iter()
            .zip(&self.chemotherapy)
            .filter_map(move |(dose, &at)| {
                let at = at.filter(|&s| s <= step && self.product_left_to_infuse(s))?;
                Some((
                    self.day_of(at),
                    dose.fludarabine_mg_per_m2,
                    dose.cyclophosphamide_mg_per_m2,
                ))
            })
    }

    /// Whether bridging is given in step `step`.
    pub fn bridging_in(&self, step: u64) -> bool {
        self.bridging
            .is_some_and(|(from, to)| step >= from && step < to)
    }

    fn first_treatment_step(&self, config: &RunConfig) -> Option<u64> {
        let infusions = self
            .products
            .iter()
            .filter(|p| !p.failed())
            .flat_map(|p| p.infusions.iter().copied());
        let chemo = self
            .chemotherapy
            .iter()
            .flatten()
            .copied()
            .filter(|&s| self.product_left_to_infuse(s));
        let bridging = config
            .bridging
            .iter()
            .filter_map(|b| self.step_of(b.start_day));
        infusions
            .chain(chemo)
            .chain(self.vaccinations.iter().flatten().copied())
            .chain(self.ivig.iter().flatten().copied())
            .chain(bridging)
            .min()
    }

    /// The first recorded boundary. Day 0 ends burn-in, but treatment starts before it
    /// (lymphodepletion days before the infusion, bridging weeks before): so that
    /// baseline values are the untreated patient's, recording starts on the record grid
    /// (a whole number of record intervals before day 0) at least a day before the first
    /// intervention, when that is before day 0. Leukapheresis alone does not move it:
    /// it changes nothing in the patient, so a patient whose only product failed is
    /// recorded exactly as the untreated one.
    fn record_start_for(&self) -> u64 {
        let Some(first) = self.first_treatment else {
            return self.burn_in_steps;
        };
        let Some(baseline) = first.checked_sub(self.steps_per_day()) else {
            return 0;
        };
        if baseline >= self.burn_in_steps {
            return self.burn_in_steps;
        }
        let intervals = (self.burn_in_steps - baseline).div_ceil(self.steps_per_record);
        self.burn_in_steps
            .saturating_sub(intervals * self.steps_per_record)
    }

    /// Whether the established disease is still held in step `step` (burn-in, until the
    /// first intervention or day 0, whichever comes first; `Fields::hold_established_disease`).
    pub fn disease_held_in(&self, step: u64) -> bool {
        step < self
            .first_treatment
            .unwrap_or(u64::MAX)
            .min(self.burn_in_steps)
    }
}

/// Manufacturing of every product that states it, drawn once per run from the
/// product's own stream: duration uniform in the product's range, then failure with its
/// probability. Gives (release day, failed) by product; `None` for products made
/// before the simulation's journey starts (no leukapheresis stated) and allogeneic ones.
pub fn manufacture(config: &RunConfig) -> Vec<Option<(f64, bool)>> {
    let key = StepKey::new(config.seed, 0, Purpose::Manufacturing);
    config
        .products
        .iter()
        .enumerate()
        .map(|(index, product)| {
            product.manufacturing.map(|m| {
                let mut draws = key.cell(index as u64);
                let release_day = m.release_day(draws.uniform());
                (release_day, draws.chance(m.failure_probability))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use immunosim_model::interventions::Bridging;

    fn config(dt_days: f64, burn_in_days: f64) -> RunConfig {
        RunConfig {
            dt_days,
            burn_in_days,
            days: 30.0,
            ..RunConfig::default()
        }
    }

    #[test]
    fn a_day_belongs_to_the_step_that_contains_it() {
        let t = Timeline::new(&config(0.5, 10.0), &[]);
        assert_eq!(t.step_of(-10.0), Some(0));
        assert_eq!(t.step_of(0.0), Some(20));
        assert_eq!(t.step_of(0.25), Some(20));
        assert_eq!(t.step_of(0.5), Some(21));
        assert_eq!(t.step_of(-10.5), None);
        // A day a rounding error short of a boundary belongs to the step starting there.
        assert_eq!(t.step_of(1.0 - 1e-12), Some(22));
        assert_eq!(t.day_of(21), 0.5);
    }

    #[test]
    fn bridging_runs_from_its_first_day_to_the_step_before_its_end() {
        let mut c = config(1.0, 40.0);
        c.bridging = Some(Bridging {
            prednisolone_mg_per_day: 10.0,
            start_day: -35.0,
            end_day: -5.0,
        });
        let t = Timeline::new(&c, &[]);
        assert!(!t.bridging_in(4));
        assert!(t.bridging_in(5));
        assert!(t.bridging_in(34));
        assert!(!t.bridging_in(35));
        assert_eq!(t.first_treatment, Some(5));
    }

    #[test]
    fn recording_starts_a_day_before_the_journey_on_the_record_grid() {
        let mut c = config(0.5, 40.0);
        c.record_every_days = 1.0;
        assert_eq!(Timeline::new(&c, &[]).record_start, 80);
        c.vaccinations = vec![immunosim_model::interventions::Vaccination {
            day: -3.0,
            vaccine: immunosim_model::Specificity::VaccineA,
        }];
        let t = Timeline::new(&c, &[]);
        // Vaccination on day -3 (step 74): baseline on day -4 (boundary 72).
        assert_eq!(t.first_treatment, Some(74));
        assert_eq!(t.record_start, 72);
        assert_eq!(t.day_of(t.record_start), -4.0);
    }
}
