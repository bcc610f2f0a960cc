//! Branching (`run --from CHECKPOINT`, the arms of a cohort): another treatment arm
//! for a saved patient. The arm's scenario must describe the same patient as the
//! checkpoint's (preset, burn-in, seed, step, body, resolution, sites and every
//! parameter), and its journey may not start before the moment the patient was saved.

use crate::Scenario;
use immunosim_engine::timeline::Timeline;

/// Tables of a resolved scenario that define the patient, and the `[scenario]` keys
/// that do (the rest of `[scenario]` — name, description, days, recording — and the
/// treatment tables may differ between arms).
const PATIENT_TABLES: &[&str] = &["patient", "resolution", "sites", "parameters"];
const PATIENT_SCENARIO_KEYS: &[&str] = &["preset", "burn_in_days", "seed", "time_step_days"];

/// Every way `arm` (resolved TOML) describes another patient than `saved`, one line
/// each (`field: arm value, checkpoint value`).
pub fn disagreements(arm: &str, saved: &str) -> Vec<String> {
    let parse = |text: &str| text.parse::<toml::Table>().unwrap_or_default();
    let (arm, saved) = (parse(arm), parse(saved));
    let mut found = Vec::new();
    let mut compare = |path: String, a: Option<&toml::Value>, b: Option<&toml::Value>| {
        if a != b {
            let show =
                |v: Option<&toml::Value>| v.map_or("(absent)".to_string(), |v| v.to_string());
            found.push(format!(
                "{path} = {} in the scenario, {} in the checkpoint's patient",
                show(a),
                show(b)
            ));
        }
    };
    let scenario = |t: &toml::Table, key: &str| t.get("scenario").and_then(|s| s.get(key)).cloned();
    for key in PATIENT_SCENARIO_KEYS {
        compare(
            format!("scenario.{key}"),
            scenario(&arm, key).as_ref(),
            scenario(&saved, key).as_ref(),
        );
    }
    for table in PATIENT_TABLES {
        let mut leaves_a = Vec::new();
        let mut leaves_b = Vec::new();
        leaves(table, arm.get(*table), &mut leaves_a);
        leaves(table, saved.get(*table), &mut leaves_b);
        let mut paths: Vec<&String> = leaves_a.iter().chain(&leaves_b).map(|(p, _)| p).collect();
        paths.sort();
        paths.dedup();
        for path in paths {
            let find = |l: &[(String, toml::Value)]| {
                l.iter().find(|(p, _)| p == path).map(|(_, v)| v.clone())
            };
            compare(
                path.clone(),
                find(&leaves_a).as_ref(),
                find(&leaves_b).as_ref(),
            );
        }
    }
    found
}

/// The dotted paths and values of every leaf under `value`.
fn leaves(path: &str, value: Option<&toml::Value>, out: &mut Vec<(String, toml::Value)>) {
    match value {
        Some(toml::Value::Table(table)) => {
            for (key, v) in table {
                leaves(&format!("{path}.{key}"), Some(v), out);
            }
        }
        Some(v) => out.push((path.to_string(), v.clone())),
        None => {}
    }
}

/// Why `arm` cannot continue from a patient saved at boundary `saved_step`: journey
/// events before it (a branch cannot give what the saved run has already passed), or a
/// checkpoint at or after the arm's last day.
pub fn timing_problems(arm: &Scenario, saved_step: u64) -> Vec<String> {
    let timeline = Timeline::for_run(&arm.config);
    let mut problems = Vec::new();
    let mut check = |what: &str, step: Option<u64>| {
        if let Some(step) = step.filter(|&s| s < saved_step) {
            problems.push(format!(
                "{what} on day {} is before the checkpoint's day {}",
                timeline.day_of(step),
                timeline.day_of(saved_step)
            ));
        }
    };
    check("the first intervention", timeline.first_treatment);
    for product in &timeline.products {
        check("leukapheresis", product.leukapheresis);
    }
    if saved_step >= timeline.total_steps {
        problems.push("the checkpoint is at or after the scenario's last day".into());
    }
    problems
}
