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

/// Threads each patient in flight is given: a patient's step uses two threads well (its
/// cell pass is split into fixed chunks), and one patient per two threads holds half the
/// memory of one per thread. On 2 cores (Intel Xeon, 2026-12-02; 16-patient, 2-arm
/// `cohort_sle_cd19_vs_soc.toml`) one patient at a time on both threads took 142.7 s wall,
/// 247 CPU-s and 535 MiB against 149.9 s, 279 CPU-s and 807 MiB with two patients in
/// flight on the same two threads: two patients' rows compete for the caches.
pub const THREADS_PER_PATIENT: usize = 2;

/// Patients in flight with `threads` worker threads and `patients` to run: one per
/// [`THREADS_PER_PATIENT`] threads, at least one, at most `patients`.
pub fn patients_in_flight(threads: usize, patients: usize) -> usize {
    (threads / THREADS_PER_PATIENT).clamp(1, patients.max(1))
}

/// Runs the patients `todo` of the cohort in `out` in parallel, calling `done` after
/// each. [`patients_in_flight`] plain threads for the rayon pool's threads, each taking
/// the next patient; a patient's own steps run on the shared rayon pool. (A rayon task
/// per patient would let a thread that waits inside one patient's step start another
/// patient, so that more patients, and their memory, would be in flight.) Every patient
/// is attempted; the first failure in patient order is returned.
pub fn run_patients(
    spec: &CohortSpec,
    manifest: &Manifest,
    out: &Path,
    todo: &[u64],
    keep: bool,
    done: &(dyn Fn(u64) + Sync),
) -> Result<(), CohortError> {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let workers = patients_in_flight(rayon::current_num_threads(), todo.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(&k) = todo.get(next.fetch_add(1, Ordering::SeqCst)) {
                    if let Err(e) = run_patient(spec, manifest, out, k, keep) {
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
