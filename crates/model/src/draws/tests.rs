//! Unit tests of the draws: each law against its mean, spread or exact distribution.

use super::testing::TestDraws;
use super::*;

#[test]
fn hazard_probability_is_exact_exponential() {
    assert_eq!(probability(0.0, 1.0), 0.0);
    let p = probability(std::f64::consts::LN_2, 1.0);
    assert!((p - 0.5).abs() < 1e-12);
}

#[test]
fn geometric_gaps_choose_each_item_with_its_probability() {
    let mut d = TestDraws(11);
    for p in [0.002_f64, 0.02, 0.3] {
        let mean = 1.0 / -(-p).ln_1p();
        let items = 2_000_000u64;
        let (mut next, mut chosen) = (d.failures_before_success(mean), 0u64);
        while next < items {
            chosen += 1;
            next += 1 + d.failures_before_success(mean);
        }
        let expected = items as f64 * p;
        let tolerance = 5.0 * expected.sqrt();
        assert!(
            (chosen as f64 - expected).abs() < tolerance,
            "{p}: {chosen}"
        );
    }
    assert_eq!(d.failures_before_success(0.0), 0);
    assert_eq!(d.failures_before_success(f64::INFINITY), u64::MAX);
}

/// A law worked out once draws what `poisson` draws at its mean, with the same draws
/// (the generators stay in step), at small, large, zero and negative means.
#[test]
fn a_poisson_law_draws_as_poisson_does() {
    for mean in [0.0, -1.0, 1e-9, 0.3, 4.0, 59.9, 60.0, 60.1, 250.0] {
        let law = Poisson::new(mean);
        assert_eq!(law.mean(), mean);
        let (mut a, mut b) = (TestDraws(7), TestDraws(7));
        for _ in 0..1000 {
            assert_eq!(a.poisson(mean), b.poisson_of(&law), "mean {mean}");
        }
        assert_eq!(a.uniform(), b.uniform());
    }
}

#[test]
fn competing_risks_are_balanced() {
    let mut d = TestDraws(3);
    let (mut births, mut deaths) = (0u32, 0u32);
    for _ in 0..200_000 {
        match d.competing([1.0, 1.0], 0.5) {
            Some(0) => births += 1,
            Some(1) => deaths += 1,
            _ => {}
        }
    }
    let expected = 200_000.0 * probability(2.0, 0.5) / 2.0;
    assert!((f64::from(births) / expected - 1.0).abs() < 0.02);
    assert!((f64::from(deaths) / expected - 1.0).abs() < 0.02);
}

#[test]
fn precomputed_thresholds_pick_the_same_events_as_dividing() {
    for (rates, any) in [
        ([0.05, 1.0, 1.0], probability(2.05, 1.0)),
        ([0.0, 0.3, 2.0], 0.4),
        ([-1.0, 0.0, 0.0], 0.5),
    ] {
        let thresholds = competing_thresholds(rates, any);
        let (mut a, mut b) = (TestDraws(17), TestDraws(17));
        for _ in 0..200_000 {
            assert_eq!(
                a.competing_given(rates, any),
                b.competing_by_thresholds(&thresholds)
            );
        }
    }
    assert_eq!(competing_thresholds([0.0, 0.0], 0.5), [0.0, 0.0]);
}

#[test]
fn descendants_grow_exponentially_on_average() {
    let mut d = TestDraws(5);
    let n = 100_000;
    let mean = (0..n)
        .map(|_| d.descendants(std::f64::consts::LN_2 / 0.78, 1.0))
        .sum::<u64>() as f64
        / n as f64;
    let expected = (std::f64::consts::LN_2 / 0.78f64).exp();
    assert!((mean / expected - 1.0).abs() < 0.02, "{mean} vs {expected}");
}

#[test]
fn poisson_mean_matches() {
    let mut d = TestDraws(7);
    for lambda in [0.3, 5.0, 200.0] {
        let n = 20_000;
        let total: u64 = (0..n).map(|_| d.poisson(lambda)).sum();
        let mean = total as f64 / n as f64;
        assert!(
            (mean - lambda).abs() < 0.05 * lambda.max(1.0),
            "{lambda}: {mean}"
        );
    }
}

#[test]
fn log_normal_from_normal_pairs_has_requested_mean_and_sd() {
    let mut d = TestDraws(11);
    let law = LogNormal::new(22_000.0, 7_000.0).unwrap();
    let values: Vec<f64> = (0..25_000)
        .flat_map(|_| {
            let (a, b) = d.normal_pair();
            [law.at(a), law.at(b)]
        })
        .collect();
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    assert!((mean / 22_000.0 - 1.0).abs() < 0.02, "{mean}");
    assert!((sd / 7_000.0 - 1.0).abs() < 0.05, "{sd}");
    assert_eq!(LogNormal::new(0.0, 1.0), None);
}

/// A step probability worked out once ([`probability`]) decides as the hazard does,
/// with the same draws (none at a rate of 0), and a [`Descendants`] law draws what
/// `descendants` draws at its rate: the per-step tables keep the rules' outputs.
#[test]
fn laws_worked_out_once_draw_as_the_rates_do() {
    for rate in [0.0, -1.0, 1e-6, 0.1, 0.518, 5.0] {
        for dt in [0.1, 1.0] {
            let (mut a, mut b) = (TestDraws(23), TestDraws(23));
            let p = probability(rate, dt);
            let law = Descendants::new(rate, dt);
            for _ in 0..1000 {
                assert_eq!(a.hazard(rate, dt), b.chance_if_any(p), "rate {rate}");
                assert_eq!(a.descendants(rate, dt), b.descendants_of(&law));
            }
            assert_eq!(a.uniform(), b.uniform(), "rate {rate}: out of step");
        }
    }
}
