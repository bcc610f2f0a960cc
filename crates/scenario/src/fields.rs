//! Every field a scenario may contain outside `[parameters.*]`, one row each: table,
//! name, kind with range and unit, default, doc, and for the single tables where the
//! value lives in the [`Scenario`](crate::Scenario). Validation, reading, `run.toml`
//! and the reference (`docs/scenario.md`) all come from these rows.

use crate::choices::{Preset, RunStatus, ScoreScale};
use crate::row::DefaultValue::{Note, Number, Numbers, Text, Whole};
use crate::row::{Field, Slot};
use immunosim_model::car::{Costimulation, Logic, Platform, Source};
use immunosim_model::interventions::Vaccine;
use immunosim_model::named::Named;

pub mod economics;
pub use economics::{ECONOMICS_FIELDS, ECONOMICS_SOURCES};
mod facility;
pub use facility::*;

/// Default real CAR-T cells per agent: finer than host cells, so that a dose of 1e6/kg
/// in a 70 kg patient (7e7 cells) is 700 agents.
pub const DEFAULT_CAR_T_CELLS_PER_AGENT: f64 = 1e5;

/// Default CAR-T agents above which they are thinned to twice their weight (engine
/// `weights`): the Erlangen expansion would peak near 4.9e5 agents at 1e5 cells per
/// agent; this budget thins the peak and leaves the tail at the finest weight. Lower
/// budgets keep the B-cell return within seed noise but save little and make Cmax
/// noisier (docs/performance.md, with the endpoints against fixed weights).
pub const DEFAULT_CAR_T_AGENT_BUDGET: i64 = 200_000;

/// Share of CD4+ cells in a product when the scenario does not say: a defined 1:1
/// CD4:CD8 composition, as in liso-cel (choice; recalled). Both subsets follow the same
/// kinetics in the model: CD4+ CAR-T cells kill too (Wang et al., JCI Insight 2018;
/// recalled), and the reference gives no per-subset rates.
pub const DEFAULT_CD4_SHARE: f64 = 0.5;

/// Leukapheresis-to-release range when a product states leukapheresis but not the
/// duration, days: axi-cel's 16-17 days to tisa-cel's 21-28 (economics.csv
/// manufacture_time_axicel, manufacture_time_tisacel; recalled company reports).
pub const DEFAULT_MANUFACTURING_DAYS: (f64, f64) = (16.0, 28.0);

/// Manufacturing failure probability when a product states leukapheresis but not the
/// probability: 26 of 926 pooled over the pivotal trials of six autologous products
/// (economics.csv manufacture_failure_rate, derived, 2.8%).
pub const DEFAULT_MANUFACTURING_FAILURE_PROBABILITY: f64 = 0.028;

/// Phenotype shares of an infused product (stem-like, central memory, effector memory,
/// effector): a choice typical of a manufactured autologous product rich in memory
/// phenotypes (Mueller-Schoell 2021 starts most cells as naive/central memory; recalled).
pub const PRODUCT_PHENOTYPE_SHARES: [f64; 4] = [0.3, 0.4, 0.2, 0.1];

/// Day range of scheduled events (the burn-in may start up to 3650 days before day 0;
/// the cross-field rules check a day against the actual burn-in).
const EVENT_DAYS: (f64, f64) = (-3_650.0, 36_525.0);
/// Cells per agent, any kind.
const WEIGHTS: (f64, f64) = (1.0, 1e12);
/// Sites per compartment.
const SITES: (i64, i64) = (1, 4096);
/// Molecules per cell of an antigen density.
const DENSITY: (f64, f64) = (0.0, 1e6);

/// The fields of the single tables (`[scenario]`, `[patient]`, `[resolution]`,
/// `[sites]`), in the order `run.toml` lists them. A later row may override an earlier
/// one (`cells_per_agent_by_kind` after `cells_per_agent`).
// A table is easier to read one row to a field than in rustfmt's one argument a line.
#[rustfmt::skip]
pub const RUN_FIELDS: &[Field] = &[
    Field::text("scenario", "name", "Short name of the scenario; names the default output folder.")
        .or(Note("the file name"))
        .slot(Slot::Text(|s| &s.name, |s, v| s.name = v.into())),
    Field::text("scenario", "description", "One line saying what the scenario is for.")
        .or(Text(""))
        .slot(Slot::Text(|s| &s.description, |s, v| s.description = v.into())),
    Field::choice("scenario", "preset", Preset::NAMES, "Disease preset whose parameters the scenario starts from.")
        .or(Text("healthy"))
        .slot(Slot::Text(|s| &s.preset, |s, v| s.preset = v.into())),
    Field::number("scenario", "days", 1.0, 36_525.0, "days", "Days recorded from day 0 (`--days` overrides it).")
        .or(Number(730.0))
        .slot(Slot::Number(|s| s.config.days, |s, v| s.config.days = v)),
    Field::number("scenario", "burn_in_days", 0.0, 3_650.0, "days", "Days simulated before day 0 to reach the untreated steady state (not recorded).")
        .or(Number(365.0))
        .slot(Slot::Number(|s| s.config.burn_in_days, |s, v| s.config.burn_in_days = v)),
    Field::integer("scenario", "seed", 0, i64::MAX, "Run seed (`--seed` overrides it).")
        .or(Whole(1))
        .slot(Slot::Whole(|s| s.config.seed, |s, v| s.config.seed = v)),
    Field::number("scenario", "time_step_days", 0.05, 1.0, "days", "Step length.")
        .or(Number(1.0))
        .slot(Slot::Number(|s| s.config.dt_days, |s, v| s.config.dt_days = v)),
    Field::number("scenario", "record_every_days", 0.05, 365.0, "days", "Interval between recorded days; a whole multiple of the step.")
        .or(Number(1.0))
        .slot(Slot::Number(|s| s.config.record_every_days, |s, v| s.config.record_every_days = v)),
    Field::number("patient", "weight_kg", 20.0, 250.0, "kg", "Body weight; pool sizes and volumes scale with it.")
        .or(Number(70.0))
        .slot(Slot::Number(|s| s.config.weight_kg, |s, v| s.config.weight_kg = v)),
    Field::number("patient", "height_cm", 100.0, 230.0, "cm", "Height, for body surface area (chemotherapy doses).")
        .or(Number(170.0))
        .slot(Slot::Number(|s| s.config.height_cm, |s, v| s.config.height_cm = v)),
    Field::number("patient", "entry_score", 4.0, 60.0, "points", "Disease-activity score at entry (SLEDAI-2K-like), held through the burn-in: it sets the points of the involved organs (`disease.organ_max_points`) and leaves the fitted immune loop alone. Needs a disease preset.")
        .or(Note("the preset's: 16 in SLE (the Erlangen median)"))
        .slot(Slot::NumberIn(|s, v| s.entry_score = Some(v))),
    Field::boolean("patient", "nephritis", "Lupus nephritis: the renal items (16 SLEDAI-2K points) follow renal activity, which resolves over months (`disease.renal_resolution_days`), instead of the weeks of the other organ items; sets `disease.renal_share_of_organ_points`.")
        .or(crate::row::DefaultValue::Bool(false)),
    Field::number("resolution", "cells_per_agent", WEIGHTS.0, WEIGHTS.1, "cells", "Real cells each B-lineage and T-cell agent stands for (5e5: ~1.2 million agents); `run.toml` lists the per-kind values instead.")
        .or(Number(5e5))
        .slot(Slot::NumberIn(|s, v| s.config.cells_per_agent[..3].fill(v))),
    Field::number("resolution", "self_reactive_cells_per_agent", WEIGHTS.0, WEIGHTS.1, "cells", "Most cells per agent for the self-reactive B lineage (transitional, naive, memory, activated and germinal-centre B cells, plasmablasts, plasma cells), whatever the host's weight (never coarser than their kind's, at most 256 times finer): the disease keeps the default's resolution, and converges, at a coarse host weight (docs/model.md §2).")
        .or(Number(immunosim_engine::config::DEFAULT_SELF_REACTIVE_CELLS_PER_AGENT))
        .slot(Slot::Number(|s| s.config.self_reactive_cells_per_agent, |s, v| s.config.self_reactive_cells_per_agent = v)),
    Field::integer("resolution", "car_t_agent_budget", 0, 1_000_000_000, "Most CAR-T agents before they are thinned: above it each agent is kept with probability 1/2 at twice the weight, below 0.4 of it they are split back towards `car_t`'s weight (expectation-preserving; docs/performance.md). 0 keeps the weight fixed.")
        .or(Whole(DEFAULT_CAR_T_AGENT_BUDGET))
        .slot(Slot::Whole(|s| s.config.car_t_agent_budget, |s, v| s.config.car_t_agent_budget = v)),
    Field::number("resolution.cells_per_agent_by_kind", "b_cell", WEIGHTS.0, WEIGHTS.1, "cells", "Cells per agent for B-lineage cells before they become plasmablasts.")
        .or(Note("resolution.cells_per_agent"))
        .slot(Slot::Number(|s| s.config.cells_per_agent[0], |s, v| s.config.cells_per_agent[0] = v)),
    Field::number("resolution.cells_per_agent_by_kind", "plasma_cell", WEIGHTS.0, WEIGHTS.1, "cells", "Cells per agent for plasmablasts and plasma cells (at least b_cell / 256).")
        .or(Note("resolution.cells_per_agent"))
        .slot(Slot::Number(|s| s.config.cells_per_agent[1], |s, v| s.config.cells_per_agent[1] = v)),
    Field::number("resolution.cells_per_agent_by_kind", "t_cell", WEIGHTS.0, WEIGHTS.1, "cells", "Cells per agent for T cells.")
        .or(Note("resolution.cells_per_agent"))
        .slot(Slot::Number(|s| s.config.cells_per_agent[2], |s, v| s.config.cells_per_agent[2] = v)),
    Field::number("resolution.cells_per_agent_by_kind", "car_t", WEIGHTS.0, WEIGHTS.1, "cells", "Cells per agent for CAR-T cells (finer than host cells: an infusion of 7e7 cells is 700 agents).")
        .or(Number(DEFAULT_CAR_T_CELLS_PER_AGENT))
        .slot(Slot::Number(|s| s.config.cells_per_agent[3], |s, v| s.config.cells_per_agent[3] = v)),
    Field::integer("sites", "blood", SITES.0, SITES.1, "Well-mixed sites in blood.")
        .or(Whole(4))
        .slot(Slot::Whole(|s| s.config.sites[0].into(), |s, v| s.config.sites[0] = v as u16)),
    Field::integer("sites", "lymphoid", SITES.0, SITES.1, "Well-mixed sites in lymphoid tissue.")
        .or(Whole(32))
        .slot(Slot::Whole(|s| s.config.sites[1].into(), |s, v| s.config.sites[1] = v as u16)),
    Field::integer("sites", "marrow", SITES.0, SITES.1, "Well-mixed sites in bone marrow.")
        .or(Whole(8))
        .slot(Slot::Whole(|s| s.config.sites[2].into(), |s, v| s.config.sites[2] = v as u16)),
    Field::integer("sites", "organ", SITES.0, SITES.1, "Well-mixed sites in the target organ.")
        .or(Whole(4))
        .slot(Slot::Whole(|s| s.config.sites[3].into(), |s, v| s.config.sites[3] = v as u16)),
];

/// The fields of treatments and antigens, and the informational tables.
#[rustfmt::skip]
pub const OTHER_FIELDS: &[Field] = &[
    Field::number("lymphodepletion", "fludarabine_mg_per_m2_per_day", 0.0, 50.0, "mg/m2/day", "Fludarabine dose on each fludarabine day (Erlangen: 25).")
        .or(Number(0.0)),
    Field::numbers("lymphodepletion", "fludarabine_days", -60.0, 36_525.0, "day", "Days fludarabine is given (Erlangen: [-5, -4, -3]).")
        .or(Numbers(&[])),
    Field::number("lymphodepletion", "cyclophosphamide_mg_per_m2_per_day", 0.0, 3000.0, "mg/m2/day", "Cyclophosphamide dose on each cyclophosphamide day (Erlangen: 1000).")
        .or(Number(0.0)),
    Field::numbers("lymphodepletion", "cyclophosphamide_days", -60.0, 36_525.0, "day", "Days cyclophosphamide is given (Erlangen: [-3]).")
        .or(Numbers(&[])),
    Field::text("antigens", "name", "Name of a new antigen (or of a catalogue antigen to redefine), as products name it.")
        .or(Note("required")),
    Field::numbers("antigens", "b_precursor", DENSITY.0, DENSITY.1, "molecules/cell", "[mean, SD] molecules per pre-B cell (log-normal).")
        .or(Note("absent")),
    Field::numbers("antigens", "b_cell", DENSITY.0, DENSITY.1, "molecules/cell", "[mean, SD] molecules per transitional or naive B cell (and per memory, activated or GC B cell where those are left out).")
        .or(Note("absent")),
    Field::numbers("antigens", "memory_b", DENSITY.0, DENSITY.1, "molecules/cell", "[mean, SD] molecules per memory B cell.")
        .or(Note("b_cell")),
    Field::numbers("antigens", "activated_b", DENSITY.0, DENSITY.1, "molecules/cell", "[mean, SD] molecules per activated or germinal-centre B cell (the plasmablast precursors).")
        .or(Note("b_cell")),
    Field::numbers("antigens", "plasmablast", DENSITY.0, DENSITY.1, "molecules/cell", "[mean, SD] molecules per plasmablast.")
        .or(Note("absent")),
    Field::numbers("antigens", "plasma_cell", DENSITY.0, DENSITY.1, "molecules/cell", "[mean, SD] molecules per long-lived plasma cell.")
        .or(Note("absent")),
    Field::boolean("antigens", "lost_by_mature_plasma_cells", "Absent on the CD19-negative subset of long-lived plasma cells (as CD19 is).")
        .or(crate::row::DefaultValue::Bool(false)),
    Field::text("antigens", "source", "Where the densities come from.").or(Text("")),
    Field::text("products", "name", "Product name.").or(Note("product_N, N from 1 in file order")),
    Field::antigens("products", "targets", "Antigens the CAR binds, e.g. [\"CD19\"] or [\"BCMA\", \"CD19\"].")
        .or(Note("required")),
    Field::choice("products", "logic", Logic::NAMES, "How binders combine: or (tandem/compound), and (split signal), not (inhibitory CAR).")
        .or(Text("or")),
    Field::text("products", "inhibitory", "The inhibitory antigen of a `not` construct.").or(Note("none")),
    Field::choice("products", "source", Source::NAMES, "autologous (the patient's own T cells) or allogeneic (off-the-shelf donor cells: no manufacturing wait, rejected as host T cells recover).")
        .or(Text("autologous")),
    Field::choice("products", "platform", Platform::NAMES, "viral (integrated CAR, lifelong) or mrna (electroporated mRNA: the CAR fades within days and is diluted by division).")
        .or(Text("viral")),
    Field::choice("products", "costimulatory_domain", Costimulation::NAMES, "The CAR's costimulatory domain: 4-1bb (tisa-cel, liso-cel, ide-cel, cilta-cel, MB-CART19.1) or cd28 (axi-cel, brexu-cel: more cytokine release per engagement, crs.cd28_il6_relative, and a division destiny, car_t.cd28_effector_division_limit and car_t.cd28_memory_division_limit).")
        .or(Text("4-1bb")),
    Field::number("products", "dose_cells_per_kg", 1e4, 1e10, "cells/kg", "Dose per infusion in CAR-T cells per kg body weight (Erlangen: 1e6). Give this or dose_cells.")
        .or(Note("required unless dose_cells")),
    Field::number("products", "dose_cells", 1e5, 1e12, "cells", "Flat dose per infusion in CAR-T cells, whatever the weight (must come to 1e4-1e10 cells/kg). Give this or dose_cells_per_kg.")
        .or(Note("required unless dose_cells_per_kg")),
    Field::number("products", "infusion_day", -365.0, 36_525.0, "day", "Day of the first infusion.").or(Number(0.0)),
    Field::integer("products", "doses", 1, 52, "Regular doses, dose_interval_days apart from infusion_day (mRNA products: e.g. 6 weekly doses).")
        .or(Whole(1)),
    Field::number("products", "dose_interval_days", 1.0, 365.0, "days", "Days between regular doses.").or(Number(7.0)),
    Field::numbers("products", "reinfusion_days", -365.0, 36_525.0, "day", "Further infusions of the same product (same lot, no new manufacturing) on these days.")
        .or(Numbers(&[])),
    Field::number("products", "cd4_share", 0.0, 1.0, "fraction", "Share of CD4+ cells in the product; the rest are CD8+ (the default is a defined 1:1 product).")
        .or(Number(DEFAULT_CD4_SHARE)),
    Field::numbers("products", "phenotype_shares", 0.0, 1.0, "fraction", "Shares of stem-like, central memory, effector memory and effector cells at infusion; four numbers adding to 1.")
        .or(Numbers(&PRODUCT_PHENOTYPE_SHARES)),
    Field::number("products", "activation_threshold_molecules", 1.0, 1e6, "molecules/cell", "Antigen density at which this product's binders give half-maximal activation: a binder of higher avidity fires at less antigen (a humanised BCMA CAR lysed targets from ~100 BCMA molecules, Bluhm et al., Mol Ther 2018;26:1906, abstract).")
        .or(Note("the catalogue's car_t.activation_threshold_molecules")),
    Field::number("products", "leukapheresis_day", -365.0, 36_525.0, "day", "Day the patient's T cells are collected; states that manufacturing is simulated (duration and failure). Autologous products only.")
        .or(Note("none: no manufacturing")),
    Field::number("products", "manufacturing_days_min", 1.0, 180.0, "days", "Shortest leukapheresis-to-release time (default: axi-cel).")
        .or(Number(DEFAULT_MANUFACTURING_DAYS.0)),
    Field::number("products", "manufacturing_days_max", 1.0, 180.0, "days", "Longest leukapheresis-to-release time (default: tisa-cel); the duration is uniform between min and max.")
        .or(Number(DEFAULT_MANUFACTURING_DAYS.1)),
    Field::number("products", "manufacturing_failure_probability", 0.0, 1.0, "probability", "Probability the product fails and is not infused (default: pooled pivotal trials).")
        .or(Number(DEFAULT_MANUFACTURING_FAILURE_PROBABILITY)),
    Field::number("bridging", "prednisolone_mg_per_day", 0.0, 1000.0, "mg/day", "Bridging glucocorticoid, prednisolone-equivalent dose (damps organ inflammation; activity returns when it stops).")
        .or(Note("required in [bridging]")),
    Field::number("bridging", "start_day", EVENT_DAYS.0, EVENT_DAYS.1, "day", "First day of bridging (e.g. after leukapheresis).")
        .or(Note("required in [bridging]")),
    Field::number("bridging", "end_day", EVENT_DAYS.0, EVENT_DAYS.1, "day", "Day bridging stops (e.g. before lymphodepletion); after start_day.")
        .or(Note("required in [bridging]")),
    Field::number("vaccinations", "day", EVENT_DAYS.0, EVENT_DAYS.1, "day", "Day of the vaccine dose.").or(Note("required")),
    Field::choice("vaccinations", "vaccine", Vaccine::NAMES, "Which vaccine: vaccine_a (measles-like) or vaccine_b (tetanus-like); recalls the memory B cells of that specificity.")
        .or(Note("required")),
    Field::number("ivig", "day", EVENT_DAYS.0, EVENT_DAYS.1, "day", "Day of the IVIG infusion.").or(Note("required")),
    Field::number("ivig", "dose_g_per_kg", 0.05, 2.0, "g/kg", "IVIG dose (replacement 0.4-0.6 g/kg; immunomodulatory up to 2 g/kg).")
        .or(Note("required")),
    Field::text("run", "version", "immunosim version that wrote this run.toml (informational, ignored when read).")
        .or(Note("none")),
    Field::integer("run", "threads", 0, 4096, "Threads used by the run that wrote this run.toml (informational: outputs do not depend on it).")
        .or(Note("none")),
    Field::choice("run", "status", RunStatus::NAMES, "Whether the run that wrote this run.toml was running, finished or interrupted when it last wrote it (informational).")
        .or(Note("none")),
    Field::text("run", "commit", "Git commit of the source the immunosim binary was built from, with `-dirty` if it had uncommitted changes, or `unknown` (a build outside git) (informational).")
        .or(Note("none")),
    Field::text("run", "command", "The command line of the run (informational).")
        .or(Note("none")),
    Field::text("run", "started", "When the run (or its last resume) started, UTC, RFC 3339 (informational: the only wall-clock time immunosim writes).")
        .or(Note("none")),
    Field::text("preset", "name", "Name of a preset (preset files only).").or(Note("none")),
    Field::text("preset", "description", "What a preset represents (preset files only).").or(Note("none")),
    Field::choice("preset", "score_scale", ScoreScale::NAMES, "Clinical scale the activity score mimics, naming its output columns (preset files only).")
        .or(Text("sledai_like")),
];

/// The distributions a `[[variability]]` row may give.
pub const DISTRIBUTIONS: &[&str] = &["lognormal", "normal", "uniform", "levels"];

/// Any value of a target, in the target's own unit (the target's range is checked
/// once the target is known).
const ANY: (f64, f64) = (-1e15, 1e15);

/// The fields of cohort files (`immunosim cohort`): the cohort's size, what varies
/// between patients, and the treatment arms given to every patient. A scenario run on
/// its own may not contain them.
#[rustfmt::skip]
pub const COHORT_FIELDS: &[Field] = &[
    Field::integer("cohort", "patients", 1, 1_000_000, "Virtual patients (`--patients` overrides it). Patient k's draws depend only on the seed and k.")
        .or(Whole(30)),
    Field::text("variability", "target", "What varies: `parameters.GROUP.NAME` (any catalogue parameter), `patient.NAME` (a covariate: weight_kg, height_cm, ...) or `products.NAME` (dose_cells_per_kg, dose_cells, cd4_share, manufacturing_days, manufacturing_days_min, manufacturing_days_max, manufacturing_failure_probability).")
        .or(Note("required")),
    Field::choice("variability", "distribution", DISTRIBUTIONS, "lognormal (by cv or omega2, around median), normal (sd around mean), uniform (min to max) or levels (one of a list, equally likely).")
        .or(Note("required")),
    Field::number("variability", "cv", 0.0, 20.0, "fraction", "Log-normal coefficient of variation: omega2 = ln(1 + cv^2). Give this or omega2.")
        .or(Note("omega2")),
    Field::number("variability", "omega2", 0.0, 20.0, "log variance", "Variance of ln(value) of a log-normal (NONMEM omega^2, e.g. Stein 2019's 0.65 for Cmax). Give this or cv.")
        .or(Note("cv")),
    Field::number("variability", "median", ANY.0, ANY.1, "target's unit", "Median of a log-normal.")
        .or(Note("the scenario's value")),
    Field::number("variability", "mean", ANY.0, ANY.1, "target's unit", "Mean of a normal.")
        .or(Note("the scenario's value")),
    Field::number("variability", "sd", 0.0, ANY.1, "target's unit", "Standard deviation of a normal.")
        .or(Note("required for normal")),
    Field::number("variability", "min", ANY.0, ANY.1, "target's unit", "Lower end of a uniform.")
        .or(Note("required for uniform")),
    Field::number("variability", "max", ANY.0, ANY.1, "target's unit", "Upper end of a uniform.")
        .or(Note("required for uniform")),
    Field::numbers("variability", "levels", ANY.0, ANY.1, "target's unit", "The values of a levels distribution (e.g. dose levels).")
        .or(Note("required for levels")),
    Field::number("variability", "lower", ANY.0, ANY.1, "target's unit", "Truncation: draws below are redrawn.")
        .or(Note("the target's smallest allowed value")),
    Field::number("variability", "upper", ANY.0, ANY.1, "target's unit", "Truncation: draws above are redrawn.")
        .or(Note("the target's largest allowed value")),
    Field::text("variability", "product", "For a `products.*` target: only the product of this name (in every arm that has it).")
        .or(Note("every product")),
    Field::text("variability", "source", "Where the distribution comes from.")
        .or(Text("")),
    Field::text("correlations", "first", "A gaussian (lognormal or normal) `[[variability]]` target of a `parameters.*` or `patient.*` row.")
        .or(Note("required")),
    Field::text("correlations", "second", "Another such target.")
        .or(Note("required")),
    Field::number("correlations", "rho", -0.99, 0.99, "correlation", "Correlation of the two targets' normal deviates (of ln(value) for a log-normal).")
        .or(Note("required")),
    Field::text("correlations", "source", "Where the correlation comes from.")
        .or(Text("")),
    Field::text("arms", "name", "Arm name (letters, digits, `_`, `-`): names the arm in every cohort output and in `immunosim run --arm`.")
        .or(Note("required")),
    Field::text("arms", "description", "What the arm gives.")
        .or(Text("")),
];
