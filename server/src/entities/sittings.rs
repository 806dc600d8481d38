//! Entity of the `sittings` table (see migrations). Storage shape only: never a request or
//! response body.

use question_bank::scoring::Sanction;
use sea_orm::entity::prelude::*;

use crate::rules::sitting::SittingStatus;

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
    pub status: SittingStatus,
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
    pub sanction: SanctionColumn,
    /// The paper in compact form (`question_bank::compact`), for grading a whole exam.
    #[sea_orm(column_type = "Text")]
    pub paper_compact: Option<String>,
    /// The answers the result was graded on, in compact form, written at hand-in.
    #[sea_orm(column_type = "Text")]
    pub answer_sheet: Option<String>,
}

/// The `sanction` column: a [`Sanction`] (VN-25) under its name (`none`, `reprimand`, …).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, DeriveValueType)]
#[sea_orm(
    value_type = "String",
    from_str = "SanctionColumn::parse",
    to_str = "SanctionColumn::name"
)]
pub struct SanctionColumn(pub Sanction);

impl SanctionColumn {
    fn parse(name: &str) -> Result<Self, question_bank::scoring::UnknownSanction> {
        name.parse().map(SanctionColumn)
    }

    fn name(&self) -> &'static str {
        self.0.as_str()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
