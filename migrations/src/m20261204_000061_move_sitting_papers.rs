use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// Issue 8: a sitting's paper JSON (about 5.8 kB) sat in the middle of its row. On SQLite every
// read of a column stored after it (the result, the compact forms) walked the paper's overflow
// pages: ranking 100,000 candidates read 600 MB to use 27 MB. The JSON moves to a table of its
// own, read only when a candidate's paper is shown or a sitting predates its compact form.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SittingPapers::Table)
                    .col(integer(SittingPapers::SittingId).primary_key())
                    .col(text(SittingPapers::Paper))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SittingPapers::Table, SittingPapers::SittingId)
                            .to(Sittings::Table, Sittings::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO sitting_papers (sitting_id, paper) \
                 SELECT id, paper FROM sittings WHERE paper IS NOT NULL",
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sittings::Table)
                    .drop_column(Sittings::Paper)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sittings::Table)
                    .add_column(text_null(Sittings::Paper))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE sittings SET paper = \
                 (SELECT p.paper FROM sitting_papers p WHERE p.sitting_id = sittings.id)",
            )
            .await?;
        manager
            .drop_table(Table::drop().table(SittingPapers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Sittings {
    Table,
    Id,
    Paper,
}

#[derive(DeriveIden)]
enum SittingPapers {
    Table,
    SittingId,
    Paper,
}
