//! The carried row counts ([`crate::row_census`]) in a whole treated run: equal to a
//! fresh count of the rows after every step, through equilibration, lymphodepletion,
//! the infusion, CAR-T killing, resampling and a checkpoint resume; and the census drawn
//! from them agrees with the rows wherever positions are explicit.

use crate::checkpoint::{decode, encode};
use crate::config::{ChemotherapyDay, RunConfig};
use crate::recorder::{EventKind, MemoryRecorder};
use crate::simulation::Simulation;
use crate::test_fixtures::cd19_panel;
use immunosim_model::car::{Dose, Product};
use immunosim_model::{Population, Specificity};

/// A coarse SLE patient with one-day steps (so that positions are implicit where the
/// model allows it), Flu/Cy on days -5 to -3 and a CD19-like product on day 0, with a
/// CAR-T budget small enough that the expansion is thinned.
fn erlangen_like() -> RunConfig {
    let mut config = RunConfig {
        cells_per_agent: [2e7, 2e7, 2e7, 1e5],
        car_t_agent_budget: 3_000,
        burn_in_days: 8.0,
        days: 24.0,
        dt_days: 1.0,
        antigens: cd19_panel(),
        lymphodepletion: (3..=5)
            .map(|d| ChemotherapyDay {
                day: -f64::from(d),
                fludarabine_mg_per_m2: 25.0,
                cyclophosphamide_mg_per_m2: 1000.0,
            })
            .collect(),
        ..RunConfig::default()
    };
    config.products.push(Product::cd19_4_1bb(Dose::PerKg(1e6)));
    config
}

/// Checks the state after a step: the carried counts are there and equal a fresh
/// count; the census totals by specificity equal the rows'; and where positions are
/// always explicit (CAR-T cells, plasma cells, B-cell precursors and activated,
/// germinal-centre and plasmablast stages), the census by site and its self-reactive
/// counts equal the rows'.
fn check(sim: &Simulation) {
    let world = &sim.state().world;
    assert!(world.carries_counts(), "step {}", sim.steps_taken());
    assert!(world.counts_match_rows(), "step {}", sim.steps_taken());
    let census = sim.census();
    let sites = census.by_site.len();
    let mut by_site = vec![[0u32; Population::COUNT]; sites];
    let mut by_specificity = [[0u32; Specificity::COUNT]; Population::COUNT];
    let mut autoreactive = census.autoreactive;
    autoreactive.fill([0; Population::COUNT]);
    for cell in sim.cells().iter().filter(|c| c.is_alive()) {
        let p = cell.population.index();
        by_site[usize::from(cell.site)][p] += 1;
        by_specificity[p][cell.specificity.index()] += 1;
        if cell.specificity == Specificity::Autoantigen {
            autoreactive[cell.compartment.index()][p] += 1;
        }
    }
    assert_eq!(census.by_specificity, by_specificity);
    let explicit = Population::LIVING.into_iter().filter(|&p| {
        p.is_car_t()
            || matches!(
                p,
                Population::PlasmaCell
                    | Population::BPrecursor
                    | Population::BActivated
                    | Population::BGerminalCentre
            )
    });
    for population in explicit {
        let p = population.index();
        for (site, counts) in by_site.iter().enumerate() {
            assert_eq!(
                census.by_site[site][p], counts[p],
                "{population:?} in site {site}"
            );
        }
        for (c, counts) in autoreactive.iter().enumerate() {
            assert_eq!(
                census.autoreactive[c][p], counts[p],
                "{population:?} in {c}"
            );
        }
    }
}

#[test]
fn carried_counts_equal_the_rows_after_every_step_of_a_treated_run_and_a_resume() {
    let config = erlangen_like();
    let mut sim = Simulation::new(config.clone());
    let mut recorder = MemoryRecorder::default();
    sim.begin(&mut recorder, "test").unwrap();
    let mut saved = None;
    let mut car_t_peak = 0;
    while !sim.is_finished() {
        sim.advance(&mut recorder).unwrap();
        check(&sim);
        car_t_peak = car_t_peak.max(sim.census().car_t_agents());
        if sim.day() >= 6.0 && saved.is_none() {
            saved = Some((
                decode(&encode("scenario", b"", sim.state())).unwrap(),
                recorder.snapshots.len(),
            ));
        }
    }
    sim.finish(&mut recorder).unwrap();
    // The run went through what changes rows outside the cell pass.
    let kinds: Vec<EventKind> = recorder.events.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&EventKind::Lymphodepletion), "{kinds:?}");
    assert!(kinds.contains(&EventKind::Infusion), "{kinds:?}");
    assert!(sim.census().doublings[3] > 0, "the expansion was thinned");
    assert!(car_t_peak > 1_000, "{car_t_peak} CAR-T agents at the peak");
    // Counted afresh only at the first step and after the phases that write rows
    // without counting: the three days of Flu/Cy and the surfaces drawn at the infusion.
    assert_eq!(sim.state().world.recounts(), 5);

    // Resumed from a checkpoint of day 6: the counts are taken afresh from the rows, and
    // the run goes on as the whole one.
    let (checkpoint, snapshots_before) = saved.expect("a checkpoint on day 6");
    let mut resumed = Simulation::from_state(config, checkpoint.state);
    let mut after = MemoryRecorder::default();
    while !resumed.is_finished() {
        resumed.advance(&mut after).unwrap();
        check(&resumed);
    }
    resumed.finish(&mut after).unwrap();
    assert_eq!(resumed.cells(), sim.cells());
    assert_eq!(resumed.state().world.recounts(), 1, "only on the resume");
    assert_eq!(after.snapshots[..], recorder.snapshots[snapshots_before..]);
}
