//! The fully resolved scenario as TOML (`run.toml`): every field and parameter, so the
//! file re-runs to the same outputs.

use crate::Scenario;
use crate::choices::RunStatus;
use crate::schema::{self, Slot};
use immunosim_engine::config::ChemotherapyDay;
use immunosim_model::Parameters;
use immunosim_model::antigen_panel::Stage;
use immunosim_model::car::Dose;
use immunosim_model::interventions::Vaccine;
use immunosim_model::named::Named;

/// The informational `[run]` table of `run.toml`: read back, it is accepted and
/// ignored (outputs depend on none of it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunInfo<'a> {
    /// immunosim version of the run.
    pub version: &'a str,
    /// Worker threads of the run.
    pub threads: usize,
    /// Where the run was when this `run.toml` was written.
    pub status: RunStatus,
}

/// Where a run's outputs came from, beyond the version: appended to `[run]` in
/// `run.toml` only (never in the CSVs, which stay byte-identical between runs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// The git commit the binary was built from, or `unknown`.
    pub commit: String,
    /// The command line, shell-quoted.
    pub command: String,
    /// Start of the run (or of its resume), UTC, RFC 3339.
    pub started: String,
}

impl Scenario {
    /// `run.toml`: [`Scenario::to_resolved_toml`] with the run's provenance added to
    /// its `[run]` table (the last one).
    pub fn to_run_toml(&self, run: RunInfo<'_>, provenance: &Provenance) -> String {
        let mut out = self.to_resolved_toml(run);
        out.push_str(&format!(
            "commit = {}
command = {}
started = {}
",
            quote(&provenance.commit),
            quote(&provenance.command),
            quote(&provenance.started)
        ));
        out
    }

    /// The fully resolved scenario as TOML: every field and every parameter, so that
    /// the file re-runs to the same outputs, and `run`'s informational `[run]` table.
    pub fn to_resolved_toml(&self, run: RunInfo<'_>) -> String {
        let mut out = String::new();
        out.push_str("# Fully resolved scenario written by immunosim: re-run it with\n");
        out.push_str("#   immunosim run run.toml\n# Every parameter is listed with its unit.\n");
        let mut table = "";
        for field in schema::fields() {
            let value = match field.slot {
                Some(Slot::Number(get, _)) => num(get(self)),
                Some(Slot::Whole(get, _)) => get(self).to_string(),
                Some(Slot::Text(get, _)) => quote(get(self)),
                Some(Slot::NumberIn(_)) | None => continue,
            };
            if field.table != table {
                table = field.table;
                out.push_str(&format!("\n[{table}]\n"));
            }
            out.push_str(&format!("{} = {value}\n", field.name));
        }
        let chemotherapy = &self.config.lymphodepletion;
        if !chemotherapy.is_empty() {
            // One table can hold one dose per drug: days with the same dose are listed.
            let days_of = |pick: fn(&ChemotherapyDay) -> f64| -> (f64, Vec<String>) {
                let given: Vec<&ChemotherapyDay> =
                    chemotherapy.iter().filter(|d| pick(d) > 0.0).collect();
                (
                    given.first().map_or(0.0, |d| pick(d)),
                    given.iter().map(|d| num(d.day)).collect(),
                )
            };
            let (flu, flu_days) = days_of(|d| d.fludarabine_mg_per_m2);
            let (cy, cy_days) = days_of(|d| d.cyclophosphamide_mg_per_m2);
            out.push_str(&format!(
                "\n[lymphodepletion]\nfludarabine_mg_per_m2_per_day = {}\nfludarabine_days = [{}]\ncyclophosphamide_mg_per_m2_per_day = {}\ncyclophosphamide_days = [{}]\n",
                num(flu), flu_days.join(", "), num(cy), cy_days.join(", ")
            ));
        }
        for p in &self.config.products {
            let c = &p.construct;
            let targets: Vec<String> = c
                .targets
                .iter()
                .map(|&a| quote(self.config.antigens.name(a)))
                .collect();
            let logic = c.logic.name();
            out.push_str(&format!(
                "\n[[products]]\nname = {}\ntargets = [{}]\nlogic = \"{logic}\"\n",
                quote(&p.name),
                targets.join(", ")
            ));
            if let Some(veto) = c.inhibitory {
                out.push_str(&format!(
                    "inhibitory = {}\n",
                    quote(self.config.antigens.name(veto))
                ));
            }
            let (source, platform) = (p.source.name(), p.platform.name());
            out.push_str(&format!(
                "source = \"{source}\"\nplatform = \"{platform}\"\ncostimulatory_domain = \"{}\"\n",
                p.costimulation.name()
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
            if let Some(threshold) = p.activation_threshold_molecules {
                out.push_str(&format!(
                    "activation_threshold_molecules = {}\n",
                    num(threshold)
                ));
            }
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
        if let Some(b) = self.config.bridging {
            out.push_str(&format!(
                "\n[bridging]\nprednisolone_mg_per_day = {}\nstart_day = {}\nend_day = {}\n",
                num(b.prednisolone_mg_per_day),
                num(b.start_day),
                num(b.end_day)
            ));
        }
        for v in &self.config.vaccinations {
            // Scenarios give only vaccine specificities (the reader maps no other).
            let Some(name) = Vaccine::ALL.iter().find(|x| x.specificity() == v.vaccine) else {
                continue;
            };
            let name = name.name();
            out.push_str(&format!(
                "\n[[vaccinations]]\nday = {}\nvaccine = \"{name}\"\n",
                num(v.day)
            ));
        }
        for d in &self.config.ivig {
            out.push_str(&format!(
                "\n[[ivig]]\nday = {}\ndose_g_per_kg = {}\n",
                num(d.day),
                num(d.dose_g_per_kg)
            ));
        }
        for group in Parameters::GROUPS {
            out.push_str(&format!("\n[parameters.{group}]\n"));
            for spec in Parameters::catalogue().filter(|s| s.group == group) {
                let value = self
                    .config
                    .params
                    .get(group, spec.name)
                    .unwrap_or(spec.default);
                out.push_str(&format!(
                    "{} = {}  # {}\n",
                    spec.name,
                    num(value),
                    spec.unit
                ));
            }
        }
        out.push_str(&format!(
            "\n[run]\nversion = {}\nthreads = {}\nstatus = \"{}\"\n",
            quote(run.version),
            run.threads,
            run.status.name()
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
