//! The counts of the living rows, carried from step to step.
//!
//! A quiet row without an event ends its step with the population, site, specificity
//! and compartment it began with, so the counts of the rows need only change where a
//! row does: the cell pass changes them by its chunks' deltas (a stepped cell's old
//! contribution out, its new one and its births' in), and every other phase either
//! changes them with the rows ([`crate::world::CellWorld::rows_and_counts`]) or leaves
//! them to be counted afresh ([`crate::world::CellWorld::cells_mut`]). They have the
//! shape of a [`Census`] counted with every position explicit; the step's census is
//! drawn from them ([`split_implicit`]) exactly as if each row had been counted under
//! the step's plan.
//!
//! A chunk's delta is a [`Census`] whose counts are taken modulo 2^32 (removals wrap
//! below zero); adding all deltas to the counts gives the exact new counts, whatever the
//! order, since integer addition modulo 2^32 is exact.

use crate::census::{Census, Unplaced};
use crate::chunks::CHUNK_ROWS;
use immunosim_model::rules::quiet::QuietPlan;
use immunosim_model::{Cell, Population, Specificity};
use rayon::prelude::*;

/// The living rows of `cells` counted by site, population, specificity and compartment
/// (every position explicit), for `sites` sites.
pub fn count(cells: &[Cell], sites: usize) -> Census {
    let parts: Vec<Census> = cells
        .par_chunks(CHUNK_ROWS)
        .map(|chunk| {
            let mut part = Census::new(sites);
            for cell in chunk.iter().filter(|c| c.is_alive()) {
                part.add(cell, cell.compartment);
            }
            part
        })
        .collect();
    let mut total = Census::new(sites);
    for part in &parts {
        total.merge(part);
    }
    total
}

impl Census {
    /// Counts one cell into a delta (modulo 2^32).
    #[inline]
    pub fn add_to_delta(&mut self, cell: &Cell) {
        self.shift_delta(cell, 1);
    }

    /// Uncounts one cell from a delta (modulo 2^32: adding 2^32 - 1 subtracts one).
    #[inline]
    pub fn remove_from_delta(&mut self, cell: &Cell) {
        self.shift_delta(cell, u32::MAX);
    }

    /// Adds `by` (modulo 2^32) to every count the cell contributes to.
    #[inline]
    fn shift_delta(&mut self, cell: &Cell, by: u32) {
        let p = cell.population.index();
        let site = &mut self.by_site[usize::from(cell.site)][p];
        *site = site.wrapping_add(by);
        let spec = &mut self.by_specificity[p][cell.specificity.index()];
        *spec = spec.wrapping_add(by);
        if cell.specificity == Specificity::Autoantigen {
            let auto = &mut self.autoreactive[cell.compartment.index()][p];
            *auto = auto.wrapping_add(by);
        }
    }

    /// Adds a delta's counts (modulo 2^32; same layout).
    pub fn apply_delta(&mut self, delta: &Census) {
        self.combine(delta, u32::wrapping_add);
    }
}

/// Whether a cell's change from `before` to `after` leaves the counts as they were.
#[inline]
pub fn same_counts(before: &Cell, after: &Cell) -> bool {
    before.population == after.population
        && before.site == after.site
        && before.specificity == after.specificity
        && before.compartment == after.compartment
}

/// The step's census of the rows counted in `rows`: populations with explicit positions
/// under `plan` as counted, those with implicit ones by population and specificity only,
/// to be placed ([`Census::place_implicit`]).
pub fn split_implicit(rows: &Census, plan: &QuietPlan) -> (Census, Unplaced) {
    let mut census = Census::new(rows.by_site.len());
    let mut unplaced: Unplaced = [[0; Specificity::COUNT]; Population::COUNT];
    for population in Population::LIVING {
        let p = population.index();
        if plan.is_implicit(population) {
            unplaced[p] = rows.by_specificity[p];
            continue;
        }
        census.by_specificity[p] = rows.by_specificity[p];
        for (to, from) in census.by_site.iter_mut().zip(&rows.by_site) {
            to[p] = from[p];
        }
        for (to, from) in census.autoreactive.iter_mut().zip(&rows.autoreactive) {
            to[p] = from[p];
        }
    }
    (census, unplaced)
}

#[cfg(test)]
mod tests {
    use super::*;
    use immunosim_model::{CellId, Compartment};

    fn cell(id: u64, population: Population, site: u16, specificity: Specificity) -> Cell {
        Cell {
            id: CellId(id),
            population,
            site,
            specificity,
            compartment: Compartment::Blood,
            ..Cell::default()
        }
    }

    /// A delta that removes more of a count than it adds wraps, and applying it gives
    /// the exact count; dead rows are not counted.
    #[test]
    fn deltas_applied_give_a_fresh_count() {
        let auto = Specificity::Autoantigen;
        let mut cells = vec![
            cell(0, Population::BNaive, 0, auto),
            cell(1, Population::BNaive, 1, Specificity::Other),
            cell(2, Population::Cd4Naive, 1, auto),
            cell(3, Population::Dead, 0, auto),
        ];
        let mut counts = count(&cells, 2);
        assert_eq!(counts.living(), 3);
        let mut delta = Census::new(2);
        // Cell 0 dies, cell 1 moves and becomes self-reactive, a birth arrives.
        delta.remove_from_delta(&cells[0]);
        cells[0].population = Population::Dead;
        delta.remove_from_delta(&cells[1]);
        cells[1].site = 0;
        cells[1].specificity = auto;
        delta.add_to_delta(&cells[1]);
        cells[3] = cell(4, Population::Plasmablast, 1, auto);
        delta.add_to_delta(&cells[3]);
        assert_eq!(delta.by_site[0][Population::BNaive.index()], 0);
        assert_eq!(delta.by_site[1][Population::BNaive.index()], u32::MAX);
        counts.apply_delta(&delta);
        assert_eq!(counts, count(&cells, 2));
        assert!(!same_counts(&cells[0], &cells[1]));
        assert!(same_counts(&cells[2], &cells[2]));
    }
}
