use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A publication's documents (PDF, workbook), made once when it is published and served as
/// stored: the anonymous crowd of publication day reads bytes, never renders. Like the
/// publication itself, a row is never updated.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PublicationDocuments::Table)
                    .col(pk_auto(PublicationDocuments::Id))
                    .col(integer(PublicationDocuments::PublicationId))
                    .col(string_len(PublicationDocuments::Format, 8))
                    .col(blob(PublicationDocuments::Bytes))
                    .col(string_len(PublicationDocuments::Sha256, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_publication_documents_format")
                    .table(PublicationDocuments::Table)
                    .col(PublicationDocuments::PublicationId)
                    .col(PublicationDocuments::Format)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PublicationDocuments::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PublicationDocuments {
    Table,
    Id,
    PublicationId,
    Format,
    Bytes,
    Sha256,
}
