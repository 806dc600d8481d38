//! Entity of the `sittings` table (see migrations). Storage shape only: never a request or
//! response body.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sittings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub session_id: i32,
    pub application_id: i32,
    #[sea_orm(unique)]
    pub ticket_no: String,
    pub seat: i32,
    pub pin_hash: Option<String>,
    pub seed: String,
    /// Set with the paper (whose canonical JSON is in `sitting_papers`), cleared with it.
    pub paper_sha256: Option<String>,
    pub status: String,
    pub ends_at: DateTimeUtc,
    pub extra_minutes: i32,
    pub active_login: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub result: Option<String>,
    pub created_at: DateTimeUtc,
    pub first_login_at: Option<DateTimeUtc>,
    pub late_admitted: bool,
    pub login_count: i32,
    pub sanction: String,
    /// The paper in compact form (`question_bank::compact`), for grading a whole exam.
    #[sea_orm(column_type = "Text")]
    pub paper_compact: Option<String>,
    /// The answers the result was graded on, in compact form, written at hand-in.
    #[sea_orm(column_type = "Text")]
    pub answer_sheet: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
