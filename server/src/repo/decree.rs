//! What the amended decree reads across a round's tables: whether anything has happened that
//! fixes its rules (VN-0), and who was struck off for fraud in an authority's previous round
//! (VN-16).

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entities::{applications, head_decisions, marks, publications, rounds, strike_offs};
use crate::error::AppResult;

/// What already exists in the round that its rules must keep meaning: a mark entered, a
/// publication, a head decision or a strike-off (the computer sessions are read by
/// `round::first_started_session`). `None` when there is nothing.
pub async fn first_result_of_round<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Option<&'static str>> {
    if marks::Entity::find()
        .filter(marks::Column::RoundId.eq(round_id))
        .count(conn)
        .await?
        > 0
    {
        return Ok(Some("a mark has been entered"));
    }
    if publications::Entity::find()
        .filter(publications::Column::RoundId.eq(round_id))
        .count(conn)
        .await?
        > 0
    {
        return Ok(Some("results have been published"));
    }
    if head_decisions::Entity::find()
        .filter(head_decisions::Column::RoundId.eq(round_id))
        .count(conn)
        .await?
        > 0
    {
        return Ok(Some("a head decision has been recorded"));
    }
    if strike_offs::Entity::find()
        .filter(strike_offs::Column::RoundId.eq(round_id))
        .count(conn)
        .await?
        > 0
    {
        return Ok(Some("a winner has been struck off"));
    }
    Ok(None)
}

/// The round of the same recruiting authority created just before `round` (VN-16: the bar
/// reaches the next round only).
pub async fn previous_round_of_authority<C: ConnectionTrait>(
    conn: &C,
    round: &rounds::Model,
) -> AppResult<Option<rounds::Model>> {
    Ok(rounds::Entity::find()
        .filter(rounds::Column::RecruitingAuthority.eq(round.recruiting_authority.clone()))
        .filter(rounds::Column::Id.lt(round.id))
        .order_by_desc(rounds::Column::Id)
        .one(conn)
        .await?)
}

/// A candidate struck off in a round, with the identity numbers they applied with.
#[derive(Debug, Clone)]
pub struct StruckCandidate {
    pub cause: String,
    pub national_id: String,
    pub linked_national_id: Option<String>,
}

/// Every candidate struck off in `round_id`, with their identity numbers.
pub async fn struck_candidates_of_round<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
) -> AppResult<Vec<StruckCandidate>> {
    let struck: Vec<(i32, String)> = strike_offs::Entity::find()
        .select_only()
        .column(strike_offs::Column::ApplicationId)
        .column(strike_offs::Column::Cause)
        .filter(strike_offs::Column::RoundId.eq(round_id))
        .order_by_asc(strike_offs::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    if struck.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = struck.iter().map(|(id, _)| *id).collect();
    let people: Vec<(i32, String, Option<String>)> = applications::Entity::find()
        .select_only()
        .column(applications::Column::Id)
        .column(applications::Column::NationalId)
        .column(applications::Column::LinkedNationalId)
        .filter(applications::Column::Id.is_in(ids))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(struck
        .into_iter()
        .filter_map(|(application_id, cause)| {
            let (_, national_id, linked) =
                people.iter().find(|(id, _, _)| *id == application_id)?;
            Some(StruckCandidate {
                cause,
                national_id: national_id.clone(),
                linked_national_id: linked.clone(),
            })
        })
        .collect())
}
