//! The queue against queueing theory, its monotonicity in capacity, its determinism,
//! and the journeys it gives each arm.

use crate::queue::*;
use immunosim_facility::{
    Discipline, Facility, Journey, Referral, Request, lines_for_mean_wait, mean, referral_days,
    simulate,
};

fn facility(lines: u32, batch_days: f64, failure: f64) -> Facility {
    Facility {
        lines,
        batch_days,
        failure_probability: failure,
        max_attempts: 2,
        discipline: Discipline::Fifo,
    }
}

fn poisson_requests(per_week: f64, n: usize, seed: u64) -> Vec<Request> {
    referral_days(Referral::Poisson { per_week }, n, &Keyed(seed))
        .into_iter()
        .enumerate()
        .map(|(k, day)| Request {
            patient: k as u64,
            referral_day: day,
            ready_day: day,
            severity: 0.0,
        })
        .collect()
}

fn waits(journeys: &[Journey], requests: &[Request]) -> Vec<f64> {
    journeys
        .iter()
        .zip(requests)
        .map(|(j, r)| j.attempts[0].start_day - r.ready_day)
        .collect()
}

/// Two-sided 99.9% quantile of Student's t with 19 degrees of freedom (20 batches).
const T_999_19: f64 = 3.883;

/// M/D/1: Poisson arrivals at rate lambda into one line with a fixed batch length D wait
/// Wq = rho D / (2 (1 - rho)) in the queue on average, rho = lambda D
/// (Pollaczek-Khinchine). 21,000 arrivals, the first 1,000 dropped (the queue starts
/// empty; its relaxation time at rho 0.8 is about D / (1 - sqrt rho)^2 = 90 arrivals),
/// the rest in 20 batches of 1,000, whose means are nearly independent: the tolerance
/// is the 99.9% t interval of their mean.
#[test]
fn one_line_with_fixed_batches_waits_as_m_d_1() {
    let d = 7.0;
    for (rho, seed) in [(0.5, 11), (0.8, 12)] {
        let per_week = rho / d * 7.0;
        let requests = poisson_requests(per_week, 21_000, seed);
        let w = waits(
            &simulate(&facility(1, d, 0.0), &requests, &Keyed(seed)),
            &requests,
        );
        let batches: Vec<f64> = w[1_000..].chunks(1_000).map(mean).collect();
        assert_eq!(batches.len(), 20);
        let m = mean(&batches);
        let sd = (batches.iter().map(|b| (b - m).powi(2)).sum::<f64>() / 19.0).sqrt();
        let se = sd / 20f64.sqrt();
        let theory = rho * d / (2.0 * (1.0 - rho));
        assert!(
            (m - theory).abs() <= T_999_19 * se,
            "rho {rho}: mean wait {m:.3} days vs Pollaczek-Khinchine {theory:.3} (SE {se:.3})"
        );
        // The interval is informative: well under the wait itself.
        assert!(T_999_19 * se < 0.25 * theory, "SE {se} too wide");
    }
}

/// More lines never lengthen the mean wait (nor any FIFO patient's first start), with
/// failures and re-manufacture, over capacities and seeds.
#[test]
fn more_capacity_never_lengthens_the_wait() {
    for seed in 1..=6 {
        let requests = poisson_requests(2.0, 300, seed);
        let mut previous: Option<Vec<f64>> = None;
        let one_line = mean(&waits(
            &simulate(&facility(1, 21.0, 0.1), &requests, &Keyed(seed)),
            &requests,
        ));
        for lines in 1..=8 {
            let w = waits(
                &simulate(&facility(lines, 21.0, 0.1), &requests, &Keyed(seed)),
                &requests,
            );
            if let Some(p) = &previous {
                assert!(mean(&w) <= mean(p), "seed {seed}, {lines} lines");
                for (now, before) in w.iter().zip(p) {
                    assert!(now <= before, "seed {seed}, {lines} lines");
                }
            }
            previous = Some(w);
        }
        // 2 a week for 3 weeks each (and 10% made twice) load 6.6 lines: one line is
        // overwhelmed (years), eight keep the wait to days.
        let eight = mean(previous.as_ref().unwrap());
        assert!(
            one_line > 300.0 && eight < 0.01 * one_line,
            "{one_line} {eight}"
        );
    }
}

#[test]
fn the_capacity_search_finds_the_fewest_lines_meeting_the_target() {
    let requests = poisson_requests(2.0, 200, 3);
    let f = facility(1, 21.0, 0.0);
    let found = lines_for_mean_wait(&f, &requests, &Keyed(3), 2.0, 64).unwrap();
    let mean_wait = |lines| {
        mean(&waits(
            &simulate(&facility(lines, 21.0, 0.0), &requests, &Keyed(3)),
            &requests,
        ))
    };
    assert!(mean_wait(found) <= 2.0);
    assert!(mean_wait(found - 1) > 2.0);
    // 6 lines a week of 21 days: the offered load is 2 x 3 = 6 lines.
    assert!(found >= 6, "{found}");
    assert_eq!(lines_for_mean_wait(&f, &requests, &Keyed(3), 2.0, 3), None);
}

/// Same seed, same waits; patient k's referral, first batch and batch outcomes are the
/// same in a cohort of 10 as of 20 (FIFO: later referrals do not overtake). A second
/// batch re-enters the queue when the first fails, behind whoever asked before, which
/// may be a later patient: without failures the whole journey is the same.
#[test]
fn patient_k_does_not_depend_on_later_patients() {
    let f = facility(1, 14.0, 0.3);
    let short = poisson_requests(1.0, 10, 9);
    let long = poisson_requests(1.0, 20, 9);
    assert_eq!(short[..], long[..10]);
    let a = simulate(&f, &short, &Keyed(9));
    assert_eq!(a, simulate(&f, &short, &Keyed(9)));
    let b = simulate(&f, &long, &Keyed(9));
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.attempts[0], y.attempts[0]);
        let failed = |j: &Journey| j.attempts.iter().map(|t| t.failed).collect::<Vec<_>>();
        assert_eq!(failed(x), failed(y));
    }
    assert_ne!(a, simulate(&f, &short, &Keyed(10)));
    // Some batch failed and was made again (p = 0.3 over 10 patients).
    assert!(a.iter().any(|j| j.attempts.len() == 2));
    for j in &a {
        assert!(j.attempts.len() <= 2);
        if j.attempts.len() == 2 {
            assert!(j.attempts[0].failed);
            assert!(j.attempts[1].requested_day == j.attempts[0].release_day);
            assert!(j.attempts[1].start_day >= j.attempts[0].release_day);
        }
    }
    let sure = facility(1, 14.0, 0.0);
    assert_eq!(
        simulate(&sure, &short, &Keyed(9))[..],
        simulate(&sure, &long, &Keyed(9))[..10]
    );
}

#[test]
fn severity_goes_first_among_those_waiting() {
    let requests: Vec<Request> = [4.0, 10.0, 7.0, 20.0]
        .iter()
        .enumerate()
        .map(|(k, &severity)| Request {
            patient: k as u64,
            referral_day: 0.0,
            ready_day: 0.0,
            severity,
        })
        .collect();
    let mut f = facility(1, 10.0, 0.0);
    let starts = |f: &Facility| -> Vec<f64> {
        simulate(f, &requests, &Keyed(1))
            .iter()
            .map(|j| j.attempts[0].start_day)
            .collect()
    };
    assert_eq!(starts(&f), [0.0, 10.0, 20.0, 30.0]);
    f.discipline = Discipline::Severity;
    assert_eq!(starts(&f), [30.0, 10.0, 20.0, 0.0]);
}

const COHORT: &str = "[scenario]\nname = \"q\"\npreset = \"sle\"\ndays = 30\nburn_in_days = 30\nseed = 5\n\
    [cohort]\npatients = 3\n\
    [facility]\nreferral = \"all_at_once\"\nscreening_days = 5\nlines = 1\nbatch_days = 10\nfailure_probability = 0\n\
    [[arms]]\nname = \"auto\"\n\
    [arms.lymphodepletion]\nfludarabine_mg_per_m2_per_day = 25\nfludarabine_days = [-5, -4, -3]\n\
    [arms.bridging]\nprednisolone_mg_per_day = 10\nstart_day = -25\nend_day = -6\n\
    [[arms.products]]\nname = \"CD19\"\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\nleukapheresis_day = -30\n\
    manufacturing_days_min = 16\nmanufacturing_days_max = 20\n\
    [[arms]]\nname = \"allo\"\n\
    [arms.lymphodepletion]\nfludarabine_mg_per_m2_per_day = 25\nfludarabine_days = [-5, -4, -3]\n\
    [[arms.products]]\nname = \"allo\"\ntargets = [\"CD19\"]\nsource = \"allogeneic\"\ndose_cells = 7e7\n\
    [[arms]]\nname = \"soc\"\n";

/// The journeys the queue gives each arm, by hand: all referred on day 0, 5 days of
/// screening, one line of 10-day batches; the arm planned leukapheresis on day -30,
/// release by day -10 and infusion on day 0.
#[test]
fn each_arm_is_shifted_by_the_patients_wait() {
    let spec = crate::spec::parse(COHORT, "q.toml", "q").unwrap();
    let p = crate::patient::patient(&spec, 1, 2, 3);
    let (auto, allo, soc) = (&p.arms[0].config, &p.arms[1].config, &p.arms[2].config);
    // Patient 2 starts its batch on day 25 (after patients 0 and 1), released day 35:
    // lymphodepletion and infusion keep their offsets from the planned release (+10).
    let m = auto.products[0].manufacturing.unwrap();
    assert_eq!(
        (
            m.leukapheresis_day,
            m.days_min,
            m.days_max,
            m.failure_probability
        ),
        (25.0, 10.0, 10.0, 0.0)
    );
    assert_eq!(auto.products[0].infusion_day, 45.0);
    let days: Vec<f64> = auto.lymphodepletion.iter().map(|c| c.day).collect();
    assert_eq!(days, [40.0, 41.0, 42.0]);
    let b = auto.bridging.unwrap();
    assert_eq!((b.start_day, b.end_day), (30.0, 39.0));
    // The allogeneic arm: infusion 7 days (the default) after screening.
    assert_eq!(allo.products[0].infusion_day, 12.0);
    assert_eq!(allo.lymphodepletion[0].day, 7.0);
    assert_eq!(soc.products.len(), 0);
    let q = queue(&spec, 1, 3).unwrap();
    let csv = crate::report::queue::queue_csv(&spec, spec.facility.as_ref().unwrap(), &q);
    let line = csv.lines().find(|l| l.starts_with("2,auto,")).unwrap();
    assert_eq!(line, "2,auto,facility,0,5,false,25,25,35,1,false,45,25,45");
    let line = csv.lines().find(|l| l.starts_with("2,allo,")).unwrap();
    assert_eq!(line, "2,allo,allogeneic,0,5,false,,,,,,12,,12");
    let line = csv.lines().find(|l| l.starts_with("2,soc,")).unwrap();
    assert_eq!(line, "2,soc,none,0,5,false,,,,,,,,");
}

#[test]
fn a_cohort_without_facility_is_unshifted() {
    let text = COHORT.replace("[facility]", "[nothing]");
    let text = text
        .lines()
        .filter(|l| {
            !l.starts_with("[nothing]")
                && !l.starts_with("referral")
                && !l.starts_with("screening")
                && !l.starts_with("lines")
                && !l.starts_with("batch")
                && !l.starts_with("failure")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let spec = crate::spec::parse(&text, "q.toml", "q").unwrap();
    assert!(spec.facility.is_none());
    let p = crate::patient::patient(&spec, 1, 2, 3);
    assert_eq!(p.arms[0].config.products[0].infusion_day, 0.0);
    assert_eq!(
        p.arms[0].config.products,
        spec.arms[0].scenario.config.products
    );
}

fn errors(text: &str) -> String {
    crate::spec::parse(text, "q.toml", "q")
        .unwrap_err()
        .to_string()
}

#[test]
fn facility_errors_name_the_field_and_what_is_allowed() {
    let e = errors(&COHORT.replace("referral = \"all_at_once\"\n", ""));
    assert!(
        e.contains("q.toml:") && e.contains("facility.referrals_per_week"),
        "{e}"
    );
    let e = errors(&COHORT.replace("lines = 1", "lines = 0"));
    assert!(e.contains("facility.lines") && e.contains("10000"), "{e}");
    let e = errors(&COHORT.replace("batch_days = 10", "batch_dayz = 10"));
    assert!(e.contains("did you mean `batch_days`"), "{e}");
    let e = errors(&COHORT.replace("leukapheresis_day = -30\n", "").replace(
        "manufacturing_days_min = 16\nmanufacturing_days_max = 20\n",
        "",
    ));
    assert!(
        e.contains("arms[0]") && e.contains("leukapheresis_day"),
        "{e}"
    );
    let e = errors(&COHORT.replace(
        "failure_probability = 0\n",
        "failure_probability = 0\npriority = \"severity\"\n",
    ));
    assert!(
        e.contains("facility.severity_target") && e.contains("patient.entry_score"),
        "{e}"
    );
    let e = errors(
        &COHORT
            .replace("batch_days = 10", "batch_days = 1")
            .replace("end_day = -6", "end_day = -20"),
    );
    assert!(e.contains("arms[0].bridging"), "{e}");
    let e = errors(&COHORT.replace(
        "screening_days = 5",
        "screening_days = 0\nallogeneic_days_to_infusion = 2",
    ));
    assert!(
        e.contains("arms[1]") && e.contains("lymphodepletion would come 3.0 days before referral"),
        "{e}"
    );
}

/// Two SLE patients referred together, coarse resolution: with one line, patient 1's
/// product is made after patient 0's, ten days later than with two lines. Nothing but
/// the journey's days differs, yet the simulated disease of patient 1 stays active
/// longer after referral (its lupus goes on while it waits), and patient 0, whose wait
/// is the same, runs exactly as before.
#[test]
fn a_longer_wait_keeps_the_simulated_lupus_active_longer() {
    let cohort = |lines: u32| {
        format!(
            "[scenario]\nname = \"w\"\npreset = \"sle\"\ndays = 60\nburn_in_days = 30\nseed = 5\n\
             [resolution]\ncells_per_agent = 2e7\n[resolution.cells_per_agent_by_kind]\ncar_t = 1e6\n\
             [cohort]\npatients = 2\n\
             [facility]\nreferral = \"all_at_once\"\nscreening_days = 0\nlines = {lines}\nbatch_days = 10\nfailure_probability = 0\n\
             [[arms]]\nname = \"cd19\"\n\
             [arms.lymphodepletion]\nfludarabine_mg_per_m2_per_day = 25\nfludarabine_days = [-5, -4, -3]\n\
             cyclophosphamide_mg_per_m2_per_day = 1000\ncyclophosphamide_days = [-3]\n\
             [[arms.products]]\nname = \"CD19\"\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\n\
             leukapheresis_day = -12\nmanufacturing_days_min = 10\nmanufacturing_days_max = 10\n"
        )
    };
    let run = |lines: u32, k: u64| {
        let spec = crate::spec::parse(&cohort(lines), "w.toml", "w").unwrap();
        let p = crate::patient::patient(&spec, 5, k, 2);
        let infusion = p.arms[0].config.products[0].infusion_day;
        let record = crate::patient::run(&p, &[0], None).unwrap().remove(0);
        (infusion, record)
    };
    let score = crate::recorder::SERIES
        .iter()
        .position(|s| *s == "activity_score")
        .unwrap();
    let active_days = |r: &crate::recorder::ArmRecord| {
        r.days
            .iter()
            .filter(|(d, v)| *d >= 0.0 && v[score] >= 4.0)
            .count()
    };
    let area = |r: &crate::recorder::ArmRecord| {
        r.days
            .iter()
            .filter(|(d, _)| *d >= 0.0)
            .map(|(_, v)| v[score])
            .sum::<f64>()
    };
    let (ample_infusion, ample) = run(2, 1);
    let (tight_infusion, tight) = run(1, 1);
    assert_eq!((ample_infusion, tight_infusion), (12.0, 22.0));
    assert!(
        area(&tight) > area(&ample),
        "score-days {} (one line) vs {} (two)",
        area(&tight),
        area(&ample)
    );
    assert!(
        active_days(&tight) > active_days(&ample),
        "{} vs {}",
        active_days(&tight),
        active_days(&ample)
    );
    assert_eq!(run(2, 0).1, run(1, 0).1);
}

/// A patient who fails screening has no CAR-T in any arm and takes no slot: the next
/// patient is served in its place.
#[test]
fn a_screen_failure_takes_no_slot_and_no_treatment() {
    let text = COHORT.replace(
        "failure_probability = 0\n",
        "failure_probability = 0\nscreen_fail_probability = 0.5\n",
    );
    let spec = crate::spec::parse(&text, "q.toml", "q").unwrap();
    let f = spec.facility.as_ref().unwrap();
    // A seed at which some but not all of 3 patients fail screening.
    let seed = (1..100)
        .find(|&s| {
            let q = queue(&spec, s, 3).unwrap();
            q.screen_failed[0] && !q.screen_failed[1]
        })
        .unwrap();
    let q = queue(&spec, seed, 3).unwrap();
    let p = crate::patient::patient(&spec, seed, 0, 3);
    for arm in &p.arms {
        assert!(arm.config.products.is_empty() && arm.config.lymphodepletion.is_empty());
        assert!(arm.config.bridging.is_none());
    }
    assert!(q.journeys[0].is_none());
    // Patient 1 has the first slot (day 5, at the end of its screening).
    assert_eq!(q.journeys[1].as_ref().unwrap().attempts[0].start_day, 5.0);
    let csv = crate::report::queue::queue_csv(&spec, f, &q);
    let line = csv.lines().find(|l| l.starts_with("0,auto,")).unwrap();
    assert_eq!(line, "0,auto,facility,0,5,true,,,,,,,,");
}
