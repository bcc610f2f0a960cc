//! The report page: one self-contained HTML file (inline SVG, inline CSS, no script, no
//! network), readable in any browser and printable.

use crate::format::sig;
use crate::run_data::RunData;

/// Endpoints shown first in the table, with their labels; every other endpoint column
/// of `summary.csv` follows under its own name, so a new endpoint is never hidden.
const ENDPOINTS: [(&str, &str); 18] = [
    ("car_t_cmax_per_uL", "CAR-T Cmax in blood (cells/µL)"),
    ("car_t_tmax_day", "CAR-T Tmax (day)"),
    ("crs_grade_max", "Maximum CRS grade"),
    ("tocilizumab_doses", "Tocilizumab doses"),
    ("b_aplasia_start_day", "B-cell aplasia from (day)"),
    ("b_return_day", "B-cell return (day)"),
    (
        "autoantibody_negative_day",
        "Autoantibody negative from (day)",
    ),
    ("igg_nadir_g_per_L", "IgG nadir (g/L)"),
    ("igg_nadir_day", "IgG nadir (day)"),
    ("activity_score_baseline", "Activity score at baseline"),
    ("activity_score_month3", "Activity score, month 3"),
    ("activity_score_month6", "Activity score, month 6"),
    ("activity_score_month12", "Activity score, month 12"),
    ("activity_score_month24", "Activity score, month 24"),
    ("remission_day", "Remission (day)"),
    ("relapse_day", "Relapse (day)"),
    ("remission_events", "Remissions"),
    ("relapse_events", "Relapses"),
];

/// Summary columns that describe the run rather than an endpoint.
const NOT_ENDPOINTS: [&str; 5] = [
    "scenario",
    "seed",
    "score_scale",
    "days_recorded",
    "agents_final",
];
const MEASURE_SUFFIXES: [&str; 4] = ["_baseline", "_final", "_mean", "_drift_fraction"];

/// A table of the page.
#[derive(Debug, Clone, Default)]
pub struct Section {
    /// Its heading.
    pub heading: String,
    /// A sentence above the table (how to read it), or empty.
    pub note: String,
    /// Column names, or empty for a two-column label/value table.
    pub header: Vec<String>,
    /// The rows; the first cell of each is a row heading.
    pub rows: Vec<Vec<String>>,
}

/// What a report page holds.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Title (the scenario's or cohort's name).
    pub title: String,
    /// The sentence under the title.
    pub lead: String,
    /// Tables, in order.
    pub sections: Vec<Section>,
    /// (panel id, caption, SVG document) per figure.
    pub figures: Vec<(String, String, String)>,
}

/// The page of a single run: scenario, endpoints, course.
pub fn patient_page(run: &RunData, figures: Vec<(String, String, String)>) -> Page {
    let pairs = |rows: Vec<(String, String)>| rows.into_iter().map(|(a, b)| vec![a, b]).collect();
    Page {
        title: run.scenario.name.clone(),
        lead: run.scenario.description.clone(),
        sections: vec![
            Section {
                heading: "Scenario".into(),
                rows: pairs(run.scenario.facts.clone()),
                ..Section::default()
            },
            Section {
                heading: "Endpoints".into(),
                note: if run.summary.is_empty() {
                    "No summary.csv: the run did not finish (see run.toml and events.csv), so \
                     its endpoints are not known; the course below is drawn up to its last \
                     recorded day."
                        .to_owned()
                } else {
                    format!(
                        "Days are counted {}. An empty endpoint was not reached in the run.",
                        if run.from_infusion {
                            "from the first CAR-T infusion"
                        } else {
                            "from the end of burn-in"
                        }
                    )
                },
                rows: pairs(endpoint_rows(run)),
                ..Section::default()
            },
        ],
        figures,
    }
}

/// The page as HTML, with each panel's SVG inline.
pub fn render(page: &Page, version: &str) -> String {
    let figures: usize = page.figures.iter().map(|f| f.2.len()).sum();
    let mut html = String::with_capacity(64 * 1024 + figures);
    let title = escape(&page.title);
    html.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>immunosim report: {title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>{title}</h1>\n<p class=\"lead\">{}</p>\n",
        escape(&page.lead)
    ));
    for section in &page.sections {
        html.push_str(&format!("<h2>{}</h2>\n", escape(&section.heading)));
        if !section.note.is_empty() {
            html.push_str(&format!("<p>{}</p>\n", escape(&section.note)));
        }
        html.push_str("<table>\n");
        if !section.header.is_empty() {
            html.push_str("<tr>");
            for cell in &section.header {
                html.push_str(&format!("<th scope=\"col\">{}</th>", escape(cell)));
            }
            html.push_str("</tr>\n");
        }
        for row in &section.rows {
            html.push_str("<tr>");
            for (i, cell) in row.iter().enumerate() {
                let tag = if i == 0 { "th" } else { "td" };
                html.push_str(&format!("<{tag}>{}</{tag}>", escape(cell)));
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</table>\n");
    }
    html.push_str("<h2>Course</h2>\n");
    for (id, caption, svg) in &page.figures {
        html.push_str(&format!(
            "<figure id=\"panel-{id}\">\n{}\n",
            strip_xml_declaration(svg)
        ));
        if !caption.is_empty() {
            html.push_str(&format!("<figcaption>{}</figcaption>\n", escape(caption)));
        }
        html.push_str("</figure>\n");
    }
    html.push_str(&format!(
        "<footer>Written by immunosim {} from the folder's CSV files; each plot is also a \
         separate <code>plot_*.svg</code> beside this page.</footer>\n</body>\n</html>\n",
        escape(version)
    ));
    html
}

/// (label, value) rows of the endpoint table: the known endpoints first, then any
/// other endpoint column of `summary.csv`.
pub fn endpoint_rows(run: &RunData) -> Vec<(String, String)> {
    let value = |column: &str, text: &str| -> String {
        match text.parse::<f64>() {
            Err(_) if text.is_empty() => "not reached".into(),
            Err(_) => text.to_owned(),
            Ok(v) if column.ends_with("_day") => sig(v + run.day_shift),
            Ok(v) => sig(v),
        }
    };
    let mut rows = Vec::new();
    for (column, label) in ENDPOINTS {
        if let Some((_, text)) = run.summary.iter().find(|(c, _)| c == column) {
            rows.push((label.to_owned(), value(column, text)));
        }
    }
    for (column, text) in &run.summary {
        let known = ENDPOINTS.iter().any(|(c, _)| c == column);
        let measure = MEASURE_SUFFIXES.iter().any(|s| column.ends_with(s));
        if !known && !measure && !NOT_ENDPOINTS.contains(&column.as_str()) {
            rows.push((column.replace('_', " "), value(column, text)));
        }
    }
    rows
}

fn strip_xml_declaration(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(start) => &svg[start..],
        None => svg,
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;max-width:1000px;\
margin:1.5em auto;padding:0 1em;color:#111;line-height:1.4}\
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.6em;\
border-bottom:1px solid #ccc}.lead{color:#333}table{border-collapse:collapse;margin:.5em 0}\
th,td{padding:.2em .8em;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}\
th{font-weight:normal;color:#333}td{font-variant-numeric:tabular-nums;white-space:nowrap}\
figure{margin:1.2em 0;page-break-inside:avoid}figure svg{max-width:100%;height:auto}\
figcaption{font-size:.9em;color:#333;margin-top:.2em}footer{margin-top:2em;font-size:.85em;\
color:#555}@media print{body{max-width:none}}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn endpoints_are_labelled_unreached_ones_said_so_and_new_ones_kept() {
        let run = RunData {
            day_shift: -10.0,
            summary: vec![
                ("seed".into(), "1".into()),
                ("igg_nadir_g_per_L_baseline".into(), "11".into()),
                ("car_t_cmax_per_uL".into(), "642.959".into()),
                ("car_t_tmax_day".into(), "22".into()),
                ("relapse_day".into(), String::new()),
                ("organ_damage_points".into(), "1.25".into()),
            ],
            ..RunData::default()
        };
        assert_eq!(
            endpoint_rows(&run),
            vec![
                ("CAR-T Cmax in blood (cells/µL)".into(), "643".into()),
                ("CAR-T Tmax (day)".into(), "12".into()),
                ("Relapse (day)".into(), "not reached".into()),
                ("organ damage points".into(), "1.25".into()),
            ]
        );
    }
}
