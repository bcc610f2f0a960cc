//! `products.csv`: each product's own CAR-T Cmax and Tmax, one tidy row per product.

use crate::support::*;

#[test]
fn products_csv_gives_each_product_of_a_cocktail_its_own_cmax_and_tmax() {
    let tmp = tempfile::tempdir().unwrap();
    let cocktail = with_products(
        "[[products]]\nname = \"CD19, 4-1BB\"\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\n\
         [[products]]\nname = \"BCMA\"\ntargets = [\"BCMA\"]\ndose_cells_per_kg = 1e6\n",
    )
    .replace("days = 60", "days = 25");
    let scenario = write(tmp.path(), "cocktail.toml", &cocktail);
    let out = tmp.path().join("out");
    run_ok(&scenario, &out);
    let mut reader = csv::Reader::from_path(out.join("products.csv")).unwrap();
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "scenario",
            "seed",
            "product",
            "car_t_cmax_per_uL",
            "car_t_tmax_day"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let names: Vec<&str> = rows.iter().map(|r| &r[2]).collect();
    assert_eq!(names, ["CD19, 4-1BB", "BCMA"]);
    let mut summary = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let header = summary.headers().unwrap().clone();
    let row = summary.records().next().unwrap().unwrap();
    let column = |name: &str| {
        row[header.iter().position(|h| h == name).unwrap()]
            .parse::<f64>()
            .unwrap()
    };
    let overall = column("car_t_cmax_per_uL");
    let mut summed = 0.0;
    for r in &rows {
        let (cmax, tmax): (f64, f64) = (r[3].parse().unwrap(), r[4].parse().unwrap());
        // Each product peaks after its infusion on day 0, below the cocktail's peak.
        assert!(
            cmax > 0.0 && cmax <= overall * (1.0 + 1e-12),
            "{r:?} vs {overall}"
        );
        assert!((1.0..=25.0).contains(&tmax), "{r:?}");
        summed += cmax;
    }
    assert!(overall <= summed * (1.0 + 1e-12), "{overall} > {summed}");
}

/// Activated and germinal-centre B cells and plasmablasts, whole body: the B-lineage
/// stages with a little BCMA (~300 molecules on activated B cells in the catalogue).
fn bcma_low_b_cells(s: &immunosim_engine::recorder::Snapshot) -> f64 {
    use immunosim_model::Population as P;
    [P::BActivated, P::BGerminalCentre, P::Plasmablast]
        .into_iter()
        .map(|p| s.total_cells(p))
        .sum()
}

#[test]
fn a_product_threshold_below_the_catalogue_s_lets_a_bcma_car_kill_bcma_low_b_cells() {
    let bcma = "[[products]]\nname = \"BCMA\"\ntargets = [\"BCMA\"]\ndose_cells_per_kg = 1e6\n";
    let catalogue = simulate(&with_products(bcma));
    // A binder of high avidity (Bluhm et al., Mol Ther 2018: lysis from ~100 molecules).
    let avid = simulate(&with_products(&format!(
        "{bcma}activation_threshold_molecules = 100\n"
    )));
    let low_catalogue = mean(&catalogue, 7.0, 21.0, bcma_low_b_cells);
    let low_avid = mean(&avid, 7.0, 21.0, bcma_low_b_cells);
    assert!(
        low_avid < 0.5 * low_catalogue,
        "activated/GC B and plasmablasts, days 7-21: {low_avid:.3e} at 100 molecules vs {low_catalogue:.3e}"
    );
    // Naive B cells carry no BCMA: the threshold does not reach them (same seed; they
    // differ only through what the killed cells no longer do).
    let naive = |s: &immunosim_engine::recorder::Snapshot| {
        s.total_cells(immunosim_model::Population::BNaive)
    };
    let (a, b) = (
        mean(&avid, 7.0, 21.0, naive),
        mean(&catalogue, 7.0, 21.0, naive),
    );
    assert!((a / b - 1.0).abs() < 0.1, "naive B {a:.3e} vs {b:.3e}");
}

#[test]
fn a_product_threshold_out_of_range_is_refused_at_its_line() {
    let text = with_products(
        "[[products]]\ntargets = [\"BCMA\"]\ndose_cells_per_kg = 1e6\n\
         activation_threshold_molecules = 0.5\n",
    );
    let line = line_of(&text, "activation_threshold_molecules");
    let place = format!("t.toml:{line}:");
    assert_scenario_errors(&[(
        text.as_str(),
        &[
            place.as_str(),
            "products[0].activation_threshold_molecules",
            "1 <= x <= 1000000",
            "molecules/cell",
        ],
    )]);
}
