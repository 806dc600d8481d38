//! What a group-commit batch (answer saves, logins, hand-ins) reads and writes at once, inside
//! its one write transaction.
//!
//! The sittings of a batch are read `FOR UPDATE` on PostgreSQL, in id order: a hand-in of one
//! of them waits for a batch of saves (or the saves for it), so an acknowledged answer is
//! always in the graded sheet. SQLite's write lock, taken at `BEGIN`, already gives that.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashMap;

use super::sql::update_from_values;
use crate::entities::{sessions, sittings};
use crate::error::AppResult;
use crate::rules::sitting::SittingStatus;

/// What deciding an answer save needs of its sitting.
#[derive(Debug, FromQueryResult)]
pub struct SaveTarget {
    pub id: i32,
    pub session_id: i32,
    pub status: SittingStatus,
    pub ends_at: DateTime<Utc>,
    pub active_login: Option<String>,
}

/// The sittings that a batch of saves touches (ids sorted, without repeats), locked.
pub async fn lock_save_targets<C: ConnectionTrait>(
    conn: &C,
    ids: Vec<i32>,
) -> AppResult<Vec<SaveTarget>> {
    Ok(sittings::Entity::find()
        .select_only()
        .columns([
            sittings::Column::Id,
            sittings::Column::SessionId,
            sittings::Column::Status,
            sittings::Column::EndsAt,
            sittings::Column::ActiveLogin,
        ])
        .filter(sittings::Column::Id.is_in(ids))
        .order_by_asc(sittings::Column::Id)
        .lock_exclusive()
        .into_model::<SaveTarget>()
        .all(conn)
        .await?)
}

#[derive(FromQueryResult)]
struct SessionStart {
    id: i32,
    starts_at: DateTime<Utc>,
}

/// The scheduled start of each of the given sessions, by session id.
pub async fn session_starts<C: ConnectionTrait>(
    conn: &C,
    session_ids: Vec<i32>,
) -> AppResult<HashMap<i32, DateTime<Utc>>> {
    Ok(sessions::Entity::find()
        .select_only()
        .columns([sessions::Column::Id, sessions::Column::StartsAt])
        .filter(sessions::Column::Id.is_in(session_ids))
        .into_model::<SessionStart>()
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.starts_at))
        .collect())
}

/// Makes each login the only live login of its sitting (a newer login locks older pages out),
/// counting it and keeping the time of the first.
pub async fn record_logins<C: ConnectionTrait>(
    conn: &C,
    logins: &[NewLiveLogin<'_>],
    now: DateTime<Utc>,
) -> AppResult<Vec<bool>> {
    let mut taken = Vec::with_capacity(logins.len());
    for l in logins {
        let mut update = sittings::Entity::update_many()
            .col_expr(
                sittings::Column::ActiveLogin,
                Expr::value(Some(l.login.to_string())),
            )
            .col_expr(
                sittings::Column::FirstLoginAt,
                Func::coalesce([
                    Expr::col(sittings::Column::FirstLoginAt),
                    Expr::value(Some(now)),
                ])
                .into(),
            )
            .col_expr(
                sittings::Column::LoginCount,
                Expr::col(sittings::Column::LoginCount).add(1),
            )
            .filter(sittings::Column::Id.eq(l.sitting_id));
        if l.only_if_free {
            update = update.filter(sittings::Column::ActiveLogin.is_null());
        }
        taken.push(update.exec(conn).await?.rows_affected == 1);
    }
    Ok(taken)
}

/// A login to make a sitting's live one; `only_if_free` when no other computer may hold it
/// (a first sign-in to a live sitting: one racing another must not replace it silently).
pub struct NewLiveLogin<'a> {
    pub sitting_id: i32,
    pub login: &'a str,
    pub only_if_free: bool,
}

/// The given sittings (ids sorted, without repeats), locked, by id.
pub async fn lock_sittings<C: ConnectionTrait>(
    conn: &C,
    ids: Vec<i32>,
) -> AppResult<HashMap<i32, sittings::Model>> {
    Ok(sittings::Entity::find()
        .filter(sittings::Column::Id.is_in(ids))
        .order_by_asc(sittings::Column::Id)
        .lock_exclusive()
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}

/// A hand-in as [`finish_rows`] stores it.
pub struct FinishRow {
    pub sitting_id: i32,
    pub status: SittingStatus,
    /// The `SubmitResult` JSON.
    pub result: String,
    /// The answers graded, in compact form.
    pub sheet: String,
}

/// Finishes many sittings at once, all at `now`: one statement per few hundred hand-ins.
pub async fn finish_rows<C: ConnectionTrait>(
    conn: &C,
    rows: &[FinishRow],
    now: DateTime<Utc>,
) -> AppResult<()> {
    use sea_orm::ActiveEnum;
    let backend = conn.get_database_backend();
    let head = if backend == DbBackend::Postgres {
        "UPDATE sittings SET status = v.column2, result = v.column3, answer_sheet = v.column4, \
         submitted_at = $1"
    } else {
        "UPDATE sittings SET status = v.column2, result = v.column3, answer_sheet = v.column4, \
         submitted_at = ?"
    };
    for chunk in rows.chunks(250) {
        let values = chunk
            .iter()
            .map(|r| {
                vec![
                    r.sitting_id.into(),
                    r.status.to_value().into(),
                    r.result.clone().into(),
                    r.sheet.clone().into(),
                ]
            })
            .collect();
        let stmt = update_from_values(
            backend,
            head,
            vec![now.into()],
            &["INTEGER", "TEXT", "TEXT", "TEXT"],
            values,
        );
        conn.execute_raw(stmt).await?;
    }
    Ok(())
}
