//! Fuzzed checkpoints: a real checkpoint, damaged (bytes flipped, inserted or cut,
//! header lengths replaced by hostile ones), goes through the decoder (in-process,
//! with the checksum recomputed in half the cases so that the body and the cell rows
//! themselves are decoded) and through `immunosim resume` (a sample through the binary):
//! never a panic; the binary refuses with exit 2 naming the checkpoint. Failing cases are
//! kept in `tests/fuzz_checkpoint.proptest-regressions`.

use crate::support::*;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Offsets of the layout's header fields (engine/src/checkpoint.rs).
const VERSION_AT: usize = 8;
const BODY_LEN_AT: usize = 12;

/// One change to a checkpoint's bytes.
#[derive(Clone, Debug)]
enum Damage {
    Flip(usize, u8),
    Cut(usize),
    Insert(usize, Vec<u8>),
    /// Replace the body length or the row count by a hostile value.
    Length(bool, u64),
    Version(u32),
}

fn damage() -> impl Strategy<Value = Damage> {
    let hostile = prop_oneof![
        Just(0u64),
        Just(u64::MAX),
        Just(u64::MAX / 32),
        Just(1u64 << 40),
        any::<u64>(),
        0..4096u64,
    ];
    prop_oneof![
        4 => (any::<usize>(), 1..=255u8).prop_map(|(at, m)| Damage::Flip(at, m)),
        1 => any::<usize>().prop_map(Damage::Cut),
        1 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..40))
            .prop_map(|(at, b)| Damage::Insert(at, b)),
        2 => (any::<bool>(), hostile).prop_map(|(body, v)| Damage::Length(body, v)),
        1 => any::<u32>().prop_map(Damage::Version),
    ]
}

fn apply(bytes: &mut Vec<u8>, d: &Damage) {
    let n = bytes.len().max(1);
    match d {
        // A cut may have left nothing to flip.
        Damage::Flip(at, mask) => {
            if let Some(byte) = bytes.get_mut(at % n) {
                *byte ^= mask;
            }
        }
        Damage::Cut(at) => bytes.truncate(at % n),
        Damage::Insert(at, inserted) => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, inserted.iter().copied());
        }
        Damage::Length(body, value) => {
            let at = if *body {
                BODY_LEN_AT
            } else {
                // The row count follows the body.
                let body_len = bytes
                    .get(BODY_LEN_AT..BODY_LEN_AT + 8)
                    .map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap()));
                (BODY_LEN_AT as u64 + 8).saturating_add(body_len) as usize
            };
            if let Some(field) = bytes.get_mut(at..at + 8) {
                field.copy_from_slice(&value.to_le_bytes());
            }
        }
        Damage::Version(v) => {
            if let Some(field) = bytes.get_mut(VERSION_AT..VERSION_AT + 4) {
                field.copy_from_slice(&v.to_le_bytes());
            }
        }
    }
}

/// Replaces the trailing CRC-32 by that of the contents: damage the checksum would
/// have caught reaches the decoder.
fn forge_checksum(bytes: &mut [u8]) {
    if bytes.len() >= 4 {
        let end = bytes.len() - 4;
        let crc = crc32fast::hash(&bytes[..end]);
        bytes[end..].copy_from_slice(&crc.to_le_bytes());
    }
}

/// A coarse run interrupted after its checkpoint: (folder, checkpoint bytes), made
/// once per test binary in cargo's scratch folder for tests.
fn fixture() -> &'static (PathBuf, Vec<u8>) {
    static FIXTURE: OnceLock<(PathBuf, Vec<u8>)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz_checkpoint");
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let text = SMALL.replace("cells_per_agent = 2e7", "cells_per_agent = 2e8");
        let scenario = write(&root, "tiny.toml", &text);
        let dir = root.join("run");
        let o = immunosim(
            &[
                "run",
                scenario.to_str().unwrap(),
                "-q",
                "--checkpoint-every",
                "25",
                "--out",
                dir.to_str().unwrap(),
            ],
            &[],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        // As if killed after the checkpoint: resumable.
        let manifest = dir.join("run.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        std::fs::write(&manifest, text.replace("\"finished\"", "\"running\"")).unwrap();
        let bytes = std::fs::read(dir.join("checkpoint.ckpt")).unwrap();
        (dir, bytes)
    })
}

/// A copy of the fixture's folder holding `checkpoint` as its checkpoint.
fn folder_with(checkpoint: &[u8], into: &Path) -> PathBuf {
    let (dir, _) = fixture();
    let copy = into.join("run");
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
    }
    std::fs::write(copy.join("checkpoint.ckpt"), checkpoint).unwrap();
    copy
}

/// `original` with `damages` applied and, when `forged`, its checksum recomputed so that
/// the decoder reads past it.
fn damaged(original: &[u8], damages: &[Damage], forged: bool) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for d in damages {
        apply(&mut bytes, d);
    }
    if forged {
        forge_checksum(&mut bytes);
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 10_000,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("tests/fuzz_checkpoint.proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn damaged_checkpoints_decode_or_are_refused_never_a_panic(
        damages in prop::collection::vec(damage(), 1..4),
        forged in any::<bool>(),
    ) {
        let (_, original) = fixture();
        let bytes = damaged(original, &damages, forged);
        if let Ok(saved) = immunosim_engine::checkpoint::decode(&bytes) {
            // What the binary does next with it: its scenario is validated.
            let _ = immunosim_scenario::parse_str(&saved.scenario_toml, "checkpoint");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 60,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("tests/fuzz_checkpoint.proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn resume_refuses_a_damaged_checkpoint_with_exit_2_naming_it(
        damages in prop::collection::vec(damage(), 1..4),
        forged in any::<bool>(),
    ) {
        let (_, original) = fixture();
        let bytes = damaged(original, &damages, forged);
        prop_assume!(&bytes != original);
        let tmp = tempfile::tempdir().unwrap();
        let dir = folder_with(&bytes, tmp.path());
        let o = immunosim(&["resume", dir.to_str().unwrap(), "-q"], &[]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        if forged {
            // A forged file may hold a state that runs (a changed count or field): it
            // must run or be refused, never panic (exit 101).
            prop_assert!(matches!(o.status.code(), Some(0..=2)), "{}", stderr);
        } else {
            prop_assert_eq!(o.status.code(), Some(2), "{}", stderr);
            let named = format!("{}: ", dir.join("checkpoint.ckpt").display());
            prop_assert!(stderr.contains(&named), "{}", stderr);
        }
    }
}

/// Found by fuzzing (a forged checksum over a cell row whose site index was flipped
/// to 52746 of 48): the first step panicked indexing the census. Kept as a case.
#[test]
fn a_forged_cell_outside_its_sites_is_refused_not_run() {
    let (_, original) = fixture();
    let mut bytes = original.clone();
    let body_len = u64::from_le_bytes(bytes[BODY_LEN_AT..BODY_LEN_AT + 8].try_into().unwrap());
    let rows_at = BODY_LEN_AT + 8 + body_len as usize + 8;
    let living = (rows_at..bytes.len() - 4)
        .step_by(32)
        .find(|&row| bytes[row + 14] != 0)
        .expect("a living cell");
    bytes[living + 12..living + 14].copy_from_slice(&52_746u16.to_le_bytes());
    forge_checksum(&mut bytes);
    let tmp = tempfile::tempdir().unwrap();
    let dir = folder_with(&bytes, tmp.path());
    let o = immunosim(&["resume", dir.to_str().unwrap(), "-q"], &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is in site 52746, outside the sites of its compartment"),
        "{stderr}"
    );
    assert!(stderr.contains("checkpoint.ckpt: corrupted"), "{stderr}");
}
