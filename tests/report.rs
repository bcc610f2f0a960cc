//! `immunosim report` and `run --report`: every panel drawn with data, one self-contained
//! page, and clear errors for a run folder with a missing or torn file.

use crate::support::*;
use std::path::Path;

/// The panels of a treated patient's report with the legend entries each must show.
const PANELS: [(&str, &[&str]); 9] = [
    ("car_t", &["CD19", "Cmax"]),
    (
        "b_cells",
        &[
            "all B cells",
            "transitional",
            "naive",
            "memory",
            "B-cell aplasia",
        ],
    ),
    ("plasmablasts", &["plasmablasts"]),
    ("plasma_cells", &["plasma cells"]),
    ("igg", &["total IgG", "adult reference range"]),
    (
        "antibodies",
        &["autoantibody", "vaccine a IgG", "vaccine b IgG"],
    ),
    ("il6_crs", &["serum IL-6"]),
    ("disease", &["activity score", "remission"]),
    ("t_cells", &["CD4", "CD8", "naive CD4"]),
];

/// A treated run with its report, written by `run --report`.
fn treated_run_with_report(dir: &Path) -> std::path::PathBuf {
    let scenario = write(dir, "cd19.toml", CD19_CAR_T);
    let out = dir.join("out");
    with_report("run", &scenario, &out);
    out
}

/// `immunosim COMMAND SCENARIO -q --report --out OUT`, which must succeed.
fn with_report(command: &str, scenario: &Path, out: &Path) {
    let args = [
        command,
        scenario.to_str().unwrap(),
        "-q",
        "--report",
        "--out",
        out.to_str().unwrap(),
    ];
    let o = immunosim(&args, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn the_report_draws_every_panel_with_its_series_in_one_self_contained_page() {
    let tmp = tempfile::tempdir().unwrap();
    let out = treated_run_with_report(tmp.path());
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for forbidden in ["<script", "src=\"http", "href=\"http", "@import", "url("] {
        assert!(
            !html.contains(forbidden),
            "the page refers outside itself: {forbidden}"
        );
    }
    for (panel, legend) in PANELS {
        let svg = std::fs::read_to_string(out.join(format!("plot_{panel}.svg")))
            .unwrap_or_else(|e| panic!("plot_{panel}.svg: {e}"));
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{panel}: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let texts: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").trim().to_owned())
            .collect();
        for label in legend {
            assert!(
                texts.iter().any(|t| t.contains(label)),
                "{panel}: no legend entry {label:?} in {texts:?}"
            );
        }
        // The data: polylines through the recorded days (legend samples have 2 points).
        let points: usize = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .map(|n| {
                n.attribute("points")
                    .unwrap_or("")
                    .split_whitespace()
                    .count()
            })
            .filter(|&count| count > 2)
            .sum();
        assert!(points >= 50, "{panel}: only {points} points drawn");
        assert!(
            html.contains(&format!("<figure id=\"panel-{panel}\">\n<svg")),
            "{panel} is not inline in report.html"
        );
    }
    // The endpoint table and the treatment events (lymphodepletion, infusion) are there.
    assert!(html.contains("CAR-T Cmax in blood (cells/µL)"));
    let car_t = std::fs::read_to_string(out.join("plot_car_t.svg")).unwrap();
    assert!(car_t.contains("lymphodepletion (LD)") && car_t.contains("CAR-T infusion"));
    // A second report into the folder replaces the first, byte for byte the same.
    let o = immunosim(&["report", out.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(out.join("report.html")).unwrap(),
        html
    );
}

#[test]
fn a_run_folder_with_a_missing_or_torn_file_is_refused_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "small.toml", SMALL);
    let out = tmp.path().join("out");
    run_ok(&scenario, &out);
    let serology = std::fs::read_to_string(out.join("serology.csv")).unwrap();
    let torn = &serology[..serology.len() - 7];
    std::fs::write(out.join("serology.csv"), torn).unwrap();
    let o = immunosim(&["report", out.to_str().unwrap()], &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    let last_line = torn.lines().count();
    assert!(
        stderr.contains(&format!("serology.csv:{last_line}: ")) && stderr.contains("truncated"),
        "{stderr}"
    );
    assert!(
        !out.join("report.html").exists(),
        "no page from a torn folder"
    );
    std::fs::write(out.join("serology.csv"), &serology).unwrap();
    std::fs::remove_file(out.join("events.csv")).unwrap();
    let o = immunosim(&["report", out.to_str().unwrap()], &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("events.csv") && stderr.contains("No such file"),
        "{stderr}"
    );
}

/// Chromium for the browser test, or `None` with a printed notice; with
/// `IMMUNOSIM_REQUIRE_CHROMIUM=1` (as `.ci/run` sets) a missing browser fails the test.
fn chromium_or_skip(test: &str) -> Option<std::path::PathBuf> {
    let found = immunosim_browser_check::find_chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("IMMUNOSIM_REQUIRE_CHROMIUM").is_none(),
            "IMMUNOSIM_REQUIRE_CHROMIUM is set but no Chromium was found"
        );
        eprintln!("notice: {test} skipped: no Chromium (install Debian's chromium package)");
    }
    found
}

#[test]
fn the_report_renders_in_headless_chromium_without_console_messages() {
    let Some(chromium) = chromium_or_skip("the_report_renders_in_headless_chromium") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = treated_run_with_report(tmp.path());
    let png = tmp.path().join("report.png");
    let checked =
        immunosim_browser_check::check(&chromium, &out.join("report.html"), &png, (1100, 5200))
            .unwrap();
    assert_eq!(checked.problems(), Vec::<String>::new());
    assert_eq!(checked.size, (1100, 5200));
    // The check can fail: a page that logs to the console, or draws nothing, is caught.
    let bad = write(
        tmp.path(),
        "bad.html",
        "<!DOCTYPE html><html><body><script>console.error('boom')</script></body></html>",
    );
    let checked = immunosim_browser_check::check(&chromium, &bad, &png, (400, 300)).unwrap();
    let problems = checked.problems();
    assert!(problems.iter().any(|p| p.contains("boom")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("blank")), "{problems:?}");
}

/// A tiny cohort: three patients, a CD19 arm and standard of care, coarse and short.
const TINY_COHORT: &str = "[scenario]\nname = \"tiny\"\npreset = \"sle\"\ndays = 30\nburn_in_days = 30\nseed = 5\n\
    [resolution]\ncells_per_agent = 2e7\n[resolution.cells_per_agent_by_kind]\ncar_t = 1e6\n\
    [cohort]\npatients = 3\n\
    [[variability]]\ntarget = \"patient.weight_kg\"\ndistribution = \"lognormal\"\ncv = 0.2\n\
    [[arms]]\nname = \"cd19\"\n\
    [arms.lymphodepletion]\nfludarabine_mg_per_m2_per_day = 25\nfludarabine_days = [-5, -4, -3]\n\
    cyclophosphamide_mg_per_m2_per_day = 1000\ncyclophosphamide_days = [-3]\n\
    [[arms.products]]\nname = \"CD19\"\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\n\
    [[arms]]\nname = \"soc\"\n";

#[test]
fn a_cohort_report_draws_each_arm_with_its_band_survival_and_spread() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "tiny.toml", TINY_COHORT);
    let out = tmp.path().join("cohort");
    with_report("cohort", &scenario, &out);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("Endpoints by arm") && html.contains("soc − cd19"),
        "no arm table"
    );
    for (panel, legend) in [
        ("c_car_t", &["cd19: median", "cd19: IQR", "soc: median"][..]),
        ("c_b_cells", &["cd19: median", "soc: IQR"]),
        ("c_igg", &["cd19: median", "adult reference range"]),
        ("c_km_remission", &["cd19", "soc", "cd19: 95% CI"]),
        ("c_crs", &["cd19", "soc"]),
        ("c_cmax", &["cd19"]),
    ] {
        let svg = std::fs::read_to_string(out.join(format!("plot_{panel}.svg")))
            .unwrap_or_else(|e| panic!("plot_{panel}.svg: {e}"));
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{panel}: {e}"));
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text().map(str::trim))
            .collect();
        for label in legend {
            assert!(
                texts.contains(label),
                "{panel}: no legend entry {label:?} in {texts:?}"
            );
        }
        // Drawn data: curves (polylines beyond legend samples) or bars and bands (rects
        // and polygons beyond the background and legend swatches).
        let drawn = doc
            .descendants()
            .filter(|n| {
                (n.has_tag_name("polyline")
                    && n.attribute("points")
                        .is_some_and(|p| p.split_whitespace().count() > 2))
                    || n.has_tag_name("polygon")
            })
            .count();
        // Bars are filled rectangles: two legend swatches, then the bars.
        let filled = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .filter(|n| !matches!(n.attribute("fill"), None | Some("none" | "#FFFFFF")))
            .count();
        let bars = if panel == "c_crs" {
            filled.saturating_sub(2)
        } else {
            0
        };
        assert!(drawn + bars >= 1, "{panel}: nothing drawn");
        assert!(html.contains(&format!("<figure id=\"panel-{panel}\">")));
    }
    // The report files are the cohort's: --force replaces them with the cohort.
    let o = immunosim(
        &[
            "cohort",
            scenario.to_str().unwrap(),
            "-q",
            "--force",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        !out.join("report.html").exists(),
        "an earlier cohort's report was left behind"
    );
}
