//! The treatment journey inside the simulation: lymphodepleting chemotherapy and
//! infusion of CAR-T products, applied at the start of the step whose day they fall in.

use crate::config::{ChemotherapyDay, RunConfig};
use crate::recorder::{Event, EventKind};
use crate::rng::{Purpose, StepKey};
use crate::simulation::Simulation;
use immunosim_model::car::Product;
use immunosim_model::cell::Kind;
use immunosim_model::compartment::SiteLayout;
use immunosim_model::crs::CrsAction;
use immunosim_model::rules::lymphodepletion;
use immunosim_model::{Cell, Compartment, Draws, Population};
use rayon::prelude::*;

/// Whether `day` falls in the step starting at `step_day`.
pub fn in_step(day: f64, step_day: f64, dt_days: f64) -> bool {
    day >= step_day - 1e-9 && day < step_day + dt_days - 1e-9
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
    let real = product.dose_cells_per_kg * config.weight_kg;
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
            let site = layout.random_site(Compartment::Blood, &mut draws);
            Cell {
                birth_day: day as f32,
                site,
                population,
                compartment: Compartment::Blood,
                product: index as u8,
                ..Cell::default()
            }
        })
        .collect()
}

impl Simulation {
    /// The treatment of this step (chemotherapy, infusions, CAR-T encounters), before
    /// the cells are stepped. Returns the infused cells, to be placed with the births.
    pub(crate) fn treat(&mut self) -> (Vec<Cell>, f64) {
        let day = self.day();
        let dt = self.config.dt_days;
        let starts_treatment = self
            .config
            .first_treatment_day()
            .is_some_and(|first| crate::treatment::in_step(first, day, dt));
        if starts_treatment && !self.equilibrated {
            self.equilibrate_slow_pools();
        }
        for index in 0..self.config.lymphodepletion.len() {
            let dose = self.config.lymphodepletion[index];
            if crate::treatment::in_step(dose.day, day, dt) {
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
        }
        let mut infused = Vec::new();
        for (index, product) in self.config.products.iter().enumerate() {
            if crate::treatment::in_step(product.infusion_day, day, dt) {
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
                        product.dose_cells_per_kg * self.config.weight_kg,
                        cells.len()
                    ),
                });
                infused.extend(cells);
            }
        }
        let car_t_alive = Population::LIVING
            .iter()
            .any(|&p| p.is_car_t() && self.census.total(p) > 0);
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
