//! `[economics]`, `[[contracts]]` and `[[arms]] price_per_dose` of a cohort file, read
//! with the defaults of the scenario crate's rows (`fields/economics.rs`) and checked
//! (names, the comparator arm, an endpoint that exists, rebates and instalments that
//! fit).

use super::{array, check_table};
use immunosim_economics::contracts::{Comparison, Contract, Outcome};
use immunosim_economics::{Journey, Prices, Settings, Utilities};
use immunosim_scenario::fields::ECONOMICS_FIELDS;
use immunosim_scenario::schema::DefaultValue;
use immunosim_scenario::validate::Checked;
use immunosim_scenario::{ErrorKind, ScenarioError};
use toml_edit::{Item, Table};

/// The economics of a cohort.
#[derive(Clone, Debug, PartialEq)]
pub struct EconomicsSpec {
    /// `[economics]`.
    pub settings: Settings,
    /// `[[contracts]]`, in file order.
    pub contracts: Vec<Contract>,
    /// Each arm's price per dose, in arm order.
    pub prices_per_dose: Vec<f64>,
    /// `--psa N`: (replicates, cohort seed); `None` without.
    pub psa: Option<(u64, u64)>,
}

fn default(table: &str, key: &str) -> &'static DefaultValue {
    &ECONOMICS_FIELDS
        .iter()
        .find(|f| f.table == table && f.name == key)
        .unwrap_or_else(|| panic!("a row for {table}.{key}"))
        .default
}

fn number(t: Option<&Table>, table: &str, key: &str) -> Option<f64> {
    let given = t.and_then(|t| t.get(key)).and_then(Item::as_value);
    match given {
        Some(v) => v.as_float().or_else(|| v.as_integer().map(|i| i as f64)),
        None => match default(table, key) {
            DefaultValue::Number(x) => Some(*x),
            _ => None,
        },
    }
}

fn numbers(t: Option<&Table>, table: &str, key: &str) -> Vec<f64> {
    match t.and_then(|t| t.get(key)).and_then(Item::as_array) {
        Some(a) => a
            .iter()
            .filter_map(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
            .collect(),
        None => match default(table, key) {
            DefaultValue::Numbers(x) => x.to_vec(),
            _ => Vec::new(),
        },
    }
}

fn text(t: Option<&Table>, table: &str, key: &str) -> Option<String> {
    match t.and_then(|t| t.get(key)).and_then(Item::as_str) {
        Some(s) => Some(s.to_string()),
        None => match default(table, key) {
            DefaultValue::Text(x) => Some(x.to_string()),
            _ => None,
        },
    }
}

/// Reads the economics of a cohort file (`None`: no `[economics]` and no
/// `[[contracts]]`, so no economics outputs) and reports its problems.
pub(super) fn read(
    checked: &Checked<'_>,
    root: &Table,
    arm_tables: &[&Table],
    arm_names: &[String],
    errors: &mut Vec<ScenarioError>,
) -> Option<EconomicsSpec> {
    let contract_tables = array(checked, root, "contracts", errors);
    let e = match root.get("economics") {
        Some(item) => match item.as_table() {
            Some(t) => {
                check_table(checked, t, "economics", "economics", &[], errors);
                Some(t)
            }
            None => {
                errors.push(checked.error_at(
                    root.key("economics").and_then(|k| k.span()),
                    "economics",
                    "must be a table ([economics])".into(),
                    ErrorKind::WrongType,
                ));
                return None;
            }
        },
        None if contract_tables.is_empty() => return None,
        None => None,
    };
    let n = |key: &str| number(e, "economics", key).unwrap_or(0.0);
    let comparator = text(e, "economics", "comparator");
    if let Some(c) = &comparator
        && !arm_names.is_empty()
        && !arm_names.contains(c)
    {
        errors.push(checked.error_at(
            checked.span_of("economics.comparator"),
            "economics.comparator",
            format!("= \"{c}\" is not an arm (arms: {})", arm_names.join(", ")),
            ErrorKind::UnknownChoice,
        ));
    }
    let settings = Settings {
        currency: text(e, "economics", "currency").unwrap_or_default(),
        price_year: e
            .and_then(|t| t.get("price_year"))
            .and_then(Item::as_integer)
            .unwrap_or(match default("economics", "price_year") {
                DefaultValue::Whole(y) => *y,
                _ => 0,
            }),
        discount_rate_costs: n("discount_rate_costs"),
        discount_rate_qalys: n("discount_rate_qalys"),
        horizon_years: number(e, "economics", "horizon_years"),
        comparator,
        wtp: numbers(e, "economics", "wtp_per_qaly"),
        ceac_wtp_max: n("ceac_wtp_max"),
        ceac_wtp_step: n("ceac_wtp_step"),
        psa_price_cv: n("psa_price_cv"),
        psa_utility_se: n("psa_utility_se"),
        prices: Prices {
            leukapheresis: n("leukapheresis"),
            manufacturing: n("manufacturing"),
            manufacturing_failure: n("manufacturing_failure"),
            lymphodepletion_day: n("lymphodepletion_day"),
            bridging_day: n("bridging_day"),
            hospital_day: n("hospital_day"),
            icu_day: n("icu_day"),
            tocilizumab_dose: n("tocilizumab_dose"),
            dexamethasone_dose: n("dexamethasone_dose"),
            ivig_per_g: n("ivig_per_g"),
            monitoring_visit: n("monitoring_visit"),
            care_per_year: [
                n("care_per_year_remission"),
                n("care_per_year_low_activity"),
                n("care_per_year_active"),
                n("care_per_year_active_nephritis"),
            ],
        },
        utilities: Utilities {
            state: [
                n("utility_remission"),
                n("utility_low_activity"),
                n("utility_active"),
                n("utility_active_nephritis"),
            ],
            hospital_day_disutility: n("hospital_day_disutility"),
            crs_day_disutility: n("crs_day_disutility"),
        },
        journey: Journey {
            infusion_stay_days: n("infusion_stay_days"),
            stay_days_per_crs_grade: n("stay_days_per_crs_grade"),
            low_activity_score: n("low_activity_score"),
            renal_active_threshold: n("renal_active_threshold"),
            monitoring_days: numbers(e, "economics", "monitoring_days"),
            monitoring_visits_per_year_after: n("monitoring_visits_per_year_after"),
        },
    };
    if !settings.currency.chars().all(|c| c.is_ascii_alphabetic()) || settings.currency.is_empty() {
        errors.push(checked.error_at(
            checked.span_of("economics.currency"),
            "economics.currency",
            format!(
                "= \"{}\": a currency code of letters (USD, EUR)",
                settings.currency
            ),
            ErrorKind::Inconsistent,
        ));
    }
    let prices_per_dose = arm_tables
        .iter()
        .map(|t| number(Some(t), "arms", "price_per_dose").unwrap_or(0.0))
        .collect();
    let mut contracts: Vec<Contract> = Vec::new();
    for (i, t) in contract_tables.iter().enumerate() {
        let shown = format!("contracts[{i}]");
        check_table(checked, t, "contracts", &shown, &[], errors);
        let mut fail = |key: &str, message: String, kind: ErrorKind| {
            errors.push(checked.error_at(
                checked.span_in_array("contracts", i, key),
                &format!("{shown}.{key}"),
                message,
                kind,
            ));
        };
        let name = text(Some(t), "contracts", "name").unwrap_or_default();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            fail(
                "name",
                format!(
                    "= \"{name}\": every contract needs a name of letters, digits and `_` (it names columns)"
                ),
                ErrorKind::Inconsistent,
            );
        } else if contracts.iter().any(|c| c.name == name) {
            fail(
                "name",
                format!("= \"{name}\" names two contracts"),
                ErrorKind::Inconsistent,
            );
        }
        let kind = text(Some(t), "contracts", "outcome").unwrap_or_default();
        let outcome = match kind.as_str() {
            "remission_held" => Outcome::RemissionHeld,
            "no_relapse" => Outcome::NoRelapse,
            "remission_on_day" => Outcome::RemissionOnDay,
            "endpoint" => {
                let endpoint = text(Some(t), "contracts", "endpoint").unwrap_or_default();
                let known: Vec<&str> = immunosim_outcomes::Outcomes::new()
                    .endpoints()
                    .cohort_columns()
                    .iter()
                    .map(|(n, _)| *n)
                    .collect();
                if !known.contains(&endpoint.as_str()) {
                    fail(
                        "endpoint",
                        format!(
                            "= \"{endpoint}\" is not an endpoint; known: {}",
                            known.join(", ")
                        ),
                        ErrorKind::UnknownChoice,
                    );
                }
                let value = t
                    .get("value")
                    .and_then(Item::as_value)
                    .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)));
                if value.is_none() {
                    fail(
                        "value",
                        "outcome = \"endpoint\" needs a value".into(),
                        ErrorKind::Inconsistent,
                    );
                }
                let comparison = text(Some(t), "contracts", "comparison")
                    .and_then(|c| Comparison::named(&c))
                    .unwrap_or(Comparison::AtMost);
                Outcome::Endpoint {
                    name: endpoint,
                    comparison,
                    value: value.unwrap_or(0.0),
                }
            }
            // An unknown choice is reported by the schema check.
            _ => Outcome::RemissionHeld,
        };
        let c = Contract {
            name,
            price: t
                .get("price")
                .and_then(Item::as_value)
                .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64))),
            outcome,
            day: number(Some(t), "contracts", "day").unwrap_or(0.0),
            upfront_share: number(Some(t), "contracts", "upfront_share").unwrap_or(1.0),
            rebate_share: number(Some(t), "contracts", "rebate_share").unwrap_or(0.0),
            instalment_days: numbers(Some(t), "contracts", "instalment_days"),
            instalment_shares: numbers(Some(t), "contracts", "instalment_shares"),
        };
        if c.rebate_share > c.upfront_share {
            fail(
                "rebate_share",
                format!(
                    "= {}: a rebate cannot exceed the upfront share ({})",
                    c.rebate_share, c.upfront_share
                ),
                ErrorKind::Inconsistent,
            );
        }
        if c.instalment_days.len() != c.instalment_shares.len() {
            fail(
                "instalment_shares",
                format!(
                    "{} shares for {} instalment_days: give one share per day",
                    c.instalment_shares.len(),
                    c.instalment_days.len()
                ),
                ErrorKind::Inconsistent,
            );
        }
        contracts.push(c);
    }
    Some(EconomicsSpec {
        settings,
        contracts,
        prices_per_dose,
        psa: None,
    })
}
