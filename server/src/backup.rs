//! Backups that restore (issue 19): `server backup DIR` and `server restore FROM`.
//!
//! On SQLite a backup is one `VACUUM INTO`: SQLite writes a consistent copy of the database
//! as of one read transaction, while the server keeps serving (WAL lets the writers go on).
//! The data dir's master secret (`master.key`) goes into the same backup directory: without it
//! every token the restored server signed before is void and, worse, a key-less restore makes
//! a new one silently. Both files carry password hashes or the key, so the backup directory is
//! 0700 and its files 0600. A key given in `THITUYEN_MASTER_SECRET` is not in the data dir and
//! is kept by whoever keeps the environment.
//!
//! On PostgreSQL the backup is PostgreSQL's own: `pg_dump --format=custom`, run when it is on
//! the PATH, else the command to run is printed.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{AppError, AppResult};

/// The database file of a data dir, and the files SQLite keeps beside it.
pub const DATABASE_FILE: &str = "thituyen.db";
const SQLITE_SIDE_FILES: [&str; 2] = ["thituyen.db-wal", "thituyen.db-shm"];
/// The generated master secret of a data dir (the keys are derived from it).
pub const KEY_FILE: &str = crate::keys::MASTER_FILE;

/// Where a backup went and what it holds.
#[derive(Debug)]
pub struct Backup {
    pub path: PathBuf,
    pub files: Vec<&'static str>,
    /// Why something needed to restore is not in the backup.
    pub notes: Vec<String>,
}

impl std::fmt::Display for Backup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "backup written to {} ({})",
            self.path.display(),
            self.files.join(", ")
        )?;
        for note in &self.notes {
            write!(f, "\nnote: {note}")?;
        }
        Ok(())
    }
}

/// Backs up the database (and the data dir's key) into a new directory under `dir`, named
/// after `now` so backups never overwrite each other.
pub async fn backup(
    config: &Config,
    db: &DatabaseConnection,
    dir: &Path,
    now: DateTime<Utc>,
) -> AppResult<Backup> {
    let stamp = now.format("%Y%m%dT%H%M%SZ");
    if !config.is_sqlite() {
        return pg_dump(config, dir, &format!("thituyen-{stamp}.dump"));
    }
    let target = dir.join(format!("thituyen-backup-{stamp}"));
    private_dir(&target)?;
    let db_copy = target.join(DATABASE_FILE);
    let quoted = db_copy.to_string_lossy().replace('\'', "''");
    db.execute_unprepared(&format!("VACUUM INTO '{quoted}'"))
        .await?;
    private_file(&db_copy)?;
    let mut files = vec![DATABASE_FILE];
    let mut notes = Vec::new();
    let key = config.data_dir.join(KEY_FILE);
    if ["THITUYEN_MASTER_SECRET", "THITUYEN_JWT_SECRET"]
        .iter()
        .any(|v| std::env::var_os(v).is_some())
    {
        notes.push(
            "the signing key comes from THITUYEN_MASTER_SECRET: keep it with the backup, separately"
                .into(),
        );
    } else if key.exists() {
        copy_private(&key, &target.join(KEY_FILE))?;
        files.push(KEY_FILE);
    }
    Ok(Backup {
        path: target,
        files,
        notes,
    })
}

/// PostgreSQL's own backup, or the command to run where `pg_dump` is not installed.
fn pg_dump(config: &Config, dir: &Path, name: &str) -> AppResult<Backup> {
    private_dir(dir)?;
    let file = dir.join(name);
    let run = std::process::Command::new("pg_dump")
        .arg("--format=custom")
        .arg("--file")
        .arg(&file)
        .arg("--dbname")
        .arg(&config.database_url)
        .status();
    match run {
        Ok(status) if status.success() => {
            private_file(&file)?;
            Ok(Backup {
                path: file,
                files: vec!["pg_dump custom format"],
                notes: vec![
                    "restore with: pg_restore --clean --if-exists --dbname \"$DATABASE_URL\" FILE"
                        .into(),
                    "the signing key (THITUYEN_MASTER_SECRET) is not in the dump: keep it separately"
                        .into(),
                ],
            })
        }
        Ok(status) => Err(AppError::internal(format!("pg_dump failed: {status}"))),
        Err(e) => Err(AppError::internal(format!(
            "cannot run pg_dump ({e}); install the PostgreSQL client and run: \
             pg_dump --format=custom --file {} --dbname \"$DATABASE_URL\"",
            file.display()
        ))),
    }
}

/// Puts a SQLite backup (its directory, or its `thituyen.db`) in place as `data_dir`.
/// Refuses a data dir that holds anything unless `force`; with `force` the database, its WAL
/// and the key are replaced. The server must not be running on `data_dir` meanwhile.
pub fn restore(from: &Path, data_dir: &Path, force: bool) -> AppResult<String> {
    if std::env::var("DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        return Err(AppError::internal(
            "DATABASE_URL names PostgreSQL: restore a pg_dump backup with \
             pg_restore --clean --if-exists --dbname \"$DATABASE_URL\" FILE",
        ));
    }
    let source = if from.is_dir() {
        from.to_path_buf()
    } else {
        from.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let db_file = if from.is_dir() {
        from.join(DATABASE_FILE)
    } else {
        from.to_path_buf()
    };
    if !db_file.is_file() {
        return Err(AppError::field(
            "from",
            format!("{} is not a backup: no database file", db_file.display()),
        ));
    }
    let occupied = std::fs::read_dir(data_dir).is_ok_and(|mut d| d.next().is_some());
    if occupied && !force {
        return Err(AppError::field(
            "data_dir",
            format!(
                "{} is not empty: restore into a fresh directory, or add --force to replace its \
                 database and key (stop the server first)",
                data_dir.display()
            ),
        ));
    }
    private_dir(data_dir)?;
    for stale in SQLITE_SIDE_FILES.iter().chain([&KEY_FILE]) {
        remove_if_present(&data_dir.join(stale))?;
    }
    copy_private(&db_file, &data_dir.join(DATABASE_FILE))?;
    let key = source.join(KEY_FILE);
    let mut restored = format!("restored {} into {}", db_file.display(), data_dir.display());
    if key.is_file() {
        copy_private(&key, &data_dir.join(KEY_FILE))?;
        restored.push_str(" with its signing key");
    } else {
        restored.push_str(
            "; the backup has no signing key: set THITUYEN_MASTER_SECRET to the one it was made with",
        );
    }
    Ok(restored)
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> AppError {
    AppError::internal(format!("cannot {what} {}: {e}", path.display()))
}

fn remove_if_present(path: &Path) -> AppResult<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error("remove", path, e)),
        _ => Ok(()),
    }
}

/// Copies through a temporary name, so a half-written file never has the final name.
fn copy_private(from: &Path, to: &Path) -> AppResult<()> {
    let partial = to.with_extension("partial");
    std::fs::copy(from, &partial).map_err(|e| io_error("copy", from, e))?;
    private_file(&partial)?;
    std::fs::rename(&partial, to).map_err(|e| io_error("rename", &partial, e))
}

fn private_dir(dir: &Path) -> AppResult<()> {
    std::fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
    set_mode(dir, 0o700)
}

fn private_file(file: &Path) -> AppResult<()> {
    set_mode(file, 0o600)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> AppResult<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| io_error("set the permissions of", path, e))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> AppResult<()> {
    Ok(())
}
