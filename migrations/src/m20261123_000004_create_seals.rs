use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Seals::Table)
                    .col(pk_auto(Seals::Id))
                    .col(integer(Seals::BankId))
                    .col(string_len(Seals::Sha256, 64))
                    .col(integer(Seals::ItemCount))
                    .col(timestamp_with_time_zone(Seals::SealedAt))
                    .col(integer(Seals::SealedBy))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SealItems::Table)
                    .col(pk_auto(SealItems::Id))
                    .col(integer(SealItems::SealId))
                    .col(integer(SealItems::ItemVersionId))
                    .col(string(SealItems::Topic))
                    .col(small_integer(SealItems::Difficulty))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SealItems::Table, SealItems::SealId)
                            .to(Seals::Table, Seals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_seal_items_cell")
                    .table(SealItems::Table)
                    .col(SealItems::SealId)
                    .col(SealItems::Topic)
                    .col(SealItems::Difficulty)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SealItems::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Seals::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Seals {
    Table,
    Id,
    BankId,
    Sha256,
    ItemCount,
    SealedAt,
    SealedBy,
}

#[derive(DeriveIden)]
enum SealItems {
    Table,
    Id,
    SealId,
    ItemVersionId,
    Topic,
    Difficulty,
}
