//! Fuzzed scenarios: every shipped scenario, mutated as a careless editor or a hostile
//! file would (bytes flipped, lines deleted, duplicated or cut, values swapped between
//! fields, huge, negative, non-finite and wrongly typed values, unicode), goes through
//! the loader (10,000 cases in-process) and `immunosim check` (a smaller sample through
//! the binary): never a panic, always a scenario or errors naming the file and line.
//! A failing case proptest finds is kept in `tests/fuzz.proptest-regressions` and
//! replayed first on every run.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::path::{Path, PathBuf};

/// Values that do not belong: out of every range, of every other type, not finite,
/// not ASCII.
const HOSTILE: &[&str] = &[
    "1e308",
    "-1e308",
    "-1",
    "0",
    "-0.0",
    "nan",
    "inf",
    "-inf",
    "1e-320",
    "18446744073709551615",
    "9223372036854775807",
    "-9223372036854775808",
    "0x7fffffff",
    "1_000_000_000",
    "\"text\"",
    "\"\"",
    "true",
    "[]",
    "[1, 2, 3]",
    "[\"CD19\", 5]",
    "[[1]]",
    "{ a = 1 }",
    "1979-05-27",
    "07:32:00",
    "\"ünïcødé ☃ \u{202e}\"",
    "\"\\u0000\"",
    "'''\nmulti\nline'''",
    "[-1e308, nan]",
];

/// One change to a scenario's text.
#[derive(Clone, Debug)]
pub enum Mutation {
    /// XOR a byte with a non-zero mask (may leave invalid UTF-8).
    FlipByte(usize, u8),
    DeleteLine(usize),
    DuplicateLine(usize),
    /// Swap the values of two `key = value` lines.
    SwapValues(usize, usize),
    /// Give a `key = value` line one of [`HOSTILE`].
    Hostile(usize, usize),
    /// Insert text at a byte position (moved to a character boundary).
    Insert(usize, String),
    /// Cut the file at a byte position.
    Truncate(usize),
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    let text = prop_oneof![
        prop::collection::vec(any::<char>(), 1..6).prop_map(String::from_iter),
        prop::sample::select(vec![
            "\n",
            "[",
            "]",
            "=",
            "\"",
            "[[products]]\n",
            "#",
            "\\",
            "\u{0}"
        ])
        .prop_map(String::from),
    ];
    prop_oneof![
        2 => (any::<usize>(), 1..=255u8).prop_map(|(at, mask)| Mutation::FlipByte(at, mask)),
        2 => any::<usize>().prop_map(Mutation::DeleteLine),
        2 => any::<usize>().prop_map(Mutation::DuplicateLine),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapValues(a, b)),
        6 => (any::<usize>(), 0..HOSTILE.len()).prop_map(|(l, v)| Mutation::Hostile(l, v)),
        2 => (any::<usize>(), text).prop_map(|(at, t)| Mutation::Insert(at, t)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// The lines of `text` that assign a value, as (line index, byte offset of the value).
fn assignments(lines: &[Vec<u8>]) -> Vec<(usize, usize)> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.starts_with(b"#") && !l.starts_with(b"["))
        .filter_map(|(i, l)| l.iter().position(|&b| b == b'=').map(|at| (i, at + 1)))
        .collect()
}

/// `text` with `m` applied.
pub fn apply(text: &[u8], m: &Mutation) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let join = |lines: Vec<Vec<u8>>| lines.join(&b'\n');
    let n = lines.len();
    match m {
        Mutation::FlipByte(at, mask) => {
            let mut bytes = text.to_vec();
            if !bytes.is_empty() {
                let at = at % bytes.len();
                bytes[at] ^= mask;
            }
            bytes
        }
        Mutation::DeleteLine(i) => {
            lines.remove(i % n);
            join(lines)
        }
        Mutation::DuplicateLine(i) => {
            let line = lines[i % n].clone();
            lines.insert(i % n, line);
            join(lines)
        }
        Mutation::SwapValues(a, b) => {
            let found = assignments(&lines);
            if found.len() >= 2 {
                let (la, va) = found[a % found.len()];
                let (lb, vb) = found[b % found.len()];
                let value_a = lines[la][va..].to_vec();
                let value_b = lines[lb][vb..].to_vec();
                lines[la].truncate(va);
                lines[la].extend(value_b);
                lines[lb].truncate(vb);
                lines[lb].extend(value_a);
            }
            join(lines)
        }
        Mutation::Hostile(l, v) => {
            let found = assignments(&lines);
            if let Some(&(line, at)) = found.get(l % found.len().max(1)) {
                lines[line].truncate(at);
                lines[line].push(b' ');
                lines[line].extend(HOSTILE[*v].as_bytes());
            }
            join(lines)
        }
        Mutation::Insert(at, inserted) => {
            let mut bytes = text.to_vec();
            let mut at = at % (bytes.len() + 1);
            while at < bytes.len() && (bytes[at] & 0xC0) == 0x80 {
                at += 1; // not inside a character: the inserted text stays UTF-8
            }
            bytes.splice(at..at, inserted.bytes());
            bytes
        }
        Mutation::Truncate(at) => text[..at % (text.len() + 1)].to_vec(),
    }
}

/// The shipped scenarios and presets, the texts mutated.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = ["", "presets"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(root.join(sub)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

/// What every refusal must say: every error names the file, and a line in it unless
/// the problem is the whole file (unreadable or empty).
fn assert_located(errors: &immunosim_scenario::ScenarioErrors, label: &str, text: &[u8]) {
    use immunosim_scenario::ErrorKind;
    assert!(!errors.0.is_empty());
    let lines = text.split(|&b| b == b'\n').count();
    for e in &errors.0 {
        assert_eq!(e.file, label);
        let whole_file = matches!(e.kind, ErrorKind::Unreadable | ErrorKind::Empty);
        assert!(
            whole_file || (1..=lines).contains(&e.line),
            "no line for: {e}\n--- text ---\n{}",
            String::from_utf8_lossy(text)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 10_000,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("tests/fuzz.proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_scenarios_load_or_are_refused_with_file_and_line(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let seeds = seeds();
        let (_, text) = &seeds[seed.index(seeds.len())];
        let mutated = mutations.iter().fold(text.clone(), |t, m| apply(&t, m));
        // Text goes to the loader as `load` hands it over; only bytes that are not
        // UTF-8 go through a file, to exercise `load`'s own refusal (files are slow on
        // a busy disk: 10,000 of them took 37 s).
        let label = "fuzz.toml";
        let loaded = match std::str::from_utf8(&mutated) {
            Ok(text) => immunosim_scenario::parse_str(text, label).map(|_| ()),
            Err(_) => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join(label);
                std::fs::write(&path, &mutated).unwrap();
                let loaded = immunosim_scenario::load(&path).map(|_| ());
                if let Err(errors) = &loaded {
                    prop_assert!(errors.0.iter().all(|e| e.file == path.display().to_string()));
                    prop_assert!(errors.0.iter().all(|e| e.message.contains("cannot read")));
                }
                return Ok(());
            }
        };
        if let Err(errors) = loaded {
            assert_located(&errors, label, &mutated);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("tests/fuzz.proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn immunosim_check_exits_0_or_2_naming_the_file_and_line(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let seeds = seeds();
        let (_, text) = &seeds[seed.index(seeds.len())];
        let mutated = mutations.iter().fold(text.clone(), |t, m| apply(&t, m));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fuzz.toml");
        std::fs::write(&path, &mutated).unwrap();
        let o = crate::support::immunosim(&["check", path.to_str().unwrap()], &[]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        match o.status.code() {
            Some(0) => prop_assert!(stderr.is_empty(), "{stderr}"),
            Some(2) => {
                let label = path.display().to_string();
                for line in stderr.lines().filter(|l| l.contains("error[")) {
                    prop_assert!(line.starts_with(&label), "{line}");
                }
                prop_assert!(stderr.lines().any(|l| l.starts_with(&format!("{label}:"))), "{stderr}");
            }
            other => prop_assert!(false, "exit {other:?}: {stderr}"),
        }
    }
}
