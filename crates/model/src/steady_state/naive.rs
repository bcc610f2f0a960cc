//! The naive pool's death rate and the activation hazards at the set point.

/// Daily inflows into the naive pool at the set point, and its size.
pub(super) struct NaiveInflows {
    pub auto: f64,
    pub other: f64,
    pub naive: f64,
    pub division: f64,
}

/// The naive death rate and the activation hazards that hold the naive pool at its
/// set point given `activations_per_day`.
#[derive(Default)]
pub(super) struct NaiveFlows {
    pub death: f64,
    pub naive_auto: f64,
    pub naive_other: f64,
    pub lambda_m: f64,
}

/// Naive death rate d solves: auto/(d - div) + other/(d - div + λN) = naive, with
/// λN = r·λM and λM = activations / (memory_other + r·naive_other).
pub(super) fn solve_naive(
    inflows: NaiveInflows,
    activations_per_day: f64,
    memory_other: f64,
    r: f64,
) -> NaiveFlows {
    let div_n = inflows.division;
    let solve = |d: f64| -> (f64, f64, f64) {
        let auto = inflows.auto / (d - div_n);
        // λM depends on naive_other, which depends on d: fixed point.
        let mut other = inflows.naive - auto;
        let mut lambda_m = activations_per_day / (memory_other + r * other.max(0.0));
        for _ in 0..50 {
            other = inflows.other / (d - div_n + r * lambda_m);
            lambda_m = activations_per_day / (memory_other + r * other);
        }
        (auto, other, lambda_m)
    };
    let (mut lo, mut hi) = (div_n + 1e-9, 10.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        let (a, o, _) = solve(mid);
        if a + o > inflows.naive {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let death = 0.5 * (lo + hi);
    let (naive_auto, naive_other, lambda_m) = solve(death);
    NaiveFlows {
        death,
        naive_auto,
        naive_other,
        lambda_m,
    }
}
