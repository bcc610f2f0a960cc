//! A CSV file written a day at a time.

use crate::error::{OutputError, io};
use immunosim_engine::recorder::RecordError;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A CSV file written a day at a time: the day's rows are formatted in memory and
/// handed to the kernel in one `write_all`, so a kill can only ever cut between days
/// (a buffered writer would flush at its capacity, possibly mid-row) or, at worst,
/// inside the last day's write; a resume truncates to a checkpoint's length.
pub(crate) struct DailyCsv {
    file: File,
    path: PathBuf,
    /// Bytes written so far (the file's length).
    len: u64,
}

impl DailyCsv {
    /// Creates (or empties) `dir/name` and writes the header.
    pub(crate) fn create(dir: &Path, name: &str, header: &[&str]) -> Result<DailyCsv, OutputError> {
        let path = dir.join(name);
        let file = File::create(&path).map_err(io(&path))?;
        let mut daily = DailyCsv { file, path, len: 0 };
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        daily.append(&[header]).map_err(|e| OutputError::Io {
            path: e.path,
            source: e.source,
        })?;
        Ok(daily)
    }

    /// Opens `dir/name` for appending after cutting it to `len` bytes (what was written
    /// after a checkpoint, possibly a torn row, is dropped). A missing file or one
    /// shorter than `len` is an error: the checkpoint's rows are not all there.
    pub(crate) fn resume(dir: &Path, name: &str, len: u64) -> Result<DailyCsv, OutputError> {
        let path = dir.join(name);
        let mismatch = |detail: String| OutputError::Resume {
            path: path.clone(),
            detail,
        };
        let file = match OpenOptions::new().append(true).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(mismatch("the file is missing".into()));
            }
            Err(e) => return Err(io(&path)(e)),
        };
        let found = file.metadata().map_err(io(&path))?.len();
        if found < len {
            return Err(mismatch(format!(
                "it has {found} bytes, fewer than the {len} written at the checkpoint"
            )));
        }
        file.set_len(len).map_err(io(&path))?;
        file.sync_all().map_err(io(&path))?;
        Ok(DailyCsv { file, path, len })
    }

    /// Appends whole rows in one write.
    pub(crate) fn append(&mut self, rows: &[Vec<String>]) -> Result<(), RecordError> {
        let fail = |source: std::io::Error| RecordError {
            path: self.path.clone(),
            source,
        };
        let mut writer = csv::Writer::from_writer(Vec::new());
        for row in rows {
            writer
                .write_record(row)
                .map_err(|e| fail(std::io::Error::from(e)))?;
        }
        let bytes = writer.into_inner().map_err(|e| fail(e.into_error()))?;
        self.file.write_all(&bytes).map_err(fail)?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Makes what was written durable and returns the file's length.
    pub(crate) fn sync(&self) -> Result<u64, OutputError> {
        self.file.sync_all().map_err(io(&self.path))?;
        Ok(self.len)
    }
}

/// A number as written in CSV: shortest text that reads back to the same `f64`.
pub fn number(x: f64) -> String {
    if x == 0.0 { "0".into() } else { format!("{x}") }
}
