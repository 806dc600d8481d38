//! Entity of the `publication_documents` table (see migrations). Storage shape only: never a
//! request or response body. Rows are inserted once, when the publication is made, and never
//! updated.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "publication_documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub publication_id: i32,
    /// `pdf` or `xlsx`.
    pub format: String,
    #[sea_orm(column_type = "Blob")]
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, served as the `ETag`.
    pub sha256: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
