//! Baseline severity as a scenario input (`[patient] entry_score`).

use crate::support::*;

/// Two untreated SLE patients entering with SLEDAI-like scores 10 and 18 start at those
/// scores and keep them (+/-2 points) without treatment; the fitted immune loop is the
/// same in both (the same autoantibody course), only the involved organs' points differ.
/// At 5e5 cells per agent: at 2e6 the autoantibody's 120-day changes have a standard
/// deviation of ~11% (~6% at 5e5), as much as the tolerance at an entry score of 18.
#[test]
fn entry_scores_10_and_18_start_there_and_hold_untreated() {
    let patient = |score: f64| {
        format!(
            "[scenario]\npreset = \"sle\"\ndays = 120\nburn_in_days = 365\nrecord_every_days = 5\n\
             [patient]\nentry_score = {score}\n[resolution]\ncells_per_agent = 5e5\n"
        )
    };
    let runs: Vec<_> = [10.0, 18.0]
        .into_iter()
        .map(|entry| (entry, simulate(&patient(entry))))
        .collect();
    for (entry, snapshots) in &runs {
        for s in snapshots {
            assert!(
                (score(s) - entry).abs() <= 2.0,
                "entry {entry}: score {:.2} on day {}",
                score(s),
                s.day
            );
            assert!(
                s.serology.autoantibody_positive,
                "entry {entry}: day {}",
                s.day
            );
        }
    }
    let (mild, severe) = (&runs[0].1, &runs[1].1);
    assert_eq!(
        mild.iter().map(autoantibody).collect::<Vec<_>>(),
        severe.iter().map(autoantibody).collect::<Vec<_>>(),
        "the entry score must not change the immune loop"
    );
}

#[test]
fn an_entry_score_needs_established_disease() {
    assert_scenario_errors(&[
        (
            "[scenario]\npreset = \"healthy\"\n[patient]\nentry_score = 12\n",
            &[
                "t.toml:4:15",
                "patient.entry_score",
                "initial_organ_inflammation",
            ][..],
        ),
        (
            "[scenario]\npreset = \"sle\"\n[patient]\nentry_score = 70\n",
            &["t.toml:4:15", "entry_score", "60"][..],
        ),
        (
            "[scenario]\npreset = \"sle\"\n[patient]\nentry_score = 12\n",
            &[][..],
        ),
    ]);
}

/// Lupus nephritis resolves over months after CD19 CAR-T while the serology resolves in
/// weeks (complete renal response typically 6-12 months after effective induction), and
/// irreversible damage accrues while activity lasts and never falls; the immune course
/// is the same with and without nephritis.
#[test]
fn nephritis_resolves_over_months_and_damage_only_accrues() {
    let year = CD19_CAR_T.replace("days = 60", "days = 365");
    let plain = simulate(&year);
    let nephritis = simulate(&format!("{year}[patient]\nnephritis = true\n"));
    assert_eq!(
        plain.iter().map(autoantibody).collect::<Vec<_>>(),
        nephritis.iter().map(autoantibody).collect::<Vec<_>>(),
        "nephritis must not change the immune loop"
    );
    let (p, n) = (
        immunosim_outcomes::Outcomes::of_run(&plain, &[]),
        immunosim_outcomes::Outcomes::of_run(&nephritis, &[]),
    );
    let month = |e: &immunosim_outcomes::Endpoints, i: usize| e.score_at_month[i].1.unwrap();
    // Month 3: the serology and the other organ items are quiet, the kidney is not.
    assert!(
        month(&p, 0) <= 2.0,
        "no nephritis: month 3 score {}",
        month(&p, 0)
    );
    assert!(
        month(&n, 0) >= month(&p, 0) + 3.0,
        "nephritis: month 3 score {} (without {})",
        month(&n, 0),
        month(&p, 0)
    );
    // A partial renal response at 6 months, remission-level scores by 12.
    let renal0 = nephritis[0].serology.renal_activity;
    let renal6 = n.renal_activity_at_month[1].1.unwrap();
    assert!(
        (0.1..0.6).contains(&(renal6 / renal0)),
        "renal activity month 6 {renal6:.3} of {renal0:.3}"
    );
    assert!(
        month(&n, 2) <= 4.0,
        "nephritis: month 12 score {}",
        month(&n, 2)
    );
    for run in [&plain, &nephritis] {
        assert!(
            run.windows(2)
                .all(|w| w[1].serology.damage_index >= w[0].serology.damage_index),
            "damage fell"
        );
    }
    let damage = |e: &immunosim_outcomes::Endpoints| e.damage_at_month[2].1.unwrap();
    assert!(
        damage(&n) > damage(&p) && damage(&p) > 0.0,
        "{} vs {}",
        damage(&n),
        damage(&p)
    );
}
