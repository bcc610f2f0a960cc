//! Discounting. Convention: a cost or a day of utility on day `t` from day 0 is worth
//! `(1 + r)^(-t / 365.25)` of its value on day 0 (discrete annual rate applied
//! continuously in time, by day, as hesim does with `exp(-r' t)`, r' = ln(1 + r)).
//! Days are weighed by the day they start; what happens before day 0 (leukapheresis
//! and bridging when day 0 is the infusion) is counted on day 0 (factor 1) and in
//! year 1.

use crate::prices::DAYS_PER_YEAR;

/// The discount factor of day `day` at annual rate `rate`.
pub fn factor(rate: f64, day: f64) -> f64 {
    (1.0 + rate).powf(-day.max(0.0) / DAYS_PER_YEAR)
}

/// The analysis year (0 = the first) of day `day` (days before 0 are in year 0).
pub fn year(day: f64) -> u32 {
    (day.max(0.0) / DAYS_PER_YEAR).floor() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_at_three_percent_is_one_over_1_03() {
        assert_eq!(factor(0.03, 0.0), 1.0);
        assert!((factor(0.03, 365.25) - 1.0 / 1.03).abs() < 1e-15);
        assert!((factor(0.03, 730.5) - 1.0 / (1.03f64 * 1.03)).abs() < 1e-15);
        assert_eq!(factor(0.03, -30.0), 1.0);
        assert_eq!(factor(0.0, 1000.0), 1.0);
        assert_eq!(year(-5.0), 0);
        assert_eq!(year(365.0), 0);
        assert_eq!(year(365.25), 1);
    }
}
