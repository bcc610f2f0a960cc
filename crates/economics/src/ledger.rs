//! The journey ledger of one patient-arm: what it used, per analysis year, from the
//! days and events of its run ([`EconomicsRecorder`]), and the facts contracts and the
//! horizon rule need.

use crate::contracts::{Contract, Course, Payment};
use crate::discount;
use crate::item::{Item, State};
use crate::prices::{CRS_WINDOW_DAYS, Journey};
use immunosim_engine::recorder::{Event, EventKind, RecordError, Recorder, Snapshot};
use immunosim_outcomes::Outcomes;
use std::collections::BTreeMap;

/// CRS grade from which a hospital day is an ICU day (ASTCT grade 3: vasopressors or
/// high-flow oxygen).
pub const ICU_CRS_GRADE: u8 = 3;

/// Units of one item in one year: undiscounted, discounted at the cost rate and at the
/// QALY rate.
pub type Units = [f64; 3];

/// What a patient-arm used, and what its contracts and the horizon rule read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ledger {
    /// Units by (item, analysis year from 0).
    pub items: BTreeMap<(Item, u32), Units>,
    /// The last simulated day.
    pub last_day: f64,
    /// Day of the first leukapheresis.
    pub leukapheresis_day: Option<f64>,
    /// Day of the first infusion.
    pub infusion_day: Option<f64>,
    /// State on the last simulated day.
    pub end_state: Option<State>,
    /// Relapse events from day 0.
    pub relapses: u32,
    /// In remission on day 730 (`None`: the run is shorter).
    pub remission_day730: Option<bool>,
    /// The payment under each contract, in contract order.
    pub payments: Vec<Payment>,
}

/// The discount rates of a ledger: costs, QALYs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rates {
    /// Costs.
    pub costs: f64,
    /// QALYs.
    pub qalys: f64,
}

impl Ledger {
    /// Adds `units` of `item` on `day`.
    pub fn add(&mut self, item: Item, day: f64, units: f64, rates: Rates) {
        let e = self.items.entry((item, discount::year(day))).or_default();
        e[0] += units;
        e[1] += units * discount::factor(rates.costs, day);
        e[2] += units * discount::factor(rates.qalys, day);
    }

    /// Adds `item` for the time from `from` to `to`, day by day (`weight` per day).
    pub fn add_span(&mut self, item: Item, from: f64, to: f64, weight: f64, rates: Rates) {
        let mut t = from;
        while t < to {
            let u = (t.floor() + 1.0).min(to);
            self.add(item, t, (u - t) * weight, rates);
            t = u;
        }
    }

    /// Total units of `item` (index 0: undiscounted, 1: at the cost rate, 2: QALY rate).
    pub fn total(&self, item: Item, which: usize) -> f64 {
        self.items
            .iter()
            .filter(|((i, _), _)| *i == item)
            .map(|(_, u)| u[which])
            .sum()
    }

    /// Years in the ledger (the last year with any entry, plus one).
    pub fn years(&self) -> u32 {
        self.items.keys().map(|(_, y)| y + 1).max().unwrap_or(0)
    }
}

/// What an arm's recorder needs besides the `[economics]` values.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmTerms {
    /// The arm's remission threshold (`disease.remission_score`).
    pub remission_score: f64,
    /// The arm's product price per dose.
    pub price_per_dose: f64,
    /// The contracts.
    pub contracts: Vec<Contract>,
    /// The journey rules.
    pub journey: Journey,
    /// Discount rates.
    pub rates: Rates,
}

/// One recorded day as the ledger needs it.
#[derive(Clone, Copy, Debug)]
struct Day {
    day: f64,
    score: f64,
    renal: f64,
    crs: u8,
}

/// Builds a [`Ledger`] from a run's days and events.
pub struct EconomicsRecorder {
    terms: ArmTerms,
    days: Vec<Day>,
    events: Vec<(f64, EventKind, String)>,
    outcomes: Outcomes,
}

impl EconomicsRecorder {
    /// A recorder for an arm.
    pub fn new(terms: ArmTerms) -> EconomicsRecorder {
        EconomicsRecorder {
            terms,
            days: Vec::new(),
            events: Vec::new(),
            outcomes: Outcomes::new(),
        }
    }

    fn state(&self, d: &Day) -> State {
        let j = &self.terms.journey;
        if d.renal > j.renal_active_threshold {
            State::ActiveNephritis
        } else if d.score <= self.terms.remission_score {
            State::Remission
        } else if d.score <= j.low_activity_score {
            State::LowActivity
        } else {
            State::Active
        }
    }

    /// CRS grade of the time just before `t`: the first recorded day at or after it
    /// (a day's grade is that of the step ending on it).
    fn crs_at(&self, t: f64) -> u8 {
        self.days
            .iter()
            .find(|d| d.day >= t)
            .or(self.days.last())
            .map_or(0, |d| d.crs)
    }

    /// The ledger of everything recorded.
    pub fn finish(self) -> Ledger {
        let rates = self.terms.rates;
        let mut l = Ledger::default();
        for pair in self.days.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            l.add_span(self.state(&a).days_item(), a.day, b.day, 1.0, rates);
            if b.crs >= 1 {
                l.add_span(Item::CrsDays, a.day, b.day, 1.0, rates);
            }
        }
        l.last_day = self.days.last().map_or(0.0, |d| d.day);
        l.end_state = self.days.last().map(|d| self.state(d));
        if l.last_day >= 730.0 {
            l.remission_day730 = self
                .days
                .iter()
                .rev()
                .find(|d| d.day <= 730.0)
                .map(|d| d.score <= self.terms.remission_score);
        }
        let mut infusions = Vec::new();
        let mut course = Course {
            scores: self.days.iter().map(|d| (d.day, d.score)).collect(),
            remission_score: self.terms.remission_score,
            last_day: l.last_day,
            endpoints: self
                .outcomes
                .endpoints()
                .cohort_columns()
                .into_iter()
                .map(|(n, v)| (n.to_string(), v))
                .collect(),
            ..Course::default()
        };
        let mut bridging_from = None;
        for (day, kind, detail) in &self.events {
            let day = *day;
            let mut one = |item| l.add(item, day, 1.0, rates);
            match kind {
                EventKind::Leukapheresis => {
                    one(Item::Leukapheresis);
                    l.leukapheresis_day.get_or_insert(day);
                }
                EventKind::ProductReleased => one(Item::Manufacturing),
                EventKind::ManufacturingFailure => {
                    one(Item::Manufacturing);
                    one(Item::ManufacturingFailures);
                }
                EventKind::Lymphodepletion => one(Item::LymphodepletionDays),
                EventKind::Infusion => {
                    one(Item::ProductDoses);
                    infusions.push(day);
                    l.infusion_day.get_or_insert(day);
                }
                EventKind::Tocilizumab => one(Item::TocilizumabDoses),
                EventKind::Dexamethasone => one(Item::DexamethasoneDoses),
                EventKind::Ivig => l.add(Item::IvigGrams, day, ivig_grams(detail), rates),
                EventKind::BridgingStart => bridging_from = Some(day),
                EventKind::BridgingEnd => {
                    if let Some(from) = bridging_from.take() {
                        l.add_span(Item::BridgingDays, from, day, 1.0, rates);
                    }
                }
                EventKind::Remission => course.remissions.push(day),
                EventKind::Relapse => {
                    course.relapses.push(day);
                    if day >= 0.0 {
                        l.relapses += 1;
                    }
                }
                _ => {}
            }
        }
        if let Some(from) = bridging_from {
            l.add_span(Item::BridgingDays, from, l.last_day, 1.0, rates);
        }
        let j = &self.terms.journey;
        let mut covered = f64::NEG_INFINITY;
        for &f in &infusions {
            let grade = self
                .days
                .iter()
                .filter(|d| d.day > f && d.day <= f + CRS_WINDOW_DAYS)
                .map(|d| d.crs)
                .max()
                .unwrap_or(0);
            let end = f + j.infusion_stay_days + j.stay_days_per_crs_grade * f64::from(grade);
            let mut t = f.max(covered);
            while t < end {
                let u = (t.floor() + 1.0).min(end);
                let item = if self.crs_at(u) >= ICU_CRS_GRADE {
                    Item::IcuDays
                } else {
                    Item::WardDays
                };
                l.add(item, t, u - t, rates);
                t = u;
            }
            covered = covered.max(end);
        }
        if let Some(f) = l.infusion_day {
            for v in j.monitoring_visits(f, f64::NEG_INFINITY, l.last_day) {
                l.add(Item::MonitoringVisits, v, 1.0, rates);
            }
        }
        l.payments = self
            .terms
            .contracts
            .iter()
            .map(|c| {
                c.pays(
                    &course,
                    l.infusion_day,
                    self.terms.price_per_dose,
                    rates.costs,
                )
            })
            .collect();
        l
    }
}

/// Grams of an IVIG event's detail (`"35.0 g (0.5 g/kg)"`); 0 if unreadable.
fn ivig_grams(detail: &str) -> f64 {
    detail
        .split_whitespace()
        .next()
        .and_then(|g| g.parse().ok())
        .unwrap_or(0.0)
}

impl Recorder for EconomicsRecorder {
    fn record(&mut self, s: &Snapshot) -> Result<(), RecordError> {
        self.outcomes.add_snapshot(s);
        if s.day >= 0.0 {
            self.days.push(Day {
                day: s.day,
                score: s.serology.activity_score,
                renal: s.serology.renal_activity,
                crs: s.crs_grade,
            });
        }
        Ok(())
    }

    fn event(&mut self, e: &Event) -> Result<(), RecordError> {
        self.outcomes.add_event(e);
        self.events.push((e.day, e.kind, e.detail.clone()));
        Ok(())
    }
}
