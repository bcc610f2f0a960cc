//! The cohort's health economics: each patient-arm's ledger built beside the cohort
//! recorder, kept in `parts/patient_K_economics.csv` (written before the rows file, so
//! a finished patient has it, and read back like the other parts, which keeps
//! `--resume`, shards, `merge` and MPI ranks giving the same outputs at any thread
//! count), and `economics.csv`, `economics_summary.csv` and, with `--psa N`,
//! `ceac.csv` computed from the parts. Written only for cohorts with `[economics]` or
//! `[[contracts]]`.

use crate::CohortError;
use crate::draws::KeyedStream;
use crate::parts::PatientParts;
use crate::recorder::{ArmRecord, CohortRecorder};
use crate::spec::CohortSpec;
use crate::spec::economics::EconomicsSpec;
use immunosim_economics::contracts::Payment;
use immunosim_economics::cost::{ArmLedgers, mean_use, prepare};
use immunosim_economics::ledger::{ArmTerms, Rates};
use immunosim_economics::psa::{self, Uniform};
use immunosim_economics::{EconomicsRecorder, Item, Ledger, State, summary};
use immunosim_engine::recorder::{Event, RecordError, Recorder, Snapshot};
use immunosim_output::files::number;
use std::path::{Path, PathBuf};

/// Per patient × arm.
pub const ECONOMICS_CSV: &str = "economics.csv";
/// Per arm.
pub const ECONOMICS_SUMMARY_CSV: &str = "economics_summary.csv";
/// The cost-effectiveness acceptability curve (`--psa N`).
pub const CEAC_CSV: &str = "ceac.csv";

/// The economics part of patient `k`.
pub fn part_path(out: &Path, k: u64) -> PathBuf {
    out.join(crate::part_files::DIR)
        .join(format!("patient_{k:06}_economics.csv"))
}

/// What the economics recorder of arm `arm` needs.
pub fn terms(e: &EconomicsSpec, arm: &immunosim_scenario::Scenario, a: usize) -> ArmTerms {
    ArmTerms {
        remission_score: arm.config.params.disease.remission_score,
        price_per_dose: e.prices_per_dose[a],
        contracts: e.contracts.clone(),
        journey: e.settings.journey.clone(),
        rates: Rates {
            costs: e.settings.discount_rate_costs,
            qalys: e.settings.discount_rate_qalys,
        },
    }
}

/// The cohort recorder and, with economics, the economics recorder, fed alike.
pub struct ArmRecorder {
    cohort: CohortRecorder,
    economics: Option<EconomicsRecorder>,
}

impl ArmRecorder {
    /// A recorder of an arm with these economics terms.
    pub fn new(terms: Option<&ArmTerms>) -> ArmRecorder {
        ArmRecorder {
            cohort: CohortRecorder::default(),
            economics: terms.cloned().map(EconomicsRecorder::new),
        }
    }

    /// What the arm gave.
    pub fn finish(self) -> ArmRecord {
        let mut r = self.cohort.finish();
        r.economics = self.economics.map(EconomicsRecorder::finish);
        r
    }
}

impl Recorder for ArmRecorder {
    fn record(&mut self, s: &Snapshot) -> Result<(), RecordError> {
        self.cohort.record(s)?;
        match &mut self.economics {
            Some(e) => e.record(s),
            None => Ok(()),
        }
    }

    fn event(&mut self, e: &Event) -> Result<(), RecordError> {
        self.cohort.event(e)?;
        match &mut self.economics {
            Some(x) => x.event(e),
            None => Ok(()),
        }
    }
}

const PART_HEADER: &str = "patient,arm,item,year,units,discounted_costs,discounted_qalys";

/// A fact of a ledger as a part row: (item name, value).
fn facts(l: &Ledger) -> Vec<(String, Option<f64>)> {
    let mut f = vec![
        ("fact.last_day".to_string(), Some(l.last_day)),
        ("fact.leukapheresis_day".into(), l.leukapheresis_day),
        ("fact.infusion_day".into(), l.infusion_day),
        ("fact.end_state".into(), l.end_state.map(State::code)),
        ("fact.relapses".into(), Some(f64::from(l.relapses))),
        (
            "fact.remission_day730".into(),
            l.remission_day730.map(|b| f64::from(u8::from(b))),
        ),
    ];
    for (j, p) in l.payments.iter().enumerate() {
        f.push((format!("payment.{j}.paid"), Some(p.paid)));
        f.push((format!("payment.{j}.discounted"), Some(p.discounted)));
        f.push((format!("payment.{j}.full"), Some(p.full)));
        f.push((format!("payment.{j}.met"), Some(f64::from(u8::from(p.met)))));
    }
    f
}

/// Writes patient `k`'s economics part (before its rows file).
pub fn write_part(
    spec: &CohortSpec,
    out: &Path,
    k: u64,
    records: &[ArmRecord],
) -> Result<(), CohortError> {
    if spec.economics.is_none() {
        return Ok(());
    }
    let dir = out.join(crate::part_files::DIR);
    std::fs::create_dir_all(&dir).map_err(|e| CohortError::io(&dir, e))?;
    let mut text = format!("{PART_HEADER}\n");
    for (a, r) in records.iter().enumerate() {
        let arm = &spec.arms[a].name;
        let Some(l) = &r.economics else { continue };
        for ((item, year), u) in &l.items {
            text.push_str(&format!(
                "{k},{arm},{},{year},{},{},{}\n",
                item.name(),
                number(u[0]),
                number(u[1]),
                number(u[2])
            ));
        }
        for (name, v) in facts(l) {
            let v = v.map_or(String::new(), number);
            text.push_str(&format!("{k},{arm},{name},,{v},,\n"));
        }
    }
    immunosim_output::write_atomically(&part_path(out, k), text.as_bytes())?;
    Ok(())
}

/// Reads patient `k`'s economics part from `dir`: a ledger per arm, in arm order.
pub fn read_part(spec: &CohortSpec, dir: &Path, k: u64) -> Result<Vec<Ledger>, CohortError> {
    let path = part_path(dir, k);
    let text = crate::part_files::read_text(&path)?;
    let damaged =
        |line: &str| CohortError::Mismatch(format!("{}: unreadable row `{line}`", path.display()));
    let contracts = spec.economics.as_ref().map_or(0, |e| e.contracts.len());
    let blank = Payment {
        paid: 0.0,
        discounted: 0.0,
        full: 0.0,
        met: false,
    };
    let mut ledgers = vec![
        Ledger {
            payments: vec![blank; contracts],
            ..Ledger::default()
        };
        spec.arms.len()
    ];
    let mut lines = text.lines();
    if lines.next() != Some(PART_HEADER) {
        return Err(damaged("header"));
    }
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let arm = f
            .get(1)
            .and_then(|n| spec.arms.iter().position(|a| a.name == *n));
        let (Some(a), 7, Some(true)) = (arm, f.len(), f.first().map(|p| *p == k.to_string()))
        else {
            return Err(damaged(line));
        };
        let num = |s: &str| -> Result<Option<f64>, CohortError> {
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse().map(Some).map_err(|_| damaged(line))
            }
        };
        let l = &mut ledgers[a];
        let value = num(f[4])?;
        if let Some(item) = Item::named(f[2]) {
            let year: u32 = f[3].parse().map_err(|_| damaged(line))?;
            let u = [
                value.unwrap_or(0.0),
                num(f[5])?.unwrap_or(0.0),
                num(f[6])?.unwrap_or(0.0),
            ];
            l.items.insert((item, year), u);
            continue;
        }
        match f[2] {
            "fact.last_day" => l.last_day = value.unwrap_or(0.0),
            "fact.leukapheresis_day" => l.leukapheresis_day = value,
            "fact.infusion_day" => l.infusion_day = value,
            "fact.end_state" => l.end_state = value.and_then(State::from_code),
            "fact.relapses" => l.relapses = value.unwrap_or(0.0) as u32,
            "fact.remission_day730" => l.remission_day730 = value.map(|v| v > 0.0),
            other => {
                let mut p = other.split('.');
                let (Some("payment"), Some(j), Some(what)) = (p.next(), p.next(), p.next()) else {
                    return Err(damaged(line));
                };
                let j: usize = j.parse().map_err(|_| damaged(line))?;
                let Some(pay) = l.payments.get_mut(j) else {
                    return Err(damaged(line));
                };
                let v = value.unwrap_or(0.0);
                match what {
                    "paid" => pay.paid = v,
                    "discounted" => pay.discounted = v,
                    "full" => pay.full = v,
                    "met" => pay.met = v > 0.0,
                    _ => return Err(damaged(line)),
                }
            }
        }
    }
    Ok(ledgers)
}

struct Stream(KeyedStream);

impl Uniform for Stream {
    fn uniform(&mut self) -> f64 {
        self.0.uniform()
    }
}

/// Writes the economics outputs of `patients` (patient k at index k, their ledgers read
/// by `gather`) to `out`; nothing without economics.
pub fn write_outputs(
    spec: &CohortSpec,
    patients: &[PatientParts],
    out: &Path,
) -> Result<(), CohortError> {
    let Some(e) = &spec.economics else {
        return Ok(());
    };
    let mut arms: Vec<ArmLedgers> = spec
        .arms
        .iter()
        .enumerate()
        .map(|(a, arm)| ArmLedgers {
            name: arm.name.clone(),
            price_per_dose: e.prices_per_dose[a],
            ledgers: Vec::new(),
        })
        .collect();
    for (k, p) in patients.iter().enumerate() {
        for (a, l) in p.ledgers.iter().enumerate() {
            arms[a].ledgers.push((k as u64, l.clone()));
        }
    }
    let s = &e.settings;
    let prepared = prepare(s, arms);
    let write = |name: &str, text: String| -> Result<(), CohortError> {
        immunosim_output::write_atomically(&out.join(name), text.as_bytes())?;
        Ok(())
    };
    write(
        ECONOMICS_CSV,
        summary::economics_csv(s, &e.contracts, &prepared, &number),
    )?;
    write(
        ECONOMICS_SUMMARY_CSV,
        summary::summary_csv(s, &e.contracts, &prepared, &number),
    )?;
    if let Some((replicates, seed)) = e.psa {
        let uses: Vec<_> = prepared.arms.iter().map(mean_use).collect();
        let values: Vec<Vec<(f64, f64)>> = (0..replicates)
            .map(|r| {
                let mut stream = |name: &str| -> Box<dyn Uniform> {
                    Box::new(Stream(KeyedStream::new(seed, r, &format!("psa {name}"), 0)))
                };
                let (p, u) = psa::draw(
                    &s.prices,
                    &s.utilities,
                    s.psa_price_cv,
                    s.psa_utility_se,
                    &mut stream,
                );
                uses.iter().map(|m| m.value(&p, &u)).collect()
            })
            .collect();
        let steps = (s.ceac_wtp_max / s.ceac_wtp_step).floor() as u64;
        let wtp: Vec<f64> = (0..=steps).map(|i| i as f64 * s.ceac_wtp_step).collect();
        let names: Vec<String> = prepared.arms.iter().map(|a| a.name.clone()).collect();
        let mut text = "arm,wtp_per_qaly,probability\n".to_string();
        for (arm, w, p) in psa::ceac(&names, &values, &wtp) {
            text.push_str(&format!("{arm},{},{}\n", number(w), number(p)));
        }
        write(CEAC_CSV, text)?;
    }
    Ok(())
}
