//! The Hill function: the one saturating, switch-like response the model uses wherever
//! a signal turns something on — a CAR binder by antigen density, autoreactive
//! activation by autoantigen, immune-complex deposition beyond clearance, myeloid IL-6
//! by CAR-T activity.

/// `x / (1 + x)` with `x = (value / half)^n`: 0 for no signal, 1/2 at `half`, rising
/// towards 1 with steepness `n`. A zero `half` means fully on for any signal.
pub fn hill(value: f64, half: f64, n: f64) -> f64 {
    if value <= 0.0 {
        return 0.0;
    }
    if half <= 0.0 {
        return 1.0;
    }
    let ratio = value / half;
    // The catalogue's steepnesses are whole numbers: multiplications, not a `pow` (which
    // was ~1% of a treated run, in the CAR binder's activation).
    let x = match n {
        2.0 => ratio * ratio,
        3.0 => ratio * ratio * ratio,
        4.0 => (ratio * ratio) * (ratio * ratio),
        _ => ratio.powf(n),
    };
    if x.is_infinite() { 1.0 } else { x / (1.0 + x) }
}

#[cfg(test)]
mod tests {
    use super::hill;

    #[test]
    fn rises_through_half_with_its_steepness() {
        assert_eq!(hill(0.0, 1000.0, 2.0), 0.0);
        assert!((hill(1000.0, 1000.0, 2.0) - 0.5).abs() < 1e-12);
        assert!(hill(22_000.0, 1000.0, 2.0) > 0.99);
        assert!(hill(200.0, 1000.0, 2.0) < 0.05);
        assert!(hill(200.0, 1000.0, 3.0) < hill(200.0, 1000.0, 2.0));
        assert_eq!(hill(5.0, 0.0, 2.0), 1.0);
        assert_eq!(hill(1e300, 1e-300, 8.0), 1.0);
    }
}
