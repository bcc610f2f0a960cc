//! What a row of the field table is: a field's kind with its range and unit, its
//! default, its doc, and for the single tables where its value lives in a [`Scenario`].
//! The rows themselves are in [`crate::fields`]; [`crate::schema`] looks them up.

use crate::Scenario;

/// What kind of value a field takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FieldKind {
    /// Free text.
    Text,
    /// A number within [min, max], with a unit.
    Number {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
        /// Unit.
        unit: &'static str,
    },
    /// A whole number within [min, max].
    Integer {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// One of a fixed list (a [`Named`](immunosim_model::named::Named) enum's names).
    Choice(&'static [&'static str]),
    /// A non-empty list of antigen names (checked against the known antigens, which
    /// a scenario may extend, by the cross-field rules).
    AntigenList,
    /// true or false.
    Bool,
    /// A list of numbers within [min, max].
    NumberList {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
        /// Unit.
        unit: &'static str,
    },
}

/// What a field is when the file leaves it out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DefaultValue {
    /// This number.
    Number(f64),
    /// This whole number.
    Whole(i64),
    /// This text (or choice).
    Text(&'static str),
    /// This truth value.
    Bool(bool),
    /// This list of numbers.
    Numbers(&'static [f64]),
    /// No value: what leaving it out means (`required`, `absent`, another field).
    Note(&'static str),
}

/// Where the value of a field of a single table lives in a [`Scenario`]: read there
/// when the file is loaded, written from there into `run.toml`.
#[derive(Clone, Copy, Debug)]
pub enum Slot {
    /// A number.
    Number(fn(&Scenario) -> f64, fn(&mut Scenario, f64)),
    /// A whole number (the schema's range keeps it non-negative).
    Whole(fn(&Scenario) -> u64, fn(&mut Scenario, u64)),
    /// Text.
    Text(fn(&Scenario) -> &str, fn(&mut Scenario, &str)),
    /// A number spread over values that other fields name (not written back).
    NumberIn(fn(&mut Scenario, f64)),
}

/// One field of the schema.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// Dotted table path (`scenario`, `resolution.cells_per_agent_by_kind`, ...).
    pub table: &'static str,
    /// Key.
    pub name: &'static str,
    /// Value kind.
    pub kind: FieldKind,
    /// The value when the file leaves it out.
    pub default: DefaultValue,
    /// What it means.
    pub doc: &'static str,
    /// Where the value lives (fields of single tables); array tables are read by serde.
    pub slot: Option<Slot>,
}

impl Field {
    /// A field of any kind, with no default yet.
    pub const fn new(
        table: &'static str,
        name: &'static str,
        kind: FieldKind,
        doc: &'static str,
    ) -> Field {
        Field {
            table,
            name,
            kind,
            default: DefaultValue::Note("none"),
            doc,
            slot: None,
        }
    }

    /// A text field.
    pub const fn text(table: &'static str, name: &'static str, doc: &'static str) -> Field {
        Field::new(table, name, FieldKind::Text, doc)
    }

    /// A number within [min, max] in `unit`.
    pub const fn number(
        table: &'static str,
        name: &'static str,
        min: f64,
        max: f64,
        unit: &'static str,
        doc: &'static str,
    ) -> Field {
        Field::new(table, name, FieldKind::Number { min, max, unit }, doc)
    }

    /// A list of numbers within [min, max] in `unit`.
    pub const fn numbers(
        table: &'static str,
        name: &'static str,
        min: f64,
        max: f64,
        unit: &'static str,
        doc: &'static str,
    ) -> Field {
        Field::new(table, name, FieldKind::NumberList { min, max, unit }, doc)
    }

    /// A whole number within [min, max].
    pub const fn integer(
        table: &'static str,
        name: &'static str,
        min: i64,
        max: i64,
        doc: &'static str,
    ) -> Field {
        Field::new(table, name, FieldKind::Integer { min, max }, doc)
    }

    /// One of `names`.
    pub const fn choice(
        table: &'static str,
        name: &'static str,
        names: &'static [&'static str],
        doc: &'static str,
    ) -> Field {
        Field::new(table, name, FieldKind::Choice(names), doc)
    }

    /// true or false.
    pub const fn boolean(table: &'static str, name: &'static str, doc: &'static str) -> Field {
        Field::new(table, name, FieldKind::Bool, doc)
    }

    /// A list of antigen names.
    pub const fn antigens(table: &'static str, name: &'static str, doc: &'static str) -> Field {
        Field::new(table, name, FieldKind::AntigenList, doc)
    }

    /// With this default.
    pub const fn or(self, default: DefaultValue) -> Field {
        Field { default, ..self }
    }

    /// With its value in this slot of a [`Scenario`].
    pub const fn slot(self, slot: Slot) -> Field {
        Field {
            slot: Some(slot),
            ..self
        }
    }
}
