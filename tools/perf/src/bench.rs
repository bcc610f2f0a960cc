//! The step measurements of `immunosim-perf --bench`, all in this one process so that
//! their ratios are taken side by side: the quiet step against the reference loop and a
//! dry scan at each size, agent events per step by kind and the CPU each costs, the
//! churn-heavy and CAR-T expansion steps against the quiet one, and 1 against 2
//! threads. Every figure is a median over repeated steps of a warmed world (the
//! criterion benches of `benches/step.rs` time the same steps).

use crate::proc_stats::{Timing, time};
use immunosim_engine::simulation::{CHUNK_ROWS, Simulation};
use immunosim_engine::yardstick::reference_loop;
use immunosim_model::{Cell, Population};
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Duration;

/// Sizes and time budgets of one bench run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Agents of the quiet-step worlds, smallest first.
    pub sizes: Vec<f64>,
    /// Agents of the churn, CAR-T expansion and thread-count worlds.
    pub mid: f64,
    /// Time to spend on each timed piece of work (it sets the repetitions).
    pub budget: Duration,
}

impl Plan {
    /// The full picture: 1e5, 1e6, 1e7; the other steps at 1e6.
    pub fn full() -> Plan {
        Plan {
            sizes: vec![1e5, 1e6, 1e7],
            mid: 1e6,
            budget: Duration::from_secs(2),
        }
    }

    /// Tiny sizes: keeps the command from rotting (CI), says nothing about speed.
    pub fn quick() -> Plan {
        Plan {
            sizes: vec![1e4, 3e4],
            mid: 2e4,
            budget: Duration::from_millis(20),
        }
    }
}

/// The untreated SLE patient of about `agents` agents, warmed by 3 steps; `extra` is
/// appended to the scenario (the same world as `benches/step.rs`).
pub fn warmed(agents: f64, extra: &str) -> Simulation {
    let text = format!("[scenario]\npreset = \"sle\"\nburn_in_days = 0\ndays = 30\n{extra}");
    let scenario = immunosim_scenario::parse_str(&text, "bench.toml").expect("valid scenario");
    let mut config = scenario.config;
    immunosim_engine::memory::scale_to_agents(&mut config, agents);
    let mut sim = Simulation::new(config);
    for _ in 0..3 {
        sim.step();
    }
    sim
}

/// T-cell half-lives at their allowed minimum: ~7% of agents die and are born each step.
pub const CHURN: &str = "[parameters.t_cells]\nnaive_cd4_half_life_years = 0.05\n\
    naive_cd8_half_life_years = 0.05\nmemory_cd4_half_life_years = 0.01\n\
    memory_cd8_half_life_years = 0.01\n";

/// Reads every row and counts it by population and site, as the cell pass does for a
/// quiet row: the step's scan without its events.
pub fn dry_scan(cells: &[Cell]) -> u64 {
    cells
        .par_chunks(CHUNK_ROWS)
        .map(|chunk| {
            let mut counts = [[0u32; Population::COUNT]; 64];
            for cell in chunk {
                counts[usize::from(cell.site) & 63][cell.population.index()] += 1;
            }
            counts.iter().flatten().map(|&n| u64::from(n)).sum::<u64>()
        })
        .sum()
}

/// Groups of populations whose agent events are reported apart.
pub const EVENT_KINDS: [(&str, &[Population]); 7] = [
    ("germinal-centre B", &[Population::BGerminalCentre]),
    ("activated B", &[Population::BActivated]),
    ("plasmablast", &[Population::Plasmablast]),
    ("pre-B (candidates)", &[Population::BPrecursor]),
    (
        "other quiet candidates",
        &[
            Population::BTransitional,
            Population::BNaive,
            Population::BMemory,
            Population::PlasmaCell,
            Population::Cd4Naive,
            Population::Cd4Memory,
            Population::Cd4Tfh,
            Population::Cd4Treg,
            Population::Cd8Naive,
            Population::Cd8Memory,
        ],
    ),
    (
        "CAR-T",
        &[
            Population::CarStemLike,
            Population::CarCentralMemory,
            Population::CarEffectorMemory,
            Population::CarEffector,
            Population::CarExhausted,
        ],
    ),
    ("(none)", &[Population::Dead]),
];

/// One size of the quiet step.
#[derive(Clone, Debug)]
pub struct SizeRow {
    /// Living agents at the start of the timed steps.
    pub agents: u64,
    /// Rows of the table (living and free).
    pub rows: usize,
    /// The full step.
    pub step: Timing,
    /// The reference loop over a copy of the rows.
    pub reference: Timing,
    /// The dry scan of the rows.
    pub scan: Timing,
    /// Agent events (rows through the rules) per step, by [`EVENT_KINDS`] group.
    pub events: [f64; EVENT_KINDS.len()],
}

impl SizeRow {
    /// Agent events per step.
    pub fn events_total(&self) -> f64 {
        self.events.iter().sum()
    }

    /// CPU per agent event, ns: the step's CPU beyond its dry scan, per event.
    pub fn ns_per_event(&self) -> f64 {
        (self.step.cpu_s - self.scan.cpu_s).max(0.0) * 1e9 / self.events_total().max(1.0)
    }
}

/// Times steps of `sim` and counts their events by kind.
fn time_steps(sim: &mut Simulation, budget: Duration) -> (Timing, [f64; EVENT_KINDS.len()]) {
    let mut events = [0.0; EVENT_KINDS.len()];
    let mut steps = 0.0;
    let timing = time(budget, || {
        sim.step();
        let stepped = sim.rows_stepped_by_population();
        for (total, (_, populations)) in events.iter_mut().zip(EVENT_KINDS) {
            *total += populations
                .iter()
                .map(|p| stepped[p.index()] as f64)
                .sum::<f64>();
        }
        steps += 1.0;
    });
    (timing, events.map(|e| e / steps))
}

/// The quiet step, reference loop and dry scan of the untreated patient at `agents`.
pub fn size_row(agents: f64, budget: Duration) -> SizeRow {
    let mut sim = warmed(agents, "");
    let living = sim.census().living();
    let (step, events) = time_steps(&mut sim, budget);
    let mut flat: Vec<Cell> = sim.cells().to_vec();
    drop(sim);
    let scan = time(budget, || {
        black_box(dry_scan(black_box(&flat)));
    });
    let mut n = 0;
    let reference = time(budget, || {
        n += 1;
        black_box(reference_loop(&mut flat, n));
    });
    SizeRow {
        agents: living,
        rows: flat.len(),
        step,
        reference,
        scan,
        events,
    }
}

/// A step of a patient whose CAR-T cells are expanding: the default Erlangen scenario
/// with a 10-day burn-in at about `agents` agents, timed over days 6 to 12 after the
/// infusion (one step each); also returns its living agents on day 12.
pub fn car_t_expansion(agents: f64) -> (Timing, u64) {
    let scenario =
        immunosim_scenario::parse_str(immunosim_scenario::DEFAULT_SCENARIO, "erlangen.toml")
            .expect("the default scenario is valid");
    let mut config = scenario.config;
    config.burn_in_days = 10.0;
    config.days = 20.0;
    immunosim_engine::memory::scale_to_agents(&mut config, agents);
    let mut sim = Simulation::new(config);
    while sim.day() < 6.0 {
        sim.step();
    }
    let steps = (12.0 - sim.day()).round().max(1.0) as usize;
    let cpu_before = crate::proc_stats::cpu_ns();
    let mut walls: Vec<f64> = (0..steps)
        .map(|_| {
            let t = std::time::Instant::now();
            sim.step();
            t.elapsed().as_secs_f64()
        })
        .collect();
    let cpu_s = crate::proc_stats::cpu_ns().saturating_sub(cpu_before) as f64 * 1e-9 / steps as f64;
    walls.sort_by(f64::total_cmp);
    let timing = Timing {
        median_s: crate::proc_stats::median(&walls),
        cpu_s,
        reps: steps,
    };
    (timing, sim.census().living())
}

/// Everything the step section measures.
#[derive(Clone, Debug)]
pub struct StepReport {
    /// The quiet step by size.
    pub sizes: Vec<SizeRow>,
    /// The quiet step at `Plan::mid` (a fresh world of the churn's size).
    pub quiet_mid: Timing,
    /// The churn-heavy step at `Plan::mid`.
    pub churn: Timing,
    /// The CAR-T expansion step at `Plan::mid`, and its agents.
    pub car_t: (Timing, u64),
    /// The quiet step at `Plan::mid` on a 1-thread and on a 2-thread pool.
    pub threads: [Timing; 2],
}

/// Runs the step section.
pub fn run(plan: &Plan) -> StepReport {
    let sizes = plan
        .sizes
        .iter()
        .map(|&n| size_row(n, plan.budget))
        .collect();
    let mut quiet = warmed(plan.mid, "");
    let quiet_mid = time_steps(&mut quiet, plan.budget).0;
    let mut churn = warmed(plan.mid, CHURN);
    let churn = time_steps(&mut churn, plan.budget).0;
    let car_t = car_t_expansion(plan.mid);
    let threads = [1, 2].map(|n| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .expect("thread pool");
        pool.install(|| time(plan.budget, || quiet.step()))
    });
    StepReport {
        sizes,
        quiet_mid,
        churn,
        car_t,
        threads,
    }
}

/// The step section as Markdown tables.
pub fn tables(report: &StepReport, mid: f64) -> String {
    let mut t = String::new();
    t += "| agents | rows | quiet step (median) | reference loop | ratio | dry scan | events per step | CPU per event |\n";
    t += "|---|---|---|---|---|---|---|---|\n";
    for r in &report.sizes {
        t += &format!(
            "| {} | {} | {} ({:.2} ns/row, {} steps) | {} | {:.1}× | {} | {:.0} ({:.1}% of agents) | {:.1} ns |\n",
            r.agents,
            r.rows,
            ms(r.step.median_s),
            r.step.median_s * 1e9 / r.rows as f64,
            r.step.reps,
            ms(r.reference.median_s),
            r.step.median_s / r.reference.median_s,
            ms(r.scan.median_s),
            r.events_total(),
            100.0 * r.events_total() / r.agents as f64,
            r.ns_per_event(),
        );
    }
    if let Some(largest) = report.sizes.last() {
        t += &format!(
            "\nAgent events per step at {} agents, by kind:\n\n",
            largest.agents
        );
        t += "| kind | events per step | share of agents |\n|---|---|---|\n";
        for ((name, _), n) in EVENT_KINDS.iter().zip(largest.events) {
            if n > 0.0 {
                t += &format!(
                    "| {name} | {n:.0} | {:.2}% |\n",
                    100.0 * n / largest.agents as f64
                );
            }
        }
    }
    let q = report.quiet_mid.median_s;
    let [one, two] = report.threads;
    t += &format!(
        "\n| step at ~{mid:.0e} agents | median | against the quiet step |\n|---|---|---|\n"
    );
    t += &format!("| quiet (untreated SLE) | {} | 1 |\n", ms(q));
    t += &format!(
        "| churn-heavy (T-cell half-lives at their minimum) | {} | {:.2}× |\n",
        ms(report.churn.median_s),
        report.churn.median_s / q
    );
    t += &format!(
        "| CAR-T expansion (Erlangen, days 6-12; {} agents on day 12) | {} | {:.2}× |\n",
        report.car_t.1,
        ms(report.car_t.0.median_s),
        report.car_t.0.median_s / q
    );
    t += &format!("| quiet, 1 thread | {} | |\n", ms(one.median_s));
    t += &format!(
        "| quiet, 2 threads | {} | {:.2}× faster than 1 thread |\n",
        ms(two.median_s),
        one.median_s / two.median_s
    );
    t
}

/// Seconds as milliseconds, 3 significant digits.
fn ms(seconds: f64) -> String {
    let ms = seconds * 1e3;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}
