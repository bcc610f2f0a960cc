//! What can go wrong with an output folder and its files.

use std::path::{Path, PathBuf};

/// Output failures.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The output directory exists and is not empty.
    #[error(
        "output directory {0} exists and is not empty; choose another --out or pass --force to replace the earlier run's files"
    )]
    NotEmpty(PathBuf),
    /// `--force` into a directory that holds files immunosim does not write.
    #[error(
        "output directory {} holds files immunosim does not write ({}); --force only replaces an earlier run's files: choose another --out or move them",
        dir.display(),
        files.join(", ")
    )]
    Foreign {
        /// The directory.
        dir: PathBuf,
        /// The names of the files that are not a run's, sorted.
        files: Vec<String>,
    },
    /// Another process holds the output directory's lock.
    #[error(
        "output directory {} is in use by another immunosim run ({}); wait for it to end, or choose another --out",
        dir.display(),
        if holder.is_empty() { "its lock file names no process" } else { holder.as_str() }
    )]
    InUse {
        /// The directory.
        dir: PathBuf,
        /// Who holds it, as its lock file says (`pid 1234`).
        holder: String,
    },
    /// A file to resume does not hold what the checkpoint recorded.
    #[error("cannot resume {}: {detail}", path.display())]
    Resume {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// An I/O error on a path.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}
