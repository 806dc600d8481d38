//! Pure domain of the question bank: items and their validation, seals, blueprints, paper
//! assembly and scoring, and the import/export formats exam boards use.
//!
//! No I/O beyond parsing bytes handed in by the caller, no async, no database: the crate
//! compiles to wasm32 so the UI can share its types.

pub mod assembly;
pub mod blueprint;
pub mod compact;
pub mod error;
pub mod format;
pub mod item;
pub mod paper;
pub mod scoring;
pub mod seal;
pub mod text;

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod test_support;

pub use error::{BankError, FieldError};
pub use item::{Difficulty, Item, ItemKind, ItemOption, ItemStatus};
