//! Statistics against cases computed by hand (the formulas in the doc comments, on a
//! calculator).

use super::*;

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn wilson_interval_of_3_of_10_and_of_the_edges() {
    // p = 0.3, z = 1.96: centre (0.3 + 0.19207)/1.38415 = 0.35550, half-width
    // 1.41602 × sqrt(0.021 + 0.0096036) = 0.24771.
    let r = wilson(3, 10, Z95);
    assert!(close(r.p, 0.3, 1e-12));
    assert!(close(r.low, 0.107_791, 1e-6), "{r:?}");
    assert!(close(r.high, 0.603_222, 1e-6), "{r:?}");
    // 0 of 10: [0, z²/(n + z²)] = [0, 0.27753]; 10 of 10 mirrors it.
    let none = wilson(0, 10, Z95);
    assert_eq!(none.low, 0.0);
    assert!(close(none.high, 0.277_533, 1e-6));
    let all = wilson(10, 10, Z95);
    assert!(close(all.low, 0.722_467, 1e-6));
    assert!(close(all.high, 1.0, 1e-12));
    assert!(wilson(0, 0, Z95).p.is_nan());
}

#[test]
fn paired_rate_difference_follows_newcombe_method_10() {
    // a = 10 (both), b = 5 (arm only), c = 1 (first arm only), d = 4: θ = 4/20 = 0.2;
    // Wilson of 15/20 = [0.53131, 0.88814], of 11/20 = [0.34211, 0.74185];
    // φ = (40 − 5)/sqrt(15·5·11·9) = 0.40406; δ = 0.22481, ε = 0.19743.
    let mut pairs = Vec::new();
    pairs.extend(std::iter::repeat_n((true, true), 10));
    pairs.extend(std::iter::repeat_n((true, false), 5));
    pairs.extend(std::iter::repeat_n((false, true), 1));
    pairs.extend(std::iter::repeat_n((false, false), 4));
    let d = paired_rate_difference(&pairs);
    assert!(close(d.estimate, 0.2, 1e-12));
    assert!(close(d.low, -0.024_815, 1e-5), "{d:?}");
    assert!(close(d.high, 0.397_431, 1e-5), "{d:?}");
    // Every patient responds in the arm and none in the first arm: Wilson of 5/5 is
    // [0.56551, 1] and of 0/5 [0, 0.43449], φ = 0 (no variation), so δ = 0.43449 × √2:
    // the interval [0.38555, 1] excludes 0 but is not the point 1.
    let d = paired_rate_difference(&[(true, false); 5]);
    assert_eq!(d.estimate, 1.0);
    assert!(close(d.low, 0.385_549, 1e-5), "{d:?}");
    assert_eq!(d.high, 1.0);
}

#[test]
fn paired_mean_difference_uses_the_t_quantile() {
    // Differences 1, 2, 3, 4: mean 2.5, SD 1.29099, SE 0.645497, t(3) = 3.182.
    let d = paired_mean_difference(&[1.0, 2.0, 3.0, 4.0]);
    assert!(close(d.estimate, 2.5, 1e-12));
    assert!(close(d.low, 2.5 - 3.182 * 0.645_497, 1e-5), "{d:?}");
    assert!(close(d.high, 2.5 + 3.182 * 0.645_497, 1e-5), "{d:?}");
    assert!(close(t975(60), 2.0003, 1e-3));
    assert!(close(t975(1000), 1.9623, 1e-3));
}

#[test]
fn quantiles_interpolate_between_order_statistics() {
    // Type 7: h = (n − 1) q; values 1, 2, 4, 7.
    let x = [7.0, 1.0, 4.0, 2.0];
    assert_eq!(quantile(&x, 0.0), 1.0);
    assert_eq!(quantile(&x, 0.5), 3.0); // h = 1.5: 2 + 0.5 × 2
    assert_eq!(quantile(&x, 0.25), 1.75); // h = 0.75: 1 + 0.75 × 1
    assert!(close(quantile(&x, 0.9), 6.1, 1e-12)); // h = 2.7: 4 + 0.7 × 3
    assert_eq!(quantile(&x, 1.0), 7.0);
    assert!(quantile(&[], 0.5).is_nan());
    assert_eq!(quantile(&[f64::NAN, 5.0], 0.5), 5.0);
}

#[test]
fn kaplan_meier_with_censoring_and_greenwood_variance() {
    // Events at 1, 3, 3, 5; censored at 2 and 4; n = 6.
    let obs = [
        (3.0, true),
        (1.0, true),
        (2.0, false),
        (5.0, true),
        (4.0, false),
        (3.0, true),
    ];
    let km = kaplan_meier(&obs);
    let times: Vec<f64> = km.iter().map(|s| s.time).collect();
    assert_eq!(times, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    // t = 1: 6 at risk, 1 event: S = 5/6, Greenwood 1/30, SE = S sqrt(1/30) = 0.152145.
    assert_eq!((km[0].at_risk, km[0].events), (6, 1));
    assert!(close(km[0].survival, 5.0 / 6.0, 1e-12));
    assert!(close(km[0].std_error, 0.152_145, 1e-6));
    // t = 2: censored, S unchanged, 5 at risk.
    assert_eq!((km[1].at_risk, km[1].events, km[1].censored), (5, 0, 1));
    assert!(close(km[1].survival, 5.0 / 6.0, 1e-12));
    // t = 3: 4 at risk, 2 events: S = 5/6 × 1/2 = 5/12; Greenwood 1/30 + 2/8 = 0.283333,
    // SE = 5/12 × 0.532291 = 0.221788.
    assert_eq!((km[2].at_risk, km[2].events), (4, 2));
    assert!(close(km[2].survival, 5.0 / 12.0, 1e-12));
    assert!(close(km[2].std_error, 0.221_788, 1e-6));
    // The log-log interval at t = 3: log S = −0.875469, se = 0.532291/0.875469 =
    // 0.608006; exp(−exp(ln 0.875469 ± 1.96 × 0.608006)).
    let expected_low = (-((0.875_469_f64).ln() + Z95 * 0.608_006).exp()).exp();
    let expected_high = (-((0.875_469_f64).ln() - Z95 * 0.608_006).exp()).exp();
    assert!(close(km[2].low, expected_low, 1e-5), "{:?}", km[2]);
    assert!(close(km[2].high, expected_high, 1e-5), "{:?}", km[2]);
    assert!(km[2].low < km[2].survival && km[2].survival < km[2].high);
    // t = 5: the last patient has the event: S = 0.
    assert_eq!((km[4].at_risk, km[4].events), (1, 1));
    assert_eq!(km[4].survival, 0.0);
}
