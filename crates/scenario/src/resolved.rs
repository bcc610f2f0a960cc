//! The fully resolved scenario as TOML (`run.toml`): every field and parameter, so the
//! file re-runs to the same outputs.

use crate::Scenario;
use immunosim_model::Parameters;
use immunosim_model::car::Logic;

impl Scenario {
    /// The fully resolved scenario as TOML: every field and every parameter, so that
    /// the file re-runs to the same outputs. `run` adds informational `[run]` values.
    pub fn to_resolved_toml(&self, version: &str, threads: usize) -> String {
        let mut out = String::new();
        out.push_str("# Fully resolved scenario written by immunosim: re-run it with\n");
        out.push_str("#   immunosim run run.toml\n# Every parameter is listed with its unit.\n\n");
        out.push_str("[scenario]\n");
        out.push_str(&format!("name = {}\n", quote(&self.name)));
        out.push_str(&format!("description = {}\n", quote(&self.description)));
        out.push_str(&format!("preset = {}\n", quote(&self.preset)));
        out.push_str(&format!("days = {}\n", num(self.days)));
        out.push_str(&format!("burn_in_days = {}\n", num(self.burn_in_days)));
        out.push_str(&format!("seed = {}\n", self.seed));
        out.push_str(&format!("time_step_days = {}\n", num(self.time_step_days)));
        out.push_str(&format!(
            "record_every_days = {}\n\n",
            num(self.record_every_days)
        ));
        out.push_str(&format!(
            "[patient]\nweight_kg = {}\nheight_cm = {}\n\n",
            num(self.weight_kg),
            num(self.height_cm)
        ));
        out.push_str("[resolution.cells_per_agent_by_kind]\n");
        for (kind, w) in ["b_cell", "plasma_cell", "t_cell", "car_t"]
            .iter()
            .zip(self.cells_per_agent)
        {
            out.push_str(&format!("{kind} = {}\n", num(w)));
        }
        let [blood, lymphoid, marrow, organ] = self.sites;
        out.push_str(&format!("\n[sites]\nblood = {blood}\nlymphoid = {lymphoid}\nmarrow = {marrow}\norgan = {organ}\n"));
        if !self.chemotherapy.is_empty() {
            // One table can hold one dose per drug: days with the same dose are listed.
            let days_of = |pick: fn(&(f64, f64, f64)) -> f64| -> (f64, Vec<String>) {
                let given: Vec<&(f64, f64, f64)> =
                    self.chemotherapy.iter().filter(|d| pick(d) > 0.0).collect();
                (
                    given.first().map_or(0.0, |d| pick(d)),
                    given.iter().map(|d| num(d.0)).collect(),
                )
            };
            let (flu, flu_days) = days_of(|d| d.1);
            let (cy, cy_days) = days_of(|d| d.2);
            out.push_str(&format!(
                "\n[lymphodepletion]\nfludarabine_mg_per_m2_per_day = {}\nfludarabine_days = [{}]\ncyclophosphamide_mg_per_m2_per_day = {}\ncyclophosphamide_days = [{}]\n",
                num(flu), flu_days.join(", "), num(cy), cy_days.join(", ")
            ));
        }
        for p in &self.products {
            let c = &p.construct;
            let targets: Vec<String> = c.targets.iter().map(|a| quote(a.name())).collect();
            let logic = match c.logic {
                Logic::Or => "or",
                Logic::And => "and",
                Logic::Not => "not",
            };
            out.push_str(&format!(
                "\n[[products]]\nname = {}\ntargets = [{}]\nlogic = \"{logic}\"\n",
                quote(&p.name),
                targets.join(", ")
            ));
            if let Some(veto) = c.inhibitory {
                out.push_str(&format!("inhibitory = {}\n", quote(veto.name())));
            }
            out.push_str(&format!(
                "dose_cells_per_kg = {}\ninfusion_day = {}\n",
                num(p.dose_cells_per_kg),
                num(p.infusion_day)
            ));
        }
        for group in Parameters::GROUPS {
            out.push_str(&format!("\n[parameters.{group}]\n"));
            for spec in Parameters::catalogue().filter(|s| s.group == group) {
                let value = self.params.get(group, spec.name).unwrap_or(spec.default);
                out.push_str(&format!(
                    "{} = {}  # {}\n",
                    spec.name,
                    num(value),
                    spec.unit
                ));
            }
        }
        out.push_str(&format!(
            "\n[run]\nversion = {}\nthreads = {threads}\n",
            quote(version)
        ));
        out
    }
}

fn quote(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

/// A float in TOML that reads back to the same `f64` (shortest round-trip form).
fn num(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}
