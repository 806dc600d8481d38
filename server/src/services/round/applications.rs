//! Applications one by one: creating one under the one-application rule (VN-16), reading and
//! listing them, HR's eligibility decision, and priority claims found unproven when the
//! dossier is completed (VN-9).

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

use crate::audit::{Action, Audited};
use crate::entities::{applications, rounds};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::round::ApplicationFilter;
use crate::rules::two_places;
use crate::rules::{priority_award, PriorityGroup};
use crate::services::fields::{check_text, MAX_REASON_CHARS};
use crate::services::lookup;
use crate::services::paging::Page;
use crate::state::AppState;
use crate::vietnam_time::vietnam_today;
use question_bank::FieldError;

use super::check::{check_application, parse_gender, NewApplication, RoundRules, Site};
use super::fraud_bar::FraudBar;

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApplicationView {
    pub id: i32,
    pub round_id: i32,
    pub position_code: String,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    /// `male` or `female`.
    pub gender: String,
    pub national_id: String,
    /// The candidate's old 9-digit ID card, the same person (VN-16); `null` when none.
    pub linked_national_id: Option<String>,
    pub agency_preferences: Vec<String>,
    pub priority_groups: Vec<String>,
    /// Claims found unproven when the dossier was completed: they grant nothing (VN-9).
    pub unproven_groups: Vec<String>,
    pub exemptions: Vec<String>,
    /// The points granted: the highest proven group only, 2 places (`"5.00"`).
    pub priority_points: String,
    /// The group granting `priority_points`, if any.
    pub priority_group: Option<String>,
    /// `null` until the application is checked.
    pub eligible: Option<bool>,
    pub eligibility_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationList {
    pub items: Vec<ApplicationView>,
    pub total: u64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnprovenClaim {
    /// The priority group whose certificate is missing.
    pub group: String,
    pub reason: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityDecision {
    pub eligible: bool,
    /// Required when `eligible` is false.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Filters of the application list.
#[derive(Debug, Default)]
pub struct ApplicationQuery {
    pub position_code: Option<String>,
    /// `true`, `false` or `pending` (not yet checked).
    pub eligible: Option<String>,
    pub q: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

fn application_view(
    m: applications::Model,
    position_code: String,
    round: &rounds::Model,
) -> AppResult<ApplicationView> {
    let rule_set = lookup::rule_set(round)?;
    let priority_groups = repo::round::parse_list(&m.priority_groups)?;
    let unproven_groups = repo::round::parse_list(&m.unproven_groups)?;
    let priority_group = priority_award(
        rule_set,
        &priority_groups,
        &unproven_groups,
        lookup::priority_as_of(round, m.created_at),
    )
    .ok()
    .and_then(|a| a.group)
    .map(|g| g.code().to_string());
    Ok(ApplicationView {
        id: m.id,
        round_id: m.round_id,
        position_code,
        gender: parse_gender(&m.gender)
            .map(str::to_string)
            .unwrap_or(m.gender),
        full_name: m.full_name,
        date_of_birth: m.date_of_birth,
        national_id: m.national_id,
        linked_national_id: m.linked_national_id,
        agency_preferences: repo::round::parse_list(&m.agency_preferences)?,
        priority_groups,
        unproven_groups,
        exemptions: repo::round::parse_list(&m.exemptions)?,
        priority_points: m.priority_points,
        priority_group,
        eligible: m.eligible,
        eligibility_reason: m.eligibility_reason,
        created_at: m.created_at,
    })
}

/// The application `application_id` (or 404) with its round and its position's code.
async fn load_application<C: ConnectionTrait>(
    conn: &C,
    application_id: i32,
) -> AppResult<(applications::Model, rounds::Model, String)> {
    let application = repo::round::find_application(conn, application_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no application {application_id}")))?;
    let round = lookup::round(conn, application.round_id).await?;
    let position_code = repo::round::positions_of_round(conn, round.id)
        .await?
        .into_iter()
        .find(|(p, _)| p.id == application.position_id)
        .map(|(p, _)| p.code)
        .ok_or_else(|| {
            AppError::internal(format!(
                "application {application_id} has no position {}",
                application.position_id
            ))
        })?;
    Ok((application, round, position_code))
}

#[tracing::instrument(skip_all, fields(actor = actor, round_id = round_id))]
pub async fn create_application(
    state: &AppState,
    actor: &str,
    round_id: i32,
    new: NewApplication,
) -> AppResult<ApplicationView> {
    let now = state.now();
    let today = vietnam_today(now);
    let w = Audited::begin_at(state, now).await?;
    let txn = w.txn();
    let round = lookup::round(txn, round_id).await?;
    let rules = RoundRules::load(txn, &round).await?;
    let checked = check_application(&new, &rules, today, &Site::Body)
        .map_err(|errors| AppError::invalid("the application is not valid", errors))?;
    let bar = FraudBar::load(txn, &round).await?;
    if let Some(refusal) = bar.refusal(&checked.national_id, checked.linked_national_id.as_deref())
    {
        return Err(AppError::invalid(
            refusal.clone(),
            vec![FieldError::new("national_id", refusal)],
        ));
    }
    if round.one_application_per_candidate {
        if let Some(earlier) =
            repo::round::application_of_candidate(txn, round_id, &checked.national_id).await?
        {
            return Err(AppError::Conflict(format!(
                "the candidate with national id {} already applied in this round (application \
                 {}); one application per candidate (VN-16)",
                checked.national_id, earlier.id
            )));
        }
    }
    let stored = repo::round::insert_application_record(txn, checked.record(round_id), now).await?;
    w.record(
        actor,
        Action::ApplicationCreate,
        stored.id,
        serde_json::json!({
            "round_id": round_id,
            "position_code": checked.position_code,
            "priority_groups": checked.priority_groups,
            "priority_points": checked.priority_points,
        }),
    );
    w.commit().await?;
    application_view(stored, checked.position_code, &round)
}

#[tracing::instrument(skip_all, fields(application_id = application_id))]
pub async fn get_application(state: &AppState, application_id: i32) -> AppResult<ApplicationView> {
    let (application, round, position_code) = load_application(&state.db, application_id).await?;
    application_view(application, position_code, &round)
}

#[tracing::instrument(skip_all, fields(round_id = round_id))]
pub async fn list_applications(
    state: &AppState,
    round_id: i32,
    query: ApplicationQuery,
) -> AppResult<ApplicationList> {
    let round = lookup::round(&state.db, round_id).await?;
    let codes: HashMap<i32, String> = repo::round::positions_of_round(&state.db, round_id)
        .await?
        .into_iter()
        .map(|(p, _)| (p.id, p.code))
        .collect();
    let filter = application_filter(&query, &codes)?;
    let (rows, total) = repo::round::list_applications(&state.db, round_id, &filter).await?;
    let items = rows
        .into_iter()
        .map(|m| {
            let code = codes.get(&m.position_id).cloned().unwrap_or_default();
            application_view(m, code, &round)
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(ApplicationList { items, total })
}

/// The list's filters as the repository takes them; `codes` are the round's position codes by
/// id.
fn application_filter(
    query: &ApplicationQuery,
    codes: &HashMap<i32, String>,
) -> AppResult<ApplicationFilter> {
    let page = Page::new(query.limit, query.offset);
    let position_id = match query.position_code.as_deref().map(str::trim) {
        None => None,
        Some(code) => match codes.iter().find(|(_, c)| c.as_str() == code) {
            Some((id, _)) => Some(*id),
            None => {
                return Err(AppError::field(
                    "position_code",
                    format!("no position '{code}' in this round"),
                ))
            }
        },
    };
    let eligible = match query.eligible.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("true") => Some(Some(true)),
        Some("false") => Some(Some(false)),
        Some("pending") => Some(None),
        Some(other) => {
            return Err(AppError::field(
                "eligible",
                format!("'{other}': expected true, false or pending"),
            ))
        }
    };
    let q = query
        .q
        .as_deref()
        .map(|q| question_bank::text::fold(q).replace(['%', '_', '\\'], ""))
        .filter(|q| !q.trim().is_empty());
    Ok(ApplicationFilter {
        limit: page.limit,
        offset: page.offset,
        position_id,
        eligible,
        q,
    })
}

/// VN-9: a claim not proven by a certificate is void; the points are recomputed from the
/// remaining claims.
#[tracing::instrument(skip_all, fields(actor = actor, application_id = application_id))]
pub async fn mark_claim_unproven(
    state: &AppState,
    actor: &str,
    application_id: i32,
    claim: UnprovenClaim,
) -> AppResult<ApplicationView> {
    let (group, reason) = check_claim(&claim)?;
    let w = Audited::begin(state).await?;
    let txn = w.txn();
    let (application, round, position_code) = load_application(txn, application_id).await?;
    let rule_set = lookup::rule_set(&round)?;
    let groups = repo::round::parse_list(&application.priority_groups)?;
    let mut unproven = repo::round::parse_list(&application.unproven_groups)?;
    let names = |code: &String| PriorityGroup::from_str(code).ok() == Some(group);
    if !groups.iter().any(names) {
        return Err(AppError::field(
            "group",
            format!("application {application_id} does not claim '{group}'"),
        ));
    }
    if unproven.iter().any(names) {
        return Err(AppError::Conflict(format!(
            "the claim '{group}' of application {application_id} is already marked unproven"
        )));
    }
    unproven.push(group.code().to_string());
    let points = priority_award(
        rule_set,
        &groups,
        &unproven,
        lookup::priority_as_of(&round, application.created_at),
    )
    .map_err(|e| AppError::internal_from(format!("application {application_id}"), e))?
    .points;
    let before = application.priority_points.clone();
    let after = two_places(points);
    let updated = repo::round::update_priority(txn, application, &unproven, &after).await?;
    w.record(
        actor,
        Action::ApplicationPriorityUnproven,
        application_id,
        serde_json::json!({
            "group": group.code(),
            "reason": reason,
            "priority_points": {"before": before, "after": after},
        }),
    );
    w.commit().await?;
    application_view(updated, position_code, &round)
}

/// The group of an unproven claim and the reason, both required.
fn check_claim(claim: &UnprovenClaim) -> AppResult<(PriorityGroup, String)> {
    let mut errors = Vec::new();
    let group = match PriorityGroup::from_str(claim.group.trim()) {
        Ok(g) => Some(g),
        Err(e) => {
            errors.push(FieldError::new("group", e.to_string()));
            None
        }
    };
    let reason = check_text(&mut errors, "reason", &claim.reason, MAX_REASON_CHARS);
    match group.filter(|_| errors.is_empty()) {
        Some(group) => Ok((group, reason)),
        None => Err(AppError::invalid("the claim is not valid", errors)),
    }
}

#[tracing::instrument(skip_all, fields(actor = actor, application_id = application_id))]
pub async fn decide_eligibility(
    state: &AppState,
    actor: &str,
    application_id: i32,
    decision: EligibilityDecision,
) -> AppResult<ApplicationView> {
    let reason = check_decision(&decision)?;
    let w = Audited::begin(state).await?;
    let txn = w.txn();
    let (application, round, position_code) = load_application(txn, application_id).await?;
    let before = application.eligible;
    let updated =
        repo::round::set_eligibility(txn, application, decision.eligible, reason.clone()).await?;
    w.record(
        actor,
        Action::ApplicationEligibility,
        application_id,
        serde_json::json!({
            "eligible": {"before": before, "after": decision.eligible},
            "reason": reason,
        }),
    );
    w.commit().await?;
    application_view(updated, position_code, &round)
}

/// The reason of a decision, required when the application is refused.
fn check_decision(decision: &EligibilityDecision) -> AppResult<Option<String>> {
    let reason = decision
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    if !decision.eligible && reason.is_none() {
        return Err(AppError::field(
            "reason",
            "required when the application is not eligible",
        ));
    }
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
    {
        return Err(AppError::field(
            "reason",
            format!("at most {MAX_REASON_CHARS} characters"),
        ));
    }
    Ok(reason)
}
