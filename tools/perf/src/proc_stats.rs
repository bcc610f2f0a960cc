//! What the kernel says about this process: CPU time and resident memory (Linux
//! `/proc`; zeros elsewhere, and the tables then say 0).

use std::time::{Duration, Instant};

/// CPU time of every thread of this process so far, nanoseconds: the sum of the first
/// field of `/proc/self/task/*/schedstat` (nanosecond resolution, unlike the 10 ms
/// ticks of `/proc/self/stat`). Threads that have exited no longer count, so it is read
/// around work done by threads that live on (the rayon pool, the main thread).
pub fn cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// Fields `a` and `b` of `/proc/self/stat` (clock ticks of 1/100 s, the Linux
/// `USER_HZ`), summed, in seconds.
fn stat_seconds(a: usize, b: usize) -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) end at its closing ')'.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state).
    let ticks = |i: usize| fields.get(i - 3).and_then(|v| v.parse::<f64>().ok());
    (ticks(a).unwrap_or(0.0) + ticks(b).unwrap_or(0.0)) / 100.0
}

/// CPU time (user + system) of this whole process so far, seconds (`utime` + `stime`:
/// threads that have exited included, so it never falls; 10 ms resolution).
pub fn process_cpu_seconds() -> f64 {
    stat_seconds(14, 15)
}

/// CPU time (user + system) of this process's waited-for children so far, seconds
/// (`cutime` + `cstime`).
pub fn children_cpu_seconds() -> f64 {
    stat_seconds(16, 17)
}

/// A `/proc/self/status` field in kB, as bytes.
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

/// Current resident set size (VmRSS), bytes.
pub fn current_rss_bytes() -> u64 {
    status_bytes("VmRSS:")
}

/// Peak resident set size of this process (VmHWM), bytes.
pub fn peak_rss_bytes() -> u64 {
    status_bytes("VmHWM:")
}

/// The machine, for the tables: the CPU model of `/proc/cpuinfo`, its logical CPUs and
/// the memory of `/proc/meminfo`.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).trim().to_string())
        .unwrap_or_else(|| "unknown CPU".to_string());
    let cpus = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1048576.0);
    format!("{model}, {cpus} logical CPUs, {mem_gib:.0} GiB")
}

/// Wall and CPU time of repeated calls of one piece of work.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// Median wall time of one call, seconds.
    pub median_s: f64,
    /// Mean CPU time of one call over every thread, seconds.
    pub cpu_s: f64,
    /// Calls timed.
    pub reps: usize,
}

/// Times `work`: once untimed (warm-up, and the size of the repetition count), then as
/// many times as fit in `budget` (at least 5, at most 200).
pub fn time(budget: Duration, mut work: impl FnMut()) -> Timing {
    let started = Instant::now();
    work();
    let first = started.elapsed().as_secs_f64().max(1e-6);
    let reps = ((budget.as_secs_f64() / first) as usize).clamp(5, 200);
    let cpu_before = cpu_ns();
    let mut walls: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            work();
            t.elapsed().as_secs_f64()
        })
        .collect();
    let cpu_s = (cpu_ns().saturating_sub(cpu_before)) as f64 * 1e-9 / reps as f64;
    walls.sort_by(f64::total_cmp);
    Timing {
        median_s: median(&walls),
        cpu_s,
        reps,
    }
}

/// Median of sorted values (0 for none).
pub fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_timing_are_sane() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 9.0]), 3.0);
        let mut calls = 0;
        let timing = time(Duration::from_millis(1), || calls += 1);
        assert_eq!(calls, timing.reps + 1);
        assert!(timing.reps >= 5 && timing.median_s >= 0.0);
        if std::path::Path::new("/proc/self/task").exists() {
            let spin = time(Duration::from_millis(1), || {
                let t = Instant::now();
                while t.elapsed() < Duration::from_millis(2) {}
            });
            assert!(spin.cpu_s > 1e-3, "{spin:?}");
            assert!(machine().contains("logical CPUs"));
        }
    }
}
