//! The minutes of a session: incidents recorded by the supervisors (a machine failure, a late
//! arrival, misconduct), each audited.

use super::dto::{IncidentView, NewIncident};
use super::require_reason;
use crate::audit::{Action, Audited};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::rules::sitting::IncidentKind;
use crate::state::AppState;

/// Records an incident in the session's minutes (audited).
#[tracing::instrument(skip_all, fields(actor = actor, session_id = session_id))]
pub async fn record_incident(
    state: &AppState,
    actor: &str,
    session_id: i32,
    new: NewIncident,
) -> AppResult<IncidentView> {
    let kind = IncidentKind::parse(&new.kind).ok_or_else(|| {
        let kinds: Vec<&str> = IncidentKind::ALL.iter().map(|k| k.as_str()).collect();
        AppError::field("kind", format!("expected one of {}", kinds.join(", ")))
    })?;
    require_reason(&new.note).map_err(|_| AppError::field("note", "describe what happened"))?;
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    repo::exam::find_session(txn, session_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no session {session_id}")))?;
    if let Some(id) = new.sitting_id {
        let s = repo::sitting::find(txn, id).await?;
        if s.is_none_or(|s| s.session_id != session_id) {
            return Err(AppError::field(
                "sitting_id",
                format!("no sitting {id} in this session"),
            ));
        }
    }
    let incident = repo::sitting::insert_incident(
        txn,
        repo::sitting::NewIncident {
            session_id,
            sitting_id: new.sitting_id,
            kind,
            note: new.note.trim(),
            recorded_by: actor,
        },
        now,
    )
    .await?;
    w.record(actor, Action::SessionIncident, session_id, serde_json::json!({"incident": incident.id, "sitting_id": new.sitting_id, "kind": kind, "note": incident.note}));
    w.commit().await?;
    Ok(incident.into())
}

/// The session's minutes, oldest first.
#[tracing::instrument(skip_all, fields(session_id = session_id))]
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
