//! Draws without simulation: each patient's values depend on (seed, patient, target)
//! only, follow their distributions, truncation and correlations.

use crate::patient::{draw_columns, drawn_values, patient};
use crate::spec::{self, CohortSpec};

const BASE: &str = "[scenario]\npreset = \"sle\"\ndays = 30\nburn_in_days = 30\n";

const ARM: &str = "[[arms]]\nname = \"cd19\"\n[[arms.products]]\nname = \"CD19\"\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\n";

fn spec(rows: &str, arms: &str) -> CohortSpec {
    spec::parse(&format!("{BASE}{rows}{arms}"), "t.toml", "t").unwrap_or_else(|e| panic!("{e}"))
}

const WEIGHT: &str = "[[variability]]\ntarget = \"patient.weight_kg\"\ndistribution = \"lognormal\"\nomega2 = 0.04\nlower = 40\nupper = 120\n";
const DOUBLING: &str = "[[variability]]\ntarget = \"parameters.car_t.doubling_time_days\"\ndistribution = \"lognormal\"\ncv = 0.1\n";
const DOSE: &str = "[[variability]]\ntarget = \"products.dose_cells_per_kg\"\ndistribution = \"levels\"\nlevels = [1e5, 1e6, 1e7]\n";

fn values(spec: &CohortSpec, seed: u64, k: u64, arm: usize) -> Vec<Option<f64>> {
    drawn_values(
        spec,
        &patient(spec, seed, k, k + 1),
        arm,
        &draw_columns(spec),
    )
}

#[test]
fn a_patients_draws_depend_on_seed_patient_and_target_only() {
    let one = spec(WEIGHT, ARM);
    let more = spec(
        &format!("{DOUBLING}{WEIGHT}{DOSE}"),
        &format!("{ARM}[[arms]]\nname = \"soc\"\n"),
    );
    for k in 0..20 {
        let weight = values(&one, 7, k, 0)[0];
        // Another row before it and another arm: the weight is the same; the weight
        // column is second now.
        assert_eq!(values(&more, 7, k, 0)[1], weight);
        assert_eq!(values(&more, 7, k, 1)[1], weight);
        assert_eq!(
            patient(&more, 7, k, k + 1).arms[1].config.weight_kg,
            weight.unwrap()
        );
        // Every arm of a patient has the same run seed; patients differ.
        let p = patient(&more, 7, k, k + 1);
        assert_eq!(p.arms[0].config.seed, p.arms[1].config.seed);
        assert_eq!(p.arms[0].config.seed, p.patient.config.seed);
        assert_ne!(
            p.patient.config.seed,
            patient(&more, 7, k + 1, k + 2).patient.config.seed
        );
    }
    assert_ne!(values(&one, 7, 0, 0), values(&one, 8, 0, 0));
    // The standard-of-care arm has no product: no dose.
    assert_eq!(values(&more, 7, 0, 1)[2], None);
}

#[test]
fn draws_follow_their_distributions_and_truncation() {
    let s = spec(&format!("{WEIGHT}{DOUBLING}{DOSE}"), ARM);
    let n = 3000;
    let draws: Vec<Vec<Option<f64>>> = (0..n).map(|k| values(&s, 1, k, 0)).collect();
    let weights: Vec<f64> = draws.iter().map(|d| d[0].unwrap()).collect();
    assert!(weights.iter().all(|&w| (40.0..=120.0).contains(&w)));
    let logs: Vec<f64> = weights.iter().map(|w| (w / 70.0).ln()).collect();
    let mean = logs.iter().sum::<f64>() / n as f64;
    let var = logs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
    // ln(weight / 70 kg) ~ N(0, 0.04), barely truncated (40 and 120 kg are ±2.8 SD):
    // standard errors 0.0037 (mean) and 0.001 (variance).
    assert!(mean.abs() < 0.015, "{mean}");
    assert!((var - 0.04).abs() < 0.005, "{var}");
    // cv 0.1: omega2 = ln(1.01) around the catalogue's 0.78 days.
    let td: Vec<f64> = draws.iter().map(|d| (d[1].unwrap() / 0.78).ln()).collect();
    let var = td.iter().map(|x| x * x).sum::<f64>() / n as f64;
    assert!((var - 1.01_f64.ln()).abs() < 0.001, "{var}");
    // Levels: each a third of the patients (SE 0.0086).
    for level in [1e5, 1e6, 1e7] {
        let share = draws.iter().filter(|d| d[2] == Some(level)).count() as f64 / n as f64;
        assert!((share - 1.0 / 3.0).abs() < 0.03, "{level}: {share}");
    }
}

#[test]
fn correlated_rows_have_their_correlation() {
    let correlation = "[[correlations]]\nfirst = \"patient.weight_kg\"\nsecond = \"parameters.car_t.doubling_time_days\"\nrho = -0.6\n";
    let s = spec(&format!("{WEIGHT}{DOUBLING}{correlation}"), ARM);
    let n = 3000;
    let pairs: Vec<(f64, f64)> = (0..n)
        .map(|k| {
            let v = values(&s, 2, k, 0);
            ((v[0].unwrap() / 70.0).ln(), (v[1].unwrap() / 0.78).ln())
        })
        .collect();
    let mean = |f: &dyn Fn(&(f64, f64)) -> f64| pairs.iter().map(f).sum::<f64>() / n as f64;
    let (ma, mb) = (mean(&|p| p.0), mean(&|p| p.1));
    let cov = mean(&|p| (p.0 - ma) * (p.1 - mb));
    let r = cov / (mean(&|p| (p.0 - ma).powi(2)) * mean(&|p| (p.1 - mb).powi(2))).sqrt();
    // SE of r near -0.6 with n = 3000: (1 - 0.36)/sqrt(3000) = 0.012.
    assert!((r + 0.6).abs() < 0.05, "{r}");
}

#[test]
fn product_draws_follow_each_arms_own_value() {
    let cv = "[[variability]]\ntarget = \"products.dose_cells_per_kg\"\ndistribution = \"lognormal\"\ncv = 0.3\n";
    let arms = format!("{ARM}{}", ARM.replace("cd19", "high").replace("1e6", "1e7"));
    let s = spec(cv, &arms);
    for k in 0..10 {
        let p = patient(&s, 3, k, k + 1);
        let dose = |a: usize| match p.arms[a].config.products[0].dose {
            immunosim_model::car::Dose::PerKg(x) => x,
            other => panic!("{other:?}"),
        };
        // The same deviate around each arm's nominal dose: paired across arms.
        assert!((dose(1) / dose(0) - 10.0).abs() < 1e-9);
    }
}

/// One patient per thread, at least one, never more than there are patients or than fit
/// in memory; the threads shared among the patients in flight.
#[test]
fn patients_in_flight_are_one_per_thread_up_to_the_patients_and_memory() {
    use crate::{InFlight, in_flight};
    let all = usize::MAX;
    let plan = |patients, threads_each| InFlight {
        patients,
        threads_each,
    };
    assert_eq!(in_flight(1, 100, all), plan(1, 1));
    assert_eq!(in_flight(2, 100, all), plan(2, 1));
    assert_eq!(in_flight(16, 100, all), plan(16, 1));
    // Fewer patients than threads: the threads are shared among them.
    assert_eq!(in_flight(16, 3, all), plan(3, 5));
    assert_eq!(in_flight(4, 0, all), plan(1, 4));
    // Memory for 4 patients: 4 at a time, 4 threads each.
    assert_eq!(in_flight(16, 100, 4), plan(4, 4));
    assert_eq!(in_flight(2, 100, 1), plan(1, 2));
    assert_eq!(in_flight(0, 100, all), plan(1, 1));
}
