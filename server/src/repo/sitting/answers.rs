//! A sitting's answers: read for its page and its grading, written by the answer writer.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashSet;

use crate::entities::answers;
use crate::error::AppResult;

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

/// An accepted answer, as it is stored.
pub struct AnswerRow {
    /// The normalised choices, as JSON.
    pub choices_json: String,
    pub text: Option<String>,
    pub seq: i64,
}

/// Which answer (sitting, question number) a row of the upsert wrote.
#[derive(FromQueryResult)]
struct Written {
    sitting_id: i32,
    item_no: i32,
}

/// One statement for a whole batch: inserts each answer, or replaces a stored one whose `seq`
/// is older. Returns the (sitting, question) pairs actually written.
pub async fn upsert_newer<'a, C: ConnectionTrait>(
    conn: &C,
    rows: impl ExactSizeIterator<Item = ((i32, u32), &'a AnswerRow)>,
    now: DateTime<Utc>,
) -> AppResult<HashSet<(i32, u32)>> {
    if rows.len() == 0 {
        return Ok(HashSet::new());
    }
    let mut stmt = Query::insert();
    stmt.into_table(answers::Entity).columns([
        answers::Column::SittingId,
        answers::Column::ItemNo,
        answers::Column::Choices,
        answers::Column::Text,
        answers::Column::Seq,
        answers::Column::SavedAt,
    ]);
    for ((sitting_id, no), row) in rows {
        stmt.values_panic([
            sitting_id.into(),
            (no as i32).into(),
            row.choices_json.clone().into(),
            row.text.clone().into(),
            row.seq.into(),
            now.into(),
        ]);
    }
    stmt.on_conflict(
        OnConflict::columns([answers::Column::SittingId, answers::Column::ItemNo])
            .update_columns([
                answers::Column::Choices,
                answers::Column::Text,
                answers::Column::Seq,
                answers::Column::SavedAt,
            ])
            .action_and_where(
                Expr::col((answers::Entity, answers::Column::Seq))
                    .lt(Expr::col((Alias::new("excluded"), answers::Column::Seq))),
            )
            .to_owned(),
    )
    .returning(Query::returning().columns([answers::Column::SittingId, answers::Column::ItemNo]));
    let mut written = HashSet::new();
    for r in conn.query_all(&stmt).await? {
        let w = Written::from_query_result(&r, "")?;
        written.insert((w.sitting_id, w.item_no as u32));
    }
    Ok(written)
}

#[derive(FromQueryResult)]
struct StoredSeq {
    seq: i64,
}

/// The `seq` of the stored answer to question `no`, if any.
pub async fn stored_seq<C: ConnectionTrait>(
    conn: &C,
    sitting_id: i32,
    no: u32,
) -> AppResult<Option<i64>> {
    Ok(answers::Entity::find()
        .select_only()
        .column(answers::Column::Seq)
        .filter(answers::Column::SittingId.eq(sitting_id))
        .filter(answers::Column::ItemNo.eq(no as i32))
        .into_model::<StoredSeq>()
        .one(conn)
        .await?
        .map(|s| s.seq))
}
