//! `economics.csv` (per patient × arm) and `economics_summary.csv` (per arm), from the
//! prepared arms. Intervals are 95% normal intervals on the mean (mean ± 1.96 SD/√n;
//! empty below 2 patients); increments are paired (the same patients in both arms).
//! ICER = incremental discounted cost / incremental discounted QALYs against the
//! comparator; NMB = wtp × ΔQALY − Δcost. The break-even year is the first analysis
//! year at whose end the arm's cumulative mean cost is at most the comparator's.
//! Cost per patient in remission at 2 years = the arm's undiscounted cost of years 1-2
//! summed over its patients / the patients in remission on day 730.

use crate::contracts::Contract;
use crate::cost::{Costed, Prepared, costed};
use crate::item::{CATEGORIES, Item};
use crate::prices::Settings;

/// z of a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Mean and 95% normal interval of `x` (NaN when undefined).
pub fn mean_ci(x: &[f64]) -> (f64, f64, f64) {
    let n = x.len() as f64;
    if x.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let m = x.iter().sum::<f64>() / n;
    if x.len() < 2 {
        return (m, f64::NAN, f64::NAN);
    }
    let sd = (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let h = Z95 * sd / n.sqrt();
    (m, m - h, m + h)
}

/// The index of the comparator arm.
pub fn comparator(settings: &Settings, p: &Prepared) -> usize {
    settings
        .comparator
        .as_ref()
        .and_then(|c| p.arms.iter().position(|a| &a.name == c))
        .unwrap_or(0)
}

/// Every patient-arm costed, by arm then patient.
pub fn all_costed(settings: &Settings, p: &Prepared) -> Vec<Vec<Costed>> {
    p.arms
        .iter()
        .map(|a| {
            a.ledgers
                .iter()
                .map(|(_, l)| {
                    costed(
                        l,
                        &settings.prices,
                        &settings.utilities,
                        a.price_per_dose,
                        p.years,
                    )
                })
                .collect()
        })
        .collect()
}

/// Header of `economics.csv` (money columns in `settings`' currency).
pub fn header(settings: &Settings, contracts: &[Contract]) -> String {
    let cur = settings.unit();
    let mut h = vec![
        "patient".to_string(),
        "arm".into(),
        "wait_days_to_leukapheresis".into(),
        "wait_days_to_infusion".into(),
    ];
    h.extend(Item::ALL.iter().map(|i| i.name().to_string()));
    for disc in ["", "_discounted"] {
        h.extend(CATEGORIES.iter().map(|c| format!("cost_{c}_{cur}{disc}")));
        h.push(format!("cost_total_{cur}{disc}"));
    }
    h.push("qaly".into());
    h.push("qaly_discounted".into());
    h.push("in_remission_day730".into());
    for c in contracts {
        h.push(format!("payment_{}_{cur}", c.name));
        h.push(format!("payment_{}_{cur}_discounted", c.name));
        h.push(format!("outcome_met_{}", c.name));
    }
    h.join(",")
}

/// `economics.csv`: patients in order, then arms.
pub fn economics_csv(
    settings: &Settings,
    contracts: &[Contract],
    p: &Prepared,
    number: &dyn Fn(f64) -> String,
) -> String {
    let costs = all_costed(settings, p);
    let opt = |x: Option<f64>| x.map_or(String::new(), number);
    let flag = |b: bool| if b { "1" } else { "0" }.to_string();
    let mut out = header(settings, contracts);
    out.push('\n');
    let patients = p.arms.first().map_or(0, |a| a.ledgers.len());
    // Rows by patient, then arm: the patient index reads every arm's column.
    #[allow(clippy::needless_range_loop)]
    for i in 0..patients {
        for (a, arm) in p.arms.iter().enumerate() {
            let (k, l) = &arm.ledgers[i];
            let c = &costs[a][i];
            let mut row = vec![
                k.to_string(),
                arm.name.clone(),
                opt(l.leukapheresis_day),
                opt(l.infusion_day),
            ];
            row.extend(Item::ALL.iter().map(|&it| number(l.total(it, 0))));
            for w in 0..2 {
                row.extend(c.by_category.iter().map(|x| number(x[w])));
                row.push(number(c.total[w]));
            }
            row.push(number(c.qaly[0]));
            row.push(number(c.qaly[1]));
            row.push(l.remission_day730.map_or(String::new(), flag));
            for pay in &l.payments {
                row.push(number(pay.paid));
                row.push(number(pay.discounted));
                row.push(if pay.full > 0.0 {
                    flag(pay.met)
                } else {
                    String::new()
                });
            }
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

/// Header of `economics_summary.csv`.
pub const SUMMARY_HEADER: &str =
    "arm,measure,unit,n,estimate,ci95_low,ci95_high,vs_arm,wtp_per_qaly";

/// `economics_summary.csv`.
pub fn summary_csv(
    settings: &Settings,
    contracts: &[Contract],
    p: &Prepared,
    number: &dyn Fn(f64) -> String,
) -> String {
    let num = |x: f64| {
        if x.is_finite() {
            number(x)
        } else {
            String::new()
        }
    };
    let cur = settings.unit();
    let costs = all_costed(settings, p);
    let cmp = comparator(settings, p);
    let cmp_name = &p.arms[cmp].name;
    let mut out = format!("{SUMMARY_HEADER}\n");
    let mut line = |arm: &str, measure: &str, unit: &str, x: &[f64], vs: &str, wtp: &str| {
        let (m, lo, hi) = mean_ci(x);
        out.push_str(&format!(
            "{arm},{measure},{unit},{},{},{},{},{vs},{wtp}\n",
            x.len(),
            num(m),
            num(lo),
            num(hi)
        ));
    };
    for (a, arm) in p.arms.iter().enumerate() {
        let c = &costs[a];
        let name = arm.name.as_str();
        line(name, "horizon", "years", &[p.horizon_days / 365.25], "", "");
        line(
            name,
            "relapse_hazard",
            "per_year",
            &[p.hazards[a] * 365.25],
            "",
            "",
        );
        for (k, cat) in CATEGORIES.iter().enumerate() {
            let x: Vec<f64> = c.iter().map(|v| v.by_category[k][1]).collect();
            line(name, &format!("cost_{cat}_discounted"), &cur, &x, "", "");
        }
        let total = |w: usize| -> Vec<f64> { c.iter().map(|v| v.total[w]).collect() };
        let qaly = |w: usize| -> Vec<f64> { c.iter().map(|v| v.qaly[w]).collect() };
        line(name, "cost_total", &cur, &total(0), "", "");
        line(name, "cost_total_discounted", &cur, &total(1), "", "");
        line(name, "qaly", "qaly", &qaly(0), "", "");
        line(name, "qaly_discounted", "qaly", &qaly(1), "", "");
        let in_remission = arm
            .ledgers
            .iter()
            .filter(|(_, l)| l.remission_day730 == Some(true))
            .count();
        let evaluable = arm
            .ledgers
            .iter()
            .any(|(_, l)| l.remission_day730.is_some());
        let two_years: f64 = c
            .iter()
            .map(|v| v.by_year.iter().take(2).map(|y| y[0]).sum::<f64>())
            .sum();
        let per = if evaluable && in_remission > 0 {
            two_years / in_remission as f64
        } else {
            f64::NAN
        };
        line(
            name,
            "cost_per_patient_in_remission_year2",
            &cur,
            &[per],
            "",
            "",
        );
        if a != cmp {
            let d = |f: &dyn Fn(&Costed) -> f64| -> Vec<f64> {
                c.iter()
                    .zip(&costs[cmp])
                    .map(|(x, y)| f(x) - f(y))
                    .collect()
            };
            let dc = d(&|v| v.total[1]);
            let dq = d(&|v| v.qaly[1]);
            line(name, "incremental_cost_discounted", &cur, &dc, cmp_name, "");
            line(
                name,
                "incremental_qaly_discounted",
                "qaly",
                &dq,
                cmp_name,
                "",
            );
            let (mc, mq) = (mean_ci(&dc).0, mean_ci(&dq).0);
            let icer = if mq != 0.0 { mc / mq } else { f64::NAN };
            line(
                name,
                "icer",
                &format!("{cur}_per_qaly"),
                &[icer],
                cmp_name,
                "",
            );
            for &w in &settings.wtp {
                let nmb: Vec<f64> = dq.iter().zip(&dc).map(|(q, c)| w * q - c).collect();
                line(name, "net_monetary_benefit", &cur, &nmb, cmp_name, &num(w));
            }
            for (j, contract) in contracts.iter().enumerate() {
                let under = |ledgers: &[(u64, crate::Ledger)], c: &[Costed]| -> Vec<f64> {
                    ledgers
                        .iter()
                        .zip(c)
                        .map(|((_, l), v)| contract_cost(v, l.payments[j]))
                        .collect()
                };
                let own = under(&arm.ledgers, c);
                let base = under(&p.arms[cmp].ledgers, &costs[cmp]);
                let dcc: Vec<f64> = own.iter().zip(&base).map(|(x, y)| x - y).collect();
                let m = format!("incremental_cost_discounted_contract_{}", contract.name);
                line(name, &m, &cur, &dcc, cmp_name, "");
                let icer = if mq != 0.0 {
                    mean_ci(&dcc).0 / mq
                } else {
                    f64::NAN
                };
                let m = format!("icer_contract_{}", contract.name);
                line(name, &m, &format!("{cur}_per_qaly"), &[icer], cmp_name, "");
            }
            for (w, measure) in [(0, "break_even_year"), (1, "break_even_year_discounted")] {
                let year = break_even(c, &costs[cmp], w, p.years);
                line(name, measure, "year", &[year], cmp_name, "");
            }
        }
        for (j, contract) in contracts.iter().enumerate() {
            let pays: Vec<_> = arm.ledgers.iter().map(|(_, l)| l.payments[j]).collect();
            if pays.iter().all(|x| x.full == 0.0) {
                continue;
            }
            let m = |s: &str| format!("contract_{}_{s}", contract.name);
            let paid: Vec<f64> = pays.iter().map(|x| x.paid).collect();
            let disc: Vec<f64> = pays.iter().map(|x| x.discounted).collect();
            line(name, &m("expected_payment"), &cur, &paid, "", "");
            line(name, &m("expected_payment_discounted"), &cur, &disc, "", "");
            line(
                name,
                &m("manufacturer_revenue"),
                &cur,
                &[paid.iter().sum()],
                "",
                "",
            );
            let infused: Vec<_> = pays.iter().filter(|x| x.full > 0.0).collect();
            let met: Vec<f64> = infused.iter().map(|x| f64::from(u8::from(x.met))).collect();
            line(name, &m("outcome_met_share"), "fraction", &met, "", "");
            let failed: Vec<_> = infused.iter().filter(|x| !x.met).collect();
            let full: f64 = failed.iter().map(|x| x.full).sum();
            let payer = if full > 0.0 {
                failed.iter().map(|x| x.paid).sum::<f64>() / full
            } else {
                f64::NAN
            };
            line(name, &m("payer_risk_share"), "fraction", &[payer], "", "");
            line(
                name,
                &m("manufacturer_risk_share"),
                "fraction",
                &[1.0 - payer],
                "",
                "",
            );
        }
    }
    out
}

/// A patient-arm's discounted cost with the product paid under a contract: its
/// discounted payment instead of the product's list price (patients the contract does
/// not cover keep their cost).
pub fn contract_cost(c: &Costed, payment: crate::contracts::Payment) -> f64 {
    let product = CATEGORIES
        .iter()
        .position(|n| *n == "product")
        .expect("product");
    if payment.full > 0.0 {
        c.total[1] - c.by_category[product][1] + payment.discounted
    } else {
        c.total[1]
    }
}

/// The first year (1-based) at whose end the cumulative mean cost of `arm` is at most
/// that of `comparator` (`w` 0: undiscounted, 1: discounted); NaN if none.
pub fn break_even(arm: &[Costed], comparator: &[Costed], w: usize, years: u32) -> f64 {
    let n = arm.len().max(1) as f64;
    let (mut a, mut b) = (0.0, 0.0);
    for y in 0..years as usize {
        a += arm
            .iter()
            .map(|c| c.by_year.get(y).map_or(0.0, |v| v[w]))
            .sum::<f64>()
            / n;
        b += comparator
            .iter()
            .map(|c| c.by_year.get(y).map_or(0.0, |v| v[w]))
            .sum::<f64>()
            / n;
        if a <= b {
            return (y + 1) as f64;
        }
    }
    f64::NAN
}
