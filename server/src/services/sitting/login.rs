//! The candidate signs in with ticket number and session code (VN-21), and a PIN when the
//! session gave them: refused after the late-arrival limit unless a supervisor admitted them
//! (VN-22). A new login locks the pages of older ones out; logins are committed together by
//! the login writer.

use chrono::{DateTime, Duration, Utc};

use super::dto::{CandidateLoginRequest, CandidateLoginResponse};
use super::exam_of;
use crate::audit::{Action, Audited};
use crate::auth::jwt::{sign, Claims, TokenKind};
use crate::entities::{exams, sessions, sittings};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::rules::sitting::{late_limit, phase, refused_as_late, Phase};
use crate::secrets;
use crate::services::exam::{blueprint_of, build_paper, seal_ids};
use crate::state::AppState;
use crate::write_queue::BatchWriter;

#[tracing::instrument(level = "debug", skip_all)]
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
    let Some((sitting, session)) = credentials(state, &req).await? else {
        state.throttle.record_failure(&key, addr, now);
        return Err(AppError::Unauthorized(
            "wrong ticket number or session code".into(),
        ));
    };
    let exam = exam_of(&state.db, &session).await?;
    let status = phase(sitting.status, session.starts_at, sitting.ends_at, now);
    check_arrival(&sitting, &session, &exam, status, now)?;
    let login = secrets::login_token();
    let replaced = sitting.active_login.is_some() && status == Phase::Open;
    let sitting = with_paper(state, &session, &exam, sitting).await?;
    let sitting = if replaced {
        login_elsewhere(state, sitting, &login, addr, now).await?
    } else {
        queue_login(state, sitting.id, &login).await?;
        sitting
    };
    state.throttle.record_success(&key);
    let claims = Claims {
        sub: sitting.ticket_no.clone(),
        kind: TokenKind::Candidate,
        id: sitting.id,
        roles: vec![],
        login: Some(login),
        ver: None,
        auth_time: None,
        iat: now.timestamp(),
        exp: (sitting.ends_at + Duration::hours(12)).timestamp(),
    };
    Ok(CandidateLoginResponse {
        token: sign(&claims, &state.config.keys.candidate_jwt)?,
        sitting_id: sitting.id,
        status,
        starts_at: session.starts_at,
        ends_at: sitting.ends_at,
        server_now: now,
    })
}

/// The sitting and its session when the ticket, the session code and the PIN (if the sitting
/// has one) all match; `None` whatever failed, so a refusal tells nothing of which.
async fn credentials(
    state: &AppState,
    req: &CandidateLoginRequest,
) -> AppResult<Option<(sittings::Model, sessions::Model)>> {
    let Some(sitting) = repo::sitting::find_by_ticket(&state.db, req.ticket_no.trim()).await?
    else {
        return Ok(None);
    };
    let Some(session) = repo::exam::find_session(&state.db, sitting.session_id).await? else {
        return Ok(None);
    };
    let matches = secrets::same_code(&session.access_code, &req.access_code)
        && pin_matches(state, &sitting, req.pin.as_deref());
    Ok(matches.then_some((sitting, session)))
}

/// A sitting without a PIN needs none; one with a PIN needs the right one (keyed hash).
fn pin_matches(state: &AppState, sitting: &sittings::Model, pin: Option<&str>) -> bool {
    match (&sitting.pin_hash, pin) {
        (None, _) => true,
        (Some(stored), Some(pin)) => {
            let digest =
                secrets::pin_digest(&state.config.keys.candidate_codes, &sitting.ticket_no, pin);
            secrets::constant_time_eq(stored.as_bytes(), digest.as_bytes())
        }
        (Some(_), None) => false,
    }
}

/// VN-22: a first arrival after the limit waits for a supervisor's admission.
fn check_arrival(
    sitting: &sittings::Model,
    session: &sessions::Model,
    exam: &exams::Model,
    status: Phase,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if refused_as_late(
        status,
        now - session.starts_at,
        exam.duration_minutes,
        sitting.first_login_at.is_some(),
        sitting.late_admitted,
    ) {
        return Err(AppError::Forbidden(format!(
            "more than {} minutes after the start: a supervisor must admit you (VN-22)",
            late_limit(exam.duration_minutes).num_minutes()
        )));
    }
    Ok(())
}

/// The sitting with its paper: normally built before the session, a late addition gets its
/// paper now.
async fn with_paper(
    state: &AppState,
    session: &sessions::Model,
    exam: &exams::Model,
    sitting: sittings::Model,
) -> AppResult<sittings::Model> {
    if sitting.paper_sha256.is_some() {
        return Ok(sitting);
    }
    let blueprint = blueprint_of(exam)?;
    let pool = repo::exam::load_pool(&state.db, &seal_ids(&blueprint)).await?;
    build_paper(&state.db, session, &blueprint, &pool, sitting).await
}

/// A login that replaces a live one on another computer during the test: audited, so the
/// supervisor sees who moved.
async fn login_elsewhere(
    state: &AppState,
    sitting: sittings::Model,
    login: &str,
    addr: &str,
    now: DateTime<Utc>,
) -> AppResult<sittings::Model> {
    let w = Audited::begin_at(state, now).await?;
    let txn = w.txn();
    let s = repo::sitting::record_login(txn, sitting, login, now).await?;
    w.record(
        &format!("candidate:{}", s.ticket_no),
        Action::SittingLoginElsewhere,
        s.id,
        serde_json::json!({"address": addr, "logins": s.login_count}),
    );
    w.commit().await?;
    Ok(s)
}

/// A sitting's new live login, queued for the login writer.
pub(super) struct NewLogin {
    sitting_id: i32,
    login: String,
}

/// Commits queued logins together: each becomes its sitting's only live login.
pub(super) struct LoginWriter;

impl BatchWriter for LoginWriter {
    type Job = NewLogin;
    type Done = ();
    type Context = AppState;
    const WHAT: &'static str = "logins";
    const MAX_BATCH: usize = 512;

    async fn write(state: &AppState, logins: &[NewLogin]) -> AppResult<Vec<AppResult<()>>> {
        let now = state.now();
        let _turn = state.write_turns.take().await;
        let txn = crate::db::begin_write(&state.db).await?;
        let pairs: Vec<(i32, &str)> = logins
            .iter()
            .map(|l| (l.sitting_id, l.login.as_str()))
            .collect();
        repo::sitting::batch::record_logins(&txn, &pairs, now).await?;
        crate::write_queue::commit_timed(txn).await?;
        Ok(logins.iter().map(|_| Ok(())).collect())
    }
}

/// Makes `login` the only live login of the sitting, committed with concurrent logins;
/// returns once committed.
async fn queue_login(state: &AppState, sitting_id: i32, login: &str) -> AppResult<()> {
    let job = NewLogin {
        sitting_id,
        login: login.to_string(),
    };
    let capacity = state.config.write_queue;
    state
        .writes
        .logins
        .queue_and_wait(capacity, || state.clone(), job)
        .await
}
