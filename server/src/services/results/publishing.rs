//! Publishing results and reading them back: a publication seals the ranking of every
//! position (canonical JSON, SHA-256, audit-chain head) and never changes afterwards; the public
//! reads it as JSON, a workbook or a PDF, all made from the same stored document.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::load_round_for_write;
use super::ranking::RoundData;
use super::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::audit::{Action, Audited};
use crate::entities::{publications, rounds};
use crate::error::{AppError, AppResult};
use crate::publication::{entry_views, PublicResults, PublishedDocument, PublishedPosition};
use crate::repo;
use crate::rules::RankingStatus;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicationReceipt {
    pub id: i32,
    pub sha256: String,
    pub published_at: DateTime<Utc>,
    pub url: String,
    pub audit_head: String,
}

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn public_url(round_code: &str, id: i32) -> String {
    format!("/api/v1/public/rounds/{round_code}/publications/{id}")
}

/// The document of the round as it would be published: every position's ranking, refused
/// while a tie awaits the head (VN-11) or a mark awaits a head or a third marker (VN-26, VN-28).
fn document(data: &RoundData) -> AppResult<PublishedDocument> {
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
    Ok(PublishedDocument {
        round: data.round.code.clone(),
        round_name: data.round.name.clone(),
        positions,
    })
}

#[tracing::instrument(skip_all, fields(actor = actor, round_id = round_id))]
pub async fn publish(
    state: &AppState,
    actor: &str,
    round_id: i32,
) -> AppResult<PublicationReceipt> {
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let round = load_round_for_write(&w, round_id).await?;
    let data = RoundData::load(txn, round, crate::vietnam_time::vietnam_today(now)).await?;
    let document = document(&data)?;
    let canonical = question_bank::seal::canonical_json(&document)
        .map_err(|e| AppError::internal_from("canonical results", e))?;
    let sha256 = sha256_hex(&canonical);
    let audit_head = crate::audit::head(txn).await?;
    let publication = repo::results::insert_publication(
        txn,
        round_id,
        canonical,
        sha256.clone(),
        audit_head.clone(),
        actor,
        now,
    )
    .await?;
    // The documents are made here, once: publication day's crowd is served stored bytes.
    let results = public_results(publication.clone())?;
    for format in ResultsFormat::DOCUMENTS {
        let made = results_document(&results, format)?;
        let sha256 = hex::encode(Sha256::digest(&made.bytes));
        repo::results::insert_publication_document(
            txn,
            publication.id,
            format.code(),
            made.bytes,
            sha256,
        )
        .await?;
    }
    w.record(
        actor,
        Action::ResultsPublish,
        publication.id,
        serde_json::json!({
            "round_id": round_id,
            "sha256": sha256,
            "audit_head": audit_head,
        }),
    );
    w.commit().await?;
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
        .map_err(|e| AppError::internal_from(format!("stored publication {}", p.id), e))?;
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

#[tracing::instrument(skip_all)]
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

#[tracing::instrument(skip_all, fields(id = id))]
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
#[tracing::instrument(skip_all)]
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

impl ResultsFormat {
    /// The formats stored as documents at publication.
    pub const DOCUMENTS: [ResultsFormat; 2] = [ResultsFormat::Pdf, ResultsFormat::Xlsx];

    pub fn code(self) -> &'static str {
        match self {
            ResultsFormat::Json => "json",
            ResultsFormat::Xlsx => "xlsx",
            ResultsFormat::Pdf => "pdf",
        }
    }
}

/// A publication's document as served: the file and the SHA-256 of its bytes (its `ETag`).
pub struct StoredDocument {
    pub file: crate::download::Download,
    pub sha256: String,
}

/// The latest publication's document in `format` (a workbook or a PDF), as stored.
pub async fn latest_document(
    state: &AppState,
    round_code: &str,
    format: ResultsFormat,
) -> AppResult<StoredDocument> {
    let round = public_round(state, round_code).await?;
    let p = repo::results::latest_publication(&state.db, round.id)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "the results of round '{round_code}' are not published"
            ))
        })?;
    stored_document(state, &round.code, p, format).await
}

/// One publication's document in `format`, as stored.
pub async fn publication_document(
    state: &AppState,
    round_code: &str,
    id: i32,
    format: ResultsFormat,
) -> AppResult<StoredDocument> {
    let round = public_round(state, round_code).await?;
    let p = repo::results::find_publication(&state.db, round.id, id)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!("no publication {id} of round '{round_code}'"))
        })?;
    stored_document(state, &round.code, p, format).await
}

/// The stored bytes; a publication made before documents were stored gets them made and
/// stored on its first read (a concurrent first read may store them first: then these are
/// served as made, the same bytes).
async fn stored_document(
    state: &AppState,
    round_code: &str,
    p: publications::Model,
    format: ResultsFormat,
) -> AppResult<StoredDocument> {
    let publication_id = p.id;
    if let Some(doc) =
        repo::results::find_publication_document(&state.db, publication_id, format.code()).await?
    {
        let stem = crate::publication::file_stem(round_code, publication_id);
        return Ok(StoredDocument {
            file: document_file(&stem, format, doc.bytes),
            sha256: doc.sha256,
        });
    }
    let results = public_results(p)?;
    let made = results_document(&results, format)?;
    let sha256 = hex::encode(Sha256::digest(&made.bytes));
    if let Err(e) = repo::results::insert_publication_document(
        &state.db,
        publication_id,
        format.code(),
        made.bytes.clone(),
        sha256.clone(),
    )
    .await
    {
        tracing::warn!(error = %e, publication_id, "storing a publication's document failed");
    }
    Ok(StoredDocument { file: made, sha256 })
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
    let bytes = match format {
        ResultsFormat::Xlsx => crate::publication::xlsx::results_xlsx(r)
            .map_err(|e| AppError::internal(format!("results workbook: {e}")))?,
        ResultsFormat::Pdf | ResultsFormat::Json => crate::publication::pdf::results_pdf(r)
            .map_err(|e| AppError::internal(format!("results PDF: {e}")))?,
    };
    Ok(document_file(&stem, format, bytes))
}

/// A workbook is saved, a PDF shown.
fn document_file(stem: &str, format: ResultsFormat, bytes: Vec<u8>) -> crate::download::Download {
    match format {
        ResultsFormat::Xlsx => crate::download::Download::attachment(
            format!("{stem}.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        ),
        ResultsFormat::Pdf | ResultsFormat::Json => {
            crate::download::Download::inline(format!("{stem}.pdf"), "application/pdf", bytes)
        }
    }
}
