//! The analysis against hand arithmetic: ICER, net monetary benefit, contract risk
//! shares and cost per remission from the hand-computed patients; the break-even year;
//! the horizon rule.

use crate::cost::{ArmLedgers, prepare};
use crate::ledger::Rates;
use crate::prices::Settings;
use crate::tests::{
    PRICE, RATE, close, contracts, cost, journey, prices, relapser, responder, run, utilities,
};
use crate::{Item, summary};

fn settings(horizon_years: Option<f64>) -> Settings {
    Settings {
        currency: "USD".into(),
        price_year: 2023,
        discount_rate_costs: RATE,
        discount_rate_qalys: RATE,
        horizon_years,
        comparator: Some("soc".into()),
        wtp: vec![100_000.0],
        ceac_wtp_max: 100_000.0,
        ceac_wtp_step: 50_000.0,
        psa_price_cv: 0.2,
        psa_utility_se: 0.05,
        prices: prices(),
        utilities: utilities(),
        journey: journey(),
    }
}

fn value(csv: &str, arm: &str, measure: &str) -> f64 {
    csv.lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f[0] == arm && f[1] == measure)
        .unwrap_or_else(|| panic!("no {arm} {measure} in\n{csv}"))[4]
        .parse()
        .unwrap()
}

#[test]
fn icer_and_net_monetary_benefit_follow_the_paired_means() {
    let soc = || run(|_| (12.0, 0.0, 0), vec![]);
    let arms = vec![
        ArmLedgers {
            name: "soc".into(),
            price_per_dose: 0.0,
            ledgers: vec![(0, soc()), (1, soc())],
        },
        ArmLedgers {
            name: "cart".into(),
            price_per_dose: PRICE,
            ledgers: vec![(0, responder()), (1, relapser())],
        },
    ];
    let s = settings(None);
    let p = prepare(&s, arms);
    let csv = summary::summary_csv(&s, &contracts(), &p, &|x| format!("{x}"));
    let c: Vec<_> = [responder(), relapser(), soc()].iter().map(cost).collect();
    let dc = (c[0].total[1] + c[1].total[1]) / 2.0 - c[2].total[1];
    let dq = (c[0].qaly[1] + c[1].qaly[1]) / 2.0 - c[2].qaly[1];
    close(value(&csv, "cart", "incremental_cost_discounted"), dc);
    close(value(&csv, "cart", "incremental_qaly_discounted"), dq);
    close(value(&csv, "cart", "icer"), dc / dq);
    close(
        value(&csv, "cart", "net_monetary_benefit"),
        100_000.0 * dq - dc,
    );
    // Under the rebate contract the product costs what was paid (the relapser's half
    // back on day 730, discounted).
    let paid = (PRICE + PRICE - PRICE / 2.0 * (1.03f64).powf(-730.0 / 365.25)) / 2.0;
    let dcc = dc - PRICE + paid;
    close(
        value(&csv, "cart", "incremental_cost_discounted_contract_rebate"),
        dcc,
    );
    close(value(&csv, "cart", "icer_contract_rebate"), dcc / dq);
    // One of two infused patients met the outcome; the payer paid half of the failed
    // one's price.
    close(
        value(&csv, "cart", "contract_rebate_outcome_met_share"),
        0.5,
    );
    close(value(&csv, "cart", "contract_rebate_payer_risk_share"), 0.5);
    close(
        value(&csv, "cart", "contract_rebate_expected_payment"),
        0.75 * PRICE,
    );
    close(
        value(&csv, "cart", "contract_rebate_manufacturer_revenue"),
        1.5 * PRICE,
    );
    // Cost per patient in remission on day 730: both patients' cost of years 1-2 over
    // the one in remission.
    close(
        value(&csv, "cart", "cost_per_patient_in_remission_year2"),
        c[0].total[0] + c[1].total[0],
    );
    let rows = summary::economics_csv(&s, &contracts(), &p, &|x| format!("{x}"));
    assert_eq!(rows.lines().count(), 5);
    assert!(rows.lines().nth(1).unwrap().starts_with("0,soc,"));
}

#[test]
fn the_break_even_year_is_the_first_whose_cumulative_cost_is_not_higher() {
    let year = |costs: &[f64]| crate::cost::Costed {
        by_category: vec![],
        total: [0.0; 2],
        qaly: [0.0; 2],
        by_year: costs.iter().map(|&c| [c, c]).collect(),
    };
    let arm = [year(&[100.0, 0.0, 0.0])];
    let comparator = [year(&[10.0, 50.0, 50.0])];
    assert_eq!(summary::break_even(&arm, &comparator, 0, 3), 3.0);
    assert!(summary::break_even(&arm, &comparator, 0, 2).is_nan());
}

#[test]
fn the_horizon_rule_holds_the_last_state_and_relapses_at_the_arms_hazard() {
    let (a, b) = (responder(), relapser());
    // One relapse over 700 + 140 days in remission.
    let h = crate::extend::relapse_hazard_per_day(&[&a, &b]);
    close(h, 1.0 / 840.0);
    let horizon = 5.0 * 365.25;
    let rates = Rates {
        costs: RATE,
        qalys: RATE,
    };
    let ea = crate::extend::extend(&a, horizon, h, &journey(), rates);
    let extra = horizon - 730.0;
    let remission = ea.total(Item::DaysRemission, 0) - a.total(Item::DaysRemission, 0);
    let active = ea.total(Item::DaysActive, 0) - a.total(Item::DaysActive, 0);
    close(remission + active, extra);
    // Expected days in remission: the sum of exp(-h t) over the extra days.
    let mut expected = 0.0;
    let mut t = 730.0;
    while t < horizon {
        let w = (t.floor() + 1.0).min(horizon) - t;
        expected += w * (-h * (t - 730.0)).exp();
        t += w;
    }
    close(remission, expected);
    let eb = crate::extend::extend(&b, horizon, h, &journey(), rates);
    close(eb.total(Item::DaysActiveNephritis, 0), 330.0 + extra);
}
