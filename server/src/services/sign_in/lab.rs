//! The lab lock of a session (allowed client networks, set by staff) and the re-issue of a
//! candidate's PIN by the supervisor (VN-21), both audited.

use serde::{Deserialize, Serialize};

use crate::audit::{Action, Audited};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::rules::sign_in::{networks_of, parse_networks};
use crate::secrets;
use crate::services::sitting::dto::ReasonRequest;
use crate::state::AppState;
use question_bank::FieldError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabLockRequest {
    /// CIDR networks (`10.1.2.0/24`) or single addresses; empty: no lock.
    pub networks: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LabLock {
    pub session_id: i32,
    pub networks: Vec<String>,
}

/// Most networks one session may list.
const MAX_NETWORKS: usize = 64;

/// Sets (or, with an empty list, lifts) the networks sign-ins to the session must come from.
pub async fn set_networks(
    state: &AppState,
    actor: &str,
    session_id: i32,
    req: LabLockRequest,
) -> AppResult<LabLock> {
    if req.networks.len() > MAX_NETWORKS {
        return Err(AppError::field(
            "networks",
            format!("at most {MAX_NETWORKS} networks"),
        ));
    }
    let nets = parse_networks(&req.networks).map_err(|bad| {
        let errors = bad
            .into_iter()
            .map(|(i, reason)| FieldError::new(format!("networks[{i}]"), reason))
            .collect();
        AppError::invalid("the lab lock is not valid", errors)
    })?;
    let stored = nets
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let now = state.now();
    let w = Audited::begin_at(state, now).await?;
    let txn = w.txn();
    let session = repo::exam::find_session(txn, session_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no session {session_id}")))?;
    let session =
        repo::exam::set_allowed_networks(txn, session, (!stored.is_empty()).then_some(stored))
            .await?;
    let networks: Vec<String> = networks_of(session.allowed_networks.as_deref())
        .iter()
        .map(|n| n.to_string())
        .collect();
    w.record(
        actor,
        Action::SessionLabLock,
        session_id,
        serde_json::json!({"networks": networks}),
    );
    w.commit().await?;
    Ok(LabLock {
        session_id,
        networks,
    })
}

/// The lock as set.
pub async fn networks(state: &AppState, session_id: i32) -> AppResult<LabLock> {
    let session = repo::exam::find_session(&state.db, session_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no session {session_id}")))?;
    Ok(LabLock {
        session_id,
        networks: networks_of(session.allowed_networks.as_deref())
            .iter()
            .map(|n| n.to_string())
            .collect(),
    })
}

/// A PIN re-issued by the supervisor: shown here once, never stored but as its digest.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReissuedPin {
    pub sitting_id: i32,
    pub ticket_no: String,
    pub pin: String,
}

/// VN-21: a candidate who lost their admission ticket (or whose PIN was seen by someone else)
/// gets a new PIN from the supervisor, with a reason, audited (the PIN itself is not).
pub async fn reissue_pin(
    state: &AppState,
    actor: &str,
    sitting_id: i32,
    req: ReasonRequest,
) -> AppResult<ReissuedPin> {
    crate::services::sitting::require_reason(&req.reason)?;
    let now = state.now();
    let pin = secrets::new_pin();
    let w = Audited::begin_at(state, now).await?;
    let txn = w.txn();
    let sitting = repo::sitting::find(txn, sitting_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no sitting {sitting_id}")))?;
    let digest = state.pin_digest(&sitting.ticket_no, &pin);
    let sitting = repo::sitting::set_pin_hash(txn, sitting, digest).await?;
    w.record(
        actor,
        Action::SittingPinReissue,
        sitting_id,
        serde_json::json!({"reason": req.reason.trim()}),
    );
    w.commit().await?;
    Ok(ReissuedPin {
        sitting_id,
        ticket_no: sitting.ticket_no,
        pin,
    })
}
