use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Winners struck off the list (VN-14): declined, no dossier in time, or fraud. A candidate is
/// struck off at most once; the ranking then offers the place to the reserve list in order.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StrikeOffs::Table)
                    .col(pk_auto(StrikeOffs::Id))
                    .col(integer(StrikeOffs::RoundId))
                    .col(integer(StrikeOffs::PositionId))
                    .col(integer(StrikeOffs::ApplicationId))
                    // `declined`, `no_dossier` or `fraud`.
                    .col(string(StrikeOffs::Cause))
                    .col(text(StrikeOffs::Reason))
                    .col(string(StrikeOffs::RecordedBy))
                    .col(timestamp_with_time_zone(StrikeOffs::RecordedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_strike_offs_application")
                    .table(StrikeOffs::Table)
                    .col(StrikeOffs::ApplicationId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_strike_offs_round")
                    .table(StrikeOffs::Table)
                    .col(StrikeOffs::RoundId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StrikeOffs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum StrikeOffs {
    Table,
    Id,
    RoundId,
    PositionId,
    ApplicationId,
    Cause,
    Reason,
    RecordedBy,
    RecordedAt,
}
