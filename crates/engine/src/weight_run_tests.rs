//! Adaptive weights in whole runs: deterministic at any thread count and across a
//! checkpoint taken between two weight changes.

use crate::checkpoint::{decode, encode};
use crate::config::RunConfig;
use crate::recorder::MemoryRecorder;
use crate::simulation::Simulation;
use crate::test_fixtures::cd19_panel;
use immunosim_model::Population;
use immunosim_model::car::{Dose, Product};
use immunosim_model::cell::Kind;

/// A coarse patient given a CD19-like product on day 0, with a CAR-T budget small
/// enough that the expansion is thinned and the contraction split back.
fn treated(budget: u64) -> RunConfig {
    let mut config = RunConfig {
        cells_per_agent: [1e8, 1e8, 1e8, 1e6],
        car_t_agent_budget: budget,
        burn_in_days: 2.0,
        days: 40.0,
        record_every_days: 1.0,
        dt_days: 1.0,
        antigens: cd19_panel(),
        ..RunConfig::default()
    };
    config.products.push(Product::cd19_4_1bb(Dose::PerKg(1e6)));
    config
}

/// The CAR-T weight at every boundary of a whole run, and the run's records.
fn run(config: RunConfig, threads: usize) -> (Vec<f64>, MemoryRecorder, Simulation) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    pool.install(|| {
        let mut sim = Simulation::new(config.clone());
        let mut recorder = MemoryRecorder::default();
        let mut weights = Vec::new();
        sim.begin(&mut recorder, "test").unwrap();
        while !sim.is_finished() {
            sim.advance(&mut recorder).unwrap();
            weights.push(sim.census().weights(&config).get(Kind::CarT));
            // Thinned and cloned rows are counted out of and into the census exactly.
            let mut by_site = vec![[0u32; Population::COUNT]; sim.census().by_site.len()];
            for c in sim.cells().iter().filter(|c| c.population.is_car_t()) {
                by_site[usize::from(c.site)][c.population.index()] += 1;
            }
            for (counted, census) in by_site.iter().zip(&sim.census().by_site) {
                for p in Population::LIVING.iter().filter(|p| p.is_car_t()) {
                    assert_eq!(counted[p.index()], census[p.index()]);
                }
            }
            assert_eq!(
                sim.cells().iter().filter(|c| c.is_alive()).count() as u64,
                sim.census().living()
            );
        }
        sim.finish(&mut recorder).unwrap();
        (weights, recorder, sim)
    })
}

#[test]
fn adaptive_weights_are_deterministic_at_any_thread_count_and_across_a_resume() {
    const BUDGET: u64 = 400;
    let config = treated(BUDGET);
    let (weights, one, whole) = run(config.clone(), 1);
    // The expansion is thinned, and the contraction split back: the test is about runs
    // whose weights change both ways.
    let base = 1e6;
    let first_thin = weights.iter().position(|&w| w > base).expect("thinned");
    let coarsest = weights.iter().copied().fold(0.0, f64::max);
    let split = weights[first_thin..]
        .windows(2)
        .position(|w| w[1] < w[0])
        .expect("split back")
        + first_thin;
    assert!(coarsest >= 2.0 * base, "{weights:?}");
    let peak = one.snapshots.iter().map(|s| s.agents).max().unwrap();
    assert!(peak > 0);
    let car_t_peak = one
        .snapshots
        .iter()
        .map(|s| {
            s.populations
                .iter()
                .filter(|r| r.population.is_car_t())
                .map(|r| r.agents)
                .sum::<u64>()
        })
        .max()
        .unwrap();
    assert!(
        car_t_peak <= 2 * BUDGET,
        "{car_t_peak} CAR-T agents at a boundary against a budget of {BUDGET}"
    );

    let (weights_2, two, whole_2) = run(config.clone(), 2);
    assert_eq!(weights_2, weights);
    assert_eq!(two.snapshots, one.snapshots);
    assert_eq!(two.events, one.events);
    assert_eq!(whole_2.cells(), whole.cells());

    // Saved between the first thinning and the first split, resumed at 2 threads.
    let mut first = Simulation::new(config.clone());
    let mut before = MemoryRecorder::default();
    first.begin(&mut before, "test").unwrap();
    for _ in 0..=(first_thin + split) / 2 {
        first.advance(&mut before).unwrap();
    }
    let saved = decode(&encode("scenario", b"", first.state())).unwrap();
    let mut after = MemoryRecorder::default();
    let second = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| {
            let mut second = Simulation::from_state(config, saved.state);
            while !second.is_finished() {
                second.advance(&mut after).unwrap();
            }
            second.finish(&mut after).unwrap();
            second
        });
    assert_eq!(second.cells(), whole.cells());
    let mut snapshots = before.snapshots;
    snapshots.extend(after.snapshots);
    assert_eq!(snapshots, one.snapshots);
}

/// Budget 0 keeps the run's resolution throughout.
#[test]
fn a_budget_of_zero_keeps_the_weight_fixed() {
    let mut config = treated(0);
    config.days = 12.0;
    let (weights, _, _) = run(config, 2);
    assert!(weights.iter().all(|&w| w == 1e6));
}
