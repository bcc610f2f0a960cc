//! End-to-end tests: the untreated patient's clinical figures, CAR-T therapy, the
//! treatment journey (manufacturing, allogeneic and mRNA products, vaccination, IVIG),
//! determinism across thread counts, bad input, and the output files. Agent counts are
//! kept small (coarse `cells_per_agent`) so the suite runs in minutes on 2 cores; the
//! default resolution is exercised by the README's measurements, not here.
//!
//! One test binary (faster to link than one per file); its modules are below (`autotests = false` keeps cargo
//! from building them as binaries of their own).

mod car_t;
mod car_t_kinetics;
mod checkpoint;
mod cli;
mod cohort;
mod cohort_clinical;
mod docs;
mod economics;
mod erlangen_course;
mod facility;
mod faults;
mod fuzz;
mod fuzz_checkpoint;
mod fuzz_merge;
mod journey;
#[cfg(feature = "mpi")]
mod mpi;
mod products;
mod reconstitution;
mod reference;
mod report;
mod run_files;
mod severity;
mod support;
mod untreated;
