//! Scenario errors: each names the file, line, column, field, value and allowed range.

use std::fmt;

/// Why a scenario was refused.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read.
    Unreadable,
    /// The file is empty.
    Empty,
    /// TOML syntax error.
    Syntax,
    /// A key that the schema does not know.
    UnknownField,
    /// A value of the wrong TOML type.
    WrongType,
    /// A number outside its allowed range.
    OutOfRange,
    /// A value not among the allowed choices.
    UnknownChoice,
    /// Values that are allowed alone but not together.
    Inconsistent,
}

impl ErrorKind {
    /// A stable code that tests and users can match on.
    pub fn code(&self) -> &'static str {
        match self {
            ErrorKind::Unreadable => "S001",
            ErrorKind::Empty => "S002",
            ErrorKind::Syntax => "S003",
            ErrorKind::UnknownField => "S004",
            ErrorKind::WrongType => "S005",
            ErrorKind::OutOfRange => "S006",
            ErrorKind::UnknownChoice => "S007",
            ErrorKind::Inconsistent => "S008",
        }
    }
}

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScenarioError {
    /// File as the user named it.
    pub file: String,
    /// 1-based line (0 when the problem is the whole file).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub column: usize,
    /// Full dotted path of the field (empty for whole-file problems).
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
    /// The kind of problem.
    pub kind: ErrorKind,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        write!(f, ": error[{}]: ", self.kind.code())?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        write!(f, "{}", self.message)
    }
}

/// Every problem found in a scenario (never empty).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        if self.0.len() > 1 {
            write!(f, "\n{} problems found", self.0.len())?;
        }
        Ok(())
    }
}

/// Where in a file a byte offset is: 1-based (line, column).
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
