//! The random draws a rule may ask for.
//!
//! Rules never own a random generator: the engine passes a per-cell stream keyed by
//! (seed, step, cell id, purpose), so the same cell makes the same draws whatever thread
//! steps it. This trait keeps the model free of any RNG crate.

/// A log-normal law by the mean and standard deviation of its logarithm, worked out
/// once from the arithmetic mean and SD so that repeated draws cost one `exp`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LogNormal {
    /// Mean of the logarithm.
    pub mu: f64,
    /// Standard deviation of the logarithm.
    pub sigma: f64,
}

/// A Poisson law of one mean, with the e^(−mean) of its inversion worked out once:
/// callers that draw many times at one mean (every CAR-T agent of a compartment meets
/// its targets at the same mean) skip an `exp` per draw ([`Draws::poisson_of`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Poisson {
    /// The mean (0 or less: every draw is 0).
    mean: f64,
    /// e^(−mean) where the draw inverts (0 < mean ≤ [`Poisson::NORMAL_ABOVE`], or a
    /// NaN mean); unused elsewhere.
    limit: f64,
}

impl Poisson {
    /// Means above this are drawn by the normal approximation with continuity
    /// correction (inversion would take ~mean uniforms).
    pub const NORMAL_ABOVE: f64 = 60.0;

    /// The law of mean `mean`.
    pub fn new(mean: f64) -> Poisson {
        let limit = if mean <= 0.0 || mean > Poisson::NORMAL_ABOVE {
            0.0
        } else {
            (-mean).exp()
        };
        Poisson { mean, limit }
    }

    /// The mean.
    pub fn mean(&self) -> f64 {
        self.mean
    }
}

/// The law of [`Draws::descendants`] at one rate and step, with its logarithm worked
/// out once: every dividing CAR-T cell of a step divides at one of two rates.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Descendants {
    /// ln(1 − e^(−rate·dt)) (floored at the smallest positive number's logarithm);
    /// `None` for no division (rate 0 or less).
    log_more: Option<f64>,
}

impl Descendants {
    /// The law at `rate_per_day` over `dt_days`.
    pub fn new(rate_per_day: f64, dt_days: f64) -> Descendants {
        if rate_per_day <= 0.0 {
            return Descendants { log_more: None };
        }
        let p = (-rate_per_day * dt_days).exp();
        Descendants {
            log_more: Some((1.0 - p).max(f64::MIN_POSITIVE).ln()),
        }
    }
}

impl LogNormal {
    /// The law with arithmetic mean `mean` and standard deviation `sd`; `None` when
    /// `mean` is 0 or less.
    pub fn new(mean: f64, sd: f64) -> Option<LogNormal> {
        if mean <= 0.0 {
            return None;
        }
        let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
        Some(LogNormal {
            mu: mean.ln() - sigma2 / 2.0,
            sigma: sigma2.sqrt(),
        })
    }

    /// The value at standard normal deviate `z`.
    #[inline]
    pub fn at(&self, z: f64) -> f64 {
        (self.mu + self.sigma * z).exp()
    }
}

/// A source of independent uniform draws on [0, 1).
pub trait Draws {
    /// One uniform draw on [0, 1).
    fn uniform(&mut self) -> f64;

    /// `true` with probability `p` (clamped to [0, 1]).
    fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// `true` with the probability that an event of constant hazard `rate_per_day`
    /// happens within `dt_days`: 1 − exp(−rate·dt), exact for a constant hazard.
    fn hazard(&mut self, rate_per_day: f64, dt_days: f64) -> bool {
        rate_per_day > 0.0 && self.uniform() < probability(rate_per_day, dt_days)
    }

    /// Which of several competing events with constant hazards `rates_per_day`
    /// happens first within `dt_days`, if any: event i with probability
    /// (1 − exp(−H·dt))·h_i/H, H = Σh. Unlike testing the hazards one after another,
    /// this keeps e.g. equal division and death rates exactly balanced in expectation.
    fn competing<const N: usize>(
        &mut self,
        rates_per_day: [f64; N],
        dt_days: f64,
    ) -> Option<usize> {
        let total: f64 = rates_per_day.iter().map(|r| r.max(0.0)).sum();
        self.competing_given(rates_per_day, probability(total, dt_days))
    }

    /// [`Draws::competing`] with the probability of any event, `any`, already known
    /// (see `rules::hazards`): one uniform draw, no `exp`.
    fn competing_given<const N: usize>(
        &mut self,
        rates_per_day: [f64; N],
        any: f64,
    ) -> Option<usize> {
        let total: f64 = rates_per_day.iter().map(|r| r.max(0.0)).sum();
        if total <= 0.0 || any <= 0.0 {
            return None;
        }
        let u = self.uniform();
        if u >= any {
            return None;
        }
        let mut x = u / any * total;
        for (i, rate) in rates_per_day.iter().enumerate() {
            let rate = rate.max(0.0);
            if x < rate {
                return Some(i);
            }
            x -= rate;
        }
        Some(N - 1)
    }

    /// [`Draws::competing_given`] with its thresholds precomputed
    /// ([`competing_thresholds`]): one uniform and compares, no division.
    fn competing_by_thresholds<const N: usize>(&mut self, thresholds: &[f64; N]) -> Option<usize> {
        let u = self.uniform();
        thresholds.iter().position(|&t| u < t)
    }

    /// A standard exponential draw (mean 1), by inversion. Generators with a faster
    /// exact method (the engine's long streams: a ziggurat) override it.
    fn exponential(&mut self) -> f64 {
        // 1 − u is in (0, 1]: its logarithm is finite.
        -(1.0 - self.uniform()).ln()
    }

    /// Failures before the first success in independent trials of success probability
    /// p, given as `mean` = 1 / −ln(1 − p): ⌊E · mean⌋ with E standard exponential is
    /// geometric on 0, 1, 2, ... (P(≥ k) = e^(−k / mean) = (1 − p)^k). The gap to the
    /// next chosen item when each item is chosen with probability p; `u64::MAX` for an
    /// infinite mean (p = 0), 0 for a mean of 0 (p = 1). A multiply, not a division:
    /// the engine draws one gap per candidate of every quiet population.
    fn failures_before_success(&mut self, mean: f64) -> u64 {
        if mean == f64::INFINITY {
            return u64::MAX;
        }
        // `as` saturates: a gap beyond u64::MAX rows is u64::MAX.
        (self.exponential() * mean) as u64
    }

    /// A standard normal draw (the first of a Box–Muller pair, the other discarded).
    fn normal(&mut self) -> f64 {
        self.normal_pair().0
    }

    /// Two independent standard normal draws (Box–Muller, both of the pair).
    fn normal_pair(&mut self) -> (f64, f64) {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        let radius = (-2.0 * u1.ln()).sqrt();
        let (sin, cos) = (std::f64::consts::TAU * u2).sin_cos();
        (radius * cos, radius * sin)
    }

    /// A Poisson draw with mean `lambda` (inversion for small means, normal
    /// approximation with continuity correction above [`Poisson::NORMAL_ABOVE`]).
    fn poisson(&mut self, lambda: f64) -> u64 {
        self.poisson_of(&Poisson::new(lambda))
    }

    /// A draw from `law`: the same draws and value as [`Draws::poisson`] at its mean.
    fn poisson_of(&mut self, law: &Poisson) -> u64 {
        let lambda = law.mean;
        if lambda <= 0.0 {
            return 0;
        }
        if lambda > Poisson::NORMAL_ABOVE {
            let x = lambda + lambda.sqrt() * self.normal() + 0.5;
            return x.max(0.0).floor() as u64;
        }
        let mut product = self.uniform();
        let mut count = 0;
        while product > law.limit {
            product *= self.uniform();
            count += 1;
        }
        count
    }

    /// Cells descended from one cell after `dt_days` of a pure birth process with rate
    /// `rate_per_day` (the cell included): geometric with mean exp(rate·dt), so a step
    /// longer than the doubling time still yields the right growth.
    fn descendants(&mut self, rate_per_day: f64, dt_days: f64) -> u64 {
        self.descendants_of(&Descendants::new(rate_per_day, dt_days))
    }

    /// A draw from `law`: the same draws and value as [`Draws::descendants`] at its rate.
    fn descendants_of(&mut self, law: &Descendants) -> u64 {
        let Some(log_more) = law.log_more else {
            return 1;
        };
        let u = self.uniform().max(f64::MIN_POSITIVE);
        1 + (u.ln() / log_more).floor().max(0.0) as u64
    }

    /// [`Draws::chance`] without a draw when `p` is 0 or less: for chances that are often
    /// 0 (residual antibody, a step probability worked out for the step, as
    /// [`Draws::hazard`] takes no draw for a rate of 0), so that runs without them keep
    /// their draws.
    fn chance_if_any(&mut self, p: f64) -> bool {
        p > 0.0 && self.uniform() < p
    }

    /// Picks an index in `0..n` uniformly (`n > 0`).
    fn index(&mut self, n: usize) -> usize {
        ((self.uniform() * n as f64) as usize).min(n.saturating_sub(1))
    }
}

/// Thresholds on one uniform u for competing risks with `rates_per_day` (negative
/// rates count as 0) and probability `any` of some event: event i happens when u is
/// below the i-th threshold and not below the ones before (the cumulative rates'
/// shares of `any`), none when u ≥ `any`. The same events as
/// [`Draws::competing_given`] up to rounding at the thresholds, computed once per step.
pub fn competing_thresholds<const N: usize>(rates_per_day: [f64; N], any: f64) -> [f64; N] {
    let total: f64 = rates_per_day.iter().map(|r| r.max(0.0)).sum();
    let mut thresholds = [0.0; N];
    if total <= 0.0 || any <= 0.0 {
        return thresholds;
    }
    let mut running = 0.0;
    for (threshold, rate) in thresholds.iter_mut().zip(rates_per_day) {
        running += rate.max(0.0);
        *threshold = any * (running / total);
    }
    // The last event takes all of `any` (no rounding gap below it).
    thresholds[N - 1] = any;
    thresholds
}

/// Probability that an event with constant hazard `rate_per_day` happens within
/// `dt_days`: 1 − exp(−rate·dt).
pub fn probability(rate_per_day: f64, dt_days: f64) -> f64 {
    if rate_per_day <= 0.0 {
        0.0
    } else {
        -(-rate_per_day * dt_days).exp_m1()
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::Draws;

    /// A tiny deterministic generator for unit tests of rules (SplitMix64).
    pub struct TestDraws(pub u64);

    impl Draws for TestDraws {
        fn uniform(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64
        }
    }
}

#[cfg(test)]
mod tests;
