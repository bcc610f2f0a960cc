//! # immunosim-economics: costs and QALYs derived from each simulated journey
//!
//! No cost or outcome is given per outcome: an [`ledger::EconomicsRecorder`] is fed the
//! same days and events as the cohort's own recorder and keeps, per year from day 0, the
//! resources the patient used (days in each disease state, hospital and ICU days,
//! doses, leukapheresis, manufacturing, lymphodepletion, bridging, monitoring visits)
//! and the facts contracts need. Costs and QALYs are the ledger priced by
//! [`prices::Prices`] and weighted by [`prices::Utilities`], discounted by
//! [`discount`]; so a probabilistic sensitivity analysis re-prices the same ledgers
//! ([`psa`]) without re-simulating. Contracts ([`contracts`]) pay from the journey's own
//! outcomes. [`summary`] gives per-arm means, increments, ICER, net monetary benefit,
//! cost per remission and the break-even year. The crate does no I/O.

pub mod contracts;
pub mod cost;
pub mod discount;
pub mod extend;
pub mod item;
pub mod ledger;
pub mod prices;
pub mod psa;
pub mod summary;

pub use contracts::{Comparison, Contract, Outcome};
pub use item::{Item, State};
pub use ledger::{EconomicsRecorder, Ledger};
pub use prices::{Journey, Prices, Settings, Utilities};

#[cfg(test)]
mod analysis_tests;
#[cfg(test)]
mod tests;
