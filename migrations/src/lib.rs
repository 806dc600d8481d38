//! Schema of thituyen as an ordered, append-only list of migrations (one change per file).
//! Demo data never lives here: it comes from `server demo`.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_users;
mod m20261123_000002_create_audit_log;
mod m20261123_000003_create_banks_and_items;
mod m20261123_000004_create_seals;
mod m20261123_000005_create_rounds_positions_applications;
mod m20261123_000006_create_exams_sessions_sittings;
mod m20261123_000030_add_round_exam_dates;
mod m20261123_000031_add_application_search_key;
mod m20261123_000032_add_session_seats;
mod m20261123_000040_add_sitting_attendance;
mod m20261123_000041_create_incidents;
mod m20261123_000050_create_marks;
mod m20261123_000051_create_head_decisions;
mod m20261123_000052_create_publications;
mod m20261123_000053_create_voided_items;
mod m20261123_000054_create_strike_offs;
mod m20261123_000055_create_reviews;
mod m20261203_000060_add_sitting_compact_forms;
mod m20261204_000061_move_sitting_papers;
mod m20261205_000100_add_sign_in_security;
mod m20261205_000201_add_user_token_version;
mod m20261205_000300_create_calendar_notices;
mod m20261205_000400_add_decree_amendments;
mod m20261205_000500_create_publication_documents;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_users::Migration),
            Box::new(m20261123_000002_create_audit_log::Migration),
            Box::new(m20261123_000003_create_banks_and_items::Migration),
            Box::new(m20261123_000004_create_seals::Migration),
            Box::new(m20261123_000005_create_rounds_positions_applications::Migration),
            Box::new(m20261123_000006_create_exams_sessions_sittings::Migration),
            Box::new(m20261123_000030_add_round_exam_dates::Migration),
            Box::new(m20261123_000031_add_application_search_key::Migration),
            Box::new(m20261123_000032_add_session_seats::Migration),
            Box::new(m20261123_000040_add_sitting_attendance::Migration),
            Box::new(m20261123_000041_create_incidents::Migration),
            Box::new(m20261123_000050_create_marks::Migration),
            Box::new(m20261123_000051_create_head_decisions::Migration),
            Box::new(m20261123_000052_create_publications::Migration),
            Box::new(m20261123_000053_create_voided_items::Migration),
            Box::new(m20261123_000054_create_strike_offs::Migration),
            Box::new(m20261123_000055_create_reviews::Migration),
            Box::new(m20261203_000060_add_sitting_compact_forms::Migration),
            Box::new(m20261204_000061_move_sitting_papers::Migration),
            Box::new(m20261205_000100_add_sign_in_security::Migration),
            Box::new(m20261205_000201_add_user_token_version::Migration),
            Box::new(m20261205_000300_create_calendar_notices::Migration),
            Box::new(m20261205_000400_add_decree_amendments::Migration),
            Box::new(m20261205_000500_create_publication_documents::Migration),
        ]
    }
}
