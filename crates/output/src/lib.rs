//! # immunosim-output: tidy CSV and the run manifest
//!
//! [`CsvRecorder`] implements the engine's `Recorder`. Per-day files
//! (`timeseries.csv`, `serology.csv`, `events.csv`) are streamed and flushed after
//! every recorded day, so a crash or Ctrl-C leaves complete rows for every day done;
//! `summary.csv` and `run.toml` are written to a temporary name and renamed, so they
//! are either whole or absent. Every column carries its unit in its name; files load in
//! pandas (`pd.read_csv`) and R (`read.csv`) without cleaning.

mod daily;
pub mod files;
pub mod out_dir;
pub mod summary;

pub use files::{CsvRecorder, OutputError, OutputState, SavedFile, write_atomically};
pub use out_dir::prepare_out_dir;
pub use summary::SummaryBuilder;
