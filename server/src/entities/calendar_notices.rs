//! Entity of the `calendar_notices` table (see migrations). Storage shape only: never a request
//! or response body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_notices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    /// JSON list of ISO dates.
    #[sea_orm(column_type = "Text")]
    pub days_off: String,
    /// JSON list of ISO dates.
    #[sea_orm(column_type = "Text")]
    pub working_weekend_days: String,
    #[sea_orm(column_type = "Text")]
    pub source: String,
    pub entered_by: String,
    pub entered_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
