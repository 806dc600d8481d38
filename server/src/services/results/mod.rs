//! Round-2 marks, ranking per position, head decisions and publication of results.
//!
//! Marks are put together by the pure rules of `rules::marks` (VN-26, VN-28); a case the
//! rules send to a head stays unsettled until the chair records the head's mark, and is never
//! guessed. Rankings are computed on demand by `rules::rank` from what is stored (marks,
//! round-1 and computer round-2 results, priority points, head decisions), so a change of any
//! input re-ranks the position. A publication stores the canonical JSON of every position's
//! ranking with its SHA-256 and the audit-chain head; it never changes afterwards.
//!
//! One module per step: `marks` (entering and settling round-2 marks), `ranking` (reading a
//! round's inputs and ranking its positions), `decisions` (the head's choice at a tie, VN-11,
//! and strike-offs, VN-14), `publishing` (publishing, the public views and the documents) and
//! `report` (the ranking figures of the round's report).
//!
//! Every change is audited in the transaction that makes it, through `audit::Audited`.

mod decisions;
mod marks;
mod publishing;
mod ranking;
mod report;

use std::str::FromStr;

use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;

use crate::entities::{applications, rounds};
use crate::error::{AppError, AppResult};
use crate::repo;
use question_bank::FieldError;

pub use decisions::{
    record_head_decision, record_strike_off, HeadDecisionRequest, StrikeOffRequest,
};
pub use marks::{
    enter_marks, list_marks, settle_mark, HeadSettlement, MarkEntry, MarkList, MarkView,
};
pub(crate) use marks::{parse_mark, parse_marks};
pub use publishing::{
    latest_document, latest_results, list_publications, publication, publication_document, publish,
    results_document, results_format, sha256_hex, PublicationList, PublicationReceipt,
    PublicationSummary, ResultsFormat, StoredDocument,
};
pub use ranking::{get_ranking, rank_round, RankingView, UnsettledMark};
pub(crate) use report::position_inputs;

const MAX_REASON_CHARS: usize = 2_000;
pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 500;

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

/// A decimal as stored: unreadable only if the database was changed behind the service.
pub(crate) fn stored_decimal(what: &str, value: &str) -> AppResult<Decimal> {
    Decimal::from_str(value)
        .map_err(|e| AppError::internal_from(format!("stored {what} {value}"), e))
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

/// The round `round_id` for a write at `now`, with the VN-0 switch of rule set recorded
/// first if it is due. The caller holds the audit lock.
async fn load_round_for_write(
    w: &crate::audit::Audited<'_>,
    round_id: i32,
) -> AppResult<rounds::Model> {
    let round = load_round(w.txn(), round_id).await?;
    crate::services::round::switch_rule_set_when_due(w, round).await
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
