//! One run per output folder: an advisory lock (`flock`) on `DIR/immunosim.lock`,
//! held for the whole run or resume. The kernel drops it when the process ends, however
//! it ends, so a killed run never leaves a folder locked; the file itself stays (it is
//! never removed: a process that unlinked it would let a third one lock a new file
//! while the second still holds the old).

use crate::error::{OutputError, io};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The lock file's name in an output folder.
pub const LOCK_FILE: &str = "immunosim.lock";

/// A held lock on an output folder; released when dropped (or the process ends).
#[derive(Debug)]
pub struct OutDirLock {
    _file: File,
    path: PathBuf,
}

impl OutDirLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Creates `dir` if missing and locks it for this process. A folder another process
/// holds is [`OutputError::InUse`], naming that process as its lock file tells it. On
/// a file system without `flock`, the run goes on unlocked (`Ok(None)`) after a
/// warning: the lock guards against a mistake, it is not needed for a run's outputs.
pub fn lock_out_dir(dir: &Path) -> Result<Option<OutDirLock>, OutputError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let path = dir.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io(&path))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            return Err(OutputError::InUse {
                dir: dir.to_path_buf(),
                holder: holder.trim().to_string(),
            });
        }
        Err(TryLockError::Error(e)) => {
            eprintln!(
                "warning: cannot lock {} ({e}); nothing stops another run from writing into {} at the same time",
                path.display(),
                dir.display()
            );
            return Ok(None);
        }
    }
    let holder = format!("pid {}", std::process::id());
    file.set_len(0)
        .and_then(|()| file.write_all(format!("{holder}\n").as_bytes()))
        .map_err(io(&path))?;
    Ok(Some(OutDirLock { _file: file, path }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locked_folder_is_refused_until_the_lock_is_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let held = lock_out_dir(&dir)
            .unwrap()
            .expect("tmp file systems have flock");
        let refused = lock_out_dir(&dir).unwrap_err().to_string();
        assert!(
            refused.contains("in use by another immunosim run"),
            "{refused}"
        );
        assert!(
            refused.contains(&format!("pid {}", std::process::id())),
            "{refused}"
        );
        drop(held);
        assert!(lock_out_dir(&dir).unwrap().is_some());
    }
}
