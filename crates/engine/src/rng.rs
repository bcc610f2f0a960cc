//! Counter-based random streams.
//!
//! Every draw comes from a `Xoshiro256PlusPlus` seeded from (run seed, step, stable id,
//! purpose) through SplitMix64 mixing. A cell's draws therefore depend only on who it
//! is and when, never on which thread steps it or in which order: the same scenario and
//! seed give the same bytes at any thread count. Never seed from a row, an ECS entity
//! index (both are reused) or a shared generator.

use immunosim_model::Draws;
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::{SplitMix64, Xoshiro256PlusPlus};

/// What a stream is for: separate purposes never share draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// A cell's own step.
    CellStep = 1,
    /// Building the initial population.
    Initial = 2,
    /// New pre-B cells of a step (one stream per chunk of the cell pass).
    Lymphopoiesis = 3,
    /// Changing an agent's weight when it changes kind.
    Reweigh = 4,
    /// Slow-pool equilibration at the end of burn-in.
    Equilibration = 5,
    /// Lymphodepleting chemotherapy.
    Chemotherapy = 6,
    /// Infusion of a CAR-T product.
    Infusion = 7,
    /// CAR-T encounters in a site.
    Killing = 8,
    /// Manufacturing of a product (duration and failure).
    Manufacturing = 9,
    /// Choosing which quiet cells of a chunk have an event (`rules::quiet`).
    QuietEvents = 10,
    /// Placing the agents whose positions are implicit into sites.
    Placement = 11,
    /// Drawing every cell's surface antigens at the first infusion.
    Surfaces = 12,
    /// Thinning an over-budget kind's agents (`weights`).
    Resample = 13,
}

/// SplitMix64 finaliser: a bijective 64-bit mix.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Golden-ratio increment of SplitMix64.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The part of a stream's key shared by all cells in one (seed, step, purpose): mixed
/// once per step, so that a cell's stream costs one multiply and the generator's own
/// SplitMix64 seeding (a profile showed per-cell key mixing at ~10% of a step).
#[derive(Clone, Copy, Debug)]
pub struct StepKey(u64);

impl StepKey {
    /// The key of (seed, step, purpose).
    pub fn new(seed: u64, step: u64, purpose: Purpose) -> StepKey {
        let mut key = mix(seed ^ GOLDEN);
        key = mix(key ^ step.wrapping_mul(GOLDEN));
        key = mix(key ^ (purpose as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
        StepKey(key)
    }

    /// The key of the `n`-th draw of the same purpose within the step (two doses of
    /// chemotherapy that fall in one step must not reuse each cell's draw, or the second
    /// would kill only cells the first already killed). The first is the step's own key.
    pub fn nth(self, n: u64) -> StepKey {
        if n == 0 {
            self
        } else {
            StepKey(mix(self.0 ^ n.wrapping_mul(0xA24B_AED4_963E_E407)))
        }
    }

    /// The stream of cell `id`: a SplitMix64 generator started at a key that is
    /// distinct for every id (the multiply by an odd constant is a bijection).
    #[inline]
    pub fn cell(self, id: u64) -> CellStream {
        CellStream(SplitMix64::seed_from_u64(mix(
            self.0 ^ id.wrapping_mul(GOLDEN)
        )))
    }
}

/// A cell's stream for one step: a few draws, so a generator that costs nothing to
/// start. SplitMix64 (rand_xoshiro's, the generator Xoshiro's authors use to seed
/// Xoshiro) passes BigCrush and needs no seeding beyond its state word; seeding a
/// Xoshiro256++ per cell cost a third of a step in a profile (a store-forwarding stall
/// in its byte-array seeding). Long streams use [`Stream`].
pub struct CellStream(SplitMix64);

impl Draws for CellStream {
    #[inline]
    fn uniform(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// [`ziggurat_normal_pair`]: a new B cell's surface antigens take a pair per two
    /// antigens.
    fn normal_pair(&mut self) -> (f64, f64) {
        ziggurat_normal_pair(&mut self.0)
    }

    /// One ziggurat draw (not the first of a pair).
    fn normal(&mut self) -> f64 {
        ziggurat_normal(&mut self.0)
    }
}

/// Two independent standard normal draws by rand_distr's ziggurat: exact, and mostly
/// a table look-up where Box–Muller takes a logarithm, a square root, a sine and a
/// cosine (those were ~4% of a treated lupus run, drawing new B cells' surfaces).
fn ziggurat_normal_pair(rng: &mut impl Rng) -> (f64, f64) {
    (ziggurat_normal(rng), ziggurat_normal(rng))
}

/// One standard normal draw by rand_distr's ziggurat.
fn ziggurat_normal(rng: &mut impl Rng) -> f64 {
    rand_distr::Distribution::sample(&rand_distr::StandardNormal, rng)
}

/// A long random stream (a whole step's new precursors, a group of initial cells):
/// Xoshiro256++ seeded through SplitMix64, as its authors recommend.
pub struct Stream(Xoshiro256PlusPlus);

impl Stream {
    /// The stream for (seed, step, id, purpose).
    pub fn new(seed: u64, step: u64, id: u64, purpose: Purpose) -> Stream {
        let key = StepKey::new(seed, step, purpose).0 ^ id.wrapping_mul(GOLDEN);
        Stream(Xoshiro256PlusPlus::seed_from_u64(key))
    }

    /// A binomial draw: successes in `n` trials of probability `p` (clamped to
    /// [0, 1]; not a number counts as 0). Exact: rand_distr's BTPE for large means,
    /// inversion for small ones.
    pub fn binomial(&mut self, n: u64, p: f64) -> u64 {
        if n == 0 || p.is_nan() || p <= 0.0 {
            return 0;
        }
        if p >= 1.0 {
            return n;
        }
        let distribution = rand_distr::Binomial::new(n, p).expect("p is within [0, 1]");
        rand_distr::Distribution::sample(&distribution, &mut self.0)
    }
}

impl Draws for Stream {
    fn uniform(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// rand_distr's ziggurat: exact, and mostly a table look-up instead of a logarithm
    /// (the quiet cells' candidate gaps draw one per candidate; with inversion the
    /// logarithms were 10% of a step).
    #[inline]
    fn exponential(&mut self) -> f64 {
        rand_distr::Distribution::sample(&rand_distr::Exp1, &mut self.0)
    }

    /// [`ziggurat_normal_pair`].
    fn normal_pair(&mut self) -> (f64, f64) {
        ziggurat_normal_pair(&mut self.0)
    }

    /// One ziggurat draw (not the first of a pair).
    fn normal(&mut self) -> f64 {
        ziggurat_normal(&mut self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_streams_are_distinct_and_uniform() {
        let key = StepKey::new(9, 8, Purpose::CellStep);
        let mut firsts: Vec<u64> = (0..100_000u64)
            .map(|id| key.cell(id).0.next_u64())
            .collect();
        let mut bins = [0u32; 10];
        for id in 0..100_000u64 {
            let mut s = key.cell(id);
            for _ in 0..3 {
                bins[(s.uniform() * 10.0) as usize] += 1;
            }
        }
        firsts.sort_unstable();
        firsts.dedup();
        assert_eq!(firsts.len(), 100_000, "two cells share a stream");
        // 300,000 draws in 10 bins: each within 1.5% of 30,000 (~8 standard deviations).
        for n in bins {
            assert!((f64::from(n) / 30_000.0 - 1.0).abs() < 0.015, "{bins:?}");
        }
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<f64> = (0..4)
            .map(|_| 0.0)
            .scan(Stream::new(1, 2, 3, Purpose::CellStep), |s, _| {
                Some(s.uniform())
            })
            .collect();
        let b: Vec<f64> = (0..4)
            .map(|_| 0.0)
            .scan(Stream::new(1, 2, 3, Purpose::CellStep), |s, _| {
                Some(s.uniform())
            })
            .collect();
        assert_eq!(a, b);
        for other in [
            Stream::new(2, 2, 3, Purpose::CellStep),
            Stream::new(1, 3, 3, Purpose::CellStep),
            Stream::new(1, 2, 4, Purpose::CellStep),
            Stream::new(1, 2, 3, Purpose::Initial),
        ] {
            let mut other = other;
            assert_ne!(a[0], other.uniform());
        }
    }

    /// The ziggurat normals of both stream kinds are standard normal, and a pair's two
    /// draws uncorrelated: moments and the two-sided tails beyond 1, 2 and 3 (the
    /// ziggurat's tail and wedge paths) against the normal law, over 400,000 draws.
    #[test]
    fn normal_pairs_are_independent_standard_normals() {
        fn check(label: &str, pairs: &[(f64, f64)]) {
            let n = (2 * pairs.len()) as f64;
            let all = || pairs.iter().flat_map(|&(a, b)| [a, b]);
            let mean = all().sum::<f64>() / n;
            let variance = all().map(|z| (z - mean).powi(2)).sum::<f64>() / n;
            let skew = all().map(|z| z.powi(3)).sum::<f64>() / n;
            let kurtosis = all().map(|z| z.powi(4)).sum::<f64>() / n;
            let correlation = pairs.iter().map(|&(a, b)| a * b).sum::<f64>() / pairs.len() as f64;
            // Standard errors at n = 4e5: mean 0.0016, variance 0.0022, third moment
            // 0.0039, fourth 0.016, correlation 0.0022; bounds at ~5 of them.
            assert!(mean.abs() < 0.008, "{label}: mean {mean}");
            assert!(
                (variance - 1.0).abs() < 0.011,
                "{label}: variance {variance}"
            );
            assert!(skew.abs() < 0.02, "{label}: third moment {skew}");
            assert!(
                (kurtosis - 3.0).abs() < 0.08,
                "{label}: fourth moment {kurtosis}"
            );
            assert!(
                correlation.abs() < 0.011,
                "{label}: pair correlation {correlation}"
            );
            for (k, expected) in [(1.0, 0.317_311), (2.0, 0.045_500), (3.0, 0.002_700)] {
                let share = all().filter(|z: &f64| z.abs() > k).count() as f64 / n;
                let se = (expected * (1.0 - expected) / n).sqrt();
                assert!(
                    (share - expected).abs() < 5.0 * se,
                    "{label}: P(|z| > {k}) = {share}, normal {expected}"
                );
            }
        }
        let key = StepKey::new(3, 5, Purpose::Surfaces);
        let cells: Vec<(f64, f64)> = (0..200_000u64)
            .map(|id| key.cell(id).normal_pair())
            .collect();
        check("cell streams", &cells);
        let mut stream = Stream::new(3, 5, 7, Purpose::Initial);
        let long: Vec<(f64, f64)> = (0..200_000).map(|_| stream.normal_pair()).collect();
        check("long stream", &long);
        let singles: Vec<(f64, f64)> = (0..200_000)
            .map(|_| (stream.normal(), stream.normal()))
            .collect();
        check("single draws", &singles);
    }
}
