//! The output directory and its files.

use crate::summary::SummaryBuilder;
use immunosim_engine::recorder::{Event, RecordError, Recorder, Snapshot};
use immunosim_model::Specificity;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Output failures.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The output directory exists and is not empty.
    #[error(
        "output directory {0} exists and is not empty; choose another --out or pass --force to overwrite"
    )]
    NotEmpty(PathBuf),
    /// An I/O error on a path.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates `dir`, refusing an existing non-empty one unless `force`.
pub fn prepare_out_dir(dir: &Path, force: bool) -> Result<(), OutputError> {
    if dir.exists() {
        let non_empty = std::fs::read_dir(dir).map_err(io(dir))?.next().is_some();
        if non_empty && !force {
            return Err(OutputError::NotEmpty(dir.to_path_buf()));
        }
    }
    std::fs::create_dir_all(dir).map_err(io(dir))
}

/// Writes `contents` to `path` through a temporary file and a rename.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), OutputError> {
    let tmp = path.with_extension("tmp");
    {
        let mut file = File::create(&tmp).map_err(io(&tmp))?;
        file.write_all(contents).map_err(io(&tmp))?;
        file.sync_all().map_err(io(&tmp))?;
    }
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// A CSV file written a day at a time: the day's rows are formatted in memory and
/// handed to the kernel in one `write_all`, so a kill can only ever cut between days
/// (a buffered writer would flush at its capacity, possibly mid-row).
struct DailyCsv {
    file: File,
    path: PathBuf,
}

impl DailyCsv {
    fn create(dir: &Path, name: &str, header: &[&str]) -> Result<DailyCsv, OutputError> {
        let path = dir.join(name);
        let file = File::create(&path).map_err(io(&path))?;
        let mut daily = DailyCsv { file, path };
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        daily.append(&[header]).map_err(|e| OutputError::Io {
            path: daily.path.clone(),
            source: std::io::Error::other(e.message),
        })?;
        Ok(daily)
    }

    /// Appends whole rows.
    fn append(&mut self, rows: &[Vec<String>]) -> Result<(), RecordError> {
        let path = self.path.display().to_string();
        let fail = |e: &dyn std::fmt::Display| RecordError {
            message: format!("{path}: {e}"),
        };
        let mut writer = csv::Writer::from_writer(Vec::new());
        for row in rows {
            writer.write_record(row).map_err(|e| fail(&e))?;
        }
        let bytes = writer.into_inner().map_err(|e| fail(&e))?;
        self.file.write_all(&bytes).map_err(|e| fail(&e))
    }
}

/// A number as written in CSV: shortest text that reads back to the same `f64`.
pub fn number(x: f64) -> String {
    if x == 0.0 { "0".into() } else { format!("{x}") }
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

/// Header of `serology.csv` (`sledai_like` becomes the scenario's score scale).
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
    "sledai_like_score",
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

/// Writes a run's files into one directory.
pub struct CsvRecorder {
    dir: PathBuf,
    timeseries: DailyCsv,
    serology: DailyCsv,
    events: DailyCsv,
    car_t: Option<DailyCsv>,
    summary: SummaryBuilder,
}

impl CsvRecorder {
    /// Opens the per-day files in `dir` (which must exist) and writes their headers;
    /// `car_t.csv` only when the run has CAR-T products.
    pub fn create(
        dir: &Path,
        summary: SummaryBuilder,
        has_products: bool,
    ) -> Result<CsvRecorder, OutputError> {
        let serology_header: Vec<String> =
            SEROLOGY_HEADER.iter().map(|h| summary.column(h)).collect();
        let serology_header: Vec<&str> = serology_header.iter().map(String::as_str).collect();
        Ok(CsvRecorder {
            dir: dir.to_path_buf(),
            timeseries: DailyCsv::create(dir, "timeseries.csv", TIMESERIES_HEADER)?,
            serology: DailyCsv::create(dir, "serology.csv", &serology_header)?,
            events: DailyCsv::create(dir, "events.csv", EVENTS_HEADER)?,
            car_t: if has_products {
                Some(DailyCsv::create(dir, "car_t.csv", CAR_T_HEADER)?)
            } else {
                None
            },
            summary,
        })
    }

    /// Writes `summary.csv` (atomically) once the run has ended.
    pub fn finish(self) -> Result<(), OutputError> {
        let daily_files = [&self.timeseries, &self.serology, &self.events]
            .into_iter()
            .chain(self.car_t.as_ref());
        for daily in daily_files {
            daily.file.sync_all().map_err(io(&daily.path))?;
        }
        let path = self.dir.join("summary.csv");
        write_atomically(&path, self.summary.to_csv().as_bytes())
    }
}

impl Recorder for CsvRecorder {
    fn record(&mut self, s: &Snapshot) -> Result<(), RecordError> {
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
        self.summary.add(s);
        Ok(())
    }

    fn event(&mut self, e: &Event) -> Result<(), RecordError> {
        let row = vec![number(e.day), e.kind.name().to_string(), e.detail.clone()];
        self.summary.add_event(e);
        self.events.append(&[row])
    }
}
