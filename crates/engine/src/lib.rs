//! # immunosim-engine: the world and its parallel, deterministic step
//!
//! The engine builds a bevy_ecs world of cells ([`world`]), initialises a patient at
//! its steady state ([`init`]) and steps it. One type holds all of a patient's mutable
//! state ([`state::PatientState`]); the step's phases ([`phases`]) are functions of the
//! parts they read and write, and their order is written once ([`schedule`]): the
//! treatment of the step, CAR-T encounters, the double-buffered fields, one rayon pass
//! over fixed-size chunks of cells applying the model's rules and writing new cells into
//! the rows it frees, the births left over, CRS. Scheduled days become steps once
//! ([`timeline`]). [`simulation::Simulation`] runs the loop and [`checkpoint`] saves and
//! restores the state. Random draws come from counter-based streams ([`rng`]), so
//! outputs are byte-identical at any thread count.
//! The engine never touches a file: it hands [`recorder::Snapshot`]s and
//! [`recorder::Event`]s to a [`recorder::Recorder`].
//!
//! ```
//! use immunosim_engine::{config::RunConfig, simulation::Simulation};
//! let mut config = RunConfig::default();
//! config.cells_per_agent = [2e8; 4]; // a coarse patient for the example
//! config.days = 2.0;
//! let mut sim = Simulation::new(config);
//! sim.step();
//! assert!(sim.census().living() > 0);
//! ```

pub mod car_rows;
pub mod census;
pub mod checkpoint;
pub mod chunks;
pub mod config;
pub mod ids;
pub mod init;
pub mod memory;
pub mod phases;
mod prefetch;
pub mod recorder;
pub mod rng;
pub mod row_census;
#[cfg(test)]
mod row_census_tests;
pub mod schedule;
pub mod simulation;
pub mod state;
#[cfg(test)]
mod test_fixtures;
pub mod timeline;
#[cfg(test)]
mod weight_run_tests;
pub mod weights;
pub mod world;
pub mod yardstick;
