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
