//! The candidate's page: the paper without its key (built from types that cannot hold one),
//! the answers saved so far and, once graded, the result.

use question_bank::paper::{candidate_view, CandidateSection};
use sea_orm::ConnectionTrait;

use super::dto::{SavedAnswer, SittingView, SubmitResult};
use super::finish::close;
use super::papers::paper_of;
use super::session_of;
use crate::auth::extract::CandidateLogin;
use crate::entities::sittings;
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::rules::sitting::{phase, Phase, SittingStatus};
use crate::state::AppState;

#[tracing::instrument(level = "debug", skip_all, fields(sitting_id = who.sitting_id))]
pub async fn view(state: &AppState, who: &CandidateLogin) -> AppResult<SittingView> {
    let now = state.now();
    let mut sitting = current(&state.db, who).await?;
    let session = session_of(&state.db, &sitting).await?;
    let status_of = |s: &sittings::Model| phase(s.status, session.starts_at, s.ends_at, now);
    if status_of(&sitting) == Phase::Closed && sitting.status == SittingStatus::Waiting {
        // Its time is up and the closer has not come by yet: close it now.
        sitting = close(state, sitting).await?;
    }
    let status = status_of(&sitting);
    let sections = match status {
        Phase::Waiting => Vec::new(),
        _ => sections_of(state, &sitting).await?,
    };
    let answers = repo::sitting::answers_of(&state.db, sitting.id)
        .await?
        .iter()
        .map(|a| (a.item_no.to_string(), SavedAnswer::from(a)))
        .collect();
    let result = match &sitting.result {
        Some(_) => Some(SubmitResult::stored_in(&sitting)?),
        None => None,
    };
    Ok(SittingView {
        sitting_id: sitting.id,
        ticket_no: sitting.ticket_no,
        status,
        starts_at: session.starts_at,
        ends_at: sitting.ends_at,
        server_now: now,
        sections,
        answers,
        result,
    })
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

/// The paper as the candidate sees it; its shape is kept for checking the saves to come.
async fn sections_of(
    state: &AppState,
    sitting: &sittings::Model,
) -> AppResult<Vec<CandidateSection>> {
    let paper = paper_of(&state.db, sitting).await?;
    state.writes.shapes.remember(sitting.id, &paper);
    let items = state
        .items
        .get_many(&state.db, paper.items().map(|i| i.version_id).collect())
        .await?;
    Ok(candidate_view(&paper, |p| {
        items.get(&p.version_id).map(AsRef::as_ref)
    })?)
}
