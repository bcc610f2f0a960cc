//! What happens when a CAR-T cell meets a cell of its site: engagement (activation by
//! the target's antigens through the construct) and killing. The engine runs the
//! encounters site by site; this module holds the rule of one encounter.

use crate::car::Product;
use crate::cell::{Cell, Population};
use crate::parameters::Parameters;

/// Activation (0-1) of CAR-T cell `car_cell` of `product` by `target`: the probability
/// the encounter engages it. Engaged receptor pairs scale with CAR × antigen density
/// (law of mass action at the synapse), so a cell with a fraction `e` of the fresh CAR
/// (a fading mRNA CAR) needs `1/e` times the antigen to reach the same activation.
pub fn engagement(target: &Cell, car_cell: &Cell, product: &Product, params: &Parameters) -> f64 {
    let car = &params.car_t;
    let expression = car_cell.car_expression_fraction();
    if expression <= 0.0 {
        return 0.0;
    }
    product.construct.activation(
        target,
        car.activation_threshold_molecules / expression,
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
