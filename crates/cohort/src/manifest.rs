//! `cohort.toml` in a cohort's output folder: the cohort file's text and what the
//! command line set (patients, seed, days, shard), so that `--resume` and `merge`
//! rebuild exactly the cohort that wrote the parts, and refuse folders of another.

use crate::CohortError;
use crate::spec::{self, CohortSpec};
use immunosim_scenario::ScenarioErrors;
use std::path::Path;

/// File name of the manifest.
pub const FILE: &str = "cohort.toml";

/// What a cohort run is.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// immunosim version.
    pub version: String,
    /// The cohort file's name without extension (its default scenario name).
    pub stem: String,
    /// Patients in the cohort.
    pub patients: u64,
    /// Cohort seed.
    pub seed: u64,
    /// Days recorded.
    pub days: f64,
    /// This folder's shard (index, count), if sharded.
    pub shard: Option<(u64, u64)>,
    /// The cohort file's text.
    pub scenario: String,
}

impl Manifest {
    /// The cohort it describes (the file re-validated, `days` applied).
    pub fn spec(&self, label: &str) -> Result<CohortSpec, ScenarioErrors> {
        let mut spec = spec::parse(&self.scenario, label, &self.stem)?;
        set_days(&mut spec, self.days);
        Ok(spec)
    }

    /// Whether two manifests describe the same cohort (shards aside).
    pub fn same_cohort(&self, other: &Manifest) -> bool {
        Manifest {
            shard: None,
            ..self.clone()
        } == Manifest {
            shard: None,
            ..other.clone()
        }
    }

    /// The manifest as TOML.
    pub fn to_toml(&self) -> String {
        let mut t = toml::Table::new();
        t.insert("version".into(), self.version.clone().into());
        t.insert("stem".into(), self.stem.clone().into());
        t.insert("patients".into(), (self.patients as i64).into());
        t.insert("seed".into(), (self.seed as i64).into());
        t.insert("days".into(), self.days.into());
        if let Some((i, n)) = self.shard {
            t.insert("shard".into(), format!("{i}/{n}").into());
        }
        t.insert("scenario".into(), self.scenario.clone().into());
        format!(
            "# A cohort run by immunosim: `immunosim cohort --resume` continues it and\n# `immunosim merge` combines its shards.\n{}",
            toml::to_string(&t).expect("a table of strings and numbers serialises")
        )
    }

    /// Reads `dir/cohort.toml`.
    pub fn read(dir: &Path) -> Result<Manifest, CohortError> {
        let path = dir.join(FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| CohortError::io(&path, e))?;
        let bad = |what: &str| {
            CohortError::Mismatch(format!(
                "{}: {what} is missing or malformed",
                path.display()
            ))
        };
        let t: toml::Table = text.parse().map_err(|_| bad("the TOML"))?;
        let text_of = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let int = |k: &str| t.get(k).and_then(|v| v.as_integer()).map(|i| i as u64);
        let shard = match text_of("shard") {
            None => None,
            Some(s) => Some(parse_shard(&s).map_err(|_| bad("shard"))?),
        };
        Ok(Manifest {
            version: text_of("version").ok_or_else(|| bad("version"))?,
            stem: text_of("stem").ok_or_else(|| bad("stem"))?,
            patients: int("patients").ok_or_else(|| bad("patients"))?,
            seed: int("seed").ok_or_else(|| bad("seed"))?,
            days: t
                .get("days")
                .and_then(|v| v.as_float())
                .ok_or_else(|| bad("days"))?,
            shard,
            scenario: text_of("scenario").ok_or_else(|| bad("scenario"))?,
        })
    }

    /// Writes `dir/cohort.toml`.
    pub fn write(&self, dir: &Path) -> Result<(), CohortError> {
        immunosim_output::write_atomically(&dir.join(FILE), self.to_toml().as_bytes())?;
        Ok(())
    }
}

/// Sets the recorded days of the patient and every arm.
pub fn set_days(spec: &mut CohortSpec, days: f64) {
    spec.patient.config.days = days;
    for arm in &mut spec.arms {
        arm.scenario.config.days = days;
    }
}

/// Parses `I/N` (0 <= I < N).
pub fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("`{text}` is not a shard I/N with 0 <= I < N (e.g. 0/3)");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}
