//! The phases of a step, each a function of the parts of the state it reads and writes.
//! None of them sees the whole patient or the schedule: the order is in
//! [`crate::schedule`] alone.

pub mod births;
pub mod cell_pass;
pub mod clinical;
pub mod crs;
pub mod encounters;
pub mod equilibration;
pub mod journey;
