//! # immunosim-engine: the world and its parallel, deterministic step
//!
//! The engine builds a bevy_ecs world of cells ([`world`]), initialises a patient at
//! its steady state ([`init`]), and steps it ([`simulation`]): a census pass, the
//! double-buffered fields, then one rayon pass over fixed-size chunks of cells applying
//! the model's rules and writing new cells into the rows it frees, then the births
//! left over into the other freed rows. Random draws come from
//! counter-based streams ([`rng`]), so outputs are byte-identical at any thread count.
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

pub mod census;
pub mod config;
pub mod ids;
pub mod init;
pub mod killing;
pub mod memory;
pub mod observe;
pub mod recorder;
pub mod rng;
pub mod simulation;
pub mod slow_pools;
pub mod treatment;
pub mod world;
