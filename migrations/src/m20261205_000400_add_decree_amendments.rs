//! What the amended decree needs recorded (VN-0, VN-14, VN-16): the day the round's plan was
//! approved, which picks the version of vn-2025 and the priority groups; the recruiting
//! authority, within which a fraud bar reaches the next round; the old 9-digit ID a candidate
//! links to their 12-digit one, so that both name one person; and, on a strike-off, whether
//! the agency fills the freed place.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        let changes = [
            Table::alter()
                .table(Rounds::Table)
                .add_column(date_null(Rounds::PlanApprovedOn))
                .to_owned(),
            Table::alter()
                .table(Rounds::Table)
                .add_column(string(Rounds::RecruitingAuthority).default(""))
                .to_owned(),
            Table::alter()
                .table(Applications::Table)
                .add_column(string_null(Applications::LinkedNationalId))
                .to_owned(),
            Table::alter()
                .table(StrikeOffs::Table)
                .add_column(boolean(StrikeOffs::Replaced).default(true))
                .to_owned(),
        ];
        for change in changes {
            manager.alter_table(change).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let changes = [
            Table::alter()
                .table(StrikeOffs::Table)
                .drop_column(StrikeOffs::Replaced)
                .to_owned(),
            Table::alter()
                .table(Applications::Table)
                .drop_column(Applications::LinkedNationalId)
                .to_owned(),
            Table::alter()
                .table(Rounds::Table)
                .drop_column(Rounds::RecruitingAuthority)
                .to_owned(),
            Table::alter()
                .table(Rounds::Table)
                .drop_column(Rounds::PlanApprovedOn)
                .to_owned(),
        ];
        for change in changes {
            manager.alter_table(change).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Rounds {
    Table,
    PlanApprovedOn,
    RecruitingAuthority,
}

#[derive(DeriveIden, Clone, Copy)]
enum Applications {
    Table,
    LinkedNationalId,
}

#[derive(DeriveIden, Clone, Copy)]
enum StrikeOffs {
    Table,
    Replaced,
}
