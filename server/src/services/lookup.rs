//! A round, an exam or a session as every use case loads it: by id, 404 when there is none;
//! a round with its rule set read from the stored code (VN-0).

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ConnectionTrait;

use crate::entities::{exams, rounds, sessions};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::rules::{priority_date, RuleSet};
use crate::vietnam_time::vietnam_today;

/// The round `round_id`, or 404.
pub async fn round<C: ConnectionTrait>(conn: &C, round_id: i32) -> AppResult<rounds::Model> {
    repo::round::find_round(conn, round_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no round {round_id}")))
}

/// The round's rule set. Codes are checked when written, so an unknown one means the database
/// was changed behind the server's back.
pub fn rule_set(round: &rounds::Model) -> AppResult<RuleSet> {
    RuleSet::from_str(&round.rule_set)
        .map_err(|e| AppError::internal_from(format!("round {}", round.id), e))
}

/// The exam `exam_id`, or 404.
pub async fn exam<C: ConnectionTrait>(conn: &C, exam_id: i32) -> AppResult<exams::Model> {
    repo::exam::find_exam(conn, exam_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no exam {exam_id}")))
}

/// The session `session_id`, or 404.
pub async fn session<C: ConnectionTrait>(conn: &C, session_id: i32) -> AppResult<sessions::Model> {
    repo::exam::find_session(conn, session_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no session {session_id}")))
}

/// The exam a session belongs to (there always is one: the foreign key says so).
pub async fn exam_of_session<C: ConnectionTrait>(
    conn: &C,
    session: &sessions::Model,
) -> AppResult<exams::Model> {
    repo::exam::find_exam(conn, session.exam_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("session {} has no exam", session.id)))
}

/// The day an application's priority groups are read as of (VN-0, VN-7): the plan's approval
/// date, or, for a round without one, the Vietnam date the application was made.
pub fn priority_as_of(round: &rounds::Model, applied_at: DateTime<Utc>) -> NaiveDate {
    priority_date(round.plan_approved_on, vietnam_today(applied_at))
}
