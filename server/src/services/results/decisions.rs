//! What people decide about a ranking: the head's choice among candidates tied at the last slot
//! (VN-11, VN-13), and HR striking a winner off the list (VN-14). Each is checked against the
//! ranking as it stands, recorded with its reason, audited, and the position re-ranked.

use std::collections::{BTreeSet, HashSet};
use std::str::FromStr;

use serde::Deserialize;

use super::ranking::{ranking_view, RankingView, RoundData};
use super::{application_id_i32, application_of_round, check_reason, load_round_for_write};
use crate::audit::{Action, Audited};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::rules::{Outcome, Ranking, RankingStatus, StrikeCause};
use crate::state::AppState;
use question_bank::FieldError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeadDecisionRequest {
    /// The tied candidates the head chose for the places in question (VN-11).
    pub application_ids: Vec<i64>,
    pub reason: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StrikeOffRequest {
    /// A current winner of the position.
    pub application_id: i64,
    /// `declined`, `no_dossier` (dossier not completed in time), `fraud` (a falsified Form 01)
    /// or `invalid_documents` (invalid diplomas, certificates or attestations) (VN-14); the
    /// last two bar the candidate from the authority's next round (VN-16).
    pub cause: String,
    pub reason: String,
    /// Whether the agency fills the freed place with the next-ranked candidate (VN-14
    /// amended); default `true`. Only `vn-2025` lets it leave the place empty.
    #[serde(default)]
    pub replace: Option<bool>,
}

/// The request's reason, checked with the list of chosen candidates: some, none twice.
fn check_head_decision(req: &HeadDecisionRequest) -> AppResult<String> {
    let mut errors = Vec::new();
    let reason = check_reason(&mut errors, &req.reason);
    if req.application_ids.is_empty() {
        errors.push(FieldError::new(
            "application_ids",
            "name the tied candidates the head chose",
        ));
    }
    let mut seen = HashSet::new();
    for (i, id) in req.application_ids.iter().enumerate() {
        if !seen.insert(*id) {
            errors.push(FieldError::new(
                format!("application_ids[{i}]"),
                format!("application {id} is listed twice"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::invalid("the head decision is not valid", errors));
    }
    Ok(reason)
}

/// The chosen application ids, each of them among the candidates awaiting the head.
fn chosen_among(tied: &HashSet<i64>, application_ids: &[i64]) -> AppResult<Vec<i32>> {
    let mut errors = Vec::new();
    let mut chosen = Vec::new();
    for (i, id) in application_ids.iter().enumerate() {
        match i32::try_from(*id) {
            Ok(v) if tied.contains(id) => chosen.push(v),
            _ => errors.push(FieldError::new(
                format!("application_ids[{i}]"),
                format!(
                    "application {id} is not among the candidates awaiting the head's decision"
                ),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::invalid("the head decision is not valid", errors));
    }
    Ok(chosen)
}

/// VN-11: the chair records the head's choice among the tied candidates; it must settle the
/// places in question exactly. Returns the new ranking.
#[tracing::instrument(skip_all, fields(actor = actor, round_id = round_id))]
pub async fn record_head_decision(
    state: &AppState,
    actor: &str,
    round_id: i32,
    code: &str,
    req: HeadDecisionRequest,
) -> AppResult<RankingView> {
    let reason = check_head_decision(&req)?;
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let round = load_round_for_write(&w, round_id).await?;
    let mut data = RoundData::load(txn, round, crate::vietnam_time::vietnam_today(now)).await?;
    let (position, agencies) = data.position(code)?.clone();
    let (before, _) = data.rank_position(&position, &agencies)?;
    if before.status != RankingStatus::PendingHeadDecision {
        return Err(AppError::Conflict(format!(
            "the ranking of position {code} is final: no tie awaits the head (VN-11)"
        )));
    }
    let tied: HashSet<i64> = before.tied_pending().map(|e| e.application_id).collect();
    let chosen = chosen_among(&tied, &req.application_ids)?;
    data.decisions
        .entry(position.id)
        .or_default()
        .extend(chosen.iter().copied());
    let (after, unsettled) = data.rank_position(&position, &agencies)?;
    if chosen.iter().any(|id| {
        after
            .entry(i64::from(*id))
            .is_some_and(|e| e.outcome == Outcome::TiedPending)
    }) {
        return Err(AppError::field(
            "application_ids",
            "the head must choose exactly as many of the tied candidates as there are places in question",
        ));
    }
    let decision = repo::results::insert_head_decision(
        txn,
        round_id,
        position.id,
        &chosen,
        &reason,
        actor,
        now,
    )
    .await?;
    w.record(
        actor,
        Action::RankingHeadDecision,
        decision.id,
        serde_json::json!({
            "round_id": round_id,
            "position": position.code,
            "tied": tied.iter().copied().collect::<BTreeSet<_>>(),
            "chosen": chosen,
            "reason": reason,
        }),
    );
    w.commit().await?;
    Ok(ranking_view(&position.code, &after, unsettled))
}

/// The strike-off as requested: the application, a known cause and a reason.
fn check_strike_off(req: &StrikeOffRequest) -> AppResult<(i32, StrikeCause, String)> {
    let mut errors = Vec::new();
    let application_id = application_id_i32(&mut errors, req.application_id);
    let reason = check_reason(&mut errors, &req.reason);
    let cause = match StrikeCause::from_str(req.cause.trim()) {
        Ok(c) => Some(c),
        Err(e) => {
            errors.push(FieldError::new("cause", e.to_string()));
            None
        }
    };
    match (cause, errors.is_empty()) {
        (Some(cause), true) => Ok((application_id, cause, reason)),
        _ => Err(AppError::invalid("the strike-off is not valid", errors)),
    }
}

/// VN-14: HR strikes a winner off (declined, no dossier in time, fraud); the ranking then
/// offers the place to the reserve list in order. Returns the new ranking.
#[tracing::instrument(skip_all, fields(actor = actor, round_id = round_id))]
pub async fn record_strike_off(
    state: &AppState,
    actor: &str,
    round_id: i32,
    code: &str,
    req: StrikeOffRequest,
) -> AppResult<RankingView> {
    let (application_id, cause, reason) = check_strike_off(&req)?;
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let round = load_round_for_write(&w, round_id).await?;
    let mut data = RoundData::load(txn, round, crate::vietnam_time::vietnam_today(now)).await?;
    let (position, agencies) = data.position(code)?.clone();
    let application = application_of_round(txn, round_id, application_id).await?;
    if application.position_id != position.id {
        return Err(AppError::field(
            "application_id",
            format!("application {application_id} is not a candidate of position {code}"),
        ));
    }
    if data.struck.contains_key(&application_id) {
        return Err(AppError::Conflict(format!(
            "application {application_id} is already struck off (VN-14)"
        )));
    }
    let replace = req.replace.unwrap_or(true);
    if !replace && !data.rule_set.replacement_optional() {
        return Err(AppError::field(
            "replace",
            format!(
                "under {} a struck-off winner's place must be offered to the next-ranked \
                 candidate (VN-14)",
                data.rule_set
            ),
        ));
    }
    let (before, _) = data.rank_position(&position, &agencies)?;
    check_is_winner(&before, application_id, code)?;
    data.struck.insert(application_id, cause);
    if !replace {
        data.left_empty.insert(application_id);
    }
    let (after, unsettled) = data.rank_position(&position, &agencies)?;
    let saved = repo::results::insert_strike_off(
        txn,
        repo::results::StrikeOffRecord {
            round_id,
            position_id: position.id,
            application_id,
            cause: cause.code(),
            reason: &reason,
            recorded_by: actor,
            replaced: replace,
        },
        now,
    )
    .await?;
    let winners = |r: &Ranking| r.winners().map(|e| e.application_id).collect::<Vec<_>>();
    w.record(
        actor,
        Action::RankingStrikeOff,
        saved.id,
        serde_json::json!({
            "round_id": round_id,
            "position": position.code,
            "application_id": application_id,
            "cause": cause.code(),
            "reason": reason,
            "replaced": replace,
            "winners_before": winners(&before),
            "winners_after": winners(&after),
            "status_after": after.status.code(),
        }),
    );
    w.commit().await?;
    Ok(ranking_view(&position.code, &after, unsettled))
}

/// Only a winner of the ranking as it stands is struck off the list (VN-14).
fn check_is_winner(ranking: &Ranking, application_id: i32, code: &str) -> AppResult<()> {
    let outcome = ranking
        .entry(i64::from(application_id))
        .map(|e| e.outcome)
        .unwrap_or(Outcome::Ineligible);
    if outcome == Outcome::Winner {
        return Ok(());
    }
    Err(AppError::field(
        "application_id",
        format!(
            "application {application_id} is '{}' in position {code}: only a winner is struck off the list (VN-14)",
            outcome.code()
        ),
    ))
}
