//! The room left under this process's memory cgroup limits: under a Slurm job's `--mem`
//! or a container's limit, MemAvailable is the machine's, not what the process may use.

use std::path::Path;

/// Where the cgroup file systems are mounted.
const ROOT: &str = "/sys/fs/cgroup";

/// The least room left (limit − usage, bytes) under a memory limit of this process's
/// cgroup or of any cgroup above it; `None` without a limit or where the files cannot be
/// read.
pub fn headroom_bytes() -> Option<f64> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    least_headroom(Path::new(ROOT), &own)
}

/// [`headroom_bytes`] for the cgroup file systems under `root` and the process's cgroups
/// `own` (the text of /proc/self/cgroup): cgroup v2 (`0::/path`, `memory.max` and
/// `memory.current`) and v1's memory controller (`N:memory:/path`,
/// `memory.limit_in_bytes` and `memory.usage_in_bytes`), from the process's own cgroup
/// up to the root.
fn least_headroom(root: &Path, own: &str) -> Option<f64> {
    let mut least: Option<f64> = None;
    for line in own.lines() {
        let mut fields = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let (base, limit, usage) = if controllers.is_empty() {
            (root.to_path_buf(), "memory.max", "memory.current")
        } else if controllers.split(',').any(|c| c == "memory") {
            (
                root.join("memory"),
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
            )
        } else {
            continue;
        };
        let mut dir = base.join(path.trim_start_matches('/'));
        loop {
            if let Some(room) = room(&dir.join(limit), &dir.join(usage)) {
                least = Some(least.map_or(room, |l| l.min(room)));
            }
            if dir == base || !dir.pop() {
                break;
            }
        }
    }
    least
}

/// Limit − usage from a cgroup's two files; `None` when either cannot be read or the
/// limit is none (v2's `max`, v1's page-rounded 2^63).
fn room(limit: &Path, usage: &Path) -> Option<f64> {
    let limit: f64 = std::fs::read_to_string(limit).ok()?.trim().parse().ok()?;
    if limit >= 2f64.powi(62) {
        return None;
    }
    let usage: f64 = std::fs::read_to_string(usage).ok()?.trim().parse().ok()?;
    Some((limit - usage).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::least_headroom;
    use std::path::Path;

    fn write(root: &Path, dir: &str, files: &[(&str, &str)]) {
        let dir = root.join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }

    #[test]
    fn the_tightest_limit_from_the_own_cgroup_up_counts() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        // v2: a job limit of 1,000,000 bytes with 400,000 used, a task cgroup under it
        // without a limit of its own.
        write(
            root,
            "job",
            &[("memory.max", "1000000\n"), ("memory.current", "400000\n")],
        );
        write(
            root,
            "job/task",
            &[("memory.max", "max\n"), ("memory.current", "100\n")],
        );
        assert_eq!(least_headroom(root, "0::/job/task\n"), Some(600_000.0));
        // v1: unlimited (2^63 rounded to pages) in the own cgroup, 5,000 left above it.
        write(
            root,
            "memory/a",
            &[
                ("memory.limit_in_bytes", "9223372036854771712\n"),
                ("memory.usage_in_bytes", "3269881856\n"),
            ],
        );
        assert_eq!(least_headroom(root, "4:memory:/a\n3:cpu:/\n"), None);
        write(
            root,
            "memory",
            &[
                ("memory.limit_in_bytes", "10000\n"),
                ("memory.usage_in_bytes", "5000\n"),
            ],
        );
        assert_eq!(
            least_headroom(root, "5:cpuset:/\n4:cpuacct,memory:/a\n"),
            Some(5_000.0)
        );
        // No memory cgroup, or no files: no limit.
        assert_eq!(least_headroom(root, "3:cpu:/\n"), None);
        assert_eq!(least_headroom(&root.join("absent"), "0::/x\n"), None);
    }
}
