//! Catalogue defaults, and the shipped cohorts' patient spreads, against the reference
//! rows in data/.

use crate::support::*;
use std::path::Path;

#[test]
fn catalogue_defaults_match_reference_rows() {
    let p = immunosim_model::Parameters::default();
    // (group, parameter, reference row, factor from the row's unit to the parameter's)
    let rows = [
        (
            "physiology",
            "blood_share_of_recirculating",
            "blood_fraction_lymphocytes",
            0.01,
        ),
        ("physiology", "igg_half_life_days", "igg_half_life", 1.0),
        (
            "b_cells",
            "marrow_output_fraction_per_day",
            "marrow_b_output",
            0.01,
        ),
        (
            "b_cells",
            "naive_division_rate_per_day",
            "b_turnover_naive",
            0.01,
        ),
        (
            "b_cells",
            "memory_division_rate_per_day",
            "b_turnover_memory",
            0.01,
        ),
        (
            "b_cells",
            "immature_autoreactive_share",
            "autoreactive_early_immature",
            0.01,
        ),
        (
            "b_cells",
            "emigrant_autoreactive_share",
            "autoreactive_new_emigrant",
            0.01,
        ),
        (
            "b_cells",
            "naive_autoreactive_share",
            "autoreactive_mature_naive",
            0.01,
        ),
        ("plasma_cells", "igg_g_per_l", "igg_serum_normal", 1.0),
        (
            "plasma_cells",
            "secretion_molecules_per_s",
            "antibody_secretion_rate",
            1.0,
        ),
        (
            "plasma_cells",
            "vaccine_a_half_life_years",
            "amanna_ab_half_life_measles",
            1.0,
        ),
        (
            "plasma_cells",
            "vaccine_b_half_life_years",
            "amanna_ab_half_life_tetanus",
            1.0,
        ),
        (
            "plasma_cells",
            "cd19_negative_share",
            "igg_pc_cd19_negative_fraction",
            0.01,
        ),
        (
            "t_cells",
            "naive_cd4_half_life_years",
            "t_half_life_naive_cd4",
            1.0,
        ),
        (
            "t_cells",
            "naive_cd8_half_life_years",
            "t_half_life_naive_cd8",
            1.0,
        ),
        (
            "t_cells",
            "memory_cd4_half_life_years",
            "t_half_life_memory_cd4",
            1.0,
        ),
        (
            "t_cells",
            "memory_cd8_half_life_years",
            "t_half_life_memory_cd8",
            1.0,
        ),
        ("car_t", "doubling_time_days", "stein_doubling", 1.0),
        ("car_t", "persisting_fraction", "stein_fb", 1.0),
        (
            "car_t",
            "effector_death_rate_per_day",
            "mueller_schoell_ke4",
            1.0,
        ),
        (
            "car_t",
            "memory_death_rate_per_day",
            "mueller_schoell_death_memory",
            1.0,
        ),
        (
            "car_t",
            "memory_homeostatic_division_per_day",
            "mueller_schoell_kp2",
            1.0,
        ),
        (
            "car_t",
            "homeostatic_growth_rate_per_day",
            "kimmel_rho_c",
            1.0,
        ),
        ("car_t", "carrying_capacity_cells", "kimmel_k_c", 1.0),
    ];
    for (group, name, row, factor) in rows {
        let default = p.get(group, name).unwrap();
        let expected = reference(row).0 * factor;
        assert!(
            (default / expected - 1.0).abs() < 1e-9,
            "{group}.{name} = {default}, {row} says {expected}"
        );
    }
    // Memory CAR-T: death net of homeostatic division is Stein's terminal decline.
    let net = p.car_t.memory_death_rate_per_day - p.car_t.memory_homeostatic_division_per_day;
    let beta = reference("stein_beta").0;
    assert!(
        (net / beta - 1.0).abs() < 0.1,
        "net memory decline {net}/day, beta {beta}"
    );
    let (male, female) = (
        reference("b_cells_blood_male").0,
        reference("b_cells_blood_female").0,
    );
    assert!((p.b_cells.blood_b_cells_per_ul - (male + female) / 2.0).abs() < 1.0);
    // The healthy steady state carries ~5e10 antibody-secreting cell equivalents.
    let steady = immunosim_model::steady_state::SteadyState::derive(&p, 70.0);
    let asc = steady.plasmablasts + steady.plasma_cells;
    assert!(
        (asc / reference("plasma_cell_equivalents").0 - 1.0).abs() < 0.25,
        "{asc}"
    );
}

#[test]
fn manufacturing_defaults_match_reference_rows() {
    // Pooled failure over six products' pivotal trials, in percent.
    let pooled = reference("manufacture_failure_rate").0 / 100.0;
    assert!((immunosim_scenario::DEFAULT_MANUFACTURING_FAILURE_PROBABILITY - pooled).abs() < 1e-9);
    // Leukapheresis to release: axi-cel's shortest to tisa-cel's longest.
    let (_, axicel_low, _) = reference("manufacture_time_axicel");
    let (_, _, tisacel_high) = reference("manufacture_time_tisacel");
    assert_eq!(
        immunosim_scenario::DEFAULT_MANUFACTURING_DAYS,
        (axicel_low.unwrap(), tisacel_high.unwrap())
    );
}

#[test]
fn economics_defaults_match_reference_rows() {
    use immunosim_scenario::fields::{ECONOMICS_FIELDS, ECONOMICS_SOURCES};
    use immunosim_scenario::schema::DefaultValue;
    for &(table, name, row, factor) in ECONOMICS_SOURCES {
        let field = ECONOMICS_FIELDS
            .iter()
            .find(|f| f.table == table && f.name == name)
            .unwrap_or_else(|| panic!("no field {table}.{name}"));
        let DefaultValue::Number(default) = field.default else {
            panic!("{table}.{name} has no numeric default");
        };
        let (value, _, _) = reference(row);
        assert!(
            (default - value * factor).abs() <= 1e-9 * value.abs(),
            "{table}.{name} = {default}, but data/economics.csv {row} gives {value} x {factor}"
        );
        assert!(
            field.doc.contains(row),
            "{table}.{name}'s doc does not cite its row {row}"
        );
    }
}

#[test]
fn facility_defaults_match_reference_rows() {
    use immunosim_scenario::fields as f;
    assert_eq!(f::DEFAULT_BATCH_DAYS, reference("facility_batch_days").0);
    let (_, low, high) = reference("facility_batch_days");
    assert_eq!(
        (low.unwrap(), high.unwrap()),
        immunosim_scenario::DEFAULT_MANUFACTURING_DAYS
    );
    assert_eq!(
        f::DEFAULT_SCREENING_DAYS,
        reference("facility_screening_days").0
    );
    assert_eq!(
        f::DEFAULT_MAX_ATTEMPTS as f64,
        reference("facility_max_attempts").0
    );
    assert_eq!(
        f::DEFAULT_ALLOGENEIC_DAYS,
        reference("allogeneic_days_to_infusion").0
    );
}

/// The shipped cohorts draw their patients from the spreads in data/: blood B cells
/// with the between-patient variance of SLE patients (Sellam 2007, derived from the
/// range of 19 patients), and every cohort that varies a target varies it the same
/// way, so the cohorts' patients are one population.
#[test]
fn shipped_cohorts_draw_patients_from_the_reference_spreads() {
    let (_, low, high) = reference("sellam_sle_b_cells");
    let b_cells = reference("sellam_sle_b_cells_log_variance").0;
    let from_range = ((high.unwrap() / low.unwrap()).ln() / 3.69).powi(2);
    assert!(
        (from_range - b_cells).abs() < 0.005,
        "{from_range} vs {b_cells}"
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("cohort_")
        })
        .collect();
    files.sort();
    assert!(files.len() >= 6, "{files:?}");
    let mut first: std::collections::BTreeMap<String, (String, String)> = Default::default();
    let mut every: Option<(String, String)> = None;
    for file in &files {
        let spec = immunosim_cohort::spec::load(file).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = spec.variations.iter().map(|v| v.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        let (first_file, first_names) = every
            .get_or_insert_with(|| (file.display().to_string(), sorted.join(", ")))
            .clone();
        assert_eq!(
            sorted.join(", "),
            first_names,
            "{} varies other targets than {first_file}",
            file.display()
        );
        for needed in [
            "parameters.car_t.doubling_time_days",
            "parameters.b_cells.blood_b_cells_per_ul",
            "parameters.crs.myeloid_responsiveness",
        ] {
            assert!(names.contains(&needed), "{} lacks {needed}", file.display());
        }
        for v in &spec.variations {
            if v.name == "parameters.b_cells.blood_b_cells_per_ul" {
                match v.distribution {
                    immunosim_cohort::draws::Distribution::LogNormal {
                        median: None,
                        omega2,
                    } => {
                        assert!(
                            (omega2 - b_cells).abs() < 0.005,
                            "{}: {omega2}",
                            file.display()
                        )
                    }
                    ref d => panic!("{}: B cells drawn as {d:?}", file.display()),
                }
            }
            let row = format!("{:?} [{}, {}]", v.distribution, v.lower, v.upper);
            let (name, earlier) = first
                .entry(v.name.clone())
                .or_insert((file.display().to_string(), row.clone()));
            assert_eq!(
                &row,
                earlier,
                "{} varies {} unlike {name}",
                file.display(),
                v.name
            );
        }
    }
}
