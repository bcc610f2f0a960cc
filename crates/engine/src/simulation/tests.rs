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
