//! Plots and a self-contained HTML report of an immunosim run folder.
//!
//! [`write`] reads a finished (or interrupted) run folder — `timeseries.csv`,
//! `serology.csv`, `events.csv`, `summary.csv`, `run.toml`, and with products
//! `car_t.csv` and `products.csv` — and writes `report.html` (inline SVG, no script, no
//! network) and the same panels as `plots/<panel>.svg`. Panels are data ([`Panel`]),
//! built in `patient.rs` and drawn in `draw.rs`; only `draw.rs` knows the plotting
//! library.

mod cohort;
mod cohort_data;
mod downsample;
mod draw;
mod error;
mod format;
mod html;
mod panel;
mod patient;
mod run_data;
mod table;

pub use cohort_data::CohortData;
pub use error::ReportError;
pub use panel::{EventLine, Panel};
pub use run_data::RunData;

use std::path::{Path, PathBuf};

pub use immunosim_output::out_dir::{REPORT_FILE, plot_file};

/// A rendered report, not yet written.
#[derive(Debug, Clone)]
pub struct Report {
    /// The page.
    pub html: String,
    /// (panel id, SVG document) per panel, in page order.
    pub svgs: Vec<(String, String)>,
    /// The panels drawn, for callers that check what was drawn.
    pub panels: Vec<Panel>,
}

/// Renders the report of a run already read.
pub fn render(run: &RunData, version: &str) -> Result<Report, ReportError> {
    let panels = patient::panels(run);
    let figures = figures(&panels, &patient::event_lines(run))?;
    let svgs = svgs(&figures);
    let html = html::render(&html::patient_page(run, figures), version);
    Ok(Report { html, svgs, panels })
}

/// Renders the report of a cohort already read.
pub fn render_cohort(cohort: &CohortData, version: &str) -> Result<Report, ReportError> {
    let panels = cohort::panels(cohort);
    let figures = figures(&panels, &[])?;
    let svgs = svgs(&figures);
    let html = html::render(&cohort::page(cohort, figures), version);
    Ok(Report { html, svgs, panels })
}

/// (panel id, caption, SVG) per panel.
type Figures = Vec<(String, String, String)>;

fn figures(panels: &[Panel], events: &[EventLine]) -> Result<Figures, ReportError> {
    panels
        .iter()
        .map(|p| Ok((p.id.to_owned(), p.caption.clone(), draw::svg(p, events)?)))
        .collect()
}

fn svgs(figures: &Figures) -> Vec<(String, String)> {
    figures
        .iter()
        .map(|(id, _, svg)| (id.clone(), svg.clone()))
        .collect()
}

/// Reads the run folder `dir` (or a cohort folder: one holding `cohort_timeseries.csv`)
/// and writes `report.html` and one `plot_<panel>.svg` per panel into it. Each file is written to a temporary name and renamed, so a reader never
/// sees half a file; `run --force` knows these names and replaces them with the run.
/// Returns the paths written, the page first.
pub fn write(dir: &Path, version: &str) -> Result<Vec<PathBuf>, ReportError> {
    let report = if CohortData::is_cohort(dir) {
        render_cohort(&CohortData::read(dir)?, version)?
    } else {
        render(&RunData::read(dir)?, version)?
    };
    let mut written = vec![dir.join(REPORT_FILE)];
    let mut files = vec![(written[0].clone(), report.html.as_str())];
    for (id, svg) in &report.svgs {
        let path = dir.join(plot_file(id));
        written.push(path.clone());
        files.push((path, svg.as_str()));
    }
    for (path, text) in files {
        immunosim_output::write_atomically(&path, text.as_bytes()).map_err(ReportError::Write)?;
    }
    Ok(written)
}
