//! Reading sittings' papers: from the compact form, which decodes to the very paper whose
//! hash was published, or, for a sitting stored before that form was kept, from its
//! canonical JSON.

use question_bank::paper::Paper;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

use crate::entities::sittings;
use crate::error::{AppError, AppResult};
use crate::repo;

/// The sitting's paper (an error if it has none yet).
pub(crate) async fn paper_of<C: ConnectionTrait>(
    conn: &C,
    sitting: &sittings::Model,
) -> AppResult<Paper> {
    papers_of(conn, [sitting])
        .await?
        .remove(&sitting.id)
        .unwrap_or_else(|| {
            Err(AppError::internal(format!(
                "sitting {} has no paper",
                sitting.id
            )))
        })
}

/// The papers of the given sittings, by sitting id (those without a paper are left out). A
/// paper that cannot be read is an error of its sitting alone; `Err` itself is the database's.
pub(crate) async fn papers_of<'a, C: ConnectionTrait>(
    conn: &C,
    sittings: impl IntoIterator<Item = &'a sittings::Model>,
) -> AppResult<HashMap<i32, AppResult<Paper>>> {
    let unreadable = |id: i32, e: &dyn std::fmt::Display| {
        AppError::internal(format!("paper of sitting {id} unreadable: {e}"))
    };
    let mut out = HashMap::new();
    let mut older = Vec::new();
    for s in sittings.into_iter().filter(|s| s.paper_sha256.is_some()) {
        match &s.paper_compact {
            Some(compact) => {
                let paper = question_bank::compact::paper_from_compact(compact)
                    .map_err(|e| unreadable(s.id, &e));
                out.insert(s.id, paper);
            }
            None => older.push(s.id),
        }
    }
    for (id, json) in repo::sitting::paper_jsons(conn, &older).await? {
        out.insert(
            id,
            serde_json::from_str(&json).map_err(|e| unreadable(id, &e)),
        );
    }
    Ok(out)
}
