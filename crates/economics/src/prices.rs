//! The `[economics]` values: prices (in the scenario's currency, at its price year),
//! utilities, the rules that turn a simulated journey into resource use, and the
//! analysis settings. Their defaults, each with the `data/economics.csv` row it comes
//! from, are rows of the scenario crate's field table
//! (`crates/scenario/src/fields/economics.rs`); this crate takes the values as given.

use crate::item::{Item, State};

/// Days per year: the year of the discounting and of the annual prices.
pub const DAYS_PER_YEAR: f64 = 365.25;

/// Unit prices, currency per unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Prices {
    /// One leukapheresis session.
    pub leukapheresis: f64,
    /// One manufacturing run billed apart from the product (released or failed).
    pub manufacturing: f64,
    /// Extra cost of a failed manufacturing run.
    pub manufacturing_failure: f64,
    /// One day of lymphodepleting chemotherapy.
    pub lymphodepletion_day: f64,
    /// One day of bridging glucocorticoid.
    pub bridging_day: f64,
    /// One hospital day on a ward.
    pub hospital_day: f64,
    /// One ICU day.
    pub icu_day: f64,
    /// One tocilizumab dose.
    pub tocilizumab_dose: f64,
    /// One dexamethasone dose.
    pub dexamethasone_dose: f64,
    /// One gram of IVIG.
    pub ivig_per_g: f64,
    /// One monitoring visit.
    pub monitoring_visit: f64,
    /// Chronic care per year in each [`State`], in [`State::ALL`] order.
    pub care_per_year: [f64; 4],
}

impl Prices {
    /// The price of one unit of `item`; `product_per_dose` is the arm's product price.
    pub fn unit(&self, item: Item, product_per_dose: f64) -> f64 {
        let care = |s: State| self.care_per_year[s as usize] / DAYS_PER_YEAR;
        match item {
            Item::ProductDoses => product_per_dose,
            Item::Leukapheresis => self.leukapheresis,
            Item::Manufacturing => self.manufacturing,
            Item::ManufacturingFailures => self.manufacturing_failure,
            Item::LymphodepletionDays => self.lymphodepletion_day,
            Item::BridgingDays => self.bridging_day,
            Item::WardDays => self.hospital_day,
            Item::IcuDays => self.icu_day,
            Item::TocilizumabDoses => self.tocilizumab_dose,
            Item::DexamethasoneDoses => self.dexamethasone_dose,
            Item::IvigGrams => self.ivig_per_g,
            Item::MonitoringVisits => self.monitoring_visit,
            Item::DaysRemission => care(State::Remission),
            Item::DaysLowActivity => care(State::LowActivity),
            Item::DaysActive => care(State::Active),
            Item::DaysActiveNephritis => care(State::ActiveNephritis),
            Item::CrsDays => 0.0,
        }
    }

    /// Every price but the product's, by name (for the PSA), in a fixed order.
    pub fn named_mut(&mut self) -> Vec<(&'static str, &mut f64)> {
        let [r, l, a, n] = &mut self.care_per_year;
        vec![
            ("leukapheresis", &mut self.leukapheresis),
            ("manufacturing", &mut self.manufacturing),
            ("manufacturing_failure", &mut self.manufacturing_failure),
            ("lymphodepletion_day", &mut self.lymphodepletion_day),
            ("bridging_day", &mut self.bridging_day),
            ("hospital_day", &mut self.hospital_day),
            ("icu_day", &mut self.icu_day),
            ("tocilizumab_dose", &mut self.tocilizumab_dose),
            ("dexamethasone_dose", &mut self.dexamethasone_dose),
            ("ivig_per_g", &mut self.ivig_per_g),
            ("monitoring_visit", &mut self.monitoring_visit),
            ("care_per_year_remission", r),
            ("care_per_year_low_activity", l),
            ("care_per_year_active", a),
            ("care_per_year_active_nephritis", n),
        ]
    }
}

/// Utilities (0 = dead, 1 = full health) and disutilities.
#[derive(Clone, Debug, PartialEq)]
pub struct Utilities {
    /// Utility of a year in each [`State`], in [`State::ALL`] order.
    pub state: [f64; 4],
    /// Utility lost per hospital day (ward or ICU), as a yearly rate.
    pub hospital_day_disutility: f64,
    /// Utility lost per day with CRS, as a yearly rate.
    pub crs_day_disutility: f64,
}

impl Utilities {
    /// QALYs of one unit of `item` (days weigh a year's utility / 365.25).
    pub fn qaly(&self, item: Item) -> f64 {
        let day = |u: f64| u / DAYS_PER_YEAR;
        match item {
            Item::DaysRemission => day(self.state[0]),
            Item::DaysLowActivity => day(self.state[1]),
            Item::DaysActive => day(self.state[2]),
            Item::DaysActiveNephritis => day(self.state[3]),
            Item::WardDays | Item::IcuDays => -day(self.hospital_day_disutility),
            Item::CrsDays => -day(self.crs_day_disutility),
            _ => 0.0,
        }
    }

    /// Every utility by name (for the PSA), in a fixed order.
    pub fn named_mut(&mut self) -> Vec<(&'static str, &mut f64)> {
        let [r, l, a, n] = &mut self.state;
        vec![
            ("utility_remission", r),
            ("utility_low_activity", l),
            ("utility_active", a),
            ("utility_active_nephritis", n),
            ("hospital_day_disutility", &mut self.hospital_day_disutility),
            ("crs_day_disutility", &mut self.crs_day_disutility),
        ]
    }
}

/// How a journey becomes resource use.
#[derive(Clone, Debug, PartialEq)]
pub struct Journey {
    /// Days in hospital from each infusion without CRS.
    pub infusion_stay_days: f64,
    /// Extra days per CRS grade reached within [`CRS_WINDOW_DAYS`] of the infusion.
    pub stay_days_per_crs_grade: f64,
    /// Score at or below which (above remission) the disease counts as low activity.
    pub low_activity_score: f64,
    /// Renal activity (0-1) above which nephritis counts as active.
    pub renal_active_threshold: f64,
    /// Monitoring visits, days after the first infusion.
    pub monitoring_days: Vec<f64>,
    /// Monitoring visits per year after the last of `monitoring_days`.
    pub monitoring_visits_per_year_after: f64,
}

/// Days after an infusion in which the CRS grade reached extends the stay: new CRS
/// after day 14 is not seen in the Erlangen cohort (data/crs.csv).
pub const CRS_WINDOW_DAYS: f64 = 14.0;

impl Journey {
    /// Monitoring visit days in [from, to) after a first infusion on `infusion_day`.
    pub fn monitoring_visits(&self, infusion_day: f64, from: f64, to: f64) -> Vec<f64> {
        let mut days: Vec<f64> = self
            .monitoring_days
            .iter()
            .map(|d| infusion_day + d)
            .collect();
        if self.monitoring_visits_per_year_after > 0.0 {
            let gap = DAYS_PER_YEAR / self.monitoring_visits_per_year_after;
            let last = self.monitoring_days.iter().copied().fold(0.0, f64::max);
            let mut d = infusion_day + last + gap;
            while d < to {
                days.push(d);
                d += gap;
            }
        }
        days.retain(|&d| d >= from && d < to);
        days
    }
}

/// Everything `[economics]` says.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Currency code (names the money columns, lower-case).
    pub currency: String,
    /// Year the prices are in.
    pub price_year: i64,
    /// Annual discount rate of costs.
    pub discount_rate_costs: f64,
    /// Annual discount rate of QALYs.
    pub discount_rate_qalys: f64,
    /// Years of the analysis (`None`: the simulated days).
    pub horizon_years: Option<f64>,
    /// The comparator arm (`None`: the first).
    pub comparator: Option<String>,
    /// Willingness-to-pay thresholds, currency per QALY.
    pub wtp: Vec<f64>,
    /// The CEAC's largest threshold.
    pub ceac_wtp_max: f64,
    /// The CEAC's threshold step.
    pub ceac_wtp_step: f64,
    /// PSA: coefficient of variation of every price but the product's (gamma).
    pub psa_price_cv: f64,
    /// PSA: standard error of every utility and disutility (beta).
    pub psa_utility_se: f64,
    /// Prices.
    pub prices: Prices,
    /// Utilities.
    pub utilities: Utilities,
    /// Journey rules.
    pub journey: Journey,
}

impl Settings {
    /// The currency as a column-name part (`usd`).
    pub fn unit(&self) -> String {
        self.currency.to_ascii_lowercase()
    }
}
