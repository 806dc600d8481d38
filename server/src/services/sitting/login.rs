//! The candidate signs in with ticket number, session code (VN-21) and the PIN printed on their
//! own admission ticket: refused after the late-arrival limit unless a supervisor admitted them
//! (VN-22), from outside the session's lab lock, and once the sitting is over beyond the result
//! window. A sign-in to a sitting another computer holds waits for the supervisor
//! ([`crate::services::sign_in::moves`]); otherwise logins, with their security-log lines, are
//! committed together by the login writer. Failures are throttled per ticket and per session,
//! never per address (a lab signs in from behind one address).

use chrono::{DateTime, Duration, Utc};

use super::dto::{CandidateLoginRequest, CandidateLoginResponse};
use super::exam_of;
use crate::auth::jwt::{sign, Claims, TokenKind};
use crate::entities::{exams, sessions, sittings};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::sign_in::LogLine;
use crate::repo::sitting::batch::NewLiveLogin;
use crate::rules::sign_in::{access, allowed_from, networks_of, Access};
use crate::rules::sitting::{late_limit, phase, refused_as_late, Phase};
use crate::secrets;
use crate::services::exam::{blueprint_of, build_paper, seal_ids};
use crate::services::sign_in::log::{line, record};
use crate::services::sign_in::moves::{self, PendingMove};
use crate::services::sign_in::Client;
use crate::state::AppState;
use crate::write_queue::BatchWriter;

/// What a sign-in with the right credentials gives.
pub enum Outcome {
    SignedIn(CandidateLoginResponse),
    /// Another computer holds the live sitting: the supervisor decides (202).
    Waiting(PendingMove),
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn candidate_login(
    state: &AppState,
    req: CandidateLoginRequest,
    client: &Client,
) -> AppResult<Outcome> {
    let now = state.now();
    let ticket = req.ticket_no.trim().to_string();
    let subject = format!("candidate:{ticket}");
    if let Err(retry_after) = state
        .throttle
        .check_candidate(&ticket, &req.access_code, now)
    {
        record(
            state,
            line("candidate.login_failed", subject, client, "throttled"),
        )
        .await?;
        return Err(AppError::TooManyRequests { retry_after });
    }
    let Some((sitting, session)) = credentials(state, &req).await? else {
        state
            .throttle
            .record_candidate_failure(&ticket, &req.access_code, now);
        let detail = "wrong ticket number, session code or PIN";
        record(
            state,
            line("candidate.login_failed", subject, client, detail),
        )
        .await?;
        return Err(AppError::Unauthorized(
            "wrong ticket number, session code or PIN".into(),
        ));
    };
    state.throttle.record_candidate_success(&ticket);
    let refused = |detail: &str| {
        let mut l = line("candidate.login_refused", subject.clone(), client, detail);
        l.session_id = Some(session.id);
        l.sitting_id = Some(sitting.id);
        l
    };
    if !allowed_from(&networks_of(session.allowed_networks.as_deref()), client.ip) {
        record(state, refused("outside the lab lock")).await?;
        return Err(AppError::Forbidden(format!(
            "sign-in to this session is allowed only from the exam room's computers; \
             this computer ({}) is not one of them: ask the supervisor",
            client.ip
        )));
    }
    let exam = exam_of(&state.db, &session).await?;
    let status = phase(sitting.status, session.starts_at, sitting.ends_at, now);
    let window = Duration::minutes(state.config.result_window_minutes);
    let granted = access(status, sitting.ends_at, window, now);
    if granted == Access::Over {
        record(state, refused("the session is over")).await?;
        return Err(AppError::Forbidden(
            "this sitting is over: sign-in is closed (the result was shown for a limited time \
             after the end)"
                .into(),
        ));
    }
    if granted == Access::Live {
        if let Err(e) = check_arrival(&sitting, &session, &exam, status, now) {
            record(state, refused("late beyond VN-22")).await?;
            return Err(e);
        }
        if sitting.active_login.is_some() {
            return Ok(Outcome::Waiting(
                moves::request(state, &sitting, client).await?,
            ));
        }
    }
    let login = secrets::login_token();
    let sitting = with_paper(state, &session, &exam, sitting).await?;
    let mut l = line("candidate.login", subject, client, status.as_str());
    l.session_id = Some(session.id);
    l.sitting_id = Some(sitting.id);
    let only_if_free = granted == Access::Live;
    queue_login(state, sitting.id, &login, only_if_free, l).await?;
    Ok(Outcome::SignedIn(signed_in(
        state, &sitting, &session, login,
    )?))
}

/// The token and times of a sitting's new live login.
pub(crate) fn signed_in(
    state: &AppState,
    sitting: &sittings::Model,
    session: &sessions::Model,
    login: String,
) -> AppResult<CandidateLoginResponse> {
    let now = state.now();
    let status = phase(sitting.status, session.starts_at, sitting.ends_at, now);
    let window = Duration::minutes(state.config.result_window_minutes);
    let read_only = access(status, sitting.ends_at, window, now) != Access::Live;
    // A finished sitting's token lasts the result window; a live one outlives any extension.
    let exp = if read_only {
        sitting.ends_at + window
    } else {
        sitting.ends_at + Duration::hours(12)
    };
    let claims = Claims {
        sub: sitting.ticket_no.clone(),
        kind: TokenKind::Candidate,
        id: sitting.id,
        roles: vec![],
        login: Some(login),
        ver: None,
        auth_time: None,
        iat: now.timestamp(),
        exp: exp.timestamp(),
    };
    Ok(CandidateLoginResponse {
        token: sign(&claims, &state.config.keys.candidate_jwt)?,
        sitting_id: sitting.id,
        status,
        starts_at: session.starts_at,
        ends_at: sitting.ends_at,
        server_now: now,
        read_only,
    })
}

/// The sitting and its session when the ticket, the session code and the PIN all match;
/// `None` whatever failed, so a refusal tells nothing of which. The session code stops
/// opening anything once the session is over (the caller decides by the clock).
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
        & pin_matches(state, &sitting, req.pin.as_deref().unwrap_or_default());
    Ok(matches.then_some((sitting, session)))
}

/// Every sitting has a PIN (keyed hash). A sitting seated before PINs were issued to all has
/// none stored: its PIN is the one issued with its ticket, which its admission ticket prints.
fn pin_matches(state: &AppState, sitting: &sittings::Model, pin: &str) -> bool {
    let given = state.pin_digest(&sitting.ticket_no, pin);
    let expected = match &sitting.pin_hash {
        Some(stored) => stored.clone(),
        None => state.issue_pin(&sitting.ticket_no).1,
    };
    secrets::constant_time_eq(expected.as_bytes(), given.as_bytes())
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

/// A sitting's new live login, queued for the login writer.
pub(super) struct NewLogin {
    sitting_id: i32,
    login: String,
    /// A first sign-in to a live sitting: taken only if no other computer took it meanwhile.
    only_if_free: bool,
    /// Its line in the security log, written in the same transaction.
    log: LogLine,
}

/// Commits queued logins together: each becomes its sitting's only live login, and its
/// security-log line is written with it.
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
        let live: Vec<NewLiveLogin<'_>> = logins
            .iter()
            .map(|l| NewLiveLogin {
                sitting_id: l.sitting_id,
                login: l.login.as_str(),
                only_if_free: l.only_if_free,
            })
            .collect();
        let taken = repo::sitting::batch::record_logins(&txn, &live, now).await?;
        let lines: Vec<LogLine> = logins
            .iter()
            .zip(&taken)
            .filter(|(_, taken)| **taken)
            .map(|(l, _)| l.log.clone())
            .collect();
        repo::sign_in::insert_log(&txn, &lines, now).await?;
        crate::write_queue::commit_timed(txn).await?;
        Ok(taken.into_iter().map(lost_the_race).collect())
    }
}

/// A first sign-in that another computer's beat to the sitting by a moment: refused, so the
/// first computer is never cut off silently; signing in again asks the supervisor (VN-23).
fn lost_the_race(taken: bool) -> AppResult<()> {
    if taken {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "another computer signed in to this sitting at the same moment: sign in again to \
             ask the supervisor to move the sitting here"
                .into(),
        ))
    }
}

/// Makes `login` the only live login of the sitting, committed with concurrent logins;
/// returns once committed.
async fn queue_login(
    state: &AppState,
    sitting_id: i32,
    login: &str,
    only_if_free: bool,
    log: LogLine,
) -> AppResult<()> {
    let job = NewLogin {
        sitting_id,
        login: login.to_string(),
        only_if_free,
        log,
    };
    let capacity = state.config.write_queue;
    state
        .writes
        .logins
        .queue_and_wait(capacity, || state.clone(), job)
        .await
}
