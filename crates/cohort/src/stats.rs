//! Cohort statistics, pure functions: Wilson score intervals for rates, Newcombe's
//! interval for a paired difference of rates, sample quantiles, the paired mean
//! difference with a t interval, and Kaplan–Meier curves with Greenwood variance.

/// The normal quantile of a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A rate with its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// Patients with the event.
    pub k: usize,
    /// Patients counted.
    pub n: usize,
    /// k / n (NaN for n = 0).
    pub p: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// The Wilson score interval of `k` of `n` at normal quantile `z` (Wilson 1927;
/// Newcombe 1998 method 3): unlike the Wald interval it stays inside [0, 1] and keeps
/// its coverage near 0 and 1, where trial rates of rare toxicities sit.
pub fn wilson(k: usize, n: usize, z: f64) -> Rate {
    if n == 0 {
        return Rate {
            k,
            n,
            p: f64::NAN,
            low: f64::NAN,
            high: f64::NAN,
        };
    }
    let (kf, nf) = (k as f64, n as f64);
    let p = kf / nf;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * nf)) / (1.0 + z2 / nf);
    let half = z / (1.0 + z2 / nf) * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    Rate {
        k,
        n,
        p,
        low: (centre - half).max(0.0),
        high: (centre + half).min(1.0),
    }
}

/// A difference with its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Difference {
    /// Pairs (patients) counted.
    pub n: usize,
    /// The estimate.
    pub estimate: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// The difference p1 − p0 of two rates measured on the same patients (`pairs`: (event
/// in arm 1, event in arm 0) per patient), with Newcombe's hybrid score interval for
/// paired data (Newcombe, Stat Med 1998;17:2635, method 10): built from the Wilson
/// intervals of both rates and their correlation, it does not collapse to zero width
/// when few pairs disagree.
pub fn paired_rate_difference(pairs: &[(bool, bool)]) -> Difference {
    let n = pairs.len();
    if n == 0 {
        return Difference {
            n,
            estimate: f64::NAN,
            low: f64::NAN,
            high: f64::NAN,
        };
    }
    let count = |f: &dyn Fn(&(bool, bool)) -> bool| pairs.iter().filter(|p| f(p)).count() as f64;
    let a = count(&|p| p.0 && p.1);
    let b = count(&|p| p.0 && !p.1);
    let c = count(&|p| !p.0 && p.1);
    let d = count(&|p| !p.0 && !p.1);
    let nf = n as f64;
    let one = wilson((a + b) as usize, n, Z95);
    let zero = wilson((a + c) as usize, n, Z95);
    let denominator = ((a + b) * (c + d) * (a + c) * (b + d)).sqrt();
    let phi = if denominator > 0.0 {
        (a * d - b * c) / denominator
    } else {
        0.0
    };
    let estimate = (b - c) / nf;
    let (l1, u1, l0, u0) = (
        one.p - one.low,
        one.high - one.p,
        zero.p - zero.low,
        zero.high - zero.p,
    );
    let delta = (l1 * l1 - 2.0 * phi * l1 * u0 + u0 * u0).max(0.0).sqrt();
    let epsilon = (u1 * u1 - 2.0 * phi * u1 * l0 + l0 * l0).max(0.0).sqrt();
    Difference {
        n,
        estimate,
        low: (estimate - delta).max(-1.0),
        high: (estimate + epsilon).min(1.0),
    }
}

/// The two-sided 97.5% quantile of Student's t with `df` degrees of freedom: a table
/// to 30 (Fisher & Yates), then the Cornish–Fisher expansion in 1/df (error < 1e-4).
pub fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df - 1],
        _ => {
            let (z, v) = (Z95, df as f64);
            let z3 = z.powi(3);
            let z5 = z.powi(5);
            z + (z3 + z) / (4.0 * v) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v)
        }
    }
}

/// The mean of per-patient differences (arm − first arm) with its t interval: the
/// paired comparison of a continuous endpoint.
pub fn paired_mean_difference(differences: &[f64]) -> Difference {
    let n = differences.len();
    let nan = Difference {
        n,
        estimate: f64::NAN,
        low: f64::NAN,
        high: f64::NAN,
    };
    if n == 0 {
        return nan;
    }
    let mean = differences.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Difference {
            estimate: mean,
            ..nan
        };
    }
    let variance = differences.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = t975(n - 1) * (variance / n as f64).sqrt();
    Difference {
        n,
        estimate: mean,
        low: mean - half,
        high: mean + half,
    }
}

/// The `q` quantile of `values` (0 <= q <= 1) by linear interpolation between order
/// statistics (Hyndman & Fan 1996 type 7, the default of R and NumPy); NaN when empty.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted.sort_by(f64::total_cmp);
    quantile_sorted(&sorted, q)
}

/// [`quantile`] of values already sorted ascending, without NaN.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// One step of a Kaplan–Meier curve: the survival just after `time`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KmStep {
    /// Event time.
    pub time: f64,
    /// At risk just before `time`.
    pub at_risk: usize,
    /// Events at `time`.
    pub events: usize,
    /// Censored at `time` (counted at risk at `time`, as is usual).
    pub censored: usize,
    /// Survival after `time`.
    pub survival: f64,
    /// Greenwood standard error of `survival`.
    pub std_error: f64,
    /// Lower bound of the 95% interval (log-log transformed, Kalbfleisch & Prentice).
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// The Kaplan–Meier estimate of `observations` (time, event: true for the event,
/// false for censoring), one step per distinct time, with Greenwood's variance
/// Var S = S² Σ d / (n (n − d)) and a 95% interval on the log(−log S) scale, which
/// stays inside [0, 1].
pub fn kaplan_meier(observations: &[(f64, bool)]) -> Vec<KmStep> {
    let mut sorted: Vec<(f64, bool)> = observations.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut at_risk = sorted.len();
    let (mut survival, mut greenwood) = (1.0_f64, 0.0_f64);
    let mut steps = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let time = sorted[i].0;
        let same = sorted[i..].iter().take_while(|o| o.0 == time).count();
        let events = sorted[i..i + same].iter().filter(|o| o.1).count();
        let censored = same - events;
        if events > 0 {
            let (n, d) = (at_risk as f64, events as f64);
            survival *= 1.0 - d / n;
            if at_risk > events {
                greenwood += d / (n * (n - d));
            }
        }
        let std_error = survival * greenwood.sqrt();
        let (low, high) = log_log_interval(survival, greenwood);
        steps.push(KmStep {
            time,
            at_risk,
            events,
            censored,
            survival,
            std_error,
            low,
            high,
        });
        at_risk -= same;
        i += same;
    }
    steps
}

/// The 95% interval exp(−exp(log(−log S) ± z √V / log S)) of a survival S whose
/// Greenwood sum is V (V = Σ d/(n(n−d))).
fn log_log_interval(survival: f64, greenwood: f64) -> (f64, f64) {
    if survival <= 0.0 || survival >= 1.0 || greenwood == 0.0 {
        return (survival, survival);
    }
    let log_s = survival.ln();
    let se = greenwood.sqrt() / log_s.abs();
    let centre = (-log_s).ln();
    let low = (-(centre + Z95 * se).exp()).exp();
    let high = (-(centre - Z95 * se).exp()).exp();
    (low, high)
}

#[cfg(test)]
mod tests;
