//! Whole runs for `immunosim-perf --bench`: a patient-year untreated and treated (each
//! in a child process, so that its peak memory is its own), what a shared burn-in saves
//! a cohort, a 16-patient cohort run by the `immunosim` binary, and the treated patient
//! at ~1e7 agents over two years (issue 16's memory target).

use crate::proc_stats::{children_cpu_seconds, peak_rss_bytes, process_cpu_seconds};
use immunosim_engine::recorder::Discard;
use immunosim_engine::simulation::Simulation;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The untreated patient of the patient-year (its file, embedded).
pub const UNTREATED: &str = include_str!("../../../scenarios/sle_untreated.toml");
/// The cohort of the cohort measurement (its file, embedded).
pub const COHORT: &str = include_str!("../../../scenarios/cohort_sle_cd19_vs_soc.toml");

/// Which whole runs to make and how large.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Recorded days of each patient-year (after its burn-in).
    pub days: f64,
    /// Burn-in days (`None`: the scenario's own, 365).
    pub burn_in_days: Option<f64>,
    /// Factor on every `cells_per_agent` (1: the default resolution).
    pub coarsen: f64,
    /// Patients of the cohort.
    pub patients: u64,
    /// Runs of each patient-year (interleaved); the median by CPU is reported.
    pub repeats: usize,
    /// Factor on `cells_per_agent` of the large treated run (Erlangen over two years
    /// at ~10^7 agents, issue 16's memory target); `None`: not run.
    pub large_coarsen: Option<f64>,
}

impl Plan {
    /// A patient-year at the default resolution; 16 patients.
    pub fn full() -> Plan {
        Plan {
            days: 365.0,
            burn_in_days: None,
            coarsen: 1.0,
            patients: 16,
            repeats: 3,
            // 5.75e4 host cells (CAR-T 1.15e4) per agent: ~10^7 agents at the start.
            large_coarsen: Some(0.115),
        }
    }

    /// Tiny (CI): 100× coarser, 20 + 20 days, 2 patients.
    pub fn quick() -> Plan {
        Plan {
            days: 20.0,
            burn_in_days: Some(20.0),
            coarsen: 100.0,
            patients: 2,
            repeats: 1,
            large_coarsen: None,
        }
    }

    /// The arguments that pass this plan to a child (`--whole`).
    fn child_args(&self) -> Vec<String> {
        let mut args = vec![
            "--days".to_string(),
            self.days.to_string(),
            "--coarsen".to_string(),
            self.coarsen.to_string(),
        ];
        if let Some(b) = self.burn_in_days {
            args.extend(["--burn-in-days".to_string(), b.to_string()]);
        }
        args
    }
}

/// One whole run: its agents and what it cost.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WholeRun {
    /// Living agents at the start.
    pub start_agents: u64,
    /// Most living agents at any boundary of the burn-in (the untreated patient).
    pub burn_in_peak_agents: u64,
    /// Most living agents at any boundary.
    pub peak_agents: u64,
    /// CPU of the burn-in steps, s.
    pub burn_in_cpu_s: f64,
    /// CPU of the whole run, s.
    pub cpu_s: f64,
    /// Wall time of the whole run, s.
    pub wall_s: f64,
    /// Peak resident memory of the process, bytes.
    pub peak_rss: u64,
}

impl WholeRun {
    /// As one line (what a child prints).
    pub fn line(&self) -> String {
        format!(
            "{} {} {} {} {} {} {}",
            self.start_agents,
            self.burn_in_peak_agents,
            self.peak_agents,
            self.burn_in_cpu_s,
            self.cpu_s,
            self.wall_s,
            self.peak_rss
        )
    }

    /// From [`WholeRun::line`].
    pub fn parse(line: &str) -> Option<WholeRun> {
        let f: Vec<&str> = line.split_whitespace().collect();
        Some(WholeRun {
            start_agents: f.first()?.parse().ok()?,
            burn_in_peak_agents: f.get(1)?.parse().ok()?,
            peak_agents: f.get(2)?.parse().ok()?,
            burn_in_cpu_s: f.get(3)?.parse().ok()?,
            cpu_s: f.get(4)?.parse().ok()?,
            wall_s: f.get(5)?.parse().ok()?,
            peak_rss: f.get(6)?.parse().ok()?,
        })
    }
}

/// Runs scenario `text` (burn-in and recorded days, as `immunosim run` steps them, the
/// outputs discarded) in this process.
pub fn whole_run(text: &str, days: f64, burn_in_days: Option<f64>, coarsen: f64) -> WholeRun {
    let scenario = immunosim_scenario::parse_str(text, "whole.toml").expect("valid scenario");
    let mut config = scenario.config;
    config.days = days;
    if let Some(b) = burn_in_days {
        config.burn_in_days = b;
    }
    config.cells_per_agent = config.cells_per_agent.map(|w| w * coarsen);
    let started = Instant::now();
    let cpu_before = process_cpu_seconds();
    let mut sim = Simulation::new(config);
    let burn_in_steps = sim.timeline().record_start;
    let mut run = WholeRun {
        start_agents: sim.census().living(),
        ..WholeRun::default()
    };
    run.burn_in_peak_agents = run.start_agents;
    let mut recorder = Discard;
    sim.begin(&mut recorder, "perf")
        .expect("discarding never fails");
    while !sim.is_finished() {
        sim.advance(&mut recorder).expect("discarding never fails");
        let living = sim.census().living();
        run.peak_agents = run.peak_agents.max(living);
        if sim.steps_taken() <= burn_in_steps {
            run.burn_in_peak_agents = run.burn_in_peak_agents.max(living);
        }
        if sim.steps_taken() == burn_in_steps {
            run.burn_in_cpu_s = process_cpu_seconds() - cpu_before;
        }
    }
    sim.finish(&mut recorder).expect("discarding never fails");
    run.cpu_s = process_cpu_seconds() - cpu_before;
    run.wall_s = started.elapsed().as_secs_f64();
    run.peak_rss = peak_rss_bytes();
    run
}

/// Runs `which` (`untreated`, `treated` or a scenario file) in a child process of this
/// executable.
fn child_run(which: &str, plan: &Plan) -> WholeRun {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe)
        .args(["--whole", which])
        .args(plan.child_args())
        .output()
        .expect("child run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    WholeRun::parse(&String::from_utf8_lossy(&out.stdout)).expect("a child's line")
}

/// The scenario text `which` names for `--whole`.
pub fn scenario_text(which: &str) -> String {
    match which {
        "untreated" => UNTREATED.to_string(),
        "treated" => immunosim_scenario::DEFAULT_SCENARIO.to_string(),
        // The same patient with the CAR-T weight held at its finest (no budget).
        "treated-fixed" => format!(
            "{}\n[resolution]\ncar_t_agent_budget = 0\n",
            immunosim_scenario::DEFAULT_SCENARIO
        ),
        path => std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}")),
    }
}

/// A cohort run by the `immunosim` binary: patients, wall time, CPU.
#[derive(Clone, Debug)]
pub struct CohortRun {
    /// Patients.
    pub patients: u64,
    /// Wall time, s.
    pub wall_s: f64,
    /// CPU of the process (user + system), s.
    pub cpu_s: f64,
}

/// The `immunosim` binary beside this executable (`cargo build --release` builds both).
fn immunosim_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.join("immunosim");
    path.exists().then_some(path)
}

/// Runs the cohort of [`COHORT`] with `plan.patients` patients for `plan.days` days
/// (coarsened and with the plan's burn-in, when set) in `dir`; `None` when the
/// `immunosim` binary is not built.
pub fn cohort(plan: &Plan, dir: &Path) -> Option<CohortRun> {
    let binary = immunosim_binary()?;
    let mut text = COHORT.to_string();
    if let Some(b) = plan.burn_in_days {
        text = text.replace("burn_in_days = 365", &format!("burn_in_days = {b}"));
    }
    if plan.coarsen != 1.0 {
        text += &format!(
            "\n[resolution]\ncells_per_agent = {:e}\n\n[resolution.cells_per_agent_by_kind]\ncar_t = {:e}\n",
            5e5 * plan.coarsen,
            1e5 * plan.coarsen
        );
    }
    std::fs::create_dir_all(dir).expect("bench folder");
    let file = dir.join("cohort.toml");
    std::fs::write(&file, text).expect("cohort file");
    let out = dir.join("out");
    let before = children_cpu_seconds();
    let started = Instant::now();
    let status = Command::new(binary)
        .arg("cohort")
        .arg(&file)
        .args(["--patients", &plan.patients.to_string()])
        .args(["--days", &plan.days.to_string(), "-q", "--force", "--out"])
        .arg(&out)
        .status()
        .expect("cohort run");
    assert!(status.success(), "the cohort run failed");
    Some(CohortRun {
        patients: plan.patients,
        wall_s: started.elapsed().as_secs_f64(),
        cpu_s: children_cpu_seconds() - before,
    })
}

/// The run of median CPU among `runs` (the lower middle one of an even number).
fn median_by_cpu(mut runs: Vec<WholeRun>) -> WholeRun {
    runs.sort_by(|a, b| a.cpu_s.total_cmp(&b.cpu_s));
    runs.swap_remove((runs.len() - 1) / 2)
}

/// The whole-run section: patient-years, shared burn-in, cohort, peaks of `extra`
/// scenarios; as Markdown.
pub fn section(plan: &Plan, extra: &[String], dir: &Path) -> String {
    let kinds = ["untreated", "treated", "treated-fixed"];
    let mut runs: Vec<Vec<WholeRun>> = vec![Vec::new(); kinds.len()];
    for _ in 0..plan.repeats.max(1) {
        for (which, list) in kinds.iter().zip(&mut runs) {
            list.push(child_run(which, plan));
        }
    }
    let [untreated, treated, fixed]: [WholeRun; 3] = runs
        .into_iter()
        .map(median_by_cpu)
        .collect::<Vec<_>>()
        .try_into()
        .expect("three kinds");
    let mib = |b: u64| b as f64 / 1048576.0;
    let mut t = String::new();
    t += &format!(
        "| patient-year ({} d burn-in + {} d) | agents at start | peak agents (after burn-in / in burn-in) | CPU | of which burn-in | wall | peak RSS |\n|---|---|---|---|---|---|---|\n",
        plan.burn_in_days.unwrap_or(365.0),
        plan.days
    );
    for (name, r) in [
        ("untreated SLE", &untreated),
        ("Erlangen CD19 (adaptive CAR-T weight)", &treated),
        ("Erlangen CD19 (fixed CAR-T weight)", &fixed),
    ] {
        t += &format!(
            "| {name} | {} | {} ({:.2}×) | {:.2} s | {:.2} s | {:.2} s | {:.0} MiB |\n",
            r.start_agents,
            r.peak_agents,
            r.peak_agents as f64 / r.burn_in_peak_agents as f64,
            r.cpu_s,
            r.burn_in_cpu_s,
            r.wall_s,
            mib(r.peak_rss)
        );
    }
    let arm = |r: &WholeRun| r.cpu_s - r.burn_in_cpu_s;
    t += &format!(
        "\nMedians of {} interleaved runs by CPU. Treated / untreated patient-year CPU: {:.2}× (the recorded year alone: {:.2}×); at the fixed CAR-T weight {:.2}× ({:.2}×).\n",
        plan.repeats.max(1),
        treated.cpu_s / untreated.cpu_s,
        arm(&treated) / arm(&untreated),
        fixed.cpu_s / untreated.cpu_s,
        arm(&fixed) / arm(&untreated)
    );
    let burn_in = 0.5 * (treated.burn_in_cpu_s + untreated.burn_in_cpu_s);
    let separate = 2.0 * burn_in + arm(&treated) + arm(&untreated);
    t += &format!(
        "A shared burn-in (2 arms, one burn-in per patient): {:.1} CPU-s per patient instead of {:.1}, {:.0}% saved.\n",
        separate - burn_in,
        separate,
        100.0 * burn_in / separate
    );
    match cohort(plan, dir) {
        Some(c) => {
            t += &format!(
                "\n{}-patient, 2-arm cohort (`{}`): {:.1} s wall, {:.1} CPU-s ({:.1} CPU-s per patient-arm); 100 patients at that rate: {:.1} min wall.\n",
                c.patients,
                "cohort_sle_cd19_vs_soc.toml",
                c.wall_s,
                c.cpu_s,
                c.cpu_s / (2 * c.patients) as f64,
                c.wall_s * 100.0 / c.patients as f64 / 60.0
            );
        }
        None => {
            t += "\n(cohort skipped: build the `immunosim` binary with `cargo build --release`)\n"
        }
    }
    if let Some(coarsen) = plan.large_coarsen {
        let large = Plan {
            days: 730.0,
            burn_in_days: None,
            coarsen,
            ..plan.clone()
        };
        let r = child_run("treated", &large);
        let per = |agents: u64| r.peak_rss as f64 / agents as f64;
        t += &format!(
            "\nErlangen CD19 at {:.3e} cells per agent (CAR-T {:.3e}), 365 d burn-in + 730 d: {} agents at the start, {} at most in burn-in, {} at most after; {:.1} CPU-s, {:.1} s wall; peak RSS {:.0} MiB = {:.1} B per agent at the start ({:.1} B per agent of the burn-in's peak).\n",
            5e5 * coarsen,
            1e5 * coarsen,
            r.start_agents,
            r.burn_in_peak_agents,
            r.peak_agents,
            r.cpu_s,
            r.wall_s,
            mib(r.peak_rss),
            per(r.start_agents),
            per(r.burn_in_peak_agents)
        );
    }
    if !extra.is_empty() {
        t += "\n| scenario | agents at start | peak in burn-in | peak after | peak / untreated | CPU |\n|---|---|---|---|---|---|\n";
        for path in extra {
            let run = child_run(path, plan);
            t += &format!(
                "| {} | {} | {} | {} | {:.2}× | {:.1} s |\n",
                Path::new(path)
                    .file_stem()
                    .map_or(path.as_str(), |s| s.to_str().unwrap_or(path)),
                run.start_agents,
                run.burn_in_peak_agents,
                run.peak_agents,
                run.peak_agents as f64 / run.burn_in_peak_agents as f64,
                run.cpu_s
            );
        }
    }
    t
}
