//! No silent takeover (VN-23, issue 16): a sign-in to a sitting that another computer holds
//! does not lock that computer out. It waits: the new page gets a pending move and polls it;
//! the supervisor sees both computers (address, time, browser) on the console and approves the
//! move with a reason (audited). Only then does the new login become the sitting's live one,
//! and the first page's token stops working.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::log::line;
use super::Client;
use crate::audit::{Action, Audited};
use crate::entities::{device_moves, security_log, sessions, sittings};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::sign_in::NewMove;
use crate::rules::sign_in::MoveStatus;
use crate::secrets;
use crate::services::sitting::dto::{CandidateLoginResponse, ReasonRequest};
use crate::state::AppState;

/// What the waiting page gets (202): the move to poll and the claim that proves it asked.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PendingMove {
    pub move_id: i32,
    /// Sent back when polling; only the page that asked holds it.
    pub claim: String,
    /// `waiting_for_supervisor`.
    pub status: String,
    pub message: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ClaimRequest {
    pub claim: String,
}

/// One computer of a move, as the console shows it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Device {
    pub address: String,
    pub user_agent: String,
    /// When it signed in (or asked to).
    pub at: DateTime<Utc>,
}

/// A move waiting for the supervisor, with both computers.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MoveView {
    pub id: i32,
    pub sitting_id: i32,
    pub ticket_no: String,
    /// `pending`, `approved` or `superseded`.
    #[schema(value_type = String)]
    pub status: MoveStatus,
    /// The computer that holds the sitting now; `null` if its sign-in is no longer logged.
    pub current: Option<Device>,
    /// The computer asking for it.
    pub requested: Device,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MoveList {
    pub items: Vec<MoveView>,
}

fn claim_hash(claim: &str) -> String {
    hex::encode(Sha256::digest(claim.trim().as_bytes()))
}

const WAITING: &str = "This sitting is open on another computer. Ask the supervisor to approve \
    the move to this computer; this page goes on as soon as it is approved.";

/// Records a request to move the sitting to `client` (superseding an earlier one), logged.
pub async fn request(
    state: &AppState,
    sitting: &sittings::Model,
    client: &Client,
) -> AppResult<PendingMove> {
    let now = state.now();
    let claim = secrets::login_token();
    let _turn = state.write_turns.take().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let m = repo::sign_in::insert_move(
        &txn,
        NewMove {
            sitting_id: sitting.id,
            session_id: sitting.session_id,
            claim_hash: claim_hash(&claim),
            address: &client.address(),
            user_agent: &client.user_agent,
        },
        now,
    )
    .await?;
    let mut l = line(
        "candidate.move_requested",
        format!("candidate:{}", sitting.ticket_no),
        client,
        &format!("move {} waits for the supervisor", m.id),
    );
    l.session_id = Some(sitting.session_id);
    l.sitting_id = Some(sitting.id);
    repo::sign_in::insert_log(&txn, &[l], now).await?;
    txn.commit().await?;
    Ok(PendingMove {
        move_id: m.id,
        claim,
        status: "waiting_for_supervisor".into(),
        message: WAITING.into(),
    })
}

/// What polling a move gives.
pub enum Polled {
    Waiting(PendingMove),
    SignedIn(CandidateLoginResponse),
}

/// The waiting page asks how its move stands: still waiting, or approved (then it gets its
/// token). A wrong claim finds nothing.
pub async fn poll(state: &AppState, move_id: i32, req: ClaimRequest) -> AppResult<Polled> {
    let not_found = || AppError::NotFound(format!("no move {move_id} for this claim"));
    let m = repo::sign_in::find_move(&state.db, move_id)
        .await?
        .ok_or_else(not_found)?;
    if !secrets::constant_time_eq(m.claim_hash.as_bytes(), claim_hash(&req.claim).as_bytes()) {
        return Err(not_found());
    }
    match m.status {
        MoveStatus::Pending => Ok(Polled::Waiting(PendingMove {
            move_id,
            claim: req.claim,
            status: "waiting_for_supervisor".into(),
            message: WAITING.into(),
        })),
        MoveStatus::Superseded => Err(AppError::Conflict(
            "a newer sign-in to this sitting replaced this request".into(),
        )),
        MoveStatus::Approved => {
            let sitting = repo::sitting::find(&state.db, m.sitting_id)
                .await?
                .ok_or_else(not_found)?;
            let login = m.login.unwrap_or_default();
            if sitting.active_login.as_deref() != Some(login.as_str()) {
                return Err(AppError::Conflict(
                    "the sitting has moved again since this approval".into(),
                ));
            }
            let session = session_of(state, &sitting).await?;
            let resp =
                crate::services::sitting::login::signed_in(state, &sitting, &session, login)?;
            Ok(Polled::SignedIn(resp))
        }
    }
}

async fn session_of(state: &AppState, sitting: &sittings::Model) -> AppResult<sessions::Model> {
    repo::exam::find_session(&state.db, sitting.session_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("sitting {} has no session", sitting.id)))
}

/// The moves of a session waiting for the supervisor, each with both computers.
pub async fn pending(state: &AppState, session_id: i32) -> AppResult<MoveList> {
    repo::exam::find_session(&state.db, session_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no session {session_id}")))?;
    let mut items = Vec::new();
    for m in repo::sign_in::pending_moves(&state.db, session_id).await? {
        let Some(sitting) = repo::sitting::find(&state.db, m.sitting_id).await? else {
            continue;
        };
        let current = repo::sign_in::last_device(&state.db, m.sitting_id).await?;
        items.push(view(m, &sitting, current));
    }
    Ok(MoveList { items })
}

fn view(
    m: device_moves::Model,
    sitting: &sittings::Model,
    current: Option<security_log::Model>,
) -> MoveView {
    MoveView {
        id: m.id,
        sitting_id: m.sitting_id,
        ticket_no: sitting.ticket_no.clone(),
        status: m.status,
        current: current.map(|c| Device {
            address: c.address,
            user_agent: c.user_agent,
            at: c.at,
        }),
        requested: Device {
            address: m.address,
            user_agent: m.user_agent,
            at: m.requested_at,
        },
    }
}

/// The supervisor approves a move with a reason: the new computer's login becomes the live
/// one (the first page is locked from its next request on), audited with both computers.
pub async fn approve(
    state: &AppState,
    actor: &str,
    move_id: i32,
    req: ReasonRequest,
) -> AppResult<MoveView> {
    crate::services::sitting::require_reason(&req.reason)?;
    let now = state.now();
    let w = Audited::begin_at(state, now).await?;
    let txn = w.txn();
    let m = repo::sign_in::find_move(txn, move_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no move {move_id}")))?;
    if m.status != MoveStatus::Pending {
        return Err(AppError::Conflict(format!(
            "move {move_id} is {}, not waiting",
            m.status.as_str()
        )));
    }
    let sitting = repo::sitting::find(txn, m.sitting_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no sitting {}", m.sitting_id)))?;
    let current = repo::sign_in::last_device(txn, sitting.id).await?;
    let login = secrets::login_token();
    let sitting = repo::sitting::record_login(txn, sitting, &login, now).await?;
    let m = repo::sign_in::approve_move(txn, m, actor, req.reason.trim(), &login, now).await?;
    let out = view(m, &sitting, current);
    let device = |d: &Option<Device>| {
        d.as_ref().map(
            |d| serde_json::json!({"address": d.address, "user_agent": d.user_agent, "at": d.at}),
        )
    };
    w.record(actor, Action::SittingDeviceMove, sitting.id, serde_json::json!({
                "move": move_id, "reason": req.reason.trim(),
                "from": device(&out.current),
                "to": {"address": out.requested.address, "user_agent": out.requested.user_agent, "at": out.requested.at},
            }));
    let l = crate::repo::sign_in::LogLine {
        kind: "candidate.device_move",
        subject: format!("candidate:{}", sitting.ticket_no),
        session_id: Some(sitting.session_id),
        sitting_id: Some(sitting.id),
        address: out.requested.address.clone(),
        user_agent: out.requested.user_agent.clone(),
        detail: format!("move {move_id} approved by {actor}: {}", req.reason.trim()),
    };
    repo::sign_in::insert_log(txn, &[l], now).await?;
    w.commit().await?;
    Ok(out)
}
