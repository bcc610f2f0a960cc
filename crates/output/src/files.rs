//! The output directory and its files.

pub use crate::daily::number;
use crate::daily::{DailyCsv, Open, create_file};
pub use crate::error::OutputError;
use crate::error::io;
use crate::summary::SummaryBuilder;
use immunosim_engine::recorder::{Event, RecordError, Recorder, Snapshot};
use immunosim_model::Specificity;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `contents` to `path` through a temporary file and a rename: `path` is the
/// old file or the new one, whole. A temporary file that could not be completed (a
/// full disk) is removed.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), OutputError> {
    let tmp = path.with_extension("tmp");
    let written = (|| {
        let mut file = File::create(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(&tmp)(e));
    }
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// Header of `timeseries.csv`.
pub const TIMESERIES_HEADER: &[&str] = &[
    "day",
    "compartment",
    "population",
    "agents",
    "cells",
    "cells_per_uL",
    "autoreactive_fraction",
];

/// Header of `serology.csv`. The score is `activity_score` in every preset; the scale
/// it mimics is named in `summary.csv` (`score_scale`) and `run.toml`.
pub const SEROLOGY_HEADER: &[&str] = &[
    "day",
    "total_igg_g_per_L",
    "autoantibody_mg_per_L",
    "autoantibody_positive",
    "vaccine_a_igg_mg_per_L",
    "vaccine_b_igg_mg_per_L",
    "autoantigen_relative",
    "immune_complex_mg_per_L",
    "complement_consumption_fraction",
    "organ_inflammation_relative",
    "baff_relative",
    "activity_score",
    "renal_activity_fraction",
    "damage_index",
    "il6_pg_per_mL",
    "crs_grade",
    "tocilizumab_doses",
];

/// Header of `car_t.csv` (blood; written only when the scenario has products).
pub const CAR_T_HEADER: &[&str] = &[
    "day",
    "product",
    "phenotype",
    "subset",
    "agents",
    "cells_per_uL",
    "percent_of_cd3",
];

/// Header of `events.csv`.
pub const EVENTS_HEADER: &[&str] = &["day", "event", "detail"];

/// A daily file's length at a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedFile {
    /// File name in the output directory (`timeseries.csv`, ...).
    pub name: String,
    /// Bytes written at the checkpoint.
    pub bytes: u64,
}

/// The outputs' part of a checkpoint ([`CsvRecorder::checkpoint`],
/// [`CsvRecorder::resume`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputState {
    /// Each daily file and its length (`car_t.csv` only when the run writes it).
    pub files: Vec<SavedFile>,
    /// The summary accumulated so far.
    pub summary: SummaryBuilder,
}

/// Writes a run's files into one directory.
pub struct CsvRecorder {
    dir: PathBuf,
    timeseries: DailyCsv,
    serology: DailyCsv,
    events: DailyCsv,
    car_t: Option<DailyCsv>,
    summary: SummaryBuilder,
    /// Where the daily files were last whole, for messages ("the end of day 12").
    whole_at: String,
}

impl CsvRecorder {
    /// Opens the per-day files in `dir` (which must exist) and writes their headers;
    /// `car_t.csv` only when the run has CAR-T products.
    pub fn create(
        dir: &Path,
        summary: SummaryBuilder,
        has_products: bool,
    ) -> Result<CsvRecorder, OutputError> {
        CsvRecorder::create_with(dir, summary, has_products, &create_file)
    }

    /// [`CsvRecorder::create`] with the daily files opened by `open` (tests inject a
    /// file that fails after some bytes).
    pub(crate) fn create_with(
        dir: &Path,
        summary: SummaryBuilder,
        has_products: bool,
        open: Open<'_>,
    ) -> Result<CsvRecorder, OutputError> {
        Ok(CsvRecorder {
            dir: dir.to_path_buf(),
            timeseries: DailyCsv::create(dir, "timeseries.csv", TIMESERIES_HEADER, open)?,
            serology: DailyCsv::create(dir, "serology.csv", SEROLOGY_HEADER, open)?,
            events: DailyCsv::create(dir, "events.csv", EVENTS_HEADER, open)?,
            car_t: if has_products {
                Some(DailyCsv::create(dir, "car_t.csv", CAR_T_HEADER, open)?)
            } else {
                None
            },
            summary,
            whole_at: "their headers and the events before the first recorded day".into(),
        })
    }

    /// The daily files with their names, in [`OutputState::files`] order.
    fn daily_files(&self) -> impl Iterator<Item = (&'static str, &DailyCsv)> {
        [
            ("timeseries.csv", &self.timeseries),
            ("serology.csv", &self.serology),
            ("events.csv", &self.events),
        ]
        .into_iter()
        .chain(self.car_t.as_ref().map(|c| ("car_t.csv", c)))
    }

    fn daily_files_mut(&mut self) -> impl Iterator<Item = &mut DailyCsv> {
        [&mut self.timeseries, &mut self.serology, &mut self.events]
            .into_iter()
            .chain(self.car_t.as_mut())
    }

    /// Every daily file now ends with whole rows of the same moment (a recorded day,
    /// or a checkpoint's step boundary): a failed write is cut back to here.
    fn mark_whole(&mut self) {
        self.daily_files_mut().for_each(DailyCsv::mark_whole);
    }

    /// After a failed write: cuts every daily file back to its last whole day (or
    /// checkpoint), so none ends inside a row or holds part of a day the others lack,
    /// and returns the write's error with what was done. A file that cannot be cut
    /// either is named in the message.
    fn roll_back(&mut self, failed: RecordError) -> RecordError {
        let problems: Vec<String> = self
            .daily_files_mut()
            .filter_map(|daily| daily.roll_back().err())
            .map(|e| format!("{}: {}", e.path.display(), e.source))
            .collect();
        let day = &self.whole_at;
        let detail = if problems.is_empty() {
            format!(
                "{}; every per-day file was cut back to {day}",
                failed.source
            )
        } else {
            format!(
                "{}; cutting the per-day files back to {day} failed too ({})",
                failed.source,
                problems.join("; ")
            )
        };
        RecordError {
            path: failed.path,
            source: std::io::Error::new(failed.source.kind(), detail),
        }
    }

    fn write_day(&mut self, s: &Snapshot) -> Result<(), RecordError> {
        let day = number(s.day);
        let rows: Vec<Vec<String>> = s
            .populations
            .iter()
            .map(|r| {
                vec![
                    day.clone(),
                    r.compartment.name().to_string(),
                    r.population.name().to_string(),
                    r.agents.to_string(),
                    number(r.cells),
                    number(r.cells_per_ul),
                    number(r.autoreactive_share),
                ]
            })
            .collect();
        self.timeseries.append(&rows)?;
        let sero = &s.serology;
        let row = vec![
            day,
            number(sero.total_igg_g_per_l),
            number(sero.igg_mg_per_l[Specificity::Autoantigen.index()]),
            u8::from(sero.autoantibody_positive).to_string(),
            number(sero.igg_mg_per_l[Specificity::VaccineA.index()]),
            number(sero.igg_mg_per_l[Specificity::VaccineB.index()]),
            number(sero.autoantigen),
            number(sero.immune_complex),
            number(sero.complement_consumption),
            number(s.organ_inflammation),
            number(s.baff_relative),
            number(sero.activity_score),
            number(sero.renal_activity),
            number(sero.damage_index),
            number(s.il6_pg_per_ml),
            s.crs_grade.to_string(),
            s.tocilizumab_doses.to_string(),
        ];
        self.serology.append(&[row])?;
        if let Some(car_t) = &mut self.car_t {
            let rows: Vec<Vec<String>> = s
                .car_t
                .iter()
                .map(|r| {
                    vec![
                        number(s.day),
                        r.product.clone(),
                        r.population.name().to_string(),
                        if r.cd8 { "cd8" } else { "cd4" }.to_string(),
                        r.agents.to_string(),
                        number(r.cells_per_ul),
                        number(r.percent_of_cd3),
                    ]
                })
                .collect();
            car_t.append(&rows)?;
        }
        Ok(())
    }

    /// The output side of a checkpoint: makes every daily file durable (`sync_all`)
    /// and returns their lengths and the summary builder's state. Call it between
    /// recorded days, when the engine state saved beside it is at the same moment.
    pub fn checkpoint(&mut self) -> Result<OutputState, OutputError> {
        self.mark_whole();
        let files = self
            .daily_files()
            .map(|(name, daily)| {
                Ok(SavedFile {
                    name: name.to_string(),
                    bytes: daily.sync()?,
                })
            })
            .collect::<Result<_, OutputError>>()?;
        Ok(OutputState {
            files,
            summary: self.summary.clone(),
        })
    }

    /// Reopens the outputs of an interrupted run in `dir` at a checkpoint: each daily
    /// file is cut to its saved length (rows written after the checkpoint, possibly a
    /// torn one, are dropped; the engine writes them again) and opened for appending,
    /// and the summary builder is restored. A missing file, or one shorter than saved,
    /// is [`OutputError::Resume`] naming it.
    pub fn resume(dir: &Path, state: &OutputState) -> Result<CsvRecorder, OutputError> {
        let saved = |name: &str| state.files.iter().find(|f| f.name == name);
        let open = |name: &str| match saved(name) {
            Some(file) => DailyCsv::resume(dir, name, file.bytes),
            None => Err(OutputError::Resume {
                path: dir.join(name),
                detail: "the checkpoint has no length for it".into(),
            }),
        };
        Ok(CsvRecorder {
            dir: dir.to_path_buf(),
            timeseries: open("timeseries.csv")?,
            serology: open("serology.csv")?,
            events: open("events.csv")?,
            car_t: match saved("car_t.csv") {
                Some(_) => Some(open("car_t.csv")?),
                None => None,
            },
            summary: state.summary.clone(),
            whole_at: "the checkpoint the run resumed from".into(),
        })
    }

    /// Writes `summary.csv` (atomically) once the run has ended, and with products
    /// `products.csv` ([`SummaryBuilder::products_csv`]: each product's Cmax and Tmax).
    pub fn finish(self) -> Result<(), OutputError> {
        for (_, daily) in self.daily_files() {
            daily.sync()?;
        }
        if self.car_t.is_some() {
            let path = self.dir.join("products.csv");
            write_atomically(&path, self.summary.products_csv().as_bytes())?;
        }
        let path = self.dir.join("summary.csv");
        write_atomically(&path, self.summary.to_csv().as_bytes())
    }
}

impl Recorder for CsvRecorder {
    fn record(&mut self, s: &Snapshot) -> Result<(), RecordError> {
        if let Err(e) = self.write_day(s) {
            return Err(self.roll_back(e));
        }
        self.mark_whole();
        self.whole_at = format!("the end of day {}", number(s.day));
        self.summary.add(s);
        Ok(())
    }

    fn event(&mut self, e: &Event) -> Result<(), RecordError> {
        let row = vec![number(e.day), e.kind.name().to_string(), e.detail.clone()];
        if let Err(failed) = self.events.append(&[row]) {
            return Err(self.roll_back(failed));
        }
        self.summary.add_event(e);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod write_errors;
