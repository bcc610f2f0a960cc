//! The incremental endpoints against their whole-record definitions (the way
//! `summary.csv` computed them before this crate), on hand-made and pseudo-random
//! courses.

use super::*;
use immunosim_engine::recorder::{CarTRow, PopulationRow};
use immunosim_model::fields::Serology;
use immunosim_model::{Compartment, Population};

/// A day: B cells, CAR-T cells (split over two products `a` and `b`), IgG, positive.
#[derive(Clone, Copy)]
struct Day {
    day: f64,
    b: f64,
    car_a: f64,
    car_b: f64,
    igg: f64,
    positive: bool,
}

fn blood(population: Population, cells_per_ul: f64) -> PopulationRow {
    PopulationRow {
        compartment: Compartment::Blood,
        population,
        agents: 1,
        cells: cells_per_ul,
        cells_per_ul,
        autoreactive_share: 0.0,
    }
}

fn car(product: &str, cells_per_ul: f64) -> CarTRow {
    CarTRow {
        product: product.into(),
        population: Population::CarEffector,
        cd8: true,
        agents: 1,
        cells_per_ul,
        percent_of_cd3: 0.0,
    }
}

fn snapshot(d: Day) -> Snapshot {
    Snapshot {
        step: d.day as u64,
        day: d.day,
        populations: vec![
            blood(Population::BNaive, d.b),
            blood(Population::CarEffector, d.car_a + d.car_b),
            blood(Population::Cd4Naive, 300.0),
        ],
        car_t: vec![car("a", d.car_a), car("b", d.car_b)],
        serology: Serology {
            total_igg_g_per_l: d.igg,
            igg_mg_per_l: [0.0; 4],
            autoantigen: 0.0,
            immune_complex: 0.0,
            complement_consumption: 0.0,
            autoantibody_positive: d.positive,
            activity_score: d.day / 10.0,
            renal_activity: 0.5 / (1.0 + d.day),
            damage_index: d.day / 1000.0,
        },
        baff_relative: 1.0,
        organ_inflammation: 0.0,
        agents: 1,
        il6_pg_per_ml: 0.0,
        crs_grade: 0,
        tocilizumab_doses: 0,
    }
}

/// (CAR-T peak and day, aplasia start, return, autoantibody negative, IgG nadir and
/// day) by the whole-record definitions.
type Reference = (
    Option<(f64, f64)>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<(f64, f64)>,
);

/// The whole-record definitions (summary.rs before this crate).
fn reference(days: &[Day]) -> Reference {
    let after: Vec<&Day> = days.iter().filter(|d| d.day >= 0.0).collect();
    let car = |d: &Day| d.car_a + d.car_b;
    let peak = after
        .iter()
        .filter(|d| car(d) > 0.0)
        .max_by(|x, y| car(x).total_cmp(&car(y)))
        .map(|d| (car(d), d.day));
    let start = after.iter().find(|d| d.b < 1.0).map(|d| d.day);
    let back = start.and_then(|start| {
        after
            .iter()
            .filter(|d| d.day > start && d.b >= 1.0)
            .map(|d| d.day)
            .find(|&day| {
                let window: Vec<_> = days
                    .iter()
                    .filter(|d| d.day >= day && d.day <= day + 7.0)
                    .collect();
                window.last().is_some_and(|l| l.day >= day + 7.0)
                    && window.iter().all(|d| d.b >= 1.0)
            })
    });
    let negative = after
        .first()
        .filter(|f| f.positive)
        .and_then(|_| after.iter().find(|d| !d.positive).map(|d| d.day));
    let nadir = after
        .iter()
        .min_by(|x, y| x.igg.total_cmp(&y.igg))
        .map(|d| (d.igg, d.day));
    (peak, start, back, negative, nadir)
}

fn incremental(days: &[Day]) -> Endpoints {
    let snapshots: Vec<Snapshot> = days.iter().copied().map(snapshot).collect();
    Outcomes::of_run(&snapshots, &[])
}

fn course(b: &[f64]) -> Vec<Day> {
    b.iter()
        .enumerate()
        .map(|(i, &b)| Day {
            day: i as f64,
            b,
            car_a: 0.0,
            car_b: 0.0,
            igg: 10.0,
            positive: false,
        })
        .collect()
}

#[test]
fn aplasia_its_end_and_a_return_held_a_week_after_a_transient() {
    // Day 0: 50/uL; aplasia days 1-10; one day back (11); aplasia (12); back from 13.
    let mut b = vec![50.0];
    b.extend([0.5; 10]);
    b.extend([2.0, 0.5]);
    b.extend([5.0; 10]);
    let e = incremental(&course(&b));
    assert_eq!(e.aplasia_start_day, Some(1.0));
    assert_eq!(e.aplasia_end_day, Some(11.0));
    assert_eq!(e.b_return_day, Some(13.0));
}

#[test]
fn no_return_without_a_day_recorded_a_week_later() {
    let mut b = vec![50.0, 0.5];
    b.extend([5.0; 7]); // days 2-8: the last day 8 < 2 + 7
    assert_eq!(incremental(&course(&b)).b_return_day, None);
    b.push(5.0); // day 9 = 2 + 7
    assert_eq!(incremental(&course(&b)).b_return_day, Some(2.0));
}

#[test]
fn peaks_overall_and_per_product_keep_the_last_day_of_a_tie() {
    let mut days = course(&[100.0; 6]);
    for (d, (a, b)) in days.iter_mut().zip([
        (0.0, 0.0),
        (5.0, 1.0),
        (9.0, 3.0),
        (9.0, 2.0),
        (4.0, 8.0),
        (1.0, 1.0),
    ]) {
        (d.car_a, d.car_b) = (a, b);
    }
    let e = incremental(&days);
    let peak = e.car_t_peak.unwrap();
    assert_eq!((peak.per_ul, peak.day), (12.0, 4.0)); // 12 on days 2 and 4
    assert_eq!(peak.percent_of_cd3, 100.0 * 12.0 / 312.0);
    assert_eq!(
        e.product_peak("a"),
        Some(Peak {
            value: 9.0,
            day: 3.0
        })
    );
    assert_eq!(
        e.product_peak("b"),
        Some(Peak {
            value: 8.0,
            day: 4.0
        })
    );
    assert_eq!(e.product_peak("c"), None);
}

#[test]
fn matches_the_whole_record_definitions_on_random_courses() {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut returns = 0;
    for _ in 0..300 {
        let mut days = Vec::new();
        let mut day = -3.0;
        let mut b = 100.0;
        while day < 80.0 {
            // B cells drift through the threshold; recording is mostly daily with gaps.
            b = (b * (0.3 + 1.4 * next())).clamp(0.01, 500.0);
            days.push(Day {
                day,
                b: if next() < 0.2 { 0.5 } else { b },
                car_a: (10.0 * next()).floor(),
                car_b: 0.0,
                igg: (8.0 * next()).floor(),
                positive: next() < 0.5,
            });
            day += if next() < 0.1 { 3.0 } else { 1.0 };
        }
        let (peak, start, back, negative, nadir) = reference(&days);
        let e = incremental(&days);
        assert_eq!(e.car_t_peak.map(|p| (p.per_ul, p.day)), peak);
        assert_eq!(e.aplasia_start_day, start);
        assert_eq!(e.b_return_day, back);
        assert_eq!(e.autoantibody_negative_day, negative);
        assert_eq!(e.igg_nadir.map(|n| (n.value, n.day)), nadir);
        returns += usize::from(back.is_some());
    }
    // The courses exercise both outcomes of the return rule.
    assert!((30..=270).contains(&returns), "{returns} returns of 300");
}

#[test]
fn scores_at_months_events_and_a_serde_round_trip_mid_course() {
    let days = course(&[100.0; 401]);
    let snapshots: Vec<Snapshot> = days.iter().copied().map(snapshot).collect();
    let events = [
        (-10.0, EventKind::Remission),
        (30.0, EventKind::Relapse),
        (50.0, EventKind::Remission),
        (60.0, EventKind::Relapse),
    ]
    .map(|(day, kind)| Event {
        step: day as u64,
        day,
        kind,
        detail: String::new(),
    });
    let whole = Outcomes::of_run(&snapshots, &events);
    assert_eq!(whole.score_day0, Some(0.0));
    assert_eq!(
        whole.score_at_month,
        [
            (3, Some(9.1)),
            (6, Some(18.2)),
            (12, Some(36.5)),
            (24, None)
        ]
    );
    assert_eq!(
        (whole.remission_day, whole.relapse_day),
        (Some(50.0), Some(30.0))
    );
    assert_eq!((whole.remission_events, whole.relapse_events), (2, 2));
    // Saved and restored half-way, the tracker ends where an uninterrupted one does.
    let mut first = Outcomes::new();
    snapshots[..200].iter().for_each(|s| first.add_snapshot(s));
    events.iter().for_each(|e| first.add_event(e));
    let text = serde_json::to_string(&first).unwrap();
    let mut resumed: Outcomes = serde_json::from_str(&text).unwrap();
    assert_eq!(resumed, first);
    snapshots[200..]
        .iter()
        .for_each(|s| resumed.add_snapshot(s));
    assert_eq!(resumed.endpoints(), whole);
}
