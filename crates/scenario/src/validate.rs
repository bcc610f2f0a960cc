//! Two-stage validation: parse (syntax → file:line:column), then check every key
//! against the schema (unknown fields with a suggestion, wrong types, out-of-range
//! values, cross-field rules), collecting every problem before reporting.

use crate::error::{ErrorKind, ScenarioError, line_column};
use crate::schema::{self, FieldKind};
use toml_edit::{Document, Item, Table, Value};

/// A parsed file with positions, for checking and for locating later errors.
pub struct Checked<'a> {
    /// The file's label (path as given).
    pub file: &'a str,
    /// The text.
    pub text: &'a str,
    /// The parsed document.
    pub document: Document<&'a str>,
}

impl<'a> Checked<'a> {
    /// Makes an error at a byte range.
    pub fn error_at(
        &self,
        span: Option<std::ops::Range<usize>>,
        field: &str,
        message: String,
        kind: ErrorKind,
    ) -> ScenarioError {
        let (line, column) = span.map_or((0, 0), |s| line_column(self.text, s.start));
        ScenarioError {
            file: self.file.to_string(),
            line,
            column,
            field: field.to_string(),
            message,
            kind,
        }
    }

    /// The span of field `name` of the `index`-th `[[products]]` table, if present.
    pub fn span_of_product(&self, index: usize, name: &str) -> Option<std::ops::Range<usize>> {
        self.span_in_array("products", index, name)
    }

    /// The span of field `name` of the `index`-th table of array `array` (or of the
    /// table itself when the field is absent).
    pub fn span_in_array(
        &self,
        array: &str,
        index: usize,
        name: &str,
    ) -> Option<std::ops::Range<usize>> {
        let table = self.array_table(array, index)?;
        table
            .get(name)
            .and_then(Item::span)
            .or_else(|| table.span())
    }

    /// The `index`-th table of array `array` (`[[products]]`, ...), if present.
    pub fn array_table(&self, array: &str, index: usize) -> Option<&Table> {
        self.document
            .as_table()
            .get(array)?
            .as_array_of_tables()?
            .get(index)
    }

    /// The item at a dotted path of tables (`scenario.days`), if present.
    pub fn item(&self, path: &str) -> Option<&Item> {
        let mut parts: Vec<&str> = path.split('.').collect();
        let last = parts.pop()?;
        let mut table: &Table = self.document.as_table();
        for part in parts {
            table = table.get(part)?.as_table()?;
        }
        table.get(last)
    }

    /// The span of the value at a dotted path (`scenario.days`), if present.
    pub fn span_of(&self, path: &str) -> Option<std::ops::Range<usize>> {
        let mut parts: Vec<&str> = path.split('.').collect();
        let last = parts.pop()?;
        let mut table: &Table = self.document.as_table();
        for part in parts {
            table = table.get(part)?.as_table()?;
        }
        table
            .get(last)
            .and_then(Item::span)
            .or_else(|| table.key(last).and_then(|k| k.span()))
    }
}

/// Stage 1: parse. An empty file and a syntax error are reported here.
pub fn parse<'a>(file: &'a str, text: &'a str) -> Result<Checked<'a>, ScenarioError> {
    if text.trim().is_empty() {
        return Err(ScenarioError {
            file: file.to_string(),
            line: 0,
            column: 0,
            field: String::new(),
            message: "the file is empty; a scenario needs at least a [scenario] table (see `immunosim help scenario`)".into(),
            kind: ErrorKind::Empty,
        });
    }
    let document = Document::parse(text).map_err(|e| {
        let (line, column) = e.span().map_or((0, 0), |s| line_column(text, s.start));
        ScenarioError {
            file: file.to_string(),
            line,
            column,
            field: String::new(),
            message: format!("TOML syntax error: {}", e.message().trim()),
            kind: ErrorKind::Syntax,
        }
    })?;
    // Comments and blank lines alone would run the default healthy scenario, which is
    // never what a file was written for.
    if document.as_table().is_empty() {
        return Err(ScenarioError {
            file: file.to_string(),
            line: 0,
            column: 0,
            field: String::new(),
            message: "the file holds only comments; a scenario needs at least a [scenario] table (see `immunosim help scenario`)".into(),
            kind: ErrorKind::Empty,
        });
    }
    Ok(Checked {
        file,
        text,
        document,
    })
}

/// Stage 2: every key against the schema.
pub fn check_schema(checked: &Checked<'_>) -> Vec<ScenarioError> {
    let mut errors = Vec::new();
    walk(checked, checked.document.as_table(), "", &mut errors);
    errors
}

fn walk(checked: &Checked<'_>, table: &Table, path: &str, errors: &mut Vec<ScenarioError>) {
    walk_as(checked, table, path, path, errors);
}

/// Checks `table` against the schema of `schema_path`, naming fields by `shown_path`
/// (they differ inside arrays of tables: schema `products`, shown `products[1]`).
fn walk_as(
    checked: &Checked<'_>,
    table: &Table,
    schema_path: &str,
    shown_path: &str,
    errors: &mut Vec<ScenarioError>,
) {
    let tables = schema::tables();
    for (key, item) in table.iter() {
        let join = |base: &str| {
            if base.is_empty() {
                key.to_string()
            } else {
                format!("{base}.{key}")
            }
        };
        let (full_schema, full) = (join(schema_path), join(shown_path));
        let key_span = table
            .key(key)
            .and_then(|k| k.span())
            .or_else(|| item.span());
        if schema_path.is_empty() && schema::ARRAY_TABLES.contains(&key) {
            match item.as_array_of_tables() {
                Some(array) => {
                    for (i, sub) in array.iter().enumerate() {
                        walk_as(checked, sub, key, &format!("{key}[{i}]"), errors);
                    }
                }
                None => errors.push(checked.error_at(
                    key_span,
                    &full,
                    format!(
                        "must be an array of tables ([[{key}]]), found {}",
                        type_name(item)
                    ),
                    ErrorKind::WrongType,
                )),
            }
            continue;
        }
        if tables.contains(&full_schema) {
            match item.as_table() {
                Some(sub) => walk_as(checked, sub, &full_schema, &full, errors),
                None => errors.push(checked.error_at(
                    key_span,
                    &full,
                    format!("must be a table ([{full}]), found {}", type_name(item)),
                    ErrorKind::WrongType,
                )),
            }
            continue;
        }
        let Some(field) = schema::field(schema_path, key) else {
            let candidates = schema::names_in(schema_path);
            let hint = match schema::suggest(key, &candidates) {
                Some(s) => format!("; did you mean `{s}`?"),
                None if candidates.is_empty() => String::new(),
                None => format!("; known here: {}", candidates.join(", ")),
            };
            let place = if shown_path.is_empty() {
                "at the top level".to_string()
            } else {
                format!("in [{shown_path}]")
            };
            errors.push(checked.error_at(
                key_span,
                &full,
                format!("unknown field `{key}` {place}{hint}"),
                ErrorKind::UnknownField,
            ));
            continue;
        };
        let span = item.span().or(key_span);
        if let Some((message, kind)) = check_value(item.as_value(), field.kind) {
            errors.push(checked.error_at(span, &full, message, kind));
        }
    }
}

fn type_name(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Value(v) => v.type_name(),
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
    }
}

/// Checks one value against its kind; `None` when it is fine.
pub fn check_value(value: Option<&Value>, kind: FieldKind) -> Option<(String, ErrorKind)> {
    let Some(value) = value else {
        return Some((
            "expected a value, found a table".into(),
            ErrorKind::WrongType,
        ));
    };
    let wrong = |expected: &str| {
        Some((
            format!("expected {expected}, found {}", value.type_name()),
            ErrorKind::WrongType,
        ))
    };
    let number = |v: &Value| v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
    match kind {
        FieldKind::Text => value.as_str().is_none().then(|| {
            (
                format!("expected a string, found {}", value.type_name()),
                ErrorKind::WrongType,
            )
        }),
        FieldKind::Choice(choices) => match value.as_str() {
            None => wrong("a string"),
            Some(s) if !choices.contains(&s) => {
                let names: Vec<String> = choices.iter().map(|c| c.to_string()).collect();
                let hint = schema::suggest(s, &names)
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                Some((
                    format!(
                        "= \"{s}\" is not known (allowed: one of {}){hint}",
                        choices.join(", ")
                    ),
                    ErrorKind::UnknownChoice,
                ))
            }
            Some(_) => None,
        },
        FieldKind::Number { min, max, unit } => match number(value) {
            None => wrong(&format!("a number ({unit})")),
            Some(x) if !(x.is_finite() && x >= min && x <= max) => Some((
                format!("= {x} is out of range (allowed {min} <= x <= {max}, unit {unit})"),
                ErrorKind::OutOfRange,
            )),
            Some(_) => None,
        },
        FieldKind::Integer { min, max } => match value.as_integer() {
            None => wrong("a whole number"),
            Some(i) if i < min || i > max => Some((
                format!("= {i} is out of range (allowed {min} <= x <= {max})"),
                ErrorKind::OutOfRange,
            )),
            Some(_) => None,
        },
        FieldKind::AntigenList => {
            let Some(array) = value.as_array() else {
                return wrong("a list of antigen names");
            };
            if array.is_empty() {
                return Some((
                    "is empty: a construct needs at least one target antigen".into(),
                    ErrorKind::Inconsistent,
                ));
            }
            if array.iter().any(|v| v.as_str().is_none()) {
                return wrong("antigen names (strings)");
            }
            None
        }
        FieldKind::Bool => value.as_bool().is_none().then(|| {
            (
                format!("expected true or false, found {}", value.type_name()),
                ErrorKind::WrongType,
            )
        }),
        FieldKind::NumberList { min, max, unit } => {
            let Some(array) = value.as_array() else {
                return wrong(&format!("a list of numbers ({unit})"));
            };
            for v in array.iter() {
                match number(v) {
                    None => return wrong(&format!("numbers ({unit})")),
                    Some(x) if !(x.is_finite() && x >= min && x <= max) => {
                        return Some((
                            format!(
                                "contains {x}, out of range (allowed {min} <= x <= {max}, unit {unit})"
                            ),
                            ErrorKind::OutOfRange,
                        ));
                    }
                    Some(_) => {}
                }
            }
            None
        }
    }
}
