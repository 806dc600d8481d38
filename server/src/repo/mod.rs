//! Data access in one place: the only module (with `audit`) that speaks sea-orm.

pub mod users;
