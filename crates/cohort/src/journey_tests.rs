//! The journeys the manufacturing queue gives each arm of a cohort, the facility's
//! scenario errors, and what a wait does to the simulated patient.

use crate::queue::*;

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

/// Two SLE patients referred together, coarse resolution (4e6 cells per agent: at 2e7
/// the self-reactive pools are a handful of agents and the disease of both patients
/// faded within the 60 days whatever their wait): with one line, patient 1's
/// product is made after patient 0's, ten days later than with two lines. Nothing but
/// the journey's days differs, yet the simulated disease of patient 1 stays active
/// longer after referral (its lupus goes on while it waits), and patient 0, whose wait
/// is the same, runs exactly as before.
#[test]
fn a_longer_wait_keeps_the_simulated_lupus_active_longer() {
    let cohort = |lines: u32| {
        format!(
            "[scenario]\nname = \"w\"\npreset = \"sle\"\ndays = 60\nburn_in_days = 30\nseed = 5\n\
             [resolution]\ncells_per_agent = 4e6\n[resolution.cells_per_agent_by_kind]\ncar_t = 1e6\n\
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
