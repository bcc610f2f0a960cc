//! The treatment journey inside the simulation, applied at the start of the step whose
//! day each event falls in: leukapheresis and manufacturing (a product is released or
//! fails on a drawn day), bridging, lymphodepleting chemotherapy (cancelled when no
//! product is left to infuse), infusions (regular doses and re-infusions), vaccination
//! and IVIG.

use crate::config::{ChemotherapyDay, RunConfig};
use crate::recorder::{Event, EventKind};
use crate::rng::{Purpose, StepKey};
use crate::simulation::Simulation;
use immunosim_model::car::Product;
use immunosim_model::cell::{CAR_EXPRESSION_FULL, Kind};
use immunosim_model::compartment::SiteLayout;
use immunosim_model::crs::CrsAction;
use immunosim_model::interventions::Vaccination;
use immunosim_model::rules::{antigens, lymphodepletion};
use immunosim_model::{Cell, Compartment, Draws, Population};
use rayon::prelude::*;

/// Whether `day` falls in the step starting at `step_day`.
pub fn in_step(day: f64, step_day: f64, dt_days: f64) -> bool {
    day >= step_day - 1e-9 && day < step_day + dt_days - 1e-9
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
    cells
        .par_chunks_mut(crate::simulation::CHUNK_ROWS)
        .for_each(|chunk| {
            for cell in chunk.iter_mut().filter(|c| c.is_alive()) {
                let mut draws = key.cell(cell.id.0);
                antigens::draw_surface(cell, &config.params, &config.antigens, laws, &mut draws);
            }
        });
}

/// Kills lymphocytes for one day of chemotherapy; returns the agents killed.
pub fn apply_chemotherapy(
    cells: &mut [Cell],
    dose: &ChemotherapyDay,
    config: &RunConfig,
    step: u64,
) -> u64 {
    let key = StepKey::new(config.seed, step, Purpose::Chemotherapy);
    cells
        .par_chunks_mut(crate::simulation::CHUNK_ROWS)
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
        .sum()
}

/// What manufacturing did for one product.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ManufacturingOutcome {
    /// Day the product was released, or declared failed.
    pub release_day: f64,
    /// Whether it failed (no infusion).
    pub failed: bool,
}

/// Manufacturing of every product that states it, drawn once per run from the
/// product's own stream: duration uniform in the product's range, then failure with
/// its probability. `None` for products made before the simulation's journey starts
/// (no leukapheresis stated) and for allogeneic products.
pub fn manufacture(config: &RunConfig) -> Vec<Option<ManufacturingOutcome>> {
    let key = StepKey::new(config.seed, 0, Purpose::Manufacturing);
    config
        .products
        .iter()
        .enumerate()
        .map(|(index, product)| {
            product.manufacturing.map(|m| {
                let mut draws = key.cell(index as u64);
                let release_day = m.release_day(draws.uniform());
                let failed = draws.chance(m.failure_probability);
                ManufacturingOutcome {
                    release_day,
                    failed,
                }
            })
        })
        .collect()
}

/// The agents of one infusion of `product` (index `index`), placed in blood sites; ids
/// are given when births are placed.
pub fn infusion(
    product: &Product,
    index: usize,
    config: &RunConfig,
    layout: &SiteLayout,
    step: u64,
    day: f64,
) -> Vec<Cell> {
    let key = StepKey::new(config.seed, step, Purpose::Infusion);
    let mut draws = key.cell(index as u64);
    let real = product.dose.cells(config.weight_kg);
    let expected = real / config.weight(Kind::CarT);
    let agents = expected.floor() as u64 + u64::from(draws.chance(expected.fract()));
    let phenotypes = [
        Population::CarStemLike,
        Population::CarCentralMemory,
        Population::CarEffectorMemory,
        Population::CarEffector,
    ];
    let total: f64 = product.phenotype_shares.iter().sum();
    (0..agents)
        .map(|_| {
            let mut u = draws.uniform() * total;
            let mut population = phenotypes[3];
            for (p, share) in phenotypes.iter().zip(product.phenotype_shares) {
                if u < share {
                    population = *p;
                    break;
                }
                u -= share;
            }
            let cd8 = !draws.chance(product.cd4_share);
            let site = layout.random_site(Compartment::Blood, &mut draws);
            Cell {
                birth_day: day as f32,
                site,
                population,
                compartment: Compartment::Blood,
                product: index as u8,
                flags: if cd8 { Cell::FLAG_CD8 } else { 0 },
                car_expression: CAR_EXPRESSION_FULL,
                ..Cell::default()
            }
        })
        .collect()
}

/// Whether some product, not known by `day` to have failed, still has an infusion on
/// or after `day`: lymphodepletion on `day` is given only then. With no products at
/// all, chemotherapy is given as stated.
pub fn product_left_to_infuse(
    config: &RunConfig,
    manufactured: &[Option<ManufacturingOutcome>],
    day: f64,
) -> bool {
    let dt = config.dt_days;
    config.products.is_empty()
        || config
            .products
            .iter()
            .zip(manufactured)
            .any(|(product, outcome)| {
                let known_failed =
                    outcome.is_some_and(|m| m.failed && m.release_day < day + dt - 1e-9);
                !known_failed && product.infusion_days().iter().any(|&d| d >= day - 1e-9)
            })
}

/// Day of the first intervention actually given (infusion of a product that did not
/// fail, chemotherapy not cancelled, bridging, vaccination, IVIG), if any: the
/// untreated disease is held and the slow pools equilibrated until then. Leukapheresis does not count,
/// so a patient whose only product failed stays exactly as the untreated one.
pub fn first_treatment_day(
    config: &RunConfig,
    manufactured: &[Option<ManufacturingOutcome>],
) -> Option<f64> {
    let infusions = config
        .products
        .iter()
        .zip(manufactured)
        .filter(|(_, outcome)| !outcome.is_some_and(|m| m.failed))
        .flat_map(|(p, _)| p.infusion_days());
    let chemo = config
        .lymphodepletion
        .iter()
        .map(|c| c.day)
        .filter(|&day| product_left_to_infuse(config, manufactured, day));
    let vaccines = config.vaccinations.iter().map(|v| v.day);
    let ivig = config.ivig.iter().map(|d| d.day);
    let bridging = config.bridging.iter().map(|b| b.start_day);
    infusions
        .chain(chemo)
        .chain(vaccines)
        .chain(ivig)
        .chain(bridging)
        .reduce(f64::min)
}

impl Simulation {
    /// The treatment of this step (chemotherapy, infusions, CAR-T encounters), before
    /// the cells are stepped. Returns the infused cells, to be placed with the births.
    pub(crate) fn treat(&mut self) -> (Vec<Cell>, f64) {
        let day = self.day();
        let dt = self.config.dt_days;
        let starts_treatment = first_treatment_day(&self.config, &self.manufactured)
            .is_some_and(|first| in_step(first, day, dt));
        if starts_treatment && !self.equilibrated {
            self.equilibrate_slow_pools();
        }
        self.manufacturing_events(day);
        for index in 0..self.config.lymphodepletion.len() {
            let dose = self.config.lymphodepletion[index];
            if !crate::treatment::in_step(dose.day, day, dt) {
                continue;
            }
            if !self.product_left_to_infuse(dose.day) {
                self.pending_events.push(Event {
                    day,
                    kind: EventKind::LymphodepletionCancelled,
                    detail: "no product left to infuse (manufacturing failed)".into(),
                });
                continue;
            }
            let killed = crate::treatment::apply_chemotherapy(
                self.world.cells_mut(),
                &dose,
                &self.config,
                self.step,
            );
            self.pending_events.push(Event {
                day,
                kind: EventKind::Lymphodepletion,
                detail: format!(
                    "fludarabine {} mg/m2, cyclophosphamide {} mg/m2; {killed} agents killed",
                    dose.fludarabine_mg_per_m2, dose.cyclophosphamide_mg_per_m2
                ),
            });
        }
        let mut infused = Vec::new();
        for (index, product) in self.config.products.iter().enumerate() {
            let failed = self.manufactured[index].is_some_and(|m| m.failed);
            let given = product.infusion_days().iter().any(|&d| in_step(d, day, dt));
            if failed || !given {
                continue;
            }
            let cells = crate::treatment::infusion(
                product,
                index,
                &self.config,
                &self.layout,
                self.step,
                day,
            );
            self.pending_events.push(Event {
                day,
                kind: EventKind::Infusion,
                detail: format!(
                    "{}: {:.3e} CAR-T cells ({} agents)",
                    product.name,
                    product.dose.cells(self.config.weight_kg),
                    cells.len()
                ),
            });
            infused.extend(cells);
        }
        if !infused.is_empty() && !self.surfaces_drawn {
            draw_surfaces(
                self.world.cells_mut(),
                &self.surface_laws,
                &self.config,
                self.step,
            );
            self.surfaces_drawn = true;
        }
        self.other_interventions(day);
        let car_t_alive = self.census.car_t_agents() > 0;
        let mut il6_production = 0.0;
        if car_t_alive {
            let encounters = crate::killing::encounters(
                self.world.cells(),
                &self.census,
                &self.config,
                self.step,
            );
            il6_production =
                crate::killing::il6_production(self.world.cells(), &encounters, &self.config);
            crate::killing::apply(self.world.cells_mut(), &encounters);
        }
        (infused, il6_production)
    }

    /// Leukapheresis, release and failure events of this step.
    fn manufacturing_events(&mut self, day: f64) {
        let dt = self.config.dt_days;
        for (product, outcome) in self.config.products.iter().zip(&self.manufactured) {
            let (Some(m), Some(outcome)) = (product.manufacturing, outcome) else {
                continue;
            };
            if in_step(m.leukapheresis_day, day, dt) {
                self.pending_events.push(Event {
                    day,
                    kind: EventKind::Leukapheresis,
                    detail: format!("{}: T cells collected", product.name),
                });
            }
            if in_step(outcome.release_day, day, dt) {
                let (kind, what) = if outcome.failed {
                    (EventKind::ManufacturingFailure, "failed; not infused")
                } else {
                    (EventKind::ProductReleased, "released")
                };
                self.pending_events.push(Event {
                    day,
                    kind,
                    detail: format!(
                        "{}: {what} after {:.1} days of manufacturing",
                        product.name,
                        outcome.release_day - m.leukapheresis_day
                    ),
                });
            }
        }
    }

    /// Whether chemotherapy on `day` is given (see [`product_left_to_infuse`]).
    fn product_left_to_infuse(&self, day: f64) -> bool {
        product_left_to_infuse(&self.config, &self.manufactured, day)
    }

    /// Bridging start and end, vaccine doses and IVIG infusions of this step.
    fn other_interventions(&mut self, day: f64) {
        let dt = self.config.dt_days;
        if let Some(b) = self.config.bridging {
            for (edge, kind) in [
                (b.start_day, EventKind::BridgingStart),
                (b.end_day, EventKind::BridgingEnd),
            ] {
                if in_step(edge, day, dt) {
                    self.pending_events.push(Event {
                        day,
                        kind,
                        detail: format!("prednisolone {} mg/day", b.prednisolone_mg_per_day),
                    });
                }
            }
        }
        for v in &self.config.vaccinations {
            if let Some(slot) = Vaccination::slot(v.vaccine)
                && in_step(v.day, day, dt)
            {
                self.fields.vaccinate(slot);
                self.pending_events.push(Event {
                    day,
                    kind: EventKind::Vaccination,
                    detail: Vaccination::VACCINES[slot].0.to_string(),
                });
            }
        }
        for dose in &self.config.ivig {
            if in_step(dose.day, day, dt) {
                let grams = dose.dose_g_per_kg * self.config.weight_kg;
                self.fields.infuse_ivig(grams);
                self.pending_events.push(Event {
                    day,
                    kind: EventKind::Ivig,
                    detail: format!("{grams:.1} g ({} g/kg)", dose.dose_g_per_kg),
                });
            }
        }
    }

    /// Advances IL-6 over the step that ended, grades CRS and applies its management,
    /// queueing events for grade changes and every dose.
    pub(crate) fn manage_crs(&mut self, il6_production: f64) {
        // Called before the step counter moves on: the grade is seen at the step's end.
        let day = self.day() + self.config.dt_days;
        let before = self.crs.grade;
        self.crs
            .advance(il6_production, &self.config.params, self.config.dt_days);
        let actions = self
            .crs
            .manage(day, self.config.weight_kg, &self.config.params);
        if self.crs.grade != before {
            self.pending_events.push(Event {
                day,
                kind: EventKind::CrsGrade,
                detail: format!(
                    "grade {} -> {} (IL-6 {:.0} pg/mL)",
                    before, self.crs.grade, self.crs.il6_pg_per_ml
                ),
            });
        }
        for action in actions {
            let (kind, detail) = match action {
                CrsAction::Tocilizumab(mg) => (EventKind::Tocilizumab, format!("{mg:.0} mg")),
                CrsAction::Dexamethasone(mg) => {
                    (EventKind::Dexamethasone, format!("{mg:.0} mg over the day"))
                }
            };
            self.pending_events.push(Event { day, kind, detail });
        }
    }
}
