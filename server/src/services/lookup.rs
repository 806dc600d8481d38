//! A round as every use case loads it: by id, 404 when there is none, with its rule set read
//! from the stored code (VN-0).

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ConnectionTrait;

use crate::entities::rounds;
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::rules::{priority_date, RuleSet};
use crate::vietnam_time::vietnam_today;

/// The round `round_id`, or 404.
pub async fn round<C: ConnectionTrait>(conn: &C, round_id: i32) -> AppResult<rounds::Model> {
    repo::round::find_round(conn, round_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no round {round_id}")))
}

/// The round's rule set. Codes are checked when written, so an unknown one means the database
/// was changed behind the server's back.
pub fn rule_set(round: &rounds::Model) -> AppResult<RuleSet> {
    RuleSet::from_str(&round.rule_set)
        .map_err(|e| AppError::Internal(format!("round {}: {e}", round.id)))
}

/// The day an application's priority groups are read as of (VN-0, VN-7): the plan's approval
/// date, or, for a round without one, the Vietnam date the application was made.
pub fn priority_as_of(round: &rounds::Model, applied_at: DateTime<Utc>) -> NaiveDate {
    priority_date(round.plan_approved_on, vietnam_today(applied_at))
}
