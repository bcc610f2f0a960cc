//! Unit tests of the CAR-T rule.

use super::*;
use crate::antigen_panel::AntigenPanel;
use crate::compartment::{Compartment, SiteLayout};
use crate::draws::testing::TestDraws;
use crate::parameters::Parameters;
use crate::rules::hazards::CarTHazards;
use crate::rules::testing::context;
use crate::steady_state::SteadyState;

/// `ctx` with its CAR-T step probabilities worked out from its own fields, as the
/// engine does at the start of every step.
fn with_car_t_hazards(mut ctx: StepContext<'_>) -> StepContext<'_> {
    ctx.hazards.car_t = CarTHazards::new(&ctx);
    ctx
}

/// Steps `n` effectors, flagged as `flags`, once each without antigen; returns
/// (births, deaths, still in the programme).
fn step_effectors(params: &Parameters, flags: u8, n: usize) -> (usize, usize, usize) {
    let derived = SteadyState::derive(params, 70.0);
    let sites = SiteLayout::new([1; Compartment::COUNT]);
    let antigens = AntigenPanel::default();
    let ctx = with_car_t_hazards(context(params, &derived, &sites, &antigens));
    let mut draws = TestDraws(7);
    let (mut births, mut deaths, mut programmed) = (Vec::new(), 0, 0);
    for _ in 0..n {
        let mut cell = Cell {
            population: Population::CarEffector,
            flags,
            ..Cell::default()
        };
        match car_t(&mut cell, &ctx, &mut draws, &mut births) {
            Fate::Dies => deaths += 1,
            Fate::Lives => programmed += usize::from(cell.flags & Cell::FLAG_PROGRAMMED != 0),
        }
    }
    (births.len(), deaths, programmed)
}

#[test]
fn the_division_programme_runs_on_without_antigen_then_ends() {
    let params = Parameters::default();
    let n = 20_000;
    // Out of the programme: no division without antigen, contraction at once.
    let (births, deaths, _) = step_effectors(&params, 0, n);
    assert_eq!(births, 0);
    assert!(deaths > 0);
    // In it: divisions at the stimulated rate (ln 2 / 0.78 per day), no deaths
    // among the cells still in it, and it ends at 1 / programmed_division_days.
    let (births, deaths, still) = step_effectors(&params, Cell::FLAG_PROGRAMMED, n);
    let dt = 0.1;
    let ended = 1.0 - (-dt / params.car_t.programmed_division_days).exp();
    let kept = n as f64 * (1.0 - ended);
    assert!(
        (still as f64 - kept).abs() < 0.05 * kept,
        "{still} vs {kept}"
    );
    let expected = kept * (std::f64::consts::LN_2 / params.car_t.doubling_time_days * dt);
    assert!(
        (births as f64 - expected).abs() < 0.2 * expected,
        "{births} vs {expected}"
    );
    // Deaths only among the cells whose programme ended this step.
    assert!((deaths as f64) < n as f64 * ended, "{deaths}");
    // A stimulated cell enters the programme only when it has a duration.
    let mut off = params.clone();
    off.car_t.programmed_division_days = 0.0;
    assert_eq!(step_effectors(&off, Cell::FLAG_STIMULATED, 100).2, 0);
    assert_eq!(step_effectors(&params, Cell::FLAG_STIMULATED, 100).2, 100);
}

#[test]
fn lymphopenic_car_t_division_is_bounded_as_host_memory_t_cells_are() {
    let mut params = Parameters::default();
    let derived = SteadyState::derive(&params, 70.0);
    let sites = SiteLayout::new([1; Compartment::COUNT]);
    let antigens = AntigenPanel::default();
    let car = params.car_t.clone();
    // The catalogue leaves the bound open: Kimmel's term as it is.
    let mut ctx = context(&params, &derived, &sites, &antigens);
    ctx.t_cell_lymphopenia = 4.0;
    assert_eq!(
        lymphopenic_division_per_day(&ctx),
        car.homeostatic_growth_rate_per_day * 4.0
    );
    ctx.t_cell_lymphopenia = 0.0;
    assert_eq!(lymphopenic_division_per_day(&ctx), 0.0);
    // A host whose memory T cells divide at most 2.75-fold their steady rate: the
    // CAR-T memory cell's division is at most 2.75-fold its own, in deep lymphopenia,
    // and unbounded by it in mild lymphopenia.
    params.t_cells.memory_lymphopenic_division_max_fold = 2.75;
    let mut ctx = context(&params, &derived, &sites, &antigens);
    ctx.t_cell_lymphopenia = 4.0;
    let cap = car.memory_homeostatic_division_per_day * 1.75;
    assert!((lymphopenic_division_per_day(&ctx) - cap).abs() < 1e-15);
    ctx.t_cell_lymphopenia = 0.1;
    assert_eq!(
        lymphopenic_division_per_day(&ctx),
        car.homeostatic_growth_rate_per_day * 0.1
    );
}

/// Steps `n` stimulated cells of `population` with `divisions` behind them, of
/// `product`; returns (births, deaths).
fn step_stimulated(
    product: &crate::car::Product,
    population: Population,
    divisions: u8,
    n: usize,
) -> (usize, usize) {
    let params = Parameters::default();
    let derived = SteadyState::derive(&params, 70.0);
    let sites = SiteLayout::new([1; Compartment::COUNT]);
    let antigens = AntigenPanel::default();
    let products = [product.clone()];
    let mut ctx = context(&params, &derived, &sites, &antigens);
    ctx.products = &products;
    let ctx = with_car_t_hazards(ctx);
    let mut draws = TestDraws(11);
    let (mut births, mut deaths) = (Vec::new(), 0);
    for _ in 0..n {
        let mut cell = Cell {
            population,
            flags: Cell::FLAG_STIMULATED,
            divisions,
            ..Cell::default()
        };
        if let Fate::Dies = car_t(&mut cell, &ctx, &mut draws, &mut births) {
            deaths += 1;
        }
    }
    (births.len(), deaths)
}

#[test]
fn a_cd28_cell_past_its_division_destiny_stops_dividing_and_an_effector_dies_under_antigen() {
    use crate::car::{Dose, Product};
    let car = Parameters::default().car_t;
    let four_one_bb = Product::cd19_4_1bb(Dose::PerKg(1e6));
    let mut cd28 = four_one_bb.clone();
    cd28.costimulation = Costimulation::Cd28;
    let (effector, memory) = (
        car.cd28_effector_division_limit as u8,
        car.cd28_memory_division_limit as u8,
    );
    let n = 20_000;
    // Before its destiny a stimulated CD28 effector divides and does not die.
    let (births, deaths) = step_stimulated(&cd28, Population::CarEffector, effector - 1, n);
    assert!(births > n / 20, "{births}");
    assert_eq!(deaths, 0);
    // At it: no division, death at the effector rate although antigen is there.
    let (births, deaths) = step_stimulated(&cd28, Population::CarEffector, effector, n);
    assert_eq!(births, 0);
    let expected = n as f64 * -(-car.effector_death_rate_per_day * 0.1).exp_m1();
    assert!(
        (deaths as f64 - expected).abs() < 0.1 * expected,
        "{deaths} vs {expected}"
    );
    // An exhausted cell past it divides no more either (exhaustion gives no divisions).
    let (births, _) = step_stimulated(&cd28, Population::CarExhausted, effector, n);
    assert_eq!(births, 0);
    assert!(step_stimulated(&cd28, Population::CarExhausted, effector - 1, n).0 > 0);
    // A memory cell past its own destiny stops antigen-driven division, and lives.
    let (births, deaths) = step_stimulated(&cd28, Population::CarCentralMemory, memory, n);
    assert_eq!((births, deaths), (0, 0));
    assert!(step_stimulated(&cd28, Population::CarCentralMemory, memory - 1, n).0 > n / 20);
    // A 4-1BB product has no destiny.
    let (births, deaths) = step_stimulated(&four_one_bb, Population::CarEffector, 200, n);
    assert!(births > n / 20, "{births}");
    assert_eq!(deaths, 0);
}

/// Steps `n` stimulated effectors of `product` in `compartment` with every free cell
/// moving to blood; returns (daughters born, daughters that left for blood).
fn daughters_leaving(
    params: &Parameters,
    product: &crate::car::Product,
    compartment: Compartment,
    n: usize,
) -> (usize, usize) {
    let derived = SteadyState::derive(params, 70.0);
    let sites = SiteLayout::new([1; Compartment::COUNT]);
    let antigens = AntigenPanel::default();
    let products = [product.clone()];
    let mut ctx = context(params, &derived, &sites, &antigens);
    ctx.products = &products;
    ctx.dt_days = 1.0;
    // Every free cell moves, and lands in blood (the first compartment).
    ctx.hazards.move_probability = 1.0;
    ctx.hazards.compartment_cdf = [[1.0; Compartment::COUNT]; Population::COUNT];
    let ctx = with_car_t_hazards(ctx);
    let mut draws = TestDraws(13);
    let mut births = Vec::new();
    for _ in 0..n {
        let mut cell = Cell {
            population: Population::CarEffector,
            flags: Cell::FLAG_STIMULATED,
            compartment,
            site: sites.site(compartment, 0),
            ..Cell::default()
        };
        car_t(&mut cell, &ctx, &mut draws, &mut births);
        assert_eq!(cell.compartment, compartment, "the engaged parent stays");
    }
    let left = births
        .iter()
        .filter(|b| b.compartment == Compartment::Blood)
        .count();
    (births.len(), left)
}

#[test]
fn daughters_born_in_a_lymph_node_leave_it_while_the_marrow_holds_its_own() {
    use crate::car::{Dose, Product};
    let params = Parameters::default();
    let product = Product::cd19_4_1bb(Dose::PerKg(1e6));
    let n = 2_000;
    // In lymphoid tissue every daughter leaves as a free cell would (here: to blood).
    let (born, left) = daughters_leaving(&params, &product, Compartment::Lymphoid, n);
    assert!(born > n / 2, "{born}");
    assert_eq!(left, born);
    // The marrow holds its daughters beside their engaged parents.
    let (born, left) = daughters_leaving(&params, &product, Compartment::Marrow, n);
    assert!(born > n / 2, "{born}");
    assert_eq!(left, 0);
    // With the chance at 0, lymph-node daughters are held too.
    let mut held = params.clone();
    held.car_t.daughter_leave_probability = 0.0;
    let (born, left) = daughters_leaving(&held, &product, Compartment::Lymphoid, n);
    assert!(born > n / 2, "{born}");
    assert_eq!(left, 0);
}

#[test]
fn a_cd28_products_memory_cells_die_at_the_effector_memory_rate_and_4_1bb_ones_do_not() {
    use crate::car::{Dose, Product};
    let params = Parameters::default();
    let derived = SteadyState::derive(&params, 70.0);
    let sites = SiteLayout::new([1; Compartment::COUNT]);
    let antigens = AntigenPanel::default();
    let ctx = context(&params, &derived, &sites, &antigens);
    let car = &params.car_t;
    for population in [
        Population::CarStemLike,
        Population::CarCentralMemory,
        Population::CarEffectorMemory,
    ] {
        assert_eq!(
            death_rate_per_day(population, true, &ctx),
            car.cd28_memory_death_rate_per_day
        );
        assert!(death_rate_per_day(population, false, &ctx) < 0.02);
    }
    // Effectors die at the effector rate whatever the domain.
    assert_eq!(
        death_rate_per_day(Population::CarEffector, true, &ctx),
        death_rate_per_day(Population::CarEffector, false, &ctx)
    );
    // Resting central-memory cells of each product over one 0.1-day step: deaths at
    // the product's rate (competing with homeostatic division, which is slower).
    let count_deaths = |product: Product| {
        let products = [product];
        let mut ctx = context(&params, &derived, &sites, &antigens);
        ctx.products = &products;
        let ctx = with_car_t_hazards(ctx);
        let mut draws = TestDraws(17);
        let mut births = Vec::new();
        (0..200_000)
            .filter(|_| {
                let mut cell = Cell {
                    population: Population::CarCentralMemory,
                    ..Cell::default()
                };
                car_t(&mut cell, &ctx, &mut draws, &mut births) == Fate::Dies
            })
            .count() as f64
    };
    let four_one_bb = Product::cd19_4_1bb(Dose::PerKg(1e6));
    let mut cd28 = four_one_bb.clone();
    cd28.costimulation = Costimulation::Cd28;
    let expected = |rate: f64| 200_000.0 * rate * 0.1;
    let (slow, fast) = (count_deaths(four_one_bb), count_deaths(cd28));
    assert!(
        (slow - expected(car.memory_death_rate_per_day)).abs()
            < 0.15 * expected(car.memory_death_rate_per_day),
        "4-1BB memory deaths {slow}"
    );
    assert!(
        (fast - expected(car.cd28_memory_death_rate_per_day)).abs()
            < 0.1 * expected(car.cd28_memory_death_rate_per_day),
        "CD28 memory deaths {fast}"
    );
}
