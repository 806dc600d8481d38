use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Items the council corrected in one exam (VN-24): voided (every candidate given the item
/// scores it) or, when two options are both correct, further options accepted. One row per
/// (exam, item): correcting again the same way changes nothing.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(VoidedItems::Table)
                    .col(pk_auto(VoidedItems::Id))
                    .col(integer(VoidedItems::ExamId))
                    .col(integer(VoidedItems::ItemId))
                    // JSON list of the sealed version ids of the item found on the exam's papers.
                    .col(text(VoidedItems::VersionIds))
                    // JSON list of further accepted option indexes (bank order); NULL for a void.
                    .col(text_null(VoidedItems::AcceptedOptions))
                    .col(text(VoidedItems::Reason))
                    .col(string(VoidedItems::VoidedBy))
                    .col(timestamp_with_time_zone(VoidedItems::VoidedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_voided_items_exam_item")
                    .table(VoidedItems::Table)
                    .col(VoidedItems::ExamId)
                    .col(VoidedItems::ItemId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(VoidedItems::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum VoidedItems {
    Table,
    Id,
    ExamId,
    ItemId,
    VersionIds,
    AcceptedOptions,
    Reason,
    VoidedBy,
    VoidedAt,
}
