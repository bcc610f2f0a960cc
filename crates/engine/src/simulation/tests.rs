//! Engine-level checks of the step: ids of new cells, the census, rows stepped.

use super::*;
use crate::ids;

/// Cells made in the pass are named where they are made (`ids::born`) and fill the
/// rows their chunk frees; whatever the mix of in-chunk and leftover placement, every
/// living cell keeps a distinct id (its random stream) and the census counts exactly
/// the living rows.
#[test]
fn new_cells_get_distinct_ids_and_the_census_counts_every_living_row() {
    let mut config = RunConfig {
        cells_per_agent: [1e7; 4], // ~65,000 agents: several chunks
        ..RunConfig::default()
    };
    // Fast T-cell turnover: a few percent of rows die and are born every step.
    config.params.t_cells.memory_cd4_half_life_years = 0.01;
    config.params.t_cells.memory_cd8_half_life_years = 0.01;
    let mut sim = Simulation::new(config);
    let initial = sim.cells_created();
    assert!(
        sim.cells().len() > 3 * CHUNK_ROWS,
        "{} rows",
        sim.cells().len()
    );
    for _ in 0..15 {
        sim.step();
    }
    let living: Vec<&Cell> = sim.cells().iter().filter(|c| c.is_alive()).collect();
    let mut ids: Vec<u64> = living.iter().map(|c| c.id.0).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), living.len(), "two living cells share an id");
    assert_eq!(living.len() as u64, sim.census().living());
    let born = living.iter().filter(|c| c.id.0 >= ids::BORN_TAG).count() as u64;
    assert!(born > 0 && sim.cells_created() >= initial + born);
}

/// Without the quiet-cell shortcuts every living cell goes through the rules once a
/// step (and no cell made in the step); with them, only a small share does.
#[test]
fn rows_stepped_counts_the_cells_sent_through_the_rules() {
    for quiet_cells in [false, true] {
        let config = RunConfig {
            cells_per_agent: [5e7; 4],
            quiet_cells,
            // One-day steps: recirculating cells' positions are implicit.
            dt_days: 1.0,
            ..RunConfig::default()
        };
        let mut sim = Simulation::new(config);
        for _ in 0..3 {
            let living = sim.census().living();
            sim.step();
            if quiet_cells {
                // Germinal-centre, activated and plasmablast cells and the quiet
                // candidates: ~12% of an untreated lupus patient's agents (docs/performance.md),
                // fewer in this healthy one.
                assert!(
                    sim.rows_stepped() > 0 && sim.rows_stepped() < living / 4,
                    "{} of {living}",
                    sim.rows_stepped()
                );
            } else {
                assert_eq!(sim.rows_stepped(), living);
            }
        }
    }
}

/// A tiny patient (coarse host, CD19-like product on day 0) recorded every day over
/// `days`, begun.
fn begun_cd19_run(days: f64) -> (Simulation, crate::recorder::MemoryRecorder) {
    let mut config = RunConfig {
        cells_per_agent: [1e8, 1e8, 1e8, 1e6],
        burn_in_days: 2.0,
        days,
        record_every_days: 1.0,
        dt_days: 1.0,
        antigens: crate::test_fixtures::cd19_panel(),
        ..RunConfig::default()
    };
    let dose = immunosim_model::car::Dose::PerKg(1e6);
    config
        .products
        .push(immunosim_model::car::Product::cd19_4_1bb(dose));
    let mut sim = Simulation::new(config);
    let mut recorder = crate::recorder::MemoryRecorder::default();
    sim.begin(&mut recorder, "test").unwrap();
    (sim, recorder)
}

/// While CAR-T cells live, a recorded boundary scans the CAR-T rows once for the
/// snapshot and the next step's encounters: the snapshot counted from that scan is the
/// one a pass over every row gives, and any mutable access to the rows drops the scan.
#[test]
fn the_kept_car_t_scan_gives_the_snapshot_of_every_row() {
    let (mut sim, mut recorder) = begun_cd19_run(12.0);
    let mut in_blood = 0;
    while !sim.is_finished() {
        sim.advance(&mut recorder).unwrap();
        if sim.census().car_t_agents() == 0 {
            continue;
        }
        assert!(sim.state.world.car_rows(&sim.setup.config).is_some());
        let from_scan = sim.snapshot();
        sim.state.world.cells_mut();
        assert!(sim.state.world.car_rows(&sim.setup.config).is_none());
        assert_eq!(sim.snapshot(), from_scan);
        in_blood += from_scan.car_t.iter().map(|r| r.agents).sum::<u64>();
    }
    assert!(
        in_blood > 0,
        "no CAR-T cell in blood: the test compared nothing"
    );
}

/// While CAR-T cells live, the cell pass and the births' placement find the CAR-T rows
/// and possible targets as they write the rows, so the table is scanned again only
/// after a step that changed rows otherwise (Flu/Cy, the first surfaces, a resampling
/// of the CAR-T weight); what they find is what a scan of every row finds.
#[test]
fn the_pass_finds_the_car_t_rows_a_scan_finds() {
    let (mut sim, mut recorder) = begun_cd19_run(20.0);
    let mut treated_steps = 0;
    while !sim.is_finished() {
        let alive = sim.census().car_t_agents() > 0;
        sim.advance(&mut recorder).unwrap();
        treated_steps += u64::from(alive);
        assert!(sim.state.world.car_rows(&sim.setup.config).is_some() || !alive);
        assert!(sim.state.world.car_rows_match_rows(&sim.setup.config));
    }
    let scans = sim.state.world.scans();
    assert!(
        treated_steps >= 15,
        "{treated_steps} steps with CAR-T cells"
    );
    assert!(
        scans <= 4,
        "{scans} scans of the table in {treated_steps} steps with CAR-T cells"
    );
}
