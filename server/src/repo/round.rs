//! Rounds, positions with their agencies, applications.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entities::{agencies, applications, positions, rounds};
use crate::error::AppResult;

pub async fn find_round_by_code<C: ConnectionTrait>(
    conn: &C,
    code: &str,
) -> AppResult<Option<rounds::Model>> {
    Ok(rounds::Entity::find()
        .filter(rounds::Column::Code.eq(code))
        .one(conn)
        .await?)
}

pub async fn insert_round<C: ConnectionTrait>(
    conn: &C,
    code: &str,
    name: &str,
    rule_set: &str,
    now: DateTime<Utc>,
) -> AppResult<rounds::Model> {
    Ok(rounds::ActiveModel {
        code: Set(code.to_string()),
        name: Set(name.to_string()),
        rule_set: Set(rule_set.to_string()),
        one_application_per_candidate: Set(true),
        applications_open_on: Set(Some(now.date_naive())),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

pub struct NewPosition<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub grade: &'a str,
    pub round2_form: &'a str,
    /// (code, name, quota) per employing agency; the position's quota is their sum (VN-13).
    pub agencies: &'a [(&'a str, &'a str, i32)],
}

pub async fn insert_position<C: ConnectionTrait>(
    conn: &C,
    round_id: i32,
    p: &NewPosition<'_>,
) -> AppResult<positions::Model> {
    let position = positions::ActiveModel {
        round_id: Set(round_id),
        code: Set(p.code.to_string()),
        name: Set(p.name.to_string()),
        grade: Set(p.grade.to_string()),
        round2_form: Set(p.round2_form.to_string()),
        quota: Set(p.agencies.iter().map(|a| a.2).sum()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    for (code, name, quota) in p.agencies {
        agencies::ActiveModel {
            position_id: Set(position.id),
            code: Set(code.to_string()),
            name: Set(name.to_string()),
            quota: Set(*quota),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    Ok(position)
}

pub struct NewApplication {
    pub round_id: i32,
    pub position_id: i32,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub gender: String,
    pub national_id: String,
    pub agency_preferences: Vec<String>,
    pub priority_groups: Vec<String>,
    pub priority_points: String,
    pub eligible: Option<bool>,
}

pub async fn insert_application<C: ConnectionTrait>(
    conn: &C,
    a: NewApplication,
    now: DateTime<Utc>,
) -> AppResult<applications::Model> {
    Ok(applications::ActiveModel {
        round_id: Set(a.round_id),
        position_id: Set(a.position_id),
        full_name: Set(a.full_name),
        date_of_birth: Set(a.date_of_birth),
        gender: Set(a.gender),
        national_id: Set(a.national_id),
        agency_preferences: Set(serde_json::to_string(&a.agency_preferences).unwrap_or_default()),
        priority_groups: Set(serde_json::to_string(&a.priority_groups).unwrap_or_default()),
        unproven_groups: Set("[]".into()),
        exemptions: Set("[]".into()),
        priority_points: Set(a.priority_points),
        eligible: Set(a.eligible),
        eligibility_reason: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}
