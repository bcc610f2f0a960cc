//! Tests of the schema table, the reader and the reference.

use crate::fields::RUN_FIELDS;
use crate::schema::Slot;
use crate::{ErrorKind, RunInfo, RunStatus, parse_str, reference_markdown};

/// The errors of `text`, one string.
fn errors(text: &str) -> String {
    parse_str(text, "t.toml").unwrap_err().to_string()
}

const PRODUCT: &str = "[[products]]\ntargets = [\"CD19\"]\ndose_cells_per_kg = 1e6\n";

#[test]
fn docs_scenario_md_is_the_generated_reference() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/scenario.md");
    let generated = reference_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/scenario.md differs from immunosim_scenario::reference_markdown(); regenerate it \
         with `UPDATE_DOCS=1 cargo test -p immunosim-scenario docs_scenario_md` or \
         `cargo run --release -- help scenario > docs/scenario.md`"
    );
    assert!(generated.contains("| `days` | 1 to 36525 | days | `730` |"));
    assert!(generated.contains("`[parameters.b_cells]`"));
}

#[test]
fn unknown_choices_name_the_place_and_the_allowed_values() {
    let cases = [
        (
            "source = \"alogeneic\"",
            "products[0].source",
            "autologous, allogeneic",
            Some("allogeneic"),
        ),
        (
            "platform = \"mRNA\"",
            "products[0].platform",
            "viral, mrna",
            Some("mrna"),
        ),
        ("logic = \"xor\"", "products[0].logic", "or, and, not", None),
    ];
    for (line, field, allowed, suggestion) in cases {
        let text = format!("{PRODUCT}{line}\n");
        let report = errors(&text);
        let at = format!(
            "t.toml:4:{}: error[S007]: {field}",
            line.find('"').unwrap() + 1
        );
        assert!(report.contains(&at), "{report}\nexpected {at}");
        assert!(
            report.contains(&format!("(allowed: one of {allowed})")),
            "{report}"
        );
        if let Some(s) = suggestion {
            assert!(report.contains(&format!("did you mean `{s}`?")), "{report}");
        }
        assert_eq!(
            parse_str(&text, "t.toml").unwrap_err().0.len(),
            1,
            "{report}"
        );
    }
}

#[test]
fn a_file_of_comments_only_is_refused_like_an_empty_one() {
    for text in ["", "  \n\t\n", "# just a note\n\n   # another\n"] {
        let e = parse_str(text, "c.toml").unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].kind, ErrorKind::Empty, "{text:?}: {e}");
    }
    assert!(parse_str("# a note\n[scenario]\n", "c.toml").is_ok());
}

/// A wrong type in one table leaves the cross-field rules of the others running; the
/// table with the wrong value is not judged on it.
#[test]
fn schema_problems_do_not_hide_cross_field_rules_of_sound_tables() {
    let text = format!(
        "[parameters.t_cells]\ntfh_share = 0.5\ntreg_share = 0.5\n\
         {PRODUCT}dose_cells = 7e7\n\
         [[products]]\ntargets = [\"CD19\"]\ndose_cells_per_kg = \"lots\"\ninfusion_day = 2\n\
         [bridging]\nprednisolone_mg_per_day = 10\nstart_day = 5\nend_day = 1\n"
    );
    let e = parse_str(&text, "m.toml").unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "parameters.t_cells.tfh_share",
            "products[0].dose_cells",
            "products[1].dose_cells_per_kg",
            "bridging.end_day",
        ],
        "{e}"
    );
    assert_eq!(e.0[2].kind, ErrorKind::WrongType);
    // A problem in [scenario] feeds most rules: they are not run on a guessed value.
    let e = parse_str(
        "[scenario]\nburn_in_days = \"x\"\n[[ivig]]\nday = -3000\ndose_g_per_kg = 0.4\n",
        "g.toml",
    )
    .unwrap_err();
    assert_eq!(e.0.len(), 1, "{e}");
    let e = parse_str(
        "[scenario]\n[[ivig]]\nday = -3000\ndose_g_per_kg = 0.4\n",
        "g.toml",
    )
    .unwrap_err();
    assert_eq!(e.0[0].field, "ivig[0].day", "{e}");
}

#[test]
fn a_required_field_left_out_is_reported_with_the_other_problems() {
    let text = "[scenario]\ndays = 0\n[[vaccinations]]\nday = 3\n";
    let e = parse_str(text, "r.toml").unwrap_err();
    let report = e.to_string();
    assert!(report.contains("r.toml:2:8"), "{report}");
    assert!(
        report.contains("r.toml:3:1") && report.contains("missing field `vaccine`"),
        "{report}"
    );
}

/// Each slot's getter reads what its setter wrote, and no two slots share a place.
#[test]
fn every_slot_reads_back_what_it_writes_and_only_that() {
    let mut s = parse_str("[scenario]\n", "s.toml").unwrap();
    let with_slot: Vec<_> = RUN_FIELDS
        .iter()
        .filter_map(|f| f.slot.map(|s| (f, s)))
        .collect();
    for (i, (_, slot)) in with_slot.iter().enumerate() {
        let value = 2.0 + i as f64;
        match slot {
            Slot::Number(_, set) => set(&mut s, value),
            Slot::Whole(_, set) => set(&mut s, value as u64),
            Slot::Text(_, set) => set(&mut s, &format!("v{i}")),
            Slot::NumberIn(_) => {}
        }
    }
    for (i, (field, slot)) in with_slot.iter().enumerate() {
        let value = 2.0 + i as f64;
        let ok = match slot {
            Slot::Number(get, _) => get(&s) == value,
            Slot::Whole(get, _) => get(&s) == value as u64,
            Slot::Text(get, _) => get(&s) == format!("v{i}"),
            Slot::NumberIn(_) => true,
        };
        assert!(
            ok,
            "{}.{} does not read back its own value",
            field.table, field.name
        );
    }
}

#[test]
fn run_toml_says_its_status_and_reads_back_to_the_same_scenario() {
    let text = format!(
        "[scenario]\nname = \"x\"\npreset = \"mg\"\ndays = 40\nseed = 9\ntime_step_days = 0.5\n\
         [patient]\nweight_kg = 61\n[resolution]\ncells_per_agent = 2e6\n\
         [resolution.cells_per_agent_by_kind]\nt_cell = 3e6\n[sites]\norgan = 7\n\
         [lymphodepletion]\nfludarabine_mg_per_m2_per_day = 25\nfludarabine_days = [-5, -4]\n\
         {PRODUCT}platform = \"mrna\"\ndoses = 3\n\
         [[vaccinations]]\nday = 30\nvaccine = \"vaccine_b\"\n"
    );
    let scenario = parse_str(&text, "x.toml").unwrap();
    assert_eq!(scenario.config.cells_per_agent, [2e6, 2e6, 3e6, 1e5]);
    assert_eq!(scenario.config.sites, [4, 32, 8, 7]);
    assert_eq!(scenario.score_scale, "mg_adl_like");
    for status in [
        RunStatus::Running,
        RunStatus::Finished,
        RunStatus::Interrupted,
    ] {
        let info = RunInfo {
            version: "0.1.0",
            threads: 2,
            status,
        };
        let resolved = scenario.to_resolved_toml(info);
        let name = immunosim_model::named::Named::name(status);
        assert!(resolved.contains(&format!(
            "[run]\nversion = \"0.1.0\"\nthreads = 2\nstatus = \"{name}\"\n"
        )));
        let again = parse_str(&resolved, "run.toml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, scenario);
        let provenance = crate::Provenance {
            commit: "0123abc-dirty".into(),
            command: "immunosim run 'my scenario.toml' --out out".into(),
            started: "2026-12-01T12:00:00Z".into(),
        };
        let manifest = scenario.to_run_toml(info, &provenance);
        let table: toml::Table = manifest.parse().unwrap();
        let run = &table["run"];
        assert_eq!(run["commit"].as_str(), Some("0123abc-dirty"));
        assert_eq!(
            run["command"].as_str(),
            Some("immunosim run 'my scenario.toml' --out out")
        );
        assert_eq!(run["started"].as_str(), Some("2026-12-01T12:00:00Z"));
        let again = parse_str(&manifest, "run.toml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, scenario);
    }
    let bad = errors("[run]\nstatus = \"done\"\n");
    assert!(bad.contains("running, finished, interrupted"), "{bad}");
}
