//! Exams (blueprints), sessions and sittings with their pre-generated papers.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entities::{exams, sessions, sittings};
use crate::error::AppResult;

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
    pub paper_json: String,
    pub paper_sha256: String,
    pub ends_at: DateTime<Utc>,
}

pub async fn insert_sitting<C: ConnectionTrait>(
    conn: &C,
    s: NewSitting,
    now: DateTime<Utc>,
) -> AppResult<sittings::Model> {
    Ok(sittings::ActiveModel {
        session_id: Set(s.session_id),
        application_id: Set(s.application_id),
        ticket_no: Set(s.ticket_no),
        seat: Set(s.seat),
        pin_hash: Set(None),
        seed: Set(s.seed_hex),
        paper: Set(Some(s.paper_json)),
        paper_sha256: Set(Some(s.paper_sha256)),
        status: Set("waiting".into()),
        ends_at: Set(s.ends_at),
        extra_minutes: Set(0),
        active_login: Set(None),
        submitted_at: Set(None),
        result: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
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
        .all(conn)
        .await?)
}

pub async fn sittings_of_session<C: ConnectionTrait>(
    conn: &C,
    session_id: i32,
) -> AppResult<Vec<sittings::Model>> {
    Ok(sittings::Entity::find()
        .filter(sittings::Column::SessionId.eq(session_id))
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
