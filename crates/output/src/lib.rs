//! # immunosim-output: tidy CSV and the run manifest
//!
//! [`CsvRecorder`] implements the engine's `Recorder`. Per-day files
//! (`timeseries.csv`, `serology.csv`, `events.csv`) are streamed and flushed after
//! every recorded day, so a crash or Ctrl-C leaves complete rows for every day done;
//! `summary.csv` and `run.toml` are written to a temporary name and renamed, so they
//! are either whole or absent. Every column carries its unit in its name; files load in
//! pandas (`pd.read_csv`) and R (`read.csv`) without cleaning.

pub mod files;
pub mod summary;

pub use files::{CsvRecorder, OutputError, prepare_out_dir, write_atomically};
pub use summary::SummaryBuilder;
