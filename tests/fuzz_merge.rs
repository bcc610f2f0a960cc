//! Fuzzed shards: the two shards of a real cohort, with one of their files damaged as a
//! careless copy or a hostile edit would (a part, its economics, or a manifest: bytes flipped, lines
//! deleted, duplicated or cut, text inserted; the mutations of `fuzz.rs`), go through
//! `immunosim merge`: never a panic; either a refusal (exit 2) naming a file of the
//! shards, with `--out` untouched, or whole outputs (a damaged number that still reads
//! as a number cannot be told from a real one). Failing cases are kept in
//! `tests/fuzz_merge.proptest-regressions`.

use crate::fuzz::{apply, mutation};
use crate::support::*;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Two patients in two arms, a few days at a coarse resolution.
const COHORT: &str = "[scenario]\nname = \"shards\"\npreset = \"sle\"\ndays = 8\nburn_in_days = 10\nseed = 3\n\
    [resolution]\ncells_per_agent = 4e7\n[resolution.cells_per_agent_by_kind]\ncar_t = 2e6\n\
    [cohort]\npatients = 2\n\
    [economics]\ncurrency = \"USD\"\n\
    [[contracts]]\nname = \"held\"\noutcome = \"remission_held\"\nday = 5\nupfront_share = 1\nrebate_share = 0.5\n\
    [[variability]]\ntarget = \"patient.weight_kg\"\ndistribution = \"lognormal\"\ncv = 0.2\nlower = 40\nupper = 120\n\
    [[arms]]\nname = \"cd19\"\nprice_per_dose = 400000\n\
    [[arms.products]]\nname = \"CD19\"\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\n\
    [[arms]]\nname = \"soc\"\n";

/// The shards (`--shard 0/2`, `1/2`), kept for every case, and the files in them.
struct Shards {
    _tmp: tempfile::TempDir,
    dirs: [PathBuf; 2],
    /// Each file of the shards: (shard, path relative to it).
    files: Vec<(usize, PathBuf)>,
}

fn shards() -> &'static Shards {
    static SHARDS: OnceLock<Shards> = OnceLock::new();
    SHARDS.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let scenario = write(tmp.path(), "shards.toml", COHORT);
        let dirs = [tmp.path().join("s0"), tmp.path().join("s1")];
        for (i, dir) in dirs.iter().enumerate() {
            let shard = format!("{i}/2");
            let o = immunosim(
                &[
                    "cohort",
                    scenario.to_str().unwrap(),
                    "-q",
                    "--shard",
                    &shard,
                    "--out",
                    dir.to_str().unwrap(),
                ],
                &[],
            );
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let mut files = Vec::new();
        for (i, dir) in dirs.iter().enumerate() {
            files.push((i, PathBuf::from("cohort.toml")));
            let mut parts: Vec<PathBuf> = std::fs::read_dir(dir.join("parts"))
                .unwrap()
                .map(|e| Path::new("parts").join(e.unwrap().file_name()))
                .collect();
            parts.sort();
            files.extend(parts.into_iter().map(|p| (i, p)));
        }
        let economics = files
            .iter()
            .filter(|(_, p)| p.to_string_lossy().ends_with("_economics.csv"))
            .count();
        assert_eq!(economics, 2, "one economics part per patient: {files:?}");
        Shards {
            _tmp: tmp,
            dirs,
            files,
        }
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every output of a merge is a whole CSV: a final newline, every row as wide as the
/// header.
fn assert_whole(out: &Path) {
    for name in [
        "cohort.csv",
        "cohort_summary.csv",
        "survival.csv",
        "cohort_timeseries.csv",
        "economics.csv",
        "economics_summary.csv",
    ] {
        let text = std::fs::read_to_string(out.join(name)).unwrap();
        assert!(text.ends_with('\n'), "{name} is cut");
        let mut lines = text.lines();
        let width = lines.next().unwrap().split(',').count();
        for line in lines {
            assert_eq!(line.split(',').count(), width, "{name}: `{line}`");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("tests/fuzz_merge.proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn damaged_shards_merge_whole_or_are_refused_naming_the_file(
        pick in any::<usize>(),
        m in mutation(),
    ) {
        let s = shards();
        let (shard, file) = &s.files[pick % s.files.len()];
        let tmp = tempfile::tempdir().unwrap();
        let dirs = [tmp.path().join("s0"), tmp.path().join("s1")];
        for (from, to) in s.dirs.iter().zip(&dirs) {
            copy_dir(from, to);
        }
        let damaged = dirs[*shard].join(file);
        let before = std::fs::read(&damaged).unwrap();
        std::fs::write(&damaged, apply(&before, &m)).unwrap();
        let out = tmp.path().join("merged");
        let o = immunosim(
            &[
                "merge",
                dirs[0].to_str().unwrap(),
                dirs[1].to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        match o.status.code() {
            Some(0) => assert_whole(&out),
            Some(2) => {
                prop_assert!(stderr.starts_with("error: "), "{stderr}");
                let named = dirs.iter().any(|d| stderr.contains(&d.display().to_string()));
                prop_assert!(named, "names no file of the shards: {stderr}");
                prop_assert!(!out.exists(), "--out was touched: {stderr}");
            }
            other => prop_assert!(false, "exit {other:?}: {stderr}"),
        }
    }
}
