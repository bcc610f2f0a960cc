//! What a clinician sees: the recorded [`Snapshot`] of a day and the clinical events
//! (autoantibody turning positive or negative, remission, relapse) detected each step.

use crate::car_rows::CarRows;
use crate::census::Census;
use crate::config::RunConfig;
use crate::recorder::{CarTRow, Event, EventKind, PopulationRow, Snapshot};
use crate::timeline::Timeline;
use immunosim_model::cell::Kind;
use immunosim_model::compartment::SiteLayout;
use immunosim_model::crs::CrsState;
use immunosim_model::fields::Fields;
use immunosim_model::steady_state::SteadyState;
use immunosim_model::{Cell, Compartment, Population, Specificity};

/// Clinical state that events are detected against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClinicalState {
    autoantibody_positive: Option<bool>,
    in_remission: Option<bool>,
    ever_in_remission: bool,
}

/// Events for changes in the clinical state at boundary `step`: the autoantibody test
/// turning positive or negative, remission (score at or below
/// `disease.remission_score`) and relapse after a remission.
pub fn detect(
    clinical: &mut ClinicalState,
    fields: &Fields,
    steady: &SteadyState,
    config: &RunConfig,
    timeline: &Timeline,
    step: u64,
) -> Vec<Event> {
    let mut events = Vec::new();
    let serology = fields.serology(steady, &config.params);
    let positive = serology.autoantibody_positive;
    if clinical
        .autoantibody_positive
        .is_some_and(|was| was != positive)
    {
        let kind = if positive {
            EventKind::AutoantibodyPositive
        } else {
            EventKind::AutoantibodyNegative
        };
        let auto = serology.igg_mg_per_l[Specificity::Autoantigen.index()];
        events.push(Event::at(
            step,
            timeline,
            kind,
            format!("autoantibody {auto:.3} mg/L"),
        ));
    }
    clinical.autoantibody_positive = Some(positive);
    let remission = serology.activity_score <= config.params.disease.remission_score;
    if clinical.in_remission.is_some_and(|was| was != remission) {
        let kind = if remission {
            EventKind::Remission
        } else if clinical.ever_in_remission {
            EventKind::Relapse
        } else {
            EventKind::Remission
        };
        if remission || clinical.ever_in_remission {
            events.push(Event::at(
                step,
                timeline,
                kind,
                format!("score {:.1}", serology.activity_score),
            ));
        }
    }
    clinical.ever_in_remission |= remission && clinical.in_remission.is_some();
    clinical.in_remission = Some(remission);
    events
}

/// What a snapshot reads: the state of one boundary and the run's setup.
pub struct Observed<'a> {
    /// The cell rows.
    pub cells: &'a [Cell],
    /// The CAR-T rows among them, if scanned ([`crate::car_rows`]): the blood
    /// CAR-T cells are counted there instead of in every row.
    pub car_rows: Option<&'a CarRows>,
    /// The census.
    pub census: &'a Census,
    /// The fields.
    pub fields: &'a Fields,
    /// IL-6 and CRS.
    pub crs: &'a CrsState,
    /// The run's configuration.
    pub config: &'a RunConfig,
    /// The healthy steady state.
    pub steady: &'a SteadyState,
    /// Site numbering.
    pub layout: &'a SiteLayout,
    /// The boundary.
    pub step: u64,
    /// Its day.
    pub day: f64,
}

impl Observed<'_> {
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
        // The census says whether any is in blood: from the months after the last one
        // left blood on, the pass over every row would count only zeros.
        let in_blood = populations.iter().any(|r| {
            r.compartment == Compartment::Blood && r.population.is_car_t() && r.agents > 0
        });
        let rows: &[Cell] = match (in_blood, self.car_rows) {
            (false, _) => &[],
            (true, Some(kept)) => kept.cars.cells(),
            (true, None) => self.cells,
        };
        for cell in rows {
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
        let weight = self.census.weights(self.config).get(Kind::CarT);
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
        let config = self.config;
        let scale = config.weight_kg / 70.0;
        let phys = &config.params.physiology;
        let volume_ul = |c: Compartment| match c {
            Compartment::Blood => self.steady.blood_volume_ul,
            Compartment::Lymphoid => phys.lymphoid_volume_ml * 1000.0 * scale,
            Compartment::Marrow => phys.marrow_volume_ml * 1000.0 * scale,
            Compartment::Organ => phys.organ_volume_ml * 1000.0 * scale,
        };
        let weights = self.census.weights(config);
        let mut populations = Vec::with_capacity(Compartment::COUNT * Population::LIVING.len());
        // A patient without lymphoma has no rows of malignant B cells (so the outputs
        // of every other scenario keep their shape).
        let tumour = config.params.tumour.burden_cells > 0.0;
        for compartment in Compartment::ALL {
            for population in Population::LIVING {
                if population.is_tumour() && !tumour {
                    continue;
                }
                let agents = self.census.agents(self.layout, compartment, population);
                let auto =
                    u64::from(self.census.autoreactive[compartment.index()][population.index()]);
                let cells = weights.cells(population, agents as f64, auto as f64);
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
            step: self.step,
            day: self.day,
            populations,
            car_t,
            serology: self.fields.serology(self.steady, &config.params),
            baff_relative: self.fields.baff_relative,
            organ_inflammation: self.fields.organ_inflammation,
            agents: self.census.living(),
            il6_pg_per_ml: self.crs.il6_pg_per_ml,
            crs_grade: self.crs.grade,
            tocilizumab_doses: self.crs.tocilizumab_steps.len() as u32,
        }
    }
}
