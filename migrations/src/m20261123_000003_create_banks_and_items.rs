use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Banks::Table)
                    .col(pk_auto(Banks::Id))
                    .col(string_uniq(Banks::Code))
                    .col(string(Banks::Name))
                    .col(timestamp_with_time_zone(Banks::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // `items` carries the current version's searchable fields so the board's item table
        // filters without decoding every version.
        manager
            .create_table(
                Table::create()
                    .table(Items::Table)
                    .col(pk_auto(Items::Id))
                    .col(integer(Items::BankId))
                    .col(integer(Items::CurrentVersion))
                    .col(string(Items::Status))
                    .col(string(Items::Topic))
                    .col(small_integer(Items::Difficulty))
                    .col(string(Items::Kind))
                    .col(text(Items::SearchText))
                    .col(text(Items::DuplicateKey))
                    .col(integer(Items::AuthorId))
                    .col(integer_null(Items::ReviewedBy))
                    .col(text_null(Items::ReviewNote))
                    .col(timestamp_with_time_zone(Items::CreatedAt))
                    .col(timestamp_with_time_zone(Items::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Items::Table, Items::BankId)
                            .to(Banks::Table, Banks::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_items_bank_topic")
                    .table(Items::Table)
                    .col(Items::BankId)
                    .col(Items::Topic)
                    .col(Items::Difficulty)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ItemVersions::Table)
                    .col(pk_auto(ItemVersions::Id))
                    .col(integer(ItemVersions::ItemId))
                    .col(integer(ItemVersions::Version))
                    // Canonical JSON of the question_bank::Item; its hash is what seals chain.
                    .col(text(ItemVersions::Content))
                    .col(string_len(ItemVersions::Sha256, 64))
                    .col(integer(ItemVersions::AuthorId))
                    .col(timestamp_with_time_zone(ItemVersions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ItemVersions::Table, ItemVersions::ItemId)
                            .to(Items::Table, Items::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_item_versions_item_version")
                    .table(ItemVersions::Table)
                    .col(ItemVersions::ItemId)
                    .col(ItemVersions::Version)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ItemVersions::Table.into_iden(),
            Items::Table.into_iden(),
            Banks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Banks {
    Table,
    Id,
    Code,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Items {
    Table,
    Id,
    BankId,
    CurrentVersion,
    Status,
    Topic,
    Difficulty,
    Kind,
    SearchText,
    DuplicateKey,
    AuthorId,
    ReviewedBy,
    ReviewNote,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ItemVersions {
    Table,
    Id,
    ItemId,
    Version,
    Content,
    Sha256,
    AuthorId,
    CreatedAt,
}
