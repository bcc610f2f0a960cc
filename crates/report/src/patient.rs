//! The single-patient panels: what a clinic follows after a CAR-T infusion.

use crate::format::sig;
use crate::panel::{Band, EventLine, Line, Marker, Panel, Span, Threshold};
use crate::run_data::{Points, RunData};
use immunosim_model::cell::Population;
use immunosim_outcomes::APLASIA_B_CELLS_PER_UL;

/// Treatment events drawn on every panel, with their legend text.
const TREATMENT_EVENTS: [(&str, &str); 7] = [
    ("leukapheresis", "leukapheresis"),
    ("lymphodepletion", "lymphodepletion"),
    ("infusion", "CAR-T infusion"),
    ("vaccination", "vaccination"),
    ("ivig", "IVIG"),
    ("bridging_start", "bridging start"),
    ("bridging_end", "bridging end"),
];

/// Adult serum IgG reference range, g/L (laboratory reference tables, age ≥ 10 years:
/// 7.68–16.32 g/L; `data/physiology.csv` row `igg_serum_normal`).
pub const IGG_NORMAL_G_PER_L: (f64, f64) = (7.68, 16.32);

/// The lowest value drawn on log axes of blood counts (cells/µL): one cell in 100 µL,
/// below what flow cytometry reports.
const COUNT_FLOOR_PER_UL: f64 = 0.01;

/// The treatment events of the run as vertical lines.
pub fn event_lines(run: &RunData) -> Vec<EventLine> {
    run.events
        .iter()
        .filter_map(|e| {
            let style = TREATMENT_EVENTS.iter().position(|(k, _)| *k == e.kind)?;
            Some(EventLine {
                label: TREATMENT_EVENTS[style].1.to_owned(),
                day: e.day,
                style,
            })
        })
        .collect()
}

/// Every single-patient panel that the run has data for, in reading order.
pub fn panels(run: &RunData) -> Vec<Panel> {
    let x_label = if run.from_infusion {
        "days from first CAR-T infusion"
    } else {
        "days from the end of burn-in"
    };
    let mut out = vec![
        car_t(run),
        b_cells(run),
        plasmablasts(run),
        plasma_cells(run),
        total_igg(run),
        antibodies(run),
        il6_crs(run),
        disease(run),
        t_cells(run),
    ];
    for panel in &mut out {
        panel.x_label = x_label.to_owned();
    }
    out.retain(Panel::has_data);
    out
}

fn car_t(run: &RunData) -> Panel {
    let lines = run
        .car_t
        .iter()
        .enumerate()
        .map(|(i, (product, points))| line(product, points.clone(), i))
        .collect();
    let several = run.products.len() > 1;
    let markers = run
        .products
        .iter()
        .filter_map(|peak| {
            let (cmax, tmax) = (peak.cmax_per_ul?, peak.tmax_day?);
            let text = format!("Cmax {}/µL on day {}", sig(cmax), sig(tmax));
            Some(Marker {
                label: if several {
                    format!("{}: {text}", peak.product)
                } else {
                    text
                },
                day: tmax,
                value: cmax,
                shape: 0,
            })
        })
        .collect();
    Panel {
        id: "car_t",
        title: "CAR-T cells in blood".into(),
        y_label: "CAR-T cells/µL (log)".into(),
        log_y: true,
        log_floor: COUNT_FLOOR_PER_UL,
        lines,
        markers,
        caption: "All phenotypes and CD4/CD8 summed per product; the marker is each \
                  product's peak (Cmax at Tmax)."
            .into(),
        ..Panel::default()
    }
}

fn b_cells(run: &RunData) -> Panel {
    let all: Vec<&str> = Population::LIVING
        .iter()
        .filter(|p| p.is_b_cell())
        .map(|p| p.name())
        .collect();
    let mut lines = vec![line("all B cells", sum(run, &all), 0)];
    for (i, (name, label)) in [
        ("b_transitional", "transitional"),
        ("b_naive", "naive"),
        ("b_memory", "memory"),
    ]
    .into_iter()
    .enumerate()
    {
        lines.push(line(label, sum(run, &[name]), i + 1));
    }
    let mut spans = Vec::new();
    if let Some(start) = run.endpoint_day("b_aplasia_start_day") {
        let end = run
            .endpoint_day("b_return_day")
            .unwrap_or(lines[0].points.last().map_or(start, |p| p.0));
        spans.push(Span {
            label: "B-cell aplasia".into(),
            from: start,
            to: end,
            shade: 0,
        });
    }
    Panel {
        id: "b_cells",
        title: "B cells in blood".into(),
        y_label: "B cells/µL (log)".into(),
        log_y: true,
        log_floor: COUNT_FLOOR_PER_UL,
        lines,
        spans,
        thresholds: vec![Threshold {
            label: format!("aplasia threshold {APLASIA_B_CELLS_PER_UL}/µL"),
            value: APLASIA_B_CELLS_PER_UL,
        }],
        caption: "Aplasia runs from the first day below the threshold to B-cell return \
                  (the count held at or above it); counts of zero sit on the axis floor."
            .into(),
        ..Panel::default()
    }
}

fn plasmablasts(run: &RunData) -> Panel {
    Panel {
        id: "plasmablasts",
        title: "Plasmablasts in blood".into(),
        y_label: "plasmablasts/µL (log)".into(),
        log_y: true,
        log_floor: COUNT_FLOOR_PER_UL,
        lines: vec![line("plasmablasts", sum(run, &["plasmablast"]), 0)],
        ..Panel::default()
    }
}

fn plasma_cells(run: &RunData) -> Panel {
    let billions = |points: Option<&Points>| -> Points {
        points.map_or_else(Vec::new, |p| p.iter().map(|&(d, v)| (d, v / 1e9)).collect())
    };
    Panel {
        id: "plasma_cells",
        title: "Plasma cells, whole body".into(),
        y_label: "plasma cells (10⁹ cells)".into(),
        lines: vec![line(
            "plasma cells",
            billions(run.body.get("plasma_cell")),
            0,
        )],
        caption: "Long-lived plasma cells in marrow and tissues make most serum IgG; \
                  CAR-T kill those that carry their target."
            .into(),
        ..Panel::default()
    }
}

fn total_igg(run: &RunData) -> Panel {
    Panel {
        id: "igg",
        title: "Total serum IgG".into(),
        y_label: "IgG (g/L)".into(),
        lines: vec![line("total IgG", column(run, "total_igg_g_per_L"), 0)],
        bands: vec![Band {
            label: format!(
                "adult reference range {}–{} g/L",
                IGG_NORMAL_G_PER_L.0, IGG_NORMAL_G_PER_L.1
            ),
            low: IGG_NORMAL_G_PER_L.0,
            high: IGG_NORMAL_G_PER_L.1,
        }],
        ..Panel::default()
    }
}

fn antibodies(run: &RunData) -> Panel {
    let mut lines = vec![line(
        "autoantibody",
        column(run, "autoantibody_mg_per_L"),
        0,
    )];
    for (i, (name, points)) in run
        .serology
        .iter()
        .filter(|(name, _)| name.starts_with("vaccine_") && name.ends_with("_igg_mg_per_L"))
        .enumerate()
    {
        let label = name.trim_end_matches("_igg_mg_per_L").replace('_', " ");
        lines.push(line(&format!("{label} IgG"), points.clone(), i + 1));
    }
    Panel {
        id: "antibodies",
        title: "Autoantibody and vaccine antibodies".into(),
        y_label: "antibody (mg/L, log)".into(),
        log_y: true,
        log_floor: 0.01,
        lines,
        thresholds: run
            .scenario
            .autoantibody_positive
            .map(|value| Threshold {
                label: format!("autoantibody positive ≥ {} mg/L", sig(value)),
                value,
            })
            .into_iter()
            .collect(),
        caption: "Vaccine IgG comes from long-lived plasma cells that CD19 CAR-T spare \
                  when they are CD19-negative; BCMA CAR-T remove them."
            .into(),
        ..Panel::default()
    }
}

fn il6_crs(run: &RunData) -> Panel {
    let il6 = column(run, "il6_pg_per_mL");
    let mut spans = Vec::new();
    let grades = column(run, "crs_grade");
    for window in grades.windows(2) {
        let ((day, grade), (next, _)) = (window[0], window[1]);
        if grade >= 1.0 {
            let shade = grade.min(3.0) as u8;
            let label = match shade {
                1 => "CRS grade 1",
                2 => "CRS grade 2",
                _ => "CRS grade ≥ 3",
            };
            spans.push(Span {
                label: label.into(),
                from: day,
                to: next,
                shade,
            });
        }
    }
    let value_on = |day: f64| {
        il6.iter()
            .min_by(|a, b| (a.0 - day).abs().total_cmp(&(b.0 - day).abs()))
            .map_or(1.0, |p| p.1)
    };
    let markers = run
        .events
        .iter()
        .filter_map(|e| {
            let (label, shape) = match e.kind.as_str() {
                "tocilizumab" => ("tocilizumab dose", 1),
                "dexamethasone" => ("dexamethasone dose", 2),
                _ => return None,
            };
            Some(Marker {
                label: label.into(),
                day: e.day,
                value: value_on(e.day),
                shape,
            })
        })
        .collect();
    Panel {
        id: "il6_crs",
        title: "IL-6 and cytokine release syndrome".into(),
        y_label: "IL-6 (pg/mL, log)".into(),
        log_y: true,
        log_floor: 0.1,
        lines: vec![line("serum IL-6", il6, 0)],
        spans,
        markers,
        caption: "Shading: CRS grade (ASTCT-like, darker is higher); markers: drug doses.".into(),
        ..Panel::default()
    }
}

fn disease(run: &RunData) -> Panel {
    let scale = run
        .summary
        .iter()
        .find(|(c, _)| c == "score_scale")
        .map_or_else(|| "score".to_owned(), |(_, v)| scale_name(v));
    Panel {
        id: "disease",
        title: "Disease activity".into(),
        y_label: format!("activity score ({scale}, points)"),
        lines: vec![
            line("activity score", column(run, "activity_score"), 0),
            line("damage index (SDI-like)", column(run, "damage_index"), 1),
        ],
        thresholds: run
            .scenario
            .remission_score
            .map(|value| Threshold {
                label: format!("remission: score ≤ {}", sig(value)),
                value,
            })
            .into_iter()
            .collect(),
        ..Panel::default()
    }
}

fn t_cells(run: &RunData) -> Panel {
    let names = |prefix: &str| -> Vec<&'static str> {
        Population::LIVING
            .iter()
            .filter(|p| p.is_t_cell() && p.name().starts_with(prefix))
            .map(|p| p.name())
            .collect()
    };
    Panel {
        id: "t_cells",
        title: "Host T cells in blood".into(),
        y_label: "T cells/µL".into(),
        lines: vec![
            line("CD4", sum(run, &names("cd4_")), 0),
            line("CD8", sum(run, &names("cd8_")), 1),
            line("naive CD4", sum(run, &["cd4_naive"]), 2),
        ],
        thresholds: vec![Threshold {
            label: "CD4 200/µL".into(),
            value: 200.0,
        }],
        ..Panel::default()
    }
}

/// `sledai_like` → `SLEDAI-like`: the clinical score a preset's score mimics.
fn scale_name(scale: &str) -> String {
    match scale.strip_suffix("_like") {
        Some(name) => format!("{}-like", name.to_uppercase().replace('_', " ")),
        None => scale.replace('_', " "),
    }
}

fn line(label: &str, points: Points, style: usize) -> Line {
    Line {
        label: label.to_owned(),
        points,
        style,
    }
}

fn column(run: &RunData, name: &str) -> Points {
    run.serology.get(name).cloned().unwrap_or_default()
}

/// The day-by-day sum of blood counts of `populations`.
fn sum(run: &RunData, populations: &[&str]) -> Points {
    let series: Vec<&Points> = populations
        .iter()
        .filter_map(|p| run.blood.get(*p))
        .collect();
    let Some(first) = series.first() else {
        return Vec::new();
    };
    first
        .iter()
        .enumerate()
        .map(|(i, &(day, _))| {
            (
                day,
                series.iter().map(|s| s.get(i).map_or(0.0, |p| p.1)).sum(),
            )
        })
        .collect()
}
