//! Sitting the exam: candidate login with ticket + session code, the paper without its key,
//! autosave guarded by per-item sequence numbers, submission with an immediate result (VN-18),
//! automatic closing at the deadline (VN-17), and the supervisor's actions on a sitting.
//!
//! Status of a sitting is derived from the server clock: before the scheduled start it is
//! `waiting`, then `open` until `ends_at` (the clock runs whether or not the candidate has
//! logged in), then `closed`; `submitted` once the candidate hands in.

use chrono::{DateTime, Duration, Utc};
use question_bank::paper::{candidate_view, CandidateSection, Paper};
use question_bank::scoring::{grade, Answer, CandidateTerms, ExamMarking, PaperResult};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

use crate::audit::{self, Event};
use crate::auth::extract::CandidateLogin;
use crate::auth::jwt::{sign, Claims, TokenKind};
use crate::entities::{answers, exams, sessions, sittings};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::sitting::{CLOSED, SUBMITTED, VOID, WAITING};
use crate::services::exam::{blueprint_of, build_paper, seal_ids};
use crate::state::AppState;

/// VN-22: late arrivals are admitted up to 5 minutes after the start for short tests and
/// 10 minutes for tests of 60 minutes or more; later only by the chair's decision.
pub fn late_limit(duration_minutes: i32) -> Duration {
    if duration_minutes >= 60 {
        Duration::minutes(10)
    } else {
        Duration::minutes(5)
    }
}

pub fn effective_status(
    s: &sittings::Model,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> &'static str {
    status_at(&s.status, starts_at, s.ends_at, now)
}

/// The status of a sitting from its stored status and times (see [`effective_status`]).
pub fn status_at(
    stored: &str,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> &'static str {
    match stored {
        SUBMITTED => "submitted",
        CLOSED => "closed",
        VOID => "void",
        _ if now < starts_at => "waiting",
        _ if now < ends_at => "open",
        _ => "closed",
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CandidateLoginRequest {
    pub ticket_no: String,
    pub access_code: String,
    /// Required when the session gave PINs on the admission tickets.
    #[serde(default)]
    pub pin: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CandidateLoginResponse {
    pub token: String,
    pub sitting_id: i32,
    pub status: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub server_now: DateTime<Utc>,
}

fn same_secret(a: &str, b: &str) -> bool {
    // Compare digests so the time taken does not depend on how much of the code matched.
    Sha256::digest(a.trim().to_uppercase().as_bytes())
        == Sha256::digest(b.trim().to_uppercase().as_bytes())
}

pub async fn candidate_login(
    state: &AppState,
    req: CandidateLoginRequest,
    addr: &str,
) -> AppResult<CandidateLoginResponse> {
    let now = state.now();
    let key = format!("ticket:{}", req.ticket_no.trim());
    state
        .throttle
        .check(&key, addr, now)
        .map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
    let refused = || AppError::Unauthorized("wrong ticket number or session code".into());
    let found = repo::sitting::find_by_ticket(&state.db, req.ticket_no.trim()).await?;
    let session = match &found {
        Some(s) => repo::exam::find_session(&state.db, s.session_id).await?,
        None => None,
    };
    let (sitting, session) = match (found, session) {
        (Some(s), Some(sess))
            if same_secret(&sess.access_code, &req.access_code)
                && pin_matches(state, &s, req.pin.as_deref()) =>
        {
            (s, sess)
        }
        _ => {
            state.throttle.record_failure(&key, addr, now);
            return Err(refused());
        }
    };
    let exam = repo::exam::find_exam(&state.db, session.exam_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("session {} has no exam", session.id)))?;
    let status = effective_status(&sitting, session.starts_at, now);
    let late = now > session.starts_at + late_limit(exam.duration_minutes);
    if status == "open" && late && sitting.first_login_at.is_none() && !sitting.late_admitted {
        return Err(AppError::Forbidden(format!(
            "more than {} minutes after the start: a supervisor must admit you (VN-22)",
            late_limit(exam.duration_minutes).num_minutes()
        )));
    }
    let login = hex::encode(rand_bytes());
    let replaced = sitting.active_login.is_some() && status == "open";
    let sitting = if sitting.paper_sha256.is_none() {
        // Normally built before the session; a late addition gets its paper now.
        let blueprint = blueprint_of(&exam)?;
        let pool = repo::exam::load_pool(&state.db, &seal_ids(&blueprint)).await?;
        build_paper(&state.db, &session, &blueprint, &pool, sitting).await?
    } else {
        sitting
    };
    let sitting = if replaced {
        let _chain = state.audit_lock.lock().await;
        let txn = crate::db::begin_write(&state.db).await?;
        let s = repo::sitting::record_login(&txn, sitting, &login, now).await?;
        audit::append(
            &txn,
            now,
            Event {
                actor: &format!("candidate:{}", s.ticket_no),
                action: "sitting.login_elsewhere",
                entity: "sitting",
                entity_id: s.id.to_string(),
                details: serde_json::json!({"address": addr, "logins": s.login_count}),
            },
        )
        .await?;
        txn.commit().await?;
        s
    } else {
        // Committed together with concurrent logins (group commit, see `autosave`).
        super::autosave::record_login(state, sitting.id, &login).await?;
        sitting
    };
    state.throttle.record_success(&key);
    let claims = Claims {
        sub: sitting.ticket_no.clone(),
        kind: TokenKind::Candidate,
        id: sitting.id,
        roles: vec![],
        login: Some(login),
        iat: now.timestamp(),
        exp: (sitting.ends_at + Duration::hours(12)).timestamp(),
    };
    Ok(CandidateLoginResponse {
        token: sign(&claims, &state.config.jwt_secret.0)?,
        sitting_id: sitting.id,
        status: status.to_string(),
        starts_at: session.starts_at,
        ends_at: sitting.ends_at,
        server_now: now,
    })
}

/// A sitting without a PIN needs none; one with a PIN needs the right one (keyed hash).
fn pin_matches(state: &AppState, sitting: &sittings::Model, pin: Option<&str>) -> bool {
    match (&sitting.pin_hash, pin) {
        (None, _) => true,
        (Some(stored), Some(pin)) => same_secret(
            stored,
            &crate::services::exam::pin_digest(&state.config.jwt_secret.0, &sitting.ticket_no, pin),
        ),
        (Some(_), None) => false,
    }
}

fn rand_bytes() -> [u8; 16] {
    use rand::RngExt;
    let mut b = [0u8; 16];
    rand::rng().fill(&mut b[..]);
    b
}

/// The session a sitting belongs to (a sitting cannot exist without one).
async fn session_of<C: ConnectionTrait>(
    conn: &C,
    sitting: &sittings::Model,
) -> AppResult<sessions::Model> {
    repo::exam::find_session(conn, sitting.session_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("sitting {} has no session", sitting.id)))
}

/// The exam a session belongs to.
async fn exam_of<C: ConnectionTrait>(
    conn: &C,
    session: &sessions::Model,
) -> AppResult<exams::Model> {
    repo::exam::find_exam(conn, session.exam_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("session {} has no exam", session.id)))
}

/// The sitting behind a candidate token, refusing a page whose login was replaced elsewhere.
async fn current<C: ConnectionTrait>(conn: &C, who: &CandidateLogin) -> AppResult<sittings::Model> {
    let sitting = repo::sitting::find(conn, who.sitting_id)
        .await?
        .ok_or_else(|| AppError::Unauthorized("this sitting no longer exists".into()))?;
    if sitting.active_login.as_deref() != Some(who.login.as_str()) {
        return Err(AppError::Unauthorized(
            "signed in on another computer: this page is locked".into(),
        ));
    }
    Ok(sitting)
}

#[derive(Debug, Serialize, Deserialize, Clone, utoipa::ToSchema)]
pub struct SavedAnswer {
    pub choices: Vec<String>,
    pub text: Option<String>,
    pub seq: i64,
}

/// What the candidate's page receives. It is built from types that cannot hold a key.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SittingView {
    pub sitting_id: i32,
    pub ticket_no: String,
    pub status: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub server_now: DateTime<Utc>,
    #[schema(value_type = Vec<Object>)]
    pub sections: Vec<CandidateSection>,
    pub answers: BTreeMap<String, SavedAnswer>,
    #[schema(value_type = Option<Object>)]
    pub result: Option<SubmitResult>,
}

/// The sitting's paper (an error if it has none yet).
pub(crate) async fn paper_of<C: ConnectionTrait>(
    conn: &C,
    sitting: &sittings::Model,
) -> AppResult<Paper> {
    papers_of(conn, [sitting])
        .await?
        .remove(&sitting.id)
        .unwrap_or_else(|| {
            Err(AppError::Internal(format!(
                "sitting {} has no paper",
                sitting.id
            )))
        })
}

/// The papers of the given sittings, by sitting id (those without a paper are left out): each
/// decoded from its compact form, which decodes to the very paper whose hash was published,
/// or, for a sitting stored before that form was kept, read from its canonical JSON. A paper
/// that cannot be read is an error of its sitting alone; `Err` itself is the database's.
pub(crate) async fn papers_of<'a, C: ConnectionTrait>(
    conn: &C,
    sittings: impl IntoIterator<Item = &'a sittings::Model>,
) -> AppResult<HashMap<i32, AppResult<Paper>>> {
    let unreadable = |id: i32, e: &dyn std::fmt::Display| {
        AppError::Internal(format!("paper of sitting {id} unreadable: {e}"))
    };
    let mut out = HashMap::new();
    let mut older = Vec::new();
    for s in sittings.into_iter().filter(|s| s.paper_sha256.is_some()) {
        match &s.paper_compact {
            Some(compact) => {
                let paper = question_bank::compact::paper_from_compact(compact)
                    .map_err(|e| unreadable(s.id, &e));
                out.insert(s.id, paper);
            }
            None => older.push(s.id),
        }
    }
    for (id, json) in repo::sitting::paper_jsons(conn, &older).await? {
        out.insert(
            id,
            serde_json::from_str(&json).map_err(|e| unreadable(id, &e)),
        );
    }
    Ok(out)
}

fn saved(a: &answers::Model) -> SavedAnswer {
    SavedAnswer {
        choices: serde_json::from_str(&a.choices).unwrap_or_default(),
        text: a.text.clone(),
        seq: a.seq,
    }
}

pub async fn view(state: &AppState, who: &CandidateLogin) -> AppResult<SittingView> {
    let now = state.now();
    let mut sitting = current(&state.db, who).await?;
    let session = session_of(&state.db, &sitting).await?;
    if effective_status(&sitting, session.starts_at, now) == "closed" && sitting.status == WAITING {
        sitting = close(state, sitting).await?;
    }
    let status = effective_status(&sitting, session.starts_at, now);
    let sections = if status == "waiting" {
        Vec::new()
    } else {
        let paper = paper_of(&state.db, &sitting).await?;
        state.writes.shapes.remember(sitting.id, &paper);
        let items = state
            .items
            .get_many(&state.db, paper.items().map(|i| i.version_id).collect())
            .await?;
        candidate_view(&paper, |p| items.get(&p.version_id).map(AsRef::as_ref))?
    };
    let answers = repo::sitting::answers_of(&state.db, sitting.id)
        .await?
        .iter()
        .map(|a| (a.item_no.to_string(), saved(a)))
        .collect();
    let result = match &sitting.result {
        Some(r) => Some(
            serde_json::from_str(r)
                .map_err(|e| AppError::Internal(format!("stored result unreadable: {e}")))?,
        ),
        None => None,
    };
    Ok(SittingView {
        sitting_id: sitting.id,
        ticket_no: sitting.ticket_no,
        status: status.to_string(),
        starts_at: session.starts_at,
        ends_at: sitting.ends_at,
        server_now: now,
        sections,
        answers,
        result,
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub text: Option<String>,
    pub seq: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnswerAck {
    pub no: u32,
    pub seq: i64,
    pub saved_at: DateTime<Utc>,
}

/// Saves one answer. It is acknowledged only once committed (DESIGN: durability first);
/// concurrent saves are committed together (group commit, see [`super::autosave`]).
pub async fn save_answer(
    state: &AppState,
    who: &CandidateLogin,
    no: u32,
    req: AnswerRequest,
) -> AppResult<AnswerAck> {
    super::autosave::save(state, who, no, req).await
}

#[derive(Debug, Serialize, Deserialize, Clone, utoipa::ToSchema)]
pub struct SubmitResult {
    #[schema(value_type = Vec<Object>)]
    pub sections: Vec<question_bank::scoring::SectionResult>,
    pub passed: bool,
    /// SHA-256 of the canonical answer sheet: the candidate's proof of what was handed in.
    pub receipt_sha256: String,
    pub submitted_at: DateTime<Utc>,
    /// `candidate` when handed in, `clock` when the time ran out (VN-17).
    pub closed_by: String,
}

/// The exam-wide marking terms: the items the council voided, or whose further options it
/// accepted (VN-24).
pub(crate) async fn exam_marking<C: ConnectionTrait>(
    conn: &C,
    exam_id: i32,
) -> AppResult<ExamMarking> {
    let mut marking = ExamMarking::default();
    for v in repo::exam::voided_items(conn, exam_id).await? {
        match v.accepted_options.as_deref() {
            None => {
                marking.voided.insert(v.item_id);
            }
            Some(json) => {
                let extra: std::collections::BTreeSet<usize> = serde_json::from_str(json)
                    .map_err(|e| AppError::Internal(format!("stored correction {}: {e}", v.id)))?;
                marking.accepted_extra.insert(v.item_id, extra);
            }
        }
    }
    Ok(marking)
}

/// Grades a graded sitting again (a sanction, VN-25, or a voided item, VN-24) and stores the
/// new result; returns the result before and after. The receipt is recomputed from the same
/// answers, so it does not change.
pub(crate) async fn regrade<C: ConnectionTrait>(
    conn: &C,
    items: &crate::state::ItemCache,
    sitting: sittings::Model,
) -> AppResult<(sittings::Model, SubmitResult, SubmitResult)> {
    let previous = stored_result(&sitting)?;
    let Graded {
        result, receipt, ..
    } = grade_sitting(conn, items, &sitting).await?;
    let regraded = SubmitResult {
        sections: result.sections,
        passed: result.passed,
        receipt_sha256: receipt,
        ..previous.clone()
    };
    let json = serde_json::to_string(&regraded).map_err(|e| AppError::Internal(e.to_string()))?;
    let sitting = repo::sitting::set_result(conn, sitting, json).await?;
    Ok((sitting, previous, regraded))
}

/// Grades the sitting's stored answers against its paper (VN-18: no review of computer tests).
async fn grade_sitting<C: ConnectionTrait>(
    conn: &C,
    item_cache: &crate::state::ItemCache,
    sitting: &sittings::Model,
) -> AppResult<Graded> {
    let session = session_of(conn, sitting).await?;
    let exam = exam_of(conn, &session).await?;
    let blueprint = blueprint_of(&exam)?;
    let paper = paper_of(conn, sitting).await?;
    let items = item_cache
        .get_many(conn, paper.items().map(|i| i.version_id).collect())
        .await?;
    let stored = repo::sitting::answers_of(conn, sitting.id).await?;
    let marking = exam_marking(conn, exam.id).await?;
    grade_loaded(sitting, &paper, &blueprint, &items, &marking, &stored)
}

/// The marking of one answer sheet (by question number) under the sitting's sanction.
pub(crate) fn grade_sheet(
    sanction: &str,
    paper: &Paper,
    blueprint: &question_bank::blueprint::Blueprint,
    items: &HashMap<i32, std::sync::Arc<question_bank::Item>>,
    marking: &ExamMarking,
    sheet: &BTreeMap<u32, Answer>,
) -> AppResult<PaperResult> {
    Ok(sanctioned(sanction, |terms| {
        grade(
            blueprint,
            paper,
            |p| items.get(&p.version_id).map(AsRef::as_ref),
            sheet,
            marking,
            terms,
        )
    })?)
}

/// A grading under the sitting's sanction (VN-25), whatever form the paper is read from: a
/// reprimand or a warning scales the marks; suspension annuls the test and not signing the
/// result list gives 0.
pub(crate) fn sanctioned<E>(
    sanction: &str,
    grade: impl FnOnce(&CandidateTerms) -> Result<PaperResult, E>,
) -> Result<PaperResult, E> {
    let terms = CandidateTerms {
        sanction: scoring_sanction(sanction),
        ..Default::default()
    };
    let mut result = grade(&terms)?;
    if annulled(sanction) {
        for s in &mut result.sections {
            s.correct = rust_decimal::Decimal::ZERO;
            s.score = rust_decimal::Decimal::new(0, 2);
            s.passed = false;
        }
        result.passed = false;
    }
    Ok(result)
}

/// A sitting graded from its stored answers.
pub(crate) struct Graded {
    pub result: PaperResult,
    /// SHA-256 of the canonical answer sheet (with each answer's `seq`): the candidate's receipt.
    pub receipt: String,
    /// The answers graded, in compact form ([`question_bank::compact`]): stored with the result
    /// so the whole exam can be graded again from one read.
    pub sheet: String,
}

/// The grading itself, over what is already read: `stored` in question order.
pub(crate) fn grade_loaded(
    sitting: &sittings::Model,
    paper: &Paper,
    blueprint: &question_bank::blueprint::Blueprint,
    items: &HashMap<i32, std::sync::Arc<question_bank::Item>>,
    marking: &ExamMarking,
    stored: &[answers::Model],
) -> AppResult<Graded> {
    let mut sheet: BTreeMap<u32, Answer> = BTreeMap::new();
    for a in stored {
        let s = saved(a);
        sheet.insert(
            a.item_no as u32,
            Answer {
                choices: s.choices.iter().filter_map(|c| c.chars().next()).collect(),
                text: s.text,
            },
        );
    }
    let result = grade_sheet(&sitting.sanction, paper, blueprint, items, marking, &sheet)?;
    let receipt_body = serde_json::json!({
        "ticket_no": sitting.ticket_no,
        "paper_sha256": sitting.paper_sha256,
        "answers": stored.iter().map(|a| serde_json::json!({"no": a.item_no, "choices": saved(a).choices, "text": a.text, "seq": a.seq})).collect::<Vec<_>>(),
    });
    let receipt = hex::encode(Sha256::digest(
        question_bank::seal::canonical_json(&receipt_body)
            .map_err(|e| AppError::Internal(e.to_string()))?
            .as_bytes(),
    ));
    Ok(Graded {
        result,
        receipt,
        sheet: question_bank::compact::sheet_to_compact(&sheet),
    })
}

/// Who asks for a sitting to be finished.
pub(crate) enum Finisher {
    /// The candidate hands in (`POST /sitting/submit`): their login must still be live.
    Candidate { login: String, ticket_no: String },
    /// The server's clock: closes the sitting if its time is up and nobody has (VN-17).
    Clock,
}

/// Finishes a batch of sittings in one write transaction (group commit of submissions and
/// closings): each is re-read and locked, graded if it is to be finished now, updated, and its
/// audit entry chained; one commit for all. Each request gets the sitting as it stands after
/// the batch, or its own refusal; `Err` only when the database fails (nothing is finished).
pub(crate) async fn finish_many(
    state: &AppState,
    requests: &[(i32, Finisher)],
) -> AppResult<Vec<AppResult<sittings::Model>>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let _turn = state.write_turn().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let mut ids: Vec<i32> = requests.iter().map(|r| r.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let found: HashMap<i32, sittings::Model> = sittings::Entity::find()
        .filter(sittings::Column::Id.is_in(ids.clone()))
        .order_by_asc(sittings::Column::Id)
        .lock_exclusive()
        .all(&txn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let session_ids: Vec<i32> = found.values().map(|s| s.session_id).collect();
    let sessions: HashMap<i32, sessions::Model> = sessions::Entity::find()
        .filter(sessions::Column::Id.is_in(session_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let exam_ids: Vec<i32> = sessions.values().map(|s| s.exam_id).collect();
    let mut exams: HashMap<i32, (question_bank::blueprint::Blueprint, ExamMarking)> =
        HashMap::new();
    for exam in exams::Entity::find()
        .filter(exams::Column::Id.is_in(exam_ids))
        .all(&txn)
        .await?
    {
        let marking = exam_marking(&txn, exam.id).await?;
        exams.insert(exam.id, (blueprint_of(&exam)?, marking));
    }
    let mut answers: HashMap<i32, Vec<answers::Model>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for a in repo::sitting::answers_of_many(&txn, chunk.to_vec()).await? {
            answers.entry(a.sitting_id).or_default().push(a);
        }
    }
    for list in answers.values_mut() {
        list.sort_by_key(|a| a.item_no);
    }
    let mut papers = papers_of(&txn, found.values()).await?;
    // First pass: decide each request; the sittings to finish are graded afterwards, all at
    // once and on every core, so the write lock is held for as short a time as possible.
    let mut slots: Vec<Slot> = Vec::with_capacity(requests.len());
    let mut finishing: Vec<Finishing> = Vec::new();
    let mut finishing_index: HashMap<i32, usize> = HashMap::new();
    for (id, who) in requests {
        let Some(sitting) = found.get(id) else {
            slots.push(Slot::Done(Box::new(Err(match who {
                Finisher::Candidate { .. } => {
                    AppError::Unauthorized("this sitting no longer exists".into())
                }
                Finisher::Clock => AppError::Internal(format!("sitting {id} vanished")),
            }))));
            continue;
        };
        if let Finisher::Candidate { login, .. } = who {
            if sitting.active_login.as_deref() != Some(login.as_str()) {
                slots.push(Slot::Done(Box::new(Err(AppError::Unauthorized(
                    "signed in on another computer: this page is locked".into(),
                )))));
                continue;
            }
        }
        if let Some(&k) = finishing_index.get(id) {
            // Asked twice in one batch: the second sees it finished by the first.
            slots.push(Slot::Finish(k));
            continue;
        }
        let Some(session) = sessions.get(&sitting.session_id) else {
            slots.push(Slot::Done(Box::new(Err(AppError::Internal(format!(
                "sitting {id} has no session"
            ))))));
            continue;
        };
        let (status, actor) = match (effective_status(sitting, session.starts_at, now), who) {
            ("waiting", Finisher::Candidate { .. }) => {
                slots.push(Slot::Done(Box::new(Err(AppError::Locked(
                    "the exam has not started yet".into(),
                )))));
                continue;
            }
            ("open", Finisher::Candidate { ticket_no, .. }) => {
                (SUBMITTED, format!("candidate:{ticket_no}"))
            }
            ("closed", _) if sitting.status == WAITING => (CLOSED, "system:clock".to_string()),
            _ => {
                slots.push(Slot::Done(Box::new(Ok(sitting.clone()))));
                continue;
            }
        };
        if !exams.contains_key(&session.exam_id) {
            slots.push(Slot::Done(Box::new(Err(AppError::Internal(format!(
                "session {} has no exam",
                session.id
            ))))));
            continue;
        }
        let paper = match papers.remove(id) {
            Some(Ok(paper)) => paper,
            Some(Err(e)) => {
                slots.push(Slot::Done(Box::new(Err(e))));
                continue;
            }
            None => {
                slots.push(Slot::Done(Box::new(Err(AppError::Internal(format!(
                    "sitting {id} has no paper"
                ))))));
                continue;
            }
        };
        finishing_index.insert(*id, finishing.len());
        slots.push(Slot::Finish(finishing.len()));
        finishing.push(Finishing {
            sitting: sitting.clone(),
            exam_id: session.exam_id,
            paper,
            answers: answers.remove(id).unwrap_or_default(),
            status,
            actor,
        });
    }

    let versions: std::collections::BTreeSet<i32> = finishing
        .iter()
        .flat_map(|f| f.paper.items().map(|i| i.version_id))
        .collect();
    let items = state
        .items
        .get_many(&txn, versions.into_iter().collect())
        .await?;
    let finishing = std::sync::Arc::new(finishing);
    let graded = {
        let (finishing, exams, items) = (finishing.clone(), std::sync::Arc::new(exams), items);
        crate::parallel::blocking(move || {
            crate::parallel::parallel(&finishing[..], |f| {
                let (blueprint, marking) = &exams[&f.exam_id];
                Ok(grade_loaded(
                    &f.sitting, &f.paper, blueprint, &items, marking, &f.answers,
                ))
            })
        })
        .await??
    };

    let mut chain = audit::Chain::open(&txn).await?;
    let mut rows: Vec<repo::sitting::FinishRow> = Vec::with_capacity(finishing.len());
    let mut finished: Vec<AppResult<sittings::Model>> = Vec::with_capacity(finishing.len());
    for (f, graded) in finishing.iter().zip(graded) {
        let Graded {
            result,
            receipt,
            sheet,
        } = match graded {
            Ok(g) => g,
            Err(e) => {
                finished.push(Err(e));
                continue;
            }
        };
        let submitted = SubmitResult {
            sections: result.sections,
            passed: result.passed,
            receipt_sha256: receipt.clone(),
            submitted_at: now,
            closed_by: if f.status == SUBMITTED {
                "candidate".into()
            } else {
                "clock".into()
            },
        };
        let json =
            serde_json::to_string(&submitted).map_err(|e| AppError::Internal(e.to_string()))?;
        let sitting = sittings::Model {
            status: f.status.to_string(),
            submitted_at: Some(now),
            result: Some(json.clone()),
            answer_sheet: Some(sheet.clone()),
            ..f.sitting.clone()
        };
        rows.push(repo::sitting::FinishRow {
            sitting_id: sitting.id,
            status: f.status,
            result: json,
            sheet,
        });
        chain.push(
            now,
            Event {
                actor: &f.actor,
                action: if f.status == SUBMITTED { "sitting.submit" } else { "sitting.close" },
                entity: "sitting",
                entity_id: sitting.id.to_string(),
                details: serde_json::json!({"ticket_no": sitting.ticket_no, "receipt_sha256": receipt, "passed": submitted.passed}),
            },
        );
        finished.push(Ok(sitting));
    }
    repo::sitting::finish_rows(&txn, &rows, now).await?;
    chain.write(&txn).await?;
    txn.commit().await?;
    Ok(slots
        .into_iter()
        .map(|slot| match slot {
            Slot::Done(outcome) => *outcome,
            Slot::Finish(k) => match &finished[k] {
                Ok(sitting) => Ok(sitting.clone()),
                Err(e) => Err(AppError::Internal(format!(
                    "sitting {} could not be graded: {e}",
                    finishing[k].sitting.id
                ))),
            },
        })
        .collect())
}

/// What a request of a [`finish_many`] batch gets.
enum Slot {
    Done(Box<AppResult<sittings::Model>>),
    /// The outcome of `finishing[k]`.
    Finish(usize),
}

/// A sitting a [`finish_many`] batch finishes, with what grading it needs.
struct Finishing {
    sitting: sittings::Model,
    exam_id: i32,
    paper: Paper,
    answers: Vec<answers::Model>,
    status: &'static str,
    actor: String,
}

/// Closes one sitting whose time is up (a page found it so before the closer did).
async fn close(state: &AppState, sitting: sittings::Model) -> AppResult<sittings::Model> {
    finish_many(state, &[(sitting.id, Finisher::Clock)])
        .await?
        .pop()
        .unwrap_or_else(|| Err(AppError::Internal("no outcome".into())))
}

pub(crate) fn stored_result(sitting: &sittings::Model) -> AppResult<SubmitResult> {
    let json = sitting
        .result
        .as_deref()
        .ok_or_else(|| AppError::Internal("finished sitting without result".into()))?;
    serde_json::from_str(json)
        .map_err(|e| AppError::Internal(format!("stored result unreadable: {e}")))
}

/// Hands in the sitting: queued and committed together with concurrent submissions (group
/// commit, see [`super::autosave`]); the result is returned at once (VN-18).
pub async fn submit(state: &AppState, who: &CandidateLogin) -> AppResult<SubmitResult> {
    let sitting = super::autosave::submit(state, who).await?;
    stored_result(&sitting)
}

/// Closes every sitting whose time is up, whether or not a page is open (VN-17), in batches.
pub async fn close_due(state: &AppState) -> AppResult<usize> {
    let due = repo::sitting::due_for_closing(&state.db, state.now()).await?;
    let n = due.len();
    for chunk in due.chunks(super::autosave::MAX_SUBMIT_BATCH) {
        let requests: Vec<(i32, Finisher)> =
            chunk.iter().map(|s| (s.id, Finisher::Clock)).collect();
        for outcome in finish_many(state, &requests).await? {
            outcome?;
        }
    }
    Ok(n)
}

// ---- supervisor ----------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RosterEntry {
    pub sitting_id: i32,
    pub ticket_no: String,
    pub seat: i32,
    pub full_name: String,
    pub status: String,
    pub logged_in: bool,
    /// Logins so far; more than one means the candidate moved or was logged in twice.
    pub logins: i32,
    pub answered: u32,
    pub last_saved_at: Option<DateTime<Utc>>,
    pub remaining_seconds: i64,
    pub late_admitted: bool,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Monitor {
    pub session_id: i32,
    pub starts_at: DateTime<Utc>,
    pub opened_at: Option<DateTime<Utc>>,
    pub server_now: DateTime<Utc>,
    pub roster: Vec<RosterEntry>,
}

pub async fn monitor(state: &AppState, session_id: i32) -> AppResult<Monitor> {
    let now = state.now();
    let session = repo::exam::find_session(&state.db, session_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no session {session_id}")))?;
    let sittings = repo::exam::sittings_of_session(&state.db, session_id).await?;
    let apps: HashMap<i32, String> = repo::exam::applications_by_id(
        &state.db,
        sittings.iter().map(|s| s.application_id).collect(),
    )
    .await?
    .into_iter()
    .map(|a| (a.id, a.full_name))
    .collect();
    let mut answered: HashMap<i32, (u32, Option<DateTime<Utc>>)> = HashMap::new();
    for a in
        repo::sitting::answers_of_many(&state.db, sittings.iter().map(|s| s.id).collect()).await?
    {
        let e = answered.entry(a.sitting_id).or_default();
        e.0 += 1;
        e.1 = e.1.max(Some(a.saved_at));
    }
    let mut roster: Vec<RosterEntry> = sittings
        .into_iter()
        .map(|s| {
            let status = effective_status(&s, session.starts_at, now);
            let clock_from = now.max(session.starts_at);
            let remaining = match status {
                "waiting" | "open" => (s.ends_at - clock_from).num_seconds().max(0),
                _ => 0,
            };
            let (count, last) = answered.get(&s.id).copied().unwrap_or_default();
            RosterEntry {
                sitting_id: s.id,
                full_name: apps.get(&s.application_id).cloned().unwrap_or_default(),
                ticket_no: s.ticket_no,
                seat: s.seat,
                status: status.to_string(),
                logged_in: s.active_login.is_some(),
                logins: s.login_count,
                answered: count,
                last_saved_at: last,
                remaining_seconds: remaining,
                late_admitted: s.late_admitted,
            }
        })
        .collect();
    roster.sort_by_key(|r| r.seat);
    Ok(Monitor {
        session_id,
        starts_at: session.starts_at,
        opened_at: session.opened_at,
        server_now: now,
        roster,
    })
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OpenedSession {
    pub session_id: i32,
    pub access_code: String,
    pub opened_at: DateTime<Utc>,
}

/// VN-21: the supervisor opens the session code in front of the candidates.
pub async fn open_session(
    state: &AppState,
    actor: &str,
    session_id: i32,
) -> AppResult<OpenedSession> {
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let session = repo::exam::find_session(&txn, session_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no session {session_id}")))?;
    let session = match session.opened_at {
        Some(_) => session,
        None => repo::exam::mark_session_opened(&txn, session, now).await?,
    };
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "session.open",
            entity: "session",
            entity_id: session_id.to_string(),
            details: serde_json::json!({}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(OpenedSession {
        session_id,
        access_code: session.access_code,
        opened_at: session.opened_at.unwrap_or(now),
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    pub minutes: i32,
    pub reason: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SittingSummary {
    pub id: i32,
    pub ticket_no: String,
    pub status: String,
    pub ends_at: DateTime<Utc>,
    pub extra_minutes: i32,
    pub late_admitted: bool,
}

fn summary(s: &sittings::Model, status: &str) -> SittingSummary {
    SittingSummary {
        id: s.id,
        ticket_no: s.ticket_no.clone(),
        status: status.to_string(),
        ends_at: s.ends_at,
        extra_minutes: s.extra_minutes,
        late_admitted: s.late_admitted,
    }
}

fn require_reason(reason: &str) -> AppResult<()> {
    if reason.trim().chars().count() < 3 {
        return Err(AppError::field(
            "reason",
            "a reason is required (it is kept in the audit log)",
        ));
    }
    Ok(())
}

/// Extra time for one candidate (e.g. after a machine failure), with a reason, audited.
pub async fn extend(
    state: &AppState,
    actor: &str,
    sitting_id: i32,
    req: ExtensionRequest,
) -> AppResult<SittingSummary> {
    if !(1..=120).contains(&req.minutes) {
        return Err(AppError::field("minutes", "between 1 and 120"));
    }
    require_reason(&req.reason)?;
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let sitting = repo::sitting::find(&txn, sitting_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no sitting {sitting_id}")))?;
    if sitting.status != WAITING {
        return Err(AppError::Conflict("the sitting is already finished".into()));
    }
    let ends_at = sitting.ends_at + Duration::minutes(i64::from(req.minutes));
    let extra = sitting.extra_minutes + req.minutes;
    let sitting = repo::sitting::set_ends_at(&txn, sitting, ends_at, extra).await?;
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "sitting.extend",
            entity: "sitting",
            entity_id: sitting_id.to_string(),
            details: serde_json::json!({"minutes": req.minutes, "reason": req.reason.trim(), "ends_at": ends_at}),
        },
    )
    .await?;
    txn.commit().await?;
    let session = session_of(&state.db, &sitting).await?;
    Ok(summary(
        &sitting,
        effective_status(&sitting, session.starts_at, now),
    ))
}

/// VN-22: admits a candidate beyond the late-arrival limit (the chair's decision), audited.
pub async fn admit_late(
    state: &AppState,
    actor: &str,
    sitting_id: i32,
    req: ReasonRequest,
) -> AppResult<SittingSummary> {
    require_reason(&req.reason)?;
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let sitting = repo::sitting::find(&txn, sitting_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no sitting {sitting_id}")))?;
    let sitting = repo::sitting::admit_late(&txn, sitting).await?;
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "sitting.admit_late",
            entity: "sitting",
            entity_id: sitting_id.to_string(),
            details: serde_json::json!({"reason": req.reason.trim()}),
        },
    )
    .await?;
    txn.commit().await?;
    let session = session_of(&state.db, &sitting).await?;
    Ok(summary(
        &sitting,
        effective_status(&sitting, session.starts_at, now),
    ))
}

// ---- incidents, re-sittings, sanctions -----------------------------------------------

pub const SANCTIONS: [&str; 5] = ["none", "reprimand", "warning", "suspension", "not_signed"];
pub const INCIDENT_KINDS: [&str; 4] = ["machine_failure", "late_arrival", "misconduct", "other"];

fn scoring_sanction(code: &str) -> question_bank::scoring::Sanction {
    use question_bank::scoring::Sanction;
    match code {
        "reprimand" => Sanction::Reprimand,
        "warning" => Sanction::Warning,
        _ => Sanction::None,
    }
}

fn annulled(code: &str) -> bool {
    matches!(code, "suspension" | "not_signed")
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    pub sitting_id: Option<i32>,
    /// `machine_failure`, `late_arrival`, `misconduct` or `other`.
    pub kind: String,
    pub note: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentView {
    pub id: i32,
    pub session_id: i32,
    pub sitting_id: Option<i32>,
    pub kind: String,
    pub note: String,
    pub recorded_by: String,
    pub at: DateTime<Utc>,
}

impl From<crate::entities::incidents::Model> for IncidentView {
    fn from(m: crate::entities::incidents::Model) -> Self {
        IncidentView {
            id: m.id,
            session_id: m.session_id,
            sitting_id: m.sitting_id,
            kind: m.kind,
            note: m.note,
            recorded_by: m.recorded_by,
            at: m.at,
        }
    }
}

/// Records an incident in the session's minutes (audited).
pub async fn record_incident(
    state: &AppState,
    actor: &str,
    session_id: i32,
    new: NewIncident,
) -> AppResult<IncidentView> {
    if !INCIDENT_KINDS.contains(&new.kind.as_str()) {
        return Err(AppError::field(
            "kind",
            format!("expected one of {}", INCIDENT_KINDS.join(", ")),
        ));
    }
    require_reason(&new.note).map_err(|_| AppError::field("note", "describe what happened"))?;
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    repo::exam::find_session(&txn, session_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no session {session_id}")))?;
    if let Some(id) = new.sitting_id {
        let s = repo::sitting::find(&txn, id).await?;
        if s.is_none_or(|s| s.session_id != session_id) {
            return Err(AppError::field(
                "sitting_id",
                format!("no sitting {id} in this session"),
            ));
        }
    }
    let incident = repo::sitting::insert_incident(
        &txn,
        session_id,
        new.sitting_id,
        &new.kind,
        new.note.trim(),
        actor,
        now,
    )
    .await?;
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "session.incident",
            entity: "session",
            entity_id: session_id.to_string(),
            details: serde_json::json!({"incident": incident.id, "sitting_id": new.sitting_id, "kind": new.kind, "note": incident.note}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(incident.into())
}

pub async fn incidents(state: &AppState, session_id: i32) -> AppResult<Vec<IncidentView>> {
    repo::exam::find_session(&state.db, session_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no session {session_id}")))?;
    Ok(repo::sitting::incidents_of_session(&state.db, session_id)
        .await?
        .into_iter()
        .map(IncidentView::from)
        .collect())
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Resitting {
    /// The machine-failure incident recorded with the re-sitting.
    pub incident_id: i32,
    pub old_sitting_id: i32,
    pub sitting_id: i32,
    /// The candidate signs in with this ticket and the same session code.
    pub ticket_no: String,
    pub ends_at: DateTime<Utc>,
}

/// VN-23: after a machine failure the candidate re-takes the test in the same session: the
/// old sitting is closed as void with the incident, and a new sitting with a fresh paper and
/// the full duration starts now.
pub async fn grant_resitting(
    state: &AppState,
    actor: &str,
    sitting_id: i32,
    req: ReasonRequest,
) -> AppResult<Resitting> {
    require_reason(&req.reason)?;
    let now = state.now();
    let old = repo::sitting::find(&state.db, sitting_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no sitting {sitting_id}")))?;
    if old.status != WAITING {
        return Err(AppError::Conflict(
            "only a sitting in progress can be re-sat".into(),
        ));
    }
    let session = session_of(&state.db, &old).await?;
    if now < session.starts_at {
        return Err(AppError::Conflict("the session has not started".into()));
    }
    let exam = exam_of(&state.db, &session).await?;
    let blueprint = blueprint_of(&exam)?;
    let pool = repo::exam::load_pool(&state.db, &seal_ids(&blueprint)).await?;
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let attempt = repo::sitting::count_in_session(&txn, session.id).await?;
    let ticket_no = format!("{}R{}", old.ticket_no, attempt);
    let ends_at = now + Duration::minutes(i64::from(exam.duration_minutes));
    let incident = repo::sitting::insert_incident(
        &txn,
        session.id,
        Some(old.id),
        "machine_failure",
        req.reason.trim(),
        actor,
        now,
    )
    .await?;
    let secret = hex::decode(&session.secret)
        .map_err(|e| AppError::Internal(format!("session secret: {e}")))?;
    let new = repo::exam::insert_sitting(
        &txn,
        repo::exam::NewSitting {
            session_id: session.id,
            application_id: old.application_id,
            ticket_no: ticket_no.clone(),
            seat: old.seat,
            seed_hex: hex::encode(question_bank::assembly::derive_seed(&secret, &ticket_no)),
            paper: None,
            ends_at,
        },
        now,
    )
    .await?;
    let new = build_paper(&txn, &session, &blueprint, &pool, new).await?;
    // Admitted by the supervisor's decision, whatever the time (VN-22 does not apply).
    let new = repo::sitting::admit_late(&txn, new).await?;
    let old_id = old.id;
    repo::sitting::set_status(&txn, old, VOID).await?;
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "sitting.resitting",
            entity: "sitting",
            entity_id: old_id.to_string(),
            details: serde_json::json!({"incident": incident.id, "new_sitting": new.id, "ticket_no": ticket_no, "reason": req.reason.trim()}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Resitting {
        incident_id: incident.id,
        old_sitting_id: old_id,
        sitting_id: new.id,
        ticket_no,
        ends_at,
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SanctionRequest {
    /// `reprimand` (−25 % of correct answers), `warning` (−50 %), `suspension` (test annulled)
    /// or `not_signed` (0), VN-25.
    pub level: String,
    pub reason: String,
}

/// VN-25: records a sanction; a graded sitting is graded again with it (exact fractions).
pub async fn apply_sanction(
    state: &AppState,
    actor: &str,
    sitting_id: i32,
    req: SanctionRequest,
) -> AppResult<SittingSummary> {
    if !SANCTIONS[1..].contains(&req.level.as_str()) {
        return Err(AppError::field(
            "level",
            format!("expected one of {}", SANCTIONS[1..].join(", ")),
        ));
    }
    require_reason(&req.reason)?;
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let sitting = repo::sitting::find(&txn, sitting_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no sitting {sitting_id}")))?;
    if sitting.status == VOID {
        return Err(AppError::Conflict(
            "this sitting was replaced by a re-sitting".into(),
        ));
    }
    let graded = sitting.status != WAITING;
    let mut sitting = repo::sitting::set_sanction(&txn, sitting, &req.level).await?;
    if graded {
        sitting = regrade(&txn, &state.items, sitting).await?.0;
    }
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "sitting.sanction",
            entity: "sitting",
            entity_id: sitting_id.to_string(),
            details: serde_json::json!({"level": req.level, "reason": req.reason.trim(), "regraded": graded}),
        },
    )
    .await?;
    txn.commit().await?;
    let session = session_of(&state.db, &sitting).await?;
    Ok(summary(
        &sitting,
        effective_status(&sitting, session.starts_at, now),
    ))
}
