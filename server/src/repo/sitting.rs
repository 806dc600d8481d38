//! Sittings (one candidate's attempt at one session) and their answers.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement,
};

use crate::entities::{answers, sitting_papers, sittings};
use crate::error::{AppError, AppResult};

pub const WAITING: &str = "waiting";
pub const SUBMITTED: &str = "submitted";
pub const CLOSED: &str = "closed";

pub async fn find<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<Option<sittings::Model>> {
    Ok(sittings::Entity::find_by_id(id).one(conn).await?)
}

/// Reads a sitting and, on PostgreSQL, locks its row until the transaction ends (SQLite's
/// write transaction already excludes every other writer).
pub async fn find_for_update<C: ConnectionTrait>(
    conn: &C,
    id: i32,
) -> AppResult<Option<sittings::Model>> {
    Ok(sittings::Entity::find_by_id(id)
        .lock_exclusive()
        .one(conn)
        .await?)
}

pub async fn find_by_ticket<C: ConnectionTrait>(
    conn: &C,
    ticket_no: &str,
) -> AppResult<Option<sittings::Model>> {
    Ok(sittings::Entity::find()
        .filter(sittings::Column::TicketNo.eq(ticket_no))
        .one(conn)
        .await?)
}

/// Makes `login` the only live login of the sitting (a newer login locks older pages out).
pub async fn record_login<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    login: &str,
    now: DateTime<Utc>,
) -> AppResult<sittings::Model> {
    let first = sitting.first_login_at.unwrap_or(now);
    let count = sitting.login_count + 1;
    let mut a: sittings::ActiveModel = sitting.into();
    a.active_login = Set(Some(login.to_string()));
    a.first_login_at = Set(Some(first));
    a.login_count = Set(count);
    Ok(a.update(conn).await?)
}

pub async fn answers_of<C: ConnectionTrait>(
    conn: &C,
    sitting_id: i32,
) -> AppResult<Vec<answers::Model>> {
    Ok(answers::Entity::find()
        .filter(answers::Column::SittingId.eq(sitting_id))
        .order_by_asc(answers::Column::ItemNo)
        .all(conn)
        .await?)
}

pub async fn answers_of_many<C: ConnectionTrait>(
    conn: &C,
    sitting_ids: Vec<i32>,
) -> AppResult<Vec<answers::Model>> {
    Ok(answers::Entity::find()
        .filter(answers::Column::SittingId.is_in(sitting_ids))
        .all(conn)
        .await?)
}

/// A hand-in as [`finish_rows`] stores it.
pub struct FinishRow {
    pub sitting_id: i32,
    pub status: &'static str,
    /// The `SubmitResult` JSON.
    pub result: String,
    /// The answers graded, in compact form.
    pub sheet: String,
}

/// Finishes many sittings at once, all at `now`: one statement per few hundred hand-ins.
pub async fn finish_rows<C: ConnectionTrait>(
    conn: &C,
    rows: &[FinishRow],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let backend = conn.get_database_backend();
    let head = if backend == DbBackend::Postgres {
        "UPDATE sittings SET status = v.column2, result = v.column3, answer_sheet = v.column4, \
         submitted_at = $1"
    } else {
        "UPDATE sittings SET status = v.column2, result = v.column3, answer_sheet = v.column4, \
         submitted_at = ?"
    };
    for chunk in rows.chunks(250) {
        let values = chunk
            .iter()
            .map(|r| {
                vec![
                    r.sitting_id.into(),
                    r.status.into(),
                    r.result.clone().into(),
                    r.sheet.clone().into(),
                ]
            })
            .collect();
        let stmt = update_from_values(
            backend,
            head,
            vec![now.into()],
            &["INTEGER", "TEXT", "TEXT", "TEXT"],
            values,
        );
        conn.execute_raw(stmt).await?;
    }
    Ok(())
}

/// Replaces the stored result of a graded sitting (it is graded again).
pub async fn set_result<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    result_json: String,
) -> AppResult<sittings::Model> {
    let mut a: sittings::ActiveModel = sitting.into();
    a.result = Set(Some(result_json));
    Ok(a.update(conn).await?)
}

pub async fn set_ends_at<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    ends_at: DateTime<Utc>,
    extra_minutes: i32,
) -> AppResult<sittings::Model> {
    let mut a: sittings::ActiveModel = sitting.into();
    a.ends_at = Set(ends_at);
    a.extra_minutes = Set(extra_minutes);
    Ok(a.update(conn).await?)
}

pub async fn admit_late<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
) -> AppResult<sittings::Model> {
    let mut a: sittings::ActiveModel = sitting.into();
    a.late_admitted = Set(true);
    Ok(a.update(conn).await?)
}

/// Sittings whose time is up but which nobody has closed yet.
pub async fn due_for_closing<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> AppResult<Vec<sittings::Model>> {
    Ok(sittings::Entity::find()
        .filter(sittings::Column::Status.eq(WAITING))
        .filter(sittings::Column::EndsAt.lte(now))
        .all(conn)
        .await?)
}

/// Stores the sitting's paper: its canonical JSON, the hash of that, and the compact form the
/// whole-exam grader reads.
pub async fn set_paper<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    paper: &question_bank::paper::Paper,
) -> AppResult<sittings::Model> {
    let id = sitting.id;
    let mut a: sittings::ActiveModel = sitting.into();
    a.paper_sha256 = Set(Some(paper.sha256()));
    a.paper_compact = Set(Some(question_bank::compact::paper_to_compact(paper)));
    let sitting = a.update(conn).await?;
    drop_paper_json(conn, id).await?;
    insert_paper_json(conn, id, paper.canonical_json()).await?;
    Ok(sitting)
}

pub async fn insert_paper_json<C: ConnectionTrait>(
    conn: &C,
    sitting_id: i32,
    json: String,
) -> AppResult<()> {
    sitting_papers::Entity::insert(sitting_papers::ActiveModel {
        sitting_id: Set(sitting_id),
        paper: Set(json),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub async fn drop_paper_json<C: ConnectionTrait>(conn: &C, sitting_id: i32) -> AppResult<()> {
    sitting_papers::Entity::delete_by_id(sitting_id)
        .exec(conn)
        .await?;
    Ok(())
}

/// The canonical JSON of the given sittings' papers, by sitting id (those without a paper are
/// left out).
pub async fn paper_jsons<C: ConnectionTrait>(
    conn: &C,
    sitting_ids: &[i32],
) -> AppResult<std::collections::HashMap<i32, String>> {
    let mut out = std::collections::HashMap::new();
    for chunk in sitting_ids.chunks(500) {
        let rows = sitting_papers::Entity::find()
            .filter(sitting_papers::Column::SittingId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?;
        out.extend(rows.into_iter().map(|r| (r.sitting_id, r.paper)));
    }
    Ok(out)
}

/// A sitting replaced by a re-sitting after a machine failure (VN-23); it is never graded.
pub const VOID: &str = "void";

pub async fn insert_incident<C: ConnectionTrait>(
    conn: &C,
    session_id: i32,
    sitting_id: Option<i32>,
    kind: &str,
    note: &str,
    recorded_by: &str,
    now: DateTime<Utc>,
) -> AppResult<crate::entities::incidents::Model> {
    Ok(crate::entities::incidents::ActiveModel {
        session_id: Set(session_id),
        sitting_id: Set(sitting_id),
        kind: Set(kind.to_string()),
        note: Set(note.to_string()),
        recorded_by: Set(recorded_by.to_string()),
        at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

pub async fn incidents_of_session<C: ConnectionTrait>(
    conn: &C,
    session_id: i32,
) -> AppResult<Vec<crate::entities::incidents::Model>> {
    use crate::entities::incidents;
    Ok(incidents::Entity::find()
        .filter(incidents::Column::SessionId.eq(session_id))
        .order_by_asc(incidents::Column::Id)
        .all(conn)
        .await?)
}

pub async fn set_status<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    status: &str,
) -> AppResult<sittings::Model> {
    let mut a: sittings::ActiveModel = sitting.into();
    a.status = Set(status.to_string());
    Ok(a.update(conn).await?)
}

pub async fn set_sanction<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    sanction: &str,
) -> AppResult<sittings::Model> {
    let mut a: sittings::ActiveModel = sitting.into();
    a.sanction = Set(sanction.to_string());
    Ok(a.update(conn).await?)
}

pub async fn count_in_session<C: ConnectionTrait>(conn: &C, session_id: i32) -> AppResult<usize> {
    Ok(sittings::Entity::find()
        .filter(sittings::Column::SessionId.eq(session_id))
        .all(conn)
        .await?
        .len())
}

pub async fn set_pin_hash<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    digest: String,
) -> AppResult<sittings::Model> {
    let mut a: sittings::ActiveModel = sitting.into();
    a.pin_hash = Set(Some(digest));
    Ok(a.update(conn).await?)
}

/// A graded sitting as a whole-exam regrade reads it: the compact forms when it has them,
/// the paper's JSON only when it has not.
#[derive(Debug, Clone)]
pub struct GradedSitting {
    pub id: i32,
    pub sanction: String,
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
    AppError::Internal(format!("{what} record '{start}…': {why}"))
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
    let rows = rows_where(
        conn,
        format!(
            "SELECT {aggregate}(s.id || {unit} || s.sanction || {unit} || \
             coalesce(s.paper_compact, '') || {unit} || coalesce(s.answer_sheet, '') || {unit} || \
             s.result, {chr}({})) FROM sittings s \
             WHERE s.session_id IN ({}) AND s.result IS NOT NULL GROUP BY s.session_id",
            RECORD as u32,
            id_list(session_ids)
        ),
    )
    .await?;
    rows.iter().map(|r| Ok(r.try_get_by_index(0)?)).collect()
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
    let rows = rows_where(
        conn,
        format!(
            "SELECT s.id, s.sanction, s.paper_compact, \
             CASE WHEN s.paper_compact IS NULL THEN \
             (SELECT p.paper FROM sitting_papers p WHERE p.sitting_id = s.id) END, \
             s.answer_sheet, s.result \
             FROM sittings s WHERE s.id IN ({}) AND s.result IS NOT NULL ORDER BY s.id",
            id_list(sitting_ids)
        ),
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(GradedSitting {
                id: r.try_get_by_index(0)?,
                sanction: r.try_get_by_index(1)?,
                paper_compact: r.try_get_by_index(2)?,
                paper: r.try_get_by_index(3)?,
                answer_sheet: r.try_get_by_index(4)?,
                result: r.try_get_by_index(5)?,
            })
        })
        .collect()
}

/// The choices stored in `answers` for the given sittings, by sitting id, as
/// `no:choices;no:choices…` (the stored JSON of the choices, whose letters hold neither `:`
/// nor `;`): what a sitting graded before compact sheets were kept is graded again from. The
/// database builds each sheet in one pass; typed answers come from [`text_answers_of`].
pub async fn answer_sheets_of<C: ConnectionTrait>(
    conn: &C,
    sitting_ids: &[i32],
) -> AppResult<Vec<(i32, String)>> {
    if sitting_ids.is_empty() {
        return Ok(Vec::new());
    }
    let aggregate = match conn.get_database_backend() {
        DbBackend::Postgres => "string_agg",
        _ => "group_concat",
    };
    let rows = rows_where(
        conn,
        format!(
            "SELECT a.sitting_id, {aggregate}(a.item_no || ':' || a.choices, ';') FROM answers a \
             WHERE a.sitting_id IN ({}) GROUP BY a.sitting_id",
            id_list(sitting_ids)
        ),
    )
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
        .collect()
}

/// The typed answers (`fill_blank`) of the given sittings: (sitting id, question number, text).
pub async fn text_answers_of<C: ConnectionTrait>(
    conn: &C,
    sitting_ids: &[i32],
) -> AppResult<Vec<(i32, i32, String)>> {
    if sitting_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = rows_where(
        conn,
        format!(
            "SELECT a.sitting_id, a.item_no, a.text FROM answers a \
             WHERE a.text IS NOT NULL AND a.sitting_id IN ({})",
            id_list(sitting_ids)
        ),
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get_by_index(0)?,
                r.try_get_by_index(1)?,
                r.try_get_by_index(2)?,
            ))
        })
        .collect()
}

/// `1,2,3`: ids are integers, written into the statement as such (a list of a hundred
/// thousand would exceed the parameters a statement may bind).
fn id_list(ids: &[i32]) -> String {
    let mut out = String::with_capacity(ids.len() * 7);
    for (k, id) in ids.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push_str(&id.to_string());
    }
    out
}

async fn rows_where<C: ConnectionTrait>(
    conn: &C,
    sql: String,
) -> AppResult<Vec<sea_orm::QueryResult>> {
    let backend = conn.get_database_backend();
    Ok(conn
        .query_all_raw(Statement::from_string(backend, sql))
        .await?)
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

/// `{head} FROM (VALUES (…), …) AS v WHERE sittings.id = v.column1`, with `head_values` bound
/// first (as `?`/`$n` in `head`) and each row's values cast to `types` (PostgreSQL cannot infer
/// the types of parameters in a `VALUES` list).
fn update_from_values(
    backend: DbBackend,
    head: &str,
    head_values: Vec<sea_orm::Value>,
    types: &[&str],
    rows: Vec<Vec<sea_orm::Value>>,
) -> Statement {
    let mut sql = format!("{head} FROM (VALUES ");
    let mut values = head_values;
    for (k, row) in rows.into_iter().enumerate() {
        if k > 0 {
            sql.push(',');
        }
        let bound = values.len();
        let cells: Vec<String> = types
            .iter()
            .enumerate()
            .map(|(i, t)| match backend {
                DbBackend::Postgres => format!("CAST(${} AS {t})", bound + 1 + i),
                _ => "?".to_string(),
            })
            .collect();
        sql.push_str(&format!("({})", cells.join(", ")));
        values.extend(row);
    }
    sql.push_str(") AS v WHERE sittings.id = v.column1");
    Statement::from_sql_and_values(backend, sql, values)
}
