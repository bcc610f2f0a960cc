//! `immunosim-calibrate --help` answers at once instead of running a calibration.

use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn help_prints_usage_and_exits_0_without_calibrating() {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_immunosim-calibrate"))
        .arg("--help")
        .output()
        .expect("binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Usage: immunosim-calibrate"), "{stdout}");
    assert!(
        stdout.contains("EXAMPLES:") && stdout.contains("--grid"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("| target |"),
        "the calibration ran:\n{stdout}"
    );
    // A calibration takes minutes; help takes milliseconds (10 s leaves room for a
    // loaded machine).
    assert!(started.elapsed() < Duration::from_secs(10));
}
