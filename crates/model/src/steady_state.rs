//! The healthy mean-field steady state, and the rates derived from it.
//!
//! The literature gives set points (blood counts, IgG), turnover (division rates,
//! half-lives) and flows (marrow output) but not every death or activation rate. These
//! are derived here so that a healthy patient's expected flows balance exactly at the
//! set points; a simulation initialised from [`SteadyState::initial_counts`] therefore
//! starts without drift. Disease modifiers (checkpoint defect, raised BAFF production,
//! autoantigen) are deliberately left out: rates are properties of cells, and a disease
//! preset must find its own steady state from the same cells (the engine's burn-in).

use crate::cell::{Population, Specificity};
use crate::compartment::Compartment;
use crate::parameters::Parameters;

/// Avogadro's number, 1/mol.
const AVOGADRO_PER_MOL: f64 = 6.022_140_76e23;
/// Molar mass of IgG, g/mol (150 kDa; textbook).
const IGG_MOLAR_MASS_G_PER_MOL: f64 = 150_000.0;
/// Seconds per day.
const SECONDS_PER_DAY: f64 = 86_400.0;
/// Days per year (Julian).
pub const DAYS_PER_YEAR: f64 = 365.25;

/// Derived rates and healthy pool sizes (real cells, not agents) for one patient.
#[derive(Clone, Debug, PartialEq)]
pub struct SteadyState {
    /// Blood volume, µL.
    pub blood_volume_ul: f64,
    /// Plasma volume, L.
    pub plasma_volume_l: f64,
    /// Share of recirculating cells in blood.
    pub blood_share: f64,
    /// Peripheral (recirculating) B pool at the set point: transitional + naive + memory.
    pub peripheral_b_cells: f64,
    /// Pre-B cells in marrow.
    pub precursors: f64,
    /// Pre-B cells made per day (before the central checkpoint).
    pub precursor_production_per_day: f64,
    /// Transitional cells.
    pub transitional: f64,
    /// Naive B cells, of which `naive_autoreactive` are self-reactive.
    pub naive: f64,
    /// Self-reactive naive B cells at the healthy steady state.
    pub naive_autoreactive: f64,
    /// Memory B cells.
    pub memory: f64,
    /// Activated (extrafollicular) B cells.
    pub activated: f64,
    /// Germinal-centre B cells.
    pub germinal_centre: f64,
    /// Plasmablasts.
    pub plasmablasts: f64,
    /// Long-lived plasma cells.
    pub plasma_cells: f64,
    /// Marrow niche capacity, cells.
    pub niche_capacity: f64,
    /// Antibody secreted per cell per day, g.
    pub secretion_g_per_cell_day: f64,
    /// Transitional exit hazard (maturation or death), 1/day.
    pub transitional_exit_rate_per_day: f64,
    /// Probability that a non-self-reactive transitional cell matures at BAFF = 1.
    pub maturation_probability_nonautoreactive: f64,
    /// Probability that the intact central checkpoint deletes a self-reactive precursor.
    pub central_deletion_probability: f64,
    /// Probability that the intact peripheral checkpoint deletes a self-reactive transitional cell.
    pub peripheral_deletion_probability: f64,
    /// Naive B death rate, 1/day.
    pub naive_death_rate_per_day: f64,
    /// Memory B death rate, 1/day.
    pub memory_death_rate_per_day: f64,
    /// Share of an activated B cell's extrafollicular daughters (those not entering a
    /// germinal centre) that return to the memory pool; the rest become plasmablasts.
    pub extrafollicular_memory_share: f64,
    /// Activation hazard of other-specificity memory cells (help included), 1/day.
    pub memory_activation_rate_per_day: f64,
    /// Niche entry hazard of a marrow plasmablast when all niches are free, 1/day.
    pub niche_entry_rate_per_day: f64,
    /// CD4 and CD8 T-cell pools by population.
    pub t_cells: [(Population, f64); 6],
    /// IgG mass in the body at the set point, g.
    pub igg_body_g: f64,
}

impl SteadyState {
    /// Derives the healthy steady state of a patient of `weight_kg`.
    pub fn derive(params: &Parameters, weight_kg: f64) -> SteadyState {
        let phys = &params.physiology;
        let b = &params.b_cells;
        let act = &params.activation;
        let pc = &params.plasma_cells;
        let t = &params.t_cells;

        let blood_volume_ul = weight_kg * phys.blood_volume_ml_per_kg * 1000.0;
        let plasma_volume_l = blood_volume_ul * 1e-6 * (1.0 - phys.hematocrit_fraction);
        let blood_share = phys.blood_share_of_recirculating;

        // B cells: set point, subsets, flows.
        let peripheral = b.blood_b_cells_per_ul * blood_volume_ul / blood_share;
        let transitional = b.transitional_share * peripheral;
        let memory = b.memory_share * peripheral;
        let naive = peripheral - transitional - memory;
        let emigrants_per_day = b.marrow_output_fraction_per_day * peripheral;

        // Checkpoints from the repertoire shares (Wardemann 2003).
        let central =
            deletion_for_shares(b.immature_autoreactive_share, b.emigrant_autoreactive_share);
        let peripheral_del =
            deletion_for_shares(b.emigrant_autoreactive_share, b.naive_autoreactive_share);
        let survive_central = 1.0 - b.immature_autoreactive_share * central;
        let precursor_production = emigrants_per_day / survive_central;
        let precursors = precursor_production * b.precursor_dwell_days;

        let ea = b.emigrant_autoreactive_share;
        let maturation_nonauto =
            (b.maturation_fraction / ((1.0 - ea) + ea * (1.0 - peripheral_del))).min(1.0);
        let inflow_auto = emigrants_per_day * ea * maturation_nonauto * (1.0 - peripheral_del);
        let inflow_other = emigrants_per_day * (1.0 - ea) * maturation_nonauto;

        // Plasma cells from the IgG set point.
        let igg_body_g = pc.igg_g_per_l * plasma_volume_l / phys.igg_intravascular_fraction;
        let clearance_per_day = std::f64::consts::LN_2 / phys.igg_half_life_days;
        let secretion_g = pc.secretion_molecules_per_s * SECONDS_PER_DAY / AVOGADRO_PER_MOL
            * IGG_MOLAR_MASS_G_PER_MOL;
        let secreting = igg_body_g * clearance_per_day / secretion_g;
        let plasmablasts = pc.short_lived_share_of_igg * secreting;
        let plasma_cells = secreting - plasmablasts;
        let niche_capacity = plasma_cells / pc.niche_occupancy;
        let vaccine_share = pc.vaccine_a_niche_share + pc.vaccine_b_niche_share;
        let llpc_loss_per_day = plasma_cells
            * ((1.0 - vaccine_share) * half_life_rate(pc.other_half_life_years)
                + pc.vaccine_a_niche_share * half_life_rate(pc.vaccine_a_half_life_years)
                + pc.vaccine_b_niche_share * half_life_rate(pc.vaccine_b_half_life_years));
        let free = 1.0 - pc.niche_occupancy;
        let niche_entry_rate =
            llpc_loss_per_day / (phys.plasmablast_marrow_share * free * plasmablasts);
        let plasmablast_production =
            plasmablasts / pc.plasmablast_lifespan_days + llpc_loss_per_day;

        // Activation flux that makes those plasmablasts, and the memory yield of a burst.
        // The share of a burst's extrafollicular cells that return to the memory pool
        // is derived (fixed point below) so that resting memory cells die as often as
        // they divide (Macallan's rate) at the set point: an activated memory cell is
        // replaced by the memory its burst yields, directly or through a germinal centre,
        // and a clone that is not activated (vaccine memory) neither grows nor shrinks,
        // whatever the germinal-centre share.
        let burst = 2f64.powf(act.activated_divisions.round());
        let gc = act.germinal_centre_share;
        let vaccine_memory = b.vaccine_a_memory_share + b.vaccine_b_memory_share;
        let memory_other = memory * (1.0 - vaccine_memory);
        let r = act.naive_activation_relative;
        let div_n = b.naive_division_rate_per_day;
        // Plasmablasts made per activation, given the extrafollicular memory share.
        let per_activation_pb = |extrafollicular_memory: f64| {
            burst
                * ((1.0 - gc) * (1.0 - extrafollicular_memory)
                    + gc * (1.0 - act.germinal_centre_memory_share))
        };
        let mut extrafollicular_memory = 0.0;
        let mut flows = naive::NaiveFlows::default();
        for _ in 0..40 {
            let activations_per_day =
                plasmablast_production / per_activation_pb(extrafollicular_memory);
            flows = solve_naive(
                NaiveInflows {
                    auto: inflow_auto,
                    other: inflow_other,
                    naive,
                    division: div_n,
                },
                activations_per_day,
                memory_other,
                r,
            );
            // Memory made per activation that replaces the memory activated:
            // λM·memory_other = activations·yield.
            let replacement = memory_other / (memory_other + r * flows.naive_other);
            let from_gc = gc * act.germinal_centre_memory_share;
            let next = ((replacement / burst - from_gc) / (1.0 - gc).max(1e-9)).clamp(0.0, 1.0);
            let done = (next - extrafollicular_memory).abs() < 1e-12;
            extrafollicular_memory = next;
            if done {
                break;
            }
        }
        let per_activation_memory =
            burst * (gc * act.germinal_centre_memory_share + (1.0 - gc) * extrafollicular_memory);
        let activations_per_day =
            plasmablast_production / per_activation_pb(extrafollicular_memory);
        let naive_death = flows.death;
        let (naive_auto, lambda_m) = (flows.naive_auto, flows.lambda_m);

        let memory_inflow = activations_per_day * per_activation_memory;
        let memory_death = memory_inflow / memory + b.memory_division_rate_per_day
            - lambda_m * memory_other / memory;

        let a_rate = act.activated_division_rate_per_day.max(1e-9);
        let activated = activations_per_day * (burst - 1.0) / a_rate;
        let germinal_centre = activations_per_day * burst * gc * act.germinal_centre_duration_days;

        let cd4 = t.cd4_blood_per_ul * blood_volume_ul / blood_share;
        let cd8 = t.cd8_blood_per_ul * blood_volume_ul / blood_share;
        let cd4_memory_share = 1.0 - t.cd4_naive_share - t.tfh_share - t.treg_share;
        let t_cells = [
            (Population::Cd4Naive, cd4 * t.cd4_naive_share),
            (Population::Cd4Memory, cd4 * cd4_memory_share.max(0.0)),
            (Population::Cd4Tfh, cd4 * t.tfh_share),
            (Population::Cd4Treg, cd4 * t.treg_share),
            (Population::Cd8Naive, cd8 * t.cd8_naive_share),
            (Population::Cd8Memory, cd8 * (1.0 - t.cd8_naive_share)),
        ];

        SteadyState {
            blood_volume_ul,
            plasma_volume_l,
            blood_share,
            peripheral_b_cells: peripheral,
            precursors,
            precursor_production_per_day: precursor_production,
            transitional,
            naive,
            naive_autoreactive: naive_auto,
            memory,
            activated,
            germinal_centre,
            plasmablasts,
            plasma_cells,
            niche_capacity,
            secretion_g_per_cell_day: secretion_g,
            transitional_exit_rate_per_day: emigrants_per_day / transitional,
            maturation_probability_nonautoreactive: maturation_nonauto,
            central_deletion_probability: central,
            peripheral_deletion_probability: peripheral_del,
            naive_death_rate_per_day: naive_death,
            memory_death_rate_per_day: memory_death,
            extrafollicular_memory_share: extrafollicular_memory,
            memory_activation_rate_per_day: lambda_m,
            niche_entry_rate_per_day: niche_entry_rate,
            t_cells,
            igg_body_g,
        }
    }

    /// B cells per µL of blood implied by the pool sizes (recirculating B in blood).
    pub fn blood_b_cells_per_ul(&self) -> f64 {
        self.peripheral_b_cells * self.blood_share / self.blood_volume_ul
    }

    /// Initial real-cell counts by (population, specificity), before compartments.
    pub fn initial_counts(&self, params: &Parameters) -> Vec<(Population, Specificity, f64)> {
        let b = &params.b_cells;
        let pc = &params.plasma_cells;
        let memory_a = self.memory * b.vaccine_a_memory_share;
        let memory_b = self.memory * b.vaccine_b_memory_share;
        let llpc_a = self.plasma_cells * pc.vaccine_a_niche_share;
        let llpc_b = self.plasma_cells * pc.vaccine_b_niche_share;
        let transitional_auto = self.transitional * b.emigrant_autoreactive_share;
        let precursor_auto = self.precursors * b.immature_autoreactive_share;
        let mut counts = vec![
            (
                Population::BPrecursor,
                Specificity::Other,
                self.precursors - precursor_auto,
            ),
            (
                Population::BPrecursor,
                Specificity::Autoantigen,
                precursor_auto,
            ),
            (
                Population::BTransitional,
                Specificity::Other,
                self.transitional - transitional_auto,
            ),
            (
                Population::BTransitional,
                Specificity::Autoantigen,
                transitional_auto,
            ),
            (
                Population::BNaive,
                Specificity::Other,
                self.naive - self.naive_autoreactive,
            ),
            (
                Population::BNaive,
                Specificity::Autoantigen,
                self.naive_autoreactive,
            ),
            (
                Population::BMemory,
                Specificity::Other,
                self.memory - memory_a - memory_b,
            ),
            (Population::BMemory, Specificity::VaccineA, memory_a),
            (Population::BMemory, Specificity::VaccineB, memory_b),
            (Population::BActivated, Specificity::Other, self.activated),
            (
                Population::BGerminalCentre,
                Specificity::Other,
                self.germinal_centre,
            ),
            (
                Population::Plasmablast,
                Specificity::Other,
                self.plasmablasts,
            ),
            (
                Population::PlasmaCell,
                Specificity::Other,
                self.plasma_cells - llpc_a - llpc_b,
            ),
            (Population::PlasmaCell, Specificity::VaccineA, llpc_a),
            (Population::PlasmaCell, Specificity::VaccineB, llpc_b),
        ];
        counts.extend(
            self.t_cells
                .iter()
                .map(|&(p, n)| (p, Specificity::Other, n)),
        );
        if params.tumour.burden_cells > 0.0 {
            counts.push((
                Population::LymphomaB,
                Specificity::Other,
                params.tumour.burden_cells,
            ));
        }
        counts
    }

    /// Stationary compartment shares of a population (blood, lymphoid, marrow, organ).
    pub fn compartment_shares(
        params: &Parameters,
        population: Population,
    ) -> [f64; Compartment::COUNT] {
        let phys = &params.physiology;
        match population {
            Population::BPrecursor | Population::PlasmaCell => [0.0, 0.0, 1.0, 0.0],
            Population::BActivated | Population::BGerminalCentre | Population::LymphomaB => {
                [0.0, 1.0, 0.0, 0.0]
            }
            Population::Plasmablast => {
                let blood = phys.plasmablast_blood_share;
                let marrow = phys.plasmablast_marrow_share;
                [blood, (1.0 - blood - marrow).max(0.0), marrow, 0.0]
            }
            Population::Dead => [0.0; Compartment::COUNT],
            _ => {
                let blood = phys.blood_share_of_recirculating;
                let marrow = phys.marrow_share_of_recirculating;
                let organ = phys.organ_share_of_recirculating;
                [
                    blood,
                    (1.0 - blood - marrow - organ).max(0.0),
                    marrow,
                    organ,
                ]
            }
        }
    }
}

/// Rate (1/day) of a process with the given half-life in years.
pub fn half_life_rate(half_life_years: f64) -> f64 {
    std::f64::consts::LN_2 / (half_life_years * DAYS_PER_YEAR)
}

/// Probability that a checkpoint deletes a self-reactive cell, given the self-reactive
/// share before (`before`) and after (`after`) it, non-self-reactive cells passing:
/// after = before·(1−p) / (1 − before + before·(1−p)).
pub fn deletion_for_shares(before: f64, after: f64) -> f64 {
    if before <= 0.0 || after >= before {
        return 0.0;
    }
    let survive = after * (1.0 - before) / (before * (1.0 - after));
    (1.0 - survive).clamp(0.0, 1.0)
}

mod naive;
use naive::{NaiveInflows, solve_naive};

#[cfg(test)]
mod tests;
