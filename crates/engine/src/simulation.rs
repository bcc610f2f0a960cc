//! The simulation: one patient, stepped in parallel and deterministically.
//!
//! A step, in this fixed order (the schedule):
//! 1. **Fields** — antibody pools, BAFF and organ inflammation advance from the census
//!    taken at the end of the previous step (double buffer: the step's rules read the
//!    fields of time t; the fields of t + dt are swapped in at the end).
//! 2. **Cells** — one rayon pass over fixed-size chunks of rows (chunk boundaries do
//!    not depend on the thread count). Each living cell gets its own random stream
//!    keyed by (seed, step, cell id) and goes through the model's rules
//!    ([`immunosim_model::rules::step_cell`]); encounters read the per-site census of
//!    the start of the step. Each chunk returns its deaths (rows freed), its births and
//!    its part of the new census.
//! 3. **Births** — new pre-B cells from marrow, then every chunk's daughters in chunk
//!    (= parent row) order, get consecutive new ids and fill freed rows in ascending
//!    order; the rest are spawned as new entities at the end of the table.

use crate::census::Census;
use crate::config::RunConfig;
use crate::init::initial_cells;
use crate::recorder::{Event, EventKind, PopulationRow, RecordError, Recorder, Snapshot};
use crate::rng::{Purpose, StepKey, Stream};
use crate::world::CellWorld;
use immunosim_model::cell::Kind;
use immunosim_model::compartment::SiteLayout;
use immunosim_model::fields::{Fields, SecretingCells};
use immunosim_model::rules::hazards::StepHazards;
use immunosim_model::rules::{self, Fate, SiteView, StepContext, lymphopoiesis, turnover};
use immunosim_model::steady_state::SteadyState;
use immunosim_model::{Cell, CellId, Compartment, Draws, Population, Specificity};
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
    niche_entries: [u64; Specificity::COUNT],
    births: Vec<Cell>,
    freed: Vec<u32>,
}

/// Clinical state that events are detected against.
#[derive(Clone, Copy, Debug, Default)]
struct ClinicalState {
    autoantibody_positive: Option<bool>,
    in_remission: Option<bool>,
    ever_in_remission: bool,
}

/// One simulated patient.
pub struct Simulation {
    config: RunConfig,
    steady: SteadyState,
    layout: SiteLayout,
    world: CellWorld,
    fields: Fields,
    census: Census,
    step: u64,
    next_id: u64,
    clinical: ClinicalState,
    /// Niche entries (agents) by specificity over the second half of burn-in.
    niche_entries: [u64; Specificity::COUNT],
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
        let secreting = secreting_cells(&census, &config);
        let mut fields = Fields::at_steady_state(&secreting, &steady, &config.params);
        fields.baff_relative = immunosim_model::fields::baff_relative(
            peripheral_b_cells(&census, &config),
            &steady,
            &config.params,
        );
        Simulation {
            config,
            steady,
            layout,
            world,
            fields,
            census,
            step: 0,
            next_id,
            clinical: ClinicalState::default(),
            niche_entries: [0; Specificity::COUNT],
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

    /// Cells created so far (initial and born): ids are never reused, so this is the
    /// next id.
    pub fn cells_created(&self) -> u64 {
        self.next_id
    }

    /// Current simulated day (negative during burn-in).
    pub fn day(&self) -> f64 {
        self.step as f64 * self.config.dt_days - self.config.burn_in_days
    }

    /// Advances one step.
    pub fn step(&mut self) {
        let config = &self.config;
        let params = &config.params;
        let secreting = secreting_cells(&self.census, config);
        let peripheral_b = peripheral_b_cells(&self.census, config);
        let next_fields = self.fields.advance(
            &secreting,
            peripheral_b,
            &self.steady,
            params,
            config.dt_days,
        );
        let serology = self.fields.serology(&self.steady, params);
        let mut ctx = StepContext {
            params,
            derived: &self.steady,
            sites: &self.layout,
            dt_days: config.dt_days,
            day: self.day(),
            baff_relative: self.fields.baff_relative,
            autoantigen: serology.autoantigen,
            niche_free_fraction: niche_free_fraction(&self.census, config, &self.steady),
            division_rate_per_day: division_rates(&self.census, config, &self.steady),
            hazards: StepHazards::default(),
        };
        ctx.hazards = StepHazards::new(&ctx);
        let key = StepKey::new(config.seed, self.step, Purpose::CellStep);
        let site_totals: Vec<u32> = self.census.by_site.iter().map(|c| c.iter().sum()).collect();
        let census_in = &self.census;
        let sites = self.layout.total();
        let outcomes: Vec<ChunkOutcome> = self
            .world
            .cells_mut()
            .par_chunks_mut(CHUNK_ROWS)
            .enumerate()
            .map(|(chunk, cells)| {
                let mut out = ChunkOutcome {
                    census: Census::new(sites),
                    niche_entries: [0; Specificity::COUNT],
                    births: Vec::new(),
                    freed: Vec::new(),
                };
                let first_row = chunk * CHUNK_ROWS;
                for (offset, cell) in cells.iter_mut().enumerate() {
                    let row = (first_row + offset) as u32;
                    if !cell.is_alive() {
                        out.freed.push(row);
                        continue;
                    }
                    let site = usize::from(cell.site);
                    let view = SiteView {
                        counts: &census_in.by_site[site],
                        total: site_totals[site],
                    };
                    let mut draws = key.cell(cell.id.0);
                    let births_before = out.births.len();
                    let kind_before = cell.population.kind();
                    let was_plasmablast = cell.population == Population::Plasmablast;
                    let mut fate = rules::step_cell(cell, &ctx, view, &mut draws, &mut out.births);
                    if fate == Fate::Lives && cell.population.kind() != kind_before {
                        fate = reweigh(cell, kind_before, config, &mut draws, &mut out.births);
                    }
                    if was_plasmablast
                        && fate == Fate::Lives
                        && cell.population == Population::PlasmaCell
                    {
                        out.niche_entries[cell.specificity.index()] += 1;
                    }
                    if fate == Fate::Dies {
                        cell.population = Population::Dead;
                        out.freed.push(row);
                    } else {
                        out.census.add(cell, cell.compartment);
                    }
                    for born in &out.births[births_before..] {
                        out.census.add(born, born.compartment);
                    }
                }
                out
            })
            .collect();

        let mut census = Census::new(sites);
        let mut births = self.new_precursors(&ctx);
        for born in &births {
            census.add(born, born.compartment);
        }
        let mut freed = Vec::new();
        let counting =
            self.step >= config.burn_in_steps() / 2 && self.step < config.burn_in_steps();
        for out in outcomes {
            census.merge(&out.census);
            if counting {
                for (total, n) in self.niche_entries.iter_mut().zip(out.niche_entries) {
                    *total += n;
                }
            }
            births.extend(out.births);
            freed.extend(out.freed);
        }
        self.place_births(births, &freed);
        self.census = census;
        self.fields = next_fields;
        self.step += 1;
    }

    /// New pre-B cells of this step (marrow output), in a fixed order.
    fn new_precursors(&self, ctx: &StepContext<'_>) -> Vec<Cell> {
        let weight = self.config.weight(Kind::BCell);
        let mut draws = Stream::new(self.config.seed, self.step, 0, Purpose::Lymphopoiesis);
        let count = draws.poisson(lymphopoiesis::precursors_per_step(ctx) / weight);
        (0..count)
            .map(|_| lymphopoiesis::new_precursor(ctx, &mut draws))
            .collect()
    }

    /// Gives births their ids and rows: freed rows first (ascending), then new entities.
    fn place_births(&mut self, births: Vec<Cell>, freed: &[u32]) {
        let mut spawned = Vec::new();
        let cells = self.world.cells_mut();
        for (i, mut born) in births.into_iter().enumerate() {
            born.id = CellId(self.next_id);
            self.next_id += 1;
            match freed.get(i) {
                Some(&row) => cells[row as usize] = born,
                None => spawned.push(born),
            }
        }
        self.world.spawn(spawned);
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
                self.equilibrate_slow_pools();
                recorder.event(&Event {
                    day: self.day(),
                    kind: EventKind::BurnInComplete,
                    detail: format!("{} agents", self.census.living()),
                })?;
                self.detect_events(recorder)?;
                recorder.record(&self.snapshot())?;
            }
            self.step();
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

    /// Brings the self-reactive plasma cells in niches to their equilibrium at the end
    /// of burn-in: the flux of self-reactive plasmablasts into niches, measured over the
    /// second half of burn-in, divided by their death rate. A disease preset describes
    /// a patient who has had the disease for years; a burn-in of one year cannot build
    /// a pool that turns over in years, and without this step that pool would keep
    /// growing through the recorded days (drift). Cells are converted from other-
    /// specificity plasma cells, so niche occupancy is unchanged. Deterministic: each
    /// candidate decides with its own stream.
    pub fn equilibrate_slow_pools(&mut self) {
        let config = &self.config;
        let window_steps = config.burn_in_steps() - config.burn_in_steps() / 2;
        if window_steps == 0 {
            return;
        }
        let window_days = window_steps as f64 * config.dt_days;
        let auto = Specificity::Autoantigen;
        let flux_per_day = self.niche_entries[auto.index()] as f64 / window_days;
        let death =
            immunosim_model::rules::plasma_cells::plasma_cell_death_rate_of(auto, &config.params);
        let pc = Population::PlasmaCell.index();
        let current = f64::from(self.census.by_specificity[pc][auto.index()]);
        let others = f64::from(self.census.by_specificity[pc][Specificity::Other.index()]);
        let needed = flux_per_day / death - current;
        if needed <= 0.0 || others <= 0.0 {
            return;
        }
        let p = (needed / others).min(1.0);
        let equilibration = StepKey::new(config.seed, self.step, Purpose::Equilibration);
        let mut converted = 0u32;
        for cell in self.world.cells_mut() {
            if cell.population == Population::PlasmaCell && cell.specificity == Specificity::Other {
                let mut draws = equilibration.cell(cell.id.0);
                if draws.chance(p) {
                    cell.specificity = auto;
                    converted += 1;
                }
            }
        }
        let counts = &mut self.census.by_specificity[pc];
        counts[Specificity::Other.index()] -= converted;
        counts[auto.index()] += converted;
        self.census.autoreactive[Compartment::Marrow.index()][pc] += converted;
    }

    /// Emits events for changes in the clinical state.
    fn detect_events(&mut self, recorder: &mut dyn Recorder) -> Result<(), RecordError> {
        let serology = self.fields.serology(&self.steady, &self.config.params);
        let day = self.day();
        let positive = serology.autoantibody_positive;
        if self
            .clinical
            .autoantibody_positive
            .is_some_and(|was| was != positive)
        {
            let kind = if positive {
                EventKind::AutoantibodyPositive
            } else {
                EventKind::AutoantibodyNegative
            };
            let auto = serology.igg_mg_per_l[Specificity::Autoantigen.index()];
            recorder.event(&Event {
                day,
                kind,
                detail: format!("autoantibody {auto:.3} mg/L"),
            })?;
        }
        self.clinical.autoantibody_positive = Some(positive);
        let remission = serology.activity_score <= self.config.params.disease.remission_score;
        if self
            .clinical
            .in_remission
            .is_some_and(|was| was != remission)
        {
            let kind = if remission {
                EventKind::Remission
            } else if self.clinical.ever_in_remission {
                EventKind::Relapse
            } else {
                EventKind::Remission
            };
            if remission || self.clinical.ever_in_remission {
                recorder.event(&Event {
                    day,
                    kind,
                    detail: format!("score {:.1}", serology.activity_score),
                })?;
            }
        }
        self.clinical.ever_in_remission |= remission && self.clinical.in_remission.is_some();
        self.clinical.in_remission = Some(remission);
        Ok(())
    }

    /// The patient's state now, as recorded.
    pub fn snapshot(&self) -> Snapshot {
        let config = &self.config;
        let scale = config.weight_kg / 70.0;
        let phys = &config.params.physiology;
        let volume_ul = |c: Compartment| match c {
            Compartment::Blood => self.steady.blood_volume_ul,
            Compartment::Lymphoid => phys.lymphoid_volume_ml * 1000.0 * scale,
            Compartment::Marrow => phys.marrow_volume_ml * 1000.0 * scale,
            Compartment::Organ => phys.organ_volume_ml * 1000.0 * scale,
        };
        let mut populations = Vec::with_capacity(Compartment::COUNT * Population::LIVING.len());
        for compartment in Compartment::ALL {
            for population in Population::LIVING {
                let agents = self.census.agents(&self.layout, compartment, population);
                let auto =
                    u64::from(self.census.autoreactive[compartment.index()][population.index()]);
                let cells = agents as f64 * config.weight(population.kind());
                populations.push(PopulationRow {
                    compartment,
                    population,
                    agents,
                    cells,
                    cells_per_ul: cells / volume_ul(compartment),
                    autoreactive_share: if agents > 0 {
                        auto as f64 / agents as f64
                    } else {
                        0.0
                    },
                });
            }
        }
        Snapshot {
            day: self.day(),
            populations,
            serology: self.fields.serology(&self.steady, &config.params),
            baff_relative: self.fields.baff_relative,
            organ_inflammation: self.fields.organ_inflammation,
            agents: self.census.living(),
        }
    }
}

/// Changes an agent's weight when it changes kind (e.g. B cell → plasmablast) and the
/// two kinds carry different `cells_per_agent`: the agent becomes `w_old / w_new`
/// agents on average (extra copies pushed as births, or dies with the complementary
/// probability), so real-cell numbers are conserved in expectation.
fn reweigh(
    cell: &Cell,
    kind_before: Kind,
    config: &RunConfig,
    draws: &mut impl Draws,
    births: &mut Vec<Cell>,
) -> Fate {
    let ratio = config.weight(kind_before) / config.weight(cell.population.kind());
    if (ratio - 1.0).abs() < 1e-12 {
        return Fate::Lives;
    }
    let copies = ratio.floor() as u64 + u64::from(draws.chance(ratio.fract()));
    if copies == 0 {
        return Fate::Dies;
    }
    for _ in 1..copies {
        births.push(*cell);
    }
    Fate::Lives
}

/// Real antibody-secreting cells by specificity.
fn secreting_cells(census: &Census, config: &RunConfig) -> SecretingCells {
    let weight = config.weight(Kind::PlasmaCell);
    let mut out = SecretingCells::default();
    for population in [Population::Plasmablast, Population::PlasmaCell] {
        for (total, &n) in out
            .by_specificity
            .iter_mut()
            .zip(&census.by_specificity[population.index()])
        {
            *total += f64::from(n) * weight;
        }
    }
    out
}

/// Real recirculating B cells (transitional, naive, memory): the pool BAFF senses.
fn peripheral_b_cells(census: &Census, config: &RunConfig) -> f64 {
    [
        Population::BTransitional,
        Population::BNaive,
        Population::BMemory,
    ]
    .iter()
    .map(|&p| census.cells(p, |k| config.weight(k)))
    .sum()
}

/// Share of marrow niches free.
fn niche_free_fraction(census: &Census, config: &RunConfig, steady: &SteadyState) -> f64 {
    let held = census.cells(Population::PlasmaCell, |k| config.weight(k));
    (1.0 - held / steady.niche_capacity).clamp(0.0, 1.0)
}

/// Homeostatic division rates: fixed for B cells, set-point feedback for T cells.
fn division_rates(
    census: &Census,
    config: &RunConfig,
    steady: &SteadyState,
) -> [f64; Population::COUNT] {
    let params = &config.params;
    let mut rates = [0.0; Population::COUNT];
    rates[Population::BNaive.index()] = params.b_cells.naive_division_rate_per_day;
    rates[Population::BMemory.index()] = params.b_cells.memory_division_rate_per_day;
    for &(population, set_point) in &steady.t_cells {
        let death = turnover::death_rate_per_day(population, params, steady);
        let current = census.cells(population, |k| config.weight(k));
        rates[population.index()] = turnover::homeostatic_division_rate(death, set_point, current);
    }
    rates
}
