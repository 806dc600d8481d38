//! The dates a round holds its tests, recorded by HR so the dashboard computes the later VN-30
//! deadlines (round 2 within 10 days of round 1, results within 5 + 5 working days of round 2)
//! from what happened rather than from the latest allowed dates.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for column in [Rounds::Round1On, Rounds::Round2On] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Rounds::Table)
                        .add_column(date_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Rounds::Round2On, Rounds::Round1On] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Rounds::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Rounds {
    Table,
    Round1On,
    Round2On,
}
