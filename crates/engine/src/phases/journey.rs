//! The treatment journey of one step, applied at its start: leukapheresis and
//! manufacturing (a product is released or fails on a drawn day), lymphodepleting
//! chemotherapy (cancelled when no product is left to infuse), infusions (regular doses
//! and re-infusions), bridging, vaccination and IVIG. Each function returns or appends
//! the events it raises, stamped with the step's start boundary.

use crate::config::RunConfig;
use crate::config::Weights;
use crate::recorder::{Event, EventKind};
use crate::rng::{Purpose, StepKey};
use crate::timeline::Timeline;
use crate::world::{CHUNK_ROWS, CellWorld};
use immunosim_model::cell::Kind;
use immunosim_model::compartment::SiteLayout;
use immunosim_model::fields::Fields;
use immunosim_model::interventions::Vaccination;
use immunosim_model::rules::{antigens, infusion, lymphodepletion};
use immunosim_model::{Cell, Draws, Population};
use rayon::prelude::*;

/// Leukapheresis, release and failure events of step `step`.
pub fn manufacturing_events(config: &RunConfig, timeline: &Timeline, step: u64) -> Vec<Event> {
    let mut events = Vec::new();
    for (product, steps) in config.products.iter().zip(&timeline.products) {
        let (Some(m), Some(release)) = (product.manufacturing, steps.release) else {
            continue;
        };
        if steps.leukapheresis == Some(step) {
            events.push(Event::at(
                step,
                timeline,
                EventKind::Leukapheresis,
                format!("{}: T cells collected", product.name),
            ));
        }
        if release.step == Some(step) {
            let (kind, what) = if release.failed {
                (EventKind::ManufacturingFailure, "failed; not infused")
            } else {
                (EventKind::ProductReleased, "released")
            };
            events.push(Event::at(
                step,
                timeline,
                kind,
                format!(
                    "{}: {what} after {:.1} days of manufacturing",
                    product.name,
                    release.day - m.leukapheresis_day
                ),
            ));
        }
    }
    events
}

/// The chemotherapy of step `step`: kills lymphocytes for each day of lymphodepletion
/// that falls in it, or cancels it when no product is left to infuse. The rows are
/// written (and their counts left to be taken afresh, [`CellWorld::cells_mut`]) only
/// when a dose is given.
pub fn chemotherapy(
    world: &mut CellWorld,
    config: &RunConfig,
    timeline: &Timeline,
    step: u64,
    events: &mut Vec<Event>,
) {
    let mut given_in_step = 0;
    for (dose, &dose_step) in config.lymphodepletion.iter().zip(&timeline.chemotherapy) {
        if dose_step != Some(step) {
            continue;
        }
        if !timeline.product_left_to_infuse(step) {
            events.push(Event::at(
                step,
                timeline,
                EventKind::LymphodepletionCancelled,
                "no product left to infuse (manufacturing failed)".into(),
            ));
            continue;
        }
        let key = StepKey::new(config.seed, step, Purpose::Chemotherapy).nth(given_in_step);
        given_in_step += 1;
        let killed: u64 = world
            .cells_mut()
            .par_chunks_mut(CHUNK_ROWS)
            .map(|chunk| {
                let mut killed = 0;
                for cell in chunk.iter_mut().filter(|c| c.is_alive()) {
                    let survive = lymphodepletion::survival_probability(
                        cell.population,
                        dose.fludarabine_mg_per_m2,
                        dose.cyclophosphamide_mg_per_m2,
                        &config.params,
                    );
                    if survive < 1.0 && !key.cell(cell.id.0).chance(survive) {
                        cell.population = Population::Dead;
                        killed += 1;
                    }
                }
                killed
            })
            .sum();
        events.push(Event::at(
            step,
            timeline,
            EventKind::Lymphodepletion,
            format!(
                "fludarabine {} mg/m2, cyclophosphamide {} mg/m2; {killed} agents killed",
                dose.fludarabine_mg_per_m2, dose.cyclophosphamide_mg_per_m2
            ),
        ));
    }
}

/// The CAR-T cells infused in step `step` (products that did not fail), placed in
/// blood sites; ids are given when births are placed.
pub fn infusions(
    config: &RunConfig,
    weights: &Weights,
    timeline: &Timeline,
    layout: &SiteLayout,
    step: u64,
    events: &mut Vec<Event>,
) -> Vec<Cell> {
    let mut infused = Vec::new();
    for (index, (product, steps)) in config.products.iter().zip(&timeline.products).enumerate() {
        if steps.failed() || !steps.infusions.contains(&step) {
            continue;
        }
        let key = StepKey::new(config.seed, step, Purpose::Infusion);
        let dose_cells = product.dose.cells(config.weight_kg);
        let cells = infusion::infused_cells(
            product,
            index,
            dose_cells,
            weights.get(Kind::CarT),
            layout,
            timeline.day_of(step),
            &mut key.cell(index as u64),
        );
        events.push(Event::at(
            step,
            timeline,
            EventKind::Infusion,
            format!(
                "{}: {dose_cells:.3e} CAR-T cells ({} agents)",
                product.name,
                cells.len()
            ),
        ));
        infused.extend(cells);
    }
    infused
}

/// Draws the surface antigens of every living cell, for its current stage, from the
/// cell's own stream: done once, at the first infusion (`StepContext::surface`).
pub fn draw_surfaces(
    cells: &mut [Cell],
    laws: &antigens::SurfaceLaws,
    config: &RunConfig,
    step: u64,
) {
    let key = StepKey::new(config.seed, step, Purpose::Surfaces);
    cells.par_chunks_mut(CHUNK_ROWS).for_each(|chunk| {
        for cell in chunk.iter_mut().filter(|c| c.is_alive()) {
            let mut draws = key.cell(cell.id.0);
            antigens::draw_surface(cell, &config.params, &config.antigens, laws, &mut draws);
        }
    });
}

/// Bridging start and end, vaccine doses and IVIG infusions of step `step`.
pub fn other_interventions(
    fields: &mut Fields,
    config: &RunConfig,
    timeline: &Timeline,
    step: u64,
    events: &mut Vec<Event>,
) {
    if let (Some(b), Some((from, to))) = (config.bridging, timeline.bridging) {
        for (edge, kind) in [
            (from, EventKind::BridgingStart),
            (to, EventKind::BridgingEnd),
        ] {
            if edge == step {
                events.push(Event::at(
                    step,
                    timeline,
                    kind,
                    format!("prednisolone {} mg/day", b.prednisolone_mg_per_day),
                ));
            }
        }
    }
    for (v, &given) in config.vaccinations.iter().zip(&timeline.vaccinations) {
        if let Some(slot) = Vaccination::slot(v.vaccine)
            && given == Some(step)
        {
            fields.vaccinate(slot);
            events.push(Event::at(
                step,
                timeline,
                EventKind::Vaccination,
                Vaccination::VACCINES[slot].0.to_string(),
            ));
        }
    }
    for (dose, &given) in config.ivig.iter().zip(&timeline.ivig) {
        if given == Some(step) {
            let grams = dose.dose_g_per_kg * config.weight_kg;
            fields.infuse_ivig(grams);
            events.push(Event::at(
                step,
                timeline,
                EventKind::Ivig,
                format!("{grams:.1} g ({} g/kg)", dose.dose_g_per_kg),
            ));
        }
    }
}

/// Prednisolone-equivalent dose of bridging in step `step`, mg/day.
pub fn prednisolone_mg_per_day(config: &RunConfig, timeline: &Timeline, step: u64) -> f64 {
    match config.bridging {
        Some(b) if timeline.bridging_in(step) => b.prednisolone_mg_per_day,
        _ => 0.0,
    }
}
