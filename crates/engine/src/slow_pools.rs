//! Slow pools at the end of burn-in.

use crate::rng::{Purpose, StepKey};
use crate::simulation::Simulation;
use immunosim_model::{Compartment, Draws, Population, Specificity};

impl Simulation {
    /// Brings the self-reactive plasma cells in niches to their equilibrium at the end
    /// of burn-in: the flux of self-reactive plasmablasts into niches, measured over the
    /// second half of burn-in, divided by their death rate. A disease preset describes
    /// a patient who has had the disease for years; a burn-in of one year cannot build
    /// a pool that turns over in years, and without this step that pool would keep
    /// growing through the recorded days (drift). Cells are converted from other-
    /// specificity plasma cells, so niche occupancy is unchanged. Deterministic: each
    /// candidate decides with its own stream.
    pub fn equilibrate_slow_pools(&mut self) {
        let config = &self.config;
        self.equilibrated = true;
        let window_steps = self.niche_window_steps;
        if window_steps == 0 {
            return;
        }
        let window_days = window_steps as f64 * config.dt_days;
        let auto = Specificity::Autoantigen;
        let flux_per_day = self.niche_entries[auto.index()] as f64 / window_days;
        let death =
            immunosim_model::rules::plasma_cells::plasma_cell_death_rate_of(auto, &config.params);
        let pc = Population::PlasmaCell.index();
        let current = f64::from(self.census.by_specificity[pc][auto.index()]);
        let others = f64::from(self.census.by_specificity[pc][Specificity::Other.index()]);
        let needed = flux_per_day / death - current;
        if needed <= 0.0 || others <= 0.0 {
            return;
        }
        let p = (needed / others).min(1.0);
        let equilibration = StepKey::new(config.seed, self.step, Purpose::Equilibration);
        let mut converted = 0u32;
        for cell in self.world.cells_mut() {
            if cell.population == Population::PlasmaCell && cell.specificity == Specificity::Other {
                let mut draws = equilibration.cell(cell.id.0);
                if draws.chance(p) {
                    cell.specificity = auto;
                    converted += 1;
                }
            }
        }
        // The converted cells have secreted self-reactive rather than other IgG for
        // years: move their share of the serum pools too, or the titre would climb for
        // months after day 0 (a transient, not biology).
        let cells = f64::from(converted) * config.weight(immunosim_model::cell::Kind::PlasmaCell);
        let clearance = std::f64::consts::LN_2 / config.params.physiology.igg_half_life_days;
        let grams = cells * self.steady.secretion_g_per_cell_day / clearance;
        let other = Specificity::Other.index();
        let moved = grams.min(self.fields.igg_body_g[other]);
        self.fields.igg_body_g[other] -= moved;
        self.fields.igg_body_g[auto.index()] += moved;
        let counts = &mut self.census.by_specificity[pc];
        counts[Specificity::Other.index()] -= converted;
        counts[auto.index()] += converted;
        self.census.autoreactive[Compartment::Marrow.index()][pc] += converted;
    }
}
