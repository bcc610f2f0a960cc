//! Births left over by the cell pass, and infused cells, placed into rows. They are in
//! the world's row counts already ([`crate::row_census`]): placing them changes no count.

use crate::car_rows::{Finder, Found};
use crate::census::Census;
use crate::ids::{self, IdCounters};
use crate::world::{CHUNK_ROWS, CellWorld};
use immunosim_model::Cell;
use rayon::prelude::*;

/// Gives births (named already; the lists in order, read as one) their rows: the i-th
/// birth gets the i-th freed row (ascending), the rest become new entities at the end
/// of the table. Freed rows ascend, so the births landing in each chunk of rows are one
/// run of the list: chunks fill their rows in parallel, with the same result at any
/// thread count, and births are copied once, straight into their rows.
///
/// With a `finder`, also returns what it finds among the births placed: per chunk of the
/// table (those written into its freed rows, in row order), then among the new rows;
/// without one, nothing.
pub fn place(
    world: &mut CellWorld,
    lists: &[Vec<Cell>],
    freed: &[u32],
    finder: Option<&Finder>,
) -> Vec<Found> {
    let mut starts = Vec::with_capacity(lists.len() + 1);
    let mut total = 0usize;
    for list in lists {
        starts.push(total);
        total += list.len();
    }
    starts.push(total);
    // The births from the i-th on, of the lists read as one.
    let from_nth = |i: usize| {
        let list = starts.partition_point(|&s| s <= i).saturating_sub(1);
        let first = lists.get(list).map_or(&[][..], |l| &l[i - starts[list]..]);
        first
            .iter()
            .chain(lists.iter().skip(list + 1).flatten())
            .copied()
    };
    let filled = total.min(freed.len());
    let freed = &freed[..filled];
    let old_rows = world.len();
    let mut found: Vec<Found> = world
        .rows_keeping_counts()
        .par_chunks_mut(CHUNK_ROWS)
        .enumerate()
        .map(|(chunk, rows)| {
            let start = (chunk * CHUNK_ROWS) as u32;
            let end = start.saturating_add(rows.len() as u32);
            let from = freed.partition_point(|&r| r < start);
            let to = freed.partition_point(|&r| r < end);
            let mut found = Found::default();
            for (born, &row) in from_nth(from).zip(&freed[from..to]) {
                rows[(row - start) as usize] = born;
                if let Some(finder) = finder {
                    finder.visit(row, &born, &mut found);
                }
            }
            found
        })
        .collect();
    let spawned: Vec<Cell> = from_nth(filled).collect();
    if let Some(finder) = finder {
        found.push(finder.rows(old_rows, &spawned));
    } else {
        found.clear();
    }
    world.spawn_counted(spawned);
    found
}

/// Places clones made at a step boundary (resampling, equilibration): counted ids in
/// their order, counted in the census and the row counts, then given the free rows
/// `free` (ascending) first and new rows after.
pub fn place_clones(
    world: &mut CellWorld,
    census: &mut Census,
    ids: &mut IdCounters,
    mut clones: Vec<Cell>,
    free: &[u32],
) {
    let counts = world.counts_mut(census.by_site.len());
    for (n, clone) in clones.iter_mut().enumerate() {
        clone.id = ids::counted(ids.next_counted, n);
        census.add(clone, clone.compartment);
        counts.add(clone, clone.compartment);
    }
    ids.next_counted += clones.len() as u64;
    place(world, &[clones], free, None);
}
