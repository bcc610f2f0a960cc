//! The cohort panels: each arm's median and interquartile range of the main series,
//! Kaplan–Meier curves with their intervals, and the spread of CRS grade and Cmax.

use crate::cohort_data::{CohortData, SummaryRow};
use crate::format::sig;
use crate::html::{Page, Section};
use crate::panel::{Bar, Line, Panel, Ribbon};
use crate::patient::IGG_NORMAL_G_PER_L;

/// Titles, axis labels and scales of the series `immunosim cohort` writes; a series
/// not listed here is drawn on a linear axis under its own name.
const SERIES: [(&str, &str, &str, &str, bool); 8] = [
    (
        "car_t_blood_per_uL",
        "c_car_t",
        "CAR-T cells in blood",
        "CAR-T cells/µL (log)",
        true,
    ),
    (
        "b_cells_blood_per_uL",
        "c_b_cells",
        "B cells in blood",
        "B cells/µL (log)",
        true,
    ),
    (
        "autoantibody_mg_per_L",
        "c_autoantibody",
        "Autoantibody",
        "autoantibody (mg/L, log)",
        true,
    ),
    (
        "total_igg_g_per_L",
        "c_igg",
        "Total serum IgG",
        "IgG (g/L)",
        false,
    ),
    (
        "vaccine_a_igg_mg_per_L",
        "c_vaccine_a",
        "Vaccine A IgG",
        "vaccine A IgG (mg/L, log)",
        true,
    ),
    (
        "vaccine_b_igg_mg_per_L",
        "c_vaccine_b",
        "Vaccine B IgG",
        "vaccine B IgG (mg/L, log)",
        true,
    ),
    (
        "activity_score",
        "c_score",
        "Disease activity",
        "activity score (points)",
        false,
    ),
    ("il6_pg_per_mL", "c_il6", "IL-6", "IL-6 (pg/mL, log)", true),
];

/// Kaplan–Meier curves of `survival.csv` with their panel ids and titles.
const CURVES: [(&str, &str, &str); 3] = [
    (
        "time_to_relapse",
        "c_km_relapse",
        "Relapse-free (Kaplan–Meier)",
    ),
    (
        "remission_free",
        "c_km_remission",
        "Not yet in remission (Kaplan–Meier)",
    ),
    (
        "aplasia_end",
        "c_km_aplasia",
        "Still in B-cell aplasia (Kaplan–Meier, patients with aplasia)",
    ),
];

const DAYS: &str = "days from day 0";

/// Every cohort panel with data, in reading order.
pub fn panels(cohort: &CohortData) -> Vec<Panel> {
    let style = |arm: &str| cohort.arms.iter().position(|a| a == arm).unwrap_or(0);
    let mut out = Vec::new();
    for (measure, arms) in &cohort.series {
        let known = SERIES.iter().find(|s| s.0 == measure);
        let (id, title, y_label, log) = known.map_or(
            ("c_other", measure.as_str(), measure.as_str(), false),
            |s| (s.1, s.2, s.3, s.4),
        );
        let mut panel = Panel {
            id,
            title: format!("{title}: median and interquartile range per arm"),
            y_label: y_label.into(),
            x_label: DAYS.into(),
            log_y: log,
            log_floor: 0.01,
            ..Panel::default()
        };
        for (arm, points) in arms {
            panel.lines.push(Line {
                label: format!("{arm}: median"),
                points: points.iter().map(|p| (p.0, p.1)).collect(),
                style: style(arm),
            });
            panel.ribbons.push(Ribbon {
                label: format!("{arm}: IQR"),
                points: points.iter().map(|p| (p.0, p.2, p.3)).collect(),
                style: style(arm),
            });
        }
        if *measure == "total_igg_g_per_L" {
            panel.bands.push(crate::panel::Band {
                label: "adult reference range".into(),
                low: IGG_NORMAL_G_PER_L.0,
                high: IGG_NORMAL_G_PER_L.1,
            });
        }
        out.push(panel);
    }
    for (curve, id, title) in CURVES {
        let Some(arms) = cohort.survival.get(curve) else {
            continue;
        };
        let mut panel = Panel {
            id,
            title: title.into(),
            y_label: "share of patients".into(),
            x_label: DAYS.into(),
            caption: "Steps of the Kaplan–Meier estimate with Greenwood 95% intervals; \
                      patients without the event are censored at the end of the run."
                .into(),
            ..Panel::default()
        };
        for (arm, steps) in arms {
            let mut line = Vec::new();
            let mut band = Vec::new();
            for (i, &(day, s, low, high)) in steps.iter().enumerate() {
                if i > 0 {
                    let (_, prev, plow, phigh) = steps[i - 1];
                    line.push((day, prev));
                    band.push((day, plow, phigh));
                }
                line.push((day, s));
                band.push((day, low, high));
            }
            panel.lines.push(Line {
                label: arm.clone(),
                points: line,
                style: style(arm),
            });
            panel.ribbons.push(Ribbon {
                label: format!("{arm}: 95% CI"),
                points: band,
                style: style(arm),
            });
        }
        out.push(panel);
    }
    out.push(crs_grades(cohort, &style));
    out.push(cmax_spread(cohort, &style));
    out.retain(Panel::has_data);
    out
}

/// Share of each arm's patients by maximum CRS grade, bars side by side per grade.
fn crs_grades(cohort: &CohortData, style: &dyn Fn(&str) -> usize) -> Panel {
    let width = 0.8 / cohort.arms.len().max(1) as f64;
    let mut bars = Vec::new();
    for (a, arm) in cohort.arms.iter().enumerate() {
        let grades: Vec<f64> = cohort
            .patients
            .iter()
            .filter(|p| &p.0 == arm)
            .filter_map(|p| p.1)
            .collect();
        for grade in 0..=4 {
            let count = grades
                .iter()
                .filter(|&&g| g.round() as i64 == grade)
                .count();
            if grades.is_empty() {
                continue;
            }
            let from = grade as f64 - 0.4 + a as f64 * width;
            bars.push(Bar {
                label: arm.clone(),
                from,
                to: from + width,
                height: 100.0 * count as f64 / grades.len() as f64,
                style: style(arm),
            });
        }
    }
    Panel {
        id: "c_crs",
        title: "Maximum CRS grade: share of patients per arm".into(),
        y_label: "patients (%)".into(),
        x_label: "maximum CRS grade".into(),
        bars,
        ..Panel::default()
    }
}

/// Each arm's CAR-T Cmax sorted: the quantile plot shows the median, the spread and the
/// patients without expansion at once.
fn cmax_spread(cohort: &CohortData, style: &dyn Fn(&str) -> usize) -> Panel {
    let mut lines = Vec::new();
    for arm in &cohort.arms {
        let mut values: Vec<f64> = cohort
            .patients
            .iter()
            .filter(|p| &p.0 == arm)
            .filter_map(|p| p.2)
            .collect();
        values.sort_by(f64::total_cmp);
        let n = values.len() as f64;
        let points = values
            .iter()
            .enumerate()
            .map(|(i, &v)| (100.0 * (i as f64 + 0.5) / n, v))
            .collect();
        lines.push(Line {
            label: arm.clone(),
            points,
            style: style(arm),
        });
    }
    Panel {
        id: "c_cmax",
        title: "CAR-T Cmax in blood: spread over patients".into(),
        y_label: "Cmax (cells/µL, log)".into(),
        x_label: "patient percentile within the arm (%)".into(),
        log_y: true,
        log_floor: 0.01,
        lines,
        caption: "Each arm's patients sorted by Cmax; the value at 50% is the median.".into(),
        ..Panel::default()
    }
}

/// The cohort page: the cohort's facts, the summary table and the figures.
pub fn page(cohort: &CohortData, figures: Vec<(String, String, String)>) -> Page {
    let interval = |(estimate, low, high): (Option<f64>, Option<f64>, Option<f64>),
                    percent: bool| {
        let f = |v: f64| {
            if percent {
                format!("{}%", sig(100.0 * v))
            } else {
                sig(v)
            }
        };
        match (estimate, low, high) {
            (Some(e), Some(l), Some(h)) => {
                format!("{} ({} to {})", f(e), f(l), f(h)).replace("% to ", " to ")
            }
            (Some(e), _, _) => f(e),
            _ => "—".into(),
        }
    };
    // One row per endpoint; a column per arm, then one per later arm's difference.
    let first = cohort.arms.first().cloned().unwrap_or_default();
    let mut endpoints: Vec<&str> = Vec::new();
    for r in &cohort.summary {
        if !endpoints.contains(&r.endpoint.as_str()) {
            endpoints.push(&r.endpoint);
        }
    }
    let rows = endpoints
        .iter()
        .map(|endpoint| {
            let of = |arm: &str| {
                cohort
                    .summary
                    .iter()
                    .find(|r: &&SummaryRow| r.endpoint == *endpoint && r.arm == arm)
            };
            let mut row = vec![endpoint.replace('_', " ")];
            for arm in &cohort.arms {
                row.push(of(arm).map_or("—".into(), |r| {
                    let rate = r.statistic == "rate";
                    match r.estimate.0 {
                        Some(_) => format!("{} n={}", interval(r.estimate, rate), r.n),
                        None => "—".into(),
                    }
                }));
            }
            for arm in cohort.arms.iter().skip(1) {
                row.push(of(arm).map_or("—".into(), |r| {
                    interval(r.difference, r.statistic == "rate")
                }));
            }
            row
        })
        .collect();
    let mut header = vec!["endpoint".to_owned()];
    header.extend(cohort.arms.iter().cloned());
    header.extend(cohort.arms.iter().skip(1).map(|a| format!("{a} − {first}")));
    Page {
        title: cohort.name.clone(),
        lead: format!(
            "Virtual cohort: {} arms on the same patients.",
            cohort.arms.len()
        ),
        sections: vec![
            Section {
                heading: "Cohort".into(),
                rows: cohort
                    .facts
                    .iter()
                    .map(|(k, v)| vec![k.clone(), v.clone()])
                    .collect(),
                ..Section::default()
            },
            Section {
                heading: "Endpoints by arm".into(),
                note: "Rates (%) with Wilson 95% intervals; medians with their interquartile \
                       range; n patients with a value; differences from the first arm on the \
                       same patients with their 95% intervals (cohort_summary.csv names each \
                       method)."
                    .into(),
                header,
                rows,
            },
        ],
        figures,
    }
}
