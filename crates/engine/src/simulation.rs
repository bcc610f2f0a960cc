//! The simulation: one patient, stepped in parallel and deterministically.
//!
//! A step, in this fixed order (the schedule):
//! 1. **Fields** — antibody pools, BAFF and organ inflammation advance from the census
//!    taken at the end of the previous step (double buffer: the step's rules read the
//!    fields of time t; the fields of t + dt are swapped in at the end).
//! 2. **Cells** — one rayon pass over fixed-size chunks of rows (chunk boundaries do
//!    not depend on the thread count). A cell of a quiet population
//!    ([`immunosim_model::rules::quiet`]) is only counted unless its population's
//!    candidate gaps, drawn from the chunk's own stream, land on it; every other cell,
//!    and a quiet candidate, gets its own random stream keyed by (seed, step, cell id)
//!    and goes through the model's rules ([`immunosim_model::rules::step_cell`] or
//!    [`immunosim_model::rules::quiet::candidate`]); encounters read the per-site
//!    census of the start of the step. Each chunk also makes its share of the step's
//!    new pre-B cells (marrow output), names what it makes — new pre-B cells and
//!    daughters — by (step, chunk, ordinal) ([`crate::ids`]) and writes them into rows
//!    as its pass frees them. It returns the births and freed rows left over and its
//!    part of the new census; cells with implicit positions are counted by population
//!    and specificity and placed into sites afterwards, one multinomial draw per group
//!    ([`Census::place_implicit`]).
//! 3. **Births** — infused CAR-T cells (counted ids), then the cells each chunk could
//!    not place, in chunk order, fill the freed rows left, in ascending order (chunks
//!    of rows in parallel); the rest are spawned as new entities at the end of the
//!    table.

use crate::census::{Census, Unplaced};
use crate::config::RunConfig;
use crate::ids;
use crate::init::initial_cells;
use crate::observe::ClinicalState;
use crate::recorder::{Event, EventKind, RecordError, Recorder};
use crate::rng::{Purpose, StepKey, Stream};
use crate::world::CellWorld;
use immunosim_model::cell::Kind;
use immunosim_model::compartment::SiteLayout;
use immunosim_model::crs::CrsState;
use immunosim_model::fields::Fields;
use immunosim_model::rules::antigens::SurfaceLaws;
use immunosim_model::rules::hazards::StepHazards;
use immunosim_model::rules::quiet::{self, QuietPlan};
use immunosim_model::rules::{self, Fate, SiteViews, StepContext, lymphopoiesis};
use immunosim_model::steady_state::SteadyState;
use immunosim_model::{Cell, Draws, Population, Specificity};
use rayon::prelude::*;

/// Rows per parallel work item. Fixed, so results never depend on the thread count;
/// 16,384 rows × 32 bytes = 512 KiB, a few per core's L2 share.
pub const CHUNK_ROWS: usize = 16_384;

/// Progress of a run, for progress bars.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Steps done.
    pub step: u64,
    /// Steps in the run.
    pub total_steps: u64,
    /// Simulated day.
    pub day: f64,
    /// Living agents.
    pub agents: u64,
}

/// What one chunk of the cell pass returns.
struct ChunkOutcome {
    census: Census,
    /// Agents with implicit positions, counted but not yet placed.
    unplaced: Unplaced,
    niche_entries: [u64; Specificity::COUNT],
    /// New pre-B cells and daughters waiting for a row (named already): at the end of
    /// the pass, those the chunk's own freed rows could not take.
    births: Vec<Cell>,
    /// Freed rows (ascending) not taken by the chunk's own births.
    freed: Vec<u32>,
    /// Cells made in the chunk (new pre-B cells and daughters), placed or not.
    born: usize,
    /// Rows whose cells went through the model's rules (explicit cells and quiet
    /// candidates).
    stepped: u64,
}

impl ChunkOutcome {
    fn new(sites: usize) -> ChunkOutcome {
        ChunkOutcome {
            census: Census::new(sites),
            unplaced: [[0; Specificity::COUNT]; Population::COUNT],
            niche_entries: [0; Specificity::COUNT],
            births: Vec::with_capacity(CHUNK_ROWS / 8),
            freed: Vec::with_capacity(CHUNK_ROWS / 8),
            born: 0,
            stepped: 0,
        }
    }

    /// Writes waiting births into the chunk's freed rows, the latest of each first:
    /// the row just freed (or just passed) is still in cache. Freed rows are never ahead
    /// of the pass, so a cell is not stepped in the step it was made. What is left
    /// (births or freed rows, never both) goes to [`Simulation::place_births`]; the
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

    /// Counts a living cell: at its site, or among the unplaced when its population's
    /// position is implicit this step.
    #[inline]
    fn count(&mut self, cell: &Cell, plan: &QuietPlan) {
        if plan.is_implicit(cell.population) {
            self.unplaced[cell.population.index()][cell.specificity.index()] += 1;
        } else {
            self.census.add(cell, cell.compartment);
        }
    }

    /// Names ([`ids::born`]) and counts the births pushed since `before`.
    #[inline]
    fn name_births(&mut self, before: usize, plan: &QuietPlan, step: u64, chunk: usize) {
        for i in before..self.births.len() {
            self.births[i].id = ids::born(step, chunk, self.born);
            self.born += 1;
            let born = self.births[i];
            self.count(&born, plan);
        }
    }
}

/// The cell pass of one step: what every chunk reads.
struct CellPass<'a> {
    ctx: &'a StepContext<'a>,
    plan: &'a QuietPlan,
    views: SiteViews<'a>,
    config: &'a RunConfig,
    key: StepKey,
    step: u64,
    sites: usize,
    /// Expected new pre-B agents per chunk (`lymphopoiesis::precursors_per_step`
    /// shared evenly among the chunks).
    precursors_per_chunk: f64,
}

impl CellPass<'_> {
    /// Steps the rows of chunk `chunk` (`cells`), in row order.
    fn chunk(&self, chunk: usize, cells: &mut [Cell]) -> ChunkOutcome {
        let plan = self.plan;
        let mut out = ChunkOutcome::new(self.sites);
        let first_row = chunk * CHUNK_ROWS;
        // Quiet cells with an event to resolve: per population, the quiet rows to pass
        // over before its next candidate (`QuietPlan::gap`), drawn in row order from the
        // chunk's own stream.
        let mut skips = Stream::new(
            self.config.seed,
            self.step,
            chunk as u64,
            Purpose::QuietEvents,
        );
        let mut pass_over = [0u64; Population::COUNT];
        for population in Population::LIVING.into_iter().filter(|&p| plan.is_quiet(p)) {
            pass_over[population.index()] = plan.gap(population, &mut skips);
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
        out.name_births(0, plan, self.step, chunk);
        for offset in 0..cells.len() {
            let row = (first_row + offset) as u32;
            let cell = &mut cells[offset];
            if !cell.is_alive() {
                out.freed.push(row);
            } else {
                let fate = if plan.is_quiet(cell.population) {
                    let left = &mut pass_over[cell.population.index()];
                    if *left > 0 {
                        // Most rows: a quiet cell without an event is only counted.
                        *left -= 1;
                        out.count(cell, plan);
                        continue;
                    }
                    *left = plan.gap(cell.population, &mut skips);
                    out.stepped += 1;
                    self.quiet_candidate(cell, chunk, &mut out)
                } else {
                    out.stepped += 1;
                    self.explicit(cell, chunk, &mut out)
                };
                if fate == Fate::Dies {
                    cell.population = Population::Dead;
                    out.freed.push(row);
                } else {
                    out.count(cell, plan);
                }
            }
            out.place_in_chunk(cells, first_row);
        }
        out
    }

    /// A quiet cell chosen as a candidate (`rules::quiet::candidate`).
    fn quiet_candidate(&self, cell: &mut Cell, chunk: usize, out: &mut ChunkOutcome) -> Fate {
        let births_before = out.births.len();
        let mut draws = self.key.cell(cell.id.0);
        let fate = quiet::candidate(
            cell,
            self.ctx,
            self.plan,
            self.views,
            &mut draws,
            &mut out.births,
        );
        out.name_births(births_before, self.plan, self.step, chunk);
        fate
    }

    /// A cell stepped through every rule (`rules::step_cell`), reweighed if it changed
    /// kind; a plasmablast entering a niche is counted.
    fn explicit(&self, cell: &mut Cell, chunk: usize, out: &mut ChunkOutcome) -> Fate {
        let view = self.views.view(cell.site);
        let mut draws = self.key.cell(cell.id.0);
        let births_before = out.births.len();
        let kind_before = cell.population.kind();
        let was_plasmablast = cell.population == Population::Plasmablast;
        let mut fate = rules::step_cell(cell, self.ctx, view, &mut draws, &mut out.births);
        if fate == Fate::Lives && cell.population.kind() != kind_before {
            fate =
                crate::config::reweigh(cell, kind_before, self.config, &mut draws, &mut out.births);
        }
        if was_plasmablast && fate == Fate::Lives && cell.population == Population::PlasmaCell {
            out.niche_entries[cell.specificity.index()] += 1;
        }
        out.name_births(births_before, self.plan, self.step, chunk);
        fate
    }
}

/// One simulated patient.
pub struct Simulation {
    pub(crate) config: RunConfig,
    pub(crate) steady: SteadyState,
    pub(crate) layout: SiteLayout,
    pub(crate) world: CellWorld,
    pub(crate) fields: Fields,
    pub(crate) census: Census,
    pub(crate) step: u64,
    /// The next counted id ([`ids::counted`]).
    pub(crate) next_id: u64,
    /// Cells made in cell passes so far, new pre-B cells and daughters (born ids,
    /// [`ids::born`]).
    pub(crate) born: u64,
    /// Rows that went through the model's rules in the last step.
    pub(crate) stepped: u64,
    pub(crate) clinical: ClinicalState,
    /// IL-6, CRS grade and its treatment.
    pub(crate) crs: CrsState,
    /// Niche entries (agents) by specificity over the second half of burn-in.
    pub(crate) niche_entries: [u64; Specificity::COUNT],
    /// Steps over which `niche_entries` were counted.
    pub(crate) niche_window_steps: u64,
    /// Whether slow pools have been equilibrated (end of burn-in or first treatment).
    pub(crate) equilibrated: bool,
    /// Events raised inside a step, handed to the recorder after it.
    pub(crate) pending_events: Vec<Event>,
    /// Manufacturing of each product (by product index; `None` when not simulated).
    pub(crate) manufactured: Vec<Option<crate::treatment::ManufacturingOutcome>>,
    /// Whether cells carry surface antigen densities (from the first infusion on; see
    /// `StepContext::surface`).
    pub(crate) surfaces_drawn: bool,
    /// The log-normal laws of the run's surface antigens (they depend only on the panel).
    pub(crate) surface_laws: SurfaceLaws,
}

impl Simulation {
    /// A patient at the healthy steady state, at the start of burn-in.
    pub fn new(config: RunConfig) -> Simulation {
        let steady = SteadyState::derive(&config.params, config.weight_kg);
        let layout = config.site_layout();
        let mut census = Census::new(layout.total());
        let mut world = CellWorld::new();
        let next_id = initial_cells(&config, &steady, |cells| {
            for cell in &cells {
                census.add(cell, cell.compartment);
            }
            world.spawn(cells);
        });
        let secreting = census.secreting_cells(&config);
        let mut fields = Fields::at_steady_state(&secreting, &steady, &config.params);
        fields.baff_relative = immunosim_model::fields::baff_relative(
            census.peripheral_b_cells(&config),
            &steady,
            &config.params,
        );
        let crs = CrsState::new(&config.params);
        let manufactured = crate::treatment::manufacture(&config);
        let surface_laws = SurfaceLaws::new(&config.antigens);
        Simulation {
            manufactured,
            config,
            steady,
            layout,
            world,
            fields,
            census,
            step: 0,
            next_id,
            born: 0,
            stepped: 0,
            clinical: ClinicalState::default(),
            niche_entries: [0; Specificity::COUNT],
            niche_window_steps: 0,
            crs,
            equilibrated: false,
            pending_events: Vec::new(),
            surfaces_drawn: false,
            surface_laws,
        }
    }

    /// The run's configuration.
    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// The census at the current time.
    pub fn census(&self) -> &Census {
        &self.census
    }

    /// The cell rows (living and dead), in table order.
    pub fn cells(&self) -> &[Cell] {
        self.world.cells()
    }

    /// The derived healthy steady state.
    pub fn steady_state(&self) -> &SteadyState {
        &self.steady
    }

    /// Steps taken.
    pub fn steps_taken(&self) -> u64 {
        self.step
    }

    /// Cells created so far: initial, infused, new pre-B cells and daughters.
    pub fn cells_created(&self) -> u64 {
        self.next_id + self.born
    }

    /// Rows whose cells went through the model's rules in the last step: every living
    /// cell of a population stepped cell by cell, and the quiet cells chosen as
    /// candidates (`rules::quiet`). The rest of the living rows were only counted. What
    /// a step costs beyond reading the table grows with this number (README,
    /// "Performance").
    pub fn rows_stepped(&self) -> u64 {
        self.stepped
    }

    /// Current simulated day (negative during burn-in).
    pub fn day(&self) -> f64 {
        self.step as f64 * self.config.dt_days - self.config.burn_in_days
    }

    /// Advances one step.
    pub fn step(&mut self) {
        let (infused, il6_production) = self.treat();
        let config = &self.config;
        let params = &config.params;
        let secreting = self.census.secreting_cells(config);
        let peripheral_b = self.census.peripheral_b_cells(config);
        let prednisolone = config.bridging.map_or(0.0, |b| b.dose_on(self.day()));
        let mut next_fields = self.fields.advance(
            &secreting,
            peripheral_b,
            prednisolone,
            &self.steady,
            params,
            config.dt_days,
        );
        if !self.equilibrated {
            next_fields.hold_established_disease(params);
        }
        let serology = self.fields.serology(&self.steady, params);
        let mut ctx = StepContext {
            params,
            derived: &self.steady,
            sites: &self.layout,
            dt_days: config.dt_days,
            day: self.day(),
            baff_relative: self.fields.baff_relative,
            autoantigen: serology.autoantigen,
            vaccine_antigen: self.fields.vaccine_antigen,
            niche_free_fraction: self.census.niche_free_fraction(config, &self.steady),
            division_rate_per_day: self.census.division_rates(config, &self.steady),
            hazards: StepHazards::default(),
            t_cell_lymphopenia: self.census.t_cell_lymphopenia(config, &self.steady),
            host_t_relative: self.census.host_t_relative(config, &self.steady),
            products: &config.products,
            antigens: &config.antigens,
            surface: self.surfaces_drawn.then_some(&self.surface_laws),
            car_proliferation_factor: if self.crs.dexamethasone_active {
                params.crs.dexamethasone_proliferation_relative
            } else {
                1.0
            },
        };
        ctx.hazards = StepHazards::new(&ctx);
        // CAR-T cells kill by site, so B cells keep real positions while any are alive
        // or arrive this step.
        let b_positions_needed = !infused.is_empty() || self.census.car_t_agents() > 0;
        let plan = if config.quiet_cells {
            QuietPlan::new(&ctx, &self.census.by_specificity, b_positions_needed)
        } else {
            QuietPlan::default()
        };
        let site_totals: Vec<u32> = self.census.by_site.iter().map(|c| c.iter().sum()).collect();
        let sites = self.layout.total();
        // At least one chunk, so that an empty table still makes pre-B cells.
        let chunks = self.world.len().div_ceil(CHUNK_ROWS).max(1);
        let pass = CellPass {
            ctx: &ctx,
            plan: &plan,
            views: SiteViews {
                counts: &self.census.by_site,
                totals: &site_totals,
            },
            config,
            key: StepKey::new(config.seed, self.step, Purpose::CellStep),
            step: self.step,
            sites,
            precursors_per_chunk: lymphopoiesis::precursors_per_step(&ctx)
                / config.weight(Kind::BCell)
                / chunks as f64,
        };
        let outcomes: Vec<ChunkOutcome> = if self.world.is_empty() {
            vec![pass.chunk(0, &mut [])]
        } else {
            self.world
                .cells_mut()
                .par_chunks_mut(CHUNK_ROWS)
                .enumerate()
                .map(|(chunk, cells)| pass.chunk(chunk, cells))
                .collect()
        };

        let mut census = Census::new(sites);
        let mut unplaced: Unplaced = [[0; Specificity::COUNT]; Population::COUNT];
        let mut births = infused;
        for (k, born) in births.iter_mut().enumerate() {
            born.id = ids::counted(self.next_id, k);
            census.add(born, born.compartment);
        }
        self.next_id += births.len() as u64;
        // Births in order: infused cells, then each chunk's daughters and new pre-B
        // cells that did not fit in its own freed rows.
        let mut birth_lists = vec![births];
        let mut freed = Vec::new();
        let counting = !self.equilibrated
            && self.step >= config.burn_in_steps() / 2
            && self.step < config.burn_in_steps();
        self.niche_window_steps += u64::from(counting);
        self.stepped = 0;
        for out in outcomes {
            self.stepped += out.stepped;
            census.merge(&out.census);
            for (total, counts) in unplaced.iter_mut().zip(&out.unplaced) {
                for (t, n) in total.iter_mut().zip(counts) {
                    *t += n;
                }
            }
            if counting {
                for (total, n) in self.niche_entries.iter_mut().zip(out.niche_entries) {
                    *total += n;
                }
            }
            self.born += out.born as u64;
            birth_lists.push(out.births);
            freed.extend(out.freed);
        }
        census.place_implicit(&unplaced, &ctx.hazards, &self.layout, |group| {
            Stream::new(config.seed, self.step, group, Purpose::Placement)
        });
        self.place_births(&birth_lists, &freed);
        self.census = census;
        self.fields = next_fields;
        self.manage_crs(il6_production);
        self.step += 1;
    }

    /// Gives births (named already; the lists in order, read as one) their rows: the
    /// i-th birth gets the i-th freed row (ascending), the rest become new entities.
    /// Freed rows ascend, so the births landing in each chunk of rows are one run of the
    /// list: chunks fill their rows in parallel, with the same result at any thread
    /// count, and births are copied once, straight into their rows.
    fn place_births(&mut self, lists: &[Vec<Cell>], freed: &[u32]) {
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
        self.world
            .cells_mut()
            .par_chunks_mut(CHUNK_ROWS)
            .enumerate()
            .for_each(|(chunk, rows)| {
                let start = (chunk * CHUNK_ROWS) as u32;
                let end = start.saturating_add(rows.len() as u32);
                let from = freed.partition_point(|&r| r < start);
                let to = freed.partition_point(|&r| r < end);
                for (born, &row) in from_nth(from).zip(&freed[from..to]) {
                    rows[(row - start) as usize] = born;
                }
            });
        self.world.spawn(from_nth(filled).collect::<Vec<_>>());
    }

    /// Runs burn-in and the recorded days, handing snapshots and events to `recorder`.
    pub fn run(
        &mut self,
        recorder: &mut dyn Recorder,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), RecordError> {
        let total = self.config.total_steps();
        let burn_in = self.config.burn_in_steps();
        let every = self.config.steps_per_record();
        recorder.event(&Event {
            day: self.day(),
            kind: EventKind::RunStart,
            detail: format!("seed {}", self.config.seed),
        })?;
        while self.step < total {
            if self.step == burn_in {
                if !self.equilibrated {
                    self.equilibrate_slow_pools();
                }
                recorder.event(&Event {
                    day: self.day(),
                    kind: EventKind::BurnInComplete,
                    detail: format!("{} agents", self.census.living()),
                })?;
                self.detect_events(recorder)?;
                recorder.record(&self.snapshot())?;
            }
            self.step();
            for event in std::mem::take(&mut self.pending_events) {
                recorder.event(&event)?;
            }
            if self.step > burn_in {
                self.detect_events(recorder)?;
                if (self.step - burn_in).is_multiple_of(every) {
                    recorder.record(&self.snapshot())?;
                }
            }
            progress(Progress {
                step: self.step,
                total_steps: total,
                day: self.day(),
                agents: self.census.living(),
            });
        }
        if total == burn_in {
            recorder.record(&self.snapshot())?;
        }
        recorder.event(&Event {
            day: self.day(),
            kind: EventKind::RunEnd,
            detail: format!("{} agents", self.census.living()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cells made in the pass are named where they are made (`ids::born`) and fill the
    /// rows their chunk frees; whatever the mix of in-chunk and leftover placement, every
    /// living cell keeps a distinct id (its random stream) and the census counts exactly
    /// the living rows.
    #[test]
    fn new_cells_get_distinct_ids_and_the_census_counts_every_living_row() {
        let mut config = RunConfig {
            cells_per_agent: [1e7; 4], // ~65,000 agents: several chunks
            ..RunConfig::default()
        };
        // Fast T-cell turnover: a few percent of rows die and are born every step.
        config.params.t_cells.memory_cd4_half_life_years = 0.01;
        config.params.t_cells.memory_cd8_half_life_years = 0.01;
        let mut sim = Simulation::new(config);
        let initial = sim.cells_created();
        assert!(sim.world.len() > 3 * CHUNK_ROWS, "{} rows", sim.world.len());
        for _ in 0..15 {
            sim.step();
        }
        let living: Vec<&Cell> = sim.cells().iter().filter(|c| c.is_alive()).collect();
        let mut ids: Vec<u64> = living.iter().map(|c| c.id.0).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), living.len(), "two living cells share an id");
        assert_eq!(living.len() as u64, sim.census().living());
        let born = living.iter().filter(|c| c.id.0 >= ids::BORN_TAG).count() as u64;
        assert!(born > 0 && sim.cells_created() >= initial + born);
    }

    /// Without the quiet-cell shortcuts every living cell goes through the rules once a
    /// step (and no cell made in the step); with them, only a small share does.
    #[test]
    fn rows_stepped_counts_the_cells_sent_through_the_rules() {
        for quiet_cells in [false, true] {
            let config = RunConfig {
                cells_per_agent: [5e7; 4],
                quiet_cells,
                // One-day steps: recirculating cells' positions are implicit.
                dt_days: 1.0,
                ..RunConfig::default()
            };
            let mut sim = Simulation::new(config);
            for _ in 0..3 {
                let living = sim.census().living();
                sim.step();
                if quiet_cells {
                    // Germinal-centre, activated and plasmablast cells and the quiet
                    // candidates: ~12% of an untreated lupus patient's agents (README,
                    // "Performance"), fewer in this healthy one.
                    assert!(
                        sim.rows_stepped() > 0 && sim.rows_stepped() < living / 4,
                        "{} of {living}",
                        sim.rows_stepped()
                    );
                } else {
                    assert_eq!(sim.rows_stepped(), living);
                }
            }
        }
    }
}
