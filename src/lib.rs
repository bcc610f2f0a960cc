//! # immunosim
//!
//! The application layer: turns a validated [`Scenario`] into the engine's
//! [`RunConfig`]. The `immunosim` binary (src/main.rs) adds argv, progress bars and
//! exit codes; integration tests use this crate directly.
//!
//! ```
//! let scenario = immunosim_scenario::parse_str("[scenario]\npreset = \"sle\"\n", "x.toml").unwrap();
//! let config = immunosim::run_config(&scenario);
//! assert_eq!(config.params.b_cells.checkpoint_defect, 0.5);
//! ```

use immunosim_engine::config::{ChemotherapyDay, RunConfig};
use immunosim_scenario::Scenario;

/// The engine's configuration for a validated scenario.
pub fn run_config(s: &Scenario) -> RunConfig {
    RunConfig {
        params: s.params.clone(),
        weight_kg: s.weight_kg,
        seed: s.seed,
        dt_days: s.time_step_days,
        burn_in_days: s.burn_in_days,
        days: s.days,
        record_every_days: s.record_every_days,
        sites: s.sites,
        cells_per_agent: s.cells_per_agent,
        height_cm: s.height_cm,
        products: s.products.clone(),
        lymphodepletion: s
            .chemotherapy
            .iter()
            .map(
                |&(day, fludarabine_mg_per_m2, cyclophosphamide_mg_per_m2)| ChemotherapyDay {
                    day,
                    fludarabine_mg_per_m2,
                    cyclophosphamide_mg_per_m2,
                },
            )
            .collect(),
        antigens: s.antigens.clone(),
        bridging: s.bridging,
        vaccinations: s.vaccinations.clone(),
        ivig: s.ivig.clone(),
        quiet_cells: true,
    }
}
