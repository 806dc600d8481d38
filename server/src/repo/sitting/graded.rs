//! The graded sittings of a whole exam, read at once for grading them again (issue 8: a
//! hundred thousand sittings): as few rows as possible cross the driver, and results are
//! written back a few hundred per statement.

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};

use super::sql::{id_list, rows, update_from_values};
use crate::entities::sittings::SanctionColumn;
use crate::error::{AppError, AppResult};

/// A graded sitting as a whole-exam regrade reads it: the compact forms when it has them,
/// the paper's JSON only when it has not.
#[derive(Debug, Clone, FromQueryResult)]
pub struct GradedSitting {
    pub id: i32,
    pub sanction: SanctionColumn,
    pub paper_compact: Option<String>,
    /// The canonical paper JSON, read only when `paper_compact` is absent.
    pub paper: Option<String>,
    /// The compact answer sheet stored at hand-in, if any.
    pub answer_sheet: Option<String>,
    /// The stored `SubmitResult` JSON.
    pub result: String,
}

/// Field and record separators of [`compact_forms_of_sessions`] (ASCII unit and record
/// separators: no compact form, sanction, number or JSON result holds them raw).
pub const UNIT: char = '\u{1f}';
pub const RECORD: char = '\u{1e}';

/// The first `N` fields of one record of a joined read (fields separated by [`UNIT`]), or an
/// error naming what the record is and how it starts.
pub fn unit_fields<'a, const N: usize>(record: &'a str, what: &str) -> AppResult<[&'a str; N]> {
    let mut fields = record.split(UNIT);
    let mut out = [""; N];
    for slot in &mut out {
        *slot = fields
            .next()
            .ok_or_else(|| unreadable_record(record, what, "fields are missing"))?;
    }
    Ok(out)
}

/// An error about one record of a joined read: what it is, its first characters, and `why`.
pub fn unreadable_record(record: &str, what: &str, why: &str) -> AppError {
    let start: String = record.chars().take(24).collect();
    AppError::internal(format!("{what} record '{start}…': {why}"))
}

/// One session's graded sittings joined into one text.
#[derive(FromQueryResult)]
struct SessionForms {
    forms: String,
}

/// The graded sittings of the given sessions, one text per session, built by the database:
/// records `id UNIT sanction UNIT paper UNIT sheet UNIT result` joined by `RECORD`, where the
/// paper and the sheet are the compact forms, empty for a sitting graded before they were kept.
/// A hundred thousand sittings cross as a hundred texts: the driver's cost per row, not the
/// bytes, is what a whole-exam read pays (issue 8).
pub async fn compact_forms_of_sessions<C: ConnectionTrait>(
    conn: &C,
    session_ids: &[i32],
) -> AppResult<Vec<String>> {
    if session_ids.is_empty() {
        return Ok(Vec::new());
    }
    let (aggregate, chr) = match conn.get_database_backend() {
        DbBackend::Postgres => ("string_agg", "chr"),
        _ => ("group_concat", "char"),
    };
    let unit = format!("{chr}({})", UNIT as u32);
    let sessions: Vec<SessionForms> = rows(
        conn,
        format!(
            "SELECT {aggregate}(s.id || {unit} || s.sanction || {unit} || \
             coalesce(s.paper_compact, '') || {unit} || coalesce(s.answer_sheet, '') || {unit} || \
             s.result, {chr}({})) AS forms FROM sittings s \
             WHERE s.session_id IN ({}) AND s.result IS NOT NULL GROUP BY s.session_id",
            RECORD as u32,
            id_list(session_ids)
        ),
    )
    .await?;
    Ok(sessions.into_iter().map(|s| s.forms).collect())
}

/// The given graded sittings, with the paper's JSON where its compact form is absent (sittings
/// stored before the compact forms were kept), in id order.
pub async fn graded_sittings<C: ConnectionTrait>(
    conn: &C,
    sitting_ids: &[i32],
) -> AppResult<Vec<GradedSitting>> {
    if sitting_ids.is_empty() {
        return Ok(Vec::new());
    }
    rows(
        conn,
        format!(
            "SELECT s.id AS id, s.sanction AS sanction, s.paper_compact AS paper_compact, \
             CASE WHEN s.paper_compact IS NULL THEN \
             (SELECT p.paper FROM sitting_papers p WHERE p.sitting_id = s.id) END AS paper, \
             s.answer_sheet AS answer_sheet, s.result AS result \
             FROM sittings s WHERE s.id IN ({}) AND s.result IS NOT NULL ORDER BY s.id",
            id_list(sitting_ids)
        ),
    )
    .await
}

/// One sitting's choices as [`answer_sheets_of`] joins them.
#[derive(Debug, FromQueryResult)]
pub struct ChoiceSheet {
    pub sitting_id: i32,
    /// `no:choices;no:choices…`
    pub choices: String,
}

/// The choices stored in `answers` for the given sittings, as `no:choices;no:choices…` (the
/// stored JSON of the choices, whose letters hold neither `:` nor `;`): what a sitting graded
/// before compact sheets were kept is graded again from. The database builds each sheet in one
/// pass; typed answers come from [`text_answers_of`].
pub async fn answer_sheets_of<C: ConnectionTrait>(
    conn: &C,
    sitting_ids: &[i32],
) -> AppResult<Vec<ChoiceSheet>> {
    if sitting_ids.is_empty() {
        return Ok(Vec::new());
    }
    let aggregate = match conn.get_database_backend() {
        DbBackend::Postgres => "string_agg",
        _ => "group_concat",
    };
    rows(
        conn,
        format!(
            "SELECT a.sitting_id AS sitting_id, \
             {aggregate}(a.item_no || ':' || a.choices, ';') AS choices FROM answers a \
             WHERE a.sitting_id IN ({}) GROUP BY a.sitting_id",
            id_list(sitting_ids)
        ),
    )
    .await
}

/// A typed answer (`fill_blank`) of a sitting.
#[derive(Debug, FromQueryResult)]
pub struct TextAnswer {
    pub sitting_id: i32,
    pub item_no: i32,
    pub text: String,
}

/// The typed answers of the given sittings.
pub async fn text_answers_of<C: ConnectionTrait>(
    conn: &C,
    sitting_ids: &[i32],
) -> AppResult<Vec<TextAnswer>> {
    if sitting_ids.is_empty() {
        return Ok(Vec::new());
    }
    rows(
        conn,
        format!(
            "SELECT a.sitting_id AS sitting_id, a.item_no AS item_no, a.text AS text \
             FROM answers a WHERE a.text IS NOT NULL AND a.sitting_id IN ({})",
            id_list(sitting_ids)
        ),
    )
    .await
}

/// Stores many results at once (`(sitting id, SubmitResult JSON)`), a few hundred per statement.
pub async fn set_results<C: ConnectionTrait>(conn: &C, results: &[(i32, String)]) -> AppResult<()> {
    for chunk in results.chunks(500) {
        let rows = chunk
            .iter()
            .map(|(id, result)| vec![(*id).into(), result.clone().into()])
            .collect();
        let stmt = update_from_values(
            conn.get_database_backend(),
            "UPDATE sittings SET result = v.column2",
            Vec::new(),
            &["INTEGER", "TEXT"],
            rows,
        );
        conn.execute_raw(stmt).await?;
    }
    Ok(())
}
