use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Incidents::Table)
                    .col(pk_auto(Incidents::Id))
                    .col(integer(Incidents::SessionId))
                    .col(integer_null(Incidents::SittingId))
                    .col(string(Incidents::Kind))
                    .col(text(Incidents::Note))
                    .col(string(Incidents::RecordedBy))
                    .col(timestamp_with_time_zone(Incidents::At))
                    .to_owned(),
            )
            .await?;
        // VN-25: none, reprimand, warning, suspension or not_signed.
        manager
            .alter_table(
                Table::alter()
                    .table(Sittings::Table)
                    .add_column(string(Sittings::Sanction).default("none"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sittings::Table)
                    .drop_column(Sittings::Sanction)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Incidents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
    SessionId,
    SittingId,
    Kind,
    Note,
    RecordedBy,
    At,
}

#[derive(DeriveIden)]
enum Sittings {
    Table,
    Sanction,
}
