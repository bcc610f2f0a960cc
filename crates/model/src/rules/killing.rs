//! What happens when a CAR-T cell meets a cell of its site: engagement (activation by
//! the target's antigens through the construct) and killing. The engine runs the
//! encounters site by site; this module holds the rule of one encounter.

use crate::car::Product;
use crate::cell::{Cell, Population};
use crate::parameters::Parameters;

/// Activation (0-1) of `car` by `target`: the probability the encounter engages it.
pub fn engagement(target: &Cell, product: &Product, params: &Parameters) -> f64 {
    let car = &params.car_t;
    product.construct.activation(
        target,
        car.activation_threshold_molecules,
        car.activation_hill,
    )
}

/// Probability that an engaged encounter kills the target (exhausted killers are weaker).
pub fn kill_probability(car_cell: &Cell, params: &Parameters) -> f64 {
    let car = &params.car_t;
    let function = if car_cell.population == Population::CarExhausted {
        car.exhausted_function_relative
    } else {
        1.0
    };
    car.kill_probability * function
}
