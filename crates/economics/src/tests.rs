//! The hand-computed case of issue 17: one responder, one non-responder who relapses,
//! one manufacturing failure, known prices, 3% a year: their costs, QALYs and contract
//! payments, and the fixtures of the analysis tests (analysis_tests.rs).

use crate::contracts::{Contract, Outcome};
use crate::cost::costed;
use crate::ledger::{ArmTerms, Rates};
use crate::prices::{Journey, Prices, Utilities};
use crate::{EconomicsRecorder, Item, Ledger, State};
use immunosim_engine::recorder::{Event, EventKind, Recorder, Snapshot};
use immunosim_model::fields::Serology;

pub(crate) const RATE: f64 = 0.03;
pub(crate) const PRICE: f64 = 100_000.0;

pub(crate) fn prices() -> Prices {
    Prices {
        leukapheresis: 2_000.0,
        manufacturing: 100.0,
        manufacturing_failure: 400.0,
        lymphodepletion_day: 300.0,
        bridging_day: 5.0,
        hospital_day: 1_000.0,
        icu_day: 3_000.0,
        tocilizumab_dose: 500.0,
        dexamethasone_dose: 10.0,
        ivig_per_g: 50.0,
        monitoring_visit: 100.0,
        // 1, 2, 4 and 10 per day.
        care_per_year: [365.25, 730.5, 1461.0, 3652.5],
    }
}

pub(crate) fn utilities() -> Utilities {
    Utilities {
        state: [0.8, 0.6, 0.5, 0.4],
        hospital_day_disutility: 0.1,
        crs_day_disutility: 0.2,
    }
}

pub(crate) fn journey() -> Journey {
    Journey {
        infusion_stay_days: 7.0,
        stay_days_per_crs_grade: 2.0,
        low_activity_score: 10.0,
        renal_active_threshold: 0.5,
        monitoring_days: vec![7.0, 28.0],
        monitoring_visits_per_year_after: 0.0,
    }
}

pub(crate) fn contracts() -> Vec<Contract> {
    let base = Contract {
        name: "rebate".into(),
        price: None,
        outcome: Outcome::RemissionHeld,
        day: 730.0,
        upfront_share: 1.0,
        rebate_share: 0.5,
        instalment_days: vec![],
        instalment_shares: vec![],
    };
    let instalments = Contract {
        name: "instalments".into(),
        upfront_share: 0.5,
        rebate_share: 0.0,
        instalment_days: vec![365.0, 730.0],
        instalment_shares: vec![0.25, 0.25],
        ..base.clone()
    };
    vec![base, instalments]
}

fn terms() -> ArmTerms {
    ArmTerms {
        remission_score: 4.0,
        price_per_dose: PRICE,
        contracts: contracts(),
        journey: journey(),
        rates: Rates {
            costs: RATE,
            qalys: RATE,
        },
    }
}

fn snapshot(day: f64, score: f64, renal: f64, crs: u8) -> Snapshot {
    Snapshot {
        step: day as u64,
        day,
        populations: vec![],
        car_t: vec![],
        serology: Serology {
            total_igg_g_per_l: 10.0,
            igg_mg_per_l: [0.0; 4],
            autoantigen: 0.0,
            immune_complex: 0.0,
            complement_consumption: 0.0,
            autoantibody_positive: true,
            activity_score: score,
            renal_activity: renal,
            damage_index: 0.0,
        },
        baff_relative: 1.0,
        organ_inflammation: 0.0,
        agents: 1,
        il6_pg_per_ml: 0.0,
        crs_grade: crs,
        tocilizumab_doses: 0,
    }
}

fn event(day: f64, kind: EventKind, detail: &str) -> Event {
    Event {
        step: 0,
        day,
        kind,
        detail: detail.into(),
    }
}

/// Leukapheresis on day -30, bridging days -29 to -6, and (released) Flu/Cy on days
/// -5 to -3 and the infusion on day 0; or a failed manufacture.
fn before_infusion(released: bool) -> Vec<Event> {
    let mut e = vec![
        event(-30.0, EventKind::Leukapheresis, "p: T cells collected"),
        event(-29.0, EventKind::BridgingStart, ""),
        event(-6.0, EventKind::BridgingEnd, ""),
    ];
    if released {
        e.push(event(-10.0, EventKind::ProductReleased, "p: released"));
        for d in [-5.0, -4.0, -3.0] {
            e.push(event(d, EventKind::Lymphodepletion, ""));
        }
        e.push(event(0.0, EventKind::Infusion, "p: 7e7 CAR-T cells"));
    } else {
        e.push(event(-10.0, EventKind::ManufacturingFailure, "p: failed"));
        for _ in 0..3 {
            e.push(event(-5.0, EventKind::LymphodepletionCancelled, ""));
        }
    }
    e.sort_by(|a, b| a.day.total_cmp(&b.day));
    e
}

pub(crate) fn run(days: impl Fn(f64) -> (f64, f64, u8), events: Vec<Event>) -> Ledger {
    let mut r = EconomicsRecorder::new(terms());
    let mut events = events.into_iter().peekable();
    for d in 0..=730 {
        let day = f64::from(d);
        while let Some(e) = events.next_if(|e| e.day <= day) {
            r.event(&e).unwrap();
        }
        let (score, renal, crs) = days(day);
        r.record(&snapshot(day, score, renal, crs)).unwrap();
    }
    r.finish()
}

/// The responder: CRS grade 1 on days 2-4, tocilizumab on day 3, active (12 points)
/// to day 29, remission (2 points) from day 30.
pub(crate) fn responder() -> Ledger {
    let mut e = before_infusion(true);
    e.push(event(3.0, EventKind::Tocilizumab, "560 mg"));
    e.push(event(30.0, EventKind::Remission, ""));
    let crs = |d: f64| u8::from((2.0..=4.0).contains(&d));
    run(|d| (if d < 30.0 { 12.0 } else { 2.0 }, 0.0, crs(d)), e)
}

/// The non-responder: CRS grade 2 on day 2 and 3 on days 3-4, two tocilizumab doses
/// and dexamethasone, IVIG 35 g on day 100; remission on day 60, relapse on day 200,
/// active nephritis (renal activity 0.8) from day 400.
pub(crate) fn relapser() -> Ledger {
    let mut e = before_infusion(true);
    e.push(event(2.0, EventKind::Tocilizumab, "560 mg"));
    e.push(event(3.0, EventKind::Tocilizumab, "560 mg"));
    e.push(event(3.0, EventKind::Dexamethasone, "10 mg over the day"));
    e.push(event(60.0, EventKind::Remission, ""));
    e.push(event(100.0, EventKind::Ivig, "35.0 g (0.5 g/kg)"));
    e.push(event(200.0, EventKind::Relapse, ""));
    run(
        |d| {
            let score = if (60.0..200.0).contains(&d) {
                2.0
            } else {
                12.0
            };
            let renal = if d >= 400.0 { 0.8 } else { 0.0 };
            let crs = match d as u32 {
                2 => 2,
                3 | 4 => 3,
                _ => 0,
            };
            (score, renal, crs)
        },
        e,
    )
}

/// The manufacturing failure: never infused, active throughout.
fn failure() -> Ledger {
    run(|_| (12.0, 0.0, 0), before_infusion(false))
}

/// v^d summed over whole days a..b (exclusive), v = 1.03^(-1/365.25).
fn days_sum(a: f64, b: f64) -> f64 {
    let v = (1.0 + RATE).powf(-1.0 / 365.25);
    (v.powf(a) - v.powf(b)) / (1.0 - v)
}

fn on(day: f64) -> f64 {
    (1.0 + RATE).powf(-day / 365.25)
}

pub(crate) fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} != {b}");
}

pub(crate) fn cost(l: &Ledger) -> crate::cost::Costed {
    costed(l, &prices(), &utilities(), PRICE, 2)
}

#[test]
fn the_responder_costs_and_pays_as_computed_by_hand() {
    let l = responder();
    assert_eq!(l.total(Item::WardDays, 0), 9.0);
    assert_eq!(l.total(Item::IcuDays, 0), 0.0);
    assert_eq!(l.total(Item::CrsDays, 0), 3.0);
    assert_eq!(l.total(Item::BridgingDays, 0), 23.0);
    assert_eq!(l.total(Item::MonitoringVisits, 0), 2.0);
    assert_eq!(
        (l.leukapheresis_day, l.infusion_day),
        (Some(-30.0), Some(0.0))
    );
    assert_eq!(l.end_state, Some(State::Remission));
    assert_eq!(l.remission_day730, Some(true));
    let c = cost(&l);
    // product, leukapheresis, manufacturing, Flu/Cy, bridging, 9 ward days,
    // tocilizumab, 2 visits, 30 active days at 4 and 700 in remission at 1.
    let total = 100_000.0 + 2_000.0 + 100.0 + 900.0 + 115.0 + 9_000.0 + 500.0 + 200.0 + 820.0;
    close(c.total[0], total);
    let discounted = 100_000.0
        + 2_000.0
        + 100.0
        + 900.0
        + 115.0
        + 1_000.0 * days_sum(0.0, 9.0)
        + 500.0 * on(3.0)
        + 100.0 * (on(7.0) + on(28.0))
        + 4.0 * days_sum(0.0, 30.0)
        + days_sum(30.0, 730.0);
    close(c.total[1], discounted);
    close(
        c.qaly[0],
        (30.0 * 0.5 + 700.0 * 0.8 - 9.0 * 0.1 - 3.0 * 0.2) / 365.25,
    );
    let q = (0.5 * days_sum(0.0, 30.0) + 0.8 * days_sum(30.0, 730.0)
        - 0.1 * days_sum(0.0, 9.0)
        - 0.2 * days_sum(1.0, 4.0))
        / 365.25;
    close(c.qaly[1], q);
    // Met: the full price upfront; instalments: half upfront, a quarter on days 365, 730.
    let [rebate, instalments] = [l.payments[0], l.payments[1]];
    assert!(rebate.met && instalments.met);
    close(rebate.paid, PRICE);
    close(rebate.discounted, PRICE);
    close(instalments.paid, PRICE);
    close(
        instalments.discounted,
        50_000.0 + 25_000.0 * (on(365.0) + on(730.0)),
    );
}

#[test]
fn the_relapser_pays_the_stated_share_and_costs_its_icu_days_and_nephritis() {
    let l = relapser();
    assert_eq!(l.total(Item::WardDays, 0), 11.0);
    assert_eq!(l.total(Item::IcuDays, 0), 2.0);
    assert_eq!(l.total(Item::DaysActiveNephritis, 0), 330.0);
    assert_eq!(l.relapses, 1);
    assert_eq!(l.end_state, Some(State::ActiveNephritis));
    let c = cost(&l);
    let chronic = 60.0 * 4.0 + 140.0 + 200.0 * 4.0 + 330.0 * 10.0;
    let total = 100_000.0
        + 2_000.0
        + 100.0
        + 900.0
        + 115.0
        + 11_000.0
        + 6_000.0
        + 1_010.0
        + 1_750.0
        + 200.0
        + chronic;
    close(c.total[0], total);
    let hospital =
        1_000.0 * (days_sum(0.0, 2.0) + days_sum(4.0, 13.0)) + 3_000.0 * days_sum(2.0, 4.0);
    let chronic_d = 4.0 * (days_sum(0.0, 60.0) + days_sum(200.0, 400.0))
        + days_sum(60.0, 200.0)
        + 10.0 * days_sum(400.0, 730.0);
    let discounted = 100_000.0
        + 2_000.0
        + 100.0
        + 900.0
        + 115.0
        + hospital
        + 500.0 * on(2.0)
        + 510.0 * on(3.0)
        + 1_750.0 * on(100.0)
        + 100.0 * (on(7.0) + on(28.0))
        + chronic_d;
    close(c.total[1], discounted);
    close(
        c.qaly[0],
        (60.0 * 0.5 + 140.0 * 0.8 + 200.0 * 0.5 + 330.0 * 0.4 - 13.0 * 0.1 - 3.0 * 0.2) / 365.25,
    );
    // Not met on day 730: the full price upfront, half back on day 730.
    let [rebate, instalments] = [l.payments[0], l.payments[1]];
    assert!(!rebate.met);
    close(rebate.paid, PRICE / 2.0);
    close(rebate.discounted, PRICE - PRICE / 2.0 * on(730.0));
    close(rebate.full, PRICE);
    // Relapsed before day 365: only the upfront half.
    close(instalments.paid, PRICE / 2.0);
}

#[test]
fn a_failed_manufacture_costs_its_collection_and_care_but_no_product_or_payment() {
    let l = failure();
    assert_eq!(l.infusion_day, None);
    assert_eq!(l.total(Item::ProductDoses, 0), 0.0);
    assert_eq!(l.total(Item::LymphodepletionDays, 0), 0.0);
    assert_eq!(l.total(Item::MonitoringVisits, 0), 0.0);
    let c = cost(&l);
    close(c.total[0], 2_000.0 + 100.0 + 400.0 + 115.0 + 730.0 * 4.0);
    close(
        c.total[1],
        2_000.0 + 500.0 + 115.0 + 4.0 * days_sum(0.0, 730.0),
    );
    close(c.qaly[0], 365.0 / 365.25);
    assert!(l.payments.iter().all(|p| p.paid == 0.0 && p.full == 0.0));
}
