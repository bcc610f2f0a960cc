//! One patient's state: everything a step changes, in one type.
//!
//! [`PatientState`] holds the cells, the fields, the census, the clinical and CRS state
//! and the step counter — all that a checkpoint saves ([`crate::checkpoint`]). What a
//! run derives from its configuration and never changes (steady state, site layout,
//! timeline) is in [`RunSetup`]. Phases ([`crate::phases`]) never see either type: the
//! schedule ([`crate::schedule`]) hands each phase the parts it reads and writes.

use crate::census::Census;
use crate::config::RunConfig;
use crate::ids::IdCounters;
use crate::init::initial_cells;
use crate::phases::clinical::ClinicalState;
pub use crate::phases::equilibration::NicheWindow;
use crate::timeline::Timeline;
use crate::world::CellWorld;
use immunosim_model::Cell;
use immunosim_model::compartment::SiteLayout;
use immunosim_model::crs::CrsState;
use immunosim_model::fields::Fields;
use immunosim_model::rules::antigens::SurfaceLaws;
use immunosim_model::steady_state::SteadyState;

/// What a run derives from its configuration once; the same for every step and
/// rebuilt (not saved) on resume.
pub struct RunSetup {
    /// The run's configuration.
    pub config: RunConfig,
    /// The healthy steady state the rates derive from.
    pub steady: SteadyState,
    /// Site numbering.
    pub layout: SiteLayout,
    /// The log-normal laws of the run's surface antigens (from the panel) and the slots its
    /// products read.
    pub surface_laws: SurfaceLaws,
    /// Every scheduled event in steps, manufacturing outcomes included.
    pub timeline: Timeline,
}

impl RunSetup {
    /// The setup of `config`: manufacturing outcomes are drawn here, from each product's
    /// own stream, so that they are the same on resume.
    pub fn new(config: RunConfig) -> RunSetup {
        let steady = SteadyState::derive(&config.params, config.weight_kg);
        let layout = config.site_layout();
        let surface_laws = SurfaceLaws::new(&config.antigens, &config.products);
        let timeline = Timeline::for_run(&config);
        RunSetup {
            config,
            steady,
            layout,
            surface_laws,
            timeline,
        }
    }
}

/// One patient at a step boundary.
pub struct PatientState {
    /// The cell rows, living and dead, in table order.
    pub(crate) world: CellWorld,
    /// Antibody pools, BAFF, inflammation (the double-buffered fields of this moment).
    pub(crate) fields: Fields,
    /// Agent counts at this moment.
    pub(crate) census: Census,
    /// Steps taken: this is boundary `step`.
    pub(crate) step: u64,
    /// Id counters.
    pub(crate) ids: IdCounters,
    /// Rows that went through the model's rules in the last step.
    pub(crate) stepped: u64,
    /// What clinical events are detected against.
    pub(crate) clinical: ClinicalState,
    /// IL-6, CRS grade and its treatment.
    pub(crate) crs: CrsState,
    /// Niche entries over the second half of burn-in.
    pub(crate) niche: NicheWindow,
    /// Whether slow pools have been equilibrated (end of burn-in or first treatment).
    pub(crate) equilibrated: bool,
    /// Whether cells carry surface antigen densities (from the first infusion on; see
    /// `StepContext::surface`).
    pub(crate) surfaces_drawn: bool,
}

impl PatientState {
    /// A patient at the healthy steady state, at the start of burn-in.
    pub fn new(setup: &RunSetup) -> PatientState {
        let config = &setup.config;
        let mut census = Census::new(setup.layout.total());
        let mut world = CellWorld::with_capacity(crate::memory::reserved_rows(config));
        let next_counted = initial_cells(config, &setup.steady, |cells| {
            for cell in &cells {
                census.add(cell, cell.compartment);
            }
            world.spawn(cells);
        });
        let secreting = census.secreting_cells(config);
        let mut fields = Fields::at_steady_state(&secreting, &setup.steady, &config.params);
        fields.baff_relative = immunosim_model::fields::baff_relative(
            census.peripheral_b_cells(config),
            &setup.steady,
            &config.params,
        );
        PatientState {
            world,
            fields,
            census,
            step: 0,
            ids: IdCounters {
                next_counted,
                born: 0,
            },
            stepped: 0,
            clinical: ClinicalState::default(),
            crs: CrsState::new(&config.params),
            niche: NicheWindow::default(),
            equilibrated: false,
            surfaces_drawn: false,
        }
    }

    /// The census at this moment.
    pub fn census(&self) -> &Census {
        &self.census
    }

    /// The cell rows (living and dead), in table order.
    pub fn cells(&self) -> &[Cell] {
        self.world.cells()
    }

    /// The fields at this moment.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// IL-6 and CRS state.
    pub fn crs(&self) -> &CrsState {
        &self.crs
    }

    /// Steps taken.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// Cells created so far: initial, infused, new pre-B cells and daughters.
    pub fn cells_created(&self) -> u64 {
        self.ids.next_counted + self.ids.born
    }

    /// Rows that went through the model's rules in the last step.
    pub fn rows_stepped(&self) -> u64 {
        self.stepped
    }
}
