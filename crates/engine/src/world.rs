//! The bevy_ecs world of cells, and contiguous access to its rows.
//!
//! Every cell is an entity with one wide component, [`CellRow`]. Entities are spawned
//! in batches and never despawned: a dead cell's row is marked `Dead` and reused by the
//! next birth (a prototype measured 1.03 s to despawn and spawn 10% of 10M cells per
//! step, against 36-91 ms to mark and reuse rows). All cell entities share one archetype,
//! so bevy keeps them in one table whose `CellRow` column is a contiguous array in spawn
//! order; [`CellWorld::cells_mut`] hands that column to rayon as a slice, which a
//! prototype measured as fast as a plain `Vec` (5 ns/cell at 10M cells), where bevy's own
//! `par_iter_mut` needs its separate task pool.
//!
//! bevy_ecs keeps 24 bytes of metadata per entity index and, whenever its list of them
//! grows, writes them up to the new capacity: spawned one batch at a time, ~10.6 M rows
//! took 2^24 indices (403 MB). A world made for an expected number of rows
//! ([`CellWorld::with_capacity`]) allocates their indices at once and spawns its first
//! rows on them, so the list holds that many and no more until the rows outgrow it.
//!
//! The world also carries the counts of its living rows ([`crate::row_census`]), so
//! that the cell pass need not count the rows it does not change. Any mutable access
//! to the rows through [`CellWorld::cells_mut`] or [`CellWorld::spawn`] marks them
//! stale, and they are counted afresh when next asked for: only the accesses that
//! keep them equal to the rows ([`CellWorld::rows_and_counts`],
//! [`CellWorld::spawn_counted`]) leave them standing.

#![expect(
    unsafe_code,
    reason = "reads the ECS component column as a slice; see the SAFETY notes"
)]

use crate::car_rows::{self, CarRows};
use crate::census::Census;
use crate::config::RunConfig;
use bevy_ecs::component::Component;
use bevy_ecs::entity::Entity;
use bevy_ecs::world::World;
use immunosim_model::Cell;
use std::cell::UnsafeCell;
use std::ops::Range;

pub use crate::chunks::CHUNK_ROWS;

/// The ECS component: one cell record.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq)]
#[repr(transparent)]
pub struct CellRow(pub Cell);

/// The world of cells.
pub struct CellWorld {
    world: World,
    /// The living rows counted by population, site, specificity and compartment
    /// ([`crate::row_census`]); `None` when a mutation may have changed them.
    counts: Option<Census>,
    /// Times the rows have been counted afresh.
    recounts: u64,
    /// Times the rows have been scanned for the CAR-T phases.
    scans: u64,
    /// The CAR-T rows and possible targets found by the last scan, or kept by the step
    /// that last wrote the rows ([`crate::car_rows`]); `None` after any other mutable
    /// access to the rows.
    car_rows: Option<CarRows>,
    /// Entity indices allocated for rows not yet spawned ([`CellWorld::with_capacity`]).
    reserved: Range<u32>,
}

impl Default for CellWorld {
    fn default() -> Self {
        Self::new()
    }
}

impl CellWorld {
    /// An empty world with the cell component registered.
    pub fn new() -> CellWorld {
        Self::with_capacity(0)
    }

    /// An empty world whose entity metadata is sized for `rows` rows: their entity
    /// indices are allocated now and the first `rows` rows spawned are placed on them.
    pub fn with_capacity(rows: usize) -> CellWorld {
        let mut world = World::new();
        world.register_component::<CellRow>();
        let reserved = reserve_indices(&mut world, rows);
        CellWorld {
            world,
            counts: None,
            recounts: 0,
            scans: 0,
            car_rows: None,
            reserved,
        }
    }

    /// Appends cells as new entities (rows at the end of the table, in order); the
    /// row counts are taken afresh when next needed.
    pub fn spawn(&mut self, cells: impl IntoIterator<Item = Cell>) {
        self.counts = None;
        self.spawn_counted(cells);
    }

    /// Appends cells that the row counts hold already (births counted where they
    /// were made).
    pub(crate) fn spawn_counted(&mut self, cells: impl IntoIterator<Item = Cell>) {
        self.car_rows = None;
        let mut cells = cells.into_iter();
        while !self.reserved.is_empty() {
            let Some(cell) = cells.next() else {
                return;
            };
            let entity = Entity::from_raw_u32(self.reserved.start).expect("below u32::MAX");
            self.reserved.start += 1;
            self.world
                .spawn_at(entity, CellRow(cell))
                .expect("a reserved index is allocated and not spawned");
        }
        // Spawned straight from the iterator: no intermediate copy of the batch.
        self.world.spawn_batch(cells.map(CellRow));
    }

    /// Number of rows (living and dead).
    pub fn len(&self) -> usize {
        self.cells().len()
    }

    /// Whether the world has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell column of the one table holding cells, as bevy stores it (`None` when
    /// no cell has been spawned).
    fn column(world: &World) -> Option<&[UnsafeCell<CellRow>]> {
        let id = world.component_id::<CellRow>()?;
        let table = world
            .storages()
            .tables
            .iter()
            .find(|t| t.has_column(id) && t.entity_count() > 0)?;
        // SAFETY: `CellRow` is the type registered under `id`, and the column holds
        // exactly `entity_count` initialised elements.
        unsafe { table.get_data_slice_for::<CellRow>(id) }
    }

    /// The rows as a slice, in table order.
    pub fn cells(&self) -> &[Cell] {
        let Some(column) = Self::column(&self.world) else {
            return &[];
        };
        // SAFETY: `UnsafeCell<CellRow>` has the layout of `CellRow`, which is
        // `repr(transparent)` over `Cell`; we hold `&self` of the world, so no mutable
        // access exists for the lifetime of the returned slice.
        unsafe { std::slice::from_raw_parts(column.as_ptr().cast::<Cell>(), column.len()) }
    }

    /// The rows as a mutable slice, in table order; the row counts are taken afresh
    /// when next needed.
    pub fn cells_mut(&mut self) -> &mut [Cell] {
        self.counts = None;
        self.car_rows = None;
        Self::rows_mut(&mut self.world)
    }

    /// The rows and their counts for `sites` sites (counted now if stale): the caller
    /// changes the counts with every change it makes to a living row's population,
    /// site, specificity or compartment, and counts a birth where it is made.
    pub(crate) fn rows_and_counts(&mut self, sites: usize) -> (&mut [Cell], &mut Census) {
        self.counts_mut(sites);
        self.car_rows = None;
        let counts = self.counts.as_mut().expect("counted just now");
        (Self::rows_mut(&mut self.world), counts)
    }

    /// The rows, for writes that change no count (births that were counted where they
    /// were made, into free rows): the counts stay as they are, fresh or stale.
    pub(crate) fn rows_keeping_counts(&mut self) -> &mut [Cell] {
        self.car_rows = None;
        Self::rows_mut(&mut self.world)
    }

    /// Scans the rows for the CAR-T cells and possible targets of `config`'s products
    /// ([`car_rows::scan`]) unless the last scan fits `config` and no row has changed
    /// since; [`CellWorld::car_rows`] reads it.
    pub(crate) fn scan_car_rows(&mut self, config: &RunConfig) {
        if !self.car_rows.as_ref().is_some_and(|kept| kept.fit(config)) {
            self.car_rows = Some(car_rows::scan(self.cells(), config));
            self.scans += 1;
        }
    }

    /// Keeps `rows` as the scan of the rows as they are now: found by the accesses that
    /// wrote them last (the cell pass and the births' placement).
    pub(crate) fn keep_car_rows(&mut self, rows: CarRows) {
        self.car_rows = Some(rows);
    }

    /// Whether the kept scan (if any, and for `config`) equals a fresh scan of the
    /// rows: the check that the rows found as they were written are those a scan finds.
    pub fn car_rows_match_rows(&self, config: &RunConfig) -> bool {
        self.car_rows(config)
            .is_none_or(|kept| *kept == car_rows::scan(self.cells(), config))
    }

    /// The last scan of the rows for `config`'s CAR-T phases, if no row has changed
    /// since ([`CellWorld::scan_car_rows`]).
    pub(crate) fn car_rows(&self, config: &RunConfig) -> Option<&CarRows> {
        self.car_rows.as_ref().filter(|kept| kept.fit(config))
    }

    /// The counts of the living rows for `sites` sites, counted now if stale (the
    /// caller keeps them equal to the rows, as for [`CellWorld::rows_and_counts`]).
    pub(crate) fn counts_mut(&mut self, sites: usize) -> &mut Census {
        if self
            .counts
            .as_ref()
            .is_none_or(|c| c.by_site.len() != sites)
        {
            self.counts = Some(crate::row_census::count(self.cells(), sites));
            self.recounts += 1;
        }
        self.counts.as_mut().expect("counted just now")
    }

    /// Whether the carried row counts (if any) equal a fresh count of the rows: the
    /// check that every mutation kept them.
    pub fn counts_match_rows(&self) -> bool {
        self.counts
            .as_ref()
            .is_none_or(|c| *c == crate::row_census::count(self.cells(), c.by_site.len()))
    }

    /// Whether the world carries row counts now (none until first asked for, and
    /// none after an access that marks them stale).
    #[cfg(test)]
    pub(crate) fn carries_counts(&self) -> bool {
        self.counts.is_some()
    }

    /// Times the rows have been counted afresh since the world was made.
    #[cfg(test)]
    pub(crate) fn recounts(&self) -> u64 {
        self.recounts
    }

    /// Times the rows have been scanned for the CAR-T phases since the world was made.
    #[cfg(test)]
    pub(crate) fn scans(&self) -> u64 {
        self.scans
    }

    fn rows_mut(world: &mut World) -> &mut [Cell] {
        let Some(column) = Self::column(world) else {
            return &mut [];
        };
        let len = column.len();
        // The write permission comes from the cells' `UnsafeCell`s (interior
        // mutability), never from a shared slice of `Cell`.
        let ptr = UnsafeCell::raw_get(column.as_ptr()).cast::<Cell>();
        // SAFETY: the pointer is derived from the column's `UnsafeCell`s, so writing
        // through it is allowed under Rust's aliasing models; we hold `&mut` of the
        // world, hence exclusive access to it and its table, and no other reference to
        // the column outlives this call (the shared `column` slice is not used after
        // this point). `UnsafeCell<CellRow>` has the layout of `Cell` (see `cells`).
        // Writes bypass change ticks, which the engine does not use.
        unsafe { std::slice::from_raw_parts_mut(ptr, len) }
    }

    /// The number of archetype tables holding cells (always at most one).
    pub fn cell_tables(&self) -> usize {
        let Some(id) = self.world.component_id::<CellRow>() else {
            return 0;
        };
        self.world
            .storages()
            .tables
            .iter()
            .filter(|t| t.has_column(id) && t.entity_count() > 0)
            .count()
    }

    /// Cells as seen through an ordinary ECS query (for checks against the slice view).
    pub fn query_cells(&mut self) -> Vec<Cell> {
        let mut query = self.world.query::<&CellRow>();
        query.iter(&self.world).map(|row| row.0).collect()
    }
}

/// Allocates `rows` entity indices in `world` (fresh, so consecutive) and one more
/// above them, spawned and despawned at once so that bevy sizes its entity metadata to
/// the top index; returns the `rows` indices, still to be spawned. Beyond `u32` (which
/// bevy's indices cannot hold) it reserves none.
fn reserve_indices(world: &mut World, rows: usize) -> Range<u32> {
    let Some(count) = u32::try_from(rows).ok().and_then(|r| r.checked_add(1)) else {
        return 0..0;
    };
    if rows == 0 {
        return 0..0;
    }
    let mut ids = world.entity_allocator().alloc_many(count);
    let first = ids.next().expect("one index at least");
    let mut top = first;
    for id in ids {
        assert_eq!(
            id.index_u32(),
            top.index_u32() + 1,
            "a new world's allocator hands out consecutive indices"
        );
        top = id;
    }
    let top = world
        .spawn_empty_at(top)
        .expect("a fresh index can be spawned")
        .id();
    world.despawn_no_free(top);
    first.index_u32()..top.index_u32()
}

#[cfg(test)]
mod tests {
    use super::*;
    use immunosim_model::{CellId, Population};

    #[test]
    fn slice_view_matches_ecs_query_in_spawn_order() {
        let mut world = CellWorld::new();
        world.spawn((0..1000).map(|i| Cell {
            id: CellId(i),
            population: Population::BNaive,
            ..Cell::default()
        }));
        world.spawn((1000..1500).map(|i| Cell {
            id: CellId(i),
            population: Population::Cd4Naive,
            ..Cell::default()
        }));
        assert_eq!(world.cell_tables(), 1);
        let ids: Vec<u64> = world.cells().iter().map(|c| c.id.0).collect();
        assert_eq!(ids, (0..1500).collect::<Vec<_>>());
        world.cells_mut()[7].population = Population::Dead;
        assert_eq!(world.query_cells()[7].population, Population::Dead);
        assert_eq!(world.query_cells(), world.cells().to_vec());
    }

    fn cells(ids: Range<u64>) -> impl Iterator<Item = Cell> {
        ids.map(|i| Cell {
            id: CellId(i),
            ..Cell::default()
        })
    }

    #[test]
    fn a_world_made_for_n_rows_keeps_entity_metadata_for_about_n() {
        // Spawned in batches, bevy holds metadata up to the next power of two.
        let mut plain = CellWorld::new();
        plain.spawn(cells(0..1000));
        plain.spawn(cells(1000..3000));
        assert_eq!(plain.world.entities().len(), 4096);

        let mut world = CellWorld::with_capacity(3000);
        world.spawn(cells(0..1000));
        world.spawn(cells(1000..3000));
        let held = world.world.entities().len();
        assert!((3001..3010).contains(&held), "{held} indices for 3000 rows");
        // Rows beyond the reserve are spawned as ever, in order after the others.
        world.spawn(cells(3000..3500));
        let ids: Vec<u64> = world.cells().iter().map(|c| c.id.0).collect();
        assert_eq!(ids, (0..3500).collect::<Vec<_>>());
        assert_eq!(world.query_cells(), world.cells().to_vec());
        assert_eq!(world.cell_tables(), 1);
    }
}
