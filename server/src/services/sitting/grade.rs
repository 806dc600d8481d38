//! Grading one sitting from its stored answers (VN-18: no review of computer tests), at
//! hand-in and again after a sanction (VN-25) or a voided item (VN-24).

use question_bank::blueprint::Blueprint;
use question_bank::paper::Paper;
use question_bank::scoring::{grade, Answer, CandidateTerms, ExamMarking, PaperResult, Sanction};
use question_bank::Item;
use sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::dto::{SavedAnswer, SubmitResult};
use super::papers::paper_of;
use super::{exam_of, session_of};
use crate::entities::{answers, sittings};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::services::exam::blueprint_of;
use crate::state::ItemCache;

/// The exam-wide marking terms: the items the council voided, or whose further options it
/// accepted (VN-24).
pub(crate) async fn exam_marking<C: ConnectionTrait>(
    conn: &C,
    exam_id: i32,
) -> AppResult<ExamMarking> {
    let mut marking = ExamMarking::default();
    for v in repo::exam::voided_items(conn, exam_id).await? {
        match v.accepted_options.as_deref() {
            None => {
                marking.voided.insert(v.item_id);
            }
            Some(json) => {
                let extra: BTreeSet<usize> = serde_json::from_str(json).map_err(|e| {
                    AppError::internal_from(format!("stored correction {}", v.id), e)
                })?;
                marking.accepted_extra.insert(v.item_id, extra);
            }
        }
    }
    Ok(marking)
}

/// Grades a graded sitting again (a sanction, VN-25, or a voided item, VN-24) and stores the
/// new result; returns the result before and after. The receipt is recomputed from the same
/// answers, so it does not change.
pub(crate) async fn regrade<C: ConnectionTrait>(
    conn: &C,
    items: &ItemCache,
    sitting: sittings::Model,
) -> AppResult<(sittings::Model, SubmitResult, SubmitResult)> {
    let previous = SubmitResult::stored_in(&sitting)?;
    let Graded {
        result, receipt, ..
    } = grade_sitting(conn, items, &sitting).await?;
    let regraded = SubmitResult {
        sections: result.sections,
        passed: result.passed,
        receipt_sha256: receipt,
        ..previous.clone()
    };
    let json = serde_json::to_string(&regraded).map_err(|e| AppError::internal(e.to_string()))?;
    let sitting = repo::sitting::set_result(conn, sitting, json).await?;
    Ok((sitting, previous, regraded))
}

/// Grades the sitting's stored answers against its paper.
async fn grade_sitting<C: ConnectionTrait>(
    conn: &C,
    item_cache: &ItemCache,
    sitting: &sittings::Model,
) -> AppResult<Graded> {
    let session = session_of(conn, sitting).await?;
    let exam = exam_of(conn, &session).await?;
    let blueprint = blueprint_of(&exam)?;
    let paper = paper_of(conn, sitting).await?;
    let items = item_cache
        .get_many(conn, paper.items().map(|i| i.version_id).collect())
        .await?;
    let stored = repo::sitting::answers_of(conn, sitting.id).await?;
    let marking = exam_marking(conn, exam.id).await?;
    grade_loaded(sitting, &paper, &blueprint, &items, &marking, &stored)
}

/// The terms one candidate is marked under: their sanction (VN-25), which the marking applies
/// as a share of the correct answers kept or, for suspension and not signing, by annulling the
/// test.
pub(crate) fn candidate_terms(sanction: Sanction) -> CandidateTerms {
    CandidateTerms {
        sanction,
        ..CandidateTerms::default()
    }
}

/// The marking of one answer sheet (by question number) under the sitting's sanction.
pub(crate) fn grade_sheet(
    sanction: Sanction,
    paper: &Paper,
    blueprint: &Blueprint,
    items: &HashMap<i32, Arc<Item>>,
    marking: &ExamMarking,
    sheet: &BTreeMap<u32, Answer>,
) -> AppResult<PaperResult> {
    Ok(grade(
        blueprint,
        paper,
        |p| items.get(&p.version_id).map(AsRef::as_ref),
        sheet,
        marking,
        &candidate_terms(sanction),
    )?)
}

/// A sitting graded from its stored answers.
pub(crate) struct Graded {
    pub result: PaperResult,
    /// SHA-256 of the canonical answer sheet (with each answer's `seq`): the candidate's receipt.
    pub receipt: String,
    /// The answers graded, in compact form ([`question_bank::compact`]): stored with the result
    /// so the whole exam can be graded again from one read.
    pub sheet: String,
}

/// The grading itself, over what is already read: `stored` in question order.
pub(crate) fn grade_loaded(
    sitting: &sittings::Model,
    paper: &Paper,
    blueprint: &Blueprint,
    items: &HashMap<i32, Arc<Item>>,
    marking: &ExamMarking,
    stored: &[answers::Model],
) -> AppResult<Graded> {
    let mut sheet: BTreeMap<u32, Answer> = BTreeMap::new();
    for a in stored {
        let s = SavedAnswer::from(a);
        sheet.insert(
            a.item_no as u32,
            Answer {
                choices: s.choices.iter().filter_map(|c| c.chars().next()).collect(),
                text: s.text,
            },
        );
    }
    let result = grade_sheet(sitting.sanction.0, paper, blueprint, items, marking, &sheet)?;
    let receipt_body = serde_json::json!({
        "ticket_no": sitting.ticket_no,
        "paper_sha256": sitting.paper_sha256,
        "answers": stored.iter().map(|a| serde_json::json!({"no": a.item_no, "choices": SavedAnswer::from(a).choices, "text": a.text, "seq": a.seq})).collect::<Vec<_>>(),
    });
    let receipt = hex::encode(Sha256::digest(
        question_bank::seal::canonical_json(&receipt_body)
            .map_err(|e| AppError::internal(e.to_string()))?
            .as_bytes(),
    ));
    Ok(Graded {
        result,
        receipt,
        sheet: question_bank::compact::sheet_to_compact(&sheet),
    })
}
