//! One virtual patient: its draws, its burn-in (once) and its arms, each branched from
//! the burned-in patient kept in memory as a checkpoint, so that arms differ only by
//! treatment and share the patient's random streams (common random numbers) wherever
//! their events agree.

use crate::CohortError;
use crate::recorder::{ArmRecord, Tee};
use crate::spec::CohortSpec;
use immunosim_engine::checkpoint;
use immunosim_engine::recorder::{Discard, RecordError, Recorder};
use immunosim_engine::simulation::Simulation;
use immunosim_engine::timeline::Timeline;
use immunosim_output::{CsvRecorder, SummaryBuilder};
use immunosim_scenario::{RunInfo, RunStatus, Scenario, branch};
use std::path::Path;

use crate::drawn::draw_one;
pub use crate::drawn::{DrawColumn, Patient, draw_columns, drawn, drawn_values};

/// Patient `k` of `spec`'s `patients` under cohort seed `seed` (the number of patients
/// matters only to a queue by severity: `[facility]`).
pub fn patient(spec: &CohortSpec, seed: u64, k: u64, patients: u64) -> Patient {
    let base = drawn(spec, seed, k);
    let queue = crate::queue::queue(spec, seed, patients.max(k + 1));
    let arms: Vec<Scenario> = spec
        .arms
        .iter()
        .enumerate()
        .map(|(a, arm)| {
            let mut s = arm.scenario.clone();
            s.config.seed = base.config.seed;
            for v in spec.variations.iter().filter(|v| !v.target.is_product()) {
                v.target.set(&mut s, v.target.get(&base));
            }
            for v in spec.variations.iter().filter(|v| v.target.is_product()) {
                for p in &mut s.config.products {
                    if let Some(nominal) = v.target.product_value(p) {
                        let value = draw_one(v, seed, k, nominal);
                        v.target.set_product(p, value);
                    }
                }
            }
            if let (Some(f), Some(q)) = (&spec.facility, &queue) {
                crate::queue::apply(f, q, a, k as usize, &mut s);
            }
            s
        })
        .collect();
    let economics = match &spec.economics {
        Some(e) => arms
            .iter()
            .enumerate()
            .map(|(a, s)| crate::economics::terms(e, s, a))
            .collect(),
        None => Vec::new(),
    };
    Patient {
        k,
        patient: base,
        arms,
        economics,
    }
}

/// The boundary every arm branches from: the first that any arm records or treats
/// (leukapheresis included), so that each arm records exactly what it would running on
/// its own.
fn branch_step(arms: &[Scenario]) -> u64 {
    arms.iter()
        .map(|s| {
            let t = Timeline::for_run(&s.config);
            let mut step = t.record_start;
            if let Some(first) = t.first_treatment {
                step = step.min(first);
            }
            for p in &t.products {
                if let Some(l) = p.leukapheresis {
                    step = step.min(l);
                }
            }
            step
        })
        .min()
        .unwrap_or(0)
}

/// The resolved TOML of `s` (run.toml), with `threads`.
pub fn resolved(s: &Scenario, threads: usize, status: RunStatus) -> String {
    s.to_resolved_toml(RunInfo {
        version: env!("CARGO_PKG_VERSION"),
        threads,
        status,
    })
}

/// Runs `patient`: burn-in once, then the arms `which` (indices) from the burned-in
/// patient. With `keep`, each arm's full run outputs go to `keep(arm)`.
pub fn run(
    patient: &Patient,
    which: &[usize],
    keep: Option<&dyn Fn(usize) -> std::path::PathBuf>,
) -> Result<Vec<ArmRecord>, CohortError> {
    // From every arm, not only those run: patient K's arm run alone branches where the
    // cohort branched it.
    let step = branch_step(&patient.arms);
    let base_toml = resolved(&patient.patient, 1, RunStatus::Running);
    let mut sim = Simulation::new(patient.patient.config.clone());
    sim.begin(&mut Discard, "burn-in")?;
    while sim.steps_taken() < step && !sim.is_finished() {
        sim.advance(&mut Discard)?;
    }
    let saved = checkpoint::encode(&base_toml, &[], sim.state());
    drop(sim);
    let mut records = Vec::new();
    for &a in which {
        let arm = &patient.arms[a];
        let arm_toml = resolved(arm, 1, RunStatus::Running);
        let mut problems = branch::disagreements(&arm_toml, &base_toml);
        problems.extend(branch::timing_problems(arm, step));
        if !problems.is_empty() {
            return Err(CohortError::Branch(format!(
                "patient {} arm {}: {}",
                patient.k,
                arm.name,
                problems.join("; ")
            )));
        }
        let state = checkpoint::decode(&saved)
            .map_err(|e| CohortError::Branch(e.to_string()))?
            .state;
        let mut sim = Simulation::from_state(arm.config.clone(), state);
        let mut cohort = crate::economics::ArmRecorder::new(patient.economics.get(a));
        let detail = format!("seed {}", arm.config.seed);
        match keep {
            None => drive(&mut sim, &mut cohort, &detail)?,
            Some(dir) => {
                let dir = dir(a);
                std::fs::create_dir_all(&dir).map_err(|e| CohortError::io(&dir, e))?;
                let mut files = CsvRecorder::create(
                    &dir,
                    SummaryBuilder::new(&arm.name, arm.config.seed)
                        .with_score_scale(&arm.score_scale),
                    !arm.config.products.is_empty(),
                )?;
                drive(&mut sim, &mut Tee(&mut cohort, &mut files), &detail)?;
                files.finish()?;
                let manifest = resolved(arm, rayon::current_num_threads(), RunStatus::Finished);
                immunosim_output::write_atomically(&dir.join("run.toml"), manifest.as_bytes())?;
            }
        }
        records.push(cohort.finish());
    }
    Ok(records)
}

fn drive(
    sim: &mut Simulation,
    recorder: &mut dyn Recorder,
    detail: &str,
) -> Result<(), RecordError> {
    sim.begin(recorder, detail)?;
    while !sim.is_finished() {
        sim.advance(recorder)?;
    }
    sim.finish(recorder)
}

/// Whether a folder path names a kept patient-arm run (for messages).
pub fn kept_dir(out: &Path, k: u64, arm: &str) -> std::path::PathBuf {
    out.join("patients")
        .join(format!("patient_{k:06}"))
        .join(arm)
}
