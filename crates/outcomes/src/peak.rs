//! Peaks: the highest value from day 0 and the day it was reached.

use immunosim_engine::recorder::Snapshot;
use serde::{Deserialize, Serialize};

/// A highest value and its day. On a tie the later day is kept: a plateau's peak is
/// where it ends.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Peak {
    /// The highest value.
    pub value: f64,
    /// The day it was reached.
    pub day: f64,
}

/// The CAR-T peak in blood, all products (Cmax and Tmax).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CarTPeak {
    /// Cmax: CAR-T cells per µL of blood.
    pub per_ul: f64,
    /// Tmax: the day of the peak.
    pub day: f64,
    /// CAR-T share of CD3+ cells (host T and CAR-T) in blood on that day, percent: the
    /// way the Erlangen reports give expansion.
    pub percent_of_cd3: f64,
}

/// The peak of one product of a cocktail (`None` while it has no cell in blood).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductPeak {
    /// Product name, as in `car_t.csv`.
    pub product: String,
    /// Cmax (cells per µL of blood) and Tmax of this product.
    pub peak: Option<Peak>,
}

/// Updates each product's peak with a day's `car_t` rows (a product's cells per µL are
/// the sum of its rows over phenotypes and CD4/CD8).
pub(crate) fn add_products(peaks: &mut Vec<ProductPeak>, s: &Snapshot) {
    let mut today: Vec<f64> = vec![0.0; peaks.len()];
    for row in &s.car_t {
        let index = match peaks.iter().position(|p| p.product == row.product) {
            Some(i) => i,
            None => {
                peaks.push(ProductPeak {
                    product: row.product.clone(),
                    peak: None,
                });
                today.push(0.0);
                peaks.len() - 1
            }
        };
        today[index] += row.cells_per_ul;
    }
    for (product, value) in peaks.iter_mut().zip(today) {
        if value > 0.0 && product.peak.is_none_or(|p| value >= p.value) {
            product.peak = Some(Peak { value, day: s.day });
        }
    }
}
