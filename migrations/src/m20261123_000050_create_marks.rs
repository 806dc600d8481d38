use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Round-2 marks per (application, component): the marks as entered, the official mark the
/// rules give (VN-26, VN-28) and, where the rules send it to a head, the head's settled mark.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Marks::Table)
                    .col(pk_auto(Marks::Id))
                    .col(integer(Marks::RoundId))
                    .col(integer(Marks::ApplicationId))
                    .col(string(Marks::Component))
                    // JSON list of 2-place decimal strings, in entry order.
                    .col(text(Marks::Entered))
                    // `final`, `needs_head` or `needs_third_marker`.
                    .col(string(Marks::Status))
                    .col(string_null(Marks::Official))
                    .col(string_null(Marks::HeadOfficial))
                    .col(text_null(Marks::HeadReason))
                    .col(string_null(Marks::SettledBy))
                    .col(string(Marks::EnteredBy))
                    .col(timestamp_with_time_zone(Marks::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_marks_application_component")
                    .table(Marks::Table)
                    .col(Marks::ApplicationId)
                    .col(Marks::Component)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_marks_round")
                    .table(Marks::Table)
                    .col(Marks::RoundId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Marks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Marks {
    Table,
    Id,
    RoundId,
    ApplicationId,
    Component,
    #[sea_orm(iden = "marks")]
    Entered,
    Status,
    Official,
    HeadOfficial,
    HeadReason,
    SettledBy,
    EnteredBy,
    UpdatedAt,
}
