//! A run's CSV files read by column name, with errors that name the file and line.
//!
//! The report reads columns by their header, never by position, so that a column added to
//! an output (a new endpoint, a new serology measure) does not break it; a column it needs
//! and does not find is an error naming the file and the column.

use crate::error::ReportError;
use std::path::Path;

/// One CSV file held as text cells, with its header.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file's name, as errors show it (`timeseries.csv`).
    pub file: String,
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
    /// The 1-based line of each row in the file (for errors).
    lines: Vec<u64>,
}

impl Table {
    /// Reads `dir/name`. A missing file, an empty file (no header), a row with another
    /// number of fields than the header (a torn last line) are errors naming the file.
    pub fn read(dir: &Path, name: &str) -> Result<Table, ReportError> {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).map_err(|source| ReportError::Io {
            file: path.display().to_string(),
            source,
        })?;
        Table::parse(&path.display().to_string(), &text)
    }

    /// Parses CSV text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Table, ReportError> {
        if !text.is_empty() && !text.ends_with('\n') {
            let line = text.lines().count() as u64;
            return Err(ReportError::at(
                file,
                line,
                "the last line does not end with a newline: the file is truncated \
                 (was the run killed while writing it?)",
            ));
        }
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| csv_error(file, &e))?
            .iter()
            .map(str::to_owned)
            .collect();
        if header.is_empty() || header.iter().all(String::is_empty) {
            return Err(ReportError::at(
                file,
                1,
                "the file is empty (no header row)",
            ));
        }
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(file, &e))?;
            lines.push(record.position().map_or(0, |p| p.line()));
            rows.push(record);
        }
        Ok(Table {
            file: file.to_owned(),
            header,
            rows,
            lines,
        })
    }

    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The column names, in file order.
    pub fn columns(&self) -> &[String] {
        &self.header
    }

    /// The index of a column the report needs: an error naming the file when absent.
    pub fn index(&self, column: &str) -> Result<usize, ReportError> {
        self.header
            .iter()
            .position(|h| h == column)
            .ok_or_else(|| ReportError::MissingColumn {
                file: self.file.clone(),
                column: column.to_owned(),
            })
    }

    /// The text of row `row`, column `col`.
    pub fn text(&self, row: usize, col: usize) -> &str {
        self.rows[row].get(col).unwrap_or("")
    }

    /// Row `row`, column `col` as a number (empty cells are `None`: an endpoint not
    /// reached); text that is not a number is an error naming file, line and column.
    pub fn number(&self, row: usize, col: usize) -> Result<Option<f64>, ReportError> {
        let cell = self.text(row, col);
        if cell.is_empty() {
            return Ok(None);
        }
        cell.parse::<f64>().map(Some).map_err(|_| {
            ReportError::at(
                &self.file,
                self.lines[row],
                &format!("column {}: {cell:?} is not a number", self.header[col]),
            )
        })
    }

    /// Like [`number`](Self::number), but an empty cell is an error too.
    pub fn required(&self, row: usize, col: usize) -> Result<f64, ReportError> {
        self.number(row, col)?.ok_or_else(|| {
            ReportError::at(
                &self.file,
                self.lines[row],
                &format!("column {} is empty", self.header[col]),
            )
        })
    }
}

fn csv_error(file: &str, error: &csv::Error) -> ReportError {
    let line = error.position().map_or(0, |p| p.line());
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "a row with {len} fields where the header has {expected_len}: \
             the file is truncated or not an immunosim output"
        ),
        _ => error.to_string(),
    };
    ReportError::at(file, line, &message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_row_is_an_error_naming_the_file_and_line() {
        let err = Table::parse("timeseries.csv", "day,a,b\n1,2,3\n2,or").unwrap_err();
        assert_eq!(
            err.to_string(),
            "timeseries.csv:3: the last line does not end with a newline: the file is \
             truncated (was the run killed while writing it?)"
        );
        let err = Table::parse("serology.csv", "day,a,b\n1,2,3\n2,4\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("serology.csv:3: a row with 2 fields"),
            "{err}"
        );
    }

    #[test]
    fn columns_are_found_by_name_and_cells_parsed_with_their_line() {
        let table = Table::parse("s.csv", "day,x,y\n0,1.5,\n1,abc,2\n").unwrap();
        let x = table.index("x").unwrap();
        assert_eq!(table.number(0, x).unwrap(), Some(1.5));
        assert_eq!(table.number(0, table.index("y").unwrap()).unwrap(), None);
        assert_eq!(
            table.number(1, x).unwrap_err().to_string(),
            "s.csv:3: column x: \"abc\" is not a number"
        );
        assert_eq!(
            table.index("z").unwrap_err().to_string(),
            "s.csv: column z is missing (is this an immunosim run folder of another version?)"
        );
        assert!(Table::parse("e.csv", "").is_err());
    }
}
