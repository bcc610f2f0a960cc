//! The fields of health economics in cohort files: `[economics]` (prices, utilities,
//! journey rules, analysis settings), `[[contracts]]` (outcome-based payment) and the
//! arm's product price (`[[arms]] price_per_dose`, the one place a product is priced:
//! every infusion of any product of the arm costs it). Each default cites its row of
//! `data/economics.csv` ([`ECONOMICS_SOURCES`]; a test keeps them equal).

use crate::row::DefaultValue::{Note, Number, Numbers, Text, Whole};
use crate::row::Field;

/// Money, any currency.
const MONEY: (f64, f64) = (0.0, 1e9);

/// The outcome kinds of a contract.
pub const CONTRACT_OUTCOMES: &[&str] = &[
    "remission_held",
    "no_relapse",
    "remission_on_day",
    "endpoint",
];

/// Comparisons of a contract's endpoint with its value.
pub const CONTRACT_COMPARISONS: &[&str] = &["below", "at_most", "above", "at_least"];

/// Each `[economics]` default (and the arm's price) and its `data/economics.csv` row:
/// (table, field, row id, factor from the row's unit to the field's).
pub const ECONOMICS_SOURCES: &[(&str, &str, &str, f64)] = &[
    ("arms", "price_per_dose", "price_kymriah_launch_all", 1.0),
    ("economics", "leukapheresis", "leukapheresis_cost_us", 1.0),
    (
        "economics",
        "lymphodepletion_day",
        "lymphodepletion_day_cost_us",
        1.0,
    ),
    ("economics", "bridging_day", "bridging_day_cost_us", 1.0),
    ("economics", "hospital_day", "hospital_day_cost_us", 1.0),
    ("economics", "icu_day", "icu_day_cost_us", 1.0),
    (
        "economics",
        "tocilizumab_dose",
        "tocilizumab_dose_cost_us",
        1.0,
    ),
    (
        "economics",
        "dexamethasone_dose",
        "dexamethasone_dose_cost_us",
        1.0,
    ),
    ("economics", "ivig_per_g", "ivig_per_g_cost_us", 1.0),
    (
        "economics",
        "monitoring_visit",
        "monitoring_visit_cost_us",
        1.0,
    ),
    (
        "economics",
        "care_per_year_remission",
        "sle_remission_care_annual",
        1.0,
    ),
    (
        "economics",
        "care_per_year_low_activity",
        "sle_low_activity_care_annual",
        1.0,
    ),
    (
        "economics",
        "care_per_year_active",
        "sle_no_ln_cost_annual",
        1.0,
    ),
    (
        "economics",
        "care_per_year_active_nephritis",
        "ln_cost_annual",
        1.0,
    ),
    (
        "economics",
        "utility_remission",
        "utility_sle_minimal_activity_tto",
        1.0,
    ),
    (
        "economics",
        "utility_low_activity",
        "utility_sle_mild_flare_tto",
        1.0,
    ),
    (
        "economics",
        "utility_active",
        "utility_sle_moderate_flare_tto",
        1.0,
    ),
    (
        "economics",
        "utility_active_nephritis",
        "utility_sle_severe_renal_flare_tto",
        1.0,
    ),
    (
        "economics",
        "infusion_stay_days",
        "car_t_infusion_stay",
        1.0,
    ),
    (
        "economics",
        "low_activity_score",
        "sledai_moderate_upper",
        1.0,
    ),
];

/// The economics fields of cohort files.
#[rustfmt::skip]
pub const ECONOMICS_FIELDS: &[Field] = &[
    Field::text("economics", "currency", "Currency of every price (names the money columns, e.g. `cost_total_usd`).")
        .or(Text("USD")),
    Field::integer("economics", "price_year", 1950, 2100, "Year the prices are in (informational: no inflation is applied).")
        .or(Whole(2023)),
    Field::number("economics", "discount_rate_costs", 0.0, 0.2, "per year", "Annual discount rate of costs: a cost on day t weighs (1 + r)^(-t/365.25).")
        .or(Number(0.03)),
    Field::number("economics", "discount_rate_qalys", 0.0, 0.2, "per year", "Annual discount rate of QALYs, as for costs.")
        .or(Number(0.03)),
    Field::number("economics", "horizon_years", 0.1, 100.0, "years", "Years of the analysis. Beyond the simulated days the horizon rule holds: each patient-arm stays in its last state, except that a patient in remission relapses to active disease at the arm's own relapse hazard (relapses from day 0 per year in remission over the arm's simulated patients); monitoring continues by schedule; nothing else happens. Never shorter than the run.")
        .or(Note("the run's days")),
    Field::text("economics", "comparator", "The arm the others are compared with (ICER, NMB, break-even).")
        .or(Note("the first arm")),
    Field::numbers("economics", "wtp_per_qaly", 0.0, 1e8, "currency/QALY", "Willingness-to-pay thresholds of the net monetary benefit rows.")
        .or(Numbers(&[50_000.0, 100_000.0, 150_000.0])),
    Field::number("economics", "ceac_wtp_max", 1.0, 1e8, "currency/QALY", "Largest threshold of the CEAC (`--psa N`), from 0.")
        .or(Number(500_000.0)),
    Field::number("economics", "ceac_wtp_step", 1.0, 1e8, "currency/QALY", "Step between CEAC thresholds.")
        .or(Number(10_000.0)),
    Field::number("economics", "psa_price_cv", 0.0, 2.0, "fraction", "PSA: coefficient of variation of each price but the product's (gamma around the price; a choice).")
        .or(Number(0.2)),
    Field::number("economics", "psa_utility_se", 0.0, 0.3, "utility", "PSA: standard error of each utility and disutility (beta around the value; a choice).")
        .or(Number(0.05)),
    Field::number("economics", "leukapheresis", MONEY.0, MONEY.1, "currency", "One leukapheresis session (economics.csv leukapheresis_cost_us).")
        .or(Number(10_000.0)),
    Field::number("economics", "manufacturing", MONEY.0, MONEY.1, "currency", "One manufacturing run billed apart from the product (a payer pays it within the list price).")
        .or(Number(0.0)),
    Field::number("economics", "manufacturing_failure", MONEY.0, MONEY.1, "currency", "Extra cost of a failed run (the patient then follows the path without CAR-T the model simulates; no second attempt).")
        .or(Number(0.0)),
    Field::number("economics", "lymphodepletion_day", MONEY.0, MONEY.1, "currency", "One day of lymphodepleting chemotherapy (economics.csv lymphodepletion_day_cost_us).")
        .or(Number(1_500.0)),
    Field::number("economics", "bridging_day", MONEY.0, MONEY.1, "currency", "One day of bridging glucocorticoid (economics.csv bridging_day_cost_us).")
        .or(Number(5.0)),
    Field::number("economics", "hospital_day", MONEY.0, MONEY.1, "currency", "One hospital day on a ward (economics.csv hospital_day_cost_us: KFF 2022 expenses per inpatient day).")
        .or(Number(3_167.0)),
    Field::number("economics", "icu_day", MONEY.0, MONEY.1, "currency", "One ICU day (economics.csv icu_day_cost_us).")
        .or(Number(7_000.0)),
    Field::number("economics", "tocilizumab_dose", MONEY.0, MONEY.1, "currency", "One tocilizumab dose (8 mg/kg; economics.csv tocilizumab_dose_cost_us).")
        .or(Number(4_000.0)),
    Field::number("economics", "dexamethasone_dose", MONEY.0, MONEY.1, "currency", "One dexamethasone dose (economics.csv dexamethasone_dose_cost_us).")
        .or(Number(10.0)),
    Field::number("economics", "ivig_per_g", MONEY.0, MONEY.1, "currency/g", "One gram of IVIG (economics.csv ivig_per_g_cost_us).")
        .or(Number(100.0)),
    Field::number("economics", "monitoring_visit", MONEY.0, MONEY.1, "currency", "One monitoring visit after infusion (economics.csv monitoring_visit_cost_us).")
        .or(Number(300.0)),
    Field::number("economics", "care_per_year_remission", MONEY.0, MONEY.1, "currency/year", "Chronic care per year in remission (economics.csv sle_remission_care_annual).")
        .or(Number(5_368.5)),
    Field::number("economics", "care_per_year_low_activity", MONEY.0, MONEY.1, "currency/year", "Chronic care per year in low activity (economics.csv sle_low_activity_care_annual).")
        .or(Number(8_052.75)),
    Field::number("economics", "care_per_year_active", MONEY.0, MONEY.1, "currency/year", "Chronic care per year with active disease (economics.csv sle_no_ln_cost_annual).")
        .or(Number(10_737.0)),
    Field::number("economics", "care_per_year_active_nephritis", MONEY.0, MONEY.1, "currency/year", "Chronic care per year with active nephritis (economics.csv ln_cost_annual).")
        .or(Number(50_958.0)),
    Field::number("economics", "utility_remission", 0.0, 1.0, "utility", "Utility of remission (economics.csv utility_sle_minimal_activity_tto: Pollard 2015, time trade-off by the general public, not EQ-5D or SF-6D).")
        .or(Number(0.74)),
    Field::number("economics", "utility_low_activity", 0.0, 1.0, "utility", "Utility of low activity (economics.csv utility_sle_mild_flare_tto).")
        .or(Number(0.63)),
    Field::number("economics", "utility_active", 0.0, 1.0, "utility", "Utility of active disease (economics.csv utility_sle_moderate_flare_tto).")
        .or(Number(0.455)),
    Field::number("economics", "utility_active_nephritis", 0.0, 1.0, "utility", "Utility of active nephritis (economics.csv utility_sle_severe_renal_flare_tto).")
        .or(Number(0.39)),
    Field::number("economics", "hospital_day_disutility", 0.0, 1.0, "utility", "Utility lost on each hospital day (a choice; no source).")
        .or(Number(0.1)),
    Field::number("economics", "crs_day_disutility", 0.0, 1.0, "utility", "Utility lost on each day with CRS grade >= 1 (a choice; no source).")
        .or(Number(0.2)),
    Field::number("economics", "infusion_stay_days", 0.0, 90.0, "days", "Days in hospital from each infusion without CRS (economics.csv car_t_infusion_stay).")
        .or(Number(7.0)),
    Field::number("economics", "stay_days_per_crs_grade", 0.0, 30.0, "days", "Extra hospital days per CRS grade reached within 14 days of the infusion; days of the stay with grade >= 3 are ICU days (a choice).")
        .or(Number(2.0)),
    Field::number("economics", "low_activity_score", 0.0, 105.0, "points", "Score at or below which (above remission, `disease.remission_score`) the disease counts as low activity (economics.csv sledai_moderate_upper).")
        .or(Number(10.0)),
    Field::number("economics", "renal_active_threshold", 0.0, 1.0, "fraction", "Renal activity above which nephritis counts as active: the state active_nephritis, whatever the score (a choice: half the renal items' points).")
        .or(Number(0.5)),
    Field::numbers("economics", "monitoring_days", 0.0, 36_525.0, "days after infusion", "Monitoring visits after the first infusion (a choice: weekly in month 1, then months 2, 3, 6, 9, 12).")
        .or(Numbers(&[7.0, 14.0, 21.0, 28.0, 60.0, 90.0, 180.0, 270.0, 365.0])),
    Field::number("economics", "monitoring_visits_per_year_after", 0.0, 52.0, "visits/year", "Monitoring visits per year after the last of monitoring_days (a choice).")
        .or(Number(2.0)),
    Field::number("arms", "price_per_dose", MONEY.0, MONEY.1, "currency", "Price of each infusion of any product of the arm (economics.csv price_kymriah_launch_all, the 2017 US list price); an arm without products pays none.")
        .or(Number(475_000.0)),
    Field::text("contracts", "name", "Contract name (letters, digits, `_`): names its columns.")
        .or(Note("required")),
    Field::number("contracts", "price", MONEY.0, MONEY.1, "currency", "Price per patient infused under the contract.")
        .or(Note("the arm's price_per_dose")),
    Field::choice("contracts", "outcome", CONTRACT_OUTCOMES, "What the contract pays for on a day: remission_held (a remission from day 0 by then and no relapse since), no_relapse (no relapse from day 0), remission_on_day (score at or below remission that day), endpoint (a cohort.csv endpoint column compared with value). A day after the run is not met.")
        .or(Text("remission_held")),
    Field::number("contracts", "day", 0.0, 36_525.0, "day", "Day the outcome is judged for the rebate.")
        .or(Number(730.0)),
    Field::text("contracts", "endpoint", "For outcome = endpoint: a column of cohort.csv's endpoints (e.g. activity_score_month24).")
        .or(Note("required for endpoint")),
    Field::choice("contracts", "comparison", CONTRACT_COMPARISONS, "For outcome = endpoint: how the endpoint compares with value.")
        .or(Text("at_most")),
    Field::number("contracts", "value", -1e15, 1e15, "endpoint's unit", "For outcome = endpoint: the value compared with.")
        .or(Note("required for endpoint")),
    Field::number("contracts", "upfront_share", 0.0, 1.0, "fraction", "Share of the price paid at the first infusion.")
        .or(Number(1.0)),
    Field::number("contracts", "rebate_share", 0.0, 1.0, "fraction", "Share of the price paid back if the outcome is not met on day (at most upfront_share).")
        .or(Number(0.0)),
    Field::numbers("contracts", "instalment_days", 0.0, 36_525.0, "day", "Days of conditional instalments (each paid if the outcome is met that day).")
        .or(Numbers(&[])),
    Field::numbers("contracts", "instalment_shares", 0.0, 1.0, "fraction", "Share of the price of each instalment, one per instalment day.")
        .or(Numbers(&[])),
];
