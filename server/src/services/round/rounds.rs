//! The round itself: its code and name, its rule set (VN-0), the one-application rule (VN-16)
//! and the dates the VN-30 deadlines count from. The rules are fixed once the first session
//! has started; a change of rule set recomputes every application's priority points.

use std::collections::HashSet;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Deserializer, Serialize};

use crate::audit::{Action, Audited};
use crate::entities::rounds;
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::round::RoundRecord;
use crate::rules::two_places;
use crate::rules::{priority_award, RuleSet};
use crate::services::fields::{check_code, check_text, MAX_NAME_CHARS};
use crate::services::lookup;
use crate::services::paging::Page;
use crate::state::AppState;
use question_bank::FieldError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRound {
    /// Letters, digits, `-`, `_` and `.`; unique. Used in public result URLs.
    pub code: String,
    pub name: String,
    /// `vn-2025` (default), `vn-2020` or `vn-vc-2020` (VN-0).
    #[serde(default)]
    pub rule_set: Option<String>,
    /// VN-16, default on.
    #[serde(default)]
    pub one_application_per_candidate: Option<bool>,
    /// The day applications open; the VN-30 deadlines count from it.
    #[serde(default)]
    pub applications_open_on: Option<NaiveDate>,
    #[serde(default)]
    pub round1_on: Option<NaiveDate>,
    #[serde(default)]
    pub round2_on: Option<NaiveDate>,
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`) in a PATCH body.
fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Fields to change; absent fields stay. The rules (`rule_set`,
/// `one_application_per_candidate`) are fixed once the first session has started (VN-0).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub rule_set: Option<String>,
    #[serde(default)]
    pub one_application_per_candidate: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub applications_open_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub round1_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub round2_on: Option<Option<NaiveDate>>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoundView {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub rule_set: String,
    pub one_application_per_candidate: bool,
    pub applications_open_on: Option<NaiveDate>,
    pub round1_on: Option<NaiveDate>,
    pub round2_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

impl From<rounds::Model> for RoundView {
    fn from(m: rounds::Model) -> Self {
        RoundView {
            id: m.id,
            code: m.code,
            name: m.name,
            rule_set: m.rule_set,
            one_application_per_candidate: m.one_application_per_candidate,
            applications_open_on: m.applications_open_on,
            round1_on: m.round1_on,
            round2_on: m.round2_on,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoundList {
    pub items: Vec<RoundView>,
    pub total: u64,
}

fn parse_rule_set(errors: &mut Vec<FieldError>, value: Option<&str>) -> RuleSet {
    match value.map(str::trim) {
        None | Some("") => RuleSet::default(),
        Some(code) => RuleSet::from_str(code).unwrap_or_else(|e| {
            errors.push(FieldError::new("rule_set", e.to_string()));
            RuleSet::default()
        }),
    }
}

#[tracing::instrument(skip_all, fields(actor = actor))]
pub async fn create_round(state: &AppState, actor: &str, new: NewRound) -> AppResult<RoundView> {
    let mut errors = Vec::new();
    let code = check_code(&mut errors, "code", &new.code);
    let name = check_text(&mut errors, "name", &new.name, MAX_NAME_CHARS);
    let rule_set = parse_rule_set(&mut errors, new.rule_set.as_deref());
    if !errors.is_empty() {
        return Err(AppError::invalid("the round is not valid", errors));
    }
    let record = RoundRecord {
        code,
        name,
        rule_set: rule_set.code().to_string(),
        one_application_per_candidate: new.one_application_per_candidate.unwrap_or(true),
        applications_open_on: new.applications_open_on,
        round1_on: new.round1_on,
        round2_on: new.round2_on,
    };
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    if repo::round::find_round_by_code(txn, &record.code)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "a round with code '{}' exists",
            record.code
        )));
    }
    let round = repo::round::create_round(txn, &record, now).await?;
    w.record(
        actor,
        Action::RoundCreate,
        round.id,
        serde_json::json!({
            "code": round.code,
            "rule_set": round.rule_set,
            "one_application_per_candidate": round.one_application_per_candidate,
            "applications_open_on": round.applications_open_on,
        }),
    );
    w.commit().await?;
    Ok(round.into())
}

#[tracing::instrument(skip_all)]
pub async fn list_rounds(
    state: &AppState,
    limit: Option<u64>,
    offset: Option<u64>,
) -> AppResult<RoundList> {
    let page = Page::new(limit, offset);
    let (items, total) = repo::round::list_rounds(&state.db, page.limit, page.offset).await?;
    Ok(RoundList {
        items: items.into_iter().map(RoundView::from).collect(),
        total,
    })
}

#[tracing::instrument(skip_all, fields(round_id = round_id))]
pub async fn get_round(state: &AppState, round_id: i32) -> AppResult<RoundView> {
    Ok(lookup::round(&state.db, round_id).await?.into())
}

/// A patch whose fields passed their checks.
struct CheckedPatch {
    name: Option<String>,
    rule_set: Option<RuleSet>,
    patch: RoundPatch,
}

impl CheckedPatch {
    fn check(patch: RoundPatch) -> AppResult<CheckedPatch> {
        let mut errors = Vec::new();
        let name = patch
            .name
            .as_deref()
            .map(|n| check_text(&mut errors, "name", n, MAX_NAME_CHARS));
        let rule_set = patch
            .rule_set
            .as_deref()
            .map(|r| parse_rule_set(&mut errors, Some(r)));
        if !errors.is_empty() {
            return Err(AppError::invalid("the change is not valid", errors));
        }
        Ok(CheckedPatch {
            name,
            rule_set,
            patch,
        })
    }

    /// The round's settings with the patch applied.
    fn apply(&self, before: &RoundRecord) -> RoundRecord {
        let mut after = before.clone();
        if let Some(name) = &self.name {
            after.name = name.clone();
        }
        if let Some(rule_set) = self.rule_set {
            after.rule_set = rule_set.code().to_string();
        }
        if let Some(one) = self.patch.one_application_per_candidate {
            after.one_application_per_candidate = one;
        }
        if let Some(d) = self.patch.applications_open_on {
            after.applications_open_on = d;
        }
        if let Some(d) = self.patch.round1_on {
            after.round1_on = d;
        }
        if let Some(d) = self.patch.round2_on {
            after.round2_on = d;
        }
        after
    }
}

#[tracing::instrument(skip_all, fields(actor = actor, round_id = round_id))]
pub async fn update_round(
    state: &AppState,
    actor: &str,
    round_id: i32,
    patch: RoundPatch,
) -> AppResult<RoundView> {
    let patch = CheckedPatch::check(patch)?;
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let round = lookup::round(txn, round_id).await?;
    let before = RoundRecord::from(&round);
    let after = patch.apply(&before);
    if after == before {
        return Ok(round.into());
    }
    let rules_changed = after.rule_set != before.rule_set
        || after.one_application_per_candidate != before.one_application_per_candidate;
    if rules_changed {
        refuse_once_started(txn, &round, now).await?;
    }
    if after.one_application_per_candidate && !before.one_application_per_candidate {
        refuse_candidates_applying_twice(txn, round_id).await?;
    }
    let updated = repo::round::update_round(txn, round, &after).await?;
    let recomputed = if after.rule_set != before.rule_set {
        recompute_priority_points(txn, &updated).await?
    } else {
        0
    };
    w.record(
        actor,
        Action::RoundUpdate,
        round_id,
        serde_json::json!({
            "name": after.name,
            "rule_set": {"before": before.rule_set, "after": after.rule_set},
            "one_application_per_candidate": after.one_application_per_candidate,
            "applications_open_on": after.applications_open_on,
            "round1_on": after.round1_on,
            "round2_on": after.round2_on,
            "priority_points_recomputed": recomputed,
        }),
    );
    w.commit().await?;
    Ok(updated.into())
}

/// VN-0: the rules a round's exams started under are the rules it is scored by.
async fn refuse_once_started<C: ConnectionTrait>(
    conn: &C,
    round: &rounds::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    match repo::round::first_started_session(conn, round.id, now).await? {
        Some(started) => Err(AppError::Conflict(format!(
            "the first session of round '{}' started at {}; its rules (rule set, one \
             application per candidate) can no longer change (VN-0)",
            round.code,
            started.to_rfc3339()
        ))),
        None => Ok(()),
    }
}

/// VN-16 cannot be switched on over candidates who already applied twice.
async fn refuse_candidates_applying_twice<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<()> {
    let mut seen = HashSet::new();
    let twice: HashSet<String> = repo::round::national_ids_of_round(conn, round_id)
        .await?
        .into_iter()
        .filter(|(nid, _)| !seen.insert(nid.clone()))
        .map(|(nid, _)| nid)
        .collect();
    if twice.is_empty() {
        return Ok(());
    }
    Err(AppError::Conflict(format!(
        "{} candidate(s) already applied more than once in this round; resolve their \
         applications before requiring one per candidate (VN-16)",
        twice.len()
    )))
}

/// Priority points are granted per the round's rule set: after a change of rule set, every
/// application's points are recomputed. Returns how many changed.
async fn recompute_priority_points<C: ConnectionTrait>(
    conn: &C,
    round: &rounds::Model,
) -> AppResult<usize> {
    let rule_set = lookup::rule_set(round)?;
    let mut recomputed = 0;
    for a in repo::round::applications_of_round(conn, round.id).await? {
        let groups = repo::round::parse_list(&a.priority_groups)?;
        let unproven = repo::round::parse_list(&a.unproven_groups)?;
        let points = priority_award(rule_set, &groups, &unproven, a.created_at.date_naive())
            .map_err(|e| AppError::internal_from(format!("application {}", a.id), e))?
            .points;
        let text = two_places(points);
        if text != a.priority_points {
            repo::round::update_priority(conn, a, &unproven, &text).await?;
            recomputed += 1;
        }
    }
    Ok(recomputed)
}
