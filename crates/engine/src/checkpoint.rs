//! Checkpoints: a patient's whole state at a step boundary as bytes, and back.
//!
//! Layout (all integers little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `IMSIMCKP` |
//! | 4 | format version ([`FORMAT_VERSION`]) |
//! | 8 | length of the body |
//! | body | postcard-encoded [`Body`]: the resolved scenario (TOML text), the output positions (opaque bytes of the output layer), and every part of the state but the cells |
//! | 8 | number of cell rows |
//! | 32 × rows | the rows, living and dead, in table order ([`Cell::to_bytes`]) |
//! | 4 | CRC-32 (IEEE) of everything before it |
//!
//! postcard is a compact, documented, stable serde format (its wire format is frozen
//! at 1.0) with no schema to keep beside the code; the rows, 98% of the bytes, are
//! written as fixed-width records instead of through serde so that 10^7 of them encode
//! and decode at memory speed. Random streams are keyed by (seed, step, id, purpose),
//! so no generator state needs saving: a restored patient draws exactly what the
//! uninterrupted one would have. What a run derives from its configuration
//! ([`crate::state::RunSetup`]) is rebuilt, not saved.

use crate::census::Census;
use crate::ids::IdCounters;
use crate::phases::clinical::ClinicalState;
use crate::state::{NicheWindow, PatientState};
use crate::world::CellWorld;
use immunosim_model::Cell;
use immunosim_model::cell_bytes::CELL_BYTES;
use immunosim_model::crs::CrsState;
use immunosim_model::fields::Fields;

/// The first bytes of every checkpoint.
pub const MAGIC: &[u8; 8] = b"IMSIMCKP";
/// The format written; a checkpoint of another version is refused. 5: a CAR-T cell's
/// `divisions` counts the rounds of its division destiny (the layout is 4's).
pub const FORMAT_VERSION: u32 = 5;

/// What is wrong with a checkpoint's bytes.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The bytes do not start with [`MAGIC`].
    #[error("not an immunosim checkpoint (the file does not start with {MAGIC:?})")]
    NotACheckpoint,
    /// Written by another format version.
    #[error(
        "checkpoint format version {found}; this immunosim reads version {FORMAT_VERSION} only"
    )]
    Version {
        /// The version in the file.
        found: u32,
    },
    /// The file ends before its stated length.
    #[error("truncated: {found} bytes where the header announces at least {expected}")]
    Truncated {
        /// Bytes the layout needs.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// The checksum does not match the contents.
    #[error("corrupted: checksum {stored:08x} stored, {computed:08x} computed over the contents")]
    Checksum {
        /// Stored CRC-32.
        stored: u32,
        /// CRC-32 of the contents.
        computed: u32,
    },
    /// The contents do not decode (a bug or a forged checksum).
    #[error("corrupted: {0}")]
    Malformed(String),
}

/// Everything of a checkpoint but the cell rows.
#[derive(serde::Serialize, serde::Deserialize)]
struct Body {
    scenario_toml: String,
    outputs: Vec<u8>,
    fields: Fields,
    census: Census,
    step: u64,
    ids: IdCounters,
    stepped: u64,
    clinical: ClinicalState,
    crs: CrsState,
    niche: NicheWindow,
    equilibrated: bool,
    surfaces_drawn: bool,
}

/// A decoded checkpoint.
pub struct Checkpoint {
    /// The resolved scenario the state was run with (TOML text, as in `run.toml`).
    pub scenario_toml: String,
    /// The output layer's positions and accumulators (opaque to the engine).
    pub outputs: Vec<u8>,
    /// The patient.
    pub state: PatientState,
}

/// Encodes `state` with the resolved scenario and the output layer's bytes.
pub fn encode(scenario_toml: &str, outputs: &[u8], state: &PatientState) -> Vec<u8> {
    let mut out = Vec::new();
    write_to(&mut out, scenario_toml, outputs, state).expect("writing to memory cannot fail");
    out
}

/// Streams the encoding of `state` to `sink` (a file, through a buffer): the rows are
/// not copied into one buffer first, so a checkpoint of 10^7 cells needs no 320 MB of
/// extra memory. Returns the bytes written.
pub fn write_to(
    sink: &mut impl std::io::Write,
    scenario_toml: &str,
    outputs: &[u8],
    state: &PatientState,
) -> std::io::Result<u64> {
    let body = Body {
        scenario_toml: scenario_toml.to_string(),
        outputs: outputs.to_vec(),
        fields: state.fields,
        census: state.census.clone(),
        step: state.step,
        ids: state.ids,
        stepped: state.stepped,
        clinical: state.clinical,
        crs: state.crs.clone(),
        niche: state.niche,
        equilibrated: state.equilibrated,
        surfaces_drawn: state.surfaces_drawn,
    };
    let body = postcard::to_stdvec(&body).map_err(std::io::Error::other)?;
    let cells = state.world.cells();
    let mut out = Checksummed {
        sink,
        crc: crc32fast::Hasher::new(),
        written: 0,
    };
    out.put(MAGIC)?;
    out.put(&FORMAT_VERSION.to_le_bytes())?;
    out.put(&(body.len() as u64).to_le_bytes())?;
    out.put(&body)?;
    out.put(&(cells.len() as u64).to_le_bytes())?;
    let mut rows = Vec::with_capacity(4096 * CELL_BYTES);
    for block in cells.chunks(4096) {
        rows.clear();
        for cell in block {
            rows.extend_from_slice(&cell.to_bytes());
        }
        out.put(&rows)?;
    }
    let crc = out.crc.clone().finalize();
    out.sink.write_all(&crc.to_le_bytes())?;
    Ok(out.written + 4)
}

/// A writer that checksums what passes through it.
struct Checksummed<'a, W: std::io::Write> {
    sink: &'a mut W,
    crc: crc32fast::Hasher,
    written: u64,
}

impl<W: std::io::Write> Checksummed<'_, W> {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.crc.update(bytes);
        self.written += bytes.len() as u64;
        self.sink.write_all(bytes)
    }
}

/// Decodes a checkpoint, checking magic, version, length and checksum first.
pub fn decode(bytes: &[u8]) -> Result<Checkpoint, CheckpointError> {
    let mut reader = Reader { bytes, at: 0 };
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(CheckpointError::NotACheckpoint);
    }
    reader.at = MAGIC.len();
    let found = u32::from_le_bytes(reader.take(4)?.try_into().expect("4 bytes"));
    if found != FORMAT_VERSION {
        return Err(CheckpointError::Version { found });
    }
    let body_len = reader.u64()?;
    let body = reader.take(body_len)?;
    let rows = reader.u64()?;
    let cell_bytes = reader.take(rows.saturating_mul(CELL_BYTES as u64))?;
    let contents = reader.at;
    let stored = u32::from_le_bytes(reader.take(4)?.try_into().expect("4 bytes"));
    if reader.at != bytes.len() {
        return Err(CheckpointError::Malformed(format!(
            "{} bytes after the checksum",
            bytes.len() - reader.at
        )));
    }
    let computed = crc32fast::hash(&bytes[..contents]);
    if stored != computed {
        return Err(CheckpointError::Checksum { stored, computed });
    }
    let body: Body =
        postcard::from_bytes(body).map_err(|e| CheckpointError::Malformed(e.to_string()))?;
    let mut cells = Vec::with_capacity(rows as usize);
    for (row, record) in cell_bytes.chunks_exact(CELL_BYTES).enumerate() {
        let record: &[u8; CELL_BYTES] = record.try_into().expect("exact chunks");
        let cell = Cell::from_bytes(record)
            .ok_or_else(|| CheckpointError::Malformed(format!("cell row {row} is not a cell")))?;
        cells.push(cell);
    }
    // Room for the growth a burn-in allows for (the configuration is not known here).
    let mut world =
        CellWorld::with_capacity((cells.len() as f64 * crate::memory::GROWTH_HEADROOM) as usize);
    world.spawn(cells);
    Ok(Checkpoint {
        scenario_toml: body.scenario_toml,
        outputs: body.outputs,
        state: PatientState {
            world,
            fields: body.fields,
            census: body.census,
            step: body.step,
            ids: body.ids,
            stepped: body.stepped,
            clinical: body.clinical,
            crs: body.crs,
            niche: body.niche,
            equilibrated: body.equilibrated,
            surfaces_drawn: body.surfaces_drawn,
        },
    })
}

/// Whether a decoded state can be run with `config`: every living cell in a site of its
/// own compartment, a CAR-T cell's product among the configuration's, a census of the
/// configuration's sites and a step within the run. The checksum stops damage, not a
/// forged or hand-edited file, whose indices would otherwise panic in the first step.
pub fn check_fits(state: &PatientState, config: &crate::config::RunConfig) -> Result<(), String> {
    use immunosim_model::compartment::SiteLayout;
    let layout = SiteLayout::new(config.sites);
    if state.census.by_site.len() != layout.total() {
        return Err(format!(
            "the census has {} sites where the scenario has {}",
            state.census.by_site.len(),
            layout.total()
        ));
    }
    if let Some(d) = state
        .census
        .doublings
        .iter()
        .find(|&&d| d > crate::config::MAX_DOUBLINGS)
    {
        return Err(format!(
            "a weight is doubled {d} times, beyond the {} allowed",
            crate::config::MAX_DOUBLINGS
        ));
    }
    let total_steps = crate::timeline::Timeline::for_run(config).total_steps;
    if state.step > total_steps {
        return Err(format!(
            "it is at step {} of a run of {total_steps} steps",
            state.step
        ));
    }
    let living = state
        .world
        .cells()
        .iter()
        .enumerate()
        .filter(|(_, c)| c.population != immunosim_model::Population::Dead);
    for (row, cell) in living {
        let first = layout.site(cell.compartment, 0);
        let sites = first..first + layout.count(cell.compartment);
        if !sites.contains(&cell.site) {
            return Err(format!(
                "cell row {row} is in site {}, outside the sites of its compartment ({}..{})",
                cell.site, sites.start, sites.end
            ));
        }
        if cell.population.is_car_t() && usize::from(cell.product) >= config.products.len() {
            return Err(format!(
                "cell row {row} is a CAR-T cell of product {}, and the scenario has {} products",
                cell.product,
                config.products.len()
            ));
        }
    }
    Ok(())
}

/// Reads the layout front to back, reporting a short file as truncated.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: u64) -> Result<&'a [u8], CheckpointError> {
        let end = (self.at as u64).saturating_add(n);
        if end > self.bytes.len() as u64 {
            return Err(CheckpointError::Truncated {
                expected: end.saturating_add(4),
                found: self.bytes.len() as u64,
            });
        }
        let slice = &self.bytes[self.at..end as usize];
        self.at = end as usize;
        Ok(slice)
    }

    fn u64(&mut self) -> Result<u64, CheckpointError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RunConfig;
    use crate::recorder::MemoryRecorder;
    use crate::simulation::Simulation;

    fn small() -> RunConfig {
        RunConfig {
            cells_per_agent: [2e8; 4],
            days: 6.0,
            burn_in_days: 4.0,
            ..RunConfig::default()
        }
    }

    /// A run saved at a boundary and restored goes on exactly as the one never saved:
    /// same rows, same snapshots, same events.
    #[test]
    fn a_restored_patient_continues_exactly() {
        let mut whole = Simulation::new(small());
        let mut all = MemoryRecorder::default();
        whole.run(&mut all, &mut |_| {}).unwrap();

        let mut first = Simulation::new(small());
        let mut before = MemoryRecorder::default();
        first.begin(&mut before, "seed 1").unwrap();
        for _ in 0..9 {
            first.advance(&mut before).unwrap();
        }
        let bytes = encode("scenario", b"outputs", first.state());
        let saved = decode(&bytes).unwrap();
        assert_eq!(saved.scenario_toml, "scenario");
        assert_eq!(saved.outputs, b"outputs");
        let mut second = Simulation::from_state(small(), saved.state);
        let mut after = MemoryRecorder::default();
        while !second.is_finished() {
            second.advance(&mut after).unwrap();
        }
        second.finish(&mut after).unwrap();
        assert_eq!(second.cells(), whole.cells());
        let mut snapshots = before.snapshots;
        snapshots.extend(after.snapshots);
        assert_eq!(snapshots, all.snapshots);
        let mut events = before.events;
        events.extend(after.events);
        assert_eq!(events, all.events);
    }

    #[test]
    fn damaged_checkpoints_are_refused_with_the_reason() {
        let sim = Simulation::new(small());
        let bytes = encode("s", b"", sim.state());
        let truncated = &bytes[..bytes.len() - 100];
        assert!(matches!(
            decode(truncated),
            Err(CheckpointError::Truncated { .. })
        ));
        let mut flipped = bytes.clone();
        flipped[bytes.len() / 2] ^= 0x10;
        assert!(matches!(
            decode(&flipped),
            Err(CheckpointError::Checksum { .. })
        ));
        let mut other = bytes.clone();
        other[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        assert_eq!(
            decode(&other).err(),
            Some(CheckpointError::Version {
                found: FORMAT_VERSION + 1
            })
        );
        assert_eq!(
            decode(b"hello").err(),
            Some(CheckpointError::NotACheckpoint)
        );
    }
}
