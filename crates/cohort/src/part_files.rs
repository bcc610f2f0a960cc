//! Where each patient's part files live in a cohort folder (`parts/`), when a patient
//! counts as finished, and how a part's text is read: shared by the rows and series
//! (`parts`) and the economics part (`economics`).

use crate::CohortError;
use std::path::{Path, PathBuf};

/// Folder of the parts.
pub const DIR: &str = "parts";

/// The rows file of patient `k`.
pub fn rows_path(out: &Path, k: u64) -> PathBuf {
    out.join(DIR).join(format!("patient_{k:06}.csv"))
}

/// The series file of patient `k`.
pub fn series_path(out: &Path, k: u64) -> PathBuf {
    out.join(DIR).join(format!("patient_{k:06}_series.csv"))
}

/// Whether patient `k` is finished in `out`.
pub fn finished(out: &Path, k: u64) -> bool {
    rows_path(out, k).is_file()
}

/// Why a part without its final newline is refused: parts are written whole
/// (atomically), so one cut short was damaged after (an interrupted copy).
const CUT_SHORT: &str = "cut short (no final newline), so damaged after it was written (an interrupted copy?): delete it and run its shard again with `immunosim cohort --resume`";

/// A part's text. One that is not UTF-8 or lacks its final newline is damaged (a
/// refusal naming it), not an I/O failure.
pub(crate) fn read_text(path: &Path) -> Result<String, CohortError> {
    let bytes = std::fs::read(path).map_err(|e| CohortError::io(path, e))?;
    let damaged = |what: &str| CohortError::Mismatch(format!("{}: {what}", path.display()));
    let text = String::from_utf8(bytes)
        .map_err(|_| damaged("not text (invalid UTF-8), so damaged after it was written"))?;
    if !text.ends_with('\n') {
        return Err(damaged(CUT_SHORT));
    }
    Ok(text)
}
