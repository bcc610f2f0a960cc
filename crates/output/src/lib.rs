//! # immunosim-output: tidy CSV and the run manifest
//!
//! [`CsvRecorder`] implements the engine's `Recorder`. Per-day files
//! (`timeseries.csv`, `serology.csv`, `events.csv`) are streamed and flushed after
//! every recorded day, so a crash or Ctrl-C leaves complete rows for every day done;
//! `summary.csv` and `run.toml` are written to a temporary name and renamed, so they
//! are either whole or absent. Every column carries its unit in its name and has the
//! same name in every preset (the disease score is `activity_score`; `summary.csv`
//! names its scale in `score_scale`); files load in pandas (`pd.read_csv`) and R
//! (`read.csv`) without cleaning.
//!
//! For checkpoints, [`CsvRecorder::checkpoint`] returns an [`OutputState`] (each daily
//! file's durable length and the [`SummaryBuilder`]) and [`CsvRecorder::resume`] cuts
//! the files back to it. [`prepare_out_dir`] with `force` removes an earlier run's
//! files and refuses a folder holding anything else. The clinical endpoints of
//! `summary.csv` come from `immunosim-outcomes`.

mod daily;
pub mod error;
pub mod files;
pub mod lock;
pub mod out_dir;
pub mod summary;

pub use files::{CsvRecorder, OutputError, OutputState, SavedFile, write_atomically};
pub use lock::{LOCK_FILE, OutDirLock, lock_out_dir};
pub use out_dir::prepare_out_dir;
pub use summary::SummaryBuilder;
