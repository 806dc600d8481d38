//! Raw statements the sitting reads and writes share: what sea-orm's builder does not write
//! (an `UPDATE … FROM (VALUES …)`, aggregates across backends, very long id lists).

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement};

use crate::error::AppResult;

/// `1,2,3`: ids are integers, written into the statement as such (a list of a hundred
/// thousand would exceed the parameters a statement may bind).
pub(super) fn id_list(ids: &[i32]) -> String {
    let mut out = String::with_capacity(ids.len() * 7);
    for (k, id) in ids.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push_str(&id.to_string());
    }
    out
}

/// The rows of a statement without parameters, each read into `T` by column name.
pub(super) async fn rows<T: FromQueryResult, C: ConnectionTrait>(
    conn: &C,
    sql: String,
) -> AppResult<Vec<T>> {
    let backend = conn.get_database_backend();
    Ok(T::find_by_statement(Statement::from_string(backend, sql))
        .all(conn)
        .await?)
}

/// `{head} FROM (VALUES (…), …) AS v WHERE sittings.id = v.column1`, with `head_values` bound
/// first (as `?`/`$n` in `head`) and each row's values cast to `types` (PostgreSQL cannot infer
/// the types of parameters in a `VALUES` list).
pub(super) fn update_from_values(
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
