//! The rows the CAR-T phases read: the CAR-T cells binned by site and the possible
//! targets (cells carrying an antigen some product binds) binned by compartment, found
//! by one scan of the table.
//!
//! Two readers need them at the same moment, a recorded boundary: the snapshot (blood
//! CAR-T cells by product, which the census does not split) and the next step's
//! encounters, which start from the same rows unless the step's treatment changes them
//! (Flu/Cy, the first surfaces). The world keeps the scan until any mutable access to
//! its rows (`CellWorld::scan_car_rows`), so the table, larger than the cache, is read
//! once for both.

use crate::chunks::CHUNK_ROWS;
use crate::config::RunConfig;
use immunosim_model::car;
use immunosim_model::rules::killing::Target;
use immunosim_model::{Antigen, Cell, Compartment};
use rayon::prelude::*;

/// A row in a bin (a site or a compartment), with what the CAR-T phases read of its
/// cell (the cell, or a possible target's [`Target`]), taken by the scan while the row
/// is in cache (copied later, from the scattered rows of a table larger than the
/// cache, each copy was a likely miss).
type BinEntry<T> = (u16, u32, T);

/// Rows grouped by bin (a site or a compartment): `rows[start[s]..start[s + 1]]` are the
/// rows of bin `s`, ascending, and `cells` what is read of their cells in the same
/// order (the encounters then read a contiguous list instead of scattered rows of the
/// table).
#[derive(Clone, Debug, PartialEq)]
pub struct Bins<T> {
    start: Vec<usize>,
    rows: Vec<u32>,
    cells: Vec<T>,
}

impl<T> Bins<T> {
    /// The rows and cells of bin `s`.
    pub fn bin(&self, s: usize) -> (&[u32], &[T]) {
        let range = self.start[s]..self.start[s + 1];
        (&self.rows[range.clone()], &self.cells[range])
    }

    /// The cells of every bin.
    pub fn cells(&self) -> &[T] {
        &self.cells
    }

    /// Whether no bin holds a row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// The CAR-T rows and possible targets of the table at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct CarRows {
    /// Which antigen slots some product binds, and the sites: what the scan depended
    /// on besides the rows.
    key: ([bool; Antigen::SLOTS], usize),
    /// CAR-T cells by site.
    pub cars: Bins<Cell>,
    /// Living cells carrying an antigen some product binds, by compartment.
    pub targets: Bins<Target>,
}

impl CarRows {
    /// Whether these rows were found for `config` (the same products' antigens and
    /// sites).
    pub fn fit(&self, config: &RunConfig) -> bool {
        self.key == key(config)
    }
}

/// What a scan for `config` depends on besides the rows: the antigen slots some
/// product binds with an activating binder (`Construct::may_target` of any product)
/// and the number of sites.
fn key(config: &RunConfig) -> ([bool; Antigen::SLOTS], usize) {
    (
        car::activating_slots(&config.products),
        config.site_layout().total(),
    )
}

/// Scans `cells` for the CAR-T rows and possible targets of `config`'s products.
pub fn scan(cells: &[Cell], config: &RunConfig) -> CarRows {
    let key = key(config);
    let (targeted, sites) = key;
    let may_be_targeted =
        |cell: &Cell| (0..Antigen::SLOTS).any(|slot| targeted[slot] && cell.antigen[slot] > 0);
    let layout = config.site_layout();
    let compartment_of = |site: u16| layout.compartment_of(site).index() as u16;
    // Per chunk: its CAR-T cells by site and its possible targets by compartment.
    let lists: Vec<_> = cells
        .par_chunks(CHUNK_ROWS)
        .enumerate()
        .map(|(chunk, part)| {
            let mut cars = Vec::new();
            let mut targets = Vec::new();
            for (offset, cell) in part.iter().enumerate() {
                let row = (chunk * CHUNK_ROWS + offset) as u32;
                if cell.population.is_car_t() {
                    cars.push((cell.site, row, *cell));
                } else if cell.is_alive() && may_be_targeted(cell) {
                    targets.push((compartment_of(cell.site), row, Target::from(cell)));
                }
            }
            (cars, targets)
        })
        .collect();
    CarRows {
        key,
        cars: binned(lists.iter().map(|l| l.0.as_slice()), sites),
        targets: binned(lists.iter().map(|l| l.1.as_slice()), Compartment::COUNT),
    }
}

/// Stable counting sort into `bins` bins of the entries of `lists`, which arrive in row
/// order list after list.
fn binned<'a, T: Copy + Default + 'a>(
    lists: impl Iterator<Item = &'a [BinEntry<T>]> + Clone,
    bins: usize,
) -> Bins<T> {
    let mut start = vec![0usize; bins + 1];
    for &(bin, ..) in lists.clone().flatten() {
        start[usize::from(bin) + 1] += 1;
    }
    for s in 0..bins {
        start[s + 1] += start[s];
    }
    let mut next = start.clone();
    let total = start[bins];
    let mut rows = vec![0u32; total];
    let mut cells = vec![T::default(); total];
    for &(bin, row, cell) in lists.flatten() {
        let at = next[usize::from(bin)];
        rows[at] = row;
        cells[at] = cell;
        next[usize::from(bin)] += 1;
    }
    Bins { start, rows, cells }
}
