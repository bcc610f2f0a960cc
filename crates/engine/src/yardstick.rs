//! The floor a step is measured against, in one place so that the criterion benches
//! (`benches/step.rs`) and `immunosim-perf --bench` time the same loop.

use crate::simulation::CHUNK_ROWS;
use immunosim_model::{Cell, Population};
use rayon::prelude::*;

/// Touches every record once: reads it, updates two fields, writes it back (the floor
/// set by memory bandwidth). Returns the living records.
pub fn reference_loop(cells: &mut [Cell], step: u64) -> u64 {
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
