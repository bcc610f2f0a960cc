use super::*;
use crate::Draws;
use crate::car::Dose;
use crate::cell::CAR_EXPRESSION_FULL;
use crate::draws::testing::TestDraws;

#[test]
fn the_bounds_decide_as_the_exponential_does() {
    let mut draws = TestDraws(3);
    for k in 0..200_000 {
        let x = 10f64.powf(-7.0 + 9.0 * draws.uniform());
        let u = if k % 2 == 0 {
            draws.uniform()
        } else {
            // Near the value itself, where a wrong bound would show.
            (-(-x).exp_m1() * (1.0 + 1e-9 * (draws.uniform() - 0.5))).min(0.999_999)
        };
        assert_eq!(below_at_least_one(u, x), u < -(-x).exp_m1(), "u {u}, x {x}");
    }
}

/// Kills of one CAR-T agent: on average probes × weight ratio × target share × the
/// mean over targets of engagement × kill probability × per-agent share × the
/// capacity's saturation, the law before and after probes were thinned at once and
/// before and after only the meetings that pass the CAR-T cell's kill chance were
/// drawn (counts conserved in expectation), for a functional and an exhausted cell
/// and under a capacity bound.
#[test]
fn kills_match_their_expectation() {
    for (population, capacity) in [
        (Population::CarEffector, 0.0),
        (Population::CarExhausted, 0.0),
        (Population::CarEffector, 10.0),
    ] {
        kills_of_one_agent_match_their_expectation(population, capacity);
    }
}

fn kills_of_one_agent_match_their_expectation(population: Population, capacity: f64) {
    let params = Parameters::default();
    let product = Product::cd19_4_1bb(Dose::PerKg(1e6));
    let car = Cell {
        population,
        car_expression: CAR_EXPRESSION_FULL,
        ..Cell::default()
    };
    // Targets from antigen-low to antigen-high: engagements from ~0 to ~1.
    let target_cells: Vec<Target> = (0..8u16)
        .map(|i| Target {
            antigen: [1 + i * i * 40, 0, 0, 0],
            population: Population::BNaive,
            ..Target::default()
        })
        .collect();
    let rows: Vec<u32> = (0..8).collect();
    let weight = |kind: crate::cell::Kind| match kind {
        crate::cell::Kind::CarT => 1e5,
        _ => 5e5,
    };
    let memo = EngagementMemo::new(target_cells.len(), (car.product, car.car_expression));
    let pool = TargetPool {
        targets: &rows,
        target_cells: &target_cells,
        target_share: 0.3,
        probes_per_cell: 150.0,
        kills_per_cell_max: capacity,
        weight: &weight,
        memo: &memo,
        reference_weight: 5e5,
        kill_shares: KillShares::new(&|population: Population, _| weight(population.kind()), 5e5),
        meetings: meetings(150.0, 0.3, &weight, 5e5, &params),
    };
    let activations: Vec<f64> = target_cells
        .iter()
        .map(|t| engagement(t, &car, &product, &params))
        .collect();
    let kill = kill_probability(&car, &params);
    let per_target = activations.iter().sum::<f64>() / 8.0 * kill;
    // The saturation's mean over every draw of the stimulation samples (8^4 ways).
    let saturation = if capacity > 0.0 {
        let mut sum = 0.0;
        for ways in 0..8usize.pow(STIMULATION_SAMPLES as u32) {
            let mean = (0..STIMULATION_SAMPLES)
                .map(|k| activations[ways / 8usize.pow(k as u32) % 8])
                .sum::<f64>()
                / STIMULATION_SAMPLES as f64;
            let met_kills = 150.0 * 0.3 * mean * kill;
            sum += if met_kills > 0.0 {
                capacity / (met_kills + capacity)
            } else {
                1.0
            };
        }
        sum / 8f64.powi(STIMULATION_SAMPLES as i32)
    } else {
        1.0
    };
    let expected = 150.0 * 0.2 * 0.3 * per_target * saturation;
    let mut draws = TestDraws(5);
    let agents = 40_000;
    let mut killed = Vec::new();
    for _ in 0..agents {
        car_agent_encounters(&car, &product, &params, &pool, &mut draws, &mut killed);
    }
    let mean = killed.len() as f64 / f64::from(agents);
    // Poisson-like counts: the mean of 40,000 agents within ~4 standard errors.
    let tolerance = 4.0 * (expected / f64::from(agents)).sqrt();
    assert!(
        (mean - expected).abs() < tolerance,
        "{population:?}, capacity {capacity}: mean kills {mean}, expected {expected} ± {tolerance}"
    );
    assert!(per_target > 0.01 && per_target < 0.95, "{per_target}");
    assert!(saturation > 0.2 && saturation <= 1.0, "{saturation}");
}
