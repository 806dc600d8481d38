//! Data access in one place: the only module (with `audit`) that speaks sea-orm.

pub mod bank;
pub mod calendar;
pub mod decree;
pub mod exam;
pub mod results;
pub mod round;
pub mod sign_in;
pub mod sitting;
pub mod users;
