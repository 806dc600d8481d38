use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Published results: the canonical JSON exactly as hashed, never updated afterwards; a change
/// needs a new row.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Publications::Table)
                    .col(pk_auto(Publications::Id))
                    .col(integer(Publications::RoundId))
                    .col(text(Publications::Document))
                    .col(string_len(Publications::Sha256, 64))
                    .col(string_len(Publications::AuditHead, 64))
                    .col(string(Publications::PublishedBy))
                    .col(timestamp_with_time_zone(Publications::PublishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_publications_round")
                    .table(Publications::Table)
                    .col(Publications::RoundId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Publications::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Publications {
    Table,
    Id,
    RoundId,
    Document,
    Sha256,
    AuditHead,
    PublishedBy,
    PublishedAt,
}
