//! Sign-in security (issue 16): the lab lock of a session (allowed client networks), moves of a
//! live sitting to another computer waiting for the supervisor, and the bounded security log
//! of every sign-in. Candidate PINs already have their column (`sittings.pin_hash`); the server
//! fills it for sittings seated before PINs were mandatory (it alone holds the key).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Comma-separated CIDR list; NULL or empty: no lab lock.
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(text_null(Sessions::AllowedNetworks))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DeviceMoves::Table)
                    .col(pk_auto(DeviceMoves::Id))
                    .col(integer(DeviceMoves::SittingId))
                    .col(integer(DeviceMoves::SessionId))
                    .col(string(DeviceMoves::ClaimHash))
                    .col(string(DeviceMoves::Address))
                    .col(string(DeviceMoves::UserAgent))
                    .col(timestamp_with_time_zone(DeviceMoves::RequestedAt))
                    .col(string(DeviceMoves::Status))
                    .col(string_null(DeviceMoves::DecidedBy))
                    .col(timestamp_with_time_zone_null(DeviceMoves::DecidedAt))
                    .col(text_null(DeviceMoves::Reason))
                    .col(string_null(DeviceMoves::Login))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_device_moves_session")
                    .table(DeviceMoves::Table)
                    .col(DeviceMoves::SessionId)
                    .col(DeviceMoves::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SecurityLog::Table)
                    .col(pk_auto(SecurityLog::Id))
                    .col(timestamp_with_time_zone(SecurityLog::At))
                    .col(string(SecurityLog::Kind))
                    .col(string(SecurityLog::Subject))
                    .col(integer_null(SecurityLog::SessionId))
                    .col(integer_null(SecurityLog::SittingId))
                    .col(string(SecurityLog::Address))
                    .col(string(SecurityLog::UserAgent))
                    .col(text(SecurityLog::Detail))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_security_log_session")
                    .table(SecurityLog::Table)
                    .col(SecurityLog::SessionId)
                    .col(SecurityLog::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_security_log_sitting")
                    .table(SecurityLog::Table)
                    .col(SecurityLog::SittingId)
                    .col(SecurityLog::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SecurityLog::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(DeviceMoves::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .drop_column(Sessions::AllowedNetworks)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    AllowedNetworks,
}

#[derive(DeriveIden)]
enum DeviceMoves {
    Table,
    Id,
    SittingId,
    SessionId,
    ClaimHash,
    Address,
    UserAgent,
    RequestedAt,
    Status,
    DecidedBy,
    DecidedAt,
    Reason,
    Login,
}

#[derive(DeriveIden)]
enum SecurityLog {
    Table,
    Id,
    At,
    Kind,
    Subject,
    SessionId,
    SittingId,
    Address,
    UserAgent,
    Detail,
}
