//! Step benchmarks (criterion). Run: `cargo bench --bench step`; reports in
//! target/criterion. Setup (building the patient, a short warm-up) is not timed; each
//! iteration is one step of a warmed world.
//!
//! * `step/full/N` — the full step of the untreated SLE patient (fields, the rules of
//!   every cell, site census, births into freed rows) at ~1e5, ~1e6 and ~1e7 agents;
//! * `step/reference/N` — in the same run, a rayon loop over a flat `Vec` of the same
//!   32-byte records that reads and writes each once, the floor set by memory bandwidth;
//! * `step/explicit/1e6` — the full step with every cell sent through the rules (the
//!   quiet-cell shortcuts off), to show what they buy;
//! * `step/churn/1e6` — a churn-heavy step: T-cell half-lives at their allowed minimum (naive
//!   18 days, memory 3.7 days), so ~7% of all agents die and are born every step (the load CAR-T expansion will bring);
//! * `threads/full/1e6/{1,2}` — the full step on a 1- and a 2-thread pool.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use immunosim_engine::simulation::Simulation;

use immunosim_engine::yardstick::reference_loop;
use immunosim_model::Cell;
use std::hint::black_box;

/// A warmed SLE patient of about `agents` agents; `extra` is appended to the scenario.
fn warmed(agents: f64, extra: &str) -> Simulation {
    warmed_with(agents, extra, true)
}

/// [`warmed`], with the quiet-cell shortcuts on or off.
fn warmed_with(agents: f64, extra: &str, quiet_cells: bool) -> Simulation {
    let text = format!("[scenario]\npreset = \"sle\"\nburn_in_days = 0\ndays = 10\n{extra}");
    let scenario =
        immunosim_scenario::parse_str(&text, "bench.toml").expect("bench scenario is valid");
    let mut config = scenario.config;
    config.quiet_cells = quiet_cells;
    immunosim_engine::memory::scale_to_agents(&mut config, agents);
    let mut sim = Simulation::new(config);
    for _ in 0..3 {
        sim.step();
    }
    sim
}

fn bench_sizes(c: &mut Criterion) {
    let mut group = c.benchmark_group("step");
    group.sample_size(10);
    for (label, agents) in [("1e5", 1e5), ("1e6", 1e6), ("1e7", 1e7)] {
        let mut sim = warmed(agents, "");
        eprintln!(
            "{label}: {} rows; {:.1}% of agents went through the rules in the last warm-up step",
            sim.cells().len(),
            100.0 * sim.rows_stepped() as f64 / sim.census().living() as f64
        );
        group.throughput(Throughput::Elements(sim.cells().len() as u64));
        group.bench_with_input(BenchmarkId::new("full", label), &(), |b, ()| {
            b.iter(|| sim.step())
        });
        let mut flat: Vec<Cell> = sim.cells().to_vec();
        drop(sim);
        let mut step = 0;
        group.bench_with_input(BenchmarkId::new("reference", label), &(), |b, ()| {
            b.iter(|| {
                step += 1;
                black_box(reference_loop(&mut flat, step))
            })
        });
    }
    // What the quiet-cell shortcuts buy: the same patient with every cell stepped
    // through the rules (`RunConfig::quiet_cells = false`).
    let mut sim = warmed_with(1e6, "", false);
    group.throughput(Throughput::Elements(sim.cells().len() as u64));
    group.bench_with_input(BenchmarkId::new("explicit", "1e6"), &(), |b, ()| {
        b.iter(|| sim.step())
    });
    drop(sim);
    let churn = "[parameters.t_cells]\nnaive_cd4_half_life_years = 0.05\nnaive_cd8_half_life_years = 0.05\n\
                 memory_cd4_half_life_years = 0.01\nmemory_cd8_half_life_years = 0.01\n";
    let mut sim = warmed(1e6, churn);
    let (created, agents) = (sim.cells_created(), sim.census().living());
    sim.step();
    eprintln!(
        "churn: {:.1}% of agents born in one step",
        100.0 * (sim.cells_created() - created) as f64 / agents as f64
    );
    group.throughput(Throughput::Elements(sim.cells().len() as u64));
    group.bench_with_input(BenchmarkId::new("churn", "1e6"), &(), |b, ()| {
        b.iter(|| sim.step())
    });
    group.finish();
}

fn bench_threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("threads");
    group.sample_size(10);
    let mut sim = warmed(1e6, "");
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        group.bench_with_input(BenchmarkId::new("full/1e6", threads), &(), |b, ()| {
            b.iter(|| pool.install(|| sim.step()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_sizes, bench_threads);
criterion_main!(benches);
