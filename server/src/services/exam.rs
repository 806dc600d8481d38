//! Exams (blueprints over sealed banks), sessions with their tickets and access codes, paper
//! pre-generation, and the supervisor's view of a session.

use chrono::{DateTime, Duration, Utc};
use question_bank::assembly::{pool_size, Assembler};
use question_bank::blueprint::{Blueprint, Section};
use question_bank::FieldError;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::audit::{Action, Audited};
use crate::entities::{exams, sessions, sittings};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::secrets;
use crate::services::lookup;
use crate::state::AppState;

pub const STAGES: [&str; 3] = ["round1", "round2_cbt", "language"];

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExam {
    pub code: String,
    pub name: String,
    /// `round1`, `round2_cbt` or `language`.
    pub stage: String,
    pub duration_minutes: u32,
    /// `[{code, name, pass_ratio, cells:[{seal_id, topic, difficulty, count}]}]`
    #[schema(value_type = Vec<Object>)]
    pub sections: Vec<Section>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExamView {
    pub id: i32,
    pub round_id: i32,
    pub code: String,
    pub name: String,
    pub stage: String,
    pub duration_minutes: i32,
    #[schema(value_type = Vec<Object>)]
    pub sections: Vec<Section>,
    /// Questions on every paper.
    pub item_count: u64,
}

pub(crate) fn blueprint_of(exam: &exams::Model) -> AppResult<Blueprint> {
    serde_json::from_str(&exam.blueprint)
        .map_err(|e| AppError::internal_from(format!("exam {} blueprint unreadable", exam.id), e))
}

fn exam_view(exam: exams::Model) -> AppResult<ExamView> {
    let blueprint = blueprint_of(&exam)?;
    Ok(ExamView {
        id: exam.id,
        round_id: exam.round_id,
        item_count: blueprint.item_count(),
        code: exam.code,
        name: exam.name,
        stage: exam.stage,
        duration_minutes: exam.duration_minutes,
        sections: blueprint.sections,
    })
}

#[tracing::instrument(skip_all, fields(actor = actor, round_id = round_id))]
pub async fn create_exam(
    state: &AppState,
    actor: &str,
    round_id: i32,
    new: NewExam,
) -> AppResult<ExamView> {
    if !repo::exam::round_exists(&state.db, round_id).await? {
        return Err(AppError::NotFound(format!("no round {round_id}")));
    }
    let mut errors = exam_field_errors(&new);
    let blueprint = Blueprint {
        sections: new.sections,
    };
    let seal_ids = check_blueprint(&state.db, &blueprint, &mut errors).await?;
    if !errors.is_empty() {
        return Err(AppError::invalid("the exam is not valid", errors));
    }
    // VN-20: every cell's sealed pool holds at least 3 × what it draws.
    let pool = repo::exam::load_pool(&state.db, &seal_ids).await?;
    blueprint.check_pool(|seal, topic, d| pool_size(&pool, seal, topic, d))?;

    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let exam = repo::exam::insert_exam(
        txn,
        repo::exam::NewExam {
            round_id,
            code: new.code.trim(),
            name: new.name.trim(),
            stage: &new.stage,
            duration_minutes: new.duration_minutes as i32,
            blueprint_json: serde_json::to_string(&blueprint)
                .map_err(|e| AppError::internal(e.to_string()))?,
        },
        now,
    )
    .await?;
    w.record(
        actor,
        Action::ExamCreate,
        exam.id,
        serde_json::json!({"code": exam.code, "blueprint": blueprint}),
    );
    w.commit().await?;
    exam_view(exam)
}

/// What is wrong with the exam's own fields (code, name, stage, duration).
fn exam_field_errors(new: &NewExam) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if new.code.trim().is_empty() {
        errors.push(FieldError::new("code", "required"));
    }
    if new.name.trim().is_empty() {
        errors.push(FieldError::new("name", "required"));
    }
    if !STAGES.contains(&new.stage.as_str()) {
        errors.push(FieldError::new(
            "stage",
            format!("expected one of {}", STAGES.join(", ")),
        ));
    }
    if !(1..=300).contains(&new.duration_minutes) {
        errors.push(FieldError::new(
            "duration_minutes",
            "between 1 and 300 minutes",
        ));
    }
    errors
}

/// Adds to `errors` what is wrong with the blueprint, a seal it names that does not exist
/// included; returns the seals it draws from, each once.
async fn check_blueprint<C: ConnectionTrait>(
    conn: &C,
    blueprint: &Blueprint,
    errors: &mut Vec<FieldError>,
) -> AppResult<Vec<i32>> {
    if let Err(e) = blueprint.validate() {
        errors.extend(e.errors().iter().cloned());
    }
    let mut seal_ids: Vec<i32> = blueprint
        .sections
        .iter()
        .flat_map(|s| s.cells.iter().map(|c| c.seal_id))
        .collect();
    seal_ids.sort_unstable();
    seal_ids.dedup();
    for (s, section) in blueprint.sections.iter().enumerate() {
        for (c, cell) in section.cells.iter().enumerate() {
            if !repo::exam::seal_exists(conn, cell.seal_id).await? {
                errors.push(FieldError::new(
                    format!("sections[{s}].cells[{c}].seal_id"),
                    format!("no seal {}", cell.seal_id),
                ));
            }
        }
    }
    Ok(seal_ids)
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExamList {
    pub items: Vec<ExamView>,
    pub total: u64,
}

/// The exams of a round, in creation order: HR picks one to seat candidates for.
#[tracing::instrument(skip_all, fields(round_id = round_id))]
pub async fn exams_of_round(state: &AppState, round_id: i32) -> AppResult<ExamList> {
    if !repo::exam::round_exists(&state.db, round_id).await? {
        return Err(AppError::NotFound(format!("no round {round_id}")));
    }
    let items = repo::exam::exams_of_round(&state.db, round_id)
        .await?
        .into_iter()
        .map(exam_view)
        .collect::<AppResult<Vec<_>>>()?;
    Ok(ExamList {
        total: items.len() as u64,
        items,
    })
}

#[tracing::instrument(skip_all, fields(exam_id = exam_id))]
pub async fn get_exam(state: &AppState, exam_id: i32) -> AppResult<ExamView> {
    let exam = lookup::exam(&state.db, exam_id).await?;
    exam_view(exam)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    pub code: String,
    pub room: String,
    pub starts_at: DateTime<Utc>,
    pub application_ids: Vec<i32>,
    /// Accepted for older clients and ignored: every candidate now gets a PIN (VN-21).
    #[serde(default)]
    pub require_pin: bool,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Ticket {
    pub application_id: i32,
    pub ticket_no: String,
    pub seat: i32,
    /// The candidate's PIN, for the admission ticket (which prints it again); only a keyed
    /// hash is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SessionView {
    pub id: i32,
    pub exam_id: i32,
    pub code: String,
    pub room: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub access_code: String,
    pub tickets: Vec<Ticket>,
}

/// Ticket numbers (*số báo danh*): session id and seat, unique across the platform.
pub(crate) fn ticket_no(session_id: i32, seat: i32) -> String {
    format!("{session_id:04}{seat:03}")
}

#[tracing::instrument(skip_all, fields(actor = actor, exam_id = exam_id))]
pub async fn create_session(
    state: &AppState,
    actor: &str,
    exam_id: i32,
    new: NewSession,
) -> AppResult<SessionView> {
    let exam = lookup::exam(&state.db, exam_id).await?;
    let mut errors = session_field_errors(&new);
    check_candidates(&state.db, &exam, &new.application_ids, &mut errors).await?;
    if !errors.is_empty() {
        return Err(AppError::invalid("the session is not valid", errors));
    }

    let now = state.now();
    let secret = secrets::random_bytes();
    let ends_at = new.starts_at + Duration::minutes(i64::from(exam.duration_minutes));
    let w = Audited::begin_at(state, now).await?;
    let txn = w.txn();
    let session = repo::exam::insert_session(
        txn,
        repo::exam::NewSession {
            exam_id,
            code: new.code.trim(),
            room: new.room.trim(),
            starts_at: new.starts_at,
            access_code: secrets::access_code(),
            secret_hex: hex::encode(secret),
            seats: None,
        },
        now,
    )
    .await?;
    let seating = Seating {
        session_id: session.id,
        secret: &secret,
        ends_at,
        now,
    };
    let tickets = seat_candidates(txn, state, &seating, &new.application_ids).await?;
    w.record(
        actor,
        Action::SessionCreate,
        session.id,
        serde_json::json!({"exam_id": exam_id, "starts_at": new.starts_at, "candidates": tickets.len()}),
    );
    w.commit().await?;
    Ok(SessionView {
        id: session.id,
        exam_id,
        code: session.code,
        room: session.room,
        starts_at: session.starts_at,
        ends_at,
        access_code: session.access_code,
        tickets,
    })
}

/// What is wrong with the session's own fields (code, room, how many candidates).
fn session_field_errors(new: &NewSession) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if new.code.trim().is_empty() {
        errors.push(FieldError::new("code", "required"));
    }
    if new.room.trim().is_empty() {
        errors.push(FieldError::new("room", "required"));
    }
    if new.application_ids.is_empty() {
        errors.push(FieldError::new("application_ids", "at least one candidate"));
    }
    if new.application_ids.len() > 999 {
        errors.push(FieldError::new(
            "application_ids",
            "at most 999 candidates per session",
        ));
    }
    errors
}

/// Adds to `errors` each candidate who cannot be seated for the exam: no such application,
/// another round's, found not eligible, listed twice, or already seated for this exam.
async fn check_candidates<C: ConnectionTrait>(
    conn: &C,
    exam: &exams::Model,
    application_ids: &[i32],
    errors: &mut Vec<FieldError>,
) -> AppResult<()> {
    let apps = repo::exam::applications_by_id(conn, application_ids.to_vec()).await?;
    let by_id: HashMap<i32, _> = apps.iter().map(|a| (a.id, a)).collect();
    let seated = repo::exam::seated_applications(conn, exam.id).await?;
    let mut seen = std::collections::HashSet::new();
    for (i, id) in application_ids.iter().enumerate() {
        let at = format!("application_ids[{i}]");
        match by_id.get(id) {
            None => errors.push(FieldError::new(at, format!("no application {id}"))),
            Some(a) if a.round_id != exam.round_id => errors.push(FieldError::new(
                at,
                format!("application {id} belongs to another round"),
            )),
            Some(a) if a.eligible == Some(false) => errors.push(FieldError::new(
                at,
                format!("application {id} was found not eligible"),
            )),
            Some(_) if !seen.insert(*id) => errors.push(FieldError::new(
                at,
                format!("application {id} listed twice"),
            )),
            Some(_) if seated.contains(id) => errors.push(FieldError::new(
                at,
                format!("application {id} already has a seat for this exam"),
            )),
            Some(_) => {}
        }
    }
    Ok(())
}

/// What every ticket of a new session shares.
struct Seating<'a> {
    session_id: i32,
    /// The session secret papers are drawn from (VN-20).
    secret: &'a [u8],
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
}

/// One sitting per candidate, seated in the order given, with its ticket number, paper seed
/// and PIN (only its keyed hash is stored).
async fn seat_candidates<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    seating: &Seating<'_>,
    application_ids: &[i32],
) -> AppResult<Vec<Ticket>> {
    let mut tickets = Vec::with_capacity(application_ids.len());
    for (i, application_id) in application_ids.iter().enumerate() {
        let seat = i as i32 + 1;
        let ticket_no = ticket_no(seating.session_id, seat);
        let (pin, pin_hash) = state.issue_pin(&ticket_no);
        let seed = question_bank::assembly::derive_seed(seating.secret, &ticket_no);
        repo::exam::insert_sitting(
            conn,
            repo::exam::NewSitting {
                session_id: seating.session_id,
                application_id: *application_id,
                ticket_no: ticket_no.clone(),
                seat,
                seed_hex: hex::encode(seed),
                pin_hash,
                paper: None,
                ends_at: seating.ends_at,
            },
            seating.now,
        )
        .await?;
        tickets.push(Ticket {
            application_id: *application_id,
            ticket_no,
            seat,
            pin: Some(pin),
        });
    }
    Ok(tickets)
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PaperHash {
    pub ticket_no: String,
    pub sha256: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PapersView {
    pub papers: Vec<PaperHash>,
}

/// Builds the paper of one sitting from its session's secret and ticket (reproducible).
pub(crate) async fn build_paper<C: sea_orm::ConnectionTrait>(
    conn: &C,
    session: &sessions::Model,
    blueprint: &Blueprint,
    pool: &[question_bank::assembly::PoolItem],
    sitting: sittings::Model,
) -> AppResult<sittings::Model> {
    store_paper(conn, session, &Assembler::new(blueprint, pool)?, sitting).await
}

/// [`build_paper`] with the blueprint and pool prepared once for a whole session.
async fn store_paper<C: sea_orm::ConnectionTrait>(
    conn: &C,
    session: &sessions::Model,
    assembler: &Assembler<'_>,
    sitting: sittings::Model,
) -> AppResult<sittings::Model> {
    let secret = hex::decode(&session.secret).map_err(|e| {
        AppError::internal_from(format!("session {} secret unreadable", session.id), e)
    })?;
    let paper = assembler.for_ticket(&secret, &sitting.ticket_no)?;
    repo::sitting::set_paper(conn, sitting, &paper).await
}

pub(crate) fn seal_ids(blueprint: &Blueprint) -> Vec<i32> {
    let mut ids: Vec<i32> = blueprint
        .sections
        .iter()
        .flat_map(|s| s.cells.iter().map(|c| c.seal_id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[tracing::instrument(skip_all, fields(actor = actor, session_id = session_id))]
pub async fn generate_papers(
    state: &AppState,
    actor: &str,
    session_id: i32,
) -> AppResult<PapersView> {
    let session = lookup::session(&state.db, session_id).await?;
    let exam = lookup::exam_of_session(&state.db, &session).await?;
    let blueprint = blueprint_of(&exam)?;
    let pool = repo::exam::load_pool(&state.db, &seal_ids(&blueprint)).await?;
    let assembler = Assembler::new(&blueprint, &pool)?;
    let w = Audited::begin(state).await?;
    let txn = w.txn();
    let mut papers = Vec::new();
    let mut built = 0;
    for sitting in repo::exam::sittings_of_session(txn, session_id).await? {
        let sitting = if sitting.paper_sha256.is_some() {
            sitting
        } else {
            built += 1;
            store_paper(txn, &session, &assembler, sitting).await?
        };
        papers.push(PaperHash {
            ticket_no: sitting.ticket_no,
            sha256: sitting.paper_sha256.unwrap_or_default(),
        });
    }
    papers.sort_by(|a, b| a.ticket_no.cmp(&b.ticket_no));
    w.record(actor, Action::SessionPapers, session_id, serde_json::json!({"built": built, "papers": papers.iter().map(|p| (&p.ticket_no, &p.sha256)).collect::<Vec<_>>()}));
    w.commit().await?;
    Ok(PapersView { papers })
}
