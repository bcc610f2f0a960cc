//! Host T-cell reconstitution after lymphodepletion: slow, thymus-limited in adults, the
//! nadir set by the regimen.

use crate::support::*;
use immunosim_engine::recorder::Snapshot;
use immunosim_model::Population;

/// Host CD4+ T cells per µL of blood.
fn cd4(s: &Snapshot) -> f64 {
    s.cd4_blood_per_ul()
}

/// Lymphodepletion alone (no CAR-T product, so that the host's own regrowth is what is
/// measured), recorded for a year.
fn lymphodepleted(preset: &str, burn_in: u32, regimen: &str) -> Vec<Snapshot> {
    simulate(&format!(
        "[scenario]\npreset = \"{preset}\"\ndays = 365\nburn_in_days = {burn_in}\n\
         record_every_days = 1\n[resolution]\ncells_per_agent = 2e6\n[lymphodepletion]\n{regimen}"
    ))
}

/// 90-day means would hide the course; a 15-day window around each day smooths the
/// coarse agents' noise.
fn around(s: &[Snapshot], day: f64) -> f64 {
    mean(s, day - 7.0, day + 7.0, cd4)
}

#[test]
fn host_cd4_stay_low_for_months_after_axi_cel_lymphodepletion() {
    // The axi-cel regimen: Flu 30 + Cy 500 mg/m2/day on days -5 to -3, on the
    // lymphoma-like host.
    let s = lymphodepleted(
        "lymphoma_like",
        60,
        "fludarabine_mg_per_m2_per_day = 30\nfludarabine_days = [-5, -4, -3]\n\
         cyclophosphamide_mg_per_m2_per_day = 500\ncyclophosphamide_days = [-5, -4, -3]\n",
    );
    let before = cd4(&s[0]);
    assert!(before > 600.0, "baseline CD4 {before}");
    // Measured (seed 1, 2e6 cells per agent): ~14/uL at day 0, ~26 at day 90, ~170 at
    // one year. Gompertz regrowth at Kimmel's r_N (the previous rule) gave >= 200/uL
    // within a week.
    let day90 = around(&s, 90.0);
    assert!(day90 < 200.0, "CD4 at day 90: {day90}");
    // One year: within the range of the LBCL cohort (median 155, range 33-269/uL; ref
    // lbcl_cd4_1y), which the memory T-cell division limit was fitted to.
    let (_, low, high) = reference("lbcl_cd4_1y");
    let year = mean(&s, 350.0, 364.0, cd4);
    assert!(
        (low.unwrap()..=high.unwrap()).contains(&year),
        "CD4 at one year: {year}"
    );
    // Slow, but regrowing: the naive pool is thymus-limited, the memory pool expands.
    assert!(year > 3.0 * around(&s, 20.0), "CD4 regrowth {year}");
}

/// The adult, pretreated host's bounds of the lymphoma-like preset, with the Erlangen
/// SLE regimen (Flu 25 mg/m2 on days -5 to -3, Cy 1 g/m2 on day -3) on the SLE patient.
/// No published CD4 course after this regimen in SLE is in data/ (the SLE preset itself
/// leaves regrowth unbounded, docs/model.md §4.3); the expectation is the adult one
/// (Mackall et al., N Engl J Med 1995, recalled: months to years) and Baird 2021's
/// after axi-cel (ref baird_cd4_below_200_18m: half below 200/uL at 18 months), with a
/// shallower nadir than after the axi-cel regimen (less drug).
#[test]
fn the_nadir_depends_on_the_regimen_and_an_adult_host_recovers_over_months() {
    let bounds = "[parameters.t_cells]\nnaive_lymphopenic_division_max_fold = 2.0\n\
                  memory_lymphopenic_division_max_fold = 2.75\n";
    let erlangen = lymphodepleted(
        "sle",
        365,
        &format!(
            "fludarabine_mg_per_m2_per_day = 25\nfludarabine_days = [-5, -4, -3]\n\
             cyclophosphamide_mg_per_m2_per_day = 1000\ncyclophosphamide_days = [-3]\n{bounds}"
        ),
    );
    let axi_cel = lymphodepleted(
        "sle",
        365,
        &format!(
            "fludarabine_mg_per_m2_per_day = 30\nfludarabine_days = [-5, -4, -3]\n\
             cyclophosphamide_mg_per_m2_per_day = 500\ncyclophosphamide_days = [-5, -4, -3]\n{bounds}"
        ),
    );
    // Measured (seed 1): nadir ~40 vs ~14/uL; day 90 ~60; one year ~290 vs ~170.
    let nadir = |s: &[Snapshot]| around(s, 3.0);
    assert!(
        nadir(&erlangen) > 1.5 * nadir(&axi_cel),
        "nadirs {} vs {}",
        nadir(&erlangen),
        nadir(&axi_cel)
    );
    assert!(around(&erlangen, 28.0) < 200.0, "CD4 at day 28");
    assert!(around(&erlangen, 90.0) < 200.0, "CD4 at day 90");
    let year = mean(&erlangen, 350.0, 364.0, cd4);
    assert!((100.0..600.0).contains(&year), "CD4 at one year: {year}");
}

/// The blood B-cell course after the Erlangen regimen (Flu 25 mg/m2 on days -5 to -3,
/// Cy 1 g/m2 on day -3) without a CD19 product, against Wang et al., Blood Adv
/// 2021;5:5290 (abstract seen): after Flu/Cy and a BCMA CAR-T, which spares B cells,
/// all 40 patients became B-aplastic, the nadir came on median day 7, aplasia lasted a
/// median of 70 days (23-270) and baseline was back on median day 97 (refs
/// wang_bcma_b_nadir_day, wang_bcma_b_aplasia_days, wang_bcma_b_baseline_day).
/// Measured (seed 1, 3e6 cells per agent; `share` is a 5-day mean): 2.6% of baseline
/// on day 0, 12% on day 7, 46% on day 28, 88% on day 97; with B cells killed as deeply
/// as T cells (`b_cell_log_kill_relative` 1) day 0 was 6.7%. The early regrowth is the
/// marrow's: new transitional and naive cells, not the survivors (memory B cells stay
/// below a tenth of their baseline for the first month; memory B cells come back over
/// months after depletion, recalled). That the model's nadir comes
/// on day ~-2 and is at ~12% by day 7, not at its lowest then, is a known miss
/// (docs/calibration.md, "Lymphodepletion and B cells").
fn assert_b_course_after_flu_cy(s: &[Snapshot], what: &str) {
    let before = mean(s, -10.0, -6.0, b_cells);
    assert!(before > 100.0, "{what}: B cells before Flu/Cy {before}");
    let share = |day: f64| mean(s, day - 2.0, day + 2.0, b_cells) / before;
    let nadir = mean(s, -2.0, 0.0, b_cells) / before;
    assert!(nadir < 0.04, "{what}: B cells on days -2 to 0: {nadir}");
    let (nadir_day, _, _) = reference("wang_bcma_b_nadir_day");
    let (baseline_day, _, _) = reference("wang_bcma_b_baseline_day");
    assert!(
        share(nadir_day) < 0.2,
        "{what}: day 7: {}",
        share(nadir_day)
    );
    assert!(share(28.0) < 0.6, "{what}: day 28: {}", share(28.0));
    assert!(
        share(baseline_day) > 0.8,
        "{what}: day 97: {}",
        share(baseline_day)
    );
    assert!(share(125.0) > 0.85, "{what}: day 125: {}", share(125.0));
    let memory = |s: &Snapshot| s.blood_per_ul_where(|p| p == Population::BMemory);
    let memory_share = mean(s, 26.0, 30.0, memory) / mean(s, -10.0, -6.0, memory);
    assert!(
        memory_share < 0.1,
        "{what}: memory B cells on day 28: {memory_share}"
    );
}

#[test]
fn blood_b_cells_after_flu_cy_alone_fall_to_a_few_percent_and_return_by_month_four() {
    let s = simulate(
        "[scenario]\npreset = \"sle\"\ndays = 130\nburn_in_days = 60\nrecord_every_days = 1\n\
         [resolution]\ncells_per_agent = 3e6\n[lymphodepletion]\n\
         fludarabine_mg_per_m2_per_day = 25\nfludarabine_days = [-5, -4, -3]\n\
         cyclophosphamide_mg_per_m2_per_day = 1000\ncyclophosphamide_days = [-3]\n",
    );
    assert_b_course_after_flu_cy(&s, "Flu/Cy alone");
}

/// The shipped lupus-nephritis BCMA scenario: BCMA is on plasmablasts and plasma cells,
/// not on B cells, so its B cells follow the Flu/Cy course above (the B-cell loss in
/// Wang 2021 is lymphodepletion's), while the plasma cells fall with the CAR-T
/// expansion (measured, seed 1, 3e6 cells per agent: 70% of baseline on day 7, 2% on
/// day 14). Before the B-cell kill was set apart from the T cells', its B cells were at
/// 7% of baseline on day 0.
#[test]
fn ln_bcma_b_cells_fall_after_flu_cy_and_return_while_its_plasma_cells_stay_low() {
    let text = replace_once(
        include_str!("../scenarios/ln_bcma.toml"),
        "days = 365\nburn_in_days = 365\n",
        "days = 130\nburn_in_days = 60\nrecord_every_days = 1\n",
    ) + "[resolution]\ncells_per_agent = 3e6\n";
    let s = simulate(&text);
    assert_b_course_after_flu_cy(&s, "ln_bcma");
    let before = mean(&s, -10.0, -6.0, plasma_cells);
    let day28 = mean(&s, 26.0, 30.0, plasma_cells);
    assert!(
        day28 < 0.1 * before,
        "plasma cells on day 28: {day28} of {before}"
    );
}

/// The lymphoma-like host is pretreated: the rituximab of its earlier lines (last dose
/// on day -60, rules::anti_cd20) keeps new B cells from reaching blood, so after the
/// axi-cel regimen alone its blood B cells are undetectable (below 1/uL) on day 30,
/// as in 88% of LBCL patients after axi-cel (ref lbcl_b_cell_detectable_1y's note),
/// and come back only once the antibody has waned, months later (57.9% and 40% of
/// patients have detectable B cells at one year; refs lbcl_b_cell_detectable_1y,
/// baird_b_cell_detectable_1y). Without the antibody (the previous preset) they were
/// back at tens per uL within a month.
#[test]
fn a_pretreated_lymphoma_host_has_no_blood_b_cells_for_months_and_regains_them_within_a_year() {
    let regimen = "fludarabine_mg_per_m2_per_day = 30\nfludarabine_days = [-5, -4, -3]\n\
         cyclophosphamide_mg_per_m2_per_day = 500\ncyclophosphamide_days = [-5, -4, -3]\n";
    let s = lymphodepleted("lymphoma_like", 60, regimen);
    let b = |from: f64, to: f64| mean(&s, from, to, b_cells);
    // The burn-in starts from the healthy steady state; the antibody clears it at
    // once, before lymphodepletion.
    assert!(
        b(-10.0, -6.0) < 1.0,
        "B cells before Flu/Cy {}",
        b(-10.0, -6.0)
    );
    // Measured (seed 1, 2e6 cells per agent): 0/uL on days 0-90, first >= 1/uL on
    // day ~113, 6/uL on day 150, ~235/uL at one year (healthy ~350).
    assert!(b(28.0, 32.0) < 1.0, "B cells on day 30 {}", b(28.0, 32.0));
    assert!(b(85.0, 95.0) < 1.0, "B cells on day 90 {}", b(85.0, 95.0));
    let year = b(350.0, 364.0);
    assert!(year > 20.0, "B cells at one year {year}");
    // The same host without prior anti-CD20 therapy regains them within weeks.
    let untreated = simulate(&format!(
        "[scenario]\npreset = \"lymphoma_like\"\ndays = 40\nburn_in_days = 60\n\
         record_every_days = 1\n[resolution]\ncells_per_agent = 2e6\n\
         [parameters.anti_cd20]\nlast_dose_serum_ug_per_ml = 0\n[lymphodepletion]\n{regimen}"
    ));
    let back = mean(&untreated, 28.0, 32.0, b_cells);
    assert!(back > 10.0, "B cells on day 30 without the antibody {back}");
}

/// The SLE patient after the Erlangen regimen and a CD19 product: host CD4 regrow
/// faster than the pretreated lymphoma host's after the axi-cel regimen, and are back
/// before the B cells return. Müller et al., Blood 2025 (doi 10.1182/blood.2025028375;
/// abstract seen), compared Erlangen SLE with B-NHL patients after CD19 CAR-T and similar
/// lymphodepletion: "the reconstitution of conventional T and B cells was faster in SLE",
/// and "B-cell reconstitution correlated with functional CD4+ T-cell recovery". No CD4
/// counts after this regimen in SLE are in data/; the SLE preset leaves the host's
/// lymphopenic T-cell division unbounded (docs/model.md §4.3), and this asserts only
/// the order the source reports.
#[test]
fn sle_cd4_recover_faster_than_after_the_axi_cel_regimen_and_before_the_b_cells_return() {
    let run =
        simulate_with_events(&CD19_CAR_T.replace("days = 60", "days = 200\nrecord_every_days = 1"));
    let sle = &run.snapshots;
    let b_return = immunosim_outcomes::Outcomes::of_run(sle, &run.events)
        .b_return_day
        .expect("B cells came back within 200 days");
    let lymphoma = lymphodepleted(
        "lymphoma_like",
        60,
        "fludarabine_mg_per_m2_per_day = 30\nfludarabine_days = [-5, -4, -3]\n\
         cyclophosphamide_mg_per_m2_per_day = 500\ncyclophosphamide_days = [-5, -4, -3]\n",
    );
    let relative = |s: &[Snapshot], day: f64| around(s, day) / cd4(&s[0]);
    for day in [28.0, 90.0] {
        assert!(
            relative(sle, day) > relative(&lymphoma, day),
            "CD4 on day {day}: SLE {:.2} of baseline, lymphoma-like {:.2}",
            relative(sle, day),
            relative(&lymphoma, day)
        );
    }
    let recovered = sle
        .iter()
        .find(|s| s.day >= 0.0 && cd4(s) >= 200.0)
        .map(|s| s.day)
        .expect("CD4 never back at 200/uL");
    assert!(
        recovered < b_return,
        "CD4 back at 200/uL on day {recovered}, B cells on day {b_return}"
    );
}

/// Two chemotherapy days that fall in one time step act one after the other, as the
/// same doses given together do: log kills add, so the T cells left are the product of
/// both survivals. Each dose draws its own chance per cell; with one shared draw the
/// second dose killed only cells the first had already killed and left the survival of
/// the stronger dose alone (seed 1: 0.22 of the T cells left one day later, against
/// 0.14 with the doses together).
#[test]
fn two_chemotherapy_days_in_one_step_kill_as_the_same_doses_given_together() {
    let t_cells = |cyclophosphamide_day: &str| {
        let s = simulate(&format!(
            "[scenario]\npreset = \"sle\"\ndays = 2\nburn_in_days = 10\nrecord_every_days = 1\n\
             [resolution]\ncells_per_agent = 3e6\n[lymphodepletion]\n\
             fludarabine_mg_per_m2_per_day = 25\nfludarabine_days = [-1]\n\
             cyclophosphamide_mg_per_m2_per_day = 1000\ncyclophosphamide_days = [{cyclophosphamide_day}]\n"
        ));
        let all = |s: &Snapshot| -> f64 {
            Population::LIVING
                .iter()
                .filter(|p| p.is_t_cell())
                .map(|&p| s.total_cells(p))
                .sum()
        };
        all(on_day(&s, 0.0)) / all(on_day(&s, -2.0))
    };
    let together = t_cells("-1");
    let same_step = t_cells("-0.5");
    assert!(
        together < 0.5,
        "T cells left by flu + Cy on one day: {together}"
    );
    assert!(
        (same_step / together - 1.0).abs() < 0.1,
        "T cells left: {same_step} with the two days in one step, {together} with one day"
    );
}
