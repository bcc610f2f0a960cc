//! What a plot shows, as data: lines, bands, shaded spans, thresholds and markers.
//!
//! Panels are built from a run (`patient.rs`) and drawn by `draw.rs`; keeping the two
//! apart lets tests check what a panel contains without parsing pixels, and keeps the
//! plotting library out of everything but drawing.

use crate::run_data::Points;

/// One plot.
#[derive(Debug, Clone, Default)]
pub struct Panel {
    /// File stem of the panel's SVG (`car_t` → `plots/car_t.svg`) and its HTML id.
    pub id: &'static str,
    /// Title above the plot.
    pub title: String,
    /// The y-axis label, with its unit.
    pub y_label: String,
    /// The x-axis label, with its unit.
    pub x_label: String,
    /// A logarithmic y-axis; values at or below zero are drawn at `log_floor`.
    pub log_y: bool,
    /// The lowest value drawn on a log axis (zeros sit on it; the axis label says so).
    pub log_floor: f64,
    /// The curves.
    pub lines: Vec<Line>,
    /// Horizontal bands (a normal range).
    pub bands: Vec<Band>,
    /// Shaded day spans (aplasia, CRS grade).
    pub spans: Vec<Span>,
    /// Horizontal threshold lines (remission score, positivity cut-off).
    pub thresholds: Vec<Threshold>,
    /// Labelled points (Tmax, drug doses).
    pub markers: Vec<Marker>,
    /// Shaded bands that follow the days (a cohort's interquartile range, a survival
    /// curve's confidence interval), drawn under the curves.
    pub ribbons: Vec<Ribbon>,
    /// Bars (a distribution over categories placed on the x axis).
    pub bars: Vec<Bar>,
    /// A sentence under the plot saying how to read it.
    pub caption: String,
}

/// A curve.
#[derive(Debug, Clone)]
pub struct Line {
    /// Legend text.
    pub label: String,
    /// (day, value) points.
    pub points: Points,
    /// Colour and dash of the curve: index into the palette of `draw.rs`.
    pub style: usize,
}

/// A band between a lower and an upper curve.
#[derive(Debug, Clone)]
pub struct Ribbon {
    /// Legend text.
    pub label: String,
    /// (day, low, high), days ascending.
    pub points: Vec<(f64, f64, f64)>,
    /// Colour: index into the palette of `draw.rs` (the curve it belongs to).
    pub style: usize,
}

/// A bar from `from` to `to` on the x axis, `height` high.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Legend text (bars with one label share one legend entry).
    pub label: String,
    /// Left edge.
    pub from: f64,
    /// Right edge.
    pub to: f64,
    /// Height.
    pub height: f64,
    /// Colour: index into the palette of `draw.rs`.
    pub style: usize,
}

/// A horizontal band between two values.
#[derive(Debug, Clone)]
pub struct Band {
    /// Legend text.
    pub label: String,
    /// Lower edge.
    pub low: f64,
    /// Upper edge.
    pub high: f64,
}

/// A shaded span of days.
#[derive(Debug, Clone)]
pub struct Span {
    /// Legend text (spans with one label share one legend entry).
    pub label: String,
    /// First day.
    pub from: f64,
    /// Last day.
    pub to: f64,
    /// Fill: 0 for B-cell aplasia; 1 (light) to 3 (dark) for CRS grades 1, 2, ≥ 3.
    pub shade: u8,
}

/// A horizontal line at a value.
#[derive(Debug, Clone)]
pub struct Threshold {
    /// Legend text.
    pub label: String,
    /// Its value.
    pub value: f64,
}

/// A labelled point.
#[derive(Debug, Clone)]
pub struct Marker {
    /// Legend text (markers with one label share one legend entry).
    pub label: String,
    /// Day.
    pub day: f64,
    /// Value.
    pub value: f64,
    /// Shape: 0 circle, 1 triangle, 2 cross.
    pub shape: u8,
}

/// Treatment events drawn as vertical lines on every panel.
#[derive(Debug, Clone)]
pub struct EventLine {
    /// Legend text (`lymphodepletion`, `infusion`, ...).
    pub label: String,
    /// Day.
    pub day: f64,
    /// Index into the event palette of `draw.rs`.
    pub style: usize,
}

impl Panel {
    /// Whether the panel has something to draw: at least one curve with a point.
    pub fn has_data(&self) -> bool {
        self.lines.iter().any(|l| !l.points.is_empty()) || !self.bars.is_empty()
    }

    /// The day range of the panel's curves and spans.
    pub fn day_range(&self) -> (f64, f64) {
        let days = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.0))
            .chain(self.spans.iter().flat_map(|s| [s.from, s.to]))
            .chain(
                self.ribbons
                    .iter()
                    .flat_map(|r| r.points.iter().map(|p| p.0)),
            )
            .chain(self.bars.iter().flat_map(|b| [b.from, b.to]));
        min_max(days).unwrap_or((0.0, 1.0))
    }

    /// The value range of everything drawn, floored on a log axis.
    pub fn value_range(&self) -> (f64, f64) {
        let values = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .chain(self.bands.iter().flat_map(|b| [b.low, b.high]))
            .chain(self.thresholds.iter().map(|t| t.value))
            .chain(self.markers.iter().map(|m| m.value))
            .chain(
                self.ribbons
                    .iter()
                    .flat_map(|r| r.points.iter().flat_map(|p| [p.1, p.2])),
            )
            .chain(self.bars.iter().flat_map(|b| [0.0, b.height]));
        let (low, high) = min_max(values).unwrap_or((0.0, 1.0));
        if self.log_y {
            // Whole decades, at least two, so that the axis carries labelled ticks.
            let low = 10f64.powf(low.max(self.log_floor).log10().floor());
            let high = 10f64.powf(high.max(low).log10().ceil()).max(low * 100.0);
            (low, high)
        } else {
            let low = low.min(0.0);
            let high = if high > low { high } else { low + 1.0 };
            (low, high + 0.05 * (high - low))
        }
    }
}

fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}
