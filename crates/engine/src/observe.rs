//! What a clinician sees: the recorded [`Snapshot`] of a day and the clinical events
//! (autoantibody turning positive or negative, remission, relapse) detected each step.

use crate::recorder::{CarTRow, Event, EventKind, PopulationRow, RecordError, Recorder, Snapshot};
use crate::simulation::Simulation;
use immunosim_model::cell::Kind;
use immunosim_model::{Cell, Compartment, Population, Specificity};

/// Clinical state that events are detected against.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ClinicalState {
    autoantibody_positive: Option<bool>,
    in_remission: Option<bool>,
    ever_in_remission: bool,
}

impl Simulation {
    /// Emits events for changes in the clinical state.
    pub(crate) fn detect_events(&mut self, recorder: &mut dyn Recorder) -> Result<(), RecordError> {
        let serology = self.fields.serology(&self.steady, &self.config.params);
        let day = self.day();
        let positive = serology.autoantibody_positive;
        if self
            .clinical
            .autoantibody_positive
            .is_some_and(|was| was != positive)
        {
            let kind = if positive {
                EventKind::AutoantibodyPositive
            } else {
                EventKind::AutoantibodyNegative
            };
            let auto = serology.igg_mg_per_l[Specificity::Autoantigen.index()];
            recorder.event(&Event {
                day,
                kind,
                detail: format!("autoantibody {auto:.3} mg/L"),
            })?;
        }
        self.clinical.autoantibody_positive = Some(positive);
        let remission = serology.activity_score <= self.config.params.disease.remission_score;
        if self
            .clinical
            .in_remission
            .is_some_and(|was| was != remission)
        {
            let kind = if remission {
                EventKind::Remission
            } else if self.clinical.ever_in_remission {
                EventKind::Relapse
            } else {
                EventKind::Remission
            };
            if remission || self.clinical.ever_in_remission {
                recorder.event(&Event {
                    day,
                    kind,
                    detail: format!("score {:.1}", serology.activity_score),
                })?;
            }
        }
        self.clinical.ever_in_remission |= remission && self.clinical.in_remission.is_some();
        self.clinical.in_remission = Some(remission);
        Ok(())
    }

    /// CAR-T cells in blood by product, phenotype and CD4/CD8 (a pass over the rows:
    /// the census does not split by product), with their share of blood CD3+ cells.
    fn car_t_in_blood(&self, populations: &[PopulationRow], blood_ul: f64) -> Vec<CarTRow> {
        let products = &self.config.products;
        if products.is_empty() {
            return Vec::new();
        }
        let phenotypes: Vec<Population> = Population::LIVING
            .into_iter()
            .filter(|p| p.is_car_t())
            .collect();
        // counts[product][phenotype][cd8]
        let mut counts = vec![vec![[0u64; 2]; phenotypes.len()]; products.len()];
        for cell in self.world.cells() {
            if cell.population.is_car_t() && cell.compartment == Compartment::Blood {
                let k = phenotypes
                    .iter()
                    .position(|&p| p == cell.population)
                    .unwrap_or(0);
                let cd8 = usize::from(cell.flags & Cell::FLAG_CD8 != 0);
                if let Some(row) = counts.get_mut(usize::from(cell.product)) {
                    row[k][cd8] += 1;
                }
            }
        }
        let cd3_per_ul: f64 = populations
            .iter()
            .filter(|r| {
                r.compartment == Compartment::Blood
                    && (r.population.is_t_cell() || r.population.is_car_t())
            })
            .map(|r| r.cells_per_ul)
            .sum();
        let weight = self.config.weight(Kind::CarT);
        let mut rows = Vec::new();
        for (product, by_phenotype) in products.iter().zip(&counts) {
            for (&population, by_subset) in phenotypes.iter().zip(by_phenotype) {
                for (cd8, &agents) in by_subset.iter().enumerate() {
                    let cells_per_ul = agents as f64 * weight / blood_ul;
                    rows.push(CarTRow {
                        product: product.name.clone(),
                        population,
                        cd8: cd8 == 1,
                        agents,
                        cells_per_ul,
                        percent_of_cd3: if cd3_per_ul > 0.0 {
                            100.0 * cells_per_ul / cd3_per_ul
                        } else {
                            0.0
                        },
                    });
                }
            }
        }
        rows
    }

    /// The patient's state now, as recorded.
    pub fn snapshot(&self) -> Snapshot {
        let config = &self.config;
        let scale = config.weight_kg / 70.0;
        let phys = &config.params.physiology;
        let volume_ul = |c: Compartment| match c {
            Compartment::Blood => self.steady.blood_volume_ul,
            Compartment::Lymphoid => phys.lymphoid_volume_ml * 1000.0 * scale,
            Compartment::Marrow => phys.marrow_volume_ml * 1000.0 * scale,
            Compartment::Organ => phys.organ_volume_ml * 1000.0 * scale,
        };
        let mut populations = Vec::with_capacity(Compartment::COUNT * Population::LIVING.len());
        for compartment in Compartment::ALL {
            for population in Population::LIVING {
                let agents = self.census.agents(&self.layout, compartment, population);
                let auto =
                    u64::from(self.census.autoreactive[compartment.index()][population.index()]);
                let cells = agents as f64 * config.weight(population.kind());
                populations.push(PopulationRow {
                    compartment,
                    population,
                    agents,
                    cells,
                    cells_per_ul: cells / volume_ul(compartment),
                    autoreactive_share: if agents > 0 {
                        auto as f64 / agents as f64
                    } else {
                        0.0
                    },
                });
            }
        }
        let car_t = self.car_t_in_blood(&populations, volume_ul(Compartment::Blood));
        Snapshot {
            day: self.day(),
            populations,
            car_t,
            serology: self.fields.serology(&self.steady, &config.params),
            baff_relative: self.fields.baff_relative,
            organ_inflammation: self.fields.organ_inflammation,
            agents: self.census.living(),
            il6_pg_per_ml: self.crs.il6_pg_per_ml,
            crs_grade: self.crs.grade,
            tocilizumab_doses: self.crs.tocilizumab_days.len() as u32,
        }
    }
}
