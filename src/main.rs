//! The `immunosim` binary: wires scenario, engine and output. It alone reads argv,
//! the terminal, signals and the clock, and it alone exits.

mod cgroup_memory;
mod checkpoint_file;
mod cli;
mod cohort_args;
mod cohort_command;
mod commands;
mod driver;
mod failure;
mod memory_check;
#[cfg(feature = "mpi")]
mod mpi_cohort;
mod progress;
mod provenance;
mod report_command;

use clap::Parser;
use cli::{Cli, Command};
use driver::Ended;
use failure::Failure;
use std::process::ExitCode;

/// Exit status for bad input.
const EXIT_BAD_INPUT: u8 = 2;
/// Exit status for a failed run.
const EXIT_FAILURE: u8 = 1;
/// Exit status for a run stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report).
const EXIT_INTERRUPTED: u8 = 130;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { scenarios } => check(&scenarios),
        Command::Run(args) => exit(commands::run(&args)),
        Command::Resume(args) => exit(commands::resume(&args)),
        Command::Report(args) => exit(report_command::report(&args.dir).map(|()| Ended::Finished)),
        Command::Cohort(args) => exit(cohort(&args)),
        Command::Merge(args) => exit(cohort_command::merge(&args)),
        Command::Help {
            topic: cli::HelpTopic::Scenario,
        } => {
            print!("{}", immunosim_scenario::reference_markdown());
            ExitCode::SUCCESS
        }
    }
}

fn exit(outcome: Result<Ended, Failure>) -> ExitCode {
    match outcome {
        Ok(Ended::Finished) => ExitCode::SUCCESS,
        Ok(Ended::Interrupted) => {
            eprintln!("interrupted; outputs are whole up to the last step taken");
            ExitCode::from(EXIT_INTERRUPTED)
        }
        Ok(Ended::MemoryLimit(message)) => {
            eprintln!("error: {message}");
            eprintln!("outputs are whole up to the last step taken");
            ExitCode::from(EXIT_FAILURE)
        }
        Err(Failure::BadInput(message)) => {
            eprintln!("{message}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
        Err(Failure::Run(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Patients whose draws `check` validates against the scenario's rules (each costs
/// about a millisecond per arm).
const CHECKED_PATIENTS: u64 = 10_000;

fn check(paths: &[std::path::PathBuf]) -> ExitCode {
    let mut bad = false;
    for path in paths {
        if cohort_command::is_cohort_file(path) {
            let loaded = immunosim_cohort::spec::load(path).map_err(|e| e.to_string());
            // The draws of the file's own patient count (at most CHECKED_PATIENTS:
            // `cohort` checks every patient it runs), with its seed.
            let drawn = loaded.and_then(|c| {
                let patients: Vec<u64> = (0..(c.patients as u64).min(CHECKED_PATIENTS)).collect();
                immunosim_cohort::drawn_rules::check(&c, c.patient.config.seed, &patients)
                    .map(|()| c)
                    .map_err(|e| format!("{}: error: {e}", path.display()))
            });
            match drawn {
                Ok(c) => println!(
                    "{}: ok (cohort {}, {} arms, {} varied, {} patients by default; draws of {} checked)",
                    path.display(),
                    c.name,
                    c.arms.len(),
                    c.variations.len(),
                    c.patients,
                    (c.patients as u64).min(CHECKED_PATIENTS)
                ),
                Err(errors) => {
                    bad = true;
                    eprintln!("{errors}");
                }
            }
            continue;
        }
        match immunosim_scenario::load(path) {
            Ok(s) => println!(
                "{}: ok ({}, preset {}, {} days)",
                path.display(),
                s.name,
                s.preset,
                s.config.days
            ),
            Err(errors) => {
                bad = true;
                eprintln!("{errors}");
            }
        }
    }
    if bad {
        ExitCode::from(EXIT_BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}

/// `immunosim cohort`: under `mpirun` (with the `mpi` feature) the ranks share the
/// patients; otherwise one process runs them all.
fn cohort(args: &cohort_args::CohortArgs) -> Result<Ended, Failure> {
    #[cfg(feature = "mpi")]
    if let Some(universe) = mpi_cohort::universe() {
        return mpi_cohort::cohort(args, universe);
    }
    cohort_command::cohort(args)
}
