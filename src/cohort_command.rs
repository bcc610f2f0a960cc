//! `immunosim cohort`, `immunosim merge` and `immunosim run COHORT --patient K --arm A`:
//! arguments to the cohort crate, a progress bar of patients, exit statuses.

use crate::cohort_args::{CohortArgs, MergeArgs};
use crate::driver::Ended;
use crate::failure::{Failure, bad, use_threads};
use immunosim_cohort::manifest::{self, Manifest, set_days};
use immunosim_cohort::{CohortError, CohortSpec, drawn_rules, out_dir, patient, report, spec};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

fn failed(e: CohortError) -> Failure {
    match e {
        CohortError::Mismatch(m) => bad(format!("error: {m}")),
        other => Failure::Run(other.into()),
    }
}

pub(crate) fn load(path: &Path, days: Option<f64>) -> Result<CohortSpec, Failure> {
    let mut spec = spec::load(path).map_err(bad)?;
    if let Some(days) = days {
        if !(days.is_finite() && (1.0..=36_525.0).contains(&days)) {
            return Err(bad(format!(
                "error: --days {days} is out of range (allowed 1 <= days <= 36525)"
            )));
        }
        set_days(&mut spec, days);
    }
    Ok(spec)
}

pub(crate) fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub(crate) fn bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{elapsed_precise} [{bar:40}] {pos}/{len} patients | ETA {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar
}

/// What `args` run of the cohort `spec`: the manifest written to (and checked against)
/// `cohort.toml`.
pub(crate) fn manifest_of(args: &CohortArgs, spec: &CohortSpec) -> Manifest {
    Manifest {
        version: env!("CARGO_PKG_VERSION").into(),
        stem: stem(&args.scenario),
        patients: args.patients.unwrap_or(spec.patients as u64),
        seed: args.seed.unwrap_or(spec.patient.config.seed),
        days: spec.patient.config.days,
        shard: args.shard,
        scenario: spec.text.clone(),
    }
}

/// `immunosim cohort`.
pub fn cohort(args: &CohortArgs) -> Result<Ended, Failure> {
    let mut spec = load(&args.scenario, args.days)?;
    let manifest = manifest_of(args, &spec);
    use_psa(&mut spec, args.psa, manifest.seed)?;
    use_threads(args.threads)?;
    let mine = patients_of(&manifest);
    let fit = patients_that_fit(args, &spec)?;
    prepare_or_resume(args, &spec, &manifest)?;
    let todo = immunosim_cohort::unfinished(&args.out, &mine);
    let in_flight = plan_in_flight(args, todo.len(), &fit);
    let started = std::time::Instant::now();
    let progress = bar(mine.len() as u64, args.quiet);
    progress.set_position((mine.len() - todo.len()) as u64);
    immunosim_cohort::run_patients(
        &spec,
        &manifest,
        &args.out,
        &todo,
        args.keep_patients,
        in_flight,
        &|_| progress.inc(1),
    )
    .map_err(failed)?;
    progress.finish_and_clear();
    match args.shard {
        None => {
            report::merge(
                &spec,
                manifest.seed,
                manifest.days,
                manifest.patients,
                &[&args.out],
                &args.out,
            )
            .map_err(failed)?;
            if args.report {
                crate::report_command::report(&args.out)?;
            }
        }
        Some((i, n)) if !args.quiet => eprintln!(
            "shard {i}/{n} done; when every shard is, combine them with `immunosim merge DIR... --out OUT`"
        ),
        Some(_) => {}
    }
    if !args.quiet {
        let threads = format!(
            "{} threads, {} patient{} at a time",
            rayon::current_num_threads(),
            in_flight.patients,
            if in_flight.patients == 1 { "" } else { "s" }
        );
        done(&spec, mine.len(), todo.len(), started, &threads, &args.out);
    }
    Ok(Ended::Finished)
}

/// `--psa N`: the replicates and the cohort seed their streams are keyed by; refused
/// for a cohort without economics.
pub(crate) fn use_psa(spec: &mut CohortSpec, psa: Option<u64>, seed: u64) -> Result<(), Failure> {
    let Some(n) = psa else { return Ok(()) };
    match &mut spec.economics {
        Some(e) => {
            e.psa = Some((n, seed));
            Ok(())
        }
        None => Err(bad(
            "error: --psa needs a cohort with an [economics] table (docs/economics.md)".to_string(),
        )),
    }
}

/// The closing line of a cohort on stderr: patients and arms, how many ran now, the time
/// and where (`threads` or `ranks`), and the output folder.
pub(crate) fn done(
    spec: &CohortSpec,
    patients: usize,
    run_now: usize,
    started: std::time::Instant,
    on: &str,
    out: &Path,
) {
    eprintln!(
        "{}: {patients} patients x {} arms ({run_now} run now) in {:.1} s on {on}; outputs in {}",
        spec.name,
        spec.arms.len(),
        started.elapsed().as_secs_f64(),
        out.display()
    );
}

/// How many of the cohort's patients fit in memory at a time, with what that was worked
/// out from (`memory_check::cohort_fit`); refuses a cohort of which one patient alone
/// would not fit, before anything is written.
pub(crate) fn patients_that_fit(
    args: &CohortArgs,
    spec: &CohortSpec,
) -> Result<(usize, String), Failure> {
    let arms: Vec<_> = spec.arms.iter().map(|a| &a.scenario.config).collect();
    crate::memory_check::cohort_fit(&arms, args.max_memory).map_err(|m| bad(format!("error: {m}")))
}

/// The patients this process runs at a time for `patients` still to run (one per
/// thread, as many as `fit` in memory: `immunosim_cohort::in_flight`), saying so on
/// stderr when memory holds fewer than there are threads.
fn plan_in_flight(
    args: &CohortArgs,
    patients: usize,
    (fit, basis): &(usize, String),
) -> immunosim_cohort::InFlight {
    let threads = rayon::current_num_threads();
    let plan = immunosim_cohort::in_flight(threads, patients, *fit);
    if *fit < threads.min(patients) && !args.quiet {
        eprintln!(
            "note: memory holds {fit} patient{} at a time ({basis}): running {} at a time on {} threads each",
            if *fit == 1 { "" } else { "s" },
            plan.patients,
            plan.threads_each
        );
    }
    plan
}

/// The patients of `manifest` this process runs (its shard, or all).
fn patients_of(manifest: &Manifest) -> Vec<u64> {
    match manifest.shard {
        Some((i, n)) => immunosim_cohort::shard_patients(manifest.patients, i, n),
        None => (0..manifest.patients).collect(),
    }
}

/// Checks every patient's draws against the scenario's rules (before anything is
/// written) and `--resume` against the folder's manifest, or prepares a new folder;
/// then writes the manifest.
pub(crate) fn prepare_or_resume(
    args: &CohortArgs,
    spec: &CohortSpec,
    manifest: &Manifest,
) -> Result<(), Failure> {
    drawn_rules::check(spec, manifest.seed, &patients_of(manifest)).map_err(failed)?;
    if args.resume {
        let found = Manifest::read(&args.out).map_err(|e| {
            bad(format!(
                "error: --resume: {} holds no cohort to continue ({e})",
                args.out.display()
            ))
        })?;
        if found != *manifest {
            return Err(bad(format!(
                "error: --resume: {} holds another cohort (its {} differs in scenario, patients, seed, days, shard or version)",
                args.out.display(),
                manifest::FILE
            )));
        }
    } else {
        out_dir::prepare(&args.out, args.force).map_err(failed)?;
    }
    manifest.write(&args.out).map_err(failed)?;
    Ok(())
}

/// `immunosim merge`.
pub fn merge(args: &MergeArgs) -> Result<Ended, Failure> {
    let manifests: Vec<Manifest> = args
        .dirs
        .iter()
        .map(|d| Manifest::read(d))
        .collect::<Result<_, _>>()
        .map_err(|e| bad(format!("error: {e}")))?;
    let first = &manifests[0];
    for (dir, m) in args.dirs.iter().zip(&manifests).skip(1) {
        if !m.same_cohort(first) {
            return Err(bad(format!(
                "error: {} holds another cohort than {} (scenario, patients, seed, days or version differ)",
                dir.display(),
                args.dirs[0].display()
            )));
        }
    }
    let label = format!(
        "{} (its scenario)",
        args.dirs[0].join(manifest::FILE).display()
    );
    let mut spec = first.spec(&label).map_err(bad)?;
    use_psa(&mut spec, args.psa, first.seed)?;
    let dirs: Vec<&Path> = args.dirs.iter().map(PathBuf::as_path).collect();
    // Read (and checked) once, in the shards: damaged or missing parts are named there,
    // before --out is touched.
    let all = immunosim_cohort::gather::read_all(&spec, first.patients, &dirs).map_err(failed)?;
    out_dir::prepare(&args.out, args.force).map_err(failed)?;
    let merged = Manifest {
        shard: None,
        ..first.clone()
    };
    merged.write(&args.out).map_err(failed)?;
    copy_parts(&dirs, &args.out, merged.patients).map_err(failed)?;
    report::write_all(&spec, merged.seed, merged.days, &all, &args.out).map_err(failed)?;
    Ok(Ended::Finished)
}

/// Where a part file of patient K lives in a folder.
type PartPath = fn(&Path, u64) -> PathBuf;

/// Copies each patient's parts from the first of `dirs` that has them into `out` (the
/// economics part only where the cohort has one).
fn copy_parts(dirs: &[&Path], out: &Path, patients: u64) -> Result<(), CohortError> {
    use immunosim_cohort::parts::{self, rows_path, series_path};
    std::fs::create_dir_all(out.join(parts::DIR)).map_err(|e| CohortError::io(out, e))?;
    for k in 0..patients {
        if let Some(dir) = dirs.iter().find(|d| parts::finished(d, k)) {
            let files: [(PartPath, bool); 3] = [
                (series_path, false),
                (immunosim_cohort::economics::part_path, true),
                (rows_path, false),
            ];
            for (path, optional) in files {
                if optional && !path(dir, k).is_file() {
                    continue;
                }
                let (from, to) = (path(dir, k), path(out, k));
                let bytes = std::fs::read(&from).map_err(|e| CohortError::io(&from, e))?;
                immunosim_output::write_atomically(&to, &bytes)?;
            }
        }
    }
    Ok(())
}

/// `immunosim run COHORT --patient K --arm NAME`: patient K's arm, with the full run
/// outputs, exactly as the cohort ran it (and as `cohort --keep-patients` keeps it).
pub fn run_patient(path: &Path, args: &crate::cli::RunArgs) -> Result<Ended, Failure> {
    let (Some(k), Some(arm)) = (args.patient, args.arm.as_deref()) else {
        return Err(bad(format!(
            "error: {} is a cohort file: run it with `immunosim cohort`, or one of its patients with --patient K --arm NAME",
            path.display()
        )));
    };
    if args.from.is_some() || args.checkpoint_every.is_some() || !args.checkpoint_at.is_empty() {
        return Err(bad(
            "error: --patient runs a cohort's patient from its own burn-in; --from, --checkpoint-every and --checkpoint-at do not apply",
        ));
    }
    let spec = load(path, args.days)?;
    let seed = args.seed.unwrap_or(spec.patient.config.seed);
    let Some(a) = spec.arms.iter().position(|x| x.name == arm) else {
        let names: Vec<&str> = spec.arms.iter().map(|x| x.name.as_str()).collect();
        return Err(bad(format!(
            "error: --arm {arm} is not an arm of {} (allowed: {})",
            path.display(),
            names.join(", ")
        )));
    };
    drawn_rules::check(&spec, seed, &[k]).map_err(failed)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("out").join(format!("{}_patient{k}_{arm}", spec.name)));
    immunosim_output::prepare_out_dir(&out, args.force).map_err(|e| bad(format!("error: {e}")))?;
    use_threads(args.threads)?;
    let one = patient::patient(&spec, seed, k, spec.patients as u64);
    patient::run(&one, &[a], Some(&|_| out.clone())).map_err(failed)?;
    if !args.quiet {
        eprintln!(
            "{}: patient {k}, arm {arm}; outputs in {}",
            spec.name,
            out.display()
        );
    }
    Ok(Ended::Finished)
}

/// Whether `path` is a cohort file (unreadable files are left to the scenario loader).
pub fn is_cohort_file(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| spec::is_cohort_text(&t))
}
