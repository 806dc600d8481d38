//! Banks, items with their versions, and seals.

use chrono::{DateTime, Utc};
use question_bank::seal::{canonical_item_json, item_sha256};
use question_bank::text::fold;
use question_bank::{Item, ItemStatus};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entities::{banks, item_versions, items, seal_items, seals};
use crate::error::AppResult;

pub async fn find_bank_by_code<C: ConnectionTrait>(
    conn: &C,
    code: &str,
) -> AppResult<Option<banks::Model>> {
    Ok(banks::Entity::find()
        .filter(banks::Column::Code.eq(code))
        .one(conn)
        .await?)
}

pub async fn insert_bank<C: ConnectionTrait>(
    conn: &C,
    code: &str,
    name: &str,
    now: DateTime<Utc>,
) -> AppResult<banks::Model> {
    Ok(banks::ActiveModel {
        code: Set(code.to_string()),
        name: Set(name.to_string()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// A stored item version: its ids and its validated content.
pub struct StoredItem {
    pub item_id: i32,
    pub version_id: i32,
    pub version: i32,
    pub item: Item,
}

/// Inserts a new item at version 1 with the given status.
pub async fn insert_item<C: ConnectionTrait>(
    conn: &C,
    bank_id: i32,
    item: Item,
    status: ItemStatus,
    author_id: i32,
    reviewed_by: Option<i32>,
    now: DateTime<Utc>,
) -> AppResult<StoredItem> {
    let row = items::ActiveModel {
        bank_id: Set(bank_id),
        current_version: Set(1),
        status: Set(status.code().to_string()),
        topic: Set(item.topic.clone()),
        difficulty: Set(i16::from(item.difficulty.level())),
        kind: Set(item.kind.code().to_string()),
        search_text: Set(fold(&format!(
            "{} {}",
            item.stem,
            item.options
                .iter()
                .map(|o| o.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        ))),
        duplicate_key: Set(item.duplicate_key()),
        author_id: Set(author_id),
        reviewed_by: Set(reviewed_by),
        review_note: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let version = item_versions::ActiveModel {
        item_id: Set(row.id),
        version: Set(1),
        content: Set(canonical_item_json(&item)),
        sha256: Set(item_sha256(&item)),
        author_id: Set(author_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(StoredItem {
        item_id: row.id,
        version_id: version.id,
        version: 1,
        item,
    })
}

pub async fn insert_seal<C: ConnectionTrait>(
    conn: &C,
    bank_id: i32,
    sha256: &str,
    members: &[StoredItem],
    sealed_by: i32,
    now: DateTime<Utc>,
) -> AppResult<seals::Model> {
    let seal = seals::ActiveModel {
        bank_id: Set(bank_id),
        sha256: Set(sha256.to_string()),
        item_count: Set(members.len() as i32),
        sealed_at: Set(now),
        sealed_by: Set(sealed_by),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    for chunk in members.chunks(200) {
        seal_items::Entity::insert_many(chunk.iter().map(|m| seal_items::ActiveModel {
            seal_id: Set(seal.id),
            item_version_id: Set(m.version_id),
            topic: Set(m.item.topic.clone()),
            difficulty: Set(i16::from(m.item.difficulty.level())),
            ..Default::default()
        }))
        .exec(conn)
        .await?;
    }
    Ok(seal)
}
