//! The crate's one error type. Every problem names where it is (row, field, item) so an
//! exam board can fix the file in one pass.

use serde::Serialize;

/// One problem found in an item or a file, located as precisely as the input allows
/// (`"row 12, column correct"`, `"options[2].text"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub location: String,
    pub message: String,
}

impl FieldError {
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            location: location.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BankError {
    /// The input is not acceptable; every problem is listed, nothing was taken.
    #[error("{} problem(s) found, first: {}: {}", .0.len(), .0.first().map(|e| e.location.as_str()).unwrap_or(""), .0.first().map(|e| e.message.as_str()).unwrap_or(""))]
    Invalid(Vec<FieldError>),
}

impl BankError {
    pub fn one(location: impl Into<String>, message: impl Into<String>) -> Self {
        BankError::Invalid(vec![FieldError::new(location, message)])
    }

    pub fn errors(&self) -> &[FieldError] {
        match self {
            BankError::Invalid(errors) => errors,
        }
    }
}
