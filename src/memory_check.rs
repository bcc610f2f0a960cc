//! The memory check before a run: refuse what would not fit, and say what would.

use immunosim_scenario::Scenario;

/// Refuses a run whose estimated peak memory exceeds the limit (`--max-memory`, or the
/// memory available now), naming the `cells_per_agent` that would fit.
pub fn check_memory(scenario: &Scenario, max_memory: Option<u64>) -> Result<(), String> {
    use immunosim_engine::memory;
    let (limit, what) = match max_memory {
        Some(bytes) => (bytes as f64, "--max-memory"),
        None => match available_memory_bytes() {
            Some(bytes) => (bytes, "available memory (MemAvailable)"),
            None => return Ok(()),
        },
    };
    let config = &scenario.config;
    let estimate = memory::estimate_peak_bytes(config);
    if estimate <= limit {
        return Ok(());
    }
    let gib = |b: f64| b / 1024.0 / 1024.0 / 1024.0;
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
        None => "the limit is below the fixed cost of a run".to_string(),
    };
    Err(format!(
        "this run needs about {:.2} GiB ({:.0} agents at ~{} bytes each, with {}% headroom for births), \
         more than the {what} of {:.2} GiB; {advice}",
        gib(estimate),
        memory::initial_agents(config),
        memory::BYTES_PER_AGENT,
        ((memory::GROWTH_HEADROOM - 1.0) * 100.0).round(),
        gib(limit),
    ))
}

/// MemAvailable from /proc/meminfo, bytes (None where it cannot be read).
fn available_memory_bytes() -> Option<f64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb: f64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024.0)
}
