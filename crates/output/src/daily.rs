//! A CSV file written a day at a time.

use crate::error::{OutputError, io};
use immunosim_engine::recorder::RecordError;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Where a daily file's bytes go: the file itself, or (in tests) a file that fails
/// after a number of bytes, as a full disk does. Called once per file and recorded day,
/// never per cell, so the indirection costs nothing measurable.
pub(crate) trait Sink: Send {
    /// Writes all of `bytes`, or fails, possibly after writing some of them.
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()>;
    /// Cuts the file to `len` bytes; later writes go to its new end.
    fn cut(&mut self, len: u64) -> std::io::Result<()>;
    /// Makes what was written durable.
    fn sync(&self) -> std::io::Result<()>;
}

impl Sink for File {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        Write::write_all(self, bytes)
    }

    fn cut(&mut self, len: u64) -> std::io::Result<()> {
        self.set_len(len)?;
        self.seek(SeekFrom::Start(len)).map(|_| ())
    }

    fn sync(&self) -> std::io::Result<()> {
        self.sync_all()
    }
}

/// Opens a new daily file (the real one: [`File::create`]).
pub(crate) type Open<'a> = &'a dyn Fn(&Path) -> std::io::Result<Box<dyn Sink>>;

/// Creates (or empties) a file at `path`.
pub(crate) fn create_file(path: &Path) -> std::io::Result<Box<dyn Sink>> {
    Ok(Box::new(File::create(path)?))
}

/// A CSV file written a day at a time: the day's rows are formatted in memory and
/// handed to the kernel in one `write_all`, so a kill can only ever cut between days
/// (a buffered writer would flush at its capacity, possibly mid-row) or, at worst,
/// inside the last day's write; a resume truncates to a checkpoint's length, and a
/// write error cuts the file back to its last whole day ([`DailyCsv::roll_back`]).
pub(crate) struct DailyCsv {
    file: Box<dyn Sink>,
    path: PathBuf,
    /// Bytes written so far (the file's length).
    len: u64,
    /// The length at the last whole day (or checkpoint): where a failed write is cut
    /// back to.
    whole: u64,
}

impl DailyCsv {
    /// Creates (or empties) `dir/name` through `open` and writes the header.
    pub(crate) fn create(
        dir: &Path,
        name: &str,
        header: &[&str],
        open: Open<'_>,
    ) -> Result<DailyCsv, OutputError> {
        let path = dir.join(name);
        let file = open(&path).map_err(io(&path))?;
        let mut daily = DailyCsv {
            file,
            path,
            len: 0,
            whole: 0,
        };
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        daily.append(&[header]).map_err(|e| OutputError::Io {
            path: e.path,
            source: e.source,
        })?;
        daily.mark_whole();
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
        Ok(DailyCsv {
            file: Box::new(file),
            path,
            len,
            whole: len,
        })
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
        // Counted before the write: a write cut short has still moved the file's end
        // by an unknown amount, and the roll-back cuts from wherever it is.
        self.len += bytes.len() as u64;
        self.file.write_all(&bytes).map_err(fail)
    }

    /// Remembers the current length as a whole day's end.
    pub(crate) fn mark_whole(&mut self) {
        self.whole = self.len;
    }

    /// Cuts the file back to its last whole day and makes that durable (a failed
    /// write may have left part of a row; cutting frees space, so it works on a full
    /// disk).
    pub(crate) fn roll_back(&mut self) -> Result<(), RecordError> {
        let fail = |source: std::io::Error| RecordError {
            path: self.path.clone(),
            source,
        };
        self.file.cut(self.whole).map_err(fail)?;
        self.len = self.whole;
        self.file.sync().map_err(fail)
    }

    /// Makes what was written durable and returns the file's length.
    pub(crate) fn sync(&self) -> Result<u64, OutputError> {
        self.file.sync().map_err(io(&self.path))?;
        Ok(self.len)
    }
}

/// A number as written in CSV: shortest text that reads back to the same `f64`.
pub fn number(x: f64) -> String {
    if x == 0.0 { "0".into() } else { format!("{x}") }
}
