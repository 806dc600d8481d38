//! Applications imported from a CSV or Excel file: every row is checked as the JSON endpoint
//! checks one application, the one-application rule (VN-16) holds across the file and the
//! round, and the file is taken whole or not at all. A dry run previews the rows.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::{Action, Audited};
use crate::entities::rounds;
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::services::lookup;
use crate::state::AppState;
use crate::vietnam_time::vietnam_today;
use question_bank::FieldError;

use super::check::{check_application, CheckedApplication, NewApplication, RoundRules, Site};
use super::fraud_bar::FraudBar;
use super::import::{self, FileFormat, Row};

/// One row of an import as it would be stored (dry runs).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportPreviewRow {
    pub row: usize,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub gender: String,
    pub national_id: String,
    pub position_code: String,
    pub agency_preferences: Vec<String>,
    pub priority_groups: Vec<String>,
    pub exemptions: Vec<String>,
    pub priority_points: String,
}

impl ImportPreviewRow {
    fn new(row: usize, a: CheckedApplication) -> ImportPreviewRow {
        ImportPreviewRow {
            row,
            full_name: a.full_name,
            date_of_birth: a.date_of_birth,
            gender: a.gender.to_string(),
            national_id: a.national_id,
            position_code: a.position_code,
            agency_preferences: a.agency_preferences,
            priority_groups: a.priority_groups,
            exemptions: a.exemptions,
            priority_points: a.priority_points,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Applications imported (in a dry run: that would be imported).
    pub imported: usize,
    /// Empty in a dry run.
    pub application_ids: Vec<i32>,
    /// Dry runs only: every row as it would be stored.
    pub preview: Vec<ImportPreviewRow>,
}

/// The 422 of a refused file: every problem, nothing imported.
fn nothing_imported(file: &str, errors: Vec<FieldError>) -> AppError {
    AppError::invalid(
        format!(
            "{} problem(s) in {file}; nothing was imported",
            errors.len()
        ),
        errors,
    )
}

/// Imports a file of applications: every row or none. With `dry_run`, nothing is stored and
/// the report previews the rows.
#[tracing::instrument(skip_all, fields(actor = actor, round_id = round_id))]
pub async fn import_applications(
    state: &AppState,
    actor: &str,
    round_id: i32,
    format: &str,
    dry_run: bool,
    bytes: &[u8],
) -> AppResult<ImportReport> {
    let format = FileFormat::parse(format).ok_or_else(|| {
        AppError::field(
            "format",
            format!("unknown format '{format}' (expected csv or xlsx)"),
        )
    })?;
    let file = format.file_name();
    // Parsing is CPU-bound (bounded by the import limits): off the async workers.
    let owned = bytes.to_vec();
    let rows = crate::parallel::blocking(move || import::read_rows(format, &owned))
        .await?
        .map_err(|e| nothing_imported(file, e))?;
    if dry_run {
        // A preview changes nothing: no audit lock, and the transaction is dropped unwritten.
        let txn = crate::db::begin_write(&state.db).await?;
        let today = vietnam_today(state.now());
        let checked = checked_rows(&txn, file, &rows, round_id, today).await?;
        return Ok(ImportReport {
            dry_run: true,
            imported: checked.len(),
            application_ids: Vec::new(),
            preview: checked
                .into_iter()
                .map(|(row, a)| ImportPreviewRow::new(row, a))
                .collect(),
        });
    }
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let checked = checked_rows(txn, file, &rows, round_id, vietnam_today(now)).await?;
    let mut ids = Vec::with_capacity(checked.len());
    for (_, a) in &checked {
        let stored = repo::round::insert_application_record(txn, a.record(round_id), now).await?;
        ids.push(stored.id);
    }
    w.record(
        actor,
        Action::ApplicationImport,
        round_id,
        serde_json::json!({
            "format": format.code(),
            "file_sha256": hex::encode(Sha256::digest(bytes)),
            "imported": ids.len(),
            "application_ids": ids,
        }),
    );
    w.commit().await?;
    Ok(ImportReport {
        dry_run: false,
        imported: ids.len(),
        application_ids: ids,
        preview: Vec::new(),
    })
}

/// The file's rows as the round's rules judge them (read in `conn`), or every problem found.
async fn checked_rows<C: ConnectionTrait>(
    conn: &C,
    file: &str,
    rows: &[Row],
    round_id: i32,
    today: NaiveDate,
) -> AppResult<Vec<(usize, CheckedApplication)>> {
    let round = lookup::round(conn, round_id).await?;
    let rules = RoundRules::load(conn, &round).await?;
    let taken = applied_already(conn, &round).await?;
    let bar = FraudBar::load(conn, &round).await?;
    check_rows(file, rows, (&rules, &bar), today, &round, taken)
        .map_err(|e| nothing_imported(file, e))
}

/// Under VN-16, the national ids that already applied in the round, each with why it is taken.
async fn applied_already<C: ConnectionTrait>(
    conn: &C,
    round: &rounds::Model,
) -> AppResult<HashMap<String, String>> {
    let mut taken = HashMap::new();
    if round.one_application_per_candidate {
        for (nid, id) in repo::round::national_ids_of_round(conn, round.id).await? {
            taken
                .entry(nid)
                .or_insert_with(|| format!("already applied in this round (application {id})"));
        }
    }
    Ok(taken)
}

/// Every row checked, with its row number; or every problem of the file.
fn check_rows(
    file: &str,
    rows: &[Row],
    (rules, bar): (&RoundRules, &FraudBar),
    today: NaiveDate,
    round: &rounds::Model,
    mut taken: HashMap<String, String>,
) -> Result<Vec<(usize, CheckedApplication)>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut checked = Vec::with_capacity(rows.len());
    for row in rows {
        let input = row_input(file, row, &mut errors);
        let a = match check_application(&input, rules, today, &Site::File { file, row }) {
            Ok(a) => a,
            Err(e) => {
                errors.extend(e);
                continue;
            }
        };
        if let Some(refusal) = bar.refusal(&a.national_id, a.linked_national_id.as_deref()) {
            errors.push(FieldError::new(row.location(file, "national_id"), refusal));
            continue;
        }
        if round.one_application_per_candidate {
            if let Some(why) = taken.get(&a.national_id) {
                errors.push(FieldError::new(
                    row.location(file, "national_id"),
                    format!(
                        "the candidate with national id {} {why}; one application per \
                         candidate (VN-16)",
                        a.national_id
                    ),
                ));
                continue;
            }
            taken.insert(
                a.national_id.clone(),
                format!("already applies in row {} of this file", row.row),
            );
        }
        checked.push((row.row, a));
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(errors)
    }
}

/// The application a row spells; cells that could not be read are reported and left empty.
fn row_input(file: &str, row: &Row, errors: &mut Vec<FieldError>) -> NewApplication {
    let mut text = |column: &str| -> String {
        match row.cells.get(column) {
            Some(Ok(v)) => v.clone(),
            Some(Err(e)) => {
                errors.push(FieldError::new(row.location(file, column), e.clone()));
                String::new()
            }
            None => String::new(),
        }
    };
    NewApplication {
        full_name: text("full_name"),
        date_of_birth: text("date_of_birth"),
        gender: text("gender"),
        national_id: text("national_id"),
        position_code: text("position_code"),
        agency_preferences: import::split_list(&text("agency_preferences")),
        priority_groups: import::split_list(&text("priority_groups")),
        exemptions: import::split_list(&text("exemptions")),
        linked_national_id: None,
    }
}
