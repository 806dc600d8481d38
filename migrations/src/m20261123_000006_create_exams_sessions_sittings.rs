use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Exams::Table)
                    .col(pk_auto(Exams::Id))
                    .col(integer(Exams::RoundId))
                    .col(string(Exams::Code))
                    .col(string(Exams::Name))
                    .col(string(Exams::Stage))
                    .col(integer(Exams::DurationMinutes))
                    // The blueprint (sections, cells, pass rules) as canonical JSON.
                    .col(text(Exams::Blueprint))
                    .col(timestamp_with_time_zone(Exams::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(pk_auto(Sessions::Id))
                    .col(integer(Sessions::ExamId))
                    .col(string(Sessions::Code))
                    .col(string(Sessions::Room))
                    .col(timestamp_with_time_zone(Sessions::StartsAt))
                    .col(string(Sessions::AccessCode))
                    // Secret from which per-candidate paper seeds are derived; never leaves the server.
                    .col(string(Sessions::Secret))
                    .col(timestamp_with_time_zone_null(Sessions::OpenedAt))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sittings::Table)
                    .col(pk_auto(Sittings::Id))
                    .col(integer(Sittings::SessionId))
                    .col(integer(Sittings::ApplicationId))
                    .col(string_uniq(Sittings::TicketNo))
                    .col(integer(Sittings::Seat))
                    .col(string_null(Sittings::PinHash))
                    .col(string(Sittings::Seed))
                    .col(text_null(Sittings::Paper))
                    .col(string_len_null(Sittings::PaperSha256, 64))
                    .col(string(Sittings::Status))
                    .col(timestamp_with_time_zone(Sittings::EndsAt))
                    .col(integer(Sittings::ExtraMinutes).default(0))
                    .col(string_null(Sittings::ActiveLogin))
                    .col(timestamp_with_time_zone_null(Sittings::SubmittedAt))
                    .col(text_null(Sittings::Result))
                    .col(timestamp_with_time_zone(Sittings::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sittings_session")
                    .table(Sittings::Table)
                    .col(Sittings::SessionId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Answers::Table)
                    .col(pk_auto(Answers::Id))
                    .col(integer(Answers::SittingId))
                    .col(integer(Answers::ItemNo))
                    .col(text(Answers::Choices))
                    .col(text_null(Answers::Text))
                    .col(big_integer(Answers::Seq))
                    .col(timestamp_with_time_zone(Answers::SavedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_answers_sitting_item")
                    .table(Answers::Table)
                    .col(Answers::SittingId)
                    .col(Answers::ItemNo)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Answers::Table.into_iden(),
            Sittings::Table.into_iden(),
            Sessions::Table.into_iden(),
            Exams::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Exams {
    Table,
    Id,
    RoundId,
    Code,
    Name,
    Stage,
    DurationMinutes,
    Blueprint,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    ExamId,
    Code,
    Room,
    StartsAt,
    AccessCode,
    Secret,
    OpenedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sittings {
    Table,
    Id,
    SessionId,
    ApplicationId,
    TicketNo,
    Seat,
    PinHash,
    Seed,
    Paper,
    PaperSha256,
    Status,
    EndsAt,
    ExtraMinutes,
    ActiveLogin,
    SubmittedAt,
    Result,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Answers {
    Table,
    Id,
    SittingId,
    ItemNo,
    Choices,
    Text,
    Seq,
    SavedAt,
}
