//! `summary.csv`: one row per patient with the endpoints a clinician or modeller reads
//! first — each measure at baseline (the first recorded day: the untreated patient,
//! on day 0 or on the day before the first intervention when treatment starts before
//! day 0), at the end, its mean, and its drift between the first and last 90 recorded
//! days — and the clinical endpoints of `immunosim-outcomes`.
//!
//! The builder is incremental (running sums, the last 90 days for the drift) so that
//! its state, saved in a checkpoint, does not grow with the length of the run.

use crate::daily::number;
use immunosim_engine::recorder::{Event, Snapshot};
use immunosim_model::{Population, Specificity};
use immunosim_outcomes::Outcomes;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Days at each end of the record compared for drift.
pub const DRIFT_WINDOW_DAYS: f64 = 90.0;

type Measure = (&'static str, fn(&Snapshot) -> f64);

/// The measures summarised, with their column stems (units in names).
pub const MEASURES: &[Measure] = &[
    ("b_cells_blood_per_uL", |s| s.blood_b_cells_per_ul()),
    ("plasmablasts_blood_per_uL", |s| {
        s.per_ul(immunosim_model::Compartment::Blood, Population::Plasmablast)
    }),
    ("plasma_cells", |s| s.total_cells(Population::PlasmaCell)),
    ("total_igg_g_per_L", |s| s.serology.total_igg_g_per_l),
    ("autoantibody_mg_per_L", |s| {
        s.serology.igg_mg_per_l[Specificity::Autoantigen.index()]
    }),
    ("vaccine_a_igg_mg_per_L", |s| {
        s.serology.igg_mg_per_l[Specificity::VaccineA.index()]
    }),
    ("vaccine_b_igg_mg_per_L", |s| {
        s.serology.igg_mg_per_l[Specificity::VaccineB.index()]
    }),
    ("activity_score", |s| s.serology.activity_score),
    ("il6_pg_per_mL", |s| s.il6_pg_per_ml),
];

/// Accumulates recorded days and events into the summary row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryBuilder {
    scenario: String,
    seed: u64,
    score_scale: String,
    /// Recorded days so far.
    recorded: u64,
    first_day: Option<f64>,
    last_day: f64,
    /// Per measure (in [`MEASURES`] order): the first and the last value, and the sum.
    first: Vec<f64>,
    last: Vec<f64>,
    sum: Vec<f64>,
    /// Sums and count of the days in the first drift window.
    early_sum: Vec<f64>,
    early_days: u64,
    /// The days of the last drift window so far, with their values.
    recent: VecDeque<(f64, Vec<f64>)>,
    positive_days: u64,
    final_agents: u64,
    outcomes: Outcomes,
}

impl SummaryBuilder {
    /// A builder for one patient.
    pub fn new(scenario: &str, seed: u64) -> SummaryBuilder {
        // Sums start at -0.0 as `Iterator::sum` does, so a sum is bit for bit the one
        // over the whole record.
        let zeros = vec![-0.0; MEASURES.len()];
        SummaryBuilder {
            scenario: scenario.to_string(),
            seed,
            score_scale: "sledai_like".into(),
            recorded: 0,
            first_day: None,
            last_day: 0.0,
            first: vec![0.0; MEASURES.len()],
            last: vec![0.0; MEASURES.len()],
            sum: zeros.clone(),
            early_sum: zeros,
            early_days: 0,
            recent: VecDeque::new(),
            positive_days: 0,
            final_agents: 0,
            outcomes: Outcomes::new(),
        }
    }

    /// The clinical scale the activity score mimics (`sledai_like` by default,
    /// `mg_adl_like` for myasthenia gravis), written in the `score_scale` column: the
    /// score's columns have the same name in every preset.
    pub fn with_score_scale(mut self, scale: &str) -> SummaryBuilder {
        self.score_scale = scale.to_string();
        self
    }

    /// The endpoint tracker fed by this builder.
    pub fn outcomes(&self) -> &Outcomes {
        &self.outcomes
    }

    /// Adds a recorded day.
    pub fn add(&mut self, s: &Snapshot) {
        let values: Vec<f64> = MEASURES.iter().map(|(_, measure)| measure(s)).collect();
        let first_day = *self.first_day.get_or_insert(s.day);
        if self.recorded == 0 {
            self.first.clone_from(&values);
        }
        self.recorded += 1;
        self.last_day = s.day;
        for (sum, v) in self.sum.iter_mut().zip(&values) {
            *sum += v;
        }
        if s.day <= first_day + DRIFT_WINDOW_DAYS {
            for (sum, v) in self.early_sum.iter_mut().zip(&values) {
                *sum += v;
            }
            self.early_days += 1;
        }
        self.last.clone_from(&values);
        self.recent.push_back((s.day, values));
        while self
            .recent
            .front()
            .is_some_and(|(day, _)| *day < s.day - DRIFT_WINDOW_DAYS)
        {
            self.recent.pop_front();
        }
        self.positive_days += u64::from(s.serology.autoantibody_positive);
        self.final_agents = s.agents;
        self.outcomes.add_snapshot(s);
    }

    /// Adds an event.
    pub fn add_event(&mut self, e: &Event) {
        self.outcomes.add_event(e);
    }

    /// `products.csv`: one row per product (tidy: the same columns whatever the
    /// cocktail) with its own CAR-T Cmax in blood and its day, from day 0; empty fields
    /// where a product was never seen in blood.
    pub fn products_csv(&self) -> String {
        let mut out = String::from("scenario,seed,product,car_t_cmax_per_uL,car_t_tmax_day\n");
        let quote = |f: &str| {
            if f.contains(',') || f.contains('"') {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.to_string()
            }
        };
        for product in self.outcomes.endpoints().product_peaks {
            let (cmax, tmax) = product.peak.map_or((String::new(), String::new()), |p| {
                (number(p.value), number(p.day))
            });
            out.push_str(&format!(
                "{},{},{},{cmax},{tmax}\n",
                quote(&self.scenario),
                self.seed,
                quote(&product.product)
            ));
        }
        out
    }

    /// Relative drift (fraction) of measure `index`: mean of the last
    /// [`DRIFT_WINDOW_DAYS`] recorded over the mean of the first, minus one; 0 when the
    /// first mean is 0 or nothing was recorded.
    pub fn drift(&self, index: usize) -> f64 {
        let early = self.early_sum[index] / self.early_days.max(1) as f64;
        let late = self.recent.iter().map(|(_, v)| v[index]).sum::<f64>()
            / self.recent.len().max(1) as f64;
        if early == 0.0 {
            0.0
        } else {
            late / early - 1.0
        }
    }

    /// The header and the row.
    pub fn to_csv(&self) -> String {
        let endpoints = self.outcomes.endpoints();
        let mut header: Vec<String> = [
            "scenario",
            "seed",
            "score_scale",
            "days_recorded",
            "agents_final",
        ]
        .map(String::from)
        .into();
        let recorded = self.last_day - self.first_day.unwrap_or(0.0);
        let mut row = vec![
            self.scenario.clone(),
            self.seed.to_string(),
            self.score_scale.clone(),
            number(recorded),
            self.final_agents.to_string(),
        ];
        for (i, (stem, _)) in MEASURES.iter().enumerate() {
            let mean = self.sum[i] / self.recorded.max(1) as f64;
            for (suffix, value) in [
                ("baseline", self.first[i]),
                ("final", self.last[i]),
                ("mean", mean),
                ("drift_fraction", self.drift(i)),
            ] {
                header.push(format!("{stem}_{suffix}"));
                row.push(number(value));
            }
        }
        header.extend(
            [
                "autoantibody_positive_fraction",
                "remission_events",
                "relapse_events",
                "crs_grade_max",
                "tocilizumab_doses",
            ]
            .map(String::from),
        );
        let positive = self.positive_days as f64 / self.recorded.max(1) as f64;
        row.extend([
            number(positive),
            endpoints.remission_events.to_string(),
            endpoints.relapse_events.to_string(),
            endpoints.crs_grade_max.to_string(),
            endpoints.tocilizumab_doses.to_string(),
        ]);
        for (name, value) in endpoints.summary_columns() {
            header.push(name.to_string());
            row.push(value.map_or(String::new(), number));
        }
        let quote = |fields: Vec<String>| {
            fields
                .iter()
                .map(|f| {
                    if f.contains(',') || f.contains('"') {
                        format!("\"{}\"", f.replace('"', "\"\""))
                    } else {
                        f.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        format!("{}\n{}\n", quote(header), quote(row))
    }
}
