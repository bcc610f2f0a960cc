//! The cell pass: one rayon pass over fixed-size chunks of rows (chunk boundaries do
//! not depend on the thread count).
//!
//! A cell of a quiet population ([`immunosim_model::rules::quiet`]) is passed over
//! unless its population's candidate gaps (one sequence per lane of rows, [`LANES`]),
//! drawn from the chunk's own stream, land on it; every other cell, and a quiet
//! candidate, gets its own random stream keyed by (seed, step, cell id) and goes
//! through the model's rules
//! ([`immunosim_model::rules::step_cell`] or [`immunosim_model::rules::quiet::candidate`]);
//! encounters read the per-site census of the start of the step. Each chunk also makes
//! its share of the step's new pre-B cells (marrow output), names what it makes — new
//! pre-B cells and daughters — by (step, chunk, ordinal) ([`crate::ids`]) and writes
//! them into rows as its pass frees them. It returns the births and freed rows left
//! over and its delta of the row counts ([`crate::row_census`]): a row passed over is
//! not counted again, a stepped cell's old contribution is taken out and its new one
//! (and its births') put in. The step's census, with implicit positions placed, is
//! drawn from the new row counts afterwards. While CAR-T cells live, each chunk also
//! finds its CAR-T rows and possible targets once its rows are final, while they are in
//! cache ([`crate::car_rows::Finder`]): with the births placed after the pass, the next
//! step's encounters read them without a second pass over the table.

use crate::car_rows::{Finder, Found};
use crate::census::Census;
use crate::config::RunConfig;
use crate::config::Weights;
use crate::ids;
use crate::rng::{Purpose, StepKey, Stream};
use crate::row_census::same_counts;
use crate::world::{CHUNK_ROWS, CellWorld};
use immunosim_model::rules::quiet::{self, QuietPlan};
use immunosim_model::rules::{self, Fate, SiteViews, StepContext, lymphopoiesis};
use immunosim_model::{Cell, Draws, Population, Specificity};
use rayon::prelude::*;

/// What one chunk of the cell pass returns.
pub struct ChunkOutcome {
    /// The chunk's change to the row counts (modulo 2^32, [`crate::row_census`]).
    pub delta: Census,
    /// Plasmablasts of the chunk that entered a niche, by specificity.
    pub niche_entries: [u64; Specificity::COUNT],
    /// New pre-B cells and daughters waiting for a row (named already): at the end of
    /// the pass, those the chunk's own freed rows could not take.
    pub births: Vec<Cell>,
    /// Freed rows (ascending) not taken by the chunk's own births.
    pub freed: Vec<u32>,
    /// Cells made in the chunk (new pre-B cells and daughters), placed or not.
    pub born: usize,
    /// Rows whose cells went through the model's rules (explicit cells and quiet
    /// candidates), by population at the start of their step.
    pub stepped: [u64; Population::COUNT],
    /// The chunk's CAR-T rows and possible targets at the end of the pass (empty
    /// without a [`CellPass::finder`]).
    pub found: Found,
}

impl ChunkOutcome {
    /// Births and freed rows start with room for 256 and grow when more come: every
    /// chunk's lists are alive at once at the end of the pass, and room for 2,048
    /// births in each of the ~650 chunks at 10^7 agents held ~40 MB of the run's peak
    /// memory (`heaptrack`), most of it never used.
    fn new(sites: usize) -> ChunkOutcome {
        ChunkOutcome {
            delta: Census::new(sites),
            niche_entries: [0; Specificity::COUNT],
            births: Vec::with_capacity(CHUNK_ROWS / 64),
            freed: Vec::with_capacity(CHUNK_ROWS / 64),
            born: 0,
            stepped: [0; Population::COUNT],
            found: Found::default(),
        }
    }

    /// Writes waiting births into the chunk's freed rows, the latest of each first:
    /// the row just freed (or just passed) is still in cache. Freed rows are never ahead
    /// of the pass, so a cell is not stepped in the step it was made. What is left
    /// (births or freed rows, never both) goes to [`crate::phases::births::place`]; the
    /// freed rows left stay ascending.
    #[inline]
    fn place_in_chunk(&mut self, cells: &mut [Cell], first_row: usize) {
        while !self.births.is_empty() && !self.freed.is_empty() {
            let (Some(born), Some(row)) = (self.births.pop(), self.freed.pop()) else {
                unreachable!("both lists are non-empty");
            };
            cells[row as usize - first_row] = born;
        }
    }

    /// Names ([`ids::born`]) and counts the births pushed since `before`. Most events
    /// push none (a death, a move): that check is inlined into the pass.
    #[inline]
    fn name_births(&mut self, before: usize, step: u64, chunk: usize) {
        if self.births.len() > before {
            self.name_births_from(before, step, chunk);
        }
    }

    /// [`ChunkOutcome::name_births`] when there are some.
    #[inline(never)]
    fn name_births_from(&mut self, before: usize, step: u64, chunk: usize) {
        for i in before..self.births.len() {
            self.births[i].id = ids::born(step, chunk, self.born);
            self.born += 1;
            let born = self.births[i];
            self.delta.add_to_delta(&born);
        }
    }
}

/// The cell pass of one step: what every chunk reads.
pub struct CellPass<'a> {
    /// The step's read-only inputs.
    pub ctx: &'a StepContext<'a>,
    /// Which populations are quiet this step, and their thresholds.
    pub plan: &'a QuietPlan,
    /// Per-site counts of the start of the step (encounters within a site).
    pub views: SiteViews<'a>,
    /// The run's configuration.
    pub config: &'a RunConfig,
    /// Real cells per agent of each kind this step.
    pub weights: Weights,
    /// The key of the cells' own streams this step.
    pub key: StepKey,
    /// The step.
    pub step: u64,
    /// Sites in the layout.
    pub sites: usize,
    /// Expected new pre-B agents per chunk (`lymphopoiesis::precursors_per_step`
    /// shared evenly among the chunks).
    pub precursors_per_chunk: f64,
    /// What each chunk looks for among its rows at the end of its pass (CAR-T cells
    /// and possible targets), if anything.
    pub finder: Option<&'a Finder>,
}

impl CellPass<'_> {
    /// Steps the rows of chunk `chunk` (`cells`), in row order.
    fn chunk(&self, chunk: usize, cells: &mut [Cell]) -> ChunkOutcome {
        let plan = self.plan;
        let mut out = ChunkOutcome::new(self.sites);
        let first_row = chunk * CHUNK_ROWS;
        // Quiet cells with an event to resolve: per population and lane ([`LANES`]), the
        // quiet rows to pass over before its next candidate (`QuietPlan::gap`), drawn in
        // row order from the chunk's own stream.
        let mut skips = Stream::new(
            self.config.seed,
            self.step,
            chunk as u64,
            Purpose::QuietEvents,
        );
        let mut pass_over = [[0u64; LANES]; Population::COUNT];
        for population in Population::LIVING.into_iter().filter(|&p| plan.is_quiet(p)) {
            for lane in &mut pass_over[population.index()] {
                *lane = plan.gap(population, &mut skips);
            }
        }
        // Marrow output: the chunk's share of the step's new pre-B cells, made first so
        // that they fill the rows freed in the pass while those are in cache. Poisson
        // counts with means summing to the step's mean add up to one Poisson count of
        // that mean, so the split changes nothing in distribution.
        let mut marrow = Stream::new(
            self.config.seed,
            self.step,
            chunk as u64,
            Purpose::Lymphopoiesis,
        );
        for _ in 0..marrow.poisson(self.precursors_per_chunk) {
            out.births
                .push(lymphopoiesis::new_precursor(self.ctx, &mut marrow));
        }
        out.name_births(0, self.step, chunk);
        let mut offset = 0;
        loop {
            // Most rows: a quiet cell without an event stays as it is, counted as it
            // was.
            offset = pass_over_quiet(cells, offset, &plan.quiet, &mut pass_over);
            if offset == cells.len() {
                break;
            }
            let row = (first_row + offset) as u32;
            let cell = &mut cells[offset];
            if !cell.is_alive() {
                out.freed.push(row);
            } else {
                let (before, fate) = if plan.is_quiet(cell.population) {
                    // A candidate: its lane's rows to pass over are used up.
                    pass_over[cell.population.index()][offset % LANES] =
                        plan.gap(cell.population, &mut skips);
                    out.stepped[cell.population.index()] += 1;
                    let before = *cell;
                    (before, self.quiet_candidate(cell, chunk, &mut out))
                } else {
                    out.stepped[cell.population.index()] += 1;
                    let before = *cell;
                    (before, self.explicit(cell, chunk, &mut out))
                };
                if before.population == Population::Plasmablast
                    && fate == Fate::Lives
                    && cell.population == Population::PlasmaCell
                {
                    out.niche_entries[cell.specificity.index()] += 1;
                }
                if fate == Fate::Dies {
                    out.delta.remove_from_delta(&before);
                    cell.population = Population::Dead;
                    out.freed.push(row);
                } else if !same_counts(&before, cell) {
                    out.delta.remove_from_delta(&before);
                    out.delta.add_to_delta(cell);
                }
            }
            out.place_in_chunk(cells, first_row);
            offset += 1;
        }
        // The chunk's rows are final for the pass (births go into freed rows behind
        // it) and still in cache.
        if let Some(finder) = self.finder {
            out.found = finder.rows(first_row, cells);
        }
        out
    }

    /// A quiet cell chosen as a candidate (`rules::quiet::candidate`), reweighed if it
    /// changed weight (a self-reactive pre-B cell emigrating into the finer lineage).
    fn quiet_candidate(&self, cell: &mut Cell, chunk: usize, out: &mut ChunkOutcome) -> Fate {
        let births_before = out.births.len();
        let mut draws = self.key.cell(cell.id.0);
        let was = (cell.population, cell.specificity);
        let mut fate = quiet::candidate(
            cell,
            self.ctx,
            self.plan,
            self.views,
            &mut draws,
            &mut out.births,
        );
        fate = self.reweighed(cell, fate, was, &mut draws, out);
        out.name_births(births_before, self.step, chunk);
        fate
    }

    /// `fate`, or death or copies if a living cell's weight changed in its step
    /// ([`crate::config::reweigh`]) from that of the population and specificity it
    /// `was`. Most events leave both as they were (a T cell's death or division), and
    /// then the weight, a function of the two, is not looked up: that check is inlined
    /// into the pass, the rest is a call of its own.
    #[inline]
    fn reweighed(
        &self,
        cell: &Cell,
        fate: Fate,
        was: (Population, Specificity),
        draws: &mut impl immunosim_model::Draws,
        out: &mut ChunkOutcome,
    ) -> Fate {
        if fate != Fate::Lives || (cell.population, cell.specificity) == was {
            fate
        } else {
            self.reweighed_after_change(cell, fate, was, draws, out)
        }
    }

    /// [`CellPass::reweighed`] of a living cell whose population or specificity changed.
    #[inline(never)]
    fn reweighed_after_change(
        &self,
        cell: &Cell,
        fate: Fate,
        was: (Population, Specificity),
        draws: &mut impl immunosim_model::Draws,
        out: &mut ChunkOutcome,
    ) -> Fate {
        let weight_before = self.weights.of(was.0, was.1);
        if self.weights.of(cell.population, cell.specificity) != weight_before {
            crate::config::reweigh(cell, weight_before, &self.weights, draws, &mut out.births)
        } else {
            fate
        }
    }

    /// A cell stepped through every rule (`rules::step_cell`), reweighed if it changed
    /// weight (kind, or into the finer self-reactive pool).
    fn explicit(&self, cell: &mut Cell, chunk: usize, out: &mut ChunkOutcome) -> Fate {
        let view = self.views.view(cell.site);
        let mut draws = self.key.cell(cell.id.0);
        let births_before = out.births.len();
        let was = (cell.population, cell.specificity);
        let mut fate = rules::step_cell(cell, self.ctx, view, &mut draws, &mut out.births);
        fate = self.reweighed(cell, fate, was, &mut draws, out);
        out.name_births(births_before, self.step, chunk);
        fate
    }
}

/// Rows ahead of the quiet scan whose cache line is asked for ([`crate::prefetch`]):
/// 4 KB, a page. 64 to 128 rows were alike and 8 to 32 slower in a model of the scan.
const PREFETCH_ROWS: usize = 128;

/// Interleaved count-downs per quiet population: row `r` of a chunk counts down lane
/// `r % LANES` of its population, each lane with its own geometric gaps. Every quiet
/// row is still a candidate independently with its population's probability (the
/// lanes' gaps are independent), but two neighbouring rows of one population no longer
/// wait for each other's store: with one count-down per population that store-to-load
/// chain was the largest part of the scan's cost.
const LANES: usize = 4;

/// From row `start` of the chunk `cells`, passes over the rows that are of a quiet
/// population (`quiet`) with rows left to pass over in their lane (`pass_over`,
/// counted down), and returns the first row that is not: dead, explicit or a
/// candidate (`cells.len()` if none). A loop of its own, so that the few values it
/// keeps stay in registers.
#[inline(never)]
fn pass_over_quiet(
    cells: &[Cell],
    start: usize,
    quiet: &[bool; Population::COUNT],
    pass_over: &mut [[u64; LANES]; Population::COUNT],
) -> usize {
    for (n, cell) in cells.iter().enumerate().skip(start) {
        crate::prefetch::read_soon(std::ptr::from_ref(cell).wrapping_add(PREFETCH_ROWS));
        let p = cell.population.index();
        let left = &mut pass_over[p][n % LANES];
        if !quiet[p] || *left == 0 {
            return n;
        }
        *left -= 1;
    }
    cells.len()
}

/// Runs the cell pass over every row of `world` (one empty chunk when the table is
/// empty, so that marrow output never stops) and applies the chunks' deltas to the
/// world's row counts; the chunks' outcomes in chunk order. The births left over are
/// counted already: they go into rows by [`crate::phases::births::place`].
pub fn run(world: &mut CellWorld, pass: &CellPass<'_>) -> Vec<ChunkOutcome> {
    let (cells, counts) = world.rows_and_counts(pass.sites);
    let outcomes: Vec<ChunkOutcome> = if cells.is_empty() {
        vec![pass.chunk(0, &mut [])]
    } else {
        cells
            .par_chunks_mut(CHUNK_ROWS)
            .enumerate()
            .map(|(chunk, cells)| pass.chunk(chunk, cells))
            .collect()
    };
    for out in &outcomes {
        counts.apply_delta(&out.delta);
    }
    outcomes
}
