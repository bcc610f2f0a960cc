//! What can go wrong when reading a run folder or writing its report.

use thiserror::Error;

/// A report error: each names the file it is about.
#[derive(Debug, Error)]
pub enum ReportError {
    /// A file could not be read or written.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A report file could not be written.
    #[error(transparent)]
    Write(immunosim_output::OutputError),
    /// A file's content is malformed at a line.
    #[error("{file}:{line}: {message}")]
    At {
        /// The file.
        file: String,
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A column the report needs is not in the file's header.
    #[error(
        "{file}: column {column} is missing (is this an immunosim run folder of another version?)"
    )]
    MissingColumn {
        /// The file.
        file: String,
        /// The column.
        column: String,
    },
    /// `run.toml` lacks a value the report needs or is not TOML.
    #[error("{file}: {message}")]
    Scenario {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The plotting library failed to draw a panel.
    #[error("panel {panel}: {message}")]
    Plot {
        /// The panel's id.
        panel: String,
        /// The plotting library's message.
        message: String,
    },
}

impl ReportError {
    /// A malformed-content error at `file:line`.
    pub fn at(file: &str, line: u64, message: &str) -> ReportError {
        ReportError::At {
            file: file.to_owned(),
            line,
            message: message.to_owned(),
        }
    }
}
