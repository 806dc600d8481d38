//! Entity of the `sessions` table (see migrations). Storage shape only: never a request or
//! response body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub exam_id: i32,
    pub code: String,
    pub room: String,
    pub starts_at: DateTimeUtc,
    pub access_code: String,
    pub secret: String,
    pub opened_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// Seats of the room; `None` when the session was created from an explicit list.
    pub seats: Option<i32>,
    /// Lab lock: comma-separated CIDR networks sign-ins must come from; `None`: anywhere.
    #[sea_orm(column_type = "Text", nullable)]
    pub allowed_networks: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
