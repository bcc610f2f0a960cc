//! What happens when a CAR-T cell meets a cell of its site: engagement (activation by
//! the target's antigens through the construct) and killing. The engine runs the
//! encounters site by site; this module holds the rule of one encounter.

use crate::car::Product;
use crate::cell::{Cell, Population};
use crate::parameters::Parameters;

/// Activation (0-1) of CAR-T cell `car_cell` of `product` by `target`: the probability
/// the encounter engages it. Engaged receptor pairs scale with CAR × antigen density
/// (law of mass action at the synapse), so a cell with a fraction `e` of the fresh CAR
/// (a fading mRNA CAR) needs `1/e` times the antigen to reach the same activation.
pub fn engagement(target: &Cell, car_cell: &Cell, product: &Product, params: &Parameters) -> f64 {
    let car = &params.car_t;
    let expression = car_cell.car_expression_fraction();
    if expression <= 0.0 {
        return 0.0;
    }
    product.construct.activation(
        target,
        car.activation_threshold_molecules / expression,
        car.activation_hill,
    )
}

/// Probability that an engaged encounter kills the target (exhausted killers are weaker).
pub fn kill_probability(car_cell: &Cell, params: &Parameters) -> f64 {
    let car = &params.car_t;
    let function = if car_cell.population == Population::CarExhausted {
        car.exhausted_function_relative
    } else {
        1.0
    };
    car.kill_probability * function
}

/// Targets sampled to estimate the mean activation a CAR-T cell meets in its site: a
/// few are enough because the mean only sets the chance of at least one engagement
/// among ~`encounters_per_day × dt` probes.
pub const STIMULATION_SAMPLES: usize = 4;

/// One site's encounters as the law sees them: the cells of the site that some product
/// may target (`targets`, rows into `cells`), their share of the site's real cells, and
/// the per-kind agent weights that turn probes of real cells into agent events.
pub struct SiteEncounters<'a> {
    /// Rows of the site's possible targets.
    pub targets: &'a [u32],
    /// The cells of those rows, in the same order (copies gathered in row order, so
    /// that meeting a random target reads the site's own short list, not a random row
    /// of the whole table).
    pub target_cells: &'a [Cell],
    /// Share of the site's real cells that are possible targets (0-1).
    pub target_share: f64,
    /// Probes one real CAR-T cell makes in the step (`encounters_per_day × dt`).
    pub probes_per_cell: f64,
    /// Most kills of one real CAR-T cell in the step (`max_kills_per_day × dt`; 0: no
    /// bound).
    pub kills_per_cell_max: f64,
    /// Real cells per agent of each kind (`Kind::BCell`, `Kind::CarT`, ...).
    pub weight: &'a dyn Fn(crate::cell::Kind) -> f64,
    /// Engagements of `targets` already computed in this step ([`EngagementMemo::new`]).
    pub memo: std::cell::RefCell<EngagementMemo>,
}

/// The [`engagement`]s of a site's targets computed so far in a step, for the CAR-T
/// cells of one (product, CAR expression): most CAR-T agents of a site share both, and
/// meet the same targets again and again (at the peak of expansion a site's CAR-T
/// agents outnumber its targets), so each engagement is computed once per target
/// instead of once per meeting. The same function of the same cells, so the same
/// values: a cache, not an approximation. CAR-T cells of other keys compute theirs.
#[derive(Clone, Debug, Default)]
pub struct EngagementMemo {
    /// (product, CAR expression) of the values; set by the first CAR-T cell asking.
    key: Option<(u8, u16)>,
    /// By index into the site's targets; NaN where not yet computed.
    values: Vec<f64>,
}

impl EngagementMemo {
    /// An empty memo for a site of `targets` targets.
    pub fn new(targets: usize) -> EngagementMemo {
        EngagementMemo {
            key: None,
            values: vec![f64::NAN; targets],
        }
    }
}

impl SiteEncounters<'_> {
    /// [`engagement`] of the site's target `index` by `car`, through the memo.
    fn engagement(&self, index: usize, car: &Cell, product: &Product, params: &Parameters) -> f64 {
        let target = &self.target_cells[index];
        let mut memo = self.memo.borrow_mut();
        let key = (car.product, car.car_expression);
        if *memo.key.get_or_insert(key) != key || index >= memo.values.len() {
            return engagement(target, car, product, params);
        }
        let known = memo.values[index];
        if !known.is_nan() {
            return known;
        }
        let value = engagement(target, car, product, params);
        memo.values[index] = value;
        value
    }
}

/// Share (0-1) of a site's real cells that are possible targets. Shares of real cells,
/// not of agents: kinds carry different weights (CAR-T agents are finer), and a site
/// crowded with CAR-T agents must not look emptier of targets than it is.
pub fn target_share(target_cells: f64, site_cells: f64) -> f64 {
    (target_cells / site_cells.max(1.0)).min(1.0)
}

/// Whether uniform `u` is below 1 − e^(−x), the chance of at least one of Poisson(x)
/// events, without the exponential where its bounds x / (1 + x) ≤ 1 − e^(−x) ≤ x
/// decide. For x above 1e-6 both bounds lie at least ~x/2 (relatively) from the value,
/// millions of rounding units, so the answer is the one the computed exponential gives.
fn below_at_least_one(u: f64, x: f64) -> bool {
    if x > 1e-6 {
        if u >= x {
            return false;
        }
        if u < x / (1.0 + x) {
            return true;
        }
    }
    u < -(-x).exp_m1()
}

/// The encounters of one CAR-T agent in its site over one step (Kimmel et al. 2021-like
/// mass action, one probe = one real cell met): pushes the rows it kills into `killed`
/// and returns whether the agent was stimulated.
///
/// Stimulation is what one real CAR-T cell of this agent experiences: engagements ~
/// Poisson(probes × target share × mean activation), the mean activation estimated from
/// [`STIMULATION_SAMPLES`] targets of the site; the agent is stimulated with the chance
/// of at least one. Kills: each probe of the agent's real cells meets one real cell of
/// the site, counted in units of target agents (the ratio of agent weights); a target
/// agent of another weight dies with the ratio of weights, so real kills are conserved.
/// Probes are a Poisson count and each meets a possible target with the target share,
/// so those that meet one are drawn at once as a Poisson count of mean probes × share
/// (thinning a Poisson count is exact), not probe by probe: the same law, a fifth of
/// the draws at the peak of expansion.
pub fn car_agent_encounters(
    car: &Cell,
    product: &Product,
    params: &Parameters,
    site: &SiteEncounters<'_>,
    draws: &mut impl crate::Draws,
    killed: &mut Vec<u32>,
) -> bool {
    use crate::cell::Kind;
    let targets = site.targets;
    let mean_activation = (0..STIMULATION_SAMPLES)
        .map(|_| site.engagement(draws.index(targets.len()), car, product, params))
        .sum::<f64>()
        / STIMULATION_SAMPLES as f64;
    let engagements = site.probes_per_cell * site.target_share * mean_activation;
    let engaged = below_at_least_one(draws.uniform(), engagements);
    // Killing capacity: a real cell's encounter-limited kills k saturate at the most it
    // can kill in the step, c, as k c / (k + c) (Kimmel's saturating kill term per
    // CAR-T cell): each engaged probe kills with the chance scaled by c / (k + c).
    // c = 0 is no bound (and leaves the draws as they were).
    let met_kills = engagements * kill_probability(car, params);
    let capacity = site.kills_per_cell_max;
    let saturation = if met_kills > 0.0 && capacity > 0.0 {
        capacity / (met_kills + capacity)
    } else {
        1.0
    };
    let weight_ratio = (site.weight)(Kind::CarT) / (site.weight)(Kind::BCell);
    for _ in 0..draws.poisson(site.probes_per_cell * weight_ratio * site.target_share) {
        let index = draws.index(targets.len());
        let (target_row, target) = (targets[index], &site.target_cells[index]);
        if !draws.chance(site.engagement(index, car, product, params)) {
            continue;
        }
        let target_weight = (site.weight)(target.population.kind());
        let per_agent = ((site.weight)(Kind::BCell) / target_weight).min(1.0);
        if draws.chance(kill_probability(car, params) * per_agent * saturation) {
            killed.push(target_row);
        }
    }
    engaged
}

#[cfg(test)]
mod tests {
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
    /// mean over targets of engagement × kill probability × per-agent share, the law
    /// before and after probes were thinned at once (counts conserved in expectation).
    #[test]
    fn kills_match_their_expectation() {
        let params = Parameters::default();
        let product = Product::cd19_4_1bb(Dose::PerKg(1e6));
        let car = Cell {
            population: Population::CarEffector,
            car_expression: CAR_EXPRESSION_FULL,
            ..Cell::default()
        };
        // Targets from antigen-low to antigen-high: engagements from ~0 to ~1.
        let target_cells: Vec<Cell> = (0..8u16)
            .map(|i| {
                let mut cell = Cell {
                    population: Population::BNaive,
                    ..Cell::default()
                };
                cell.antigen[0] = 1 + i * i * 40;
                cell
            })
            .collect();
        let rows: Vec<u32> = (0..8).collect();
        let weight = |kind: crate::cell::Kind| match kind {
            crate::cell::Kind::CarT => 1e5,
            _ => 5e5,
        };
        let site = SiteEncounters {
            targets: &rows,
            target_cells: &target_cells,
            target_share: 0.3,
            probes_per_cell: 150.0,
            kills_per_cell_max: 0.0,
            weight: &weight,
            memo: EngagementMemo::new(rows.len()).into(),
        };
        let per_target: f64 = target_cells
            .iter()
            .map(|t| engagement(t, &car, &product, &params) * kill_probability(&car, &params))
            .sum::<f64>()
            / target_cells.len() as f64;
        let expected = 150.0 * 0.2 * 0.3 * per_target;
        let mut draws = TestDraws(5);
        let agents = 40_000;
        let mut killed = Vec::new();
        for _ in 0..agents {
            car_agent_encounters(&car, &product, &params, &site, &mut draws, &mut killed);
        }
        let mean = killed.len() as f64 / f64::from(agents);
        // Poisson-like counts: the mean of 40,000 agents within ~4 standard errors.
        let tolerance = 4.0 * (expected / f64::from(agents)).sqrt();
        assert!(
            (mean - expected).abs() < tolerance,
            "mean kills {mean}, expected {expected} ± {tolerance}"
        );
        assert!(per_target > 0.05 && per_target < 0.95, "{per_target}");
    }
}
