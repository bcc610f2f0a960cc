//! The published reference rows of `data/*.csv` (columns `id, quantity, value, low,
//! high, unit, population, source, trust, note`; `data/README.md`), read in one place
//! for everything that compares the model with them: the end-to-end tests and
//! `tools/calibrate`. The simulator itself never reads them: a parameter that cites a
//! row carries its value in the catalogue.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One reference row.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct Row {
    /// The row's id, cited as "ref *id*" in the catalogue and the docs.
    pub id: String,
    /// What was measured.
    pub quantity: String,
    /// The published value (median or mean, as `quantity` says).
    pub value: f64,
    /// Lower end of the published range or IQR, if any.
    pub low: Option<f64>,
    /// Upper end of the published range or IQR, if any.
    pub high: Option<f64>,
    /// Unit of `value`, `low` and `high`.
    pub unit: String,
    /// The cohort or population measured.
    pub population: String,
    /// The publication.
    pub source: String,
    /// How the row was checked: `seen`, `seen-2`, `recalled` or `derived`.
    pub trust: String,
    /// Remarks.
    pub note: String,
}

impl Row {
    /// The published band `(low, high)`, when the row has both ends.
    pub fn band(&self) -> Option<(f64, f64)> {
        Some((self.low?, self.high?))
    }
}

/// A reference file that cannot be used, with the file and the line.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The directory or a file cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A row does not parse (a missing column, a value that is not a number).
    #[error("{path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The CSV error, with its line.
        source: csv::Error,
    },
    /// Two rows share an id.
    #[error("{path}: row id `{id}` is also in {first}")]
    Duplicate {
        /// The file of the second row.
        path: PathBuf,
        /// The id.
        id: String,
        /// The file of the first row.
        first: PathBuf,
    },
}

/// The project's `data/` directory (in the source tree, where tests and tools run).
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// Every row of the `*.csv` files of `dir`, by id (files in name order).
pub fn read_dir(dir: &Path) -> Result<BTreeMap<String, Row>, Error> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if path.extension().is_some_and(|e| e == "csv") {
            files.push(path);
        }
    }
    files.sort();
    let mut rows = BTreeMap::new();
    let mut origin: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in files {
        let csv = |source| Error::Csv {
            path: path.clone(),
            source,
        };
        let mut reader = csv::Reader::from_path(&path).map_err(csv)?;
        for row in reader.deserialize::<Row>() {
            let row = row.map_err(csv)?;
            if let Some(first) = origin.get(&row.id) {
                return Err(Error::Duplicate {
                    path: path.clone(),
                    id: row.id,
                    first: first.clone(),
                });
            }
            origin.insert(row.id.clone(), path.clone());
            rows.insert(row.id.clone(), row);
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,quantity,value,low,high,unit,population,source,trust,note\n";

    #[test]
    fn the_project_rows_read_and_bands_need_both_ends() {
        let rows = read_dir(&data_dir()).unwrap();
        let k_c = &rows["kimmel_k_c"];
        assert_eq!(k_c.value, 6.96e10);
        assert_eq!(k_c.band(), Some((6.15e10, 9.65e10)));
        assert_eq!(rows["kimmel_rho_c"].band(), None);
    }

    #[test]
    fn a_bad_value_names_the_file_and_line_and_a_repeated_id_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let row = "x,q,1,,,u,p,s,seen,\n";
        std::fs::write(dir.path().join("a.csv"), format!("{HEADER}{row}")).unwrap();
        std::fs::write(dir.path().join("b.csv"), format!("{HEADER}{row}")).unwrap();
        let message = read_dir(dir.path()).unwrap_err().to_string();
        assert!(
            message.contains("b.csv") && message.contains("a.csv"),
            "{message}"
        );
        std::fs::write(
            dir.path().join("b.csv"),
            format!("{HEADER}y,q,one,,,u,p,s,seen,\n"),
        )
        .unwrap();
        let message = read_dir(dir.path()).unwrap_err().to_string();
        assert!(
            message.contains("b.csv") && message.contains("line: 2"),
            "{message}"
        );
    }
}
