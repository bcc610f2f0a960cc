//! The queue against queueing theory, its monotonicity in capacity and its
//! determinism (the journeys it gives each arm: `journey_tests`).

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
