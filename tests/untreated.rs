//! The untreated patient: healthy and lupus steady states over two years.

use crate::support::*;
use immunosim_model::Population;

#[test]
fn healthy_patient_holds_steady_for_two_years_within_reference_ranges() {
    let snapshots = simulate(
        "[scenario]\npreset = \"healthy\"\ndays = 730\nburn_in_days = 60\nrecord_every_days = 5\n\
         [resolution]\ncells_per_agent = 1e6\n",
    );
    assert_steady(
        &snapshots,
        "healthy",
        &[
            ("B cells", b_cells),
            ("plasma cells", plasma_cells),
            ("IgG", igg),
        ],
    );
    // Reference ranges from data/: blood B cells 109-802 /uL (men, Clin Diagn Lab
    // Immunol 2004, Table 3), IgG 7.68-16.32 g/L (laboratory tables).
    let (_, b_low, b_high) = reference("b_cells_blood_male");
    let (_, igg_low, igg_high) = reference("igg_serum_normal");
    let b_range = b_low.unwrap()..=b_high.unwrap();
    let igg_range = igg_low.unwrap()..=igg_high.unwrap();
    for s in &snapshots {
        assert!(
            b_range.contains(&b_cells(s)),
            "day {}: B {}",
            s.day,
            b_cells(s)
        );
        assert!(igg_range.contains(&igg(s)), "day {}: IgG {}", s.day, igg(s));
        assert!(score(s) < 0.5, "day {}: healthy score {}", s.day, score(s));
        assert!(
            !s.serology.autoantibody_positive,
            "day {}: healthy autoantibody positive",
            s.day
        );
    }
}

#[test]
fn untreated_sle_holds_a_chronic_active_steady_state() {
    let snapshots = simulate(
        // The default resolution: at 1e6 cells per agent the active state sits lower
        // (autoantibody ~20 instead of ~30 mg/L) and drifts (see the README).
        "[scenario]\npreset = \"sle\"\ndays = 730\nburn_in_days = 365\nrecord_every_days = 5\n",
    );
    assert_steady(
        &snapshots,
        "SLE",
        &[
            ("B cells", b_cells),
            ("plasma cells", plasma_cells),
            ("IgG", igg),
            ("autoantibody", autoantibody),
            ("score", score),
        ],
    );
    let mean_score = mean(&snapshots, 0.0, 730.0, score);
    assert!((8.0..=22.0).contains(&mean_score), "SLE score {mean_score}");
    assert!(
        snapshots.iter().all(|s| s.serology.autoantibody_positive),
        "SLE autoantibody must stay positive"
    );
    // Defective checkpoints: the naive repertoire is more self-reactive than in health (20%).
    let last = snapshots.last().unwrap();
    let naive = last
        .populations
        .iter()
        .find(|r| {
            r.compartment == immunosim_model::Compartment::Blood
                && r.population == Population::BNaive
        })
        .unwrap();
    assert!(
        naive.autoreactive_share > 0.30,
        "SLE naive self-reactive share {}",
        naive.autoreactive_share
    );
}

#[test]
fn untreated_myasthenia_gravis_holds_anti_achr_and_an_mg_adl_like_score() {
    let snapshots = simulate(
        "[scenario]\npreset = \"mg\"\ndays = 730\nburn_in_days = 365\nrecord_every_days = 5\n\
         [resolution]\ncells_per_agent = 1e6\n",
    );
    assert_steady(
        &snapshots,
        "MG",
        &[
            ("B cells", b_cells),
            ("plasma cells", plasma_cells),
            ("IgG", igg),
            ("anti-AChR", autoantibody),
            ("score", score),
        ],
    );
    // A constant endplate antigen keeps the response chronic: anti-AChR positive
    // throughout, an MG-ADL-like score in the range of trial entry (6-12; fitted ~9).
    assert!(snapshots.iter().all(|s| s.serology.autoantibody_positive));
    let mean_score = mean(&snapshots, 0.0, 730.0, score);
    assert!((6.0..=12.0).contains(&mean_score), "MG score {mean_score}");
    // Symptoms only: no DNA-binding or complement points, so the score is bounded by
    // the 24 points of the MG-ADL.
    assert!(snapshots.iter().all(|s| score(s) <= 24.0));
}
