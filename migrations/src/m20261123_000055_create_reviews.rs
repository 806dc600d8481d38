use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Reviews (*phúc khảo*) of paper-written round-2 marks (VN-27): the request, the reviewers'
/// marks, and the mark that replaced the published one. One review per candidate and component.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Reviews::Table)
                    .col(pk_auto(Reviews::Id))
                    .col(integer(Reviews::RoundId))
                    .col(integer(Reviews::ApplicationId))
                    .col(string(Reviews::Component))
                    // The official mark as published when the request was made.
                    .col(string(Reviews::PublishedMark))
                    .col(text(Reviews::Request))
                    .col(string(Reviews::RequestedBy))
                    .col(timestamp_with_time_zone(Reviews::RequestedAt))
                    // JSON list of the reviewers' 2-place decimal strings; `[]` until entered.
                    .col(text(Reviews::Entered))
                    // `requested`, `needs_third_reviewer`, `needs_conference` or `applied`.
                    .col(string(Reviews::Status))
                    // What the reviewers' marks give (VN-27), once they agree or a third marked.
                    .col(string_null(Reviews::ReviewMark))
                    // The mark that now counts, once applied.
                    .col(string_null(Reviews::Official))
                    .col(string_null(Reviews::DecidedBy))
                    .col(text_null(Reviews::Decision))
                    .col(timestamp_with_time_zone_null(Reviews::SettledAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reviews_application_component")
                    .table(Reviews::Table)
                    .col(Reviews::ApplicationId)
                    .col(Reviews::Component)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reviews_round")
                    .table(Reviews::Table)
                    .col(Reviews::RoundId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Reviews::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Reviews {
    Table,
    Id,
    RoundId,
    ApplicationId,
    Component,
    PublishedMark,
    Request,
    RequestedBy,
    RequestedAt,
    #[sea_orm(iden = "marks")]
    Entered,
    Status,
    ReviewMark,
    Official,
    DecidedBy,
    Decision,
    SettledAt,
}
