//! The per-cell record and its one-byte enums.
//!
//! Every agent is one [`Cell`]: a 32-byte record with the cell's population (kind and
//! stage in one byte), where it is, what it recognises and what it carries on its
//! surface. One wide record rather than many small components: a prototype on this
//! class of machine measured nine small components at 3.5× the per-step cost of one wide
//! one (17.8 vs 5.1 ns/cell) and 5× the memory. A population of `Dead` marks a free row
//! that the next birth reuses.

use crate::compartment::Compartment;

/// Stable identity of a cell, unique within a run and never reused. Random streams
/// are keyed by it (never by a row or an ECS entity index, which are reused).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellId(pub u64);

/// What a cell is: its kind and stage in one byte.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Population {
    /// A free row: no cell.
    #[default]
    Dead = 0,
    /// Pre-B cell in marrow (CD19+, CD20 low): the stage that feeds the periphery.
    BPrecursor,
    /// Transitional (new emigrant) B cell: passes the peripheral tolerance checkpoint.
    BTransitional,
    /// Mature naive B cell.
    BNaive,
    /// Memory B cell.
    BMemory,
    /// Activated B cell (extrafollicular response), dividing.
    BActivated,
    /// Germinal-centre B cell.
    BGerminalCentre,
    /// Plasmablast: short-lived antibody-secreting cell, CD19 dim, BCMA+.
    Plasmablast,
    /// Long-lived plasma cell in a marrow niche, BCMA+, CD19+ or CD19−.
    PlasmaCell,
    /// Naive CD4 T cell.
    Cd4Naive,
    /// Memory (conventional helper) CD4 T cell.
    Cd4Memory,
    /// T follicular helper cell: gives B cells help in lymphoid sites.
    Cd4Tfh,
    /// Regulatory T cell: suppresses activation of autoreactive B cells.
    Cd4Treg,
    /// Naive CD8 T cell.
    Cd8Naive,
    /// Memory CD8 T cell.
    Cd8Memory,
    /// CAR-T cell, stem-like / naive phenotype (T_SCM/T_N).
    CarStemLike,
    /// CAR-T cell, central memory.
    CarCentralMemory,
    /// CAR-T cell, effector memory.
    CarEffectorMemory,
    /// CAR-T cell, effector.
    CarEffector,
    /// CAR-T cell, exhausted (kills poorly, dies fast).
    CarExhausted,
    /// Malignant B cell of a large B-cell lymphoma: CD19+, in lymph nodes and tissue,
    /// not recirculating (`rules::lymphoma`). Only a patient with a tumour burden has any.
    LymphomaB,
}

impl Population {
    /// Every living population, in output order.
    pub const LIVING: [Population; 20] = [
        Population::BPrecursor,
        Population::BTransitional,
        Population::BNaive,
        Population::BMemory,
        Population::BActivated,
        Population::BGerminalCentre,
        Population::Plasmablast,
        Population::PlasmaCell,
        Population::Cd4Naive,
        Population::Cd4Memory,
        Population::Cd4Tfh,
        Population::Cd4Treg,
        Population::Cd8Naive,
        Population::Cd8Memory,
        Population::CarStemLike,
        Population::CarCentralMemory,
        Population::CarEffectorMemory,
        Population::CarEffector,
        Population::CarExhausted,
        Population::LymphomaB,
    ];

    /// Number of values, `Dead` included (the size of per-population tables).
    pub const COUNT: usize = 21;

    /// Name used in CSV outputs and scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Population::Dead => "dead",
            Population::BPrecursor => "b_precursor",
            Population::BTransitional => "b_transitional",
            Population::BNaive => "b_naive",
            Population::BMemory => "b_memory",
            Population::BActivated => "b_activated",
            Population::BGerminalCentre => "b_germinal_centre",
            Population::Plasmablast => "plasmablast",
            Population::PlasmaCell => "plasma_cell",
            Population::Cd4Naive => "cd4_naive",
            Population::Cd4Memory => "cd4_memory",
            Population::Cd4Tfh => "cd4_tfh",
            Population::Cd4Treg => "cd4_treg",
            Population::Cd8Naive => "cd8_naive",
            Population::Cd8Memory => "cd8_memory",
            Population::CarStemLike => "car_t_stem_like",
            Population::CarCentralMemory => "car_t_central_memory",
            Population::CarEffectorMemory => "car_t_effector_memory",
            Population::CarEffector => "car_t_effector",
            Population::CarExhausted => "car_t_exhausted",
            Population::LymphomaB => "lymphoma_b",
        }
    }

    /// Index into per-population tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether the cell is a B-lineage cell counted as a CD19+ B cell by flow
    /// cytometry (precursors, transitional, naive, memory, activated, GC).
    pub fn is_b_cell(self) -> bool {
        matches!(
            self,
            Population::BPrecursor
                | Population::BTransitional
                | Population::BNaive
                | Population::BMemory
                | Population::BActivated
                | Population::BGerminalCentre
        )
    }

    /// Whether the cell secretes antibody.
    pub fn is_antibody_secreting(self) -> bool {
        matches!(self, Population::Plasmablast | Population::PlasmaCell)
    }

    /// Whether the cell is a CAR-T cell.
    pub fn is_car_t(self) -> bool {
        matches!(
            self,
            Population::CarStemLike
                | Population::CarCentralMemory
                | Population::CarEffectorMemory
                | Population::CarEffector
                | Population::CarExhausted
        )
    }

    /// Whether the cell is a memory-like CAR-T cell (stem-like, central or effector
    /// memory): the phenotypes that divide homeostatically and carry a CD28 product's
    /// memory destiny.
    pub fn is_car_memory(self) -> bool {
        matches!(
            self,
            Population::CarStemLike | Population::CarCentralMemory | Population::CarEffectorMemory
        )
    }

    /// Whether the cell is a host (non-CAR) CD4+ T cell.
    pub fn is_host_cd4(self) -> bool {
        matches!(
            self,
            Population::Cd4Naive | Population::Cd4Memory | Population::Cd4Tfh | Population::Cd4Treg
        )
    }

    /// Whether the cell is a host (non-CAR) CD3+ T cell.
    pub fn is_t_cell(self) -> bool {
        matches!(
            self,
            Population::Cd4Naive
                | Population::Cd4Memory
                | Population::Cd4Tfh
                | Population::Cd4Treg
                | Population::Cd8Naive
                | Population::Cd8Memory
        )
    }

    /// Whether the cell recirculates between blood, lymphoid tissue, marrow and organ
    /// (mature lymphocytes and plasmablasts). Precursors stay in marrow, activated and
    /// GC B cells in their lymphoid site, plasma cells in their marrow niche.
    pub fn recirculates(self) -> bool {
        self.is_t_cell()
            || self.is_car_t()
            || matches!(
                self,
                Population::BTransitional
                    | Population::BNaive
                    | Population::BMemory
                    | Population::Plasmablast
            )
    }

    /// Whether the cell is a malignant (lymphoma) B cell. Not counted among
    /// [`Population::is_b_cell`]: the B-cell counts and endpoints are of normal B cells.
    pub fn is_tumour(self) -> bool {
        self == Population::LymphomaB
    }

    /// Whether agents of this population and `specificity` are held no coarser than
    /// the run's self-reactive weight (`resolution.self_reactive_cells_per_agent`): the
    /// self-reactive B lineage past the precursor stage (transitional, naive, memory,
    /// activated, germinal-centre, plasmablast, plasma cell), which carries the
    /// disease's feedback loop. Its experienced pools are small (~50-200 agents each at
    /// 5e5 cells per agent), and each activation moves one naive agent's weight into
    /// them at once; at a coarse host weight that grain alone carries an active patient
    /// into the quiescent state within two years (docs/model.md §2). Pre-B cells are
    /// numerous and pre-tolerance, and keep their kind's weight.
    pub fn is_self_reactive_b_lineage(self, specificity: Specificity) -> bool {
        specificity == Specificity::Autoantigen
            && matches!(
                self,
                Population::BTransitional
                    | Population::BNaive
                    | Population::BMemory
                    | Population::BActivated
                    | Population::BGerminalCentre
                    | Population::Plasmablast
                    | Population::PlasmaCell
            )
    }

    /// The kind of cell (for per-kind `cells_per_agent` weights).
    pub fn kind(self) -> Kind {
        if self.is_b_cell() || self.is_tumour() {
            Kind::BCell
        } else if self.is_antibody_secreting() {
            Kind::PlasmaCell
        } else if self.is_t_cell() {
            Kind::TCell
        } else if self.is_car_t() {
            Kind::CarT
        } else {
            Kind::None
        }
    }
}

/// Kinds of cell that may carry their own `cells_per_agent` weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// No cell (a free row).
    None,
    /// B-lineage cells before the antibody-secreting stage.
    BCell,
    /// Plasmablasts and plasma cells.
    PlasmaCell,
    /// CD4 and CD8 T cells.
    TCell,
    /// CAR-T cells.
    CarT,
}

impl Kind {
    /// Kinds that carry a weight, in scenario order.
    pub const WEIGHTED: [Kind; 4] = [Kind::BCell, Kind::PlasmaCell, Kind::TCell, Kind::CarT];

    /// Name used in scenario files (`[resolution.cells_per_agent_by_kind]`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::None => "none",
            Kind::BCell => "b_cell",
            Kind::PlasmaCell => "plasma_cell",
            Kind::TCell => "t_cell",
            Kind::CarT => "car_t",
        }
    }
}

/// What a lymphocyte's receptor (or a plasma cell's antibody) recognises.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Specificity {
    /// Foreign and environmental antigens: the bulk of IgG.
    #[default]
    Other = 0,
    /// Self antigen (nuclear antigens in lupus: anti-dsDNA-like).
    Autoantigen = 1,
    /// Vaccine antigen A, measles-like: antibody half-life > 200 years (Amanna 2007).
    VaccineA = 2,
    /// Vaccine antigen B, tetanus-like: antibody half-life 11 years (Amanna 2007).
    VaccineB = 3,
}

impl Specificity {
    /// All specificities in output order.
    pub const ALL: [Specificity; 4] = [
        Specificity::Other,
        Specificity::Autoantigen,
        Specificity::VaccineA,
        Specificity::VaccineB,
    ];

    /// Number of specificities.
    pub const COUNT: usize = 4;

    /// Index into per-specificity tables.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A surface antigen slot: which of the run's (at most [`Antigen::SLOTS`]) antigens.
/// The antigens themselves are data (`scenarios/antigens/catalogue.toml`, or a
/// scenario's `[[antigens]]`), mapped to slots per run by
/// [`crate::antigen_panel::AntigenPanel`]; a cell stores one density per slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Antigen(pub u8);

impl Antigen {
    /// Antigen densities a cell record holds (the 32-byte record has room for four).
    pub const SLOTS: usize = 4;

    /// Every slot, in storage order.
    pub const ALL: [Antigen; Antigen::SLOTS] = [Antigen(0), Antigen(1), Antigen(2), Antigen(3)];

    /// Index into the cell's density array.
    pub fn slot(self) -> usize {
        usize::from(self.0)
    }
}

/// Molecules per cell that one unit of stored antigen density stands for. Densities are
/// stored as `u16` to keep the record at 32 bytes: 16 molecules per unit gives a range
/// of 0–1,048,560 molecules/cell (hairy-cell CD20 is ~312,000, Ginaldi 1998) with a
/// resolution far below flow-cytometric precision.
pub const ANTIGEN_UNIT_MOLECULES: f64 = 16.0;

/// One cell: 32 bytes, `repr(C)` so the layout is fixed and measurable.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C)]
pub struct Cell {
    /// Stable identity (never reused).
    pub id: CellId,
    /// Simulated day the cell was born (negative during burn-in).
    pub birth_day: f32,
    /// Global site index (sites of all compartments numbered consecutively).
    pub site: u16,
    /// Kind and stage.
    pub population: Population,
    /// Receptor specificity.
    pub specificity: Specificity,
    /// Compartment the cell is in.
    pub compartment: Compartment,
    /// Divisions since the cell's lineage left the naive or precursor state.
    pub divisions: u8,
    /// Bit flags ([`Cell::FLAG_NICHE`]).
    pub flags: u8,
    /// CAR-T cells: index of the product the cell came from; zero for host cells.
    pub product: u8,
    /// Surface antigen densities in units of [`ANTIGEN_UNIT_MOLECULES`], indexed by
    /// [`Antigen`] slot.
    pub antigen: [u16; 4],
    /// CAR-T cells: antigen stimulations received (drives exhaustion); zero for host cells.
    pub stimulations: u16,
    /// CAR-T cells: surface CAR relative to a freshly made cell, in units of
    /// 1/[`CAR_EXPRESSION_FULL`] (full for viral products; mRNA products fade).
    pub car_expression: u16,
}

/// Molecules per cell of a surface density of `units` (units of
/// [`ANTIGEN_UNIT_MOLECULES`], as [`Cell::antigen`] holds them).
pub fn antigen_molecules(units: u16) -> f64 {
    f64::from(units) * ANTIGEN_UNIT_MOLECULES
}

/// [`Cell::car_expression`] of a cell expressing the CAR fully.
pub const CAR_EXPRESSION_FULL: u16 = u16::MAX;

impl Cell {
    /// Flag: the plasma cell holds a marrow survival niche.
    pub const FLAG_NICHE: u8 = 1;
    /// Flag: the CAR-T cell engaged antigen in this step's encounters.
    pub const FLAG_STIMULATED: u8 = 2;
    /// Flag: the T cell (CAR-T or not) is CD8+; CAR-T cells without it are CD4+.
    pub const FLAG_CD8: u8 = 4;
    /// Flag: the CAR-T cell is in the division programme that antigen started and that
    /// runs on without it (`rules::car_t`).
    pub const FLAG_PROGRAMMED: u8 = 8;

    /// CAR on the surface relative to a fresh cell (0-1).
    pub fn car_expression_fraction(&self) -> f64 {
        f64::from(self.car_expression) / f64::from(CAR_EXPRESSION_FULL)
    }

    /// Sets the surface CAR relative to a fresh cell (clamped to 0-1).
    pub fn set_car_expression_fraction(&mut self, fraction: f64) {
        let units = (fraction.clamp(0.0, 1.0) * f64::from(CAR_EXPRESSION_FULL)).round();
        self.car_expression = units as u16;
    }

    /// Whether the row holds a living cell.
    pub fn is_alive(&self) -> bool {
        self.population != Population::Dead
    }

    /// Surface density of `antigen` in molecules per cell.
    pub fn antigen_molecules(&self, antigen: Antigen) -> f64 {
        antigen_molecules(self.antigen[antigen.slot()])
    }

    /// Sets the surface density of `antigen` (molecules per cell, saturating).
    pub fn set_antigen_molecules(&mut self, antigen: Antigen, molecules: f64) {
        // Rounded to the nearest unit: + 0.5 then truncation (the cast), which for
        // non-negative values is `round` without its libm call.
        let units = molecules * (1.0 / ANTIGEN_UNIT_MOLECULES) + 0.5;
        self.antigen[antigen.slot()] = units.clamp(0.0, f64::from(u16::MAX)) as u16;
    }
}

#[cfg(test)]
mod tests;
