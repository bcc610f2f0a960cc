//! The scenario text of each arm, cut out of the cohort file with every byte offset
//! kept: the cohort tables and the other arms are blanked (spaces, newlines kept) and
//! the arm's own headers lose their `arms.` prefix (padded to the same length), so
//! that the scenario crate's validation of an arm reports the cohort file's own line
//! and column for every problem.

use toml_edit::{Document, Item, Table};

/// Top-level tables that only cohort files have.
pub const COHORT_TABLES: &[&str] = &[
    "cohort",
    "variability",
    "correlations",
    "arms",
    "economics",
    "contracts",
    "facility",
];

/// The treatment tables an arm may give, and whether each is an array of tables.
pub const ARM_TABLES: &[(&str, bool)] = &[
    ("products", true),
    ("lymphodepletion", false),
    ("bridging", false),
    ("ivig", true),
];

/// A table header of the file.
#[derive(Clone, Debug)]
struct Header {
    /// Byte range of the header (`[[arms.products]]`).
    span: std::ops::Range<usize>,
    /// Dotted path of the table (`arms.products`).
    path: String,
    /// The arm it belongs to (`arms[i]` and everything below it).
    arm: Option<usize>,
    /// Whether it is an element of an array of tables.
    array: bool,
}

fn collect(table: &Table, path: &str, arm: Option<usize>, out: &mut Vec<Header>) {
    for (key, item) in table.iter() {
        let here = if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        };
        match item {
            Item::Table(t) => {
                if let Some(span) = t.span().filter(|_| !t.is_implicit()) {
                    out.push(Header {
                        span,
                        path: here.clone(),
                        arm,
                        array: false,
                    });
                }
                collect(t, &here, arm, out);
            }
            Item::ArrayOfTables(array) => {
                for (i, t) in array.iter().enumerate() {
                    let arm = if here == "arms" { Some(i) } else { arm };
                    if let Some(span) = t.span() {
                        out.push(Header {
                            span,
                            path: here.clone(),
                            arm,
                            array: true,
                        });
                    }
                    collect(t, &here, arm, out);
                }
            }
            _ => {}
        }
    }
}

/// Replaces every byte of `range` but newlines with a space.
fn blank(bytes: &mut [u8], range: std::ops::Range<usize>) {
    for b in &mut bytes[range] {
        if *b != b'\n' && *b != b'\r' {
            *b = b' ';
        }
    }
}

/// The text of arm `arm` (`None`: the patient alone, every arm blanked).
pub fn arm_text(text: &str, document: &Document<&str>, arm: Option<usize>) -> String {
    let mut headers = Vec::new();
    collect(document.as_table(), "", None, &mut headers);
    headers.sort_by_key(|h| h.span.start);
    let mut bytes = text.as_bytes().to_vec();
    for (i, h) in headers.iter().enumerate() {
        let end = headers
            .get(i + 1)
            .map_or(text.len(), |next| next.span.start);
        let root = h.path.split('.').next().unwrap_or_default();
        if !COHORT_TABLES.contains(&root) {
            continue;
        }
        let own = root == "arms" && h.path != "arms" && h.arm.is_some() && h.arm == arm;
        if !own {
            blank(&mut bytes, h.span.start..end);
            continue;
        }
        let inner = &h.path["arms.".len()..];
        let header = if h.array {
            format!("[[{inner}]]")
        } else {
            format!("[{inner}]")
        };
        blank(&mut bytes, h.span.clone());
        bytes[h.span.start..h.span.start + header.len()].copy_from_slice(header.as_bytes());
    }
    String::from_utf8(bytes).expect("only ASCII bytes replaced ASCII or whole characters")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "[scenario]\npreset = \"sle\"\n\n[cohort]\npatients = 4\n\n\
        [[variability]]\ntarget = \"patient.weight_kg\"\n\n[[arms]]\nname = \"a\"\n\n\
        [[arms.products]]\nname = \"x\"\n\n[arms.lymphodepletion]\nfludarabine_days = [-3]\n\n\
        [[arms]]\nname = \"b\"\n";

    #[test]
    fn an_arm_keeps_its_tables_at_their_offsets_and_loses_the_rest() {
        let document = Document::parse(FILE).unwrap();
        let a = arm_text(FILE, &document, Some(0));
        assert_eq!(a.len(), FILE.len());
        assert_eq!(a.lines().count(), FILE.lines().count());
        let parsed: toml::Table = a.parse().unwrap();
        let keys: Vec<&String> = parsed.keys().collect();
        assert_eq!(keys, ["lymphodepletion", "products", "scenario"]);
        assert_eq!(a.find("name = \"x\""), FILE.find("name = \"x\""));
        let b: toml::Table = arm_text(FILE, &document, Some(1)).parse().unwrap();
        assert_eq!(b.keys().collect::<Vec<_>>(), ["scenario"]);
        let patient: toml::Table = arm_text(FILE, &document, None).parse().unwrap();
        assert_eq!(patient.keys().collect::<Vec<_>>(), ["scenario"]);
    }
}
