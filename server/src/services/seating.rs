//! Sessions and seats of an exam (issue 5, acceptance 5): automatic assignment of the eligible
//! candidates over new sessions, moving a candidate by hand before the session starts, the list
//! of an exam's sessions with their tickets, and the printable admission tickets and seat lists.
//!
//! The plan itself comes from the pure [`crate::seating`] module; this module loads, checks,
//! writes and audits; `printouts` loads what is printed.

mod printouts;

pub use printouts::{admission_tickets, printable, seat_list, Printout};

use chrono::{DateTime, Duration, Utc};
use question_bank::assembly::PoolItem;
use question_bank::blueprint::Blueprint;
use question_bank::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

use crate::audit::{Action, Audited};
use crate::entities::{applications, exams, sessions, sittings};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::seating::{self, Candidate};
use crate::secrets::random_bytes;
use crate::services::exam::{blueprint_of, build_paper, seal_ids, ticket_no};
use crate::state::AppState;

/// Largest room: ticket numbers give the seat three digits.
pub const MAX_SEATS: i32 = 999;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedSession {
    pub code: String,
    pub room: String,
    /// Seats of the room (1–999): never more candidates than this.
    pub seats: i32,
    pub starts_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub sessions: Vec<PlannedSession>,
    /// Return the plan without writing anything.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeatTicket {
    /// `null` in a dry run.
    pub sitting_id: Option<i32>,
    pub application_id: i32,
    /// Số báo danh; `null` in a dry run (it derives from the session id, not yet allocated).
    pub ticket_no: Option<String>,
    pub seat: i32,
    pub full_name: String,
    pub position_code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeatedSession {
    /// `null` in a dry run.
    pub id: Option<i32>,
    pub exam_id: i32,
    pub code: String,
    pub room: String,
    /// Seats of the room; `null` for sessions created from an explicit candidate list.
    pub seats: Option<i32>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Started or opened: seats can no longer change.
    pub started: bool,
    /// The session code (*mã ca thi*): only for supervisors (VN-21), never for HR alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_code: Option<String>,
    /// By seat.
    pub tickets: Vec<SeatTicket>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssignResult {
    pub dry_run: bool,
    /// Candidates seated (or that would be).
    pub seated: usize,
    pub sessions: Vec<SeatedSession>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SessionList {
    pub items: Vec<SeatedSession>,
    pub total: usize,
}

/// What the planner needs of one candidate, and what the tickets show.
struct Seatable {
    application: applications::Model,
    position_code: String,
}

fn not_found_exam(exam_id: i32) -> AppError {
    AppError::NotFound(format!("no exam {exam_id}"))
}

fn ends_at(starts_at: DateTime<Utc>, exam: &exams::Model, extra_minutes: i32) -> DateTime<Utc> {
    starts_at + Duration::minutes(i64::from(exam.duration_minutes) + i64::from(extra_minutes))
}

fn has_started(session: &sessions::Model, now: DateTime<Utc>) -> bool {
    session.opened_at.is_some() || now >= session.starts_at
}

fn check_planned(
    planned: &[PlannedSession],
    existing_codes: &HashSet<String>,
    now: DateTime<Utc>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if planned.is_empty() {
        errors.push(FieldError::new("sessions", "at least one session"));
    }
    let mut codes = HashSet::new();
    for (i, s) in planned.iter().enumerate() {
        let code = s.code.trim();
        if code.is_empty() {
            errors.push(FieldError::new(format!("sessions[{i}].code"), "required"));
        } else if existing_codes.contains(code) {
            errors.push(FieldError::new(
                format!("sessions[{i}].code"),
                format!("the exam already has a session '{code}'"),
            ));
        } else if !codes.insert(code.to_string()) {
            errors.push(FieldError::new(
                format!("sessions[{i}].code"),
                format!("'{code}' is given twice"),
            ));
        }
        if s.room.trim().is_empty() {
            errors.push(FieldError::new(format!("sessions[{i}].room"), "required"));
        }
        if !(1..=MAX_SEATS).contains(&s.seats) {
            errors.push(FieldError::new(
                format!("sessions[{i}].seats"),
                format!("between 1 and {MAX_SEATS}"),
            ));
        }
        if s.starts_at <= now {
            errors.push(FieldError::new(
                format!("sessions[{i}].starts_at"),
                "must be in the future",
            ));
        }
    }
    errors
}

/// The eligible applications of the exam's round that have no seat for this exam yet, with
/// their position codes. Pending (unchecked) and ineligible applications are never seated.
async fn unseated_eligible<C: sea_orm::ConnectionTrait>(
    conn: &C,
    exam: &exams::Model,
) -> AppResult<Vec<Seatable>> {
    let positions: HashMap<i32, String> = repo::round::positions_of_round(conn, exam.round_id)
        .await?
        .into_iter()
        .map(|(p, _)| (p.id, p.code))
        .collect();
    let seated: HashSet<i32> = repo::exam::seated_applications(conn, exam.id)
        .await?
        .into_iter()
        .collect();
    repo::round::applications_of_round(conn, exam.round_id)
        .await?
        .into_iter()
        .filter(|a| a.eligible == Some(true) && !seated.contains(&a.id))
        .map(|a| {
            let position_code = positions.get(&a.position_id).cloned().ok_or_else(|| {
                AppError::internal(format!("application {} has no position", a.id))
            })?;
            Ok(Seatable {
                application: a,
                position_code,
            })
        })
        .collect()
}

/// The plan: for each requested session, the candidates by seat. 422 when the seats are short
/// or a session would stay empty; nothing is written either way.
fn plan(
    planned: &[PlannedSession],
    candidates: &[Seatable],
    round_id: i32,
) -> AppResult<Vec<Vec<i32>>> {
    if candidates.is_empty() {
        return Err(AppError::field(
            "sessions",
            format!(
                "every eligible candidate of round {round_id} already has a seat for this exam"
            ),
        ));
    }
    let input: Vec<Candidate> = candidates
        .iter()
        .map(|c| Candidate {
            id: c.application.id,
            position: c.position_code.clone(),
        })
        .collect();
    let capacities: Vec<usize> = planned.iter().map(|s| s.seats.max(0) as usize).collect();
    let plan = seating::assign(&input, &capacities).map_err(|short| {
        AppError::field(
            "sessions",
            format!(
                "{} eligible candidates but {} seats: {} seats short; add sessions or seats",
                short.candidates,
                short.seats,
                short.missing()
            ),
        )
    })?;
    let empty: Vec<FieldError> = plan
        .iter()
        .enumerate()
        .filter(|(_, seats)| seats.is_empty())
        .map(|(i, _)| {
            FieldError::new(
                format!("sessions[{i}]"),
                format!(
                    "would receive no candidate ({} candidates over {} sessions); leave it out",
                    candidates.len(),
                    planned.len()
                ),
            )
        })
        .collect();
    if !empty.is_empty() {
        return Err(AppError::invalid("a session would stay empty", empty));
    }
    Ok(plan)
}

/// Seats every eligible candidate without a seat for this exam over the given new sessions.
#[tracing::instrument(skip_all, fields(actor = actor, exam_id = exam_id))]
pub async fn assign(
    state: &AppState,
    actor: &str,
    exam_id: i32,
    req: AssignRequest,
) -> AppResult<AssignResult> {
    let exam = repo::exam::find_exam(&state.db, exam_id)
        .await?
        .ok_or_else(|| not_found_exam(exam_id))?;
    let now = state.now();
    let existing: HashSet<String> = repo::exam::sessions_of_exam(&state.db, exam_id)
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect();
    let errors = check_planned(&req.sessions, &existing, now);
    if !errors.is_empty() {
        return Err(AppError::invalid("the sessions are not valid", errors));
    }

    if req.dry_run {
        let candidates = unseated_eligible(&state.db, &exam).await?;
        let plan = plan(&req.sessions, &candidates, exam.round_id)?;
        return Ok(AssignResult {
            dry_run: true,
            seated: candidates.len(),
            sessions: planned_sessions(&exam, &req.sessions, &plan, &candidates),
        });
    }

    let w = Audited::begin_at(state, now).await?;
    let txn = w.txn();
    // Read again inside the write: a concurrent assignment cannot seat anyone twice.
    let candidates = unseated_eligible(txn, &exam).await?;
    let plan = plan(&req.sessions, &candidates, exam.round_id)?;
    let by_id = by_application(&candidates);
    let mut out = Vec::with_capacity(plan.len());
    for (planned, ids) in req.sessions.iter().zip(&plan) {
        out.push(seat_session(state, txn, &exam, planned, ids, &by_id, now).await?);
    }
    let seating: Vec<serde_json::Value> = out
        .iter()
        .map(|s| {
            serde_json::json!({
                "id": s.id, "code": s.code, "room": s.room, "seats": s.seats,
                "starts_at": s.starts_at,
                "seating": s.tickets.iter().map(|t| (t.seat, t.application_id)).collect::<Vec<_>>(),
            })
        })
        .collect();
    w.record(
        actor,
        Action::SessionAssign,
        exam_id,
        serde_json::json!({"candidates": candidates.len(), "sessions": seating}),
    );
    w.commit().await?;
    Ok(AssignResult {
        dry_run: false,
        seated: candidates.len(),
        sessions: out,
    })
}

fn by_application(candidates: &[Seatable]) -> HashMap<i32, &Seatable> {
    candidates.iter().map(|c| (c.application.id, c)).collect()
}

impl SeatTicket {
    /// The ticket of `c` in `seat`; `sitting` is `None` in a dry run.
    fn new(c: &Seatable, seat: i32, sitting: Option<&sittings::Model>) -> SeatTicket {
        SeatTicket {
            sitting_id: sitting.map(|s| s.id),
            application_id: c.application.id,
            ticket_no: sitting.map(|s| s.ticket_no.clone()),
            seat,
            full_name: c.application.full_name.clone(),
            position_code: c.position_code.clone(),
        }
    }
}

/// What a dry run shows: the sessions as they would be created, without ids or ticket numbers.
fn planned_sessions(
    exam: &exams::Model,
    planned: &[PlannedSession],
    plan: &[Vec<i32>],
    candidates: &[Seatable],
) -> Vec<SeatedSession> {
    let by_id = by_application(candidates);
    planned
        .iter()
        .zip(plan)
        .map(|(s, ids)| SeatedSession {
            id: None,
            exam_id: exam.id,
            code: s.code.trim().to_string(),
            room: s.room.trim().to_string(),
            seats: Some(s.seats),
            starts_at: s.starts_at,
            ends_at: ends_at(s.starts_at, exam, 0),
            started: false,
            access_code: None,
            tickets: ids
                .iter()
                .enumerate()
                .filter_map(|(k, id)| {
                    by_id
                        .get(id)
                        .map(|c| SeatTicket::new(c, k as i32 + 1, None))
                })
                .collect(),
        })
        .collect()
}

/// Creates one planned session with its own secret and access code, and a sitting per seat of
/// its part of the plan (`ids`, by seat).
async fn seat_session<C: sea_orm::ConnectionTrait>(
    state: &AppState,
    conn: &C,
    exam: &exams::Model,
    planned: &PlannedSession,
    ids: &[i32],
    by_id: &HashMap<i32, &Seatable>,
    now: DateTime<Utc>,
) -> AppResult<SeatedSession> {
    let secret = random_bytes();
    let session = repo::exam::insert_session(
        conn,
        repo::exam::NewSession {
            exam_id: exam.id,
            code: planned.code.trim(),
            room: planned.room.trim(),
            starts_at: planned.starts_at,
            access_code: crate::secrets::access_code(),
            secret_hex: hex::encode(secret),
            seats: Some(planned.seats),
        },
        now,
    )
    .await?;
    let session_ends = ends_at(session.starts_at, exam, 0);
    let mut tickets = Vec::with_capacity(ids.len());
    for (k, id) in ids.iter().enumerate() {
        let Some(c) = by_id.get(id) else { continue };
        let seat = k as i32 + 1;
        let ticket = ticket_no(session.id, seat);
        let sitting = repo::exam::insert_sitting(
            conn,
            repo::exam::NewSitting {
                session_id: session.id,
                application_id: *id,
                seed_hex: hex::encode(question_bank::assembly::derive_seed(&secret, &ticket)),
                pin_hash: state.issue_pin(&ticket).1,
                ticket_no: ticket,
                seat,
                paper: None,
                ends_at: session_ends,
            },
            now,
        )
        .await?;
        tickets.push(SeatTicket::new(c, seat, Some(&sitting)));
    }
    Ok(SeatedSession {
        id: Some(session.id),
        exam_id: exam.id,
        code: session.code,
        room: session.room,
        seats: session.seats,
        starts_at: session.starts_at,
        ends_at: session_ends,
        started: false,
        access_code: None,
        tickets,
    })
}

/// Names, dates of birth and position codes of the candidates of some sittings.
async fn candidates_of<C: sea_orm::ConnectionTrait>(
    conn: &C,
    round_id: i32,
    sittings: &[sittings::Model],
) -> AppResult<(
    HashMap<i32, applications::Model>,
    HashMap<i32, (String, String)>,
)> {
    let ids: Vec<i32> = sittings.iter().map(|s| s.application_id).collect();
    let apps: HashMap<i32, applications::Model> = repo::exam::applications_by_id(conn, ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let positions: HashMap<i32, (String, String)> = repo::round::positions_of_round(conn, round_id)
        .await?
        .into_iter()
        .map(|(p, _)| (p.id, (p.code, p.name)))
        .collect();
    Ok((apps, positions))
}

/// The sessions of an exam, by start, each with its tickets by seat. Replaced sittings (VN-23
/// re-sittings) are left out: the seat belongs to the new one. `with_access_code` is for
/// supervisors.
#[tracing::instrument(skip_all, fields(exam_id = exam_id))]
pub async fn list_sessions(
    state: &AppState,
    exam_id: i32,
    with_access_code: bool,
) -> AppResult<SessionList> {
    let exam = repo::exam::find_exam(&state.db, exam_id)
        .await?
        .ok_or_else(|| not_found_exam(exam_id))?;
    let now = state.now();
    let mut sessions = repo::exam::sessions_of_exam(&state.db, exam_id).await?;
    sessions.sort_by_key(|s| (s.starts_at, s.id));
    let sittings: Vec<sittings::Model> =
        repo::exam::sittings_of_sessions(&state.db, sessions.iter().map(|s| s.id).collect())
            .await?
            .into_iter()
            .filter(|s| s.status != repo::sitting::VOID)
            .collect();
    let (apps, positions) = candidates_of(&state.db, exam.round_id, &sittings).await?;
    let mut by_session: HashMap<i32, Vec<SeatTicket>> = HashMap::new();
    for s in &sittings {
        let app = apps.get(&s.application_id);
        by_session
            .entry(s.session_id)
            .or_default()
            .push(SeatTicket {
                sitting_id: Some(s.id),
                application_id: s.application_id,
                ticket_no: Some(s.ticket_no.clone()),
                seat: s.seat,
                full_name: app.map(|a| a.full_name.clone()).unwrap_or_default(),
                position_code: app
                    .and_then(|a| positions.get(&a.position_id))
                    .map(|(code, _)| code.clone())
                    .unwrap_or_default(),
            });
    }
    let items: Vec<SeatedSession> = sessions
        .into_iter()
        .map(|session| {
            let mut tickets = by_session.remove(&session.id).unwrap_or_default();
            tickets.sort_by_key(|t| (t.seat, t.sitting_id));
            SeatedSession {
                id: Some(session.id),
                exam_id,
                started: has_started(&session, now),
                ends_at: ends_at(session.starts_at, &exam, 0),
                access_code: with_access_code.then(|| session.access_code.clone()),
                code: session.code,
                room: session.room,
                seats: session.seats,
                starts_at: session.starts_at,
                tickets,
            }
        })
        .collect();
    Ok(SessionList {
        total: items.len(),
        items,
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeatRequest {
    /// A session of the same exam (the current one, or another).
    pub session_id: i32,
    pub seat: i32,
    /// Kept in the audit log.
    pub reason: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeatPlace {
    pub sitting_id: i32,
    pub application_id: i32,
    /// Unchanged by a move: tickets may already be printed.
    pub ticket_no: String,
    pub session_id: i32,
    pub seat: i32,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeatMove {
    pub moved: SeatPlace,
    /// The candidate who held the seat, now in the mover's former seat; `null` if it was free.
    pub swapped_with: Option<SeatPlace>,
}

fn place(s: &sittings::Model) -> SeatPlace {
    SeatPlace {
        sitting_id: s.id,
        application_id: s.application_id,
        ticket_no: s.ticket_no.clone(),
        session_id: s.session_id,
        seat: s.seat,
    }
}

fn refuse_if_started(session: &sessions::Model, now: DateTime<Utc>) -> AppResult<()> {
    if has_started(session, now) {
        return Err(AppError::Conflict(format!(
            "session {} started at {}: its seats can no longer change",
            session.code,
            session.starts_at.to_rfc3339()
        )));
    }
    Ok(())
}

/// Moves a candidate to another seat, in the same session or another session of the same exam,
/// before either session starts. A free seat is simply taken; an occupied seat is swapped (the
/// occupant takes the mover's former seat). Ticket numbers never change — admission tickets may
/// be printed already — so after a move a ticket number no longer spells its session and seat;
/// the seat lists show where each ticket sits. A paper already built for the old session is
/// rebuilt from the new session's secret. Audited with the reason.
#[tracing::instrument(skip_all, fields(actor = actor, sitting_id = sitting_id))]
pub async fn move_seat(
    state: &AppState,
    actor: &str,
    sitting_id: i32,
    req: SeatRequest,
) -> AppResult<SeatMove> {
    if req.reason.trim().chars().count() < 3 {
        return Err(AppError::field(
            "reason",
            "a reason is required (it is kept in the audit log)",
        ));
    }
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let sitting = repo::exam::find_sitting(txn, sitting_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no sitting {sitting_id}")))?;
    if sitting.status == repo::sitting::VOID {
        return Err(AppError::Conflict(format!(
            "sitting {sitting_id} was replaced by a re-sitting"
        )));
    }
    let (from, to) = sessions_of_move(txn, &sitting, &req).await?;
    refuse_if_started(&from, now)?;
    refuse_if_started(&to, now)?;
    let exam = repo::exam::find_exam(txn, from.exam_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("session {} has no exam", from.id)))?;

    let occupant = repo::exam::sittings_of_session(txn, to.id)
        .await?
        .into_iter()
        .find(|s| s.seat == req.seat && s.status != repo::sitting::VOID);
    let (from_place, to_place) = (place(&sitting), (to.id, req.seat));
    let needs_paper = sitting.paper_sha256.is_some()
        || occupant.as_ref().is_some_and(|o| o.paper_sha256.is_some());
    let pool = if needs_paper && from.id != to.id {
        Some(paper_pool(txn, &exam).await?)
    } else {
        None
    };

    let moved = relocate(txn, sitting, &to, req.seat, &exam, pool.as_ref()).await?;
    let swapped = match occupant {
        Some(o) => Some(relocate(txn, o, &from, from_place.seat, &exam, pool.as_ref()).await?),
        None => None,
    };
    w.record(
        actor,
        Action::SittingSeat,
        sitting_id,
        serde_json::json!({
            "ticket_no": moved.ticket_no,
            "from": {"session_id": from_place.session_id, "seat": from_place.seat},
            "to": {"session_id": to_place.0, "seat": to_place.1},
            "swapped_with": swapped.as_ref().map(|s| s.id),
            "reason": req.reason.trim(),
        }),
    );
    w.commit().await?;
    Ok(SeatMove {
        moved: place(&moved),
        swapped_with: swapped.as_ref().map(place),
    })
}

/// The session a sitting leaves and the one it moves to, which must be of the same exam and
/// have the seat asked for.
async fn sessions_of_move<C: sea_orm::ConnectionTrait>(
    conn: &C,
    sitting: &sittings::Model,
    req: &SeatRequest,
) -> AppResult<(sessions::Model, sessions::Model)> {
    let from = repo::exam::find_session(conn, sitting.session_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("sitting {} has no session", sitting.id)))?;
    let to = repo::exam::find_session(conn, req.session_id)
        .await?
        .filter(|s| s.exam_id == from.exam_id)
        .ok_or_else(|| {
            AppError::field(
                "session_id",
                format!(
                    "no session {} of the same exam as sitting {}",
                    req.session_id, sitting.id
                ),
            )
        })?;
    let capacity = to.seats.unwrap_or(MAX_SEATS);
    if !(1..=capacity).contains(&req.seat) {
        return Err(AppError::field(
            "seat",
            format!("session {} has seats 1 to {capacity}", to.code),
        ));
    }
    if to.id == from.id && req.seat == sitting.seat {
        return Err(AppError::field("seat", "the candidate already sits there"));
    }
    Ok((from, to))
}

/// The exam's blueprint and item pool, to rebuild the papers of sittings changing session.
async fn paper_pool<C: sea_orm::ConnectionTrait>(
    conn: &C,
    exam: &exams::Model,
) -> AppResult<(Blueprint, Vec<PoolItem>)> {
    let blueprint = blueprint_of(exam)?;
    let pool = repo::exam::load_pool(conn, &seal_ids(&blueprint)).await?;
    Ok((blueprint, pool))
}

/// Puts one sitting in `seat` of `session`; rebuilds its paper if it had one and changed session.
async fn relocate<C: sea_orm::ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    session: &sessions::Model,
    seat: i32,
    exam: &exams::Model,
    pool: Option<&(Blueprint, Vec<PoolItem>)>,
) -> AppResult<sittings::Model> {
    let had_paper = sitting.paper_sha256.is_some();
    let changes_session = sitting.session_id != session.id;
    let secret = hex::decode(&session.secret).map_err(|e| {
        AppError::internal_from(format!("session {} secret unreadable", session.id), e)
    })?;
    let seed_hex = hex::encode(question_bank::assembly::derive_seed(
        &secret,
        &sitting.ticket_no,
    ));
    let change = repo::exam::SeatChange {
        session_id: session.id,
        seat,
        ends_at: ends_at(session.starts_at, exam, sitting.extra_minutes),
        seed_hex,
    };
    let moved = repo::exam::move_sitting(conn, sitting, change).await?;
    match pool {
        Some((blueprint, pool)) if had_paper && changes_session => {
            build_paper(conn, session, blueprint, pool, moved).await
        }
        _ => Ok(moved),
    }
}
