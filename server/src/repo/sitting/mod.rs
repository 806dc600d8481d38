//! Sittings (one candidate's attempt at one session), their papers, answers and incidents.
//!
//! One sitting at a time here; [`answers`] holds the answer rows, [`batch`] the reads and
//! writes a group-commit batch makes at once, and [`graded`] the whole-exam reads of graded
//! sittings.

pub mod answers;
pub mod batch;
pub mod graded;
mod sql;

use chrono::{DateTime, Utc};
use question_bank::scoring::Sanction;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use crate::entities::sittings::SanctionColumn;
use crate::entities::{incidents, sitting_papers, sittings};
use crate::error::AppResult;
use crate::rules::sitting::{IncidentKind, SittingStatus};

pub use answers::{answers_of, answers_of_many};
pub use batch::{finish_rows, FinishRow};
pub use graded::{
    answer_sheets_of, compact_forms_of_sessions, graded_sittings, set_results, text_answers_of,
    unit_fields, unreadable_record, GradedSitting, RECORD, UNIT,
};

/// A sitting replaced by a re-sitting (VN-23), under the name `services::seating` compares
/// statuses with.
pub const VOID: SittingStatus = SittingStatus::Void;

pub async fn find<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<Option<sittings::Model>> {
    Ok(sittings::Entity::find_by_id(id).one(conn).await?)
}

pub async fn find_by_ticket<C: ConnectionTrait>(
    conn: &C,
    ticket_no: &str,
) -> AppResult<Option<sittings::Model>> {
    Ok(sittings::Entity::find()
        .filter(sittings::Column::TicketNo.eq(ticket_no))
        .one(conn)
        .await?)
}

/// Makes `login` the only live login of the sitting (a newer login locks older pages out).
pub async fn record_login<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    login: &str,
    now: DateTime<Utc>,
) -> AppResult<sittings::Model> {
    let first = sitting.first_login_at.unwrap_or(now);
    let count = sitting.login_count + 1;
    let mut a: sittings::ActiveModel = sitting.into();
    a.active_login = Set(Some(login.to_string()));
    a.first_login_at = Set(Some(first));
    a.login_count = Set(count);
    Ok(a.update(conn).await?)
}

/// Replaces the stored result of a graded sitting (it is graded again).
pub async fn set_result<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    result_json: String,
) -> AppResult<sittings::Model> {
    let mut a: sittings::ActiveModel = sitting.into();
    a.result = Set(Some(result_json));
    Ok(a.update(conn).await?)
}

pub async fn set_ends_at<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    ends_at: DateTime<Utc>,
    extra_minutes: i32,
) -> AppResult<sittings::Model> {
    let mut a: sittings::ActiveModel = sitting.into();
    a.ends_at = Set(ends_at);
    a.extra_minutes = Set(extra_minutes);
    Ok(a.update(conn).await?)
}

pub async fn admit_late<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
) -> AppResult<sittings::Model> {
    let mut a: sittings::ActiveModel = sitting.into();
    a.late_admitted = Set(true);
    Ok(a.update(conn).await?)
}

/// Sittings whose time is up but which nobody has closed yet.
pub async fn due_for_closing<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> AppResult<Vec<sittings::Model>> {
    Ok(sittings::Entity::find()
        .filter(sittings::Column::Status.eq(SittingStatus::Waiting))
        .filter(sittings::Column::EndsAt.lte(now))
        .all(conn)
        .await?)
}

/// Stores the sitting's paper: its canonical JSON, the hash of that, and the compact form the
/// whole-exam grader reads.
pub async fn set_paper<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    paper: &question_bank::paper::Paper,
) -> AppResult<sittings::Model> {
    let id = sitting.id;
    let mut a: sittings::ActiveModel = sitting.into();
    a.paper_sha256 = Set(Some(paper.sha256()));
    a.paper_compact = Set(Some(question_bank::compact::paper_to_compact(paper)));
    let sitting = a.update(conn).await?;
    drop_paper_json(conn, id).await?;
    insert_paper_json(conn, id, paper.canonical_json()).await?;
    Ok(sitting)
}

pub async fn insert_paper_json<C: ConnectionTrait>(
    conn: &C,
    sitting_id: i32,
    json: String,
) -> AppResult<()> {
    sitting_papers::Entity::insert(sitting_papers::ActiveModel {
        sitting_id: Set(sitting_id),
        paper: Set(json),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub async fn drop_paper_json<C: ConnectionTrait>(conn: &C, sitting_id: i32) -> AppResult<()> {
    sitting_papers::Entity::delete_by_id(sitting_id)
        .exec(conn)
        .await?;
    Ok(())
}

/// The canonical JSON of the given sittings' papers, by sitting id (those without a paper are
/// left out).
pub async fn paper_jsons<C: ConnectionTrait>(
    conn: &C,
    sitting_ids: &[i32],
) -> AppResult<std::collections::HashMap<i32, String>> {
    let mut out = std::collections::HashMap::new();
    for chunk in sitting_ids.chunks(500) {
        let rows = sitting_papers::Entity::find()
            .filter(sitting_papers::Column::SittingId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?;
        out.extend(rows.into_iter().map(|r| (r.sitting_id, r.paper)));
    }
    Ok(out)
}

/// An entry of a session's minutes.
pub struct NewIncident<'a> {
    pub session_id: i32,
    pub sitting_id: Option<i32>,
    pub kind: IncidentKind,
    pub note: &'a str,
    pub recorded_by: &'a str,
}

pub async fn insert_incident<C: ConnectionTrait>(
    conn: &C,
    new: NewIncident<'_>,
    now: DateTime<Utc>,
) -> AppResult<incidents::Model> {
    Ok(incidents::ActiveModel {
        session_id: Set(new.session_id),
        sitting_id: Set(new.sitting_id),
        kind: Set(new.kind),
        note: Set(new.note.to_string()),
        recorded_by: Set(new.recorded_by.to_string()),
        at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

pub async fn incidents_of_session<C: ConnectionTrait>(
    conn: &C,
    session_id: i32,
) -> AppResult<Vec<incidents::Model>> {
    Ok(incidents::Entity::find()
        .filter(incidents::Column::SessionId.eq(session_id))
        .order_by_asc(incidents::Column::Id)
        .all(conn)
        .await?)
}

pub async fn set_status<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    status: SittingStatus,
) -> AppResult<sittings::Model> {
    let mut a: sittings::ActiveModel = sitting.into();
    a.status = Set(status);
    Ok(a.update(conn).await?)
}

pub async fn set_sanction<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    sanction: Sanction,
) -> AppResult<sittings::Model> {
    let mut a: sittings::ActiveModel = sitting.into();
    a.sanction = Set(SanctionColumn(sanction));
    Ok(a.update(conn).await?)
}

/// Sittings of the session, re-sittings and void ones included.
pub async fn count_in_session<C: ConnectionTrait>(conn: &C, session_id: i32) -> AppResult<u64> {
    Ok(sittings::Entity::find()
        .filter(sittings::Column::SessionId.eq(session_id))
        .count(conn)
        .await?)
}

pub async fn set_pin_hash<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    digest: String,
) -> AppResult<sittings::Model> {
    let mut a: sittings::ActiveModel = sitting.into();
    a.pin_hash = Set(Some(digest));
    Ok(a.update(conn).await?)
}
