//! Outcome-based contracts (`[[contracts]]`): a price, an outcome read from the
//! simulated course, and a payment rule. Per patient infused, the payer pays
//! `price × upfront_share` at the first infusion, gets `price × rebate_share` back on
//! `day` if the outcome is not met then, and pays `price × instalment_shares[i]` on
//! `instalment_days[i]` if the outcome is met on that day. A patient never infused
//! (a standard-of-care arm, a failed manufacture) pays nothing. An outcome on a day
//! after the last simulated day is not met (no evidence, no conditional payment).

use crate::discount;

/// How an endpoint is compared with a contract's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// endpoint < value.
    Below,
    /// endpoint <= value.
    AtMost,
    /// endpoint > value.
    Above,
    /// endpoint >= value.
    AtLeast,
}

impl Comparison {
    /// Names in cohort files.
    pub const NAMES: &[&str] = &["below", "at_most", "above", "at_least"];

    /// The comparison named `name`.
    pub fn named(name: &str) -> Option<Comparison> {
        let all = [
            Comparison::Below,
            Comparison::AtMost,
            Comparison::Above,
            Comparison::AtLeast,
        ];
        Comparison::NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| all[i])
    }

    fn holds(self, x: f64, value: f64) -> bool {
        match self {
            Comparison::Below => x < value,
            Comparison::AtMost => x <= value,
            Comparison::Above => x > value,
            Comparison::AtLeast => x >= value,
        }
    }
}

/// What a contract pays for.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A remission (from day 0) reached by the day and no relapse since.
    RemissionHeld,
    /// No relapse from day 0 to the day (a patient never in remission meets it).
    NoRelapse,
    /// In remission (score at or below the remission threshold) on the day.
    RemissionOnDay,
    /// An endpoint column of `cohort.csv` (the outcomes module's) compared with a
    /// value; the same whatever the day (an empty endpoint is not met).
    Endpoint {
        /// Column name.
        name: String,
        /// Comparison.
        comparison: Comparison,
        /// Value, in the column's unit.
        value: f64,
    },
}

impl Outcome {
    /// Names of the outcome kinds in cohort files.
    pub const NAMES: &[&str] = &[
        "remission_held",
        "no_relapse",
        "remission_on_day",
        "endpoint",
    ];

    /// Whether the outcome is met on `day` of `course`.
    pub fn met(&self, course: &Course, day: f64) -> bool {
        if day > course.last_day {
            return false;
        }
        match self {
            Outcome::RemissionHeld => course
                .remissions
                .iter()
                .find(|&&r| r >= 0.0)
                .is_some_and(|&r| r <= day && !course.relapses.iter().any(|&x| x > r && x <= day)),
            Outcome::NoRelapse => !course.relapses.iter().any(|&x| x >= 0.0 && x <= day),
            Outcome::RemissionOnDay => course
                .scores
                .iter()
                .rev()
                .find(|(d, _)| *d <= day)
                .is_some_and(|(_, s)| *s <= course.remission_score),
            Outcome::Endpoint {
                name,
                comparison,
                value,
            } => course
                .endpoints
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, v)| *v)
                .is_some_and(|x| comparison.holds(x, *value)),
        }
    }
}

/// What a contract reads of a patient-arm's simulated course.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Course {
    /// (day, activity score) of every recorded day from day 0.
    pub scores: Vec<(f64, f64)>,
    /// Days of remission events.
    pub remissions: Vec<f64>,
    /// Days of relapse events.
    pub relapses: Vec<f64>,
    /// The endpoints of `cohort.csv` (the outcomes module's).
    pub endpoints: Vec<(String, Option<f64>)>,
    /// The remission threshold (`disease.remission_score`).
    pub remission_score: f64,
    /// The last recorded day.
    pub last_day: f64,
}

/// One `[[contracts]]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct Contract {
    /// Name (names its columns).
    pub name: String,
    /// Price per patient infused (`None`: the arm's price per dose).
    pub price: Option<f64>,
    /// The outcome.
    pub outcome: Outcome,
    /// The day the outcome is judged for the rebate (and the contract's headline).
    pub day: f64,
    /// Share of the price paid at the first infusion.
    pub upfront_share: f64,
    /// Share of the price paid back if the outcome is not met on `day`.
    pub rebate_share: f64,
    /// Days of conditional instalments.
    pub instalment_days: Vec<f64>,
    /// Share of the price each instalment pays if the outcome is met on its day.
    pub instalment_shares: Vec<f64>,
}

/// What a patient-arm pays under a contract.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Payment {
    /// Paid, undiscounted.
    pub paid: f64,
    /// Paid, discounted.
    pub discounted: f64,
    /// What the patient would have cost had every outcome been met.
    pub full: f64,
    /// Whether the outcome was met on the contract's day.
    pub met: bool,
}

impl Contract {
    /// The price of a patient infused in an arm whose product costs `arm_price`.
    pub fn price_in(&self, arm_price: f64) -> f64 {
        self.price.unwrap_or(arm_price)
    }

    /// The payment of a patient whose first infusion was on `infusion_day` (`None`: not
    /// infused), discounted at `rate`.
    pub fn pays(
        &self,
        course: &Course,
        infusion_day: Option<f64>,
        arm_price: f64,
        rate: f64,
    ) -> Payment {
        let Some(start) = infusion_day else {
            return Payment {
                paid: 0.0,
                discounted: 0.0,
                full: 0.0,
                met: false,
            };
        };
        let price = self.price_in(arm_price);
        let met = self.outcome.met(course, self.day);
        let mut flows = vec![(start, price * self.upfront_share)];
        if !met {
            flows.push((self.day, -price * self.rebate_share));
        }
        for (&d, &s) in self.instalment_days.iter().zip(&self.instalment_shares) {
            if self.outcome.met(course, d) {
                flows.push((d, price * s));
            }
        }
        Payment {
            paid: flows.iter().map(|f| f.1).sum(),
            discounted: flows
                .iter()
                .map(|(d, x)| x * discount::factor(rate, *d))
                .sum(),
            full: price * (self.upfront_share + self.instalment_shares.iter().sum::<f64>()),
            met,
        }
    }
}
