//! `immunosim-perf --help` answers at once instead of running the benchmark.

use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn help_prints_usage_and_exits_0_without_measuring() {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_immunosim-perf"))
        .arg("--help")
        .output()
        .expect("binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Usage: immunosim-perf"), "{stdout}");
    assert!(
        stdout.contains("EXAMPLES:") && stdout.contains("--sizes"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("| agents (start)"),
        "the benchmark ran:\n{stdout}"
    );
    // A benchmark run takes minutes; help takes milliseconds (10 s leaves room for a
    // loaded machine).
    assert!(started.elapsed() < Duration::from_secs(10));
}
