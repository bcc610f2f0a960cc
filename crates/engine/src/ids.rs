//! Cell ids: unique within a run, never reused, and known where a cell is made.
//!
//! Random streams are keyed by a cell's id, so an id must not depend on threads or on
//! what other chunks did. Two kinds:
//! * **Counted ids** (`0, 1, 2, ...`, below 2^63): the initial cells, then cells made
//!   outside the cell pass (infused CAR-T cells), in order, from the simulation's
//!   counter.
//! * **Born ids** (top bit set): a cell made in the cell pass (a daughter or a new
//!   pre-B cell) is named by where it was made: (step, chunk, its ordinal among the
//!   chunk's births of the step). A chunk can then name its births and write them into
//!   its own freed rows as the pass frees them, without waiting for the counts of the
//!   chunks before it. With consecutive ids, placing births was a second pass writing
//!   scattered rows after the cell pass (14% of a step at 10^7 agents in a profile).
//!
//! Field widths: steps < 2^22 (a scenario has at most (36,525 + 3,650) / 0.05 =
//! 803,500), chunks < 2^18 (rows are `u32`, chunks of 2^14 rows), ordinals < 2^23 (512
//! daughters per row of a full chunk). [`born`] panics beyond them rather than reuse an
//! id. The one way a row makes many cells in a step is a change of kind into a finer
//! weight (`config::reweigh`: a B cell becoming a plasmablast is split into
//! `b_cell / plasma_cell` agents); scenarios bound that ratio to 256
//! (`immunosim_scenario::MAX_B_TO_PLASMA_WEIGHT_RATIO`), half the ordinals of a row.

use crate::world::CHUNK_ROWS;
use immunosim_model::CellId;

/// Bits of a born id's ordinal.
const ORDINAL_BITS: u32 = 23;
/// Bits of a born id's chunk index.
const CHUNK_BITS: u32 = 18;
/// Bits of a born id's step.
const STEP_BITS: u32 = 22;
/// The tag that sets born ids apart from counted ids.
pub(crate) const BORN_TAG: u64 = 1 << 63;

const _: () = assert!(ORDINAL_BITS + CHUNK_BITS + STEP_BITS == 63);
const _: () = assert!((u32::MAX as u64 + 1) / CHUNK_ROWS as u64 <= 1 << CHUNK_BITS);

/// The id of the `ordinal`-th daughter made in chunk `chunk` at step `step`.
pub fn born(step: u64, chunk: usize, ordinal: usize) -> CellId {
    let (chunk, ordinal) = (chunk as u64, ordinal as u64);
    assert!(
        step < 1 << STEP_BITS && chunk < 1 << CHUNK_BITS && ordinal < 1 << ORDINAL_BITS,
        "cell id space exhausted: step {step}, chunk {chunk}, birth {ordinal} of the chunk"
    );
    CellId(BORN_TAG | step << (CHUNK_BITS + ORDINAL_BITS) | chunk << ORDINAL_BITS | ordinal)
}

/// The `k`-th counted id from `next` (initial cells, infusions, new pre-B cells).
pub fn counted(next: u64, k: usize) -> CellId {
    let id = next + k as u64;
    assert!(id < BORN_TAG, "cell id space exhausted: {id} counted ids");
    CellId(id)
}

/// Where cell ids stand: the next counted id and the born ids so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IdCounters {
    /// The next counted id.
    pub next_counted: u64,
    /// Cells made in cell passes so far (born ids).
    pub born: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn born_ids_differ_in_every_field_and_from_counted_ids() {
        let ids = [
            born(0, 0, 0),
            born(1, 0, 0),
            born(0, 1, 0),
            born(0, 0, 1),
            born(
                (1 << STEP_BITS) - 1,
                (1 << CHUNK_BITS) - 1,
                (1 << ORDINAL_BITS) - 1,
            ),
        ];
        for (i, a) in ids.iter().enumerate() {
            assert!(a.0 >= BORN_TAG);
            for b in &ids[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(ids[4].0, u64::MAX);
        assert_eq!(counted(7, 3), CellId(10));
    }

    #[test]
    #[should_panic(expected = "cell id space exhausted")]
    fn born_ids_refuse_to_wrap() {
        born(0, 0, 1 << ORDINAL_BITS);
    }
}
