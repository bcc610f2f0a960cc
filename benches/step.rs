//! Step benchmarks: the full simulation step of the untreated SLE patient at two sizes,
//! beside a reference loop that reads and writes the same 32-byte cell records with
//! rayon over a flat `Vec`, so the ratio is measured on one machine at one moment.
//!
//! Run: `cargo bench --bench step` (report in target/criterion). Setup (building the
//! patient, a short warm-up) is not timed; each iteration is one step of a warmed world.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use immunosim_engine::simulation::{CHUNK_ROWS, Simulation};
use immunosim_model::{Cell, Population};
use rayon::prelude::*;
use std::hint::black_box;

/// (label, cells per agent): ~1.2e5 and ~1.2e6 agents.
const SIZES: [(&str, f64); 2] = [("1e5", 5e6), ("1e6", 5e5)];

fn warmed(cells_per_agent: f64) -> Simulation {
    let scenario = immunosim_scenario::parse_str(
        &format!("[scenario]\npreset = \"sle\"\nburn_in_days = 0\ndays = 10\n[resolution]\ncells_per_agent = {cells_per_agent}\n"),
        "bench.toml",
    )
    .expect("bench scenario is valid");
    let mut sim = Simulation::new(immunosim::run_config(&scenario));
    for _ in 0..5 {
        sim.step();
    }
    sim
}

/// Touches every record once: reads it, updates two fields, writes it back.
fn reference_loop(cells: &mut [Cell], step: u64) -> u64 {
    cells
        .par_chunks_mut(CHUNK_ROWS)
        .map(|chunk| {
            let mut alive = 0u64;
            for cell in chunk {
                if cell.population != Population::Dead {
                    cell.birth_day += 1.0;
                    cell.divisions = cell.divisions.wrapping_add((cell.id.0 ^ step) as u8 & 1);
                    alive += 1;
                }
            }
            alive
        })
        .sum()
}

fn bench_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("step");
    group.sample_size(20);
    for (label, weight) in SIZES {
        let mut sim = warmed(weight);
        let rows = sim.cells().len() as u64;
        group.throughput(Throughput::Elements(rows));
        group.bench_with_input(BenchmarkId::new("full", label), &(), |b, ()| {
            b.iter(|| sim.step())
        });
        let mut flat: Vec<Cell> = sim.cells().to_vec();
        let mut step = 0;
        group.bench_with_input(BenchmarkId::new("reference", label), &(), |b, ()| {
            b.iter(|| {
                step += 1;
                black_box(reference_loop(&mut flat, step))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_step);
criterion_main!(benches);
