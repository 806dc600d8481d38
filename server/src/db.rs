//! Opening the database (SQLite embedded by default, PostgreSQL via `DATABASE_URL`) and
//! bringing its schema up to date.

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use std::time::Duration;

use crate::config::Config;
use crate::error::{AppError, AppResult};

pub async fn connect(config: &Config) -> AppResult<DatabaseConnection> {
    if config.is_sqlite() {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            AppError::internal_from(format!("cannot create {}", config.data_dir.display()), e)
        })?;
    }
    let mut opts = ConnectOptions::new(config.database_url.clone());
    opts.sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(30))
        .max_connections(if config.is_sqlite() { 8 } else { 20 })
        // WAL lets readers proceed during a write; FULL sync makes an acknowledged answer
        // survive a power cut, not only a crash of the process (durability first).
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    let db = Database::connect(opts).await?;
    Ok(db)
}

pub async fn migrate(db: &DatabaseConnection) -> AppResult<()> {
    Migrator::up(db, None).await?;
    Ok(())
}

/// Begins a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (IMMEDIATE): a deferred transaction that reads first and writes later fails with
/// SQLITE_BUSY when another connection committed in between, which the busy timeout cannot
/// absorb; taking the lock first makes concurrent writers queue instead. PostgreSQL ignores
/// the mode.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
