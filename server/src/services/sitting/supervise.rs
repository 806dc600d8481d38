//! The supervisor's console: the session roster, opening the session code in front of the
//! candidates (VN-21), extra time, late admissions (VN-22), re-sittings after a machine failure
//! (VN-23) and sanctions (VN-25). Every decision is audited with its reason.

use chrono::{DateTime, Duration, Utc};
use question_bank::scoring::Sanction;
use std::collections::HashMap;

use super::dto::{
    ExtensionRequest, Monitor, OpenedSession, ReasonRequest, Resitting, RosterEntry,
    SanctionRequest, SittingSummary,
};
use super::grade::regrade;
use super::{exam_of, require_reason, session_of};
use crate::audit::{Action, Audited};
use crate::entities::{answers, sessions, sittings};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::sitting::NewIncident;
use crate::rules::sitting::{
    phase, remaining_seconds, resitting_refused, sanction_effect, IncidentKind, SanctionEffect,
    SittingStatus, RECORDABLE,
};
use crate::services::exam::{blueprint_of, build_paper, seal_ids};
use crate::state::AppState;

#[tracing::instrument(level = "debug", skip_all, fields(session_id = session_id))]
pub async fn monitor(state: &AppState, session_id: i32) -> AppResult<Monitor> {
    let now = state.now();
    let session = repo::exam::find_session(&state.db, session_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no session {session_id}")))?;
    let sittings = repo::exam::sittings_of_session(&state.db, session_id).await?;
    let names: HashMap<i32, String> = repo::exam::applications_by_id(
        &state.db,
        sittings.iter().map(|s| s.application_id).collect(),
    )
    .await?
    .into_iter()
    .map(|a| (a.id, a.full_name))
    .collect();
    let ids = sittings.iter().map(|s| s.id).collect();
    let answered = answered(repo::sitting::answers_of_many(&state.db, ids).await?);
    let mut roster: Vec<RosterEntry> = sittings
        .into_iter()
        .map(|s| {
            let status = phase(s.status, session.starts_at, s.ends_at, now);
            let (count, last) = answered.get(&s.id).copied().unwrap_or_default();
            RosterEntry {
                sitting_id: s.id,
                full_name: names.get(&s.application_id).cloned().unwrap_or_default(),
                seat: s.seat,
                status,
                logged_in: s.active_login.is_some(),
                logins: s.login_count,
                answered: count,
                last_saved_at: last,
                remaining_seconds: remaining_seconds(status, session.starts_at, s.ends_at, now),
                late_admitted: s.late_admitted,
                ticket_no: s.ticket_no,
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

/// Per sitting, the questions answered and when the last answer was saved.
fn answered(answers: Vec<answers::Model>) -> HashMap<i32, (u32, Option<DateTime<Utc>>)> {
    let mut out: HashMap<i32, (u32, Option<DateTime<Utc>>)> = HashMap::new();
    for a in answers {
        let e = out.entry(a.sitting_id).or_default();
        e.0 += 1;
        e.1 = e.1.max(Some(a.saved_at));
    }
    out
}

/// VN-21: the supervisor opens the session code in front of the candidates.
#[tracing::instrument(skip_all, fields(actor = actor, session_id = session_id))]
pub async fn open_session(
    state: &AppState,
    actor: &str,
    session_id: i32,
) -> AppResult<OpenedSession> {
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let session = repo::exam::find_session(txn, session_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no session {session_id}")))?;
    let session = match session.opened_at {
        Some(_) => session,
        None => repo::exam::mark_session_opened(txn, session, now).await?,
    };
    w.record(
        actor,
        Action::SessionOpen,
        session_id,
        serde_json::json!({}),
    );
    w.commit().await?;
    Ok(OpenedSession {
        session_id,
        access_code: session.access_code,
        opened_at: session.opened_at.unwrap_or(now),
    })
}

/// Extra time for one candidate (e.g. after a machine failure), with a reason, audited.
#[tracing::instrument(skip_all, fields(actor = actor, sitting_id = sitting_id))]
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
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let sitting = found(repo::sitting::find(txn, sitting_id).await?, sitting_id)?;
    if sitting.status != SittingStatus::Waiting {
        return Err(AppError::Conflict("the sitting is already finished".into()));
    }
    let ends_at = sitting.ends_at + Duration::minutes(i64::from(req.minutes));
    let extra = sitting.extra_minutes + req.minutes;
    let sitting = repo::sitting::set_ends_at(txn, sitting, ends_at, extra).await?;
    w.record(actor, Action::SittingExtend, sitting_id, serde_json::json!({"minutes": req.minutes, "reason": req.reason.trim(), "ends_at": ends_at}));
    w.commit().await?;
    summary(state, &sitting, now).await
}

/// VN-22: admits a candidate beyond the late-arrival limit (the chair's decision), audited.
#[tracing::instrument(skip_all, fields(actor = actor, sitting_id = sitting_id))]
pub async fn admit_late(
    state: &AppState,
    actor: &str,
    sitting_id: i32,
    req: ReasonRequest,
) -> AppResult<SittingSummary> {
    require_reason(&req.reason)?;
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let sitting = found(repo::sitting::find(txn, sitting_id).await?, sitting_id)?;
    let sitting = repo::sitting::admit_late(txn, sitting).await?;
    w.record(
        actor,
        Action::SittingAdmitLate,
        sitting_id,
        serde_json::json!({"reason": req.reason.trim()}),
    );
    w.commit().await?;
    summary(state, &sitting, now).await
}

/// VN-23: after a machine failure the candidate re-takes the test in the same session: the
/// old sitting is closed as void with the incident, and a new sitting with a fresh paper and
/// the full duration starts now.
#[tracing::instrument(skip_all, fields(actor = actor, sitting_id = sitting_id))]
pub async fn grant_resitting(
    state: &AppState,
    actor: &str,
    sitting_id: i32,
    req: ReasonRequest,
) -> AppResult<Resitting> {
    require_reason(&req.reason)?;
    let now = state.now();
    let old = found(
        repo::sitting::find(&state.db, sitting_id).await?,
        sitting_id,
    )?;
    let session = session_of(&state.db, &old).await?;
    let status = phase(old.status, session.starts_at, old.ends_at, now);
    if let Some(refused) = resitting_refused(old.status, status) {
        return Err(AppError::Conflict(refused.into()));
    }
    let exam = exam_of(&state.db, &session).await?;
    let blueprint = blueprint_of(&exam)?;
    let pool = repo::exam::load_pool(&state.db, &seal_ids(&blueprint)).await?;
    let w = Audited::begin_at(state, now).await?;
    let txn = w.txn();
    let attempt = repo::sitting::count_in_session(txn, session.id).await?;
    let ticket_no = format!("{}R{}", old.ticket_no, attempt);
    let ends_at = now + Duration::minutes(i64::from(exam.duration_minutes));
    let incident = repo::sitting::insert_incident(
        txn,
        NewIncident {
            session_id: session.id,
            sitting_id: Some(old.id),
            kind: IncidentKind::MachineFailure,
            note: req.reason.trim(),
            recorded_by: actor,
        },
        now,
    )
    .await?;
    let (pin, pin_hash) = state.issue_pin(&ticket_no);
    let new = new_sitting(txn, &session, &old, (&ticket_no, pin_hash), ends_at, now).await?;
    let new = build_paper(txn, &session, &blueprint, &pool, new).await?;
    // Admitted by the supervisor's decision, whatever the time (VN-22 does not apply).
    let new = repo::sitting::admit_late(txn, new).await?;
    let old_id = old.id;
    repo::sitting::set_status(txn, old, SittingStatus::Void).await?;
    w.record(actor, Action::SittingResitting, old_id, serde_json::json!({"incident": incident.id, "new_sitting": new.id, "ticket_no": ticket_no, "reason": req.reason.trim()}));
    w.commit().await?;
    Ok(Resitting {
        incident_id: incident.id,
        old_sitting_id: old_id,
        sitting_id: new.id,
        ticket_no,
        pin,
        ends_at,
    })
}

/// The re-sitting's row: the old one's candidate and seat, a new ticket with its PIN, and its
/// own seed.
async fn new_sitting(
    txn: &sea_orm::DatabaseTransaction,
    session: &sessions::Model,
    old: &sittings::Model,
    (ticket_no, pin_hash): (&str, String),
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<sittings::Model> {
    let secret =
        hex::decode(&session.secret).map_err(|e| AppError::internal_from("session secret", e))?;
    repo::exam::insert_sitting(
        txn,
        repo::exam::NewSitting {
            session_id: session.id,
            application_id: old.application_id,
            ticket_no: ticket_no.to_string(),
            seat: old.seat,
            seed_hex: hex::encode(question_bank::assembly::derive_seed(&secret, ticket_no)),
            pin_hash,
            paper: None,
            ends_at,
        },
        now,
    )
    .await
}

/// VN-25: records a sanction; a graded sitting is graded again with it (exact fractions).
#[tracing::instrument(skip_all, fields(actor = actor, sitting_id = sitting_id))]
pub async fn apply_sanction(
    state: &AppState,
    actor: &str,
    sitting_id: i32,
    req: SanctionRequest,
) -> AppResult<SittingSummary> {
    let sanction = recordable(&req.level)?;
    require_reason(&req.reason)?;
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let sitting = found(repo::sitting::find(txn, sitting_id).await?, sitting_id)?;
    let effect = sanction_effect(sitting.status);
    if effect == SanctionEffect::Refused {
        return Err(AppError::Conflict(
            "this sitting was replaced by a re-sitting".into(),
        ));
    }
    let mut sitting = repo::sitting::set_sanction(txn, sitting, sanction).await?;
    let regraded = effect == SanctionEffect::Regrade;
    if regraded {
        sitting = regrade(txn, &state.items, sitting).await?.0;
    }
    w.record(
        actor,
        Action::SittingSanction,
        sitting_id,
        serde_json::json!({"level": sanction, "reason": req.reason.trim(), "regraded": regraded}),
    );
    w.commit().await?;
    summary(state, &sitting, now).await
}

/// The sanction a supervisor asks to record (VN-25).
fn recordable(level: &str) -> AppResult<Sanction> {
    level
        .parse()
        .ok()
        .filter(|s| RECORDABLE.contains(s))
        .ok_or_else(|| {
            let names: Vec<&str> = RECORDABLE.iter().map(|s| s.as_str()).collect();
            AppError::field("level", format!("expected one of {}", names.join(", ")))
        })
}

fn found(sitting: Option<sittings::Model>, sitting_id: i32) -> AppResult<sittings::Model> {
    sitting.ok_or_else(|| AppError::NotFound(format!("no sitting {sitting_id}")))
}

/// The sitting as the console shows it after a decision.
async fn summary(
    state: &AppState,
    sitting: &sittings::Model,
    now: DateTime<Utc>,
) -> AppResult<SittingSummary> {
    let session = session_of(&state.db, sitting).await?;
    Ok(SittingSummary {
        id: sitting.id,
        ticket_no: sitting.ticket_no.clone(),
        status: phase(sitting.status, session.starts_at, sitting.ends_at, now),
        ends_at: sitting.ends_at,
        extra_minutes: sitting.extra_minutes,
        late_admitted: sitting.late_admitted,
    })
}
