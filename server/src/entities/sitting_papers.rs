//! Entity of the `sitting_papers` table (see migrations): a sitting's paper as canonical JSON,
//! kept apart from the sitting's row so that reading sittings never carries it along.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sitting_papers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sitting_id: i32,
    #[sea_orm(column_type = "Text")]
    pub paper: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
