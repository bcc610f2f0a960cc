//! Births left over by the cell pass, and infused cells, placed into rows. They are in
//! the world's row counts already ([`crate::row_census`]): placing them changes no count.

use crate::car_rows::{Finder, Found};
use crate::census::Census;
use crate::ids::{self, IdCounters};
use crate::world::{CHUNK_ROWS, CellWorld};
use immunosim_model::Cell;
use rayon::prelude::*;

/// Lists read as one, in order, without copying them into one.
struct Concat<'a, T> {
    lists: &'a [Vec<T>],
    /// Index (in the lists read as one) of each list's first item, then the total.
    starts: Vec<usize>,
}

impl<'a, T: Copy> Concat<'a, T> {
    fn new(lists: &'a [Vec<T>]) -> Concat<'a, T> {
        let mut starts = Vec::with_capacity(lists.len() + 1);
        let mut total = 0usize;
        for list in lists {
            starts.push(total);
            total += list.len();
        }
        starts.push(total);
        Concat { lists, starts }
    }

    fn len(&self) -> usize {
        self.starts[self.lists.len()]
    }

    /// The list holding item `i` (`i` below the total) and its index there.
    fn locate(&self, i: usize) -> (usize, usize) {
        let list = self.starts.partition_point(|&s| s <= i) - 1;
        (list, i - self.starts[list])
    }

    /// The items from the `i`-th on.
    fn items_from(&self, i: usize) -> impl Iterator<Item = T> + '_ {
        let (list, at) = if i < self.len() {
            self.locate(i)
        } else {
            (self.lists.len(), 0)
        };
        let first = self.lists.get(list).map_or(&[][..], |l| &l[at..]);
        first
            .iter()
            .chain(self.lists.iter().skip(list + 1).flatten())
            .copied()
    }
}

/// Calls `f` on the `count` pairs of items from the `from`-th on of `a` and `b` (each
/// read as one list), in order: a loop over the lists' slices, where a zip of chained
/// iterators cost more than the births' copies it drove (a profile of a treated run).
fn zip_runs<A: Copy, B: Copy>(
    a: &Concat<'_, A>,
    b: &Concat<'_, B>,
    from: usize,
    count: usize,
    mut f: impl FnMut(A, B),
) {
    if count == 0 {
        return;
    }
    let ((mut list_a, mut at_a), (mut list_b, mut at_b)) = (a.locate(from), b.locate(from));
    let mut left = count;
    while left > 0 {
        let run_a = &a.lists[list_a][at_a..];
        let run_b = &b.lists[list_b][at_b..];
        if run_a.is_empty() {
            (list_a, at_a) = (list_a + 1, 0);
            continue;
        }
        if run_b.is_empty() {
            (list_b, at_b) = (list_b + 1, 0);
            continue;
        }
        let n = run_a.len().min(run_b.len()).min(left);
        for (&x, &y) in run_a[..n].iter().zip(&run_b[..n]) {
            f(x, y);
        }
        (at_a, at_b, left) = (at_a + n, at_b + n, left - n);
    }
}

impl Concat<'_, u32> {
    /// How many of the items (ascending) are below `row`.
    fn count_below(&self, row: u32) -> usize {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            let (list, at) = self.locate(mid);
            if self.lists[list][at] < row {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        low
    }
}

/// Gives births (named already; the lists in order, read as one) their rows: the i-th
/// birth gets the i-th freed row (`freed`: ascending, the lists read as one, e.g. each
/// chunk's own, so that the millions of rows free after lymphodepletion are not copied
/// into one list every step), the rest become new entities at the end of the table.
/// Freed rows ascend, so the births landing in each chunk of rows are one run of the
/// list: chunks fill their rows in parallel, with the same result at any thread count,
/// and births are copied once, straight into their rows.
///
/// With a `finder`, also returns what it finds among the births placed: per chunk of the
/// table (those written into its freed rows, in row order), then among the new rows;
/// without one, an empty list per chunk.
pub fn place(
    world: &mut CellWorld,
    lists: &[Vec<Cell>],
    freed: &[Vec<u32>],
    finder: Option<&Finder>,
) -> Vec<Found> {
    let births = Concat::new(lists);
    let freed = Concat::new(freed);
    let filled = births.len().min(freed.len());
    let old_rows = world.len();
    let mut found: Vec<Found> = world
        .rows_keeping_counts()
        .par_chunks_mut(CHUNK_ROWS)
        .enumerate()
        .map(|(chunk, rows)| {
            let start = (chunk * CHUNK_ROWS) as u32;
            let end = start.saturating_add(rows.len() as u32);
            let from = freed.count_below(start).min(filled);
            let to = freed.count_below(end).min(filled);
            let mut found = Found::default();
            zip_runs(&births, &freed, from, to - from, |born, row| {
                rows[(row - start) as usize] = born;
                if let Some(finder) = finder {
                    finder.visit(row, &born, &mut found);
                }
            });
            found
        })
        .collect();
    let spawned: Vec<Cell> = births.items_from(filled).collect();
    if let Some(finder) = finder {
        found.push(finder.rows(old_rows, &spawned));
    }
    world.spawn_counted(spawned);
    found
}

/// Places clones made at a step boundary (resampling, equilibration): counted ids in
/// their order, counted in the census and the row counts, then given the free rows
/// `free` (ascending, the lists read as one) first and new rows after.
pub fn place_clones(
    world: &mut CellWorld,
    census: &mut Census,
    ids: &mut IdCounters,
    mut clones: Vec<Cell>,
    free: &[Vec<u32>],
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

#[cfg(test)]
mod tests {
    use super::{Concat, zip_runs};

    /// Lists read as one, empty ones among them, give the items and counts of the
    /// list they would make.
    #[test]
    fn lists_read_as_one_are_the_list_they_make() {
        let lists: Vec<Vec<u32>> = vec![vec![], vec![1, 5], vec![], vec![7], vec![]];
        let one: Vec<u32> = lists.concat();
        let concat = Concat::new(&lists);
        assert_eq!(concat.len(), one.len());
        for i in 0..=one.len() + 1 {
            let expected: Vec<u32> = one.iter().skip(i).copied().collect();
            assert_eq!(
                concat.items_from(i).collect::<Vec<_>>(),
                expected,
                "from {i}"
            );
        }
        for row in 0..10 {
            assert_eq!(
                concat.count_below(row),
                one.partition_point(|&r| r < row),
                "below {row}"
            );
        }
        assert_eq!(Concat::<u32>::new(&[]).count_below(3), 0);
    }

    /// Pairs from two lists of lists, split differently and with empty lists among
    /// them, are the pairs of the lists they make, from any item and for any count.
    #[test]
    fn zipped_runs_pair_the_lists_they_make() {
        let a: Vec<Vec<u32>> = vec![vec![], vec![1, 2, 3], vec![4], vec![], vec![5, 6]];
        let b: Vec<Vec<u32>> = vec![vec![10], vec![], vec![20, 30, 40, 50], vec![60], vec![]];
        let (one_a, one_b) = (a.concat(), b.concat());
        let (concat_a, concat_b) = (Concat::new(&a), Concat::new(&b));
        for from in 0..one_a.len() {
            for count in 0..=one_a.len() - from {
                let mut pairs = Vec::new();
                zip_runs(&concat_a, &concat_b, from, count, |x, y| pairs.push((x, y)));
                let expected: Vec<(u32, u32)> = one_a[from..from + count]
                    .iter()
                    .copied()
                    .zip(one_b[from..from + count].iter().copied())
                    .collect();
                assert_eq!(pairs, expected, "from {from}, count {count}");
            }
        }
    }
}
