//! # immunosim-cohort: virtual cohorts
//!
//! A cohort file (`immunosim cohort`) describes one patient, how patients differ
//! (`[[variability]]`: any catalogue parameter, patient covariate or product
//! attribute, with a distribution) and treatment arms (`[[arms]]`). Each virtual
//! patient is burned in once and branched into every arm from a checkpoint kept in
//! memory, so arms are compared on the same patients. Patients run in parallel on the
//! rayon pool; each patient's rows are written atomically to `parts/` as it finishes,
//! and the cohort outputs are computed from the parts alone, so they are identical at
//! any thread count, after `--resume`, and whatever the shards (`--shard I/N`, `merge`)
//! or MPI ranks that produced them.

pub mod arm;
pub mod drawn;
pub mod drawn_rules;
pub mod draws;
pub mod economics;
pub mod gather;
pub mod manifest;
pub mod out_dir;
pub mod part_files;
pub mod parts;
pub mod patient;
pub mod queue;
pub mod recorder;
pub mod report;
mod sections;
pub mod spec;
pub mod stats;
pub mod target;

pub use manifest::Manifest;
pub use spec::{Arm, CohortSpec};

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Why a cohort could not run or be merged.
#[derive(Debug, thiserror::Error)]
pub enum CohortError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An output file could not be written.
    #[error(transparent)]
    Output(#[from] immunosim_output::OutputError),
    /// A run could not record.
    #[error(transparent)]
    Record(#[from] immunosim_engine::recorder::RecordError),
    /// An arm cannot branch from the patient (a bug: arms are built to fit).
    #[error("cannot branch: {0}")]
    Branch(String),
    /// Output folders that do not belong together, or parts that are damaged.
    #[error("{0}")]
    Mismatch(String),
    /// The threads of a patient's pool could not be started.
    #[error("cannot start a patient's threads: {0}")]
    Threads(String),
}

impl CohortError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> CohortError {
        CohortError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The patients of shard `index` of `count` among `patients`: every `count`-th from
/// `index` (so shards stay balanced whatever the order patients finish in).
pub fn shard_patients(patients: u64, index: u64, count: u64) -> Vec<u64> {
    (0..patients).filter(|k| k % count == index).collect()
}

/// Runs patient `k` of the cohort in `out` and writes its part files.
pub fn run_patient(
    spec: &CohortSpec,
    manifest: &Manifest,
    out: &Path,
    k: u64,
    keep: bool,
) -> Result<(), CohortError> {
    let patient = patient::patient(spec, manifest.seed, k, manifest.patients);
    let which: Vec<usize> = (0..spec.arms.len()).collect();
    let keep_dir = |a: usize| patient::kept_dir(out, k, &spec.arms[a].name);
    let records = patient::run(&patient, &which, if keep { Some(&keep_dir) } else { None })?;
    // The economics part before the rows: the rows mark the patient finished.
    economics::write_part(spec, out, k, &records)?;
    parts::write(spec, out, &patient, &records)
}

/// How a cohort's patients share the threads: `patients` at a time, each stepped on a
/// rayon pool of its own with `threads_each` threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InFlight {
    /// Patients run at the same time.
    pub patients: usize,
    /// Threads of each patient's pool.
    pub threads_each: usize,
}

/// One patient per thread, each on a one-thread pool of its own; fewer when there are
/// fewer patients to run or only `fit` patients fit in memory, the threads then shared
/// among those in flight. On 2 cores (Intel Xeon, 2026-12-03; 8-patient, 2-arm
/// `cohort_sle_cd19_vs_soc.toml`) two patients on one thread each took 48.4 and 47.3 s
/// wall (88.0 and 85.6 CPU-s, 567 and 496 MB) against 56.1 and 53.6 s (90.1 and 86.2
/// CPU-s, 316 and 324 MB) for one patient on both threads: a patient's serial phases
/// (the encounters, binning the CAR-T rows, branching its arms) leave the other thread
/// idle. (Before the quiet scan and the table's metadata got cheaper, 2026-12-02, two
/// patients' rows competed for the caches and one patient on both threads was faster.)
pub fn in_flight(threads: usize, patients: usize, fit: usize) -> InFlight {
    let threads = threads.max(1);
    let in_flight = threads.min(patients).min(fit).max(1);
    InFlight {
        patients: in_flight,
        threads_each: (threads / in_flight).max(1),
    }
}

/// Runs the patients `todo` of the cohort in `out` in parallel, calling `done` after
/// each: `in_flight.patients` plain threads, each with a rayon pool of its own
/// (`in_flight.threads_each` threads) on which it steps the next patient. (A rayon task
/// per patient on one shared pool would let a thread that waits inside one patient's
/// step start another patient, so that more patients, and their memory, would be in
/// flight.) Every patient is attempted; the first failure in patient order is returned.
pub fn run_patients(
    spec: &CohortSpec,
    manifest: &Manifest,
    out: &Path,
    todo: &[u64],
    keep: bool,
    in_flight: InFlight,
    done: &(dyn Fn(u64) + Sync),
) -> Result<(), CohortError> {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let pools = (0..in_flight.patients.min(todo.len()))
        .map(|_| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(in_flight.threads_each)
                .build()
                .map_err(|e| CohortError::Threads(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    std::thread::scope(|scope| {
        for pool in &pools {
            scope.spawn(|| {
                while let Some(&k) = todo.get(next.fetch_add(1, Ordering::SeqCst)) {
                    if let Err(e) = pool.install(|| run_patient(spec, manifest, out, k, keep)) {
                        failures
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((k, e));
                    }
                    done(k);
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap_or_else(|p| p.into_inner());
    failures.sort_by_key(|f| f.0);
    match failures.into_iter().next() {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

/// The patients of `patients` whose parts are not yet in `out` (for `--resume`).
pub fn unfinished(out: &Path, patients: &[u64]) -> Vec<u64> {
    patients
        .iter()
        .copied()
        .filter(|&k| !parts::finished(out, k))
        .collect()
}

#[cfg(test)]
mod journey_tests;
#[cfg(test)]
mod queue_tests;
#[cfg(test)]
mod tests;
