//! One module per page; `app.rs` holds the only route table.

pub mod board;
pub mod exam;
pub mod home;
pub mod hr;
pub mod login;
pub mod not_found;
pub mod reports;
pub mod results;
pub mod supervisor;
