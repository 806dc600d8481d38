//! Voiding a defective question by the council (VN-24): "when the board voids a question,
//! **every** candidate gets its point; if two options are both correct, either scores". A
//! request with `also_correct` records the second case: the named options (bank letters) score
//! too, for every candidate whatever the order their paper showed. The void is stored per exam and item, and grading reads
//! it (`sitting::grade::exam_marking`): a candidate given the item scores it whatever they answered,
//! so one who answered it right keeps exactly one point, not two. Every graded sitting whose
//! paper holds the item is graded again in the transaction that records the void, and the
//! before/after of each is audited; sittings without the item cannot change. Rankings read the
//! stored results, so they follow.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

use crate::audit::{Action, Audited};
use crate::entities::{sittings, voided_items};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::rules::sitting::SittingStatus;
use crate::services::lookup;
use crate::services::sitting::dto::SubmitResult;
use crate::services::sitting::grade::regrade;
use crate::services::sitting::papers::papers_of;
use crate::state::{AppState, ItemCache};
use question_bank::{FieldError, ItemKind};

const MAX_REASON_CHARS: usize = 2_000;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidRequest {
    /// The bank item, as papers reference it (`item_id`); every version of it drawn in this
    /// exam is voided.
    pub item_id: i64,
    /// Optional check: the item's version number that the council examined. Refused unless
    /// that version is on a paper of this exam.
    pub version: Option<i32>,
    /// VN-24 "if two options are both correct, either scores": instead of voiding, accept these
    /// further options, as letters of the item in the bank (A is its first option), for a
    /// single, multiple or true/false item.
    #[serde(default)]
    pub also_correct: Option<Vec<String>>,
    pub reason: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VoidedItemView {
    pub id: i32,
    pub exam_id: i32,
    pub item_id: i32,
    /// Version numbers of the item found on this exam's papers.
    pub versions: Vec<i32>,
    /// Further options accepted (bank letters); absent for a void, where the item scores for all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub also_correct: Option<Vec<String>>,
    pub reason: String,
    pub voided_by: String,
    pub voided_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VoidedItemList {
    pub items: Vec<VoidedItemView>,
    pub total: u64,
}

/// One section's figures in a before/after comparison.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SectionFigures {
    pub code: String,
    pub correct: String,
    pub score: String,
    pub passed: bool,
}

/// A sitting graded again because of the void.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Regraded {
    pub sitting_id: i32,
    pub ticket_no: String,
    pub application_id: i32,
    pub passed_before: bool,
    pub passed_after: bool,
    pub before: Vec<SectionFigures>,
    pub after: Vec<SectionFigures>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VoidOutcome {
    pub voided: VoidedItemView,
    /// `false` when the item was already voided: nothing changed.
    pub created: bool,
    /// Sittings of candidates given the item (all of them, whether or not they were graded).
    pub given_to: u32,
    /// The graded sittings graded again, with their results before and after.
    pub regraded: Vec<Regraded>,
}

fn figures(result: &SubmitResult) -> Vec<SectionFigures> {
    result
        .sections
        .iter()
        .map(|s| SectionFigures {
            code: s.code.clone(),
            correct: s.correct.to_string(),
            score: format!("{:.2}", s.score),
            passed: s.passed,
        })
        .collect()
}

fn version_ids(v: &voided_items::Model) -> AppResult<Vec<i32>> {
    serde_json::from_str(&v.version_ids)
        .map_err(|e| AppError::internal_from(format!("stored void {}", v.id), e))
}

fn accepted_indexes(v: &voided_items::Model) -> AppResult<Option<BTreeSet<usize>>> {
    v.accepted_options
        .as_deref()
        .map(|json| {
            serde_json::from_str(json)
                .map_err(|e| AppError::internal_from(format!("stored correction {}", v.id), e))
        })
        .transpose()
}

/// Bank letter of an option index: A for the first.
fn letter(index: usize) -> String {
    u8::try_from(index)
        .ok()
        .and_then(|i| b'A'.checked_add(i))
        .map(|b| char::from(b).to_string())
        .unwrap_or_else(|| format!("#{index}"))
}

async fn view<C: sea_orm::ConnectionTrait>(
    conn: &C,
    v: voided_items::Model,
) -> AppResult<VoidedItemView> {
    let numbers = repo::exam::version_numbers(conn, version_ids(&v)?).await?;
    let also_correct = accepted_indexes(&v)?.map(|set| set.into_iter().map(letter).collect());
    Ok(VoidedItemView {
        id: v.id,
        exam_id: v.exam_id,
        item_id: v.item_id,
        versions: numbers,
        also_correct,
        reason: v.reason,
        voided_by: v.voided_by,
        voided_at: v.voided_at,
    })
}

/// What the council decided for the item: a void, or further accepted option indexes.
type Correction = Option<BTreeSet<usize>>;

fn check(req: &VoidRequest) -> AppResult<(i32, String, Correction)> {
    let mut errors = Vec::new();
    let item_id = match i32::try_from(req.item_id) {
        Ok(v) if v > 0 => v,
        _ => {
            errors.push(FieldError::new("item_id", "no such item"));
            0
        }
    };
    let reason = req.reason.trim().to_string();
    if reason.is_empty() {
        errors.push(FieldError::new("reason", "a reason is required"));
    } else if reason.chars().count() > MAX_REASON_CHARS {
        errors.push(FieldError::new(
            "reason",
            format!("at most {MAX_REASON_CHARS} characters"),
        ));
    }
    if let Some(v) = req.version {
        if v < 1 {
            errors.push(FieldError::new("version", "versions are numbered from 1"));
        }
    }
    let correction = match &req.also_correct {
        None => None,
        Some(letters) => {
            let mut set = BTreeSet::new();
            for (i, l) in letters.iter().enumerate() {
                let l = l.trim().to_ascii_uppercase();
                match l.as_bytes() {
                    [b @ b'A'..=b'Z'] => {
                        set.insert(usize::from(b - b'A'));
                    }
                    _ => errors.push(FieldError::new(
                        format!("also_correct[{i}]"),
                        format!("{l:?} is not an option letter (A, B, C, …)"),
                    )),
                }
            }
            if set.is_empty() && letters.is_empty() {
                errors.push(FieldError::new(
                    "also_correct",
                    "name at least one option, or leave the field out to void the item",
                ));
            }
            Some(set)
        }
    };
    if errors.is_empty() {
        Ok((item_id, reason, correction))
    } else {
        Err(AppError::invalid("the void is not valid", errors))
    }
}

/// VN-24: voids `item_id` in the exam and grades again every graded sitting given it.
#[tracing::instrument(skip_all, fields(actor = actor, exam_id = exam_id))]
pub async fn void_item(
    state: &AppState,
    actor: &str,
    exam_id: i32,
    req: VoidRequest,
) -> AppResult<VoidOutcome> {
    let (item_id, reason, correction) = check(&req)?;
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let exam = lookup::exam(txn, exam_id).await?;
    let given = given_the_item(txn, exam_id, item_id).await?;
    given
        .check_request(txn, &exam.code, item_id, req.version, &correction)
        .await?;
    let given_to = u32::try_from(given.sittings.len()).unwrap_or(u32::MAX);
    if let Some(existing) = repo::exam::voided_items(txn, exam_id)
        .await?
        .into_iter()
        .find(|v| v.item_id == item_id)
    {
        same_as_before(&existing, &correction, &exam.code)?;
        // Idempotent: the same correction again; nothing is written.
        w.rollback().await?;
        return Ok(VoidOutcome {
            voided: view(&state.db, existing).await?,
            created: false,
            given_to,
            regraded: Vec::new(),
        });
    }
    let record = void_record(
        exam_id,
        item_id,
        &given.versions,
        &correction,
        &reason,
        actor,
    )?;
    let saved = repo::exam::insert_voided_item(txn, record, now).await?;
    let regraded = regrade_graded(txn, &state.items, given.sittings).await?;
    let newly_passed = regraded
        .iter()
        .filter(|r| !r.passed_before && r.passed_after)
        .count();
    let action = if correction.is_some() {
        Action::ExamAcceptOption
    } else {
        Action::ExamVoidItem
    };
    w.record(actor, action, saved.id, serde_json::json!({
                "exam_id": exam_id,
                "item_id": item_id,
                "version_ids": given.versions,
                "also_correct": correction.as_ref().map(|s| s.iter().map(|&i| letter(i)).collect::<Vec<_>>()),
                "reason": reason,
                "given_to": given_to,
                "regraded": regraded,
                "newly_passed": newly_passed,
            }));
    w.commit().await?;
    Ok(VoidOutcome {
        voided: view(&state.db, saved).await?,
        created: true,
        given_to,
        regraded,
    })
}

/// The sittings whose paper holds the item, and what the papers say of it.
struct GivenItem {
    sittings: Vec<sittings::Model>,
    /// The sealed versions of the item drawn, in id order.
    versions: Vec<i32>,
    /// For an accepted option: the item's kind and its fewest options over the versions drawn.
    shape: Option<(ItemKind, usize)>,
}

/// Who was given the item in this exam, and in which sealed versions.
async fn given_the_item<C: ConnectionTrait>(
    conn: &C,
    exam_id: i32,
    item_id: i32,
) -> AppResult<GivenItem> {
    let mut given = Vec::new();
    let mut versions = BTreeSet::new();
    let mut shape: Option<(ItemKind, usize)> = None;
    let sittings = repo::exam::sittings_of_exam(conn, exam_id).await?;
    let mut papers = papers_of(conn, &sittings).await?;
    for s in sittings {
        let paper = papers.remove(&s.id).transpose()?;
        let drawn: Vec<_> = paper
            .iter()
            .flat_map(|p| p.items())
            .filter(|i| i.item_id == item_id)
            .collect();
        if !drawn.is_empty() {
            for i in &drawn {
                versions.insert(i.version_id);
                let n = i.permutation.len();
                shape = Some(match shape {
                    Some((k, m)) => (k, m.min(n)),
                    None => (i.kind, n),
                });
            }
            given.push(s);
        }
    }
    Ok(GivenItem {
        sittings: given,
        versions: versions.into_iter().collect(),
        shape,
    })
}

impl GivenItem {
    /// The request fits what candidates were given: the item is on a paper, the version named
    /// (if any) was drawn, and the options accepted exist on every version drawn.
    async fn check_request<C: ConnectionTrait>(
        &self,
        conn: &C,
        exam_code: &str,
        item_id: i32,
        version: Option<i32>,
        correction: &Correction,
    ) -> AppResult<()> {
        if self.sittings.is_empty() {
            return Err(AppError::field(
                "item_id",
                format!(
                    "item {item_id} is on no paper of exam {exam_code}: only a question candidates were given can be voided"
                ),
            ));
        }
        if let Some(number) = version {
            let numbers = repo::exam::version_numbers(conn, self.versions.clone()).await?;
            if !numbers.contains(&number) {
                return Err(AppError::field(
                    "version",
                    format!(
                        "version {number} of item {item_id} is on no paper of exam {exam_code} (versions drawn: {numbers:?})"
                    ),
                ));
            }
        }
        let (Some(extra), Some((kind, options))) = (correction, self.shape) else {
            return Ok(());
        };
        if !matches!(
            kind,
            ItemKind::Single | ItemKind::Multiple | ItemKind::TrueFalse
        ) {
            return Err(AppError::field(
                "also_correct",
                format!("item {item_id} has no options to accept: void it instead"),
            ));
        }
        if let Some(&bad) = extra.iter().find(|&&i| i >= options) {
            return Err(AppError::field(
                "also_correct",
                format!(
                    "item {item_id} has {options} options: there is no option {}",
                    letter(bad)
                ),
            ));
        }
        Ok(())
    }
}

/// One correction per item: a request for the item already corrected is accepted only when it
/// asks for the same correction again.
fn same_as_before(
    existing: &voided_items::Model,
    correction: &Correction,
    exam_code: &str,
) -> AppResult<()> {
    let before = accepted_indexes(existing)?;
    if before == *correction {
        return Ok(());
    }
    let was = match before {
        None => "voided".to_string(),
        Some(set) => format!(
            "corrected by accepting option(s) {}",
            set.into_iter().map(letter).collect::<Vec<_>>().join(", ")
        ),
    };
    Err(AppError::Conflict(format!(
        "item {} of exam {exam_code} was already {was} on {}: one correction per item",
        existing.item_id, existing.voided_at
    )))
}

/// The row that stores the void (or the accepted options) of the item.
fn void_record<'a>(
    exam_id: i32,
    item_id: i32,
    versions: &[i32],
    correction: &Correction,
    reason: &'a str,
    actor: &'a str,
) -> AppResult<repo::exam::VoidRecord<'a>> {
    let version_json = serde_json::to_string(versions)
        .map_err(|e| AppError::internal(format!("json versions: {e}")))?;
    let accepted_json = correction
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| AppError::internal(format!("json options: {e}")))?;
    Ok(repo::exam::VoidRecord {
        exam_id,
        item_id,
        version_ids: version_json,
        accepted_options: accepted_json,
        reason,
        voided_by: actor,
    })
}

/// Grades again each graded sitting of those given the item, with its figures before and after.
async fn regrade_graded<C: ConnectionTrait>(
    conn: &C,
    items: &ItemCache,
    given: Vec<sittings::Model>,
) -> AppResult<Vec<Regraded>> {
    let mut regraded = Vec::new();
    for s in given {
        if matches!(s.status, SittingStatus::Waiting | SittingStatus::Void) || s.result.is_none() {
            // Not graded yet (graded with the void when handed in), or replaced by a re-sitting.
            continue;
        }
        let (s, before, after) = regrade(conn, items, s).await?;
        regraded.push(Regraded {
            sitting_id: s.id,
            ticket_no: s.ticket_no.clone(),
            application_id: s.application_id,
            passed_before: before.passed,
            passed_after: after.passed,
            before: figures(&before),
            after: figures(&after),
        });
    }
    Ok(regraded)
}

#[tracing::instrument(skip_all, fields(exam_id = exam_id))]
pub async fn list(state: &AppState, exam_id: i32) -> AppResult<VoidedItemList> {
    lookup::exam(&state.db, exam_id).await?;
    let mut items = Vec::new();
    for v in repo::exam::voided_items(&state.db, exam_id).await? {
        items.push(view(&state.db, v).await?);
    }
    Ok(VoidedItemList {
        total: items.len() as u64,
        items,
    })
}
