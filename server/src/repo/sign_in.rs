//! The security log (every sign-in, bounded) and the moves of a live sitting to another
//! computer (issue 16).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::entities::{device_moves, security_log};
use crate::error::AppResult;
use crate::rules::sign_in::MoveStatus;

/// One line of the security log.
#[derive(Debug, Clone)]
pub struct LogLine {
    pub kind: &'static str,
    pub subject: String,
    pub session_id: Option<i32>,
    pub sitting_id: Option<i32>,
    pub address: String,
    pub user_agent: String,
    pub detail: String,
}

/// Rows written at once per insert (well under the bind-parameter limits).
const CHUNK: usize = 200;

pub async fn insert_log<C: ConnectionTrait>(
    conn: &C,
    lines: &[LogLine],
    now: DateTime<Utc>,
) -> AppResult<()> {
    for chunk in lines.chunks(CHUNK) {
        security_log::Entity::insert_many(chunk.iter().map(|l| security_log::ActiveModel {
            at: Set(now),
            kind: Set(l.kind.to_string()),
            subject: Set(l.subject.clone()),
            session_id: Set(l.session_id),
            sitting_id: Set(l.sitting_id),
            address: Set(l.address.clone()),
            user_agent: Set(l.user_agent.clone()),
            detail: Set(l.detail.clone()),
            ..Default::default()
        }))
        .exec(conn)
        .await?;
    }
    Ok(())
}

/// Keeps the newest `keep` rows of the security log.
pub async fn prune_log<C: ConnectionTrait>(conn: &C, keep: u64) -> AppResult<u64> {
    let newest = security_log::Entity::find()
        .order_by_desc(security_log::Column::Id)
        .offset(keep)
        .limit(1)
        .one(conn)
        .await?;
    let Some(cut) = newest else { return Ok(0) };
    let done = security_log::Entity::delete_many()
        .filter(security_log::Column::Id.lte(cut.id))
        .exec(conn)
        .await?;
    Ok(done.rows_affected)
}

/// Rows of the log, newest first: of one session when given, before an id when given.
pub async fn log_page<C: ConnectionTrait>(
    conn: &C,
    session_id: Option<i32>,
    before_id: Option<i32>,
    limit: u64,
) -> AppResult<Vec<security_log::Model>> {
    let mut q = security_log::Entity::find().order_by_desc(security_log::Column::Id);
    if let Some(s) = session_id {
        q = q.filter(security_log::Column::SessionId.eq(s));
    }
    if let Some(b) = before_id {
        q = q.filter(security_log::Column::Id.lt(b));
    }
    Ok(q.limit(limit).all(conn).await?)
}

pub async fn log_rows<C: ConnectionTrait>(conn: &C) -> AppResult<u64> {
    Ok(security_log::Entity::find().count(conn).await?)
}

/// The computer a sitting was last signed in from: its latest sign-in or approved move.
pub async fn last_device<C: ConnectionTrait>(
    conn: &C,
    sitting_id: i32,
) -> AppResult<Option<security_log::Model>> {
    Ok(security_log::Entity::find()
        .filter(security_log::Column::SittingId.eq(sitting_id))
        .filter(security_log::Column::Kind.is_in(["candidate.login", "candidate.device_move"]))
        .order_by_desc(security_log::Column::Id)
        .one(conn)
        .await?)
}

/// A new computer asking for a live sitting.
pub struct NewMove<'a> {
    pub sitting_id: i32,
    pub session_id: i32,
    pub claim_hash: String,
    pub address: &'a str,
    pub user_agent: &'a str,
}

/// Records a request to move; an earlier pending request of the sitting is superseded.
pub async fn insert_move<C: ConnectionTrait>(
    conn: &C,
    m: NewMove<'_>,
    now: DateTime<Utc>,
) -> AppResult<device_moves::Model> {
    device_moves::Entity::update_many()
        .col_expr(
            device_moves::Column::Status,
            sea_orm::sea_query::Expr::value("superseded"),
        )
        .filter(device_moves::Column::SittingId.eq(m.sitting_id))
        .filter(device_moves::Column::Status.eq(MoveStatus::Pending))
        .exec(conn)
        .await?;
    Ok(device_moves::ActiveModel {
        sitting_id: Set(m.sitting_id),
        session_id: Set(m.session_id),
        claim_hash: Set(m.claim_hash),
        address: Set(m.address.to_string()),
        user_agent: Set(m.user_agent.to_string()),
        requested_at: Set(now),
        status: Set(MoveStatus::Pending),
        decided_by: Set(None),
        decided_at: Set(None),
        reason: Set(None),
        login: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

pub async fn find_move<C: ConnectionTrait>(
    conn: &C,
    id: i32,
) -> AppResult<Option<device_moves::Model>> {
    Ok(device_moves::Entity::find_by_id(id).one(conn).await?)
}

pub async fn pending_moves<C: ConnectionTrait>(
    conn: &C,
    session_id: i32,
) -> AppResult<Vec<device_moves::Model>> {
    Ok(device_moves::Entity::find()
        .filter(device_moves::Column::SessionId.eq(session_id))
        .filter(device_moves::Column::Status.eq(MoveStatus::Pending))
        .order_by_asc(device_moves::Column::Id)
        .all(conn)
        .await?)
}

/// Marks a move approved, with the login it made live.
pub async fn approve_move<C: ConnectionTrait>(
    conn: &C,
    m: device_moves::Model,
    by: &str,
    reason: &str,
    login: &str,
    now: DateTime<Utc>,
) -> AppResult<device_moves::Model> {
    let mut a: device_moves::ActiveModel = m.into();
    a.status = Set(MoveStatus::Approved);
    a.decided_by = Set(Some(by.to_string()));
    a.decided_at = Set(Some(now));
    a.reason = Set(Some(reason.to_string()));
    a.login = Set(Some(login.to_string()));
    Ok(a.update(conn).await?)
}
