//! # immunosim-model: the biology, with no I/O
//!
//! This crate holds every rule of biology in immunosim and every number those rules
//! use. It knows nothing of files, threads, clocks or the ECS: the engine calls these
//! functions once per cell per step and hands them random draws through [`Draws`].
//!
//! * [`cell`] — the per-cell record ([`Cell`]) and the [`Population`] enum that is the
//!   cell's kind and stage in one byte.
//! * [`parameters`] — the catalogue: every parameter with name, unit, default, allowed
//!   range and source ([`Parameters`], [`ParameterSpec`]).
//! * [`steady_state`] — the mean-field steady state of the untreated patient, from which
//!   the rates that the literature does not give directly are derived, and from which the
//!   initial population is drawn.
//! * [`rules`] — one module per process (lymphopoiesis, maturation, activation, germinal
//!   centres, plasma cells, T-cell homeostasis, migration).
//! * [`hill`] — the one Hill (switch-like saturating) response every rule uses.
//! * [`car`] — CAR constructs and products (source, platform, dose, schedule,
//!   manufacturing); [`crs`] — IL-6 and cytokine release; [`interventions`] —
//!   vaccination and IVIG; [`named`] — enums that scenario files name by string.
//! * [`fields`] — well-mixed quantities: antibody pools, BAFF, autoantigen, immune
//!   complexes, organ inflammation, and the SLEDAI-2K-like score.
//!
//! ```
//! use immunosim_model::{Parameters, steady_state::SteadyState};
//! let params = Parameters::default();
//! let steady = SteadyState::derive(&params, 70.0);
//! // The healthy set point: ~352 B cells per µL of blood (mean of men and women).
//! assert!((steady.blood_b_cells_per_ul() - 352.5).abs() < 1e-6);
//! ```

pub mod antigen_panel;
pub mod car;
pub mod cell;
pub mod cell_bytes;
pub mod compartment;
pub mod crs;
pub mod disease_course;
pub mod draws;
pub mod fields;
pub mod hill;
pub mod interventions;
pub mod named;
pub mod parameters;
pub mod rules;
pub mod steady_state;

pub use cell::{Antigen, Cell, CellId, Population, Specificity};
pub use compartment::Compartment;
pub use draws::Draws;
pub use parameters::{ParameterSpec, Parameters};
