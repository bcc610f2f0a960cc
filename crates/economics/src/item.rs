//! What a journey uses, item by item, and the disease states that cost and weigh.

/// A disease state of a day. The states are exclusive: active nephritis (renal
/// activity above the threshold) first, then the activity score's bands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// Activity score at or below the remission threshold the outcomes use
    /// (`disease.remission_score`).
    Remission,
    /// Above remission, at or below `[economics] low_activity_score`.
    LowActivity,
    /// Above `low_activity_score`.
    Active,
    /// Renal activity above `[economics] renal_active_threshold`, whatever the score.
    ActiveNephritis,
}

impl State {
    /// Every state, in order.
    pub const ALL: [State; 4] = [
        State::Remission,
        State::LowActivity,
        State::Active,
        State::ActiveNephritis,
    ];

    /// Name in outputs.
    pub fn name(self) -> &'static str {
        match self {
            State::Remission => "remission",
            State::LowActivity => "low_activity",
            State::Active => "active",
            State::ActiveNephritis => "active_nephritis",
        }
    }

    /// The ledger item counting days in this state.
    pub fn days_item(self) -> Item {
        match self {
            State::Remission => Item::DaysRemission,
            State::LowActivity => Item::DaysLowActivity,
            State::Active => Item::DaysActive,
            State::ActiveNephritis => Item::DaysActiveNephritis,
        }
    }

    /// The state of a code written by [`State::code`].
    pub fn from_code(code: f64) -> Option<State> {
        State::ALL.into_iter().find(|s| s.code() == code)
    }

    /// A number for part files.
    pub fn code(self) -> f64 {
        self as u8 as f64
    }
}

/// A resource a journey uses (or a time that weighs QALYs), counted in its unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Item {
    /// Product doses infused (one per `infusion` event).
    ProductDoses,
    /// Leukapheresis sessions.
    Leukapheresis,
    /// Manufacturing runs (released or failed).
    Manufacturing,
    /// Manufacturing runs that failed.
    ManufacturingFailures,
    /// Days of lymphodepleting chemotherapy.
    LymphodepletionDays,
    /// Days on bridging glucocorticoid.
    BridgingDays,
    /// Hospital days on a ward (the infusion stay outside the ICU).
    WardDays,
    /// Hospital days in the ICU (days of the stay with CRS grade >= 3).
    IcuDays,
    /// Tocilizumab doses.
    TocilizumabDoses,
    /// Dexamethasone doses.
    DexamethasoneDoses,
    /// IVIG, grams.
    IvigGrams,
    /// Monitoring visits after infusion (per schedule).
    MonitoringVisits,
    /// Days in remission.
    DaysRemission,
    /// Days in low activity.
    DaysLowActivity,
    /// Days with active disease.
    DaysActive,
    /// Days with active nephritis.
    DaysActiveNephritis,
    /// Days with CRS (grade >= 1): a disutility, no cost of their own.
    CrsDays,
}

impl Item {
    /// Every item, in output order.
    pub const ALL: [Item; 17] = [
        Item::ProductDoses,
        Item::Leukapheresis,
        Item::Manufacturing,
        Item::ManufacturingFailures,
        Item::LymphodepletionDays,
        Item::BridgingDays,
        Item::WardDays,
        Item::IcuDays,
        Item::TocilizumabDoses,
        Item::DexamethasoneDoses,
        Item::IvigGrams,
        Item::MonitoringVisits,
        Item::DaysRemission,
        Item::DaysLowActivity,
        Item::DaysActive,
        Item::DaysActiveNephritis,
        Item::CrsDays,
    ];

    /// Name in part files and in `economics.csv` (units in the name).
    pub fn name(self) -> &'static str {
        match self {
            Item::ProductDoses => "product_doses",
            Item::Leukapheresis => "leukapheresis",
            Item::Manufacturing => "manufacturing_runs",
            Item::ManufacturingFailures => "manufacturing_failures",
            Item::LymphodepletionDays => "lymphodepletion_days",
            Item::BridgingDays => "bridging_days",
            Item::WardDays => "ward_days",
            Item::IcuDays => "icu_days",
            Item::TocilizumabDoses => "tocilizumab_doses",
            Item::DexamethasoneDoses => "dexamethasone_doses",
            Item::IvigGrams => "ivig_g",
            Item::MonitoringVisits => "monitoring_visits",
            Item::DaysRemission => "days_remission",
            Item::DaysLowActivity => "days_low_activity",
            Item::DaysActive => "days_active",
            Item::DaysActiveNephritis => "days_active_nephritis",
            Item::CrsDays => "days_crs",
        }
    }

    /// The item named `name`.
    pub fn named(name: &str) -> Option<Item> {
        Item::ALL.into_iter().find(|i| i.name() == name)
    }

    /// The cost category the item is priced into (`None`: no cost).
    pub fn category(self) -> Option<&'static str> {
        Some(match self {
            Item::ProductDoses => "product",
            Item::Leukapheresis => "leukapheresis",
            Item::Manufacturing | Item::ManufacturingFailures => "manufacturing",
            Item::LymphodepletionDays => "lymphodepletion",
            Item::BridgingDays => "bridging",
            Item::WardDays | Item::IcuDays => "hospital",
            Item::TocilizumabDoses | Item::DexamethasoneDoses => "crs_drugs",
            Item::IvigGrams => "ivig",
            Item::MonitoringVisits => "monitoring",
            Item::DaysRemission
            | Item::DaysLowActivity
            | Item::DaysActive
            | Item::DaysActiveNephritis => "chronic_care",
            Item::CrsDays => return None,
        })
    }
}

/// The cost categories of `economics.csv`, in order.
pub const CATEGORIES: [&str; 10] = [
    "product",
    "leukapheresis",
    "manufacturing",
    "lymphodepletion",
    "bridging",
    "hospital",
    "crs_drugs",
    "ivig",
    "monitoring",
    "chronic_care",
];
