use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Rounds::Table)
                    .col(pk_auto(Rounds::Id))
                    .col(string_uniq(Rounds::Code))
                    .col(string(Rounds::Name))
                    // VN-0: every score of the round is computed by this rule set.
                    .col(string(Rounds::RuleSet))
                    // VN-16, a per-round setting (default on).
                    .col(boolean(Rounds::OneApplicationPerCandidate).default(true))
                    .col(date_null(Rounds::ApplicationsOpenOn))
                    .col(timestamp_with_time_zone(Rounds::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Positions::Table)
                    .col(pk_auto(Positions::Id))
                    .col(integer(Positions::RoundId))
                    .col(string(Positions::Code))
                    .col(string(Positions::Name))
                    .col(string(Positions::Grade))
                    .col(string(Positions::Round2Form))
                    .col(integer(Positions::Quota))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Positions::Table, Positions::RoundId)
                            .to(Rounds::Table, Rounds::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_positions_round_code")
                    .table(Positions::Table)
                    .col(Positions::RoundId)
                    .col(Positions::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Agencies::Table)
                    .col(pk_auto(Agencies::Id))
                    .col(integer(Agencies::PositionId))
                    .col(string(Agencies::Code))
                    .col(string(Agencies::Name))
                    .col(integer(Agencies::Quota))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Agencies::Table, Agencies::PositionId)
                            .to(Positions::Table, Positions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Applications::Table)
                    .col(pk_auto(Applications::Id))
                    .col(integer(Applications::RoundId))
                    .col(integer(Applications::PositionId))
                    .col(string(Applications::FullName))
                    .col(date(Applications::DateOfBirth))
                    .col(string(Applications::Gender))
                    .col(string(Applications::NationalId))
                    // JSON arrays of codes, in the candidate's order.
                    .col(text(Applications::AgencyPreferences))
                    .col(text(Applications::PriorityGroups))
                    .col(text(Applications::UnprovenGroups))
                    .col(text(Applications::Exemptions))
                    // Exact decimal kept as its 2-place string (VN-12).
                    .col(string(Applications::PriorityPoints))
                    .col(boolean_null(Applications::Eligible))
                    .col(text_null(Applications::EligibilityReason))
                    .col(timestamp_with_time_zone(Applications::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Applications::Table, Applications::PositionId)
                            .to(Positions::Table, Positions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_applications_round_nid")
                    .table(Applications::Table)
                    .col(Applications::RoundId)
                    .col(Applications::NationalId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Applications::Table.into_iden(),
            Agencies::Table.into_iden(),
            Positions::Table.into_iden(),
            Rounds::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Rounds {
    Table,
    Id,
    Code,
    Name,
    RuleSet,
    OneApplicationPerCandidate,
    ApplicationsOpenOn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Positions {
    Table,
    Id,
    RoundId,
    Code,
    Name,
    Grade,
    Round2Form,
    Quota,
}

#[derive(DeriveIden)]
enum Agencies {
    Table,
    Id,
    PositionId,
    Code,
    Name,
    Quota,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    RoundId,
    PositionId,
    FullName,
    DateOfBirth,
    Gender,
    NationalId,
    AgencyPreferences,
    PriorityGroups,
    UnprovenGroups,
    Exemptions,
    PriorityPoints,
    Eligible,
    EligibilityReason,
    CreatedAt,
}
