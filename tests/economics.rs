//! Health economics through the binary: a tiny CD19-vs-standard-of-care cohort with
//! `[economics]`, a contract and `--psa`, checked for its columns and invariants (no
//! product cost without CAR-T, the price once per infusion, discounted at most
//! undiscounted), the same files at 1 and 2 threads, no economics files without
//! `[economics]`, and errors at the cohort file's own lines.

use crate::support::*;
use std::collections::BTreeMap;
use std::path::Path;

const PRICE: f64 = 400_000.0;

/// Two patients, 40 days, coarse; leukapheresis, bridging, Flu/Cy, infusion.
const COHORT: &str = "[scenario]\nname = \"econ\"\npreset = \"sle\"\ndays = 40\nburn_in_days = 30\nseed = 3\n\
    [patient]\nnephritis = true\n\
    [resolution]\ncells_per_agent = 2e7\n[resolution.cells_per_agent_by_kind]\ncar_t = 1e6\n\
    [cohort]\npatients = 2\n\
    [economics]\ncurrency = \"EUR\"\nhorizon_years = 3\ncomparator = \"soc\"\n\
    [[contracts]]\nname = \"held\"\noutcome = \"remission_held\"\nday = 30\nrebate_share = 0.4\n\
    [[variability]]\ntarget = \"patient.weight_kg\"\ndistribution = \"lognormal\"\ncv = 0.2\nlower = 40\nupper = 120\n\
    [[arms]]\nname = \"soc\"\n\
    [[arms]]\nname = \"cd19\"\nprice_per_dose = 400000\n\
    [arms.lymphodepletion]\nfludarabine_mg_per_m2_per_day = 25\nfludarabine_days = [-5, -4, -3]\n\
    cyclophosphamide_mg_per_m2_per_day = 1000\ncyclophosphamide_days = [-3]\n\
    [arms.bridging]\nprednisolone_mg_per_day = 10\nstart_day = -19\nend_day = -6\n\
    [[arms.products]]\nname = \"CD19\"\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\nleukapheresis_day = -20\n\
    manufacturing_days_min = 10\nmanufacturing_days_max = 12\n";

fn run(dir: &Path, scenario: &Path, threads: &str) {
    let o = immunosim(
        &[
            "cohort",
            scenario.to_str().unwrap(),
            "-q",
            "--psa",
            "40",
            "--out",
            dir.to_str().unwrap(),
        ],
        &[("RAYON_NUM_THREADS", threads)],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn table(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(String::from))
                .collect()
        })
        .collect()
}

fn num(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row.get(column)
        .unwrap_or_else(|| panic!("no column {column}"))
        .parse()
        .unwrap_or_else(|_| panic!("{column} = {:?}", row[column]))
}

#[test]
fn a_tiny_cohort_costs_its_journeys_and_writes_the_same_files_at_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "econ.toml", COHORT);
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    run(&one, &scenario, "1");
    run(&two, &scenario, "2");
    for f in [
        "economics.csv",
        "economics_summary.csv",
        "ceac.csv",
        "cohort.csv",
    ] {
        assert_eq!(
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
    // Two shards merged give the same economics files.
    let shard = |i: &str| {
        let dir = tmp.path().join(format!("s{i}"));
        let o = immunosim(
            &[
                "cohort",
                scenario.to_str().unwrap(),
                "-q",
                "--shard",
                &format!("{i}/2"),
                "--out",
                dir.to_str().unwrap(),
            ],
            &[("RAYON_NUM_THREADS", "1")],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        dir
    };
    let (s0, s1, merged) = (shard("0"), shard("1"), tmp.path().join("merged"));
    let o = immunosim(
        &[
            "merge",
            s0.to_str().unwrap(),
            s1.to_str().unwrap(),
            "--psa",
            "40",
            "--out",
            merged.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["economics.csv", "economics_summary.csv", "ceac.csv"] {
        assert_eq!(
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(merged.join(f)).unwrap(),
            "{f} differs after shards and merge"
        );
    }
    let rows = table(&one.join("economics.csv"));
    assert_eq!(rows.len(), 4);
    let categories = [
        "product",
        "leukapheresis",
        "manufacturing",
        "lymphodepletion",
        "bridging",
        "hospital",
        "crs_drugs",
        "ivig",
        "monitoring",
        "chronic_care",
        "total",
    ];
    for r in &rows {
        for c in categories {
            let (plain, discounted) = (
                num(r, &format!("cost_{c}_eur")),
                num(r, &format!("cost_{c}_eur_discounted")),
            );
            assert!(discounted <= plain + 1e-6, "{c}: {discounted} > {plain}");
            assert!(plain >= 0.0);
        }
        assert!(num(r, "qaly_discounted") <= num(r, "qaly"));
        // Three years, each at a utility of at most 1.
        assert!(num(r, "qaly") > 0.0 && num(r, "qaly") <= 3.0 * 365.25 / 365.25 * 1.0001);
        let doses = num(r, "product_doses");
        assert_eq!(num(r, "cost_product_eur"), PRICE * doses, "{r:?}");
        if r["arm"] == "soc" {
            assert_eq!(doses, 0.0);
            assert_eq!(num(r, "leukapheresis"), 0.0);
            assert_eq!(num(r, "payment_held_eur"), 0.0);
            assert_eq!(r["outcome_met_held"], "");
        } else {
            assert_eq!(num(r, "leukapheresis"), 1.0);
            assert_eq!(num(r, "wait_days_to_leukapheresis"), -20.0);
            // Infused: the full price or, outcome not met on day 30, 60% of it.
            let paid = num(r, "payment_held_eur");
            let met = num(r, "outcome_met_held") == 1.0;
            assert_eq!(paid, if met { PRICE } else { 0.6 * PRICE } * doses);
            if doses > 0.0 {
                assert_eq!(num(r, "wait_days_to_infusion"), 0.0);
                assert!(num(r, "ward_days") >= 7.0, "{r:?}");
                assert_eq!(num(r, "lymphodepletion_days"), 3.0);
            }
        }
    }
    let summary = std::fs::read_to_string(one.join("economics_summary.csv")).unwrap();
    assert!(
        summary.starts_with("arm,measure,unit,n,estimate,ci95_low,ci95_high,vs_arm,wtp_per_qaly\n")
    );
    for measure in [
        "icer,eur_per_qaly",
        "net_monetary_benefit,eur",
        "contract_held_expected_payment,eur",
    ] {
        assert!(
            summary.contains(&format!("cd19,{measure}")),
            "{measure}:\n{summary}"
        );
    }
    // Every CEAC threshold's probabilities add to 1 over the arms.
    let ceac = table(&one.join("ceac.csv"));
    let mut by_wtp: BTreeMap<String, f64> = BTreeMap::new();
    for r in &ceac {
        *by_wtp.entry(r["wtp_per_qaly"].clone()).or_default() += num(r, "probability");
    }
    assert_eq!(by_wtp.len(), 51);
    assert!(
        by_wtp.values().all(|p| (p - 1.0).abs() < 1e-9),
        "{by_wtp:?}"
    );
}

#[test]
fn a_cohort_without_economics_writes_no_economics_files_and_refuses_psa() {
    let (scenario, out) = crate::cohort::reference();
    let tmp = tempfile::tempdir().unwrap();
    let o = immunosim(
        &[
            "cohort",
            scenario.to_str().unwrap(),
            "-q",
            "--psa",
            "10",
            "--out",
            tmp.path().join("x").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("--psa needs a cohort with an [economics] table")
    );
    for f in ["economics.csv", "economics_summary.csv", "ceac.csv"] {
        assert!(!out.join(f).exists(), "{f}");
    }
    assert!(!out.join("parts/patient_000000_economics.csv").exists());
}

#[test]
fn economics_errors_name_the_cohort_files_line_field_and_what_is_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let check = |text: &str| check_refused(tmp.path(), text);
    // (replaced, by, message, the text of the line the error names)
    let cases = [
        (
            "horizon_years = 3",
            "horizon_year = 3",
            "did you mean `horizon_years`",
            "horizon_year = 3",
        ),
        (
            "horizon_years = 3",
            "horizon_years = 300",
            "0.1",
            "horizon_years = 300",
        ),
        (
            "comparator = \"soc\"",
            "comparator = \"none\"",
            "is not an arm (arms: soc, cd19)",
            "comparator = \"none\"",
        ),
        (
            "rebate_share = 0.4",
            "rebate_share = 0.4\nupfront_share = 0.2",
            "cannot exceed the upfront share",
            "rebate_share = 0.4",
        ),
        (
            "outcome = \"remission_held\"",
            "outcome = \"remision\"",
            "remission_held",
            "outcome = \"remision\"",
        ),
        (
            "outcome = \"remission_held\"",
            "outcome = \"endpoint\"\nendpoint = \"score_month24\"\nvalue = 4",
            "is not an endpoint",
            "endpoint = \"score_month24\"",
        ),
        (
            "price_per_dose = 400000",
            "price_per_dose = -1",
            "price_per_dose",
            "price_per_dose = -1",
        ),
    ];
    for (from, to, expected, at) in cases {
        let text = COHORT.replace(from, to);
        let e = check(&text);
        assert!(e.contains(expected), "{to}: {e}");
        let line = line_of(&text, at);
        assert!(
            e.contains(&format!("bad.toml:{line}:")),
            "{to}: line {line}: {e}"
        );
    }
}
