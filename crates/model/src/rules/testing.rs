//! What the rules' unit tests share: a step context at the healthy steady state.

use super::StepContext;
use super::hazards::StepHazards;
use crate::antigen_panel::AntigenPanel;
use crate::cell::Population;
use crate::compartment::SiteLayout;
use crate::parameters::Parameters;
use crate::steady_state::SteadyState;

/// A step of 0.1 day on day 10 at the healthy steady state, no antigen.
pub(crate) fn context<'a>(
    params: &'a Parameters,
    derived: &'a SteadyState,
    sites: &'a SiteLayout,
    antigens: &'a AntigenPanel,
) -> StepContext<'a> {
    StepContext {
        params,
        derived,
        sites,
        dt_days: 0.1,
        day: 10.0,
        baff_relative: 1.0,
        autoantigen: 0.0,
        vaccine_antigen: [0.0; 2],
        b_progenitor_relative: 1.0,
        niche_free_fraction: 0.0,
        division_rate_per_day: [0.0; Population::COUNT],
        hazards: StepHazards::default(),
        t_cell_lymphopenia: 0.0,
        car_t_crowding: 0.0,
        tumour_relative: 0.0,
        car_proliferation_factor: 1.0,
        host_t_relative: 1.0,
        products: &[],
        antigens,
        surface: None,
    }
}
