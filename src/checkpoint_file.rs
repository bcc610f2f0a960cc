//! Checkpoint files: written atomically (temporary file, fsync, rename, fsync of the
//! folder) so that a kill at any moment leaves either the previous checkpoint or the
//! new one, whole; read back with an error that names the file and what is wrong.

use immunosim_engine::checkpoint::{self, Checkpoint};
use immunosim_engine::state::PatientState;
use immunosim_output::OutputState;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The rolling checkpoint of a run (`--checkpoint-every`), which `immunosim resume`
/// continues from.
pub const ROLLING: &str = "checkpoint.ckpt";

/// The kept checkpoint of `--checkpoint-at DAY`.
pub fn at_day_name(day: f64) -> String {
    format!("checkpoint_day{day}.ckpt")
}

/// What the binary saves beside the engine's state: where the outputs stand and the
/// options the run was started with, so that `resume` needs nothing but the folder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunPosition {
    /// Lengths of the daily files and the summary accumulators.
    pub output: OutputState,
    /// `--checkpoint-every`, in steps.
    pub checkpoint_every_steps: Option<u64>,
    /// `--checkpoint-at`, as (boundary, day).
    pub checkpoint_at: Vec<(u64, f64)>,
}

/// A checkpoint that cannot be used: exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {what}")]
pub struct BadCheckpoint {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub what: String,
}

/// A decoded checkpoint file.
pub struct Loaded {
    /// The resolved scenario of the run that wrote it.
    pub scenario_toml: String,
    /// Where its outputs stood.
    pub position: RunPosition,
    /// The patient.
    pub state: PatientState,
}

/// Writes a checkpoint to `path` atomically.
pub fn write(
    path: &Path,
    scenario_toml: &str,
    position: &RunPosition,
    state: &PatientState,
) -> std::io::Result<u64> {
    let extra = postcard::to_stdvec(position).map_err(std::io::Error::other)?;
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    let written = (|| -> std::io::Result<u64> {
        let mut file = std::io::BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        let written = checkpoint::write_to(&mut file, scenario_toml, &extra, state)?;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok(written)
    })();
    let written = written.inspect_err(|_| {
        // A checkpoint cut short (a full disk) is no use, and holds the space it took.
        let _ = std::fs::remove_file(&tmp);
    })?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename itself is durable only once the folder is.
        File::open(dir)?.sync_all()?;
    }
    Ok(written)
}

/// Reads and checks a checkpoint file.
pub fn read(path: &Path) -> Result<Loaded, BadCheckpoint> {
    let bad = |what: String| BadCheckpoint {
        path: path.to_path_buf(),
        what,
    };
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read the checkpoint: {e}")))?;
    let Checkpoint {
        scenario_toml,
        outputs,
        state,
    } = checkpoint::decode(&bytes).map_err(|e| bad(e.to_string()))?;
    let position: RunPosition = postcard::from_bytes(&outputs).map_err(|e| {
        bad(format!(
            "corrupted: the output positions do not decode ({e})"
        ))
    })?;
    Ok(Loaded {
        scenario_toml,
        position,
        state,
    })
}
