//! Review (*phúc khảo*) of paper-written round-2 marks (VN-27).
//!
//! HR records a candidate's request within 5 working days of the round's first publication of
//! results (Vietnamese dates, `round::deadlines::review_deadline`); computer tests have no
//! review (VN-18) and panels are not paper scripts, so only `written` marks of a paper-written
//! form are reviewed. Two reviewers mark the script, a third if they differ
//! (`rules::review_outcome`); a review mark within 5 of the published one replaces it, a
//! larger gap goes to a minuted conference and the chair decides. The replaced mark is what
//! the ranking reads from then on (`results::ranking::RoundData`), so the position is
//! re-ranked; a new publication is needed to publish the change. Every step is audited.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

use crate::audit::{Action, Audited};
use crate::entities::{applications, reviews, rounds};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::rules::{review_outcome, two_places, ReviewOutcome};
use crate::services::fields;
use crate::services::lookup;
use crate::services::results::{parse_mark, parse_marks, stored_decimal};
use crate::services::round::deadlines::review_deadline;
use crate::state::AppState;
use crate::vietnam_time::vietnam_today;
use question_bank::FieldError;

const MAX_TEXT_CHARS: usize = 2_000;
/// The only component reviewed: the paper script (VN-27).
const WRITTEN: &str = "written";

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReview {
    pub application_id: i64,
    /// The candidate's request, as filed.
    pub reason: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewMarks {
    /// The reviewers' marks: 2, or 3 once the first two differ. A re-entry replaces them.
    pub marks: Vec<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewDecision {
    /// The mark the chair decided on after the conference.
    pub official: String,
    /// Reference to, or summary of, the minuted conference.
    pub minutes: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReviewView {
    pub id: i32,
    pub round_id: i32,
    pub application_id: i32,
    pub component: String,
    /// The official mark when the review was requested.
    pub published_mark: String,
    pub request: String,
    pub requested_at: DateTime<Utc>,
    /// The last day requests were accepted (5 working days after publication).
    pub deadline: NaiveDate,
    pub marks: Vec<String>,
    /// `requested`, `needs_third_reviewer`, `needs_conference` or `applied`.
    pub status: String,
    pub review_mark: Option<String>,
    /// The mark that now counts, once applied.
    pub official: Option<String>,
    pub decision: Option<String>,
    /// Where the review stands, in Vietnamese and English.
    pub reason: String,
    pub reason_en: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewList {
    pub items: Vec<ReviewView>,
    pub total: u64,
}

/// Required text of at most [`MAX_TEXT_CHARS`] characters.
fn check_text(errors: &mut Vec<FieldError>, location: &str, value: &str) -> String {
    fields::check_text(errors, location, value, MAX_TEXT_CHARS)
}

fn describe(r: &reviews::Model) -> (String, String) {
    let published = &r.published_mark;
    match (r.status.as_str(), &r.review_mark, &r.official) {
        ("applied", _, Some(official)) if r.decision.is_some() => (
            format!("phúc khảo: chủ tịch hội đồng quyết định {official} sau họp (điểm đã công bố {published})"),
            format!("review: the chair decided {official} after the conference (published {published})"),
        ),
        ("applied", _, Some(official)) => (
            format!("phúc khảo: {official} thay điểm đã công bố {published} (chênh dưới 5)"),
            format!("review: {official} replaces the published {published} (less than 5 apart)"),
        ),
        ("needs_conference", Some(review), _) => (
            format!("phúc khảo {review} chênh từ 5 điểm so với điểm đã công bố {published}: họp có biên bản, chủ tịch hội đồng quyết định"),
            format!("review {review} differs from the published {published} by 5 or more: a minuted conference, then the chair decides"),
        ),
        ("needs_third_reviewer", _, _) => (
            "hai người phúc khảo chấm khác nhau: cần người chấm thứ ba".to_owned(),
            "the two reviewers differ: a third reviewer marks the script".to_owned(),
        ),
        _ => (
            format!("đã nhận đơn phúc khảo (điểm đã công bố {published}): chờ hai người chấm phúc khảo"),
            format!("review requested (published {published}): awaiting two reviewers"),
        ),
    }
}

async fn window<C: ConnectionTrait>(
    conn: &C,
    round: &rounds::Model,
) -> AppResult<Option<(NaiveDate, NaiveDate)>> {
    let Some(first) = repo::results::first_publication(conn, round.id).await? else {
        return Ok(None);
    };
    let calendar = crate::services::calendar::calendar(conn).await?;
    let published_on = vietnam_today(first.published_at);
    Ok(Some((
        published_on,
        review_deadline(&calendar, published_on),
    )))
}

async fn view<C: ConnectionTrait>(conn: &C, r: reviews::Model) -> AppResult<ReviewView> {
    let round = lookup::round(conn, r.round_id).await?;
    let deadline = window(conn, &round)
        .await?
        .map(|(_, d)| d)
        .ok_or_else(|| AppError::internal(format!("review {} without publication", r.id)))?;
    view_with(r, deadline)
}

fn view_with(r: reviews::Model, deadline: NaiveDate) -> AppResult<ReviewView> {
    let marks: Vec<String> = serde_json::from_str(&r.marks)
        .map_err(|e| AppError::internal_from(format!("stored review {}", r.id), e))?;
    let (reason, reason_en) = describe(&r);
    Ok(ReviewView {
        id: r.id,
        round_id: r.round_id,
        application_id: r.application_id,
        component: r.component,
        published_mark: r.published_mark,
        request: r.request,
        requested_at: r.requested_at,
        deadline,
        marks,
        status: r.status,
        review_mark: r.review_mark,
        official: r.official,
        decision: r.decision,
        reason,
        reason_en,
    })
}

async fn load_review<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<reviews::Model> {
    repo::results::find_review(conn, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no review {id}")))
}

/// Whether the position's professional exam includes a paper script (VN-1 to VN-4, VN-27).
async fn check_paper_written<C: ConnectionTrait>(
    conn: &C,
    application: &applications::Model,
) -> AppResult<()> {
    let position = repo::round::find_position(conn, application.position_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("application {} position", application.id)))?;
    let paper = match position.round2_form.as_str() {
        "written_interview" => true,
        "written" => !matches!(position.grade.as_str(), "nhan_vien" | "chuyen_vien_cao_cap"),
        _ => false,
    };
    if paper {
        Ok(())
    } else {
        Err(AppError::field(
            "application_id",
            format!(
                "position {} is not examined on paper: only paper scripts are reviewed (VN-27), computer tests never (VN-18)",
                position.code
            ),
        ))
    }
}

/// The last day of the review window, while it is open at `now` (VN-27).
async fn open_window<C: ConnectionTrait>(
    conn: &C,
    round: &rounds::Model,
    now: DateTime<Utc>,
) -> AppResult<NaiveDate> {
    let Some((published_on, deadline)) = window(conn, round).await? else {
        return Err(AppError::Conflict(format!(
            "the results of round {} are not published: a review is requested after publication (VN-27)",
            round.code
        )));
    };
    let today = vietnam_today(now);
    if today > deadline {
        return Err(AppError::Conflict(format!(
            "the review window closed on {deadline}: requests are accepted within 5 working days of the publication on {published_on} (VN-27)"
        )));
    }
    Ok(deadline)
}

/// The settled written mark of the application, as published, not yet under review.
async fn published_written_mark<C: ConnectionTrait>(
    conn: &C,
    application_id: i32,
) -> AppResult<String> {
    let mark = repo::results::find_mark(conn, application_id, WRITTEN)
        .await?
        .ok_or_else(|| {
            AppError::field(
                "application_id",
                format!("application {application_id} has no written mark to review"),
            )
        })?;
    let official = match (&mark.official, &mark.head_official) {
        (Some(o), _) | (None, Some(o)) => o.clone(),
        (None, None) => {
            return Err(AppError::Conflict(format!(
                "the written mark of application {application_id} is not settled: there is nothing published to review"
            )))
        }
    };
    if repo::results::find_review_of(conn, application_id, WRITTEN)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "a review of the written mark of application {application_id} was already requested"
        )));
    }
    Ok(official)
}

/// HR records a candidate's request, within the window of VN-27.
#[tracing::instrument(skip_all, fields(actor = actor, round_id = round_id))]
pub async fn request_review(
    state: &AppState,
    actor: &str,
    round_id: i32,
    req: NewReview,
) -> AppResult<ReviewView> {
    let mut errors = Vec::new();
    let application_id = match i32::try_from(req.application_id) {
        Ok(v) if v > 0 => v,
        _ => {
            errors.push(FieldError::new("application_id", "no such application"));
            0
        }
    };
    let request = check_text(&mut errors, "reason", &req.reason);
    if !errors.is_empty() {
        return Err(AppError::invalid("the review request is not valid", errors));
    }
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let round = lookup::round(txn, round_id).await?;
    let application = match repo::round::find_application(txn, application_id).await? {
        Some(a) if a.round_id == round_id => a,
        _ => {
            return Err(AppError::field(
                "application_id",
                format!("application {application_id} is not in round {round_id}"),
            ))
        }
    };
    check_paper_written(txn, &application).await?;
    let deadline = open_window(txn, &round, now).await?;
    let official = published_written_mark(txn, application_id).await?;
    let saved = repo::results::insert_review(
        txn,
        repo::results::ReviewRequestRecord {
            round_id,
            application_id,
            component: WRITTEN,
            published_mark: official.clone(),
            request: &request,
            requested_by: actor,
        },
        now,
    )
    .await?;
    w.record(
        actor,
        Action::ReviewRequest,
        saved.id,
        serde_json::json!({
            "round_id": round_id,
            "application_id": application_id,
            "component": WRITTEN,
            "published_mark": official,
            "deadline": deadline,
            "request": request,
        }),
    );
    w.commit().await?;
    view_with(saved, deadline)
}

/// The reviewers' marks (VN-27): applied at once when within 5 of the published mark.
#[tracing::instrument(skip_all, fields(actor = actor, review_id = review_id))]
pub async fn enter_review_marks(
    state: &AppState,
    actor: &str,
    review_id: i32,
    req: ReviewMarks,
) -> AppResult<ReviewView> {
    let mut errors = Vec::new();
    let marks = parse_marks(&mut errors, &req.marks);
    if !errors.is_empty() {
        return Err(AppError::invalid("the review marks are not valid", errors));
    }
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let review = load_review(txn, review_id).await?;
    if !matches!(review.status.as_str(), "requested" | "needs_third_reviewer") {
        return Err(AppError::Conflict(format!(
            "review {review_id} is '{}': its marks can no longer change",
            review.status
        )));
    }
    let published = stored_decimal("published mark", &review.published_mark)?;
    let outcome =
        review_outcome(&marks, published).map_err(|e| AppError::field("marks", e.to_string()))?;
    let texts: Vec<String> = marks.iter().map(|d| two_places(*d)).collect();
    let stored = serde_json::to_string(&texts).map_err(|e| AppError::internal_from("json", e))?;
    let official = match outcome {
        ReviewOutcome::Replaces(mark) => Some(two_places(mark)),
        _ => None,
    };
    let review_mark = outcome.review_mark().map(two_places);
    let saved = repo::results::set_review_marks(
        txn,
        review,
        stored,
        outcome.status_code(),
        review_mark.clone(),
        official.clone(),
        now,
    )
    .await?;
    w.record(
        actor,
        Action::ReviewMarks,
        saved.id,
        serde_json::json!({
            "application_id": saved.application_id,
            "marks": texts,
            "status": outcome.status_code(),
            "review_mark": review_mark,
            "official_before": saved.published_mark,
            "official_after": official,
        }),
    );
    w.commit().await?;
    view(&state.db, saved).await
}

/// The chair's decision after the minuted conference, for a gap of 5 or more (VN-27).
#[tracing::instrument(skip_all, fields(actor = actor, review_id = review_id))]
pub async fn decide_review(
    state: &AppState,
    actor: &str,
    review_id: i32,
    req: ReviewDecision,
) -> AppResult<ReviewView> {
    let mut errors = Vec::new();
    let official = parse_mark(&mut errors, "official".into(), &req.official);
    let minutes = check_text(&mut errors, "minutes", &req.minutes);
    let (Some(official), true) = (official, errors.is_empty()) else {
        return Err(AppError::invalid("the decision is not valid", errors));
    };
    let official = two_places(official);
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let review = load_review(txn, review_id).await?;
    if review.status != "needs_conference" {
        return Err(AppError::Conflict(format!(
            "review {review_id} is '{}': the chair decides only a review 5 or more from the published mark (needs_conference)",
            review.status
        )));
    }
    let saved =
        repo::results::decide_review(txn, review, official.clone(), &minutes, actor, now).await?;
    w.record(
        actor,
        Action::ReviewDecide,
        saved.id,
        serde_json::json!({
            "application_id": saved.application_id,
            "review_mark": saved.review_mark,
            "official_before": saved.published_mark,
            "official_after": official,
            "minutes": minutes,
        }),
    );
    w.commit().await?;
    view(&state.db, saved).await
}

#[tracing::instrument(skip_all, fields(round_id = round_id))]
pub async fn list_reviews(state: &AppState, round_id: i32) -> AppResult<ReviewList> {
    let round = lookup::round(&state.db, round_id).await?;
    let all = repo::results::reviews_of_round(&state.db, round_id).await?;
    let deadline = window(&state.db, &round).await?.map(|(_, d)| d);
    let mut items = Vec::new();
    for r in all {
        let d = deadline
            .ok_or_else(|| AppError::internal(format!("review {} without publication", r.id)))?;
        items.push(view_with(r, d)?);
    }
    Ok(ReviewList {
        total: items.len() as u64,
        items,
    })
}
