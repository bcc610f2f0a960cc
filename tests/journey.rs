//! The treatment journey: manufacturing and its failure, allogeneic and mRNA products,
//! the product's CD4:CD8 mix, vaccination and IVIG, and their input errors.

use crate::support::*;
use immunosim_engine::recorder::{EventKind, MemoryRecorder, Snapshot};
use immunosim_model::{Population, Specificity};

/// The coarse CD19 product, made from leukapheresis on day -30 in 12-20 days, failing
/// with probability `failure`.
fn manufactured_cd19(failure: f64) -> String {
    with_products(&format!(
        "[[products]]\nname = \"CD19\"\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\n\
         leukapheresis_day = -30\nmanufacturing_days_min = 12\nmanufacturing_days_max = 20\n\
         manufacturing_failure_probability = {failure}\n"
    ))
}

/// Day of the first event of `kind`.
fn event_day(run: &MemoryRecorder, kind: EventKind) -> Option<f64> {
    run.events.iter().find(|e| e.kind == kind).map(|e| e.day)
}

fn vaccine_b(s: &Snapshot) -> f64 {
    s.serology.igg_mg_per_l[Specificity::VaccineB.index()]
}

#[test]
fn failed_manufacturing_cancels_lymphodepletion_and_leaves_the_patient_coarse_untreated() {
    let run = simulate_with_events(&manufactured_cd19(1.0));
    let kinds: Vec<EventKind> = run.events.iter().map(|e| e.kind).collect();
    for kind in [EventKind::Leukapheresis, EventKind::ManufacturingFailure] {
        assert_eq!(kinds.iter().filter(|&&k| k == kind).count(), 1, "{kind:?}");
    }
    let release = event_day(&run, EventKind::ManufacturingFailure).unwrap();
    assert!((-18.0..=-10.0).contains(&release), "{release}");
    assert!(!kinds.contains(&EventKind::Infusion));
    assert!(!kinds.contains(&EventKind::Lymphodepletion));
    // Three chemotherapy days (Flu -5, -4; Flu + Cy -3), each cancelled.
    assert_eq!(
        kinds
            .iter()
            .filter(|&&k| k == EventKind::LymphodepletionCancelled)
            .count(),
        3
    );
    // Leukapheresis is not an intervention on the immune system: same seed, same patient.
    let untreated = simulate(&coarse_untreated());
    assert_eq!(run.snapshots.len(), untreated.len());
    for (failed, plain) in run.snapshots.iter().zip(&untreated) {
        assert_eq!(failed.populations, plain.populations, "day {}", failed.day);
        assert_eq!(failed.serology, plain.serology, "day {}", failed.day);
        assert!(failed.car_t.iter().all(|r| r.agents == 0));
    }
}

#[test]
fn a_released_product_is_infused_on_its_day() {
    let run = simulate_with_events(&manufactured_cd19(0.0));
    let day_of = |kind: EventKind| event_day(&run, kind);
    assert_eq!(day_of(EventKind::Leukapheresis), Some(-30.0));
    let released = day_of(EventKind::ProductReleased).expect("released");
    assert!((-18.0..=-10.0).contains(&released));
    assert_eq!(day_of(EventKind::Lymphodepletion), Some(-5.0));
    assert_eq!(day_of(EventKind::Infusion), Some(0.0));
}

#[test]
fn allogeneic_cells_are_rejected_as_host_t_cells_recover() {
    let autologous = simulate(CD19_CAR_T);
    let allogeneic = simulate(&with_products(
        "[[products]]\nname = \"allo\"\ntargets = [\"CD19\"]\nsource = \"allogeneic\"\n\
         dose_cells = 7e7\n",
    ));
    let blood = |s: &[Snapshot], day: f64| car_t_per_ul(on_day(s, day));
    // Both expand while the host is lymphodepleted (measured: ~70 vs ~140/uL on day 7)...
    assert!(blood(&allogeneic, 7.0) > 10.0);
    // ...then the recovering host clears the donor cells within weeks (measured: gone by
    // day 42), while the autologous cells persist (~1.5/uL on day 42, ~1/uL on day 60,
    // seed 1, after the carrying capacity and recent-stimulation exhaustion).
    assert!(blood(&allogeneic, 42.0) < 0.1 * blood(&autologous, 42.0));
    assert!(blood(&autologous, 60.0) > 0.3);
    // Shorter persistence, shorter aplasia: B cells are back by day 42 (measured ~240/uL)
    // and still absent after the autologous product (below the aplasia threshold over
    // days 40-44: at 3e6 cells per agent one day's count is 0-2 agents, 0.6/uL each).
    assert!(b_cells(on_day(&allogeneic, 42.0)) > 10.0);
    let autologous_b = mean(&autologous, 40.0, 44.0, b_cells);
    assert!(
        autologous_b < 1.0,
        "autologous B cells on days 40-44: {autologous_b}"
    );
    // Both made B-cell aplasia (CD19+ B < 1/uL) within three weeks (measured: the
    // allogeneic product from day 16-17, its expansion bounded by the carrying capacity).
    let aplasia_by_day_21 = |s: &[Snapshot]| {
        s.iter()
            .filter(|x| (0.0..=21.0).contains(&x.day))
            .any(|x| b_cells(x) < 1.0)
    };
    assert!(aplasia_by_day_21(&allogeneic));
    assert!(aplasia_by_day_21(&autologous));
}

#[test]
fn vaccination_recalls_memory_b_cells_unless_they_are_depleted() {
    // B cells at 3e5 per agent: at the coarse 3e6 the tetanus-like memory pool is ~30
    // agents, a critical birth-death process that by day 29 held 4-47 agents over
    // seeds 1-6 (either way of stepping), so some patients had nothing left to recall.
    let vaccinate = "[[vaccinations]]\nday = 30\nvaccine = \"vaccine_b\"\n";
    let finer = |text: &str| text.replace("car_t = 3e5\n", "car_t = 3e5\nb_cell = 3e5\n");
    let untreated = simulate(&finer(&format!("{}{vaccinate}", coarse_untreated())));
    let depleted = simulate(&finer(&format!("{CD19_CAR_T}{vaccinate}")));
    let rise = |s: &[Snapshot]| vaccine_b(on_day(s, 60.0)) / vaccine_b(on_day(s, 29.0));
    // Untreated: the booster recalls vaccine-specific memory B cells (measured +15% to
    // +25% by day 60, seeds 1-3; +16% to +27% stepping every cell explicitly; clinical
    // boosters rise several-fold, see README limits).
    assert!(
        rise(&untreated) > 1.1,
        "untreated rise {}",
        rise(&untreated)
    );
    // During CD19 CAR-T aplasia there is no memory B cell to recall: no rise beyond that
    // of the unboosted measles-like titre, which drifts up a little as FcRn salvages
    // IgG better while total IgG falls.
    let vaccine_a = |s: &Snapshot| s.serology.igg_mg_per_l[Specificity::VaccineA.index()];
    let unboosted = vaccine_a(on_day(&depleted, 60.0)) / vaccine_a(on_day(&depleted, 29.0));
    assert!(
        rise(&depleted) < unboosted + 0.01 && unboosted < 1.05,
        "depleted rise {} (unboosted titre {unboosted})",
        rise(&depleted)
    );
}

#[test]
fn mrna_car_fades_within_days_of_the_last_dose_and_spares_total_igg() {
    let mrna = format!(
        "{}[[products]]\nname = \"BCMA mRNA\"\ntargets = [\"BCMA\"]\nplatform = \"mrna\"\n\
         dose_cells_per_kg = 5.25e7\ndoses = 6\ndose_interval_days = 7\n",
        coarse_untreated().replace("days = 60", "days = 90")
    );
    let run = simulate_with_events(&mrna);
    let s = &run.snapshots;
    let infusions: Vec<f64> = run
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Infusion)
        .map(|e| e.day)
        .collect();
    assert_eq!(infusions, [0.0, 7.0, 14.0, 21.0, 28.0, 35.0]);
    assert!(
        car_t_per_ul(on_day(s, 36.0)) > 100.0,
        "the last dose is seen"
    );
    // Degraded (half-life 1.5 d) and diluted by division, the CAR is gone within two
    // weeks of the last dose: the cells are ordinary T cells again.
    for day in [50.0, 70.0, 90.0] {
        assert_eq!(car_t_per_ul(on_day(s, day)), 0.0, "CAR-T left on day {day}");
    }
    // Each dose kills some BCMA+ plasma cells while its CAR lasts (measured 0.85x by
    // day 42); once the CAR is gone the fall stops, and total IgG is spared the
    // hypogammaglobulinaemia of a lasting BCMA CAR (measured 0.89x on day 90).
    let pc = |day: f64| plasma_cells(on_day(s, day));
    assert!(
        pc(42.0) < 0.92 * pc(0.0),
        "plasma cells x{}",
        pc(42.0) / pc(0.0)
    );
    assert!(pc(90.0) > 0.98 * pc(42.0), "plasma cells still falling");
    let igg_ratio = igg(on_day(s, 90.0)) / igg(on_day(s, 0.0));
    assert!(igg_ratio > 0.8, "total IgG x{igg_ratio}");
    // No lymphodepletion in this regimen, and none given.
    assert!(
        run.events
            .iter()
            .all(|e| e.kind != EventKind::Lymphodepletion)
    );
}

#[test]
fn ivig_raises_total_igg_and_nothing_else() {
    let plain = simulate(&coarse_untreated());
    let given = simulate(&format!(
        "{}[[ivig]]\nday = 10\ndose_g_per_kg = 0.4\n",
        coarse_untreated()
    ));
    // 0.4 g/kg: about +4-5 g/L (each 100 mg/kg raises the trough ~1.2 g/L, Orange et al.
    // 2010; recalled), then cleared by the patient's FcRn pool: somewhat faster than
    // IgG's 21-day half-life at the set point, because total IgG is raised.
    let rise = |day: f64| igg(on_day(&given, day)) - igg(on_day(&plain, day));
    assert!((3.0..6.5).contains(&rise(11.0)), "IVIG rise {}", rise(11.0));
    let half_life = 21.0 * (rise(11.0) / rise(32.0)).ln().recip() * std::f64::consts::LN_2;
    assert!(
        (16.0..21.0).contains(&half_life),
        "IVIG half-life {half_life} d"
    );
    // No cell is acted on; the patient's own antibodies (the autoantibody among them)
    // are cleared a little faster while the donor IgG competes for FcRn, never slower.
    // Every cell is the same up to the dose. After it the lower autoantibody reaches
    // cells only through the disease loop (autoantigen: a self-reactive cell's
    // engagement, then activation or, without help, death), which gives the run other
    // draws: the resting pools stay within run-to-run noise (measured: within 1.6%;
    // activated B and plasmablasts, made in bursts, within 10%).
    for (a, b) in plain.iter().zip(&given) {
        if a.day <= 10.0 {
            assert_eq!(a.populations, b.populations, "day {}", a.day);
        }
        // Transitional cells are mostly self-reactive in lupus, held at their own 5e5
        // cells per agent on this coarse host, and follow the disease loop's draws: 4.1%
        // apart on day 37 (seed 1).
        for (p, tolerance) in [
            (Population::BTransitional, 0.06),
            (Population::BNaive, 0.03),
            (Population::BMemory, 0.03),
            (Population::PlasmaCell, 0.03),
            (Population::Cd4Naive, 0.03),
            (Population::Cd4Memory, 0.03),
            (Population::Cd8Naive, 0.03),
            (Population::Cd8Memory, 0.03),
        ] {
            let (m, n) = (a.total_cells(p), b.total_cells(p));
            assert!(
                (n / m - 1.0).abs() < tolerance,
                "day {}: {} {m:.4e} vs {n:.4e} with IVIG",
                a.day,
                p.name()
            );
        }
        // Every antibody is lower with IVIG while the donor IgG competes for FcRn. The
        // autoantibody is made by the disease loop's bursts of plasmablasts, whose draws
        // differ after the dose: from about three weeks after it the two runs' bursts,
        // not the clearance, set the difference (seed 1: from −9% to +12% over days
        // 30–60 across two versions of the candidate draws), so it is then held only
        // to that noise.
        for (s, (own, with_ivig)) in
            (a.serology.igg_mg_per_l.iter().zip(b.serology.igg_mg_per_l)).enumerate()
        {
            let bursts = s == Specificity::Autoantigen.index() && a.day > 30.0;
            let (floor, ceiling) = if bursts { (0.85, 1.15) } else { (0.9, 1.0) };
            assert!(
                with_ivig <= ceiling * own && with_ivig >= floor * own,
                "day {}: {:?} {with_ivig} vs {own} mg/L",
                a.day,
                Specificity::ALL[s]
            );
        }
    }
}

#[test]
fn product_cd4_share_and_car_t_rows_by_phenotype() {
    let snapshots = simulate(&with_products(
        "[[products]]\nname = \"CD19\"\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\n\
         cd4_share = 0.25\nphenotype_shares = [0, 0, 0, 1]\n",
    ));
    let day1 = on_day(&snapshots, 1.0);
    // One row per product x phenotype x subset, in fixed order.
    assert_eq!(day1.car_t.len(), 5 * 2);
    let cd4: u64 = day1.car_t.iter().filter(|r| !r.cd8).map(|r| r.agents).sum();
    let all: u64 = day1.car_t.iter().map(|r| r.agents).sum();
    let share = cd4 as f64 / all as f64;
    assert!((0.15..0.35).contains(&share), "CD4 share {share}");
    // An all-effector product: nothing infused as stem-like cells.
    let stem: u64 = day1
        .car_t
        .iter()
        .filter(|r| r.population == immunosim_model::Population::CarStemLike)
        .map(|r| r.agents)
        .sum();
    assert_eq!(stem, 0);
    let percent: f64 = day1.car_t.iter().map(|r| r.percent_of_cd3).sum();
    let expected = 100.0 * car_t_per_ul(day1) / cd3_per_ul(day1);
    assert!((percent - expected).abs() < 1e-9 * expected.max(1.0));
}

#[test]
fn bad_journey_input_is_reported_with_file_line_and_the_rule() {
    let product = "[[products]]\ntargets = [\"CD19\"]\n";
    let cases: &[(String, &[&str])] = &[
        (
            format!(
                "{product}dose_cells_per_kg = 1e6\nleukapheresis_day = -20\nmanufacturing_days_max = 28\n"
            ),
            &[
                "t.toml:1:1",
                "products[0].infusion_day",
                "before the product is manufactured",
                "day 8",
            ],
        ),
        (
            format!(
                "{product}dose_cells_per_kg = 1e6\ninfusion_day = 30\nleukapheresis_day = -20\n"
            ),
            &[],
        ),
        (
            format!("{product}dose_cells_per_kg = 1e6\ndose_cells = 7e7\n"),
            &["t.toml:4:14", "products[0].dose_cells", "not both"],
        ),
        (
            product.to_string(),
            &["products[0].dose_cells_per_kg", "needs a dose"],
        ),
        (
            format!("{product}dose_cells = 1e12\n"),
            &[
                "products[0].dose_cells",
                "cells/kg",
                "allowed 1e4 <= x <= 1e10",
            ],
        ),
        (
            format!(
                "{product}dose_cells_per_kg = 1e6\nsource = \"allogeneic\"\nleukapheresis_day = -30\n"
            ),
            &["t.toml:5:21", "products[0].leukapheresis_day", "allogeneic"],
        ),
        (
            format!("{product}dose_cells_per_kg = 1e6\nmanufacturing_days_max = 30\n"),
            &["t.toml:4:26", "needs leukapheresis_day"],
        ),
        (
            format!("{product}dose_cells_per_kg = 1e6\nphenotype_shares = [0.5, 0.5, 0.5]\n"),
            &["t.toml:4:20", "adding to 1", "found 3"],
        ),
        (
            format!("{product}dose_cells_per_kg = 1e6\nplatform = \"rna\"\n"),
            &["t.toml:4:12", "allowed: one of viral, mrna"],
        ),
        (
            "[[vaccinations]]\nday = 10\nvaccine = \"measles\"\n".to_string(),
            &[
                "t.toml:3:11",
                "vaccinations[0].vaccine",
                "vaccine_a, vaccine_b",
            ],
        ),
        (
            "[bridging]\nprednisolone_mg_per_day = 10\nstart_day = -5\nend_day = -20\n".to_string(),
            &[
                "t.toml:4:11",
                "bridging.end_day",
                "must be after bridging.start_day",
            ],
        ),
        (
            "[[ivig]]\nday = 10\ndose_g_per_kg = 4\n".to_string(),
            &[
                "t.toml:3:17",
                "ivig[0].dose_g_per_kg",
                "allowed 0.05 <= x <= 2",
            ],
        ),
        (
            "[scenario]\nburn_in_days = 10\n[[ivig]]\nday = -20\ndose_g_per_kg = 0.4\n".to_string(),
            &["t.toml:4:7", "ivig[0].day", "before the simulation starts"],
        ),
    ];
    assert_scenario_errors(cases);
}

#[test]
fn bridging_glucocorticoid_damps_activity_while_given() {
    // At the default resolution (5e5 cells per agent): the coarse patient's score
    // wanders by as much as the drug moves it.
    let patient = coarse_untreated().replace("cells_per_agent = 3e6", "cells_per_agent = 5e5");
    let plain = simulate(&patient);
    let bridged = simulate(&format!(
        "{patient}[bridging]\nprednisolone_mg_per_day = 20\nstart_day = 5\nend_day = 30\n"
    ));
    let (b, p) = (
        |day| score(on_day(&bridged, day)),
        |day| score(on_day(&plain, day)),
    );
    // Nothing before it starts: the same draws give the same patient (common random
    // numbers, see `rules::quiet`)...
    assert_eq!(b(4.0), p(4.0));
    // ...then 20 mg/day suppresses half the immune-complex-driven inflammation (Emax
    // 0.8, ED50 10 mg/day): the score falls over weeks (measured at day 29, seeds
    // 1-4: 2.1-2.4 points below the same patient without it)...
    assert!(p(29.0) - b(29.0) > 1.5, "score {} vs {}", b(29.0), p(29.0));
    // ...while the autoantibody, made by cells the drug does not touch, moves only
    // with the noise of the run: the less inflamed organ releases less autoantigen, but
    // within a few weeks that is lost in the spread of a few hundred self-reactive
    // agents (day 29, seeds 1-4: -4% to 0%, -5% to +2% with the previous version's
    // draws; the quiet cells' draws follow rates, so the
    // two runs share their random numbers only in part).
    let ab = |s: &[Snapshot]| autoantibody(on_day(s, 29.0));
    assert!(
        (ab(&bridged) / ab(&plain) - 1.0).abs() < 0.15,
        "autoantibody {} vs {}",
        ab(&bridged),
        ab(&plain)
    );
    // Not asserted: that activity climbs back once it stops. After a 120-day burn-in
    // this patient is still relaxing from the disease held through it (score ~15.4
    // falling to 10-13 by day 60 untreated), and, the model being bistable, a few
    // weeks of lower inflammation can tip it towards the quiescent state: the score
    // rose again from day 35 to 60 at two of seeds 1-4 (0-2 of 4 with earlier
    // versions' draws).
}
