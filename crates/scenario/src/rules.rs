//! Rules that involve more than one value of a scenario.

use crate::Scenario;
use crate::error::{ErrorKind, ScenarioError};
use crate::validate;
use immunosim_model::Antigen;
use immunosim_model::antigen_panel::Stage;
use immunosim_model::car::{Dose, Logic, Product, Source};

/// Largest ratio of B-cell to plasma-cell `cells_per_agent`. An agent that becomes a
/// plasmablast changes kind and is split into `b_cell / plasma_cell` agents (on average;
/// the engine's `config::reweigh`), all made in one step by one chunk of the cell pass,
/// whose births the engine names with 23-bit ordinals (`ids`): 512 per row of a full
/// chunk. Half of that is allowed for the split; the rest covers daughters and new pre-B
/// cells. (The other way round, coarser plasma cells, thins agents and has no bound.)
pub const MAX_B_TO_PLASMA_WEIGHT_RATIO: f64 = 256.0;

/// The message for a day before the burn-in starts.
fn before_start(day: f64, s: &Scenario) -> String {
    format!(
        "= {day} is before the simulation starts (day -{} with this burn-in)",
        s.config.burn_in_days
    )
}

/// Rules that involve more than one value.
pub(crate) fn cross_field_errors(
    s: &Scenario,
    checked: &validate::Checked<'_>,
) -> Vec<ScenarioError> {
    let mut errors = Vec::new();
    let mut fail = |path: &str, message: String| {
        errors.push(checked.error_at(
            checked.span_of(path),
            path,
            message,
            ErrorKind::Inconsistent,
        ));
    };
    let steps = s.config.record_every_days / s.config.dt_days;
    if (steps - steps.round()).abs() > 1e-9 || steps < 1.0 - 1e-9 {
        fail(
            "scenario.record_every_days",
            format!(
                "= {} must be a whole multiple of scenario.time_step_days = {}",
                s.config.record_every_days, s.config.dt_days
            ),
        );
    }
    let p = &s.config.params;
    let ph = &p.physiology;
    let recirculating = ph.blood_share_of_recirculating
        + ph.marrow_share_of_recirculating
        + ph.organ_share_of_recirculating;
    if recirculating >= 1.0 {
        fail(
            "parameters.physiology.blood_share_of_recirculating",
            format!(
                "blood + marrow + organ shares of recirculating cells = {recirculating} (allowed < 1: the rest is lymphoid tissue)"
            ),
        );
    }
    if ph.plasmablast_blood_share + ph.plasmablast_marrow_share >= 1.0 {
        fail(
            "parameters.physiology.plasmablast_marrow_share",
            "plasmablast blood + marrow shares must be < 1".into(),
        );
    }
    let t = &p.t_cells;
    if t.cd4_naive_share + t.tfh_share + t.treg_share >= 1.0 {
        fail(
            "parameters.t_cells.tfh_share",
            format!(
                "cd4_naive_share + tfh_share + treg_share = {} (allowed < 1: the rest is memory CD4)",
                t.cd4_naive_share + t.tfh_share + t.treg_share
            ),
        );
    }
    let b = &p.b_cells;
    if b.transitional_share + b.memory_share >= 1.0 {
        fail(
            "parameters.b_cells.memory_share",
            "transitional_share + memory_share must be < 1 (the rest is naive)".into(),
        );
    }
    if !(b.naive_autoreactive_share <= b.emigrant_autoreactive_share
        && b.emigrant_autoreactive_share <= b.immature_autoreactive_share)
    {
        fail("parameters.b_cells.emigrant_autoreactive_share", "self-reactive shares must not rise through the checkpoints: naive <= emigrant <= immature".into());
    }
    let ps = &p.plasma_cells;
    if ps.vaccine_a_niche_share + ps.vaccine_b_niche_share >= 1.0 {
        fail(
            "parameters.plasma_cells.vaccine_a_niche_share",
            "vaccine niche shares must add to < 1".into(),
        );
    }
    let [b_weight, plasma_weight, ..] = s.config.cells_per_agent;
    if b_weight / plasma_weight > MAX_B_TO_PLASMA_WEIGHT_RATIO {
        // Point at the by-kind value the user wrote (plasma_cell, else b_cell).
        let plasma = "resolution.cells_per_agent_by_kind.plasma_cell";
        let b = "resolution.cells_per_agent_by_kind.b_cell";
        let path = if checked.span_of(plasma).is_some() {
            plasma
        } else {
            b
        };
        errors.push(checked.error_at(
            checked.span_of(path),
            path,
            format!(
                "plasma cells at {plasma_weight} cells per agent are {:.0} times finer than B cells at {b_weight}: every B cell becoming a plasmablast would be split into that many agents in one step (allowed: plasma_cell >= b_cell / {MAX_B_TO_PLASMA_WEIGHT_RATIO} = {})",
                b_weight / plasma_weight,
                b_weight / MAX_B_TO_PLASMA_WEIGHT_RATIO
            ),
            ErrorKind::Inconsistent,
        ));
    }
    errors.extend(antigen_errors(s, checked));
    for (i, product) in s.config.products.iter().enumerate() {
        let path = format!("products[{i}]");
        let logic_path = format!("{path}.logic");
        match (product.construct.logic, product.construct.inhibitory) {
            (Logic::Not, None) => errors.push(checked.error_at(
                checked.span_of_product(i, "logic"),
                &logic_path,
                "= \"not\" needs an `inhibitory` antigen".into(),
                ErrorKind::Inconsistent,
            )),
            (Logic::Or | Logic::And, Some(_)) => errors.push(checked.error_at(
                checked.span_of_product(i, "inhibitory"),
                &format!("{path}.inhibitory"),
                "is only meaningful with logic = \"not\"".into(),
                ErrorKind::Inconsistent,
            )),
            _ => {}
        }
        errors.extend(product_errors(s, checked, i, product));
    }
    for day in s.config.lymphodepletion.iter().map(|d| d.day) {
        if day < -s.config.burn_in_days {
            errors.push(checked.error_at(
                checked.span_of("lymphodepletion.fludarabine_days").or(checked.span_of("lymphodepletion.cyclophosphamide_days")),
                "lymphodepletion",
                format!("chemotherapy on day {day} is before the simulation starts (day -{} with this burn-in)", s.config.burn_in_days),
                ErrorKind::Inconsistent,
            ));
            break;
        }
    }
    let start = -s.config.burn_in_days;
    let late = |array: &str, days: Vec<f64>| -> Vec<ScenarioError> {
        days.iter()
            .enumerate()
            .filter(|(_, day)| **day < start)
            .map(|(i, day)| {
                checked.error_at(
                    checked.span_in_array(array, i, "day"),
                    &format!("{array}[{i}].day"),
                    before_start(*day, s),
                    ErrorKind::Inconsistent,
                )
            })
            .collect()
    };
    errors.extend(late(
        "vaccinations",
        s.config.vaccinations.iter().map(|v| v.day).collect(),
    ));
    errors.extend(late("ivig", s.config.ivig.iter().map(|d| d.day).collect()));
    if let Some(b) = s.config.bridging {
        if b.end_day <= b.start_day {
            errors.push(checked.error_at(
                checked.span_of("bridging.end_day"),
                "bridging.end_day",
                format!(
                    "= {} must be after bridging.start_day = {}",
                    b.end_day, b.start_day
                ),
                ErrorKind::Inconsistent,
            ));
        }
        if b.start_day < start {
            errors.push(checked.error_at(
                checked.span_of("bridging.start_day"),
                "bridging.start_day",
                before_start(b.start_day, s),
                ErrorKind::Inconsistent,
            ));
        }
    }
    errors
}

/// Antigens: every name a product uses is known (the catalogue or the scenario's own
/// `[[antigens]]`), a run uses at most [`Antigen::SLOTS`] of them, and each stated
/// density is a `[mean, SD]` pair.
fn antigen_errors(s: &Scenario, checked: &validate::Checked<'_>) -> Vec<ScenarioError> {
    let mut errors = Vec::new();
    let known: Vec<String> = crate::antigens::known(&s.own_antigens)
        .into_iter()
        .map(|a| a.name)
        .collect();
    for i in 0..s.config.products.len() {
        let Some(product) = checked.array_table("products", i) else {
            continue;
        };
        let targets = product
            .get("targets")
            .and_then(|t| t.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>())
            .unwrap_or_default();
        let inhibitory = product.get("inhibitory").and_then(|v| v.as_str());
        let fields = targets
            .into_iter()
            .map(|n| ("targets", n))
            .chain(inhibitory.map(|n| ("inhibitory", n)));
        for (field, name) in fields {
            if !known.iter().any(|k| k == name) {
                errors.push(checked.error_at(
                    checked.span_of_product(i, field),
                    &format!("products[{i}].{field}"),
                    format!(
                        "unknown antigen \"{name}\" (known antigens: {}; define a new one with an [[antigens]] table)",
                        known.join(", ")
                    ),
                    ErrorKind::UnknownChoice,
                ));
            }
        }
    }
    let distinct = s
        .named_antigens
        .iter()
        .filter(|n| known.contains(n))
        .count();
    if distinct > Antigen::SLOTS {
        errors.push(checked.error_at(
            checked.span_of_product(0, "targets"),
            "products",
            format!(
                "the products name {distinct} antigens ({}); a run holds at most {} per cell",
                s.named_antigens.join(", "),
                Antigen::SLOTS
            ),
            ErrorKind::Inconsistent,
        ));
    }
    for i in 0..s.own_antigens.len() {
        let Some(antigen) = checked.array_table("antigens", i) else {
            continue;
        };
        for stage in Stage::ALL {
            let pair = antigen
                .get(stage.name())
                .and_then(|v| v.as_array())
                .map(|a| a.len());
            if pair.is_some_and(|n| n != 2) {
                errors.push(checked.error_at(
                    checked.span_in_array("antigens", i, stage.name()),
                    &format!("antigens[{i}].{}", stage.name()),
                    "must be [mean, SD] in molecules per cell".into(),
                    ErrorKind::Inconsistent,
                ));
            }
        }
    }
    errors
}

/// Rules within one `[[products]]` table: one dose given and in range per kg, the
/// phenotype mix, manufacturing consistent with the source, and every infusion after
/// the simulation starts and after the product can be released.
fn product_errors(
    s: &Scenario,
    checked: &validate::Checked<'_>,
    i: usize,
    product: &Product,
) -> Vec<ScenarioError> {
    let mut errors = Vec::new();
    let table = checked.array_table("products", i);
    let has = |name: &str| table.is_some_and(|t| t.contains_key(name));
    let mut fail = |name: &str, message: String| {
        errors.push(checked.error_at(
            checked.span_of_product(i, name),
            &format!("products[{i}].{name}"),
            message,
            ErrorKind::Inconsistent,
        ));
    };
    match (has("dose_cells_per_kg"), has("dose_cells")) {
        (true, true) => fail(
            "dose_cells",
            "give either dose_cells_per_kg or dose_cells, not both".into(),
        ),
        (false, false) => fail(
            "dose_cells_per_kg",
            "missing: a product needs a dose (dose_cells_per_kg, or dose_cells for a flat dose)"
                .into(),
        ),
        _ => {}
    }
    if let Dose::Flat(cells) = product.dose {
        let per_kg = cells / s.config.weight_kg;
        if !(1e4..=1e10).contains(&per_kg) {
            fail(
                "dose_cells",
                format!(
                    "= {cells} is {per_kg:.3e} cells/kg for {} kg (allowed 1e4 <= x <= 1e10 cells/kg)",
                    s.config.weight_kg
                ),
            );
        }
    }
    if has("phenotype_shares") {
        let shares = product.phenotype_shares;
        let sum: f64 = shares.iter().sum();
        let given = table
            .and_then(|t| t.get("phenotype_shares"))
            .and_then(|v| v.as_array())
            .map_or(0, |a| a.len());
        if given != 4 || (sum - 1.0).abs() > 1e-6 {
            fail(
                "phenotype_shares",
                format!(
                    "must be four shares (stem-like, central memory, effector memory, effector) adding to 1; found {given} adding to {sum}"
                ),
            );
        }
    }
    let manufacturing_fields = [
        "manufacturing_days_min",
        "manufacturing_days_max",
        "manufacturing_failure_probability",
    ];
    if product.source == Source::Allogeneic && has("leukapheresis_day") {
        fail(
            "leukapheresis_day",
            "an allogeneic product is made from donor cells ahead of time: no leukapheresis or manufacturing wait (remove it, or use source = \"autologous\")".into(),
        );
    } else if product.manufacturing.is_none() {
        for name in manufacturing_fields.iter().filter(|n| has(n)) {
            fail(
                name,
                "needs leukapheresis_day (manufacturing starts from the collected T cells)".into(),
            );
        }
    }
    if let Some(m) = product.manufacturing {
        if m.days_min > m.days_max {
            fail(
                "manufacturing_days_min",
                format!(
                    "= {} is above manufacturing_days_max = {}",
                    m.days_min, m.days_max
                ),
            );
        }
        if m.leukapheresis_day < -s.config.burn_in_days {
            fail("leukapheresis_day", before_start(m.leukapheresis_day, s));
        }
        let first = product.infusion_days().into_iter().reduce(f64::min);
        if let Some(first) = first.filter(|&d| d < m.latest_release_day()) {
            let field = if first < product.infusion_day {
                "reinfusion_days"
            } else {
                "infusion_day"
            };
            fail(
                field,
                format!(
                    "= {first} is before the product is manufactured: leukapheresis on day {} + up to {} days of manufacturing = day {} (infuse on or after day {})",
                    m.leukapheresis_day,
                    m.days_max,
                    m.latest_release_day(),
                    m.latest_release_day()
                ),
            );
        }
    }
    for day in product.infusion_days() {
        if day < -s.config.burn_in_days {
            let field = if day == product.infusion_day {
                "infusion_day"
            } else {
                "reinfusion_days"
            };
            fail(field, before_start(day, s));
            break;
        }
    }
    errors
}
