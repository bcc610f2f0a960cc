//! What a clinician sees: the recorded [`Snapshot`] of a day and the clinical events
//! (autoantibody turning positive or negative, remission, relapse) detected each step.

use crate::recorder::{Event, EventKind, PopulationRow, RecordError, Recorder, Snapshot};
use crate::simulation::Simulation;
use immunosim_model::{Compartment, Population, Specificity};

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
        Snapshot {
            day: self.day(),
            populations,
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
