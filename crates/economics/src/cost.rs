//! A ledger priced and weighted: costs by category and year, QALYs; and the arms of a
//! cohort prepared for the analysis (the horizon rule applied with each arm's own
//! relapse hazard).

use crate::extend::{extend, horizon_days, relapse_hazard_per_day};
use crate::item::{CATEGORIES, Item};
use crate::ledger::{Ledger, Rates};
use crate::prices::{Prices, Settings, Utilities};

/// A patient-arm's costs and QALYs: index 0 undiscounted, 1 discounted.
#[derive(Clone, Debug, PartialEq)]
pub struct Costed {
    /// Cost by category of [`CATEGORIES`].
    pub by_category: Vec<[f64; 2]>,
    /// Total cost.
    pub total: [f64; 2],
    /// QALYs.
    pub qaly: [f64; 2],
    /// Cost in each analysis year.
    pub by_year: Vec<[f64; 2]>,
}

/// `ledger` priced by `prices` (product at `price_per_dose`) and weighted by
/// `utilities`, over `years` analysis years.
pub fn costed(
    ledger: &Ledger,
    prices: &Prices,
    utilities: &Utilities,
    price_per_dose: f64,
    years: u32,
) -> Costed {
    let mut c = Costed {
        by_category: vec![[0.0; 2]; CATEGORIES.len()],
        total: [0.0; 2],
        qaly: [0.0; 2],
        by_year: vec![[0.0; 2]; years.max(ledger.years()) as usize],
    };
    for (&(item, year), units) in &ledger.items {
        let price = prices.unit(item, price_per_dose);
        let q = utilities.qaly(item);
        c.qaly[0] += units[0] * q;
        c.qaly[1] += units[2] * q;
        let Some(category) = item.category() else {
            continue;
        };
        let k = CATEGORIES
            .iter()
            .position(|n| *n == category)
            .expect("a category");
        for (w, u) in [(0, units[0]), (1, units[1])] {
            let x = u * price;
            c.by_category[k][w] += x;
            c.total[w] += x;
            c.by_year[year as usize][w] += x;
        }
    }
    c
}

/// One arm's patient-arms for the analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmLedgers {
    /// Arm name.
    pub name: String,
    /// Product price per dose.
    pub price_per_dose: f64,
    /// (patient, ledger) in patient order.
    pub ledgers: Vec<(u64, Ledger)>,
}

/// The arms extended to the horizon, with what was used to do so.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    /// The arms, each ledger extended to the horizon.
    pub arms: Vec<ArmLedgers>,
    /// Each arm's relapse hazard per day, from its simulated patients.
    pub hazards: Vec<f64>,
    /// The horizon, days.
    pub horizon_days: f64,
    /// Analysis years (whole years covering the horizon).
    pub years: u32,
}

/// `arms` prepared under `settings`.
pub fn prepare(settings: &Settings, arms: Vec<ArmLedgers>) -> Prepared {
    let last = arms
        .iter()
        .flat_map(|a| a.ledgers.iter().map(|(_, l)| l.last_day))
        .fold(0.0, f64::max);
    let horizon = horizon_days(settings.horizon_years, last);
    let rates = Rates {
        costs: settings.discount_rate_costs,
        qalys: settings.discount_rate_qalys,
    };
    let mut hazards = Vec::new();
    let arms = arms
        .into_iter()
        .map(|a| {
            let own: Vec<&Ledger> = a.ledgers.iter().map(|(_, l)| l).collect();
            let h = relapse_hazard_per_day(&own);
            hazards.push(h);
            ArmLedgers {
                ledgers: a
                    .ledgers
                    .iter()
                    .map(|(k, l)| (*k, extend(l, horizon, h, &settings.journey, rates)))
                    .collect(),
                ..a
            }
        })
        .collect();
    Prepared {
        arms,
        hazards,
        horizon_days: horizon,
        years: (horizon / crate::prices::DAYS_PER_YEAR).ceil().max(1.0) as u32,
    }
}

/// Mean use of an arm's patients (for the PSA).
pub fn mean_use(arm: &ArmLedgers) -> crate::psa::MeanUse {
    let n = arm.ledgers.len().max(1) as f64;
    let mean = |which: usize| -> Vec<f64> {
        Item::ALL
            .iter()
            .map(|&i| {
                arm.ledgers
                    .iter()
                    .map(|(_, l)| l.total(i, which))
                    .sum::<f64>()
                    / n
            })
            .collect()
    };
    crate::psa::MeanUse {
        arm: arm.name.clone(),
        price_per_dose: arm.price_per_dose,
        costs: mean(1),
        qalys: mean(2),
    }
}
