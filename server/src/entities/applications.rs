//! Entity of the `applications` table (see migrations). Storage shape only: never a request or
//! response body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub round_id: i32,
    pub position_id: i32,
    pub full_name: String,
    pub date_of_birth: Date,
    pub gender: String,
    pub national_id: String,
    #[sea_orm(column_type = "Text")]
    pub agency_preferences: String,
    #[sea_orm(column_type = "Text")]
    pub priority_groups: String,
    #[sea_orm(column_type = "Text")]
    pub unproven_groups: String,
    #[sea_orm(column_type = "Text")]
    pub exemptions: String,
    pub priority_points: String,
    pub eligible: Option<bool>,
    #[sea_orm(column_type = "Text")]
    pub eligibility_reason: Option<String>,
    pub created_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub search_key: String,
    /// An old 9-digit ID the candidate also holds: the same person (VN-16).
    pub linked_national_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
