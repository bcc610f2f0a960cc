//! The fully resolved scenario as TOML (`run.toml`): every field and parameter, so the
//! file re-runs to the same outputs.

use crate::Scenario;
use immunosim_model::Parameters;
use immunosim_model::antigen_panel::Stage;
use immunosim_model::car::{Dose, Logic, Platform, Source};
use immunosim_model::interventions::Vaccination;

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
            let targets: Vec<String> = c
                .targets
                .iter()
                .map(|&a| quote(self.antigens.name(a)))
                .collect();
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
                out.push_str(&format!(
                    "inhibitory = {}\n",
                    quote(self.antigens.name(veto))
                ));
            }
            let source = match p.source {
                Source::Autologous => "autologous",
                Source::Allogeneic => "allogeneic",
            };
            let platform = match p.platform {
                Platform::Viral => "viral",
                Platform::Mrna => "mrna",
            };
            out.push_str(&format!(
                "source = \"{source}\"\nplatform = \"{platform}\"\n"
            ));
            match p.dose {
                Dose::PerKg(per_kg) => {
                    out.push_str(&format!("dose_cells_per_kg = {}\n", num(per_kg)))
                }
                Dose::Flat(cells) => out.push_str(&format!("dose_cells = {}\n", num(cells))),
            }
            out.push_str(&format!(
                "infusion_day = {}\ndoses = {}\ndose_interval_days = {}\nreinfusion_days = {}\ncd4_share = {}\nphenotype_shares = {}\n",
                num(p.infusion_day),
                p.doses,
                num(p.dose_interval_days),
                list(&p.reinfusion_days),
                num(p.cd4_share),
                list(&p.phenotype_shares),
            ));
            if let Some(m) = p.manufacturing {
                out.push_str(&format!(
                    "leukapheresis_day = {}\nmanufacturing_days_min = {}\nmanufacturing_days_max = {}\nmanufacturing_failure_probability = {}\n",
                    num(m.leukapheresis_day),
                    num(m.days_min),
                    num(m.days_max),
                    num(m.failure_probability)
                ));
            }
        }
        for a in &self.own_antigens {
            out.push_str(&format!("\n[[antigens]]\nname = {}\n", quote(&a.name)));
            for (stage, d) in Stage::ALL.iter().zip(a.densities) {
                if d.mean > 0.0 {
                    out.push_str(&format!(
                        "{} = [{}, {}]\n",
                        stage.name(),
                        num(d.mean),
                        num(d.sd)
                    ));
                }
            }
            out.push_str(&format!(
                "lost_by_mature_plasma_cells = {}\nsource = {}\n",
                a.lost_by_mature_plasma_cells,
                quote(&a.source)
            ));
        }
        if let Some(b) = self.bridging {
            out.push_str(&format!(
                "\n[bridging]\nprednisolone_mg_per_day = {}\nstart_day = {}\nend_day = {}\n",
                num(b.prednisolone_mg_per_day),
                num(b.start_day),
                num(b.end_day)
            ));
        }
        for v in &self.vaccinations {
            let name = Vaccination::VACCINES
                .iter()
                .find(|x| x.1 == v.vaccine)
                .map_or("vaccine_a", |x| x.0);
            out.push_str(&format!(
                "\n[[vaccinations]]\nday = {}\nvaccine = \"{name}\"\n",
                num(v.day)
            ));
        }
        for d in &self.ivig {
            out.push_str(&format!(
                "\n[[ivig]]\nday = {}\ndose_g_per_kg = {}\n",
                num(d.day),
                num(d.dose_g_per_kg)
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

/// A TOML list of floats.
fn list(values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|&x| num(x)).collect();
    format!("[{}]", items.join(", "))
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
