use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The Government's yearly notice of days off and swapped working days (VN-32), as an operator
/// entered it. One row per year; a year entered here replaces what the platform ships for it.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CalendarNotices::Table)
                    .col(integer(CalendarNotices::Year).primary_key())
                    // JSON lists of ISO dates.
                    .col(text(CalendarNotices::DaysOff))
                    .col(text(CalendarNotices::WorkingWeekendDays))
                    // The notice's reference (number and date of the Government's notice).
                    .col(text(CalendarNotices::Source))
                    .col(string(CalendarNotices::EnteredBy))
                    .col(timestamp_with_time_zone(CalendarNotices::EnteredAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CalendarNotices::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CalendarNotices {
    Table,
    Year,
    DaysOff,
    WorkingWeekendDays,
    Source,
    EnteredBy,
    EnteredAt,
}
