//! The schedule: the order of a step's phases and of a boundary's observations, written
//! once. No phase imports this module.
//!
//! A step `s`, from boundary `s` to boundary `s + 1`:
//! 1. **Treatment** ([`phases::journey`]) — manufacturing events; chemotherapy;
//!    infusions (the infused
//!    cells wait to be placed with the births); surfaces drawn at the first infusion;
//!    bridging, vaccination, IVIG.
//! 2. **Encounters** ([`phases::encounters`]) — CAR-T cells meet, stimulate on and kill
//!    targets site by site, from the census of the start of the step; IL-6 production.
//! 3. **Fields** — antibody pools, BAFF and organ inflammation advance from the census
//!    of the start of the step (double buffer: the step's rules read the fields of time
//!    t; those of t + dt are swapped in at the end).
//! 4. **Cells** ([`phases::cell_pass`]) — every row through the model's rules in one
//!    parallel pass, which also makes the marrow's new pre-B cells and places births in
//!    the rows it frees; implicit positions placed into sites afterwards.
//! 5. **Births** ([`phases::births`]) — infused cells (counted ids), then what the
//!    chunks could not place, into the freed rows left or new entities.
//! 6. **CRS** ([`phases::crs`]) — IL-6 over the step, grade and management at its end.
//!
//! At a boundary `b` ([`observe_boundary`]): the slow pools are equilibrated at the
//! first recorded boundary (day 0, or the baseline day before the first intervention);
//! from there on, clinical events are detected and, on the record grid, the state is
//! recorded.

use crate::car_rows;
use crate::ids;
use crate::phases::{self, cell_pass::CellPass, clinical, journey};
use crate::recorder::Event;
use crate::rng::{Purpose, StepKey, Stream};
use crate::row_census;
use crate::state::{PatientState, RunSetup};
use crate::weights;
use crate::world::CHUNK_ROWS;
use immunosim_model::Population;
use immunosim_model::cell::Kind;
use immunosim_model::rules::hazards::StepHazards;
use immunosim_model::rules::quiet::QuietPlan;
use immunosim_model::rules::{SiteViews, StepContext, lymphodepletion, lymphopoiesis};

/// What a step reports besides the new state.
pub struct StepReport {
    /// The step's events in the order raised.
    pub events: Vec<Event>,
    /// Rows that went through the model's rules, by population at the start of their
    /// step (`PatientState::rows_stepped` is their sum).
    pub stepped: [u64; Population::COUNT],
}

/// Advances the patient one step.
pub fn step(setup: &RunSetup, state: &mut PatientState) -> StepReport {
    let RunSetup {
        config,
        steady,
        layout,
        surface_laws,
        timeline,
    } = setup;
    let params = &config.params;
    let step = state.step;
    let day = timeline.day_of(step);

    // 1. Treatment.
    let mut events = journey::manufacturing_events(config, timeline, step);
    journey::chemotherapy(&mut state.world, config, timeline, step, &mut events);
    let weights = state.census.weights(config);
    let infused = journey::infusions(config, &weights, timeline, layout, step, &mut events);
    if !infused.is_empty() && !state.surfaces_drawn {
        journey::draw_surfaces(state.world.cells_mut(), surface_laws, config, step);
        state.surfaces_drawn = true;
    }
    journey::other_interventions(&mut state.fields, config, timeline, step, &mut events);

    // 2. Encounters (from the census of the start of the step: infused cells join at
    // its end).
    let car_t_alive = state.census.car_t_agents() > 0;
    let mut il6_drive = 0.0;
    if car_t_alive {
        // The boundary's snapshot may have scanned the rows already: kept unless the
        // treatment above changed them.
        state.world.scan_car_rows(config);
        let cells = state.world.cells();
        let car_rows = state.world.car_rows(config).expect("scanned just now");
        let encounters =
            phases::encounters::encounters(cells, car_rows, &state.census, &weights, config, step);
        il6_drive = phases::encounters::il6_drive(cells, &encounters, &weights, config);
        let (cells, counts) = state.world.rows_and_counts(layout.total());
        phases::encounters::apply(cells, counts, &encounters);
    }

    // 3. Fields of the end of the step, from the census of its start.
    let census = &state.census;
    let secreting = census.secreting_cells(config);
    let prednisolone = journey::prednisolone_mg_per_day(config, timeline, step);
    let mut next_fields = state.fields.advance(
        &secreting,
        census.peripheral_b_cells(config),
        prednisolone,
        steady,
        params,
        config.dt_days,
    );
    if timeline.disease_held_in(step) {
        next_fields.hold_established_disease(params);
    }

    // 4. Cells.
    let serology = state.fields.serology(steady, params);
    let mut ctx = StepContext {
        params,
        derived: steady,
        sites: layout,
        dt_days: config.dt_days,
        day,
        baff_relative: state.fields.baff_relative,
        autoantigen: serology.autoantigen,
        vaccine_antigen: state.fields.vaccine_antigen,
        b_progenitor_relative: lymphodepletion::b_progenitor_relative(
            timeline.chemotherapy_given(config, step),
            day,
            params,
        ),
        niche_free_fraction: census.niche_free_fraction(config, steady),
        division_rate_per_day: census.division_rates(config, steady),
        hazards: StepHazards::default(),
        t_cell_lymphopenia: census.t_cell_lymphopenia(config, steady),
        host_t_relative: census.host_t_relative(config, steady),
        car_t_crowding: census.car_t_crowding(config),
        tumour_relative: census.tumour_relative(config),
        products: &config.products,
        antigens: &config.antigens,
        surface: state.surfaces_drawn.then_some(surface_laws),
        car_proliferation_factor: if state.crs.dexamethasone_active {
            params.crs.dexamethasone_proliferation_relative
        } else {
            1.0
        },
    };
    ctx.hazards = StepHazards::new(&ctx);
    // CAR-T cells kill the targets of their compartment, read from each target row's
    // site (`car_rows`), so B cells keep real positions while any are alive or arrive
    // this step.
    let b_positions_needed = !infused.is_empty() || car_t_alive;
    // The next step's encounters will read the CAR-T rows and possible targets: found
    // by the pass and the births' placement as they write the rows, not by another
    // pass over the table.
    let finder = b_positions_needed.then(|| car_rows::Finder::new(config));
    let plan = if config.quiet_cells {
        QuietPlan::new(&ctx, &census.by_specificity, b_positions_needed)
    } else {
        QuietPlan::default()
    };
    let site_totals: Vec<u32> = census.by_site.iter().map(|c| c.iter().sum()).collect();
    let meeting_weights = census.meeting_weights(&weights);
    let sites = layout.total();
    // At least one chunk, so that an empty table still makes pre-B cells.
    let chunks = state.world.len().div_ceil(CHUNK_ROWS).max(1);
    let pass = CellPass {
        ctx: &ctx,
        plan: &plan,
        views: SiteViews {
            counts: &census.by_site,
            totals: &site_totals,
            weights: meeting_weights.as_ref(),
        },
        config,
        weights,
        key: StepKey::new(config.seed, step, Purpose::CellStep),
        step,
        sites,
        precursors_per_chunk: lymphopoiesis::precursors_per_step(&ctx)
            / weights.get(Kind::BCell)
            / chunks as f64,
        finder: finder.as_ref(),
    };
    let outcomes = phases::cell_pass::run(&mut state.world, &pass);

    // 5. Births: infused cells first (counted ids), then each chunk's leftovers. The
    // row counts hold every birth; the census of the end of the step is drawn from them.
    let counts = state.world.counts_mut(sites);
    let mut infused = infused;
    for (k, born) in infused.iter_mut().enumerate() {
        born.id = ids::counted(state.ids.next_counted, k);
        counts.add(born, born.compartment);
    }
    let (mut new_census, unplaced) = row_census::split_implicit(counts, &plan);
    new_census.doublings = state.census.doublings;
    state.ids.next_counted += infused.len() as u64;
    let mut birth_lists = vec![infused];
    let mut freed = Vec::with_capacity(outcomes.len());
    let counting =
        !state.equilibrated && step >= timeline.burn_in_steps / 2 && step < timeline.burn_in_steps;
    state.niche.steps += u64::from(counting);
    let mut stepped = [0; Population::COUNT];
    let mut found_in_pass = Vec::with_capacity(outcomes.len());
    for out in outcomes {
        for (total, n) in stepped.iter_mut().zip(out.stepped) {
            *total += n;
        }
        if counting {
            for (total, n) in state.niche.entries.iter_mut().zip(out.niche_entries) {
                *total += n;
            }
        }
        state.ids.born += out.born as u64;
        birth_lists.push(out.births);
        freed.push(out.freed);
        found_in_pass.push(out.found);
    }
    new_census.place_implicit(&unplaced, &ctx.hazards, layout, |group| {
        Stream::new(config.seed, step, group, Purpose::Placement)
    });
    state.stepped = stepped.iter().sum();
    let found_in_births =
        phases::births::place(&mut state.world, &birth_lists, &freed, finder.as_ref());
    // Placed: freed before the rows found are binned (the step's largest lists).
    drop((birth_lists, freed));
    if let Some(finder) = &finder {
        let kept = finder.binned(&found_in_pass, &found_in_births);
        state.world.keep_car_rows(kept);
    }
    state.census = new_census;
    state.fields = next_fields;
    // The weights of the next step, from this boundary's census.
    weights::resample_car_t(
        &mut state.world,
        &mut state.census,
        &mut state.ids,
        config,
        step,
    );

    // 6. CRS at the end of the step.
    events.extend(phases::crs::manage(
        &mut state.crs,
        il6_drive,
        config,
        timeline,
        step,
    ));
    state.step += 1;
    if cfg!(any(test, debug_assertions)) {
        assert!(
            state.world.counts_match_rows(),
            "the carried row counts differ from the rows after step {step}"
        );
        assert!(
            state.world.car_rows_match_rows(config),
            "the kept CAR-T rows and targets differ from a scan after step {step}"
        );
    }
    StepReport { events, stepped }
}

/// What a boundary shows: its events and, on the record grid, the state.
pub struct BoundaryObservation {
    /// Clinical events detected at the boundary.
    pub events: Vec<Event>,
    /// Whether the boundary is recorded.
    pub record: bool,
}

/// The actions of the current boundary before anything is recorded: equilibration at
/// the first recorded boundary (or the first boundary after it, for a branch started
/// later), then (from the first recorded boundary `record_from` on)
/// clinical event detection. Detection only acts on changes, so running it twice at one
/// boundary (a branch starting from a checkpoint) raises nothing the second time.
pub fn observe_boundary(
    setup: &RunSetup,
    state: &mut PatientState,
    record_from: u64,
) -> BoundaryObservation {
    let timeline = &setup.timeline;
    let b = state.step;
    if b >= timeline.record_start && !state.equilibrated {
        equilibrate(setup, state);
    }
    if b < record_from {
        return BoundaryObservation {
            events: Vec::new(),
            record: false,
        };
    }
    let events = clinical::detect(
        &mut state.clinical,
        &state.fields,
        &setup.steady,
        &setup.config,
        timeline,
        b,
    );
    let on_grid = (b - timeline.record_start).is_multiple_of(timeline.steps_per_record);
    BoundaryObservation {
        events,
        record: b == record_from || (b >= timeline.record_start && on_grid),
    }
}

fn equilibrate(setup: &RunSetup, state: &mut PatientState) {
    state.equilibrated = true;
    phases::equilibration::equilibrate_slow_pools(
        &mut state.world,
        &mut state.ids,
        &mut state.census,
        &mut state.fields,
        &state.niche,
        &setup.config,
        &setup.steady,
        state.step,
    );
}
