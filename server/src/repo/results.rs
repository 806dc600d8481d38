//! Marks, head decisions and publications.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement,
};

use crate::entities::{
    exams, head_decisions, marks, publication_documents, publications, reviews, sessions, sittings,
    strike_offs,
};
use crate::error::{AppError, AppResult};

pub async fn find_mark<C: ConnectionTrait>(
    conn: &C,
    application_id: i32,
    component: &str,
) -> AppResult<Option<marks::Model>> {
    Ok(marks::Entity::find()
        .filter(marks::Column::ApplicationId.eq(application_id))
        .filter(marks::Column::Component.eq(component))
        .one(conn)
        .await?)
}

/// What a (re-)entry of marks stores; a re-entry clears an earlier head settlement, which was
/// about other marks.
pub struct MarkRecord<'a> {
    pub round_id: i32,
    pub application_id: i32,
    pub component: &'a str,
    pub marks: String,
    pub status: &'a str,
    pub official: Option<String>,
    pub entered_by: &'a str,
}

pub async fn upsert_mark<C: ConnectionTrait>(
    conn: &C,
    existing: Option<marks::Model>,
    r: MarkRecord<'_>,
    now: DateTime<Utc>,
) -> AppResult<marks::Model> {
    let is_new = existing.is_none();
    let mut active: marks::ActiveModel = match existing {
        Some(m) => m.into(),
        None => marks::ActiveModel {
            round_id: Set(r.round_id),
            application_id: Set(r.application_id),
            component: Set(r.component.to_string()),
            ..Default::default()
        },
    };
    active.marks = Set(r.marks);
    active.status = Set(r.status.to_string());
    active.official = Set(r.official);
    active.head_official = Set(None);
    active.head_reason = Set(None);
    active.settled_by = Set(None);
    active.entered_by = Set(r.entered_by.to_string());
    active.updated_at = Set(now);
    Ok(if is_new {
        active.insert(conn).await?
    } else {
        active.update(conn).await?
    })
}

pub async fn settle_mark<C: ConnectionTrait>(
    conn: &C,
    mark: marks::Model,
    official: &str,
    reason: &str,
    settled_by: &str,
    now: DateTime<Utc>,
) -> AppResult<marks::Model> {
    let mut active: marks::ActiveModel = mark.into();
    active.head_official = Set(Some(official.to_string()));
    active.head_reason = Set(Some(reason.to_string()));
    active.settled_by = Set(Some(settled_by.to_string()));
    active.updated_at = Set(now);
    Ok(active.update(conn).await?)
}

pub async fn marks_of_round<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Vec<marks::Model>> {
    Ok(marks::Entity::find()
        .filter(marks::Column::RoundId.eq(round_id))
        .order_by_asc(marks::Column::ApplicationId)
        .order_by_asc(marks::Column::Component)
        .all(conn)
        .await?)
}

/// Every exam of the round with the sittings of its sessions, by exam.
pub async fn exams_with_sittings<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Vec<(exams::Model, Vec<SittingResult>)>> {
    let exams = exams::Entity::find()
        .filter(exams::Column::RoundId.eq(round_id))
        .order_by_asc(exams::Column::Id)
        .all(conn)
        .await?;
    if exams.is_empty() {
        return Ok(Vec::new());
    }
    let sessions = sessions::Entity::find()
        .filter(sessions::Column::ExamId.is_in(exams.iter().map(|e| e.id)))
        .all(conn)
        .await?;
    let exam_of_session: std::collections::HashMap<i32, i32> =
        sessions.iter().map(|s| (s.id, s.exam_id)).collect();
    // Only what a ranking or a report reads: a round of 100,000 sittings would otherwise
    // carry every paper along (about 5 kB each).
    let rows: Vec<(i32, i32, i32, Option<String>)> = if sessions.is_empty() {
        Vec::new()
    } else {
        sittings::Entity::find()
            .select_only()
            .columns([
                sittings::Column::Id,
                sittings::Column::SessionId,
                sittings::Column::ApplicationId,
                sittings::Column::Result,
            ])
            .filter(sittings::Column::SessionId.is_in(sessions.iter().map(|s| s.id)))
            .order_by_asc(sittings::Column::Id)
            .into_tuple()
            .all(conn)
            .await?
    };
    let mut by_exam: std::collections::HashMap<i32, Vec<SittingResult>> =
        std::collections::HashMap::new();
    for (id, session_id, application_id, result) in rows {
        if let Some(exam_id) = exam_of_session.get(&session_id) {
            by_exam.entry(*exam_id).or_default().push(SittingResult {
                id,
                application_id,
                result,
            });
        }
    }
    Ok(exams
        .into_iter()
        .map(|exam| {
            let mine = by_exam.remove(&exam.id).unwrap_or_default();
            (exam, mine)
        })
        .collect())
}

/// The graded sittings of the round's exams as a ranking reads them: by exam id, each
/// sitting's `(id, application id, result JSON)` in id order (a retake, VN-23, comes after the
/// sitting it replaces). The database joins each session's sittings into one text, so a round
/// of a hundred thousand sittings crosses the driver as a few hundred values.
pub async fn graded_results_of_round<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<std::collections::HashMap<i32, Vec<(i32, i32, String)>>> {
    use crate::repo::sitting::{RECORD, UNIT};
    let backend = conn.get_database_backend();
    let (aggregate, chr, round, parity) = match backend {
        DbBackend::Postgres => ("string_agg", "chr", "$1", "$2"),
        _ => ("group_concat", "char", "?", "?"),
    };
    let unit = format!("{chr}({})", UNIT as u32);
    // A result is JSON, which holds no raw control character: the separators cannot occur.
    let sql = format!(
        "SELECT se.exam_id, {aggregate}(s.id || {unit} || s.application_id || {unit} || s.result, \
         {chr}({})) FROM sittings s JOIN sessions se ON se.id = s.session_id \
         JOIN exams e ON e.id = se.exam_id \
         WHERE e.round_id = {round} AND se.id % 2 = {parity} AND s.result IS NOT NULL \
         GROUP BY se.exam_id, s.session_id",
        RECORD as u32
    );
    // The sessions in two halves, read side by side: on a pool, two connections (and on
    // SQLite two threads) build the texts.
    let half = |h: i32| {
        conn.query_all_raw(Statement::from_sql_and_values(
            backend,
            sql.clone(),
            [round_id.into(), h.into()],
        ))
    };
    let (even, odd) = tokio::try_join!(half(0), half(1))?;
    let rows = even.into_iter().chain(odd);
    let mut by_exam: std::collections::HashMap<i32, Vec<(i32, i32, String)>> =
        std::collections::HashMap::new();
    for row in rows {
        let exam_id: i32 = row.try_get_by_index(0)?;
        let text: String = row.try_get_by_index(1)?;
        let mine = by_exam.entry(exam_id).or_default();
        for record in text.split(RECORD) {
            let mut fields = record.splitn(3, UNIT);
            let (Some(id), Some(application_id), Some(result)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(AppError::internal(format!(
                    "a graded result of exam {exam_id} is unreadable"
                )));
            };
            let number = |v: &str| {
                v.parse::<i32>().map_err(|_| {
                    AppError::internal(format!("'{v}' is not an id (results of exam {exam_id})"))
                })
            };
            mine.push((number(id)?, number(application_id)?, result.to_string()));
        }
    }
    for sittings in by_exam.values_mut() {
        sittings.sort_unstable_by_key(|s| s.0);
    }
    Ok(by_exam)
}

/// The graded result of one sitting, oldest sitting first in [`exams_with_sittings`].
#[derive(Debug, Clone)]
pub struct SittingResult {
    pub id: i32,
    pub application_id: i32,
    /// The stored `SubmitResult` JSON; `None` until graded.
    pub result: Option<String>,
}

pub async fn insert_head_decision<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
    position_id: i32,
    application_ids: &[i32],
    reason: &str,
    decided_by: &str,
    now: DateTime<Utc>,
) -> AppResult<head_decisions::Model> {
    let ids = serde_json::to_string(application_ids)
        .map_err(|e| crate::error::AppError::internal(format!("json ids: {e}")))?;
    Ok(head_decisions::ActiveModel {
        round_id: Set(round_id),
        position_id: Set(position_id),
        application_ids: Set(ids),
        reason: Set(reason.to_string()),
        decided_by: Set(decided_by.to_string()),
        decided_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

pub async fn head_decisions_of_round<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Vec<head_decisions::Model>> {
    Ok(head_decisions::Entity::find()
        .filter(head_decisions::Column::RoundId.eq(round_id))
        .order_by_asc(head_decisions::Column::Id)
        .all(conn)
        .await?)
}

pub async fn insert_publication<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
    document: String,
    sha256: String,
    audit_head: String,
    published_by: &str,
    now: DateTime<Utc>,
) -> AppResult<publications::Model> {
    Ok(publications::ActiveModel {
        round_id: Set(round_id),
        document: Set(document),
        sha256: Set(sha256),
        audit_head: Set(audit_head),
        published_by: Set(published_by.to_string()),
        published_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

pub async fn latest_publication<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Option<publications::Model>> {
    Ok(publications::Entity::find()
        .filter(publications::Column::RoundId.eq(round_id))
        .order_by_desc(publications::Column::Id)
        .one(conn)
        .await?)
}

pub async fn find_publication<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
    id: i32,
) -> AppResult<Option<publications::Model>> {
    Ok(publications::Entity::find_by_id(id)
        .filter(publications::Column::RoundId.eq(round_id))
        .one(conn)
        .await?)
}

pub async fn first_publication<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Option<publications::Model>> {
    Ok(publications::Entity::find()
        .filter(publications::Column::RoundId.eq(round_id))
        .order_by_asc(publications::Column::Id)
        .one(conn)
        .await?)
}

// ---- strike-offs (VN-14) -----------------------------------------------------------------

pub async fn strike_offs_of_round<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Vec<strike_offs::Model>> {
    Ok(strike_offs::Entity::find()
        .filter(strike_offs::Column::RoundId.eq(round_id))
        .order_by_asc(strike_offs::Column::Id)
        .all(conn)
        .await?)
}

pub struct StrikeOffRecord<'a> {
    pub round_id: i32,
    pub position_id: i32,
    pub application_id: i32,
    pub cause: &'a str,
    pub reason: &'a str,
    pub recorded_by: &'a str,
    /// Whether the agency fills the freed place (VN-14).
    pub replaced: bool,
}

pub async fn insert_strike_off<C: ConnectionTrait>(
    conn: &C,
    r: StrikeOffRecord<'_>,
    now: DateTime<Utc>,
) -> AppResult<strike_offs::Model> {
    Ok(strike_offs::ActiveModel {
        round_id: Set(r.round_id),
        position_id: Set(r.position_id),
        application_id: Set(r.application_id),
        cause: Set(r.cause.to_string()),
        reason: Set(r.reason.to_string()),
        recorded_by: Set(r.recorded_by.to_string()),
        recorded_at: Set(now),
        replaced: Set(r.replaced),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

// ---- reviews (VN-27) -----------------------------------------------------------------------

pub async fn reviews_of_round<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Vec<reviews::Model>> {
    Ok(reviews::Entity::find()
        .filter(reviews::Column::RoundId.eq(round_id))
        .order_by_asc(reviews::Column::Id)
        .all(conn)
        .await?)
}

pub async fn find_review<C: ConnectionTrait>(
    conn: &C,
    id: i32,
) -> AppResult<Option<reviews::Model>> {
    Ok(reviews::Entity::find_by_id(id).one(conn).await?)
}

pub async fn find_review_of<C: ConnectionTrait>(
    conn: &C,
    application_id: i32,
    component: &str,
) -> AppResult<Option<reviews::Model>> {
    Ok(reviews::Entity::find()
        .filter(reviews::Column::ApplicationId.eq(application_id))
        .filter(reviews::Column::Component.eq(component))
        .one(conn)
        .await?)
}

pub struct ReviewRequestRecord<'a> {
    pub round_id: i32,
    pub application_id: i32,
    pub component: &'a str,
    pub published_mark: String,
    pub request: &'a str,
    pub requested_by: &'a str,
}

pub async fn insert_review<C: ConnectionTrait>(
    conn: &C,
    r: ReviewRequestRecord<'_>,
    now: DateTime<Utc>,
) -> AppResult<reviews::Model> {
    Ok(reviews::ActiveModel {
        round_id: Set(r.round_id),
        application_id: Set(r.application_id),
        component: Set(r.component.to_string()),
        published_mark: Set(r.published_mark),
        request: Set(r.request.to_string()),
        requested_by: Set(r.requested_by.to_string()),
        requested_at: Set(now),
        marks: Set("[]".to_string()),
        status: Set("requested".to_string()),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// The reviewers' marks and what they give; `official` is set when the review mark applies.
pub async fn set_review_marks<C: ConnectionTrait>(
    conn: &C,
    review: reviews::Model,
    marks: String,
    status: &str,
    review_mark: Option<String>,
    official: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<reviews::Model> {
    let settled = official.is_some();
    let mut a: reviews::ActiveModel = review.into();
    a.marks = Set(marks);
    a.status = Set(status.to_string());
    a.review_mark = Set(review_mark);
    a.official = Set(official);
    a.settled_at = Set(settled.then_some(now));
    Ok(a.update(conn).await?)
}

/// The chair's decision after the conference (VN-27).
pub async fn decide_review<C: ConnectionTrait>(
    conn: &C,
    review: reviews::Model,
    official: String,
    decision: &str,
    decided_by: &str,
    now: DateTime<Utc>,
) -> AppResult<reviews::Model> {
    let mut a: reviews::ActiveModel = review.into();
    a.status = Set("applied".to_string());
    a.official = Set(Some(official));
    a.decision = Set(Some(decision.to_string()));
    a.decided_by = Set(Some(decided_by.to_string()));
    a.settled_at = Set(Some(now));
    Ok(a.update(conn).await?)
}

/// `(id, sha256, audit_head, published_at)` of every publication of a round, newest first;
/// the documents stay in the database.
pub async fn publications_of_round<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Vec<(i32, String, String, DateTime<Utc>)>> {
    Ok(publications::Entity::find()
        .select_only()
        .column(publications::Column::Id)
        .column(publications::Column::Sha256)
        .column(publications::Column::AuditHead)
        .column(publications::Column::PublishedAt)
        .filter(publications::Column::RoundId.eq(round_id))
        .order_by_desc(publications::Column::Id)
        .into_tuple()
        .all(conn)
        .await?)
}

/// A publication's stored document in `format` (`pdf`, `xlsx`), if made.
pub async fn find_publication_document<C: ConnectionTrait>(
    conn: &C,
    publication_id: i32,
    format: &str,
) -> AppResult<Option<publication_documents::Model>> {
    Ok(publication_documents::Entity::find()
        .filter(publication_documents::Column::PublicationId.eq(publication_id))
        .filter(publication_documents::Column::Format.eq(format))
        .one(conn)
        .await?)
}

pub async fn insert_publication_document<C: ConnectionTrait>(
    conn: &C,
    publication_id: i32,
    format: &str,
    bytes: Vec<u8>,
    sha256: String,
) -> AppResult<publication_documents::Model> {
    Ok(publication_documents::ActiveModel {
        publication_id: Set(publication_id),
        format: Set(format.to_string()),
        bytes: Set(bytes),
        sha256: Set(sha256),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}
