//! Exams (blueprints), sessions and sittings with their pre-generated papers.

use chrono::{DateTime, Utc};
use question_bank::compact::paper_to_compact;
use question_bank::paper::Paper;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::HashMap;

use crate::entities::sittings::SanctionColumn;
use crate::entities::{exams, item_versions, sessions, sittings, voided_items};
use crate::error::AppResult;
use crate::rules::sitting::SittingStatus;

pub struct NewExam<'a> {
    pub round_id: i32,
    pub code: &'a str,
    pub name: &'a str,
    pub stage: &'a str,
    pub duration_minutes: i32,
    pub blueprint_json: String,
}

pub async fn insert_exam<C: ConnectionTrait>(
    conn: &C,
    e: NewExam<'_>,
    now: DateTime<Utc>,
) -> AppResult<exams::Model> {
    Ok(exams::ActiveModel {
        round_id: Set(e.round_id),
        code: Set(e.code.to_string()),
        name: Set(e.name.to_string()),
        stage: Set(e.stage.to_string()),
        duration_minutes: Set(e.duration_minutes),
        blueprint: Set(e.blueprint_json),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

pub struct NewSession<'a> {
    pub exam_id: i32,
    pub code: &'a str,
    pub room: &'a str,
    pub starts_at: DateTime<Utc>,
    pub access_code: String,
    pub secret_hex: String,
    /// Seats of the room, when stated.
    pub seats: Option<i32>,
}

pub async fn insert_session<C: ConnectionTrait>(
    conn: &C,
    s: NewSession<'_>,
    now: DateTime<Utc>,
) -> AppResult<sessions::Model> {
    Ok(sessions::ActiveModel {
        exam_id: Set(s.exam_id),
        code: Set(s.code.to_string()),
        room: Set(s.room.to_string()),
        starts_at: Set(s.starts_at),
        access_code: Set(s.access_code),
        secret: Set(s.secret_hex),
        opened_at: Set(None),
        created_at: Set(now),
        seats: Set(s.seats),
        allowed_networks: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

pub struct NewSitting {
    pub session_id: i32,
    pub application_id: i32,
    pub ticket_no: String,
    pub seat: i32,
    pub seed_hex: String,
    /// Keyed digest of the candidate's PIN: every sitting has one (issue 16, VN-21).
    pub pin_hash: String,
    /// Pre-generated paper, or `None` when papers are built later (`POST .../papers`).
    pub paper: Option<question_bank::paper::Paper>,
    pub ends_at: DateTime<Utc>,
}

pub async fn insert_sitting<C: ConnectionTrait>(
    conn: &C,
    s: NewSitting,
    now: DateTime<Utc>,
) -> AppResult<sittings::Model> {
    let json = s.paper.as_ref().map(Paper::canonical_json);
    let sitting = sittings::ActiveModel {
        session_id: Set(s.session_id),
        application_id: Set(s.application_id),
        ticket_no: Set(s.ticket_no),
        seat: Set(s.seat),
        pin_hash: Set(Some(s.pin_hash)),
        seed: Set(s.seed_hex),
        paper_sha256: Set(s.paper.as_ref().map(Paper::sha256)),
        paper_compact: Set(s.paper.as_ref().map(paper_to_compact)),
        answer_sheet: Set(None),
        status: Set(SittingStatus::Waiting),
        ends_at: Set(s.ends_at),
        extra_minutes: Set(0),
        active_login: Set(None),
        submitted_at: Set(None),
        result: Set(None),
        created_at: Set(now),
        first_login_at: Set(None),
        late_admitted: Set(false),
        login_count: Set(0),
        sanction: Set(SanctionColumn::default()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    if let Some(json) = json {
        crate::repo::sitting::insert_paper_json(conn, sitting.id, json).await?;
    }
    Ok(sitting)
}

pub async fn sessions_of_exam<C: ConnectionTrait>(
    conn: &C,
    exam_id: i32,
) -> AppResult<Vec<sessions::Model>> {
    Ok(sessions::Entity::find()
        .filter(sessions::Column::ExamId.eq(exam_id))
        .all(conn)
        .await?)
}

pub async fn exams_of_round<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Vec<exams::Model>> {
    Ok(exams::Entity::find()
        .filter(exams::Column::RoundId.eq(round_id))
        .order_by_asc(exams::Column::Id)
        .all(conn)
        .await?)
}

pub async fn sittings_of_session<C: ConnectionTrait>(
    conn: &C,
    session_id: i32,
) -> AppResult<Vec<sittings::Model>> {
    Ok(sittings::Entity::find()
        .filter(sittings::Column::SessionId.eq(session_id))
        .order_by_asc(sittings::Column::Seat)
        .order_by_asc(sittings::Column::Id)
        .all(conn)
        .await?)
}

/// Moves a session that nobody has sat yet to a new start (demo re-runs).
pub async fn reschedule_session<C: ConnectionTrait>(
    conn: &C,
    session: sessions::Model,
    starts_at: DateTime<Utc>,
    duration_minutes: i64,
) -> AppResult<()> {
    let id = session.id;
    let mut active: sessions::ActiveModel = session.into();
    active.starts_at = Set(starts_at);
    active.update(conn).await?;
    for s in sittings_of_session(conn, id).await? {
        let mut a: sittings::ActiveModel = s.into();
        a.ends_at = Set(starts_at + chrono::Duration::minutes(duration_minutes));
        a.update(conn).await?;
    }
    Ok(())
}

pub async fn find_exam<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<Option<exams::Model>> {
    Ok(exams::Entity::find_by_id(id).one(conn).await?)
}

pub async fn find_session<C: ConnectionTrait>(
    conn: &C,
    id: i32,
) -> AppResult<Option<sessions::Model>> {
    Ok(sessions::Entity::find_by_id(id).one(conn).await?)
}

/// The given sessions, by id.
pub async fn sessions_by_id<C: ConnectionTrait>(
    conn: &C,
    ids: Vec<i32>,
) -> AppResult<HashMap<i32, sessions::Model>> {
    Ok(sessions::Entity::find()
        .filter(sessions::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}

/// The given exams, in no particular order.
pub async fn exams_by_id<C: ConnectionTrait>(
    conn: &C,
    ids: Vec<i32>,
) -> AppResult<Vec<exams::Model>> {
    Ok(exams::Entity::find()
        .filter(exams::Column::Id.is_in(ids))
        .all(conn)
        .await?)
}

pub async fn mark_session_opened<C: ConnectionTrait>(
    conn: &C,
    session: sessions::Model,
    now: DateTime<Utc>,
) -> AppResult<sessions::Model> {
    let mut a: sessions::ActiveModel = session.into();
    a.opened_at = Set(Some(now));
    Ok(a.update(conn).await?)
}

/// Sets a session's lab lock (comma-separated networks), or lifts it with `None`.
pub async fn set_allowed_networks<C: ConnectionTrait>(
    conn: &C,
    session: sessions::Model,
    networks: Option<String>,
) -> AppResult<sessions::Model> {
    let mut a: sessions::ActiveModel = session.into();
    a.allowed_networks = Set(networks);
    Ok(a.update(conn).await?)
}

/// The item versions sealed in the given seals (what their papers may name).
pub async fn seal_version_ids<C: ConnectionTrait>(
    conn: &C,
    seal_ids: &[i32],
) -> AppResult<Vec<i32>> {
    use crate::entities::seal_items;
    Ok(seal_items::Entity::find()
        .select_only()
        .column(seal_items::Column::ItemVersionId)
        .filter(seal_items::Column::SealId.is_in(seal_ids.to_vec()))
        .into_tuple()
        .all(conn)
        .await?)
}

pub async fn load_pool<C: ConnectionTrait>(
    conn: &C,
    seal_ids: &[i32],
) -> AppResult<Vec<question_bank::assembly::PoolItem>> {
    use crate::entities::{item_versions, seal_items};
    let members = seal_items::Entity::find()
        .filter(seal_items::Column::SealId.is_in(seal_ids.to_vec()))
        .all(conn)
        .await?;
    let version_ids: Vec<i32> = members.iter().map(|m| m.item_version_id).collect();
    let mut versions = std::collections::HashMap::new();
    for chunk in version_ids.chunks(500) {
        for v in item_versions::Entity::find()
            .filter(item_versions::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            versions.insert(v.id, v);
        }
    }
    let mut pool = Vec::with_capacity(members.len());
    for m in members {
        let v = versions.get(&m.item_version_id).ok_or_else(|| {
            crate::error::AppError::internal(format!(
                "seal item version {} missing",
                m.item_version_id
            ))
        })?;
        let item: question_bank::Item = serde_json::from_str(&v.content).map_err(|e| {
            crate::error::AppError::internal(format!("item version {} unreadable: {e}", v.id))
        })?;
        pool.push(question_bank::assembly::PoolItem::new(
            m.seal_id, v.item_id, v.id, item,
        ));
    }
    Ok(pool)
}

/// Item contents by version id, for rendering and grading papers.
pub async fn item_versions_by_id<C: ConnectionTrait>(
    conn: &C,
    version_ids: Vec<i32>,
) -> AppResult<std::collections::HashMap<i32, question_bank::Item>> {
    use crate::entities::item_versions;
    let mut out = std::collections::HashMap::new();
    for chunk in version_ids.chunks(500) {
        for v in item_versions::Entity::find()
            .filter(item_versions::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            let item: question_bank::Item = serde_json::from_str(&v.content).map_err(|e| {
                crate::error::AppError::internal(format!("item version {} unreadable: {e}", v.id))
            })?;
            out.insert(v.id, item);
        }
    }
    Ok(out)
}

pub async fn seal_exists<C: ConnectionTrait>(conn: &C, seal_id: i32) -> AppResult<bool> {
    use crate::entities::seals;
    Ok(seals::Entity::find_by_id(seal_id)
        .one(conn)
        .await?
        .is_some())
}

pub async fn round_exists<C: ConnectionTrait>(conn: &C, round_id: i32) -> AppResult<bool> {
    use crate::entities::rounds;
    Ok(rounds::Entity::find_by_id(round_id)
        .one(conn)
        .await?
        .is_some())
}

pub async fn applications_by_id<C: ConnectionTrait>(
    conn: &C,
    ids: Vec<i32>,
) -> AppResult<Vec<crate::entities::applications::Model>> {
    use crate::entities::applications;
    Ok(applications::Entity::find()
        .filter(applications::Column::Id.is_in(ids))
        .all(conn)
        .await?)
}

/// Application ids that already have a sitting in some session of `exam_id`.
pub async fn seated_applications<C: ConnectionTrait>(
    conn: &C,
    exam_id: i32,
) -> AppResult<Vec<i32>> {
    let session_ids: Vec<i32> = sessions_of_exam(conn, exam_id)
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    Ok(sittings::Entity::find()
        .filter(sittings::Column::SessionId.is_in(session_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.application_id)
        .collect())
}

/// Sittings of several sessions at once (seat lists of a whole exam).
pub async fn sittings_of_sessions<C: ConnectionTrait>(
    conn: &C,
    session_ids: Vec<i32>,
) -> AppResult<Vec<sittings::Model>> {
    Ok(sittings::Entity::find()
        .filter(sittings::Column::SessionId.is_in(session_ids))
        .all(conn)
        .await?)
}

/// Items voided in the exam (VN-24), oldest first.
pub async fn voided_items<C: ConnectionTrait>(
    conn: &C,
    exam_id: i32,
) -> AppResult<Vec<voided_items::Model>> {
    Ok(voided_items::Entity::find()
        .filter(voided_items::Column::ExamId.eq(exam_id))
        .order_by_asc(voided_items::Column::Id)
        .all(conn)
        .await?)
}

pub async fn find_sitting<C: ConnectionTrait>(
    conn: &C,
    id: i32,
) -> AppResult<Option<sittings::Model>> {
    Ok(sittings::Entity::find_by_id(id).one(conn).await?)
}

/// Where a sitting moves to: session, seat, the end of its time there and its paper seed.
pub struct SeatChange {
    pub session_id: i32,
    pub seat: i32,
    pub ends_at: DateTime<Utc>,
    pub seed_hex: String,
}

/// Moves a sitting (ticket number unchanged). A paper built for the old session is dropped:
/// papers are derived from their session's secret, so the caller rebuilds it.
pub async fn move_sitting<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    to: SeatChange,
) -> AppResult<sittings::Model> {
    let changes_session = sitting.session_id != to.session_id;
    if changes_session {
        crate::repo::sitting::drop_paper_json(conn, sitting.id).await?;
    }
    let mut a: sittings::ActiveModel = sitting.into();
    a.session_id = Set(to.session_id);
    a.seat = Set(to.seat);
    a.ends_at = Set(to.ends_at);
    if changes_session {
        a.seed = Set(to.seed_hex);
        a.paper_sha256 = Set(None);
        a.paper_compact = Set(None);
    }
    Ok(a.update(conn).await?)
}

pub struct VoidRecord<'a> {
    pub exam_id: i32,
    pub item_id: i32,
    pub version_ids: String,
    pub accepted_options: Option<String>,
    pub reason: &'a str,
    pub voided_by: &'a str,
}

pub async fn insert_voided_item<C: ConnectionTrait>(
    conn: &C,
    r: VoidRecord<'_>,
    now: DateTime<Utc>,
) -> AppResult<voided_items::Model> {
    Ok(voided_items::ActiveModel {
        exam_id: Set(r.exam_id),
        item_id: Set(r.item_id),
        version_ids: Set(r.version_ids),
        accepted_options: Set(r.accepted_options),
        reason: Set(r.reason.to_string()),
        voided_by: Set(r.voided_by.to_string()),
        voided_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// Every sitting of every session of the exam, oldest first.
pub async fn sittings_of_exam<C: ConnectionTrait>(
    conn: &C,
    exam_id: i32,
) -> AppResult<Vec<sittings::Model>> {
    let sessions = sessions_of_exam(conn, exam_id).await?;
    if sessions.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sittings::Entity::find()
        .filter(sittings::Column::SessionId.is_in(sessions.iter().map(|s| s.id)))
        .order_by_asc(sittings::Column::Id)
        .all(conn)
        .await?)
}

/// The version numbers of the given item-version rows, ascending and without repeats.
pub async fn version_numbers<C: ConnectionTrait>(conn: &C, ids: Vec<i32>) -> AppResult<Vec<i32>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut numbers: Vec<i32> = item_versions::Entity::find()
        .filter(item_versions::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|v| v.version)
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    Ok(numbers)
}
