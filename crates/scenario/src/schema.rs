//! The scenario schema: every table and field a scenario may contain.
//!
//! Parameter tables (`[parameters.GROUP]`) come from the model's catalogue; the other
//! tables are listed here. Validation walks a parsed file against this schema, so that
//! unknown fields, wrong types and out-of-range values are all reported at once.

use immunosim_model::Parameters;

/// What kind of value a field takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FieldKind {
    /// Free text.
    Text,
    /// A number within [min, max], with a unit.
    Number {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
        /// Unit.
        unit: &'static str,
    },
    /// A whole number within [min, max].
    Integer {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// One of a fixed list.
    Choice(&'static [&'static str]),
    /// A non-empty list of antigen names (checked against the known antigens, which
    /// a scenario may extend, by the cross-field rules).
    AntigenList,
    /// true or false.
    Bool,
    /// A list of numbers within [min, max].
    NumberList {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
        /// Unit.
        unit: &'static str,
    },
}

/// The built-in antigen catalogue (data: names, densities by stage, sources).
pub const ANTIGEN_CATALOGUE: &str = include_str!("../../../scenarios/antigens/catalogue.toml");

/// Tables that are arrays (`[[products]]`, `[[antigens]]`, `[[vaccinations]]`, `[[ivig]]`).
pub const ARRAY_TABLES: &[&str] = &["products", "antigens", "vaccinations", "ivig"];

/// One field of the schema.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Field {
    /// Dotted table path (`scenario`, `resolution.cells_per_agent_by_kind`, ...).
    pub table: &'static str,
    /// Key.
    pub name: &'static str,
    /// Value kind.
    pub kind: FieldKind,
    /// What it means, and its default.
    pub doc: &'static str,
}

/// Clinical scales an activity score can mimic (`[preset] score_scale`): the SLEDAI-2K
/// for lupus, the MG-ADL for myasthenia gravis. The scale names the score's columns.
pub const SCORE_SCALES: &[&str] = &["sledai_like", "mg_adl_like"];

/// Built-in disease presets (files in `scenarios/presets/`).
pub const PRESETS: &[&str] = &["healthy", "sle", "lymphoma_like", "mg"];

const fn number(
    table: &'static str,
    name: &'static str,
    min: f64,
    max: f64,
    unit: &'static str,
    doc: &'static str,
) -> Field {
    Field {
        table,
        name,
        kind: FieldKind::Number { min, max, unit },
        doc,
    }
}

const fn integer(
    table: &'static str,
    name: &'static str,
    min: i64,
    max: i64,
    doc: &'static str,
) -> Field {
    Field {
        table,
        name,
        kind: FieldKind::Integer { min, max },
        doc,
    }
}

/// Fields outside `[parameters.*]`.
pub const FIELDS: &[Field] = &[
    Field {
        table: "scenario",
        name: "name",
        kind: FieldKind::Text,
        doc: "Short name of the scenario (default: the file name).",
    },
    Field {
        table: "scenario",
        name: "description",
        kind: FieldKind::Text,
        doc: "One line saying what the scenario is for.",
    },
    Field {
        table: "scenario",
        name: "preset",
        kind: FieldKind::Choice(PRESETS),
        doc: "Disease preset whose parameters the scenario starts from (default healthy).",
    },
    number(
        "scenario",
        "days",
        1.0,
        36_525.0,
        "days",
        "Days recorded from day 0 (default 730).",
    ),
    number(
        "scenario",
        "burn_in_days",
        0.0,
        3_650.0,
        "days",
        "Days simulated before day 0 to reach the untreated steady state (default 365).",
    ),
    integer(
        "scenario",
        "seed",
        0,
        i64::MAX,
        "Run seed (default 1); --seed overrides it.",
    ),
    number(
        "scenario",
        "time_step_days",
        0.05,
        1.0,
        "days",
        "Step length (default 1).",
    ),
    number(
        "scenario",
        "record_every_days",
        0.05,
        365.0,
        "days",
        "Interval between recorded days; a multiple of the step (default 1).",
    ),
    number(
        "patient",
        "weight_kg",
        20.0,
        250.0,
        "kg",
        "Body weight; pool sizes and volumes scale with it (default 70).",
    ),
    number(
        "patient",
        "height_cm",
        100.0,
        230.0,
        "cm",
        "Height, for body surface area (default 170).",
    ),
    number(
        "resolution",
        "cells_per_agent",
        1.0,
        1e12,
        "cells",
        "Real cells each agent stands for, all kinds (default 5e5: ~1.2 million agents).",
    ),
    number(
        "resolution.cells_per_agent_by_kind",
        "b_cell",
        1.0,
        1e12,
        "cells",
        "Cells per agent for B-lineage cells (overrides resolution.cells_per_agent).",
    ),
    number(
        "resolution.cells_per_agent_by_kind",
        "plasma_cell",
        1.0,
        1e12,
        "cells",
        "Cells per agent for plasmablasts and plasma cells (at least b_cell / 256).",
    ),
    number(
        "resolution.cells_per_agent_by_kind",
        "t_cell",
        1.0,
        1e12,
        "cells",
        "Cells per agent for T cells.",
    ),
    number(
        "resolution.cells_per_agent_by_kind",
        "car_t",
        1.0,
        1e12,
        "cells",
        "Cells per agent for CAR-T cells (default 1e5: an infusion of 7e7 cells is 700 agents).",
    ),
    number(
        "lymphodepletion",
        "fludarabine_mg_per_m2_per_day",
        0.0,
        50.0,
        "mg/m2/day",
        "Fludarabine dose on each fludarabine day (Erlangen: 25).",
    ),
    Field {
        table: "lymphodepletion",
        name: "fludarabine_days",
        kind: FieldKind::NumberList {
            min: -60.0,
            max: 36_525.0,
            unit: "day",
        },
        doc: "Days fludarabine is given (Erlangen: [-5, -4, -3]).",
    },
    number(
        "lymphodepletion",
        "cyclophosphamide_mg_per_m2_per_day",
        0.0,
        3000.0,
        "mg/m2/day",
        "Cyclophosphamide dose on each cyclophosphamide day (Erlangen: 1000).",
    ),
    Field {
        table: "lymphodepletion",
        name: "cyclophosphamide_days",
        kind: FieldKind::NumberList {
            min: -60.0,
            max: 36_525.0,
            unit: "day",
        },
        doc: "Days cyclophosphamide is given (Erlangen: [-3]).",
    },
    Field {
        table: "antigens",
        name: "name",
        kind: FieldKind::Text,
        doc: "Name of a new antigen (or of a catalogue antigen to redefine), as products name it.",
    },
    Field {
        table: "antigens",
        name: "b_precursor",
        kind: FieldKind::NumberList {
            min: 0.0,
            max: 1.0e6,
            unit: "molecules/cell",
        },
        doc: "[mean, SD] molecules per pre-B cell (log-normal); left out = absent.",
    },
    Field {
        table: "antigens",
        name: "b_cell",
        kind: FieldKind::NumberList {
            min: 0.0,
            max: 1.0e6,
            unit: "molecules/cell",
        },
        doc: "[mean, SD] molecules per transitional, naive, memory, activated or GC B cell.",
    },
    Field {
        table: "antigens",
        name: "plasmablast",
        kind: FieldKind::NumberList {
            min: 0.0,
            max: 1.0e6,
            unit: "molecules/cell",
        },
        doc: "[mean, SD] molecules per plasmablast.",
    },
    Field {
        table: "antigens",
        name: "plasma_cell",
        kind: FieldKind::NumberList {
            min: 0.0,
            max: 1.0e6,
            unit: "molecules/cell",
        },
        doc: "[mean, SD] molecules per long-lived plasma cell.",
    },
    Field {
        table: "antigens",
        name: "lost_by_mature_plasma_cells",
        kind: FieldKind::Bool,
        doc: "Absent on the CD19-negative subset of long-lived plasma cells (as CD19 is; default false).",
    },
    Field {
        table: "antigens",
        name: "source",
        kind: FieldKind::Text,
        doc: "Where the densities come from.",
    },
    Field {
        table: "products",
        name: "name",
        kind: FieldKind::Text,
        doc: "Product name.",
    },
    Field {
        table: "products",
        name: "targets",
        kind: FieldKind::AntigenList,
        doc: "Antigens the CAR binds, e.g. [\"CD19\"] or [\"BCMA\", \"CD19\"].",
    },
    Field {
        table: "products",
        name: "logic",
        kind: FieldKind::Choice(&["or", "and", "not"]),
        doc: "How binders combine: or (tandem/compound), and (split signal), not (inhibitory CAR). Default or.",
    },
    Field {
        table: "products",
        name: "inhibitory",
        kind: FieldKind::Text,
        doc: "The inhibitory antigen of a `not` construct.",
    },
    Field {
        table: "products",
        name: "source",
        kind: FieldKind::Choice(&["autologous", "allogeneic"]),
        doc: "autologous (the patient's own T cells; default) or allogeneic (off-the-shelf donor cells: no manufacturing wait, rejected as host T cells recover).",
    },
    Field {
        table: "products",
        name: "platform",
        kind: FieldKind::Choice(&["viral", "mrna"]),
        doc: "viral (integrated CAR, lifelong; default) or mrna (electroporated mRNA: the CAR fades within days and is diluted by division).",
    },
    number(
        "products",
        "dose_cells_per_kg",
        1e4,
        1e10,
        "cells/kg",
        "Dose per infusion in CAR-T cells per kg body weight (Erlangen: 1e6). Give this or dose_cells.",
    ),
    number(
        "products",
        "dose_cells",
        1e5,
        1e12,
        "cells",
        "Flat dose per infusion in CAR-T cells, whatever the weight (must come to 1e4-1e10 cells/kg). Give this or dose_cells_per_kg.",
    ),
    number(
        "products",
        "infusion_day",
        -365.0,
        36_525.0,
        "day",
        "Day of the first infusion (default 0).",
    ),
    integer(
        "products",
        "doses",
        1,
        52,
        "Regular doses, dose_interval_days apart from infusion_day (default 1; mRNA products: e.g. 6 weekly doses).",
    ),
    number(
        "products",
        "dose_interval_days",
        1.0,
        365.0,
        "days",
        "Days between regular doses (default 7).",
    ),
    Field {
        table: "products",
        name: "reinfusion_days",
        kind: FieldKind::NumberList {
            min: -365.0,
            max: 36_525.0,
            unit: "day",
        },
        doc: "Further infusions of the same product (same lot, no new manufacturing) on these days.",
    },
    number(
        "products",
        "cd4_share",
        0.0,
        1.0,
        "fraction",
        "Share of CD4+ cells in the product; the rest are CD8+ (default 0.5, a defined 1:1 product).",
    ),
    Field {
        table: "products",
        name: "phenotype_shares",
        kind: FieldKind::NumberList {
            min: 0.0,
            max: 1.0,
            unit: "fraction",
        },
        doc: "Shares of stem-like, central memory, effector memory and effector cells at infusion; four numbers adding to 1 (default [0.3, 0.4, 0.2, 0.1]).",
    },
    number(
        "products",
        "leukapheresis_day",
        -365.0,
        36_525.0,
        "day",
        "Day the patient's T cells are collected; states that manufacturing is simulated (duration and failure). Autologous products only.",
    ),
    number(
        "products",
        "manufacturing_days_min",
        1.0,
        180.0,
        "days",
        "Shortest leukapheresis-to-release time (default 16, axi-cel).",
    ),
    number(
        "products",
        "manufacturing_days_max",
        1.0,
        180.0,
        "days",
        "Longest leukapheresis-to-release time (default 28, tisa-cel); the duration is uniform between min and max.",
    ),
    number(
        "products",
        "manufacturing_failure_probability",
        0.0,
        1.0,
        "probability",
        "Probability the product fails and is not infused (default 0.028, pooled pivotal trials).",
    ),
    number(
        "bridging",
        "prednisolone_mg_per_day",
        0.0,
        1000.0,
        "mg/day",
        "Bridging glucocorticoid, prednisolone-equivalent dose (damps organ inflammation; activity returns when it stops).",
    ),
    number(
        "bridging",
        "start_day",
        -3_650.0,
        36_525.0,
        "day",
        "First day of bridging (e.g. after leukapheresis).",
    ),
    number(
        "bridging",
        "end_day",
        -3_650.0,
        36_525.0,
        "day",
        "Day bridging stops (e.g. before lymphodepletion); after start_day.",
    ),
    number(
        "vaccinations",
        "day",
        -3_650.0,
        36_525.0,
        "day",
        "Day of the vaccine dose.",
    ),
    Field {
        table: "vaccinations",
        name: "vaccine",
        kind: FieldKind::Choice(&["vaccine_a", "vaccine_b"]),
        doc: "Which vaccine: vaccine_a (measles-like) or vaccine_b (tetanus-like); recalls the memory B cells of that specificity.",
    },
    number(
        "ivig",
        "day",
        -3_650.0,
        36_525.0,
        "day",
        "Day of the IVIG infusion.",
    ),
    number(
        "ivig",
        "dose_g_per_kg",
        0.05,
        2.0,
        "g/kg",
        "IVIG dose (replacement 0.4-0.6 g/kg; immunomodulatory up to 2 g/kg).",
    ),
    integer(
        "sites",
        "blood",
        1,
        4096,
        "Well-mixed sites in blood (default 4).",
    ),
    integer(
        "sites",
        "lymphoid",
        1,
        4096,
        "Well-mixed sites in lymphoid tissue (default 32).",
    ),
    integer(
        "sites",
        "marrow",
        1,
        4096,
        "Well-mixed sites in bone marrow (default 8).",
    ),
    integer(
        "sites",
        "organ",
        1,
        4096,
        "Well-mixed sites in the target organ (default 4).",
    ),
    Field {
        table: "run",
        name: "version",
        kind: FieldKind::Text,
        doc: "immunosim version that wrote this run.toml (informational).",
    },
    integer(
        "run",
        "threads",
        0,
        4096,
        "Threads used by the run that wrote this run.toml (informational: outputs do not depend on it).",
    ),
    Field {
        table: "preset",
        name: "name",
        kind: FieldKind::Text,
        doc: "Name of a preset (preset files only).",
    },
    Field {
        table: "preset",
        name: "description",
        kind: FieldKind::Text,
        doc: "What a preset represents (preset files only).",
    },
    Field {
        table: "preset",
        name: "score_scale",
        kind: FieldKind::Choice(SCORE_SCALES),
        doc: "Clinical scale the activity score mimics, naming its output columns (preset files only; default sledai_like).",
    },
];

/// Every table a file may contain (parameter groups included).
pub fn tables() -> Vec<String> {
    let mut tables: Vec<String> = FIELDS
        .iter()
        .map(|f| f.table.to_string())
        .filter(|t| !ARRAY_TABLES.contains(&t.as_str()))
        .collect();
    tables.push("parameters".into());
    tables.extend(Parameters::GROUPS.iter().map(|g| format!("parameters.{g}")));
    tables.sort();
    tables.dedup();
    tables
}

/// The field `name` of `table`, parameters included.
pub fn field(table: &str, name: &str) -> Option<Field> {
    if let Some(group) = table.strip_prefix("parameters.") {
        return Parameters::spec(group, name).map(|s| Field {
            table: "parameters",
            name: s.name,
            kind: FieldKind::Number {
                min: s.min,
                max: s.max,
                unit: s.unit,
            },
            doc: s.doc,
        });
    }
    FIELDS
        .iter()
        .find(|f| f.table == table && f.name == name)
        .copied()
}

/// Names of the fields and sub-tables of `table`, for suggestions.
pub fn names_in(table: &str) -> Vec<String> {
    let mut names: Vec<String> = if let Some(group) = table.strip_prefix("parameters.") {
        Parameters::catalogue()
            .filter(|s| s.group == group)
            .map(|s| s.name.to_string())
            .collect()
    } else {
        FIELDS
            .iter()
            .filter(|f| f.table == table)
            .map(|f| f.name.to_string())
            .collect()
    };
    // Sub-tables directly below `table` (top-level tables when `table` is empty).
    for t in tables() {
        let rest = if table.is_empty() {
            Some(t.as_str())
        } else {
            t.strip_prefix(&format!("{table}."))
        };
        if let Some(rest) = rest.filter(|r| !r.contains('.')) {
            names.push(rest.to_string());
        }
    }
    if table.is_empty() {
        names.extend(ARRAY_TABLES.iter().map(|t| t.to_string()));
    }
    names.sort();
    names.dedup();
    names
}

/// The closest name to `unknown` among `candidates`, if close enough to suggest.
pub fn suggest(unknown: &str, candidates: &[String]) -> Option<String> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(unknown, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.clone())
}
