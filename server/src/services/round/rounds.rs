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
use crate::vietnam_time::vietnam_today;
use question_bank::FieldError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRound {
    /// Letters, digits, `-`, `_` and `.`; unique. Used in public result URLs.
    pub code: String,
    pub name: String,
    /// `vn-2025` (default), `vn-2025-pre300`, `vn-2020` or `vn-vc-2020` (VN-0). Without it, a
    /// plan approved before 1 Aug 2026 gives `vn-2025-pre300`.
    #[serde(default)]
    pub rule_set: Option<String>,
    /// The day the recruitment plan was approved (VN-0): it picks the version of vn-2025 and
    /// the priority groups (VN-7).
    #[serde(default)]
    pub plan_approved_on: Option<NaiveDate>,
    /// The recruiting authority holding the round: a fraud bar reaches its next round (VN-16).
    #[serde(default)]
    pub recruiting_authority: Option<String>,
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
    /// A rule of the round (VN-0): fixed with the rule set.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub plan_approved_on: Option<Option<NaiveDate>>,
    /// A rule of the round (VN-16): fixed with the rule set.
    #[serde(default)]
    pub recruiting_authority: Option<String>,
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
    /// `null` when not recorded.
    pub plan_approved_on: Option<NaiveDate>,
    /// `""` when not recorded: such rounds form one authority.
    pub recruiting_authority: String,
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
            plan_approved_on: m.plan_approved_on,
            recruiting_authority: m.recruiting_authority,
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

/// The rule set a new round gets: the one asked for, or by default the version of vn-2025 its
/// plan's approval date calls for, as in force `today` (VN-0 amended).
fn rule_set_of_new_round(
    errors: &mut Vec<FieldError>,
    value: Option<&str>,
    plan_approved_on: Option<NaiveDate>,
    today: NaiveDate,
) -> RuleSet {
    match (value.map(str::trim), plan_approved_on) {
        (None | Some(""), Some(plan)) => RuleSet::vn_2025_for_plan(plan).in_force_on(today),
        _ => parse_rule_set(errors, value),
    }
}

/// VN-0 amended: the version of vn-2025 is not a choice but follows the plan's approval date;
/// a `vn-2025-pre300` round needs that date to know it. Other rule sets are free.
fn check_vn_2025_version(
    errors: &mut Vec<FieldError>,
    rule_set: RuleSet,
    plan_approved_on: Option<NaiveDate>,
    today: NaiveDate,
) {
    if !matches!(rule_set, RuleSet::Vn2025 | RuleSet::Vn2025Pre300) {
        return;
    }
    let Some(plan) = plan_approved_on else {
        if rule_set == RuleSet::Vn2025Pre300 {
            errors.push(FieldError::new(
                "plan_approved_on",
                "required under vn-2025-pre300: the plan's approval date decides it (VN-0)",
            ));
        }
        return;
    };
    let expected = RuleSet::vn_2025_for_plan(plan).in_force_on(today);
    if rule_set != expected {
        errors.push(FieldError::new(
            "rule_set",
            format!(
                "a plan approved on {plan} runs under {expected} on {today}, not {rule_set} \
                 (VN-0: Decree 300/2026 applies to plans approved from 1 Aug 2026; earlier \
                 ones move to it on 1 Feb 2027)"
            ),
        ));
    }
}

#[tracing::instrument(skip_all, fields(actor = actor))]
pub async fn create_round(state: &AppState, actor: &str, new: NewRound) -> AppResult<RoundView> {
    let mut errors = Vec::new();
    let code = check_code(&mut errors, "code", &new.code);
    let name = check_text(&mut errors, "name", &new.name, MAX_NAME_CHARS);
    let today = vietnam_today(state.now());
    let rule_set = rule_set_of_new_round(
        &mut errors,
        new.rule_set.as_deref(),
        new.plan_approved_on,
        today,
    );
    check_vn_2025_version(&mut errors, rule_set, new.plan_approved_on, today);
    let recruiting_authority = match new.recruiting_authority.as_deref() {
        Some(a) if !a.trim().is_empty() => {
            check_text(&mut errors, "recruiting_authority", a, MAX_NAME_CHARS)
        }
        _ => String::new(),
    };
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
        plan_approved_on: new.plan_approved_on,
        recruiting_authority,
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
            "plan_approved_on": round.plan_approved_on,
            "recruiting_authority": round.recruiting_authority,
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
    recruiting_authority: Option<String>,
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
        let recruiting_authority = patch.recruiting_authority.as_deref().map(|a| {
            if a.trim().is_empty() {
                String::new()
            } else {
                check_text(&mut errors, "recruiting_authority", a, MAX_NAME_CHARS)
            }
        });
        if !errors.is_empty() {
            return Err(AppError::invalid("the change is not valid", errors));
        }
        Ok(CheckedPatch {
            name,
            recruiting_authority,
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
        if let Some(d) = self.patch.plan_approved_on {
            after.plan_approved_on = d;
        }
        if let Some(a) = &self.recruiting_authority {
            after.recruiting_authority = a.clone();
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
        || after.one_application_per_candidate != before.one_application_per_candidate
        || after.plan_approved_on != before.plan_approved_on
        || after.recruiting_authority != before.recruiting_authority;
    if rules_changed {
        refuse_once_locked(txn, &round, now).await?;
    }
    if after.rule_set != before.rule_set || after.plan_approved_on != before.plan_approved_on {
        let mut errors = Vec::new();
        let rule_set = RuleSet::from_str(&after.rule_set)
            .map_err(|e| AppError::internal(format!("round {round_id}: {e}")))?;
        check_vn_2025_version(
            &mut errors,
            rule_set,
            after.plan_approved_on,
            vietnam_today(now),
        );
        if !errors.is_empty() {
            return Err(AppError::invalid("the change is not valid", errors));
        }
    }
    if after.one_application_per_candidate && !before.one_application_per_candidate {
        refuse_candidates_applying_twice(txn, round_id).await?;
    }
    let updated = repo::round::update_round(txn, round, &after).await?;
    let recomputed =
        if after.rule_set != before.rule_set || after.plan_approved_on != before.plan_approved_on {
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
                "plan_approved_on": {"before": before.plan_approved_on, "after": after.plan_approved_on},
                "recruiting_authority": after.recruiting_authority,
                "priority_points_recomputed": recomputed,
            }),
    );
    w.commit().await?;
    Ok(updated.into())
}

/// VN-0: the rules a round's exams started under are the rules it is scored by. The lock
/// starts with the first session of any exam, or the first mark, result or publication,
/// whichever comes first: a round with no computer session is locked by its marks.
async fn refuse_once_locked<C: ConnectionTrait>(
    conn: &C,
    round: &rounds::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    const RULES: &str = "its rules (rule set, plan approval date, recruiting authority, one \
                         application per candidate) can no longer change (VN-0)";
    if let Some(started) = repo::round::first_started_session(conn, round.id, now).await? {
        return Err(AppError::Conflict(format!(
            "the first session of round '{}' started at {}; {RULES}",
            round.code,
            started.to_rfc3339()
        )));
    }
    if let Some(what) = repo::decree::first_result_of_round(conn, round.id).await? {
        return Err(AppError::Conflict(format!(
            "in round '{}' {what}; {RULES}",
            round.code
        )));
    }
    Ok(())
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
        // The same day as the first computation (VN-0, VN-7): never the UTC date.
        let as_of = lookup::priority_as_of(round, a.created_at);
        let points = priority_award(rule_set, &groups, &unproven, as_of)
            .map_err(|e| AppError::internal(format!("application {}: {e}", a.id)))?
            .points;
        let text = two_places(points);
        if text != a.priority_points {
            repo::round::update_priority(conn, a, &unproven, &text).await?;
            recomputed += 1;
        }
    }
    Ok(recomputed)
}

/// VN-0 amended: the one change of rule set a locked round undergoes. A `vn-2025-pre300`
/// round runs under `vn-2025` from 1 Feb 2027; the first write to the round on or after that
/// day records the switch, audited. Every read applies the same pure rule
/// ([`RuleSet::in_force_on`]), so a ranking never depends on whether the switch was recorded
/// yet. The caller holds the audit lock and a write transaction.
pub async fn switch_rule_set_when_due(
    w: &Audited<'_>,
    round: rounds::Model,
) -> AppResult<rounds::Model> {
    let today = vietnam_today(w.now());
    let recorded = lookup::rule_set(&round)?;
    let in_force = recorded.in_force_on(today);
    if in_force == recorded {
        return Ok(round);
    }
    let round_id = round.id;
    let before = RoundRecord::from(&round);
    let after = RoundRecord {
        rule_set: in_force.code().to_string(),
        ..before.clone()
    };
    let updated = repo::round::update_round(w.txn(), round, &after).await?;
    w.record(
        "system",
        Action::RoundRuleSetSwitch,
        round_id,
        serde_json::json!({
            "rule_set": {"before": before.rule_set, "after": after.rule_set},
            "on": today,
            "plan_approved_on": before.plan_approved_on,
            "rule": "VN-0",
        }),
    );
    Ok(updated)
}
