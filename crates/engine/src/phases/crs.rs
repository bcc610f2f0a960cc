//! CRS at the end of a step: myeloid activation and IL-6 advanced over the step under
//! the step's CAR-T drive, graded, and managed.

use crate::config::RunConfig;
use crate::recorder::{Event, EventKind};
use crate::timeline::Timeline;
use immunosim_model::crs::{CrsAction, CrsState};

/// Advances IL-6 over step `step` given the step's CAR-T drive, grades CRS at the step's
/// end (boundary `step + 1`) and applies its management; the events are stamped with
/// that boundary: a grade change and every dose.
pub fn manage(
    crs: &mut CrsState,
    il6_drive: f64,
    config: &RunConfig,
    timeline: &Timeline,
    step: u64,
) -> Vec<Event> {
    let end = step + 1;
    let before = crs.grade;
    crs.advance(il6_drive, &config.params, config.dt_days);
    let actions = crs.manage(
        end,
        timeline.steps_per_day(),
        config.weight_kg,
        &config.params,
    );
    let mut events = Vec::new();
    if crs.grade != before {
        events.push(Event::at(
            end,
            timeline,
            EventKind::CrsGrade,
            format!(
                "grade {} -> {} (IL-6 {:.0} pg/mL)",
                before, crs.grade, crs.il6_pg_per_ml
            ),
        ));
    }
    for action in actions {
        let (kind, detail) = match action {
            CrsAction::Tocilizumab(mg) => (EventKind::Tocilizumab, format!("{mg:.0} mg")),
            CrsAction::Dexamethasone(mg) => {
                (EventKind::Dexamethasone, format!("{mg:.0} mg over the day"))
            }
        };
        events.push(Event::at(end, timeline, kind, detail));
    }
    events
}
