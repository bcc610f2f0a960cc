//! `mpirun -n R immunosim cohort ...` (cargo feature `mpi`): rank 0 hands patients out
//! one at a time to whichever rank asks, and runs patients itself on a second thread;
//! every rank writes its finished patients' parts into the shared `--out` folder, and
//! rank 0 merges them. The outputs are computed from the parts, so they are the same
//! bytes whatever the number of ranks. Only the main thread of a rank calls MPI
//! (`Threading::Funneled`); rank 0 polls for requests with a short sleep instead of a
//! blocking receive, which in Open MPI spins a core its own patients need.

use crate::cohort_args::CohortArgs;
use crate::cohort_command::{
    bar, done, load, manifest_of, patients_that_fit, prepare_or_resume, use_psa,
};
use crate::driver::Ended;
use crate::failure::{Failure, use_threads};
use immunosim_cohort::report;
use mpi::traits::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Sent by a rank for its first patient, and to a rank when nothing is left.
const NONE: u64 = u64::MAX;

/// Exit status passed to `MPI_Abort` when a rank fails.
const ABORT_FAILED: i32 = 1;

/// Starts MPI; `None` when this is not a run of several ranks (the ordinary path).
pub fn universe() -> Option<mpi::environment::Universe> {
    let (universe, _) = mpi::initialize_with_threading(mpi::Threading::Funneled)?;
    (universe.world().size() > 1).then_some(universe)
}

/// `immunosim cohort` on the ranks of `universe`.
pub fn cohort(args: &CohortArgs, universe: mpi::environment::Universe) -> Result<Ended, Failure> {
    let world = universe.world();
    let (rank, size) = (world.rank(), world.size());
    if args.shard.is_some() {
        if rank == 0 {
            eprintln!("error: --shard and MPI ranks are two ways of splitting a cohort; use one");
        }
        return Err(Failure::BadInput(String::new()));
    }
    let mut spec = load(&args.scenario, args.days)?;
    // No shard: refused above.
    let manifest = manifest_of(args, &spec);
    use_psa(&mut spec, args.psa, manifest.seed)?;
    use_threads(args.threads)?;
    // Each rank runs one patient at a time on its threads; a rank whose memory would not
    // hold one stops every rank (the others would wait for it).
    if let Err(e) = patients_that_fit(args, &spec) {
        if let Failure::BadInput(m) = &e {
            eprintln!("rank {rank}: {m}");
        }
        world.abort(2);
    }
    if rank == 0
        && let Err(e) = prepare_or_resume(args, &spec, &manifest)
    {
        match e {
            Failure::BadInput(m) => eprintln!("{m}"),
            Failure::Run(e) => eprintln!("error: {e:#}"),
        }
        world.abort(2);
    }
    world.barrier();
    let fail = |e: immunosim_cohort::CohortError| -> ! {
        eprintln!("error: rank {rank}: {e}");
        world.abort(ABORT_FAILED)
    };
    if rank != 0 {
        let root = world.process_at_rank(0);
        root.send(&NONE);
        loop {
            let (k, _) = root.receive::<u64>();
            if k == NONE {
                break;
            }
            immunosim_cohort::run_patient(&spec, &manifest, &args.out, k, args.keep_patients)
                .unwrap_or_else(|e| fail(e));
            root.send(&k);
        }
        return Ok(Ended::Finished);
    }
    let all: Vec<u64> = (0..manifest.patients).collect();
    let todo = immunosim_cohort::unfinished(&args.out, &all);
    let started = std::time::Instant::now();
    let progress = bar(all.len() as u64, args.quiet);
    progress.set_position((all.len() - todo.len()) as u64);
    let next = AtomicUsize::new(0);
    let local = std::thread::scope(|scope| {
        let mine = scope.spawn(|| -> Result<(), immunosim_cohort::CohortError> {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(&k) = todo.get(i) else {
                    return Ok(());
                };
                immunosim_cohort::run_patient(&spec, &manifest, &args.out, k, args.keep_patients)?;
                progress.inc(1);
            }
        });
        let mut stopped = 0;
        while stopped + 1 < size {
            if world.any_process().immediate_probe().is_none() {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            let (done, status) = world.any_process().receive::<u64>();
            if done != NONE {
                progress.inc(1);
            }
            let i = next.fetch_add(1, Ordering::SeqCst);
            let reply = match todo.get(i) {
                Some(&k) => k,
                None => {
                    stopped += 1;
                    NONE
                }
            };
            world.process_at_rank(status.source_rank()).send(&reply);
        }
        mine.join().expect("rank 0's patients do not panic")
    });
    local.unwrap_or_else(|e| fail(e));
    progress.finish_and_clear();
    report::merge(
        &spec,
        manifest.seed,
        manifest.days,
        manifest.patients,
        &[&args.out],
        &args.out,
    )
    .unwrap_or_else(|e| fail(e));
    if args.report {
        crate::report_command::report(&args.out)?;
    }
    if !args.quiet {
        let ranks = format!("{size} ranks");
        done(&spec, all.len(), todo.len(), started, &ranks, &args.out);
    }
    Ok(Ended::Finished)
}
