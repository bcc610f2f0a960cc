//! Patient draws: what varies between virtual patients and how.
//!
//! Patient k's value of a target comes from a stream keyed by (cohort seed, k, target
//! name, attempt) — SplitMix64 mixing into a Xoshiro256++ seed, as the engine's own
//! streams (`immunosim_engine::rng`) — never from a shared sequence, so it does not
//! depend on the number of patients, threads, ranks, shards or arms, nor on the other
//! targets (unless a correlation ties them).

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// SplitMix64 finaliser: a bijective 64-bit mix.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Golden-ratio increment of SplitMix64.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// FNV-1a of a name: a stable 64-bit key (no hasher whose output may change between
/// Rust versions).
fn name_key(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// The stream of (seed, patient, name, attempt).
pub struct KeyedStream(Xoshiro256PlusPlus);

impl KeyedStream {
    /// The stream of patient `patient`'s `name` draws, attempt `attempt`.
    pub fn new(seed: u64, patient: u64, name: &str, attempt: u64) -> KeyedStream {
        let mut key = mix(seed ^ GOLDEN);
        key = mix(key ^ patient.wrapping_mul(GOLDEN));
        key = mix(key ^ name_key(name));
        key = mix(key ^ attempt.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        KeyedStream(Xoshiro256PlusPlus::seed_from_u64(key))
    }

    /// A uniform draw in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal draw (Box–Muller on two uniforms; the first uniform is moved
    /// into (0, 1] so that its logarithm is finite).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// The run seed of patient `patient`: the engine's streams of every arm of the patient
/// start from it (common random numbers across arms).
pub fn patient_seed(cohort_seed: u64, patient: u64) -> u64 {
    KeyedStream::new(cohort_seed, patient, "patient seed", 0)
        .0
        .next_u64()
        >> 1
}

/// How a target is distributed over patients.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// ln(value) normal with variance `omega2` around ln(median); `median` `None`
    /// means the scenario's value.
    LogNormal {
        /// Median (or the scenario's value).
        median: Option<f64>,
        /// Variance of ln(value).
        omega2: f64,
    },
    /// Normal with standard deviation `sd` around `mean` (or the scenario's value).
    Normal {
        /// Mean (or the scenario's value).
        mean: Option<f64>,
        /// Standard deviation.
        sd: f64,
    },
    /// Uniform on [min, max].
    Uniform {
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
    },
    /// One of the listed values, each equally likely.
    Levels(Vec<f64>),
}

impl Distribution {
    /// Whether the draw comes from a standard normal (and may be correlated).
    pub fn is_gaussian(&self) -> bool {
        matches!(
            self,
            Distribution::LogNormal { .. } | Distribution::Normal { .. }
        )
    }

    /// The value for a standard normal `z` (gaussian kinds) or a uniform `u` (the
    /// others), around the scenario's value `nominal`.
    pub fn value(&self, nominal: f64, z: f64, u: f64) -> f64 {
        match self {
            Distribution::LogNormal { median, omega2 } => {
                median.unwrap_or(nominal) * (omega2.sqrt() * z).exp()
            }
            Distribution::Normal { mean, sd } => mean.unwrap_or(nominal) + sd * z,
            Distribution::Uniform { min, max } => min + u * (max - min),
            Distribution::Levels(levels) => {
                let i = ((u * levels.len() as f64) as usize).min(levels.len() - 1);
                levels[i]
            }
        }
    }
}

/// The lower Cholesky factor of a correlation matrix (row-major, n × n), or `None`
/// when it is not positive definite.
pub fn cholesky(matrix: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            if i == j {
                let d = matrix[i * n + i] - s;
                if d <= 1e-12 {
                    return None;
                }
                l[i * n + j] = d.sqrt();
            } else {
                l[i * n + j] = (matrix[i * n + j] - s) / l[j * n + j];
            }
        }
    }
    Some(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_depend_on_their_key_only() {
        let a = KeyedStream::new(1, 7, "patient.weight_kg", 0).uniform();
        assert_eq!(a, KeyedStream::new(1, 7, "patient.weight_kg", 0).uniform());
        assert_ne!(a, KeyedStream::new(1, 8, "patient.weight_kg", 0).uniform());
        assert_ne!(a, KeyedStream::new(2, 7, "patient.weight_kg", 0).uniform());
        assert_ne!(a, KeyedStream::new(1, 7, "patient.height_cm", 0).uniform());
        assert_ne!(a, KeyedStream::new(1, 7, "patient.weight_kg", 1).uniform());
    }

    #[test]
    fn normal_draws_have_unit_moments() {
        let z: Vec<f64> = (0..20_000)
            .map(|k| KeyedStream::new(3, k, "z", 0).normal())
            .collect();
        let mean = z.iter().sum::<f64>() / z.len() as f64;
        let var = z.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / z.len() as f64;
        // Standard errors: 1/sqrt(20000) = 0.007 for the mean, 0.01 for the variance.
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((var - 1.0).abs() < 0.04, "{var}");
    }

    #[test]
    fn distributions_map_draws_to_values() {
        let ln = Distribution::LogNormal {
            median: None,
            omega2: 0.25,
        };
        assert_eq!(ln.value(10.0, 0.0, 0.3), 10.0);
        assert!((ln.value(10.0, 2.0, 0.3) - 10.0 * 1.0_f64.exp()).abs() < 1e-12);
        let levels = Distribution::Levels(vec![1e5, 1e6, 1e7]);
        assert_eq!(levels.value(0.0, 0.0, 0.0), 1e5);
        assert_eq!(levels.value(0.0, 0.0, 0.5), 1e6);
        assert_eq!(levels.value(0.0, 0.0, 0.999), 1e7);
        let u = Distribution::Uniform { min: 2.0, max: 4.0 };
        assert_eq!(u.value(0.0, 0.0, 0.25), 2.5);
    }

    #[test]
    fn cholesky_of_a_2x2_correlation() {
        let l = cholesky(&[1.0, 0.6, 0.6, 1.0], 2).unwrap();
        assert!((l[2] - 0.6).abs() < 1e-12 && (l[3] - 0.8).abs() < 1e-12);
        assert!(cholesky(&[1.0, 1.0, 1.0, 1.0], 2).is_none());
    }
}
