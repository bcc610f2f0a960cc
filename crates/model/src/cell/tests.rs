//! Cell layout and population invariants.

use super::*;

#[test]
fn cell_record_is_32_bytes() {
    assert_eq!(std::mem::size_of::<Cell>(), 32);
}

#[test]
fn antigen_density_round_trips_within_one_unit() {
    let mut cell = Cell::default();
    cell.set_antigen_molecules(Antigen(0), 22_003.0);
    assert!((cell.antigen_molecules(Antigen(0)) - 22_003.0).abs() <= ANTIGEN_UNIT_MOLECULES);
    cell.set_antigen_molecules(Antigen(1), 5.0e7);
    assert_eq!(cell.antigen[1], u16::MAX);
}

#[test]
fn population_indices_are_dense() {
    for (i, p) in Population::LIVING.iter().enumerate() {
        assert!(
            !(p.is_car_t() && p.is_t_cell()),
            "CAR-T cells are counted apart from host T cells"
        );
        assert_eq!(p.index(), i + 1);
    }
    assert_eq!(Population::LIVING.len() + 1, Population::COUNT);
}
