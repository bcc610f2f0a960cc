//! Memory: the check before a run (refuse what would not fit, and say what would) and
//! the guard during it (stop cleanly, at the end of a step, when the agents outgrow
//! what the limit holds, rather than meet the kernel's OOM killer).

use immunosim_engine::census::Census;
use immunosim_engine::config::RunConfig;
use immunosim_engine::memory;
use immunosim_model::cell::Kind;
use immunosim_scenario::Scenario;

/// The memory a run may use, fixed when it starts: `--max-memory`, or the memory
/// available then.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Allowance {
    /// Bytes.
    pub limit: f64,
    /// Where the limit comes from, for messages (`--max-memory`, ...).
    pub what: &'static str,
}

/// The runtime guard: the allowance, the run's agents when it started (what grew is
/// told against them) and at the last step boundary (how fast they grow).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Guard {
    /// The limit.
    pub allowance: Allowance,
    /// CAR-T agents at the start.
    pub car_t_at_start: u64,
    /// Other agents at the start.
    pub others_at_start: u64,
    /// Agents at the last boundary checked.
    pub last: u64,
}

fn gib(bytes: f64) -> f64 {
    bytes / 1024.0 / 1024.0 / 1024.0
}

/// A size for messages: MiB below a GiB, else GiB.
pub fn size(bytes: f64) -> String {
    if bytes < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.0} MiB", bytes / 1024.0 / 1024.0)
    } else {
        format!("{:.2} GiB", gib(bytes))
    }
}

/// Parses a size such as `512M`, `8G`, `1.5G` or a number of bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (number, unit) = t.split_at(t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len()));
    let scale = match unit
        .to_ascii_uppercase()
        .trim_end_matches("IB")
        .trim_end_matches('B')
    {
        "" => 1.0,
        "K" => 1024.0,
        "M" => 1024.0 * 1024.0,
        "G" => 1024.0 * 1024.0 * 1024.0,
        "T" => 1024.0_f64.powi(4),
        _ => return Err(format!("unknown unit `{unit}` (use K, M, G or T)")),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a size such as 512M or 8G"))?;
    if !(value.is_finite() && value > 0.0) {
        return Err(format!("`{text}` must be a positive size"));
    }
    Ok((value * scale) as u64)
}

/// The limit of `--max-memory`, or else MemAvailable, or the room left under the
/// process's memory cgroup limits where that is less (None where MemAvailable cannot be
/// read).
fn limit(max_memory: Option<u64>) -> Option<(f64, &'static str)> {
    if let Some(bytes) = max_memory {
        return Some((bytes as f64, "--max-memory"));
    }
    let available = available_memory_bytes()?;
    Some(match crate::cgroup_memory::headroom_bytes() {
        Some(room) if room < available => (room, "memory its cgroup's limit leaves"),
        _ => (available, "available memory (MemAvailable)"),
    })
}

/// Refuses a run whose estimated peak memory exceeds the limit (`--max-memory`, or the
/// memory available now), naming the `cells_per_agent` that would fit; returns the
/// allowance the run's guard then holds it to.
pub fn check_memory(
    scenario: &Scenario,
    max_memory: Option<u64>,
) -> Result<Option<Allowance>, String> {
    let Some((limit, what)) = limit(max_memory) else {
        return Ok(None);
    };
    let config = &scenario.config;
    let estimate = memory::estimate_peak_bytes(config);
    if estimate <= limit {
        return Ok(Some(Allowance { limit, what }));
    }
    let advice = match memory::cells_per_agent_to_fit(config, limit) {
        Some(w) if w <= memory::CONVERGED_CELLS_PER_AGENT => {
            format!("set [resolution] cells_per_agent = {w:.3e} or more to fit")
        }
        Some(w) => format!(
            "set [resolution] cells_per_agent = {w:.3e} or more to fit, at a cost: beyond {:.0e} \
             results are not converged (a lupus patient can fall into the quiescent state; \
             docs/model.md §2), so give the run more memory if you can",
            memory::CONVERGED_CELLS_PER_AGENT
        ),
        None => "the limit is below the fixed cost of a run and its CAR-T agents at the \
                 peak (lower [resolution] car_t_agent_budget)"
            .to_string(),
    };
    Err(format!(
        "this run needs about {} ({:.0} agents at the start and up to {:.0} with births and the \
         disease's growth, {:.0} CAR-T agents at the peak of expansion, ~{} bytes each), more \
         than the {what} of {}; {advice}",
        size(estimate),
        memory::initial_agents(config),
        memory::host_agents_at_peak(config),
        memory::peak_car_t_agents(config),
        memory::BYTES_PER_AGENT,
        size(limit),
    ))
}

/// How many patients of a cohort fit at a time in the limit (`--max-memory`, or the
/// memory available now; `usize::MAX` without a limit): each holds its burned-in
/// checkpoint and runs one arm at a time, the largest of `arms` at the peak. With the
/// number, what it was worked out from (for a notice when it holds fewer patients than
/// there are threads). Refuses a cohort of which one patient alone would not fit.
pub fn cohort_fit(arms: &[&RunConfig], max_memory: Option<u64>) -> Result<(usize, String), String> {
    let Some((limit, what)) = limit(max_memory) else {
        return Ok((usize::MAX, String::new()));
    };
    let per_patient = arms
        .iter()
        .map(|c| {
            memory::estimate_peak_bytes(c) - memory::FIXED_BYTES
                + memory::initial_agents(c) * memory::CHECKPOINT_BYTES_PER_AGENT
        })
        .fold(0.0, f64::max);
    let fit = ((limit - memory::FIXED_BYTES) / per_patient).floor();
    if fit >= 1.0 {
        let basis = format!(
            "each about {} with its burned-in checkpoint, the {what} of {}",
            size(per_patient),
            size(limit)
        );
        // `as` saturates: a limit far above the patients is usize::MAX of them.
        return Ok((fit as usize, basis));
    }
    Err(format!(
        "one patient of this cohort needs about {} (about {} with its burned-in checkpoint, \
         beside the program's {}), more than the {what} of {}; set a coarser [resolution] \
         cells_per_agent, or give a larger --max-memory",
        size(memory::FIXED_BYTES + per_patient),
        size(per_patient),
        size(memory::FIXED_BYTES),
        size(limit)
    ))
}

/// The allowance of a resumed run: its agents now must fit in the limit.
pub fn resume_allowance(
    census: &Census,
    max_memory: Option<u64>,
) -> Result<Option<Allowance>, String> {
    let Some((limit, what)) = limit(max_memory) else {
        return Ok(None);
    };
    let needed = bytes_for(census.living());
    if needed > limit {
        return Err(format!(
            "the run holds {} agents, about {}, more than the {what} of {}; \
             give `immunosim resume` a larger --max-memory",
            census.living(),
            size(needed),
            size(limit)
        ));
    }
    Ok(Some(Allowance { limit, what }))
}

/// Estimated resident bytes of a run holding `agents` agents.
fn bytes_for(agents: u64) -> f64 {
    memory::FIXED_BYTES + agents as f64 * memory::BYTES_PER_AGENT
}

impl Guard {
    /// The guard of a run that stands at `census` now.
    pub fn new(allowance: Allowance, census: &Census) -> Guard {
        let car_t = census.car_t_agents();
        Guard {
            allowance,
            car_t_at_start: car_t,
            others_at_start: census.living() - car_t,
            last: census.living(),
        }
    }

    /// `None` while the run's agents fit, and would still fit after one more step
    /// growing as the last one did (a CAR-T expansion can double its pool in a day:
    /// stopping only once over the limit could be too late); otherwise why the run
    /// must stop now and what to set: what grew (the CAR-T agents or the others), the
    /// estimate against the limit, and the CAR-T `cells_per_agent` that would hold
    /// the pool.
    pub fn exceeded(&mut self, census: &Census, config: &RunConfig, day: f64) -> Option<String> {
        let Allowance { limit, what } = self.allowance;
        let agents = census.living();
        let growth = (agents as f64 / self.last.max(1) as f64).max(1.0);
        self.last = agents;
        let next = (agents as f64 * growth).ceil() as u64;
        let needed = bytes_for(next);
        if needed <= limit {
            return None;
        }
        let (car_t, others) = (census.car_t_agents(), agents - census.car_t_agents());
        let grew = if car_t.saturating_sub(self.car_t_at_start)
            >= others.saturating_sub(self.others_at_start)
        {
            let weight = census.weights(config).get(Kind::CarT);
            let room = (limit - bytes_for(others)) / memory::BYTES_PER_AGENT / growth;
            let base = config.base_weight(Kind::CarT);
            let fit = if room >= 1.0 {
                let coarser = format!(
                    "set [resolution.cells_per_agent_by_kind] car_t = {:.2e} or more (now {base:.2e}; \
                     that holds tomorrow's pool at this growth, and it may grow further)",
                    weight * car_t as f64 / room
                );
                if config.car_t_agent_budget > 0 {
                    format!(
                        "set [resolution] car_t_agent_budget = {:.0} or less (now {}), or {coarser}",
                        room / memory::CAR_T_BUDGET_OVERSHOOT,
                        config.car_t_agent_budget
                    )
                } else {
                    coarser
                }
            } else {
                "set a coarser [resolution] cells_per_agent".to_string()
            };
            format!(
                "the CAR-T cells grew to {car_t} agents ({:.2e} cells; {} agents at the start) \
                 beside {others} other agents; {fit}",
                car_t as f64 * weight,
                self.car_t_at_start
            )
        } else {
            format!(
                "the agents other than CAR-T cells grew to {others} ({} at the start); \
                 set a coarser [resolution] cells_per_agent",
                self.others_at_start
            )
        };
        Some(format!(
            "the run was stopped on day {day}: its {agents} agents (x{growth:.2} in the last step) \
             would need about {} (~{} bytes each) after the next step, more than the {what} of {}: \
             {grew}, or give a larger --max-memory",
            size(needed),
            memory::BYTES_PER_AGENT,
            size(limit)
        ))
    }
}

/// This process's peak resident memory so far (VmHWM of /proc/self/status), bytes.
pub fn peak_resident_bytes() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    kilobytes(&status, "VmHWM:")
}

fn kilobytes(text: &str, key: &str) -> Option<f64> {
    let kb: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix(key))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024.0)
}

/// MemAvailable from /proc/meminfo, bytes (None where it cannot be read).
fn available_memory_bytes() -> Option<f64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    kilobytes(&meminfo, "MemAvailable:")
}
