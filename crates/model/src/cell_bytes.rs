//! A cell's portable form: 32 little-endian bytes, field by field, for checkpoints.

use crate::cell::{Cell, CellId, Population, Specificity};
use crate::compartment::Compartment;

/// Bytes of a cell's portable form ([`Cell::to_bytes`]).
pub const CELL_BYTES: usize = 32;

impl Cell {
    /// The cell as 32 little-endian bytes, field by field (a checkpoint's rows: the
    /// same on every machine, whatever the in-memory layout).
    pub fn to_bytes(&self) -> [u8; CELL_BYTES] {
        let mut b = [0u8; CELL_BYTES];
        b[0..8].copy_from_slice(&self.id.0.to_le_bytes());
        b[8..12].copy_from_slice(&self.birth_day.to_le_bytes());
        b[12..14].copy_from_slice(&self.site.to_le_bytes());
        b[14] = self.population as u8;
        b[15] = self.specificity as u8;
        b[16] = self.compartment as u8;
        b[17] = self.divisions;
        b[18] = self.flags;
        b[19] = self.product;
        for (k, density) in self.antigen.iter().enumerate() {
            b[20 + 2 * k..22 + 2 * k].copy_from_slice(&density.to_le_bytes());
        }
        b[28..30].copy_from_slice(&self.stimulations.to_le_bytes());
        b[30..32].copy_from_slice(&self.car_expression.to_le_bytes());
        b
    }

    /// A cell from [`Cell::to_bytes`]; `None` when a population, specificity or
    /// compartment byte names no value (a corrupted record).
    pub fn from_bytes(b: &[u8; CELL_BYTES]) -> Option<Cell> {
        let u16_at = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        let mut id = [0u8; 8];
        id.copy_from_slice(&b[0..8]);
        let population = std::iter::once(Population::Dead)
            .chain(Population::LIVING)
            .find(|&p| p as u8 == b[14])?;
        let specificity = Specificity::ALL.into_iter().find(|&x| x as u8 == b[15])?;
        let compartment = Compartment::ALL.into_iter().find(|&c| c as u8 == b[16])?;
        Some(Cell {
            id: CellId(u64::from_le_bytes(id)),
            birth_day: f32::from_le_bytes([b[8], b[9], b[10], b[11]]),
            site: u16_at(12),
            population,
            specificity,
            compartment,
            divisions: b[17],
            flags: b[18],
            product: b[19],
            antigen: [u16_at(20), u16_at(22), u16_at(24), u16_at(26)],
            stimulations: u16_at(28),
            car_expression: u16_at(30),
        })
    }
}
