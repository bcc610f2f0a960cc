//! The rows the CAR-T phases read: the CAR-T cells binned by site and the possible
//! targets (cells carrying an antigen some product binds) binned by compartment.
//!
//! Two readers need them at the same moment, a recorded boundary: the snapshot (blood
//! CAR-T cells by product, which the census does not split) and the next step's
//! encounters. While CAR-T cells live, the step before finds them as it writes the
//! rows: each chunk of the cell pass once its rows are final, while they are in cache,
//! and the births' placement among the cells it places ([`Finder`]); the lists, in row
//! order, are binned as a [`scan`] of the whole table would bin them. The world keeps
//! them until any other mutable access to its rows (Flu/Cy, the first surfaces, a
//! resampling of the CAR-T weight), after which [`scan`] reads the table again
//! (`CellWorld::scan_car_rows`).

use crate::chunks::CHUNK_ROWS;
use crate::config::RunConfig;
use immunosim_model::antigen_panel::Stage;
use immunosim_model::car;
use immunosim_model::compartment::SiteLayout;
use immunosim_model::rules::killing::Target;
use immunosim_model::{Antigen, Cell, Compartment, Population};
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

/// The CAR-T rows and possible targets among some rows, in row order, before they are
/// binned: a chunk's (found by [`scan`], or by the cell pass while the chunk is in
/// cache) or those of the births placed into rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Found {
    cars: Vec<BinEntry<Cell>>,
    targets: Vec<BinEntry<Target>>,
}

/// Two lists of distinct rows, each in row order, read as one in row order (merged as
/// they are read, not copied into one).
#[derive(Clone)]
struct MergedByRow<'a, T> {
    a: &'a [BinEntry<T>],
    b: &'a [BinEntry<T>],
}

impl<T: Copy> Iterator for MergedByRow<'_, T> {
    type Item = BinEntry<T>;

    fn next(&mut self) -> Option<BinEntry<T>> {
        let take_a = match (self.a.first(), self.b.first()) {
            (Some(a), Some(b)) => a.1 < b.1,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        let list = if take_a { &mut self.a } else { &mut self.b };
        let (first, rest) = list.split_first()?;
        *list = rest;
        Some(*first)
    }
}

/// What a scan for a run's products looks for: CAR-T cells, and living cells with an
/// antigen some product binds with an activating binder.
pub struct Finder {
    key: ([bool; Antigen::SLOTS], usize),
    layout: SiteLayout,
    /// Populations whose rows may be CAR-T cells or possible targets: the living CAR-T
    /// populations and the stages that carry antigens ([`Stage::of`]); the rows of the
    /// others (dead rows, and most of them T cells) are passed over on their population
    /// alone.
    looked_at: [bool; Population::COUNT],
}

impl Finder {
    /// The finder for `config`'s products and sites.
    pub fn new(config: &RunConfig) -> Finder {
        Finder {
            key: key(config),
            layout: config.site_layout(),
            looked_at: Population::LIVING.iter().fold(
                [false; Population::COUNT],
                |mut looked_at, &p| {
                    looked_at[p.index()] = p.is_car_t() || Stage::of(p).is_some();
                    looked_at
                },
            ),
        }
    }

    /// Adds `cell`, in `row`, to `found` if it is a CAR-T cell or a possible target.
    #[inline]
    pub fn visit(&self, row: u32, cell: &Cell, found: &mut Found) {
        let targeted = &self.key.0;
        if !self.looked_at[cell.population.index()] {
            return;
        }
        if cell.population.is_car_t() {
            found.cars.push((cell.site, row, *cell));
        } else if (0..Antigen::SLOTS).fold(false, |any, slot| {
            // Or'ed without short cuts: four compares, no branch to mispredict.
            any | (targeted[slot] & (cell.antigen[slot] > 0))
        }) {
            let compartment = self.layout.compartment_of(cell.site).index() as u16;
            found.targets.push((compartment, row, Target::from(cell)));
        }
    }

    /// The CAR-T rows and possible targets of `cells`, whose first row is `first_row`.
    pub fn rows(&self, first_row: usize, cells: &[Cell]) -> Found {
        let mut found = Found::default();
        for (offset, cell) in cells.iter().enumerate() {
            self.visit((first_row + offset) as u32, cell, &mut found);
        }
        found
    }

    /// The rows found, binned (the CAR-T cells by site, the possible targets by
    /// compartment): `found`, lists in row order each after the one before (each chunk's,
    /// found by the cell pass or a scan), with `placed` (the births' placement: those
    /// in the same chunks, then in the new rows) merged in row order as they are read.
    pub fn binned(&self, found: &[Found], placed: &[Found]) -> CarRows {
        let empty = Found::default();
        let chunks = found.len().max(placed.len());
        let pair = |c: usize| {
            (
                found.get(c).unwrap_or(&empty),
                placed.get(c).unwrap_or(&empty),
            )
        };
        let cars = (0..chunks).flat_map(|c| {
            let (a, b) = pair(c);
            MergedByRow {
                a: &a.cars,
                b: &b.cars,
            }
        });
        let targets = (0..chunks).flat_map(|c| {
            let (a, b) = pair(c);
            MergedByRow {
                a: &a.targets,
                b: &b.targets,
            }
        });
        CarRows {
            key: self.key,
            cars: binned(cars, self.key.1),
            targets: binned(targets, Compartment::COUNT),
        }
    }
}

/// Scans `cells` for the CAR-T rows and possible targets of `config`'s products.
pub fn scan(cells: &[Cell], config: &RunConfig) -> CarRows {
    let finder = Finder::new(config);
    let found: Vec<Found> = cells
        .par_chunks(CHUNK_ROWS)
        .enumerate()
        .map(|(chunk, part)| finder.rows(chunk * CHUNK_ROWS, part))
        .collect();
    finder.binned(&found, &[])
}

/// Stable counting sort into `bins` bins of `entries`, which arrive in row order.
fn binned<T: Copy + Default>(
    entries: impl Iterator<Item = BinEntry<T>> + Clone,
    bins: usize,
) -> Bins<T> {
    let mut start = vec![0usize; bins + 1];
    for (bin, ..) in entries.clone() {
        start[usize::from(bin) + 1] += 1;
    }
    for s in 0..bins {
        start[s + 1] += start[s];
    }
    let mut next = start.clone();
    let total = start[bins];
    let mut rows = vec![0u32; total];
    let mut cells = vec![T::default(); total];
    for (bin, row, cell) in entries {
        let at = next[usize::from(bin)];
        rows[at] = row;
        cells[at] = cell;
        next[usize::from(bin)] += 1;
    }
    Bins { start, rows, cells }
}
