//! Write errors: a daily file that fails in the middle of a day's rows (a full disk)
//! leaves every daily file ending with the whole rows of the same last day.

use super::tests::{files_of, record_days, recorder, snapshot};
use super::*;
use crate::daily::Sink;
use immunosim_engine::recorder::EventKind;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A file on a disk with `budget` bytes left (shared by every file of the run): the
/// write that does not fit writes what fits and fails with ENOSPC, as write(2) does.
struct FullDisk {
    file: File,
    budget: Arc<AtomicU64>,
}

impl Sink for FullDisk {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let left = self.budget.load(Ordering::SeqCst);
        let fits = bytes.len().min(left as usize);
        Sink::write_all(&mut self.file, &bytes[..fits])?;
        self.budget.fetch_sub(fits as u64, Ordering::SeqCst);
        if fits < bytes.len() {
            return Err(std::io::Error::from_raw_os_error(28));
        }
        Ok(())
    }

    fn cut(&mut self, len: u64) -> std::io::Result<()> {
        let before = self.file.metadata()?.len();
        self.file.cut(len)?;
        self.budget
            .fetch_add(before.saturating_sub(len), Ordering::SeqCst);
        Ok(())
    }

    fn sync(&self) -> std::io::Result<()> {
        self.file.sync()
    }
}

/// The days of a daily file's rows (its first column), checking every row has the
/// header's number of fields.
fn days_of(bytes: &[u8]) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let width = reader.headers().expect("a header").len();
    reader
        .records()
        .map(|r| {
            let r = r.expect("a whole row");
            assert_eq!(r.len(), width, "a row of {} fields: {r:?}", r.len());
            r[0].to_string()
        })
        .collect()
}

#[test]
fn a_write_cut_short_leaves_every_daily_file_at_the_same_whole_day() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    std::fs::create_dir(&whole).unwrap();
    let mut uninterrupted = recorder(&whole);
    record_days(&mut uninterrupted, 0, 30);
    uninterrupted.finish().unwrap();
    let complete = files_of(&whole);
    let total: usize = complete.iter().take(4).map(|(_, b)| b.len()).sum();

    // Budgets from inside the headers to nearly the whole run, in uneven steps so
    // that the failing write falls in every file and at every place in a row.
    let mut tried = 0;
    for budget in (150..total as u64).step_by(97) {
        let dir = tmp.path().join(format!("b{budget}"));
        std::fs::create_dir(&dir).unwrap();
        let left = Arc::new(AtomicU64::new(budget));
        let open = |path: &Path| -> std::io::Result<Box<dyn Sink>> {
            Ok(Box::new(FullDisk {
                file: File::create(path)?,
                budget: Arc::clone(&left),
            }))
        };
        let summary = SummaryBuilder::new("resumable", 7).with_score_scale("mg_adl_like");
        let Ok(mut recorder) = CsvRecorder::create_with(&dir, summary, true, &open) else {
            continue; // the headers alone do not fit: nothing to roll back
        };
        let mut failure = None;
        for day in 0..30u32 {
            let event = Event {
                step: u64::from(day),
                day: f64::from(day),
                kind: EventKind::Remission,
                detail: format!("score {day}, \"quoted\""),
            };
            let written = if day % 3 == 0 {
                recorder.event(&event)
            } else {
                Ok(())
            };
            if let Err(e) = written.and_then(|()| recorder.record(&snapshot(day))) {
                failure = Some(e);
                break;
            }
        }
        let error = failure.expect("the budget is smaller than the run's files");
        tried += 1;
        let name = error
            .path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let message = format!("{}: {}", error, error.source);
        assert!(message.contains(&name), "{message}");
        assert!(message.contains("os error 28"), "{message}");
        assert!(message.contains("was cut back to"), "{message}");
        drop(recorder);
        let cut = files_of_daily(&dir);
        let last_day = days_of(&cut[1].1).last().cloned();
        for ((file, bytes), (_, full)) in cut.iter().zip(&complete) {
            assert!(
                full.starts_with(bytes),
                "{file} is not a prefix (budget {budget})"
            );
            assert!(
                bytes.ends_with(b"\n"),
                "{file} ends inside a row (budget {budget})"
            );
            let days = days_of(bytes);
            match file.as_str() {
                "events.csv" => assert!(days.iter().all(|d| {
                    let d: u32 = d.parse().unwrap();
                    last_day.as_ref().is_some_and(|l| d <= l.parse().unwrap())
                })),
                _ => assert_eq!(days.last(), last_day.as_ref(), "{file} (budget {budget})"),
            }
        }
    }
    assert!(tried > 20, "{tried} failing runs");
}

/// The daily files of `dir` (no summary: the run did not finish).
fn files_of_daily(dir: &Path) -> Vec<(String, Vec<u8>)> {
    ["timeseries.csv", "serology.csv", "events.csv", "car_t.csv"]
        .into_iter()
        .map(|name| (name.to_string(), std::fs::read(dir.join(name)).unwrap()))
        .collect()
}
