//! Where a run came from: the build's commit, the command line and the start time,
//! for `run.toml` only (the CSVs must not depend on when or how a run was started).

use immunosim_scenario::Provenance;

/// The git commit of this build (see build.rs).
pub const COMMIT: &str = env!("IMMUNOSIM_COMMIT");

/// This process's provenance, read once at the start of a run or resume.
pub fn current() -> Provenance {
    Provenance {
        commit: COMMIT.to_string(),
        command: command_line(std::env::args_os()),
        started: now_utc(),
    }
}

/// The arguments as one line a POSIX shell would split back into them: an argument
/// with anything but letters, digits and `-_./=:,+@%` is single-quoted.
fn command_line(args: impl Iterator<Item = std::ffi::OsString>) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    args.map(|a| {
        let a = a.to_string_lossy().into_owned();
        if !a.is_empty() && a.chars().all(plain) {
            a
        } else {
            format!("'{}'", a.replace('\'', r"'\''"))
        }
    })
    .collect::<Vec<_>>()
    .join(" ")
}

/// The wall clock now, UTC, as RFC 3339 (`2026-12-01T12:31:00Z`).
fn now_utc() -> String {
    // The one read of the wall clock: provenance in run.toml, never an input to the
    // simulation (clippy.toml forbids it elsewhere).
    #[allow(clippy::disallowed_methods)]
    let now = std::time::SystemTime::now();
    match now.duration_since(std::time::UNIX_EPOCH) {
        Ok(since) => rfc3339(since.as_secs()),
        Err(_) => "unknown".to_string(),
    }
}

/// Seconds since 1970-01-01T00:00:00Z as RFC 3339 (days to a civil date after
/// Howard Hinnant's `civil_from_days`).
fn rfc3339(seconds: u64) -> String {
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_command_lines() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_796_128_260), "2026-12-01T12:31:00Z");
        let args = ["immunosim", "run", "my scenario.toml", "--out", "it's"];
        let line = command_line(args.iter().map(std::ffi::OsString::from));
        assert_eq!(line, r"immunosim run 'my scenario.toml' --out 'it'\''s'");
    }
}
