//! `immunosim report RUN_DIR` and `run --report`: the run folder's plots and page.

use crate::failure::Failure;
use immunosim_report::ReportError;
use std::path::Path;

/// Writes `report.html` and `plot_*.svg` into the run folder `dir`. A folder whose files
/// are missing, torn or of another version is bad input (exit 2); a failed write is a
/// failed run (exit 1).
pub fn report(dir: &Path) -> Result<(), Failure> {
    match immunosim_report::write(dir, env!("CARGO_PKG_VERSION")) {
        Ok(written) => {
            eprintln!(
                "report: {} ({} plots)",
                written[0].display(),
                written.len() - 1
            );
            Ok(())
        }
        Err(e @ ReportError::Write(_)) => Err(Failure::Run(e.into())),
        Err(e) => Err(Failure::BadInput(format!(
            "error: cannot report on {}: {e}",
            dir.display()
        ))),
    }
}
