//! Exports of a bank in the formats exam boards use, and the CSV / Excel templates of the
//! column layout (`question_bank::format::CSV_LAYOUT_DOC`).

use question_bank::format::{self, Format};
use question_bank::ItemStatus;

use crate::download::{safe_file_name, Download};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::bank::ItemFilter;
use crate::state::AppState;

use super::banks::bank_or_404;
use super::items::stored_item;

/// The name of the templates' files.
const TEMPLATE_STEM: &str = "mau-ngan-hang-cau-hoi";

/// The bank's items (current versions, by id) as `format`. Retired items are left out unless
/// `status` asks for them.
#[tracing::instrument(skip_all, fields(bank_id = bank_id))]
pub async fn export_bank(
    state: &AppState,
    bank_id: i32,
    format: Format,
    status: Option<ItemStatus>,
) -> AppResult<Download> {
    let bank = bank_or_404(&state.db, bank_id).await?;
    let filter = ItemFilter {
        status: status.map(|s| s.code().to_string()),
        exclude_retired: status.is_none(),
        ..ItemFilter::default()
    };
    let rows = repo::bank::all_items(&state.db, bank_id, &filter).await?;
    let versions = repo::bank::current_versions(&state.db, &rows).await?;
    let items = rows
        .iter()
        .map(|row| {
            versions
                .get(&row.id)
                .ok_or_else(|| {
                    AppError::internal(format!("item {} has no current version", row.id))
                })
                .and_then(stored_item)
        })
        .collect::<AppResult<Vec<_>>>()?;
    let bytes = tokio::task::spawn_blocking(move || format::export(format, &items))
        .await
        .map_err(|e| AppError::internal_from("export task", e))??;
    Ok(Download::attachment(
        safe_file_name(&bank.code, format.file_extension()),
        format.content_type(),
        bytes,
    ))
}

/// The downloadable template of the CSV or Excel layout, with example rows.
pub fn template(format: &str) -> AppResult<Download> {
    let (format, bytes) = match format {
        "csv" => (Format::Csv, format::csv_template()),
        "xlsx" => (Format::Xlsx, format::xlsx_template()?),
        other => {
            return Err(AppError::NotFound(format!(
                "no template '{other}' (csv or xlsx)"
            )))
        }
    };
    Ok(Download::attachment(
        safe_file_name(TEMPLATE_STEM, format.file_extension()),
        format.content_type(),
        bytes,
    ))
}
