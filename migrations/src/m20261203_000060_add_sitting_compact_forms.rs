use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// Issue 8: grading a whole exam again must not re-read every paper's JSON (about 5.8 kB each)
// and every answer row. A sitting keeps its paper in compact form, written with the paper, and
// the answer sheet it was graded on, written with its result at hand-in. Both are derived, so
// they may be absent (older rows): the grader then falls back to the canonical data.
// SQLite alters one column per statement, hence one call per column.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sittings::Table)
                    .add_column(text_null(Sittings::PaperCompact))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sittings::Table)
                    .add_column(text_null(Sittings::AnswerSheet))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [Sittings::AnswerSheet, Sittings::PaperCompact] {
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
    PaperCompact,
    AnswerSheet,
}
