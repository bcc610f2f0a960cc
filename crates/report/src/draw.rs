//! Drawing a [`Panel`] as an SVG with plotters.
//!
//! Colours are the Okabe–Ito palette (distinguishable with the common colour-vision
//! deficiencies) and every curve after the first also differs by its dash, so that a
//! greyscale print keeps curves apart. The legend sits beside the plot, never over data.
//! Text is laid out with the bundled DejaVu Sans, so a machine without system fonts
//! draws the same file.

use crate::downsample::thin;
use crate::error::ReportError;
use crate::format::{LEGEND_CHARS, tick, wrap};
use crate::panel::{EventLine, Panel};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use std::ops::Range;
use std::sync::Once;

/// Panel size in pixels: two panels fit a laptop screen's height, one its width.
pub const WIDTH: u32 = 960;
/// Panel height in pixels.
pub const HEIGHT: u32 = 380;
/// Width of the legend column beside the plot.
const LEGEND_WIDTH: u32 = 300;
/// Curves are thinned to about four points per bucket (`downsample.rs`): 600 buckets,
/// about one per pixel column of the plot.
const BUCKETS: usize = 600;

/// Okabe & Ito (2008) colour-blind-safe palette, yellow left out (unreadable on white).
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 0, 0),
    RGBColor(230, 159, 0),
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
];
/// Dash (on, off) lengths in pixels per curve style; `None` is a solid line.
const DASHES: [Option<(u32, u32)>; 4] = [None, Some((8, 4)), Some((2, 3)), Some((12, 3))];
/// Tags written at the top of treatment-event lines, by event style (`patient.rs` order).
const EVENT_TAGS: [&str; 7] = ["LA", "LD", "CAR-T", "vacc", "IVIG", "bridge", "bridge end"];
const EVENT_DASHES: [Option<(u32, u32)>; 7] = [
    Some((12, 3)),
    Some((6, 3)),
    None,
    Some((2, 3)),
    Some((10, 6)),
    Some((4, 8)),
    Some((4, 8)),
];
const EVENT_GREY: RGBColor = RGBColor(110, 110, 110);
const THRESHOLD_RED: RGBColor = RGBColor(170, 30, 30);
const BAND_GREEN: RGBColor = RGBColor(0, 158, 115);
/// Span fills by `Span::shade`: 0 sky blue (aplasia), 1–3 orange to vermillion (CRS
/// grades 1, 2, ≥ 3), with their opacities.
const SPAN_FILLS: [(RGBColor, f64); 4] = [
    (RGBColor(86, 180, 233), 0.25),
    (RGBColor(230, 159, 0), 0.18),
    (RGBColor(230, 159, 0), 0.40),
    (RGBColor(213, 94, 0), 0.50),
];

/// The panel as an SVG document.
pub fn svg(panel: &Panel, events: &[EventLine]) -> Result<String, ReportError> {
    register_font();
    let fail = |e: &dyn std::fmt::Display| ReportError::Plot {
        panel: panel.id.to_owned(),
        message: e.to_string(),
    };
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let (plot, legend_area) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
        let (x0, x1) = panel.day_range();
        let (y0, y1) = panel.value_range();
        let x = x0..x1.max(x0 + 1.0);
        if panel.log_y {
            chart(&plot, panel, events, x, (y0..y1).log_scale(), y0..y1).map_err(|e| fail(&e))?;
        } else {
            chart(&plot, panel, events, x, y0..y1, y0..y1).map_err(|e| fail(&e))?;
        }
        legend(&legend_area, panel, events).map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(out)
}

type DrawResult =
    Result<(), DrawingAreaErrorKind<<SVGBackend<'static> as DrawingBackend>::ErrorType>>;

fn chart<Y>(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    panel: &Panel,
    events: &[EventLine],
    x: Range<f64>,
    y_spec: Y,
    y: Range<f64>,
) -> DrawResult
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, ("sans-serif", 22))
        .margin(8)
        .x_label_area_size(48)
        .y_label_area_size(76)
        .build_cartesian_2d(x.clone(), y_spec)?;
    chart
        .configure_mesh()
        .x_desc(&panel.x_label)
        .y_desc(&panel.y_label)
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 16))
        .x_labels(if panel.bars.is_empty() { 12 } else { 6 })
        .y_labels(8)
        .max_light_lines(1)
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(215, 215, 215))
        .y_label_formatter(&|v| tick(*v))
        .x_label_formatter(&|v| tick(*v))
        .draw()?;
    let floor = |v: f64| if panel.log_y { v.max(y.start) } else { v };
    for span in &panel.spans {
        let (colour, opacity) = SPAN_FILLS[usize::from(span.shade.min(3))];
        chart.draw_series(std::iter::once(Rectangle::new(
            [(span.from, y.start), (span.to, y.end)],
            colour.mix(opacity).filled(),
        )))?;
    }
    for band in &panel.bands {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x.start, floor(band.low)), (x.end, floor(band.high))],
            BAND_GREEN.mix(0.15).filled(),
        )))?;
    }
    for ribbon in &panel.ribbons {
        let colour = PALETTE[ribbon.style % PALETTE.len()];
        let mut outline: Vec<(f64, f64)> = ribbon
            .points
            .iter()
            .map(|&(d, _, hi)| (d, floor(hi)))
            .collect();
        outline.extend(ribbon.points.iter().rev().map(|&(d, lo, _)| (d, floor(lo))));
        chart.draw_series(std::iter::once(Polygon::new(
            outline,
            colour.mix(0.18).filled(),
        )))?;
    }
    for bar in &panel.bars {
        let colour = PALETTE[bar.style % PALETTE.len()];
        chart.draw_series(std::iter::once(Rectangle::new(
            [(bar.from, floor(0.0)), (bar.to, floor(bar.height))],
            colour.mix(0.85).filled(),
        )))?;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(bar.from, floor(0.0)), (bar.to, floor(bar.height))],
            PALETTE[0].stroke_width(1),
        )))?;
    }
    let event_days: Vec<f64> = events.iter().map(|e| e.day).collect();
    let mut last_tag: Option<(usize, f64)> = None;
    let mut tags = 0;
    for event in events.iter().filter(|e| x.start <= e.day && e.day <= x.end) {
        let points = [(event.day, y.start), (event.day, y.end)];
        dashed(
            &mut chart,
            &points,
            EVENT_DASHES[event.style],
            EVENT_GREY,
            1,
        )?;
        let repeat = last_tag.is_some_and(|(s, d)| s == event.style && event.day - d <= 3.0);
        if !repeat {
            // Tags of nearby events are stacked, not written over each other.
            let (px, py) = chart.backend_coord(&(event.day, y.end));
            let font = ("sans-serif", 13).into_font().color(&EVENT_GREY);
            area.draw(&Text::new(
                EVENT_TAGS[event.style],
                (px + 3, py + 2 + 15 * (tags % 3)),
                font,
            ))?;
            tags += 1;
        }
        last_tag = Some((event.style, event.day));
    }
    for threshold in &panel.thresholds {
        let points = [
            (x.start, floor(threshold.value)),
            (x.end, floor(threshold.value)),
        ];
        dashed(&mut chart, &points, Some((6, 4)), THRESHOLD_RED, 1)?;
    }
    for line in &panel.lines {
        let points: Vec<(f64, f64)> = thin(&line.points, BUCKETS, &event_days)
            .into_iter()
            .map(|(d, v)| (d, floor(v)))
            .collect();
        let colour = PALETTE[line.style % PALETTE.len()];
        dashed(
            &mut chart,
            &points,
            DASHES[line.style % DASHES.len()],
            colour,
            2,
        )?;
    }
    for marker in &panel.markers {
        let at = (marker.day, floor(marker.value));
        let style = PALETTE[0].stroke_width(2);
        match marker.shape {
            0 => chart.draw_series(std::iter::once(Circle::new(at, 5, style)))?,
            1 => chart.draw_series(std::iter::once(TriangleMarker::new(at, 6, style)))?,
            _ => chart.draw_series(std::iter::once(Cross::new(at, 5, style)))?,
        };
    }
    Ok(())
}

/// A polyline, solid or with a dash pattern.
fn dashed<Y>(
    chart: &mut ChartContext<
        '_,
        SVGBackend<'_>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, Y>,
    >,
    points: &[(f64, f64)],
    dash: Option<(u32, u32)>,
    colour: RGBColor,
    width: u32,
) -> DrawResult
where
    Y: Ranged<ValueType = f64>,
{
    let style = colour.stroke_width(width);
    match dash {
        None => chart.draw_series(std::iter::once(PathElement::new(points.to_vec(), style)))?,
        Some((on, off)) => chart.draw_series(std::iter::once(DashedPathElement::new(
            points.iter().copied(),
            on,
            off,
            style,
        )))?,
    };
    Ok(())
}

/// The legend column: one row per curve, band, span, threshold, marker and event kind.
fn legend(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    panel: &Panel,
    events: &[EventLine],
) -> DrawResult {
    let font = ("sans-serif", 15).into_font();
    let mut row = 0;
    let mut seen: Vec<String> = Vec::new();
    let mut entry = |area: &DrawingArea<SVGBackend<'_>, Shift>,
                     label: &str,
                     glyph: &dyn Fn(i32) -> DrawResult|
     -> DrawResult {
        if seen.iter().any(|s| s == label) {
            return Ok(());
        }
        seen.push(label.to_owned());
        let y = 44 + 22 * row;
        glyph(y)?;
        for part in wrap(label, LEGEND_CHARS) {
            area.draw(&Text::new(part, (40, 44 + 22 * row - 8), font.clone()))?;
            row += 1;
        }
        Ok(())
    };
    for line in &panel.lines {
        let colour = PALETTE[line.style % PALETTE.len()];
        let dash = DASHES[line.style % DASHES.len()];
        entry(area, &line.label, &|y| sample(area, y, dash, colour, 2))?;
    }
    for ribbon in &panel.ribbons {
        let colour = PALETTE[ribbon.style % PALETTE.len()];
        entry(area, &ribbon.label, &|y| {
            area.draw(&Rectangle::new(
                [(6, y - 6), (32, y + 4)],
                colour.mix(0.3).filled(),
            ))
        })?;
    }
    for bar in &panel.bars {
        let colour = PALETTE[bar.style % PALETTE.len()];
        entry(area, &bar.label, &|y| {
            area.draw(&Rectangle::new(
                [(6, y - 6), (32, y + 4)],
                colour.mix(0.85).filled(),
            ))
        })?;
    }
    for band in &panel.bands {
        entry(area, &band.label, &|y| {
            area.draw(&Rectangle::new(
                [(6, y - 6), (32, y + 4)],
                BAND_GREEN.mix(0.3).filled(),
            ))
        })?;
    }
    for span in &panel.spans {
        let (colour, opacity) = SPAN_FILLS[usize::from(span.shade.min(3))];
        entry(area, &span.label, &|y| {
            area.draw(&Rectangle::new(
                [(6, y - 6), (32, y + 4)],
                colour.mix(opacity).filled(),
            ))
        })?;
    }
    for threshold in &panel.thresholds {
        entry(area, &threshold.label, &|y| {
            sample(area, y, Some((6, 4)), THRESHOLD_RED, 1)
        })?;
    }
    for marker in &panel.markers {
        let shape = marker.shape;
        entry(area, &marker.label, &|y| {
            let style = PALETTE[0].stroke_width(2);
            match shape {
                0 => area.draw(&Circle::new((19, y), 5, style)),
                1 => area.draw(&TriangleMarker::new((19, y), 6, style)),
                _ => area.draw(&Cross::new((19, y), 5, style)),
            }
        })?;
    }
    for event in events {
        let label = format!("{} ({})", event.label, EVENT_TAGS[event.style]);
        entry(area, &label, &|y| {
            sample(area, y, EVENT_DASHES[event.style], EVENT_GREY, 1)
        })?;
    }
    Ok(())
}

fn sample(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    y: i32,
    dash: Option<(u32, u32)>,
    colour: RGBColor,
    width: u32,
) -> DrawResult {
    let points = [(6, y), (32, y)];
    let style = colour.stroke_width(width);
    match dash {
        None => area.draw(&PathElement::new(points.to_vec(), style)),
        Some((on, off)) => area.draw(&DashedPathElement::new(points, on, off, style)),
    }
}

/// Registers the bundled DejaVu Sans as the `sans-serif` family plotters lays text out
/// with (once per process).
fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font shipped by the `dejavu` crate; a failure
        // here would be a broken build, not bad input.
        let ok = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        )
        .is_ok()
            && plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold())
                .is_ok();
        debug_assert!(ok, "the bundled DejaVu Sans font did not load");
    });
}
