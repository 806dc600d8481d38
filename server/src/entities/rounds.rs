//! Entity of the `rounds` table (see migrations). Storage shape only: never a request or
//! response body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rounds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub rule_set: String,
    pub one_application_per_candidate: bool,
    pub applications_open_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub round1_on: Option<Date>,
    pub round2_on: Option<Date>,
    /// VN-0: picks the version of vn-2025 and the priority groups.
    pub plan_approved_on: Option<Date>,
    /// VN-16: a fraud bar reaches the next round of the same authority.
    pub recruiting_authority: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
