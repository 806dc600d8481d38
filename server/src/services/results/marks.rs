//! Round-2 marks (VN-26, VN-28): markers enter them, the rules put them together, and the chair
//! records the head's mark where the rules send a case to the head.

use std::collections::HashSet;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{
    application_id_i32, application_of_round, check_reason, load_round, stored_decimal,
    DEFAULT_LIMIT, MAX_LIMIT,
};
use crate::audit::{Action, Audited};
use crate::entities::marks;
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::rules::{
    official_mark, two_places, validate_mark, Lang, MarkComponent, MarkOutcome, RankingError,
};
use crate::state::AppState;
use question_bank::FieldError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkEntry {
    pub application_id: i64,
    /// `written` (double-marked paper script, VN-26), `interview`, `oral`, `practical` or
    /// `project` (panels, VN-28).
    pub component: String,
    /// Decimal strings, 0 to 100, at most 2 decimals: 2 or 3 (the third marker) for `written`,
    /// at least 2 panel members otherwise. A re-entry replaces the stored marks.
    pub marks: Vec<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeadSettlement {
    pub application_id: i64,
    pub component: String,
    /// The mark the head settled on, 2 decimals at most.
    pub official: String,
    pub reason: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MarkView {
    pub application_id: i64,
    pub component: String,
    pub marks: Vec<String>,
    /// The official mark: the rules' result, or the head's settled mark; `null` while unsettled.
    pub official: Option<String>,
    /// What the rules gave: `final`, `needs_head` or `needs_third_marker`.
    pub status: String,
    /// Whether `official` is the head's settled mark.
    pub head_settled: bool,
    pub head_reason: Option<String>,
    /// Why the marks wait for someone, in Vietnamese and English; `null` when final.
    pub reason: Option<String>,
    pub reason_en: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkList {
    pub items: Vec<MarkView>,
    pub total: u64,
}

fn parse_component(errors: &mut Vec<FieldError>, value: &str) -> Option<MarkComponent> {
    match MarkComponent::from_str(value.trim()) {
        Ok(c) => Some(c),
        Err(e) => {
            errors.push(FieldError::new("component", e.to_string()));
            None
        }
    }
}

/// Marks as typed, each checked by [`parse_mark`] at `marks[i]`: the ones that are valid, so
/// the caller looks at `errors` before using them.
pub(crate) fn parse_marks(errors: &mut Vec<FieldError>, values: &[String]) -> Vec<Decimal> {
    values
        .iter()
        .enumerate()
        .filter_map(|(i, m)| parse_mark(errors, format!("marks[{i}]"), m))
        .collect()
}

/// A mark as typed: a decimal string within 0..=100 with at most 2 decimals.
pub(crate) fn parse_mark(
    errors: &mut Vec<FieldError>,
    location: String,
    value: &str,
) -> Option<Decimal> {
    let Ok(d) = Decimal::from_str(value.trim()) else {
        errors.push(FieldError::new(
            location,
            format!("'{value}' is not a decimal number such as \"62.50\""),
        ));
        return None;
    };
    match validate_mark(d) {
        Ok(d) => Some(d),
        Err(RankingError::MarkOutOfRange(_)) => {
            errors.push(FieldError::new(
                location,
                format!("{value} is outside 0 to 100"),
            ));
            None
        }
        Err(_) => {
            errors.push(FieldError::new(
                location,
                format!("{value} has more than 2 decimal places"),
            ));
            None
        }
    }
}

fn stored_marks(m: &marks::Model) -> AppResult<Vec<String>> {
    serde_json::from_str(&m.marks)
        .map_err(|e| AppError::internal_from(format!("stored marks {}", m.id), e))
}

/// The official mark that counts: the rules' result, else the head's settlement.
pub(super) fn effective_official(m: &marks::Model) -> AppResult<Option<Decimal>> {
    match (&m.official, &m.head_official) {
        (Some(o), _) => stored_decimal("official mark", o).map(Some),
        (None, Some(h)) => stored_decimal("head's mark", h).map(Some),
        (None, None) => Ok(None),
    }
}

fn mark_view(m: &marks::Model) -> AppResult<MarkView> {
    let marks = stored_marks(m)?;
    let component = MarkComponent::from_str(&m.component)
        .map_err(|e| AppError::internal_from(format!("stored mark {}", m.id), e))?;
    let decimals = marks
        .iter()
        .map(|s| stored_decimal("mark", s))
        .collect::<AppResult<Vec<_>>>()?;
    let outcome = official_mark(component, &decimals).ok();
    let reason = |lang| outcome.as_ref().and_then(|o| o.reason(lang));
    Ok(MarkView {
        application_id: i64::from(m.application_id),
        component: m.component.clone(),
        marks,
        official: effective_official(m)?.map(two_places),
        status: m.status.clone(),
        head_settled: m.official.is_none() && m.head_official.is_some(),
        head_reason: m.head_reason.clone(),
        reason: reason(Lang::Vi),
        reason_en: reason(Lang::En),
    })
}

/// The marks of one component as entered, checked, with what the rules make of them.
struct CheckedMarks {
    application_id: i32,
    component: MarkComponent,
    outcome: MarkOutcome,
    /// The marks with 2 places, as stored.
    texts: Vec<String>,
}

fn check_entry(entry: &MarkEntry) -> AppResult<CheckedMarks> {
    let mut errors = Vec::new();
    let application_id = application_id_i32(&mut errors, entry.application_id);
    let component = parse_component(&mut errors, &entry.component);
    let decimals = parse_marks(&mut errors, &entry.marks);
    if !errors.is_empty() {
        return Err(AppError::invalid("the marks are not valid", errors));
    }
    let Some(component) = component else {
        return Err(AppError::internal("component checked above"));
    };
    let outcome =
        official_mark(component, &decimals).map_err(|e| AppError::field("marks", e.to_string()))?;
    Ok(CheckedMarks {
        application_id,
        component,
        outcome,
        texts: decimals.iter().map(|d| two_places(*d)).collect(),
    })
}

#[tracing::instrument(skip_all, fields(actor = actor, round_id = round_id))]
pub async fn enter_marks(
    state: &AppState,
    actor: &str,
    round_id: i32,
    entry: MarkEntry,
) -> AppResult<MarkView> {
    let CheckedMarks {
        application_id,
        component,
        outcome,
        texts,
    } = check_entry(&entry)?;
    let stored =
        serde_json::to_string(&texts).map_err(|e| AppError::internal_from("json marks", e))?;
    let official = outcome.official().map(two_places);

    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    load_round(txn, round_id).await?;
    application_of_round(txn, round_id, application_id).await?;
    let existing = repo::results::find_mark(txn, application_id, component.code()).await?;
    let previous = existing.as_ref().map(|m| {
        serde_json::json!({
            "marks": serde_json::from_str::<serde_json::Value>(&m.marks).unwrap_or_default(),
            "official": m.official,
            "status": m.status,
            "head_official": m.head_official,
        })
    });
    let action = if existing.is_some() {
        Action::MarksReplace
    } else {
        Action::MarksEnter
    };
    let saved = repo::results::upsert_mark(
        txn,
        existing,
        repo::results::MarkRecord {
            round_id,
            application_id,
            component: component.code(),
            marks: stored,
            status: outcome.status_code(),
            official: official.clone(),
            entered_by: actor,
        },
        now,
    )
    .await?;
    w.record(
        actor,
        action,
        saved.id,
        serde_json::json!({
            "round_id": round_id,
            "application_id": application_id,
            "component": component.code(),
            "marks": texts,
            "official": official,
            "status": outcome.status_code(),
            "previous": previous,
        }),
    );
    w.commit().await?;
    mark_view(&saved)
}

#[tracing::instrument(skip_all, fields(actor = actor, round_id = round_id))]
pub async fn settle_mark(
    state: &AppState,
    actor: &str,
    round_id: i32,
    req: HeadSettlement,
) -> AppResult<MarkView> {
    let mut errors = Vec::new();
    let application_id = application_id_i32(&mut errors, req.application_id);
    let component = parse_component(&mut errors, &req.component);
    let official = parse_mark(&mut errors, "official".into(), &req.official);
    let reason = check_reason(&mut errors, &req.reason);
    let (Some(component), Some(official), true) = (component, official, errors.is_empty()) else {
        return Err(AppError::invalid("the settlement is not valid", errors));
    };
    let official = two_places(official);

    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    load_round(txn, round_id).await?;
    application_of_round(txn, round_id, application_id).await?;
    let mark = repo::results::find_mark(txn, application_id, component.code())
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "no {component} marks for application {application_id}"
            ))
        })?;
    if mark.status != "needs_head" {
        return Err(AppError::Conflict(format!(
            "the {component} marks of application {application_id} are '{}': only marks the rules send to the head (needs_head) are settled by the head",
            mark.status
        )));
    }
    let saved = repo::results::settle_mark(txn, mark, &official, &reason, actor, now).await?;
    w.record(
        actor,
        Action::MarksHeadSettle,
        saved.id,
        serde_json::json!({
            "round_id": round_id,
            "application_id": application_id,
            "component": component.code(),
            "official": official,
            "reason": reason,
        }),
    );
    w.commit().await?;
    mark_view(&saved)
}

#[tracing::instrument(skip_all, fields(round_id = round_id))]
pub async fn list_marks(
    state: &AppState,
    round_id: i32,
    position_code: Option<&str>,
    limit: Option<u64>,
    offset: Option<u64>,
) -> AppResult<MarkList> {
    load_round(&state.db, round_id).await?;
    let position_apps: Option<HashSet<i32>> = match position_code {
        Some(code) => {
            let position = repo::round::find_position_by_code(&state.db, round_id, code)
                .await?
                .ok_or_else(|| {
                    AppError::NotFound(format!("no position '{code}' in round {round_id}"))
                })?;
            Some(
                repo::round::applications_of_round(&state.db, round_id)
                    .await?
                    .into_iter()
                    .filter(|a| a.position_id == position.id)
                    .map(|a| a.id)
                    .collect(),
            )
        }
        None => None,
    };
    let all: Vec<marks::Model> = repo::results::marks_of_round(&state.db, round_id)
        .await?
        .into_iter()
        .filter(|m| {
            position_apps
                .as_ref()
                .is_none_or(|s| s.contains(&m.application_id))
        })
        .collect();
    let total = all.len() as u64;
    let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let items = all
        .iter()
        .skip(usize::try_from(offset.unwrap_or(0)).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(mark_view)
        .collect::<AppResult<Vec<_>>>()?;
    Ok(MarkList { items, total })
}
