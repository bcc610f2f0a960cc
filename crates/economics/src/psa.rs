//! Probabilistic sensitivity analysis: each replicate draws every price but the
//! product's from a gamma (mean = the price, coefficient of variation
//! `psa_price_cv`) and every utility and disutility from a beta (mean = the value,
//! standard error `psa_utility_se`, or fixed when that is impossible), from streams
//! keyed by (cohort seed, replicate, name); the simulated ledgers are re-priced, not
//! re-simulated. The cost-effectiveness acceptability curve is, per willingness to
//! pay, the share of replicates in which each arm has the highest mean net monetary
//! benefit (ties to the earlier arm).

use crate::item::Item;
use crate::prices::{Prices, Utilities};

/// A source of uniform draws in [0, 1) (the cohort's keyed streams).
pub trait Uniform {
    /// The next draw.
    fn uniform(&mut self) -> f64;
}

fn normal(u: &mut dyn Uniform) -> f64 {
    let u1 = 1.0 - u.uniform();
    let u2 = u.uniform();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A gamma draw of shape `k`, scale 1 (Marsaglia and Tsang 2000; shape < 1 boosted
/// by `U^(1/k)`).
pub fn gamma(k: f64, u: &mut dyn Uniform) -> f64 {
    if k < 1.0 {
        let boost = (1.0 - u.uniform()).powf(1.0 / k);
        return gamma(k + 1.0, u) * boost;
    }
    let d = k - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(u);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let w = 1.0 - u.uniform();
        if w.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// A price drawn around `mean` with coefficient of variation `cv`.
pub fn gamma_around(mean: f64, cv: f64, u: &mut dyn Uniform) -> f64 {
    if mean <= 0.0 || cv <= 0.0 {
        return mean;
    }
    let k = 1.0 / (cv * cv);
    gamma(k, u) * mean / k
}

/// A utility drawn around `mean` (in (0, 1)) with standard error `se` (method of
/// moments; `mean` itself when the moments admit no beta).
pub fn beta_around(mean: f64, se: f64, u: &mut dyn Uniform) -> f64 {
    let var = se * se;
    if !(mean > 0.0 && mean < 1.0) || var <= 0.0 || var >= mean * (1.0 - mean) {
        return mean;
    }
    let n = mean * (1.0 - mean) / var - 1.0;
    let (a, b) = (mean * n, (1.0 - mean) * n);
    let x = gamma(a, u);
    let y = gamma(b, u);
    x / (x + y)
}

/// One replicate's prices and utilities; `stream(name)` gives the keyed stream of a
/// value's name.
pub fn draw(
    prices: &Prices,
    utilities: &Utilities,
    price_cv: f64,
    utility_se: f64,
    stream: &mut dyn FnMut(&str) -> Box<dyn Uniform>,
) -> (Prices, Utilities) {
    let mut p = prices.clone();
    for (name, value) in p.named_mut() {
        *value = gamma_around(*value, price_cv, stream(name).as_mut());
    }
    let mut q = utilities.clone();
    for (name, value) in q.named_mut() {
        *value = beta_around(*value, utility_se, stream(name).as_mut());
    }
    (p, q)
}

/// An arm's mean discounted units of every item over its patients ([`Item::ALL`]
/// order): at the cost rate and at the QALY rate.
#[derive(Clone, Debug, PartialEq)]
pub struct MeanUse {
    /// Arm.
    pub arm: String,
    /// The arm's product price per dose.
    pub price_per_dose: f64,
    /// Mean units at the cost rate.
    pub costs: Vec<f64>,
    /// Mean units at the QALY rate.
    pub qalys: Vec<f64>,
}

impl MeanUse {
    /// Mean discounted cost and QALYs under `prices` and `utilities`.
    pub fn value(&self, prices: &Prices, utilities: &Utilities) -> (f64, f64) {
        let mut cost = 0.0;
        let mut qaly = 0.0;
        for (i, item) in Item::ALL.into_iter().enumerate() {
            cost += self.costs[i] * prices.unit(item, self.price_per_dose);
            qaly += self.qalys[i] * utilities.qaly(item);
        }
        (cost, qaly)
    }
}

/// The CEAC: for each threshold of `wtp`, the share of `replicates` ((cost, QALYs) per
/// arm) in which each arm has the highest net monetary benefit; rows (arm, wtp, share).
pub fn ceac(
    arms: &[String],
    replicates: &[Vec<(f64, f64)>],
    wtp: &[f64],
) -> Vec<(String, f64, f64)> {
    let mut out = Vec::new();
    for &w in wtp {
        let mut wins = vec![0usize; arms.len()];
        for r in replicates {
            let mut best = 0;
            for (a, &(c, q)) in r.iter().enumerate() {
                let (bc, bq) = r[best];
                if w * q - c > w * bq - bc {
                    best = a;
                }
            }
            wins[best] += 1;
        }
        for (a, arm) in arms.iter().enumerate() {
            let share = if replicates.is_empty() {
                f64::NAN
            } else {
                wins[a] as f64 / replicates.len() as f64
            };
            out.push((arm.clone(), w, share));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Lcg(u64);
    impl Uniform for Lcg {
        fn uniform(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn gamma_and_beta_draws_have_the_stated_mean_and_spread() {
        let mut u = Lcg(7);
        let n = 20_000;
        let g: Vec<f64> = (0..n).map(|_| gamma_around(1000.0, 0.2, &mut u)).collect();
        let mean = g.iter().sum::<f64>() / n as f64;
        let sd = (g.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        assert!((mean - 1000.0).abs() < 10.0, "{mean}");
        assert!((sd - 200.0).abs() < 10.0, "{sd}");
        let b: Vec<f64> = (0..n).map(|_| beta_around(0.7, 0.05, &mut u)).collect();
        let mean = b.iter().sum::<f64>() / n as f64;
        let sd = (b.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        assert!((mean - 0.7).abs() < 0.002, "{mean}");
        assert!((sd - 0.05).abs() < 0.003, "{sd}");
        assert!(b.iter().all(|&x| x > 0.0 && x < 1.0));
        assert_eq!(beta_around(0.0, 0.05, &mut u), 0.0);
    }

    #[test]
    fn the_ceac_gives_each_threshold_to_the_arm_with_the_highest_nmb() {
        let arms = vec!["soc".to_string(), "cart".to_string()];
        // cart costs 100 more and gains 0.001 QALY: better from 100000 per QALY.
        let reps = vec![vec![(0.0, 0.0), (100.0, 0.001)]; 3];
        let c = ceac(&arms, &reps, &[50_000.0, 150_000.0]);
        assert_eq!(c[0], ("soc".into(), 50_000.0, 1.0));
        assert_eq!(c[1], ("cart".into(), 50_000.0, 0.0));
        assert_eq!(c[3], ("cart".into(), 150_000.0, 1.0));
    }
}
