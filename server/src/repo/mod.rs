//! Data access in one place: the only module (with `audit`) that speaks sea-orm.

pub mod bank;
pub mod decree;
pub mod exam;
pub mod results;
pub mod round;
pub mod sitting;
pub mod users;
