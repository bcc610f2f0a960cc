//! B-cell return: the first day after aplasia from which the count is held at or above
//! the aplasia threshold for [`RETURN_HELD_DAYS`](crate::RETURN_HELD_DAYS).

use crate::RETURN_HELD_DAYS;
use serde::{Deserialize, Serialize};

/// Incremental detector of the return day. A candidate is a recorded day after the
/// aplasia start with B cells at or above the threshold; it is confirmed when a day
/// recorded exactly [`RETURN_HELD_DAYS`] later arrives with every day in between also
/// above, and dropped by a day below the threshold or when the record skips past its
/// end. Only the candidates of the last week are kept.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BReturn {
    /// Candidate days, oldest first.
    candidates: Vec<f64>,
    /// The confirmed return day.
    day: Option<f64>,
}

impl BReturn {
    /// Adds a recorded day after the aplasia start: `above` when B cells are at or above
    /// the aplasia threshold.
    pub fn add(&mut self, day: f64, above: bool) {
        if self.day.is_some() {
            return;
        }
        if !above {
            self.candidates.clear();
            return;
        }
        self.candidates.push(day);
        // Candidates end in day order, so the oldest decides first.
        while let Some(&first) = self.candidates.first() {
            let end = first + RETURN_HELD_DAYS;
            if day > end {
                self.candidates.remove(0);
            } else if day >= end {
                self.day = Some(first);
                self.candidates.clear();
                return;
            } else {
                return;
            }
        }
    }

    /// The return day, once confirmed.
    pub fn day(&self) -> Option<f64> {
        self.day
    }
}
