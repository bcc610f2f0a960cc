//! Checkpoint and resume of the outputs: an interrupted and resumed recorder writes
//! the same bytes as an uninterrupted one.

use super::*;
use immunosim_engine::recorder::{CarTRow, EventKind, PopulationRow};
use immunosim_model::fields::Serology;
use immunosim_model::{Compartment, Population};
use std::fs::OpenOptions;
use std::io::Write;

pub(super) fn snapshot(day: u32) -> Snapshot {
    let x = f64::from(day);
    let row = |population, cells_per_ul| PopulationRow {
        compartment: Compartment::Blood,
        population,
        agents: u64::from(day) * 3 + 1,
        cells: cells_per_ul * 5e6,
        cells_per_ul,
        autoreactive_share: 0.1,
    };
    Snapshot {
        step: u64::from(day),
        day: x,
        populations: vec![
            row(Population::BNaive, (100.0 - 9.0 * x).max(0.3)),
            row(Population::CarEffector, x * (20.0 - x).max(0.0)),
        ],
        car_t: vec![CarTRow {
            product: "CD19, 4-1BB".into(),
            population: Population::CarEffector,
            cd8: true,
            agents: u64::from(day),
            cells_per_ul: x * (20.0 - x).max(0.0),
            percent_of_cd3: x / 3.0,
        }],
        serology: Serology {
            total_igg_g_per_l: 10.0 - x / 7.0,
            igg_mg_per_l: [x, 1.0, 2.0, 3.0],
            autoantigen: 1.0,
            immune_complex: 0.5,
            complement_consumption: 0.2,
            autoantibody_positive: day < 12,
            activity_score: 12.0 - x / 3.0,
            renal_activity: 0.5 - x / 100.0,
            damage_index: x / 50.0,
        },
        baff_relative: 1.0 + x / 100.0,
        organ_inflammation: 0.3,
        agents: 1000 + u64::from(day),
        il6_pg_per_ml: 5.0,
        crs_grade: u8::from(day == 4),
        tocilizumab_doses: 0,
    }
}

/// Records days `from..to`, with an event on every third day.
pub(super) fn record_days(recorder: &mut CsvRecorder, from: u32, to: u32) {
    for day in from..to {
        if day % 3 == 0 {
            let kind = EventKind::Remission;
            let detail = format!("score {day}, \"quoted\"");
            let event = Event {
                step: u64::from(day),
                day: f64::from(day),
                kind,
                detail,
            };
            recorder.event(&event).unwrap();
        }
        recorder.record(&snapshot(day)).unwrap();
    }
}

pub(super) fn files_of(dir: &Path) -> Vec<(&'static str, Vec<u8>)> {
    let names = [
        "timeseries.csv",
        "serology.csv",
        "events.csv",
        "car_t.csv",
        "summary.csv",
    ];
    names
        .into_iter()
        .map(|name| (name, std::fs::read(dir.join(name)).unwrap()))
        .collect()
}

pub(super) fn recorder(dir: &Path) -> CsvRecorder {
    let summary = SummaryBuilder::new("resumable", 7).with_score_scale("mg_adl_like");
    CsvRecorder::create(dir, summary, true).unwrap()
}

#[test]
fn a_resumed_recorder_writes_the_bytes_of_an_uninterrupted_one() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, cut) = (tmp.path().join("whole"), tmp.path().join("cut"));
    for dir in [&whole, &cut] {
        std::fs::create_dir(dir).unwrap();
    }
    let mut uninterrupted = recorder(&whole);
    record_days(&mut uninterrupted, 0, 30);
    uninterrupted.finish().unwrap();

    let mut first = recorder(&cut);
    record_days(&mut first, 0, 12);
    let state = first.checkpoint().unwrap();
    // The state survives a serde round trip (the checkpoint file stores it).
    let text = serde_json::to_string(&state).unwrap();
    assert_eq!(serde_json::from_str::<OutputState>(&text).unwrap(), state);
    // The run goes on past the checkpoint and is killed inside a write.
    record_days(&mut first, 12, 17);
    drop(first);
    for name in ["serology.csv", "car_t.csv"] {
        let mut file = OpenOptions::new()
            .append(true)
            .open(cut.join(name))
            .unwrap();
        file.write_all(b"17,9.857142857").unwrap();
    }
    let mut resumed = CsvRecorder::resume(&cut, &state).unwrap();
    record_days(&mut resumed, 12, 30);
    resumed.finish().unwrap();
    assert_eq!(files_of(&cut), files_of(&whole));
}

#[test]
fn resume_names_a_missing_or_shortened_file() {
    let tmp = tempfile::tempdir().unwrap();
    let mut first = recorder(tmp.path());
    record_days(&mut first, 0, 5);
    let state = first.checkpoint().unwrap();
    drop(first);
    let serology = tmp.path().join("serology.csv");
    let saved = state
        .files
        .iter()
        .find(|f| f.name == "serology.csv")
        .unwrap();
    std::fs::File::options()
        .write(true)
        .open(&serology)
        .unwrap()
        .set_len(saved.bytes - 1)
        .unwrap();
    let shortened = CsvRecorder::resume(tmp.path(), &state)
        .err()
        .unwrap()
        .to_string();
    assert!(shortened.contains("serology.csv"), "{shortened}");
    assert!(shortened.contains("fewer than the"), "{shortened}");
    std::fs::remove_file(tmp.path().join("car_t.csv")).unwrap();
    std::fs::write(&serology, vec![b'x'; saved.bytes as usize]).unwrap();
    let missing = CsvRecorder::resume(tmp.path(), &state)
        .err()
        .unwrap()
        .to_string();
    assert!(
        missing.contains("car_t.csv: the file is missing"),
        "{missing}"
    );
}
