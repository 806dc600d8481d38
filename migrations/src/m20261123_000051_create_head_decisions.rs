use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Decisions of the head of the recruiting agency on a tie at the last slot (VN-11, VN-13).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HeadDecisions::Table)
                    .col(pk_auto(HeadDecisions::Id))
                    .col(integer(HeadDecisions::RoundId))
                    .col(integer(HeadDecisions::PositionId))
                    // JSON list of the chosen application ids.
                    .col(text(HeadDecisions::ApplicationIds))
                    .col(text(HeadDecisions::Reason))
                    .col(string(HeadDecisions::DecidedBy))
                    .col(timestamp_with_time_zone(HeadDecisions::DecidedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_head_decisions_position")
                    .table(HeadDecisions::Table)
                    .col(HeadDecisions::PositionId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HeadDecisions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum HeadDecisions {
    Table,
    Id,
    RoundId,
    PositionId,
    ApplicationIds,
    Reason,
    DecidedBy,
    DecidedAt,
}
