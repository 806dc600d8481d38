//! A folded search key on applications (name without diacritics, lower case, plus the national
//! id) so HR finds "Nguyễn Thị Lan" by typing "nguyen thi lan" among thousands, in SQL.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Applications::Table)
                    .add_column(text(Applications::SearchKey).default(""))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Applications::Table)
                    .drop_column(Applications::SearchKey)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    SearchKey,
}
