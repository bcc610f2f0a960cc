//! Baseline severity as a scenario input (`[patient] entry_score`).

use crate::support::*;

/// Two untreated SLE patients entering with SLEDAI-like scores 10 and 18 start at those
/// scores and keep them (+/-2 points) without treatment; the fitted immune loop is the
/// same in both (the same autoantibody course), only the involved organs' points differ.
#[test]
fn entry_scores_10_and_18_start_there_and_hold_untreated() {
    let patient = |score: f64| {
        format!(
            "[scenario]\npreset = \"sle\"\ndays = 120\nburn_in_days = 365\nrecord_every_days = 5\n\
             [patient]\nentry_score = {score}\n[resolution]\ncells_per_agent = 3e6\n"
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
