//! The security log: every sign-in, success and failure, staff and candidate, and every
//! device change, with address and browser. Bounded: the newest
//! `THITUYEN_SECURITY_LOG_ROWS` rows are kept. Written in batches by one writer (a wave of
//! candidates signing in must not cost a transaction each; successful candidate logins are
//! written with the login itself, see `services::sitting::login`).

use serde::{Deserialize, Serialize};

use super::Client;
use crate::entities::security_log;
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::sign_in::LogLine;
use crate::services::paging::Page;
use crate::state::AppState;
use crate::write_queue::BatchWriter;

/// A line about `subject` signing in (or trying to) from `client`.
pub fn line(kind: &'static str, subject: String, client: &Client, detail: &str) -> LogLine {
    LogLine {
        kind,
        subject,
        session_id: None,
        sitting_id: None,
        address: client.address(),
        user_agent: truncate(&client.user_agent, 300),
        detail: detail.to_string(),
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Writes queued log lines together, and keeps the log within its bound.
pub struct LogWriter;

/// Batches written between two prunings of the log.
const PRUNE_EVERY: u64 = 64;

impl BatchWriter for LogWriter {
    type Job = LogLine;
    type Done = ();
    type Context = (AppState, std::sync::atomic::AtomicU64);
    const WHAT: &'static str = "security log lines";
    const MAX_BATCH: usize = 512;

    async fn write(
        cx: &(AppState, std::sync::atomic::AtomicU64),
        lines: &[LogLine],
    ) -> AppResult<Vec<AppResult<()>>> {
        let (state, batches) = cx;
        let _turn = state.write_turns.take().await;
        let txn = crate::db::begin_write(&state.db).await?;
        repo::sign_in::insert_log(&txn, lines, state.now()).await?;
        if batches.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % PRUNE_EVERY == 0 {
            repo::sign_in::prune_log(&txn, state.config.security_log_rows).await?;
        }
        txn.commit().await?;
        Ok(lines.iter().map(|_| Ok(())).collect())
    }
}

/// Writes a line, committed with concurrent ones. A full queue drops the line with a warning
/// rather than refusing the sign-in it describes.
pub async fn record(state: &AppState, line: LogLine) -> AppResult<()> {
    let capacity = state.config.write_queue;
    let written = state
        .writes
        .security_log
        .queue_and_wait(
            capacity,
            || (state.clone(), std::sync::atomic::AtomicU64::new(0)),
            line,
        )
        .await;
    match written {
        Err(AppError::Unavailable { .. }) => {
            tracing::warn!("security log queue full: a sign-in line was dropped");
            Ok(())
        }
        other => other,
    }
}

/// One line as the API shows it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LogEntry {
    pub id: i32,
    pub at: chrono::DateTime<chrono::Utc>,
    /// `candidate.login`, `candidate.login_failed`, `candidate.login_refused`,
    /// `candidate.move_requested`, `candidate.device_move`, `staff.login`, `staff.login_failed`.
    pub kind: String,
    pub subject: String,
    pub session_id: Option<i32>,
    pub sitting_id: Option<i32>,
    pub address: String,
    pub user_agent: String,
    pub detail: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LogList {
    /// Newest first.
    pub items: Vec<LogEntry>,
}

impl From<security_log::Model> for LogEntry {
    fn from(m: security_log::Model) -> Self {
        LogEntry {
            id: m.id,
            at: m.at,
            kind: m.kind,
            subject: m.subject,
            session_id: m.session_id,
            sitting_id: m.sitting_id,
            address: m.address,
            user_agent: m.user_agent,
            detail: m.detail,
        }
    }
}

/// The log, newest first: of one session, or all of it; `before_id` pages back.
pub async fn list(
    state: &AppState,
    session_id: Option<i32>,
    before_id: Option<i32>,
    limit: Option<u64>,
) -> AppResult<LogList> {
    if let Some(id) = session_id {
        repo::exam::find_session(&state.db, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no session {id}")))?;
    }
    let page = Page::new(limit, None);
    let rows = repo::sign_in::log_page(&state.db, session_id, before_id, page.limit).await?;
    Ok(LogList {
        items: rows.into_iter().map(LogEntry::from).collect(),
    })
}
