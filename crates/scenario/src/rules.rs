//! Rules that involve more than one value of a scenario.

use crate::Scenario;
use crate::error::{ErrorKind, ScenarioError};
use crate::validate;
use immunosim_model::car::Logic;

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
    let steps = s.record_every_days / s.time_step_days;
    if (steps - steps.round()).abs() > 1e-9 || steps < 1.0 - 1e-9 {
        fail(
            "scenario.record_every_days",
            format!(
                "= {} must be a whole multiple of scenario.time_step_days = {}",
                s.record_every_days, s.time_step_days
            ),
        );
    }
    let p = &s.params;
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
    for (i, product) in s.products.iter().enumerate() {
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
        if product.infusion_day < -s.burn_in_days - 1e-9 {
            errors.push(checked.error_at(
                checked.span_of_product(i, "infusion_day"),
                &format!("{path}.infusion_day"),
                format!(
                    "= {} is before the simulation starts (day -{} with this burn-in)",
                    product.infusion_day, s.burn_in_days
                ),
                ErrorKind::Inconsistent,
            ));
        }
    }
    for &(day, _, _) in &s.chemotherapy {
        if day < -s.burn_in_days - 1e-9 {
            errors.push(checked.error_at(
                checked.span_of("lymphodepletion.fludarabine_days").or(checked.span_of("lymphodepletion.cyclophosphamide_days")),
                "lymphodepletion",
                format!("chemotherapy on day {day} is before the simulation starts (day -{} with this burn-in)", s.burn_in_days),
                ErrorKind::Inconsistent,
            ));
            break;
        }
    }
    errors
}
