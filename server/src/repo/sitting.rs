//! Sittings (one candidate's attempt at one session) and their answers.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement,
};

use crate::entities::{answers, sessions, sittings};
use crate::error::AppResult;

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

/// Finishes many sittings at once (`(sitting id, status, SubmitResult JSON)`), all at `now`:
/// one statement per few hundred hand-ins.
pub async fn finish_rows<C: ConnectionTrait>(
    conn: &C,
    rows: &[(i32, &str, String)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let backend = conn.get_database_backend();
    let head = if backend == DbBackend::Postgres {
        "UPDATE sittings SET status = v.column2, result = v.column3, submitted_at = $1"
    } else {
        "UPDATE sittings SET status = v.column2, result = v.column3, submitted_at = ?"
    };
    for chunk in rows.chunks(300) {
        let values = chunk
            .iter()
            .map(|(id, status, result)| vec![(*id).into(), (*status).into(), result.clone().into()])
            .collect();
        let stmt = update_from_values(
            backend,
            head,
            vec![now.into()],
            &["INTEGER", "TEXT", "TEXT"],
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

pub async fn set_paper<C: ConnectionTrait>(
    conn: &C,
    sitting: sittings::Model,
    paper_json: String,
    paper_sha256: String,
) -> AppResult<sittings::Model> {
    let mut a: sittings::ActiveModel = sitting.into();
    a.paper = Set(Some(paper_json));
    a.paper_sha256 = Set(Some(paper_sha256));
    Ok(a.update(conn).await?)
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

/// A graded sitting as a whole-exam regrade reads it.
#[derive(Debug, Clone)]
pub struct GradedSitting {
    pub id: i32,
    pub sanction: String,
    pub paper: Option<String>,
    /// The stored `SubmitResult` JSON.
    pub result: String,
}

/// Ids of the sessions of an exam.
async fn session_ids_of_exam<C: ConnectionTrait>(conn: &C, exam_id: i32) -> AppResult<Vec<i32>> {
    Ok(sessions::Entity::find()
        .select_only()
        .column(sessions::Column::Id)
        .filter(sessions::Column::ExamId.eq(exam_id))
        .into_tuple()
        .all(conn)
        .await?)
}

/// Every graded sitting of an exam, in id order.
pub async fn graded_of_exam<C: ConnectionTrait>(
    conn: &C,
    exam_id: i32,
) -> AppResult<Vec<GradedSitting>> {
    let sessions = session_ids_of_exam(conn, exam_id).await?;
    if sessions.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i32, String, Option<String>, Option<String>)> = sittings::Entity::find()
        .select_only()
        .columns([
            sittings::Column::Id,
            sittings::Column::Sanction,
            sittings::Column::Paper,
            sittings::Column::Result,
        ])
        .filter(sittings::Column::SessionId.is_in(sessions))
        .filter(sittings::Column::Result.is_not_null())
        .order_by_asc(sittings::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, sanction, paper, result)| {
            result.map(|result| GradedSitting {
                id,
                sanction,
                paper,
                result,
            })
        })
        .collect())
}

/// The choices of every sitting of an exam, by sitting id, as `no:choices;no:choices…` (the
/// stored JSON of the choices, whose letters hold neither `:` nor `;`). The database builds
/// each sheet in one pass over `answers`, so six million answers cross to the server as a
/// hundred thousand rows; typed answers come from [`text_answers_of_exam`].
pub async fn answer_sheets_of_exam<C: ConnectionTrait>(
    conn: &C,
    exam_id: i32,
) -> AppResult<Vec<(i32, String)>> {
    let aggregate = match conn.get_database_backend() {
        DbBackend::Postgres => "string_agg",
        _ => "group_concat",
    };
    let rows = rows_of_exam(conn, exam_id, |sittings| {
        format!(
            "SELECT a.sitting_id, {aggregate}(a.item_no || ':' || a.choices, ';') FROM answers a \
             WHERE a.sitting_id IN ({sittings}) GROUP BY a.sitting_id"
        )
    })
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
        .collect()
}

/// Every typed answer (`fill_blank`) of an exam: (sitting id, question number, text).
pub async fn text_answers_of_exam<C: ConnectionTrait>(
    conn: &C,
    exam_id: i32,
) -> AppResult<Vec<(i32, i32, String)>> {
    let rows = rows_of_exam(conn, exam_id, |sittings| {
        format!(
            "SELECT a.sitting_id, a.item_no, a.text FROM answers a \
             WHERE a.text IS NOT NULL AND a.sitting_id IN ({sittings})"
        )
    })
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

/// Runs the query `sql` builds around the subquery of the exam's sitting ids.
async fn rows_of_exam<C: ConnectionTrait>(
    conn: &C,
    exam_id: i32,
    sql: impl FnOnce(&str) -> String,
) -> AppResult<Vec<sea_orm::QueryResult>> {
    let backend = conn.get_database_backend();
    let param = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let sittings = format!(
        "SELECT s.id FROM sittings s WHERE s.session_id IN \
         (SELECT se.id FROM sessions se WHERE se.exam_id = {param})"
    );
    Ok(conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql(&sittings),
            [exam_id.into()],
        ))
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
