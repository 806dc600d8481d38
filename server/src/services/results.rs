//! Round-2 marks, ranking per position, head decisions and publication of results.
//!
//! Marks are put together by the pure rules of `rules::marks` (VN-26, VN-28); a case the
//! rules send to a head stays unsettled until the chair records the head's mark, and is never
//! guessed. Rankings are computed on demand by `rules::rank` from what is stored (marks,
//! round-1 and computer round-2 results, priority points, head decisions), so a change of any
//! input re-ranks the position. A publication stores the canonical JSON of every position's
//! ranking with its SHA-256 and the audit-chain head; it never changes afterwards.
//!
//! Every change is audited in the transaction that makes it, under `AppState::audit_lock`.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::{self, Event};
use crate::entities::{agencies, applications, marks, positions, publications, rounds};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::rules::{
    official_mark, rank, two_places, validate_mark, AgencyQuota, Candidate, Lang, MarkComponent,
    Outcome, Position, Ranking, RankingError, RankingStatus, Round2Form, RuleSet, StrikeCause,
};
use crate::state::AppState;
use question_bank::FieldError;

const MAX_REASON_CHARS: usize = 2_000;
pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 500;

// ---------------------------------------------------------------------------------------------
// Request and response bodies

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
    /// `declined`, `no_dossier` (dossier not completed in time) or `fraud` (VN-14).
    pub cause: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RankingEntryView {
    pub application_id: i64,
    pub full_name: String,
    pub raw_score: Option<String>,
    pub priority_points: String,
    pub total: Option<String>,
    pub rank: Option<u32>,
    /// `winner`, `tied_pending`, `reserve`, `struck_off` (VN-14), `ineligible` or
    /// `failed_round1`.
    pub outcome: String,
    pub agency: Option<String>,
    /// One line in Vietnamese.
    pub reason: String,
    pub reason_en: String,
}

/// A mark that waits for a head or a third marker: the ranking cannot be published before.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnsettledMark {
    pub application_id: i64,
    pub component: String,
    pub status: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RankingView {
    pub position_code: String,
    /// `final` or `pending_head_decision` (VN-11, VN-13).
    pub status: String,
    pub quota: u32,
    pub entries: Vec<RankingEntryView>,
    /// Marks of this position's candidates still waiting for a head or a third marker; their
    /// part counts as not sat until settled.
    pub unsettled_marks: Vec<UnsettledMark>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicationReceipt {
    pub id: i32,
    pub sha256: String,
    pub published_at: DateTime<Utc>,
    pub url: String,
    pub audit_head: String,
}

/// One position as published.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublishedPosition {
    pub code: String,
    pub name: String,
    pub quota: u32,
    pub status: String,
    pub entries: Vec<RankingEntryView>,
}

/// The document that is hashed: `sha256` is the SHA-256 of its canonical JSON
/// (`question_bank::seal::canonical_json`: keys sorted, no spaces).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublishedDocument {
    /// The round's code.
    pub round: String,
    pub round_name: String,
    pub positions: Vec<PublishedPosition>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicResults {
    pub id: i32,
    pub round: String,
    pub round_name: String,
    pub published_at: DateTime<Utc>,
    pub sha256: String,
    pub audit_head: String,
    pub positions: Vec<PublishedPosition>,
}

// ---------------------------------------------------------------------------------------------
// Helpers

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn check_reason(errors: &mut Vec<FieldError>, value: &str) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.push(FieldError::new("reason", "a reason is required"));
    } else if v.chars().count() > MAX_REASON_CHARS {
        errors.push(FieldError::new(
            "reason",
            format!("at most {MAX_REASON_CHARS} characters"),
        ));
    }
    v.to_string()
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

/// A mark as typed: a decimal string within 0..=100 with at most 2 decimals.
fn parse_mark(errors: &mut Vec<FieldError>, location: String, value: &str) -> Option<Decimal> {
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

fn stored_rule_set(round: &rounds::Model) -> AppResult<RuleSet> {
    RuleSet::from_str(&round.rule_set)
        .map_err(|e| AppError::Internal(format!("round {}: {e}", round.id)))
}

fn stored_decimal(what: &str, value: &str) -> AppResult<Decimal> {
    Decimal::from_str(value).map_err(|e| AppError::Internal(format!("stored {what} {value}: {e}")))
}

fn stored_marks(m: &marks::Model) -> AppResult<Vec<String>> {
    serde_json::from_str(&m.marks)
        .map_err(|e| AppError::Internal(format!("stored marks {}: {e}", m.id)))
}

/// The official mark that counts: the rules' result, else the head's settlement.
fn effective_official(m: &marks::Model) -> AppResult<Option<Decimal>> {
    match (&m.official, &m.head_official) {
        (Some(o), _) => stored_decimal("official mark", o).map(Some),
        (None, Some(h)) => stored_decimal("head's mark", h).map(Some),
        (None, None) => Ok(None),
    }
}

fn mark_view(m: &marks::Model) -> AppResult<MarkView> {
    let marks = stored_marks(m)?;
    let component = MarkComponent::from_str(&m.component)
        .map_err(|e| AppError::Internal(format!("stored mark {}: {e}", m.id)))?;
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

fn application_id_i32(errors: &mut Vec<FieldError>, id: i64) -> i32 {
    match i32::try_from(id) {
        Ok(v) if v > 0 => v,
        _ => {
            errors.push(FieldError::new("application_id", "no such application"));
            0
        }
    }
}

async fn load_round<C: ConnectionTrait>(conn: &C, round_id: i32) -> AppResult<rounds::Model> {
    repo::round::find_round(conn, round_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no round {round_id}")))
}

async fn application_of_round<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
    application_id: i32,
) -> AppResult<applications::Model> {
    match repo::round::find_application(conn, application_id).await? {
        Some(a) if a.round_id == round_id => Ok(a),
        _ => Err(AppError::field(
            "application_id",
            format!("application {application_id} is not in round {round_id}"),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Marks

pub async fn enter_marks(
    state: &AppState,
    actor: &str,
    round_id: i32,
    entry: MarkEntry,
) -> AppResult<MarkView> {
    let mut errors = Vec::new();
    let application_id = application_id_i32(&mut errors, entry.application_id);
    let component = parse_component(&mut errors, &entry.component);
    let decimals: Vec<Option<Decimal>> = entry
        .marks
        .iter()
        .enumerate()
        .map(|(i, m)| parse_mark(&mut errors, format!("marks[{i}]"), m))
        .collect();
    if !errors.is_empty() {
        return Err(AppError::invalid("the marks are not valid", errors));
    }
    let Some(component) = component else {
        return Err(AppError::Internal("component checked above".into()));
    };
    let decimals: Vec<Decimal> = decimals.into_iter().flatten().collect();
    let outcome =
        official_mark(component, &decimals).map_err(|e| AppError::field("marks", e.to_string()))?;
    let texts: Vec<String> = decimals.iter().map(|d| two_places(*d)).collect();
    let stored = serde_json::to_string(&texts)
        .map_err(|e| AppError::Internal(format!("json marks: {e}")))?;
    let official = outcome.official().map(two_places);

    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    load_round(&txn, round_id).await?;
    application_of_round(&txn, round_id, application_id).await?;
    let existing = repo::results::find_mark(&txn, application_id, component.code()).await?;
    let previous = existing.as_ref().map(|m| {
        serde_json::json!({
            "marks": serde_json::from_str::<serde_json::Value>(&m.marks).unwrap_or_default(),
            "official": m.official,
            "status": m.status,
            "head_official": m.head_official,
        })
    });
    let action = if existing.is_some() {
        "marks.replace"
    } else {
        "marks.enter"
    };
    let saved = repo::results::upsert_mark(
        &txn,
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
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action,
            entity: "mark",
            entity_id: saved.id.to_string(),
            details: serde_json::json!({
                "round_id": round_id,
                "application_id": application_id,
                "component": component.code(),
                "marks": texts,
                "official": official,
                "status": outcome.status_code(),
                "previous": previous,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    mark_view(&saved)
}

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

    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    load_round(&txn, round_id).await?;
    application_of_round(&txn, round_id, application_id).await?;
    let mark = repo::results::find_mark(&txn, application_id, component.code())
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
    let saved = repo::results::settle_mark(&txn, mark, &official, &reason, actor, now).await?;
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "marks.head_settle",
            entity: "mark",
            entity_id: saved.id.to_string(),
            details: serde_json::json!({
                "round_id": round_id,
                "application_id": application_id,
                "component": component.code(),
                "official": official,
                "reason": reason,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    mark_view(&saved)
}

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

// ---------------------------------------------------------------------------------------------
// Ranking

/// The graded result of a computer sitting, as `sittings.result` stores it.
#[derive(Deserialize)]
struct StoredResult {
    sections: Vec<StoredSection>,
    passed: bool,
}

#[derive(Deserialize)]
struct StoredSection {
    score: String,
}

fn result_score(r: &StoredResult) -> AppResult<Decimal> {
    r.sections
        .iter()
        .map(|s| stored_decimal("section score", &s.score))
        .sum()
}

/// Everything the rankings of a round are computed from, read once.
struct RoundData {
    round: rounds::Model,
    rule_set: RuleSet,
    positions: Vec<(positions::Model, Vec<agencies::Model>)>,
    applications: Vec<repo::round::RankedApplication>,
    /// Indexes into `applications` by position id, in application order.
    by_position: HashMap<i32, Vec<usize>>,
    /// By (application id, component).
    marks: HashMap<(i32, String), marks::Model>,
    /// `None` when the round has no round-1 exam; else the latest round-1 result by application.
    round1: Option<HashMap<i32, StoredResult>>,
    /// The latest computer round-2 result by application.
    round2_cbt: HashMap<i32, StoredResult>,
    /// Application ids chosen by recorded head decisions, by position id.
    decisions: HashMap<i32, HashSet<i32>>,
    /// Winners struck off (VN-14), by application id.
    struck: HashMap<i32, StrikeCause>,
    /// Marks replaced by a review (VN-27), by (application id, component).
    reviewed: HashMap<(i32, String), Decimal>,
}

impl RoundData {
    async fn load<C: ConnectionTrait>(conn: &C, round: rounds::Model) -> AppResult<RoundData> {
        let rule_set = stored_rule_set(&round)?;
        // Independent reads: on a pool (SQLite in WAL, PostgreSQL) they run side by side; in a
        // transaction they simply take turns.
        let (positions, applications, marks, exams, results, head_decisions, strike_offs, reviews) =
            tokio::try_join!(
                repo::round::positions_of_round(conn, round.id),
                repo::round::ranked_applications_of_round(conn, round.id),
                repo::results::marks_of_round(conn, round.id),
                repo::exam::exams_of_round(conn, round.id),
                repo::results::graded_results_of_round(conn, round.id),
                repo::results::head_decisions_of_round(conn, round.id),
                repo::results::strike_offs_of_round(conn, round.id),
                repo::results::reviews_of_round(conn, round.id),
            )?;
        let marks = marks
            .into_iter()
            .map(|m| ((m.application_id, m.component.clone()), m))
            .collect();
        let mut round1: Option<HashMap<i32, StoredResult>> = None;
        let mut round2_cbt = HashMap::new();
        for exam in exams {
            let target = match exam.stage.as_str() {
                "round1" => round1.get_or_insert_with(HashMap::new),
                "round2_cbt" => &mut round2_cbt,
                _ => continue,
            };
            let sittings = results.get(&exam.id).map(Vec::as_slice).unwrap_or_default();
            // Sittings come oldest first: a later graded sitting (a retake, VN-23) replaces.
            let parsed = crate::parallel::parallel(sittings, |(id, _, text)| {
                serde_json::from_str::<StoredResult>(text)
                    .map_err(|e| AppError::Internal(format!("stored result of sitting {id}: {e}")))
            })?;
            for ((_, application_id, _), result) in sittings.iter().zip(parsed) {
                target.insert(*application_id, result);
            }
        }
        let mut decisions: HashMap<i32, HashSet<i32>> = HashMap::new();
        for d in head_decisions {
            let ids: Vec<i32> = serde_json::from_str(&d.application_ids)
                .map_err(|e| AppError::Internal(format!("stored head decision {}: {e}", d.id)))?;
            decisions.entry(d.position_id).or_default().extend(ids);
        }
        let mut struck = HashMap::new();
        for so in strike_offs {
            let cause = StrikeCause::from_str(&so.cause)
                .map_err(|e| AppError::Internal(format!("stored strike-off {}: {e}", so.id)))?;
            struck.insert(so.application_id, cause);
        }
        let mut reviewed = HashMap::new();
        for r in reviews {
            if let Some(official) = &r.official {
                reviewed.insert(
                    (r.application_id, r.component.clone()),
                    stored_decimal("reviewed mark", official)?,
                );
            }
        }
        let mut by_position: HashMap<i32, Vec<usize>> = HashMap::new();
        for (k, a) in applications.iter().enumerate() {
            by_position.entry(a.position_id).or_default().push(k);
        }
        Ok(RoundData {
            round,
            rule_set,
            positions,
            applications,
            by_position,
            marks,
            round1,
            round2_cbt,
            decisions,
            struck,
            reviewed,
        })
    }

    fn position(&self, code: &str) -> AppResult<&(positions::Model, Vec<agencies::Model>)> {
        self.positions
            .iter()
            .find(|(p, _)| p.code == code)
            .ok_or_else(|| {
                AppError::NotFound(format!("no position '{code}' in round {}", self.round.id))
            })
    }

    fn official(
        &self,
        application_id: i32,
        component: MarkComponent,
        unsettled: &mut Vec<UnsettledMark>,
    ) -> AppResult<Option<Decimal>> {
        let Some(m) = self
            .marks
            .get(&(application_id, component.code().to_string()))
        else {
            return Ok(None);
        };
        // VN-27: a settled review replaces the published mark.
        if let Some(reviewed) = self
            .reviewed
            .get(&(application_id, component.code().to_string()))
        {
            return Ok(Some(*reviewed));
        }
        let official = effective_official(m)?;
        if official.is_none() {
            unsettled.push(UnsettledMark {
                application_id: i64::from(application_id),
                component: m.component.clone(),
                status: m.status.clone(),
            });
        }
        Ok(official)
    }

    /// Ranks one position from the stored data.
    fn rank_position(
        &self,
        position: &positions::Model,
        agencies: &[agencies::Model],
    ) -> AppResult<(Ranking, Vec<UnsettledMark>)> {
        let form = Round2Form::from_str(&position.round2_form)
            .map_err(|e| AppError::Internal(format!("position {}: {e}", position.id)))?;
        let quota = u32::try_from(position.quota)
            .map_err(|_| AppError::Internal(format!("position {} quota", position.id)))?;
        let spec = Position {
            quota,
            agencies: agencies
                .iter()
                .map(|a| {
                    Ok(AgencyQuota {
                        code: a.code.clone(),
                        quota: u32::try_from(a.quota)
                            .map_err(|_| AppError::Internal(format!("agency {} quota", a.id)))?,
                    })
                })
                .collect::<AppResult<Vec<_>>>()?,
            round2_form: form,
        };
        // Grades with no round 1 (VN-2 to VN-4) hold nothing against the candidate.
        let has_round1 = matches!(position.grade.as_str(), "chuyen_vien" | "can_su");
        let chosen = self.decisions.get(&position.id);
        let mut unsettled = Vec::new();
        let mut candidates = Vec::new();
        for a in self
            .by_position
            .get(&position.id)
            .into_iter()
            .flatten()
            .map(|&k| &self.applications[k])
            .filter(|a| a.eligible != Some(false))
        {
            let (round1_passed, round1_score) = match (&self.round1, has_round1) {
                (Some(results), true) => match results.get(&a.id) {
                    Some(r) => (Some(r.passed), Some(result_score(r)?)),
                    None => (Some(false), None),
                },
                _ => (None, None),
            };
            let mut c = Candidate {
                application_id: i64::from(a.id),
                full_name: a.full_name.clone(),
                round1_passed,
                round1_score,
                priority_points: stored_decimal("priority points", &a.priority_points)?,
                agency_preferences: repo::round::parse_list(&a.agency_preferences)?,
                head_decision: chosen.is_some_and(|s| s.contains(&a.id)),
                struck_off: self.struck.get(&a.id).copied(),
                ..Default::default()
            };
            match form {
                Round2Form::WrittenInterview => {
                    c.written = self.official(a.id, MarkComponent::Written, &mut unsettled)?;
                    c.interview = self.official(a.id, MarkComponent::Interview, &mut unsettled)?;
                }
                Round2Form::Written => {
                    // The single examined part of the grade (VN-1 to VN-4).
                    let parts: &[MarkComponent] = match position.grade.as_str() {
                        "nhan_vien" => &[MarkComponent::Oral, MarkComponent::Practical],
                        "chuyen_vien_cao_cap" => &[MarkComponent::Project],
                        _ => &[MarkComponent::Written],
                    };
                    for part in parts {
                        let mark = self.official(a.id, *part, &mut unsettled)?;
                        c.professional = c.professional.or(mark);
                    }
                }
                Round2Form::WrittenCbt => {
                    c.professional = self.round2_cbt.get(&a.id).map(result_score).transpose()?;
                }
            }
            candidates.push(c);
        }
        let ranking = rank(self.rule_set, &spec, &candidates).map_err(|e| {
            AppError::Conflict(format!("position {} cannot be ranked: {e}", position.code))
        })?;
        Ok((ranking, unsettled))
    }
}

fn ranking_view(code: &str, ranking: &Ranking, unsettled: Vec<UnsettledMark>) -> RankingView {
    RankingView {
        position_code: code.to_string(),
        status: ranking.status.code().to_string(),
        quota: ranking.quota,
        entries: entry_views(ranking),
        unsettled_marks: unsettled,
    }
}

fn entry_views(ranking: &Ranking) -> Vec<RankingEntryView> {
    ranking
        .entries
        .iter()
        .map(|e| RankingEntryView {
            application_id: e.application_id,
            full_name: e.full_name.clone(),
            raw_score: e.raw_score.map(two_places),
            priority_points: two_places(e.priority_points),
            total: e.total.map(two_places),
            rank: e.rank,
            outcome: e.outcome.code().to_string(),
            agency: e.agency.clone(),
            reason: e.reason.render(Lang::Vi),
            reason_en: e.reason.render(Lang::En),
        })
        .collect()
}

pub async fn get_ranking(state: &AppState, round_id: i32, code: &str) -> AppResult<RankingView> {
    let round = load_round(&state.db, round_id).await?;
    let data = RoundData::load(&state.db, round).await?;
    let (position, agencies) = data.position(code)?;
    let (ranking, unsettled) = data.rank_position(position, agencies)?;
    Ok(ranking_view(&position.code, &ranking, unsettled))
}

/// The ranking of every position of the round, in position order (what [`publish`] ranks).
pub async fn rank_round(state: &AppState, round_id: i32) -> AppResult<Vec<(String, Ranking)>> {
    let round = load_round(&state.db, round_id).await?;
    let data = std::sync::Arc::new(RoundData::load(&state.db, round).await?);
    // Positions are ranked independently: on every core.
    crate::parallel::blocking(move || {
        crate::parallel::parallel(&data.positions, |(position, agencies)| {
            let (ranking, _) = data.rank_position(position, agencies)?;
            Ok((position.code.clone(), ranking))
        })
    })
    .await?
}

pub async fn record_head_decision(
    state: &AppState,
    actor: &str,
    round_id: i32,
    code: &str,
    req: HeadDecisionRequest,
) -> AppResult<RankingView> {
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

    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let round = load_round(&txn, round_id).await?;
    let mut data = RoundData::load(&txn, round).await?;
    let (position, agencies) = data.position(code)?.clone();
    let (before, _) = data.rank_position(&position, &agencies)?;
    if before.status != RankingStatus::PendingHeadDecision {
        return Err(AppError::Conflict(format!(
            "the ranking of position {code} is final: no tie awaits the head (VN-11)"
        )));
    }
    let tied: HashSet<i64> = before.tied_pending().map(|e| e.application_id).collect();
    let mut chosen = Vec::new();
    for (i, id) in req.application_ids.iter().enumerate() {
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
        &txn,
        round_id,
        position.id,
        &chosen,
        &reason,
        actor,
        now,
    )
    .await?;
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "ranking.head_decision",
            entity: "head_decision",
            entity_id: decision.id.to_string(),
            details: serde_json::json!({
                "round_id": round_id,
                "position": position.code,
                "tied": tied.iter().copied().collect::<std::collections::BTreeSet<_>>(),
                "chosen": chosen,
                "reason": reason,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(ranking_view(&position.code, &after, unsettled))
}

/// VN-14: HR strikes a winner off (declined, no dossier in time, fraud); the ranking then
/// offers the place to the reserve list in order. Returns the new ranking.
pub async fn record_strike_off(
    state: &AppState,
    actor: &str,
    round_id: i32,
    code: &str,
    req: StrikeOffRequest,
) -> AppResult<RankingView> {
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
    let (Some(cause), true) = (cause, errors.is_empty()) else {
        return Err(AppError::invalid("the strike-off is not valid", errors));
    };

    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let round = load_round(&txn, round_id).await?;
    let mut data = RoundData::load(&txn, round).await?;
    let (position, agencies) = data.position(code)?.clone();
    let application = application_of_round(&txn, round_id, application_id).await?;
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
    let (before, _) = data.rank_position(&position, &agencies)?;
    let outcome = before
        .entry(i64::from(application_id))
        .map(|e| e.outcome)
        .unwrap_or(Outcome::Ineligible);
    if outcome != Outcome::Winner {
        return Err(AppError::field(
            "application_id",
            format!(
                "application {application_id} is '{}' in position {code}: only a winner is struck off the list (VN-14)",
                outcome.code()
            ),
        ));
    }
    data.struck.insert(application_id, cause);
    let (after, unsettled) = data.rank_position(&position, &agencies)?;
    let saved = repo::results::insert_strike_off(
        &txn,
        repo::results::StrikeOffRecord {
            round_id,
            position_id: position.id,
            application_id,
            cause: cause.code(),
            reason: &reason,
            recorded_by: actor,
        },
        now,
    )
    .await?;
    let winners = |r: &Ranking| r.winners().map(|e| e.application_id).collect::<Vec<_>>();
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "ranking.strike_off",
            entity: "strike_off",
            entity_id: saved.id.to_string(),
            details: serde_json::json!({
                "round_id": round_id,
                "position": position.code,
                "application_id": application_id,
                "cause": cause.code(),
                "reason": reason,
                "winners_before": winners(&before),
                "winners_after": winners(&after),
                "status_after": after.status.code(),
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(ranking_view(&position.code, &after, unsettled))
}

// ---------------------------------------------------------------------------------------------
// Publication

fn public_url(round_code: &str, id: i32) -> String {
    format!("/api/v1/public/rounds/{round_code}/publications/{id}")
}

pub async fn publish(
    state: &AppState,
    actor: &str,
    round_id: i32,
) -> AppResult<PublicationReceipt> {
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let round = load_round(&txn, round_id).await?;
    let data = RoundData::load(&txn, round).await?;
    let mut positions = Vec::new();
    let mut pending = Vec::new();
    let mut unsettled_in = Vec::new();
    for (position, agencies) in &data.positions {
        let (ranking, unsettled) = data.rank_position(position, agencies)?;
        if ranking.status == RankingStatus::PendingHeadDecision {
            pending.push(position.code.clone());
        }
        if !unsettled.is_empty() {
            unsettled_in.push(position.code.clone());
        }
        positions.push(PublishedPosition {
            code: position.code.clone(),
            name: position.name.clone(),
            quota: ranking.quota,
            status: ranking.status.code().to_string(),
            entries: entry_views(&ranking),
        });
    }
    if !pending.is_empty() {
        return Err(AppError::Conflict(format!(
            "positions {} await a head decision (VN-11): record it before publishing",
            pending.join(", ")
        )));
    }
    if !unsettled_in.is_empty() {
        return Err(AppError::Conflict(format!(
            "positions {} have marks awaiting a head or a third marker (VN-26, VN-28)",
            unsettled_in.join(", ")
        )));
    }
    let document = PublishedDocument {
        round: data.round.code.clone(),
        round_name: data.round.name.clone(),
        positions,
    };
    let canonical = question_bank::seal::canonical_json(&document)
        .map_err(|e| AppError::Internal(format!("canonical results: {e}")))?;
    let sha256 = sha256_hex(&canonical);
    let audit_head = audit::head(&txn).await?;
    let publication = repo::results::insert_publication(
        &txn,
        round_id,
        canonical,
        sha256.clone(),
        audit_head.clone(),
        actor,
        now,
    )
    .await?;
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "results.publish",
            entity: "publication",
            entity_id: publication.id.to_string(),
            details: serde_json::json!({
                "round_id": round_id,
                "sha256": sha256,
                "audit_head": audit_head,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(PublicationReceipt {
        id: publication.id,
        url: public_url(&data.round.code, publication.id),
        sha256,
        published_at: publication.published_at,
        audit_head,
    })
}

fn public_results(p: publications::Model) -> AppResult<PublicResults> {
    let doc: PublishedDocument = serde_json::from_str(&p.document)
        .map_err(|e| AppError::Internal(format!("stored publication {}: {e}", p.id)))?;
    Ok(PublicResults {
        id: p.id,
        round: doc.round,
        round_name: doc.round_name,
        published_at: p.published_at,
        sha256: p.sha256,
        audit_head: p.audit_head,
        positions: doc.positions,
    })
}

async fn public_round(state: &AppState, round_code: &str) -> AppResult<rounds::Model> {
    repo::round::find_round_by_code(&state.db, round_code)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no round '{round_code}'")))
}

pub async fn latest_results(state: &AppState, round_code: &str) -> AppResult<PublicResults> {
    let round = public_round(state, round_code).await?;
    let p = repo::results::latest_publication(&state.db, round.id)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "the results of round '{round_code}' are not published"
            ))
        })?;
    public_results(p)
}

pub async fn publication(state: &AppState, round_code: &str, id: i32) -> AppResult<PublicResults> {
    let round = public_round(state, round_code).await?;
    let p = repo::results::find_publication(&state.db, round.id, id)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!("no publication {id} of round '{round_code}'"))
        })?;
    public_results(p)
}

// ---------------------------------------------------------------------------------------------
// Publications as documents and their history

/// One publication in the history of a round, without its document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicationSummary {
    pub id: i32,
    pub sha256: String,
    pub audit_head: String,
    pub published_at: DateTime<Utc>,
    /// Where the publication stays readable.
    pub url: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicationList {
    /// Newest first.
    pub items: Vec<PublicationSummary>,
    pub total: u64,
}

/// Every publication of a round, newest first: each stays readable as it was published.
pub async fn list_publications(
    state: &AppState,
    round_code: &str,
    limit: Option<u64>,
    offset: Option<u64>,
) -> AppResult<PublicationList> {
    let round = public_round(state, round_code).await?;
    let all = repo::results::publications_of_round(&state.db, round.id).await?;
    let total = all.len() as u64;
    let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let items = all
        .into_iter()
        .skip(usize::try_from(offset.unwrap_or(0)).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(
            |(id, sha256, audit_head, published_at)| PublicationSummary {
                url: public_url(&round.code, id),
                id,
                sha256,
                audit_head,
                published_at,
            },
        )
        .collect();
    Ok(PublicationList { items, total })
}

/// How published results are served: JSON (the default), a workbook or a printable PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultsFormat {
    Json,
    Xlsx,
    Pdf,
}

pub fn results_format(given: Option<&str>) -> AppResult<ResultsFormat> {
    match given.map(str::trim) {
        None | Some("") => Ok(ResultsFormat::Json),
        Some(f) if f.eq_ignore_ascii_case("json") => Ok(ResultsFormat::Json),
        Some(f) if f.eq_ignore_ascii_case("xlsx") => Ok(ResultsFormat::Xlsx),
        Some(f) if f.eq_ignore_ascii_case("pdf") => Ok(ResultsFormat::Pdf),
        Some(f) => Err(AppError::field(
            "format",
            format!("unknown format '{f}': expected json, xlsx or pdf"),
        )),
    }
}

/// The publication as a workbook or a PDF (`Json` is served as it is by the handler).
pub fn results_document(
    r: &PublicResults,
    format: ResultsFormat,
) -> AppResult<crate::services::seating::Printout> {
    let stem = crate::publication::file_stem(&r.round, r.id);
    match format {
        ResultsFormat::Xlsx => Ok(crate::services::seating::Printout {
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            file_name: format!("{stem}.xlsx"),
            inline: false,
            bytes: crate::publication::xlsx::results_xlsx(r)
                .map_err(|e| AppError::Internal(format!("results workbook: {e}")))?,
        }),
        ResultsFormat::Pdf | ResultsFormat::Json => Ok(crate::services::seating::Printout {
            content_type: "application/pdf",
            file_name: format!("{stem}.pdf"),
            inline: true,
            bytes: crate::publication::pdf::results_pdf(r)
                .map_err(|e| AppError::Internal(format!("results PDF: {e}")))?,
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Figures for the round's report

/// Per position: applicants, eligible applicants and the winners of the current ranking.
pub(crate) async fn position_inputs(
    state: &AppState,
    round: rounds::Model,
) -> AppResult<Vec<crate::reports::PositionInput>> {
    let data = RoundData::load(&state.db, round).await?;
    let mut out = Vec::new();
    for (position, agencies) in &data.positions {
        let (ranking, _) = data.rank_position(position, agencies)?;
        let mine = data
            .applications
            .iter()
            .filter(|a| a.position_id == position.id);
        out.push(crate::reports::PositionInput {
            code: position.code.clone(),
            name: position.name.clone(),
            quota: ranking.quota,
            applicants: mine.clone().count() as u64,
            eligible: mine.filter(|a| a.eligible != Some(false)).count() as u64,
            winners: ranking.winners().count() as u64,
        });
    }
    Ok(out)
}
