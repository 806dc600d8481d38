use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// SQLite alters one column per statement, hence one call per column.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sittings::Table)
                    .add_column(timestamp_with_time_zone_null(Sittings::FirstLoginAt))
                    .to_owned(),
            )
            .await?;
        // VN-22: a supervisor (the chair's decision) may admit a candidate beyond the limit.
        manager
            .alter_table(
                Table::alter()
                    .table(Sittings::Table)
                    .add_column(boolean(Sittings::LateAdmitted).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sittings::Table)
                    .add_column(integer(Sittings::LoginCount).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            Sittings::LoginCount,
            Sittings::LateAdmitted,
            Sittings::FirstLoginAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sittings::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Sittings {
    Table,
    FirstLoginAt,
    LateAdmitted,
    LoginCount,
}
