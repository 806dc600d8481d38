//! Banks, items with their versions, and seals.
//!
//! `items` holds one row per question with the searchable fields of its *current* version;
//! `item_versions` holds every version ever written, never updated, so papers and seals can
//! point at the exact text they used.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use question_bank::seal::{canonical_item_json, item_sha256};
use question_bank::text::fold;
use question_bank::{Item, ItemStatus};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

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
        search_text: Set(search_text(&item)),
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

/// What the diacritic-insensitive search looks in: topic, stem, options, accepted answers and
/// tags, folded (`luat can bo` finds *Luật cán bộ*).
pub fn search_text(item: &Item) -> String {
    let mut text = format!("{} {}", item.topic, item.stem);
    for part in item
        .options
        .iter()
        .map(|o| o.text.as_str())
        .chain(item.answer.iter().map(String::as_str))
        .chain(item.tags.iter().map(String::as_str))
    {
        text.push(' ');
        text.push_str(part);
    }
    fold(&text)
}

/// `LIKE` pattern text matching `s` literally (with `ESCAPE '\'`).
fn like_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Ids are fetched in chunks so an `IN (...)` list stays well under every backend's limit on
/// bound parameters.
const CHUNK: usize = 500;

pub async fn find_bank<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<Option<banks::Model>> {
    Ok(banks::Entity::find_by_id(id).one(conn).await?)
}

pub async fn list_banks<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<banks::Model>> {
    Ok(banks::Entity::find()
        .order_by_asc(banks::Column::Code)
        .all(conn)
        .await?)
}

/// Number of items of each bank that are not retired.
pub async fn item_counts<C: ConnectionTrait>(conn: &C) -> AppResult<HashMap<i32, i64>> {
    let rows: Vec<(i32, i64)> = items::Entity::find()
        .select_only()
        .column(items::Column::BankId)
        .column_as(Expr::col(items::Column::Id).count(), "n")
        .filter(items::Column::Status.ne(ItemStatus::Retired.code()))
        .group_by(items::Column::BankId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Topics of a bank with the number of items (not retired) filed directly under each.
pub async fn topic_counts<C: ConnectionTrait>(
    conn: &C,
    bank_id: i32,
) -> AppResult<Vec<(String, i64)>> {
    Ok(items::Entity::find()
        .select_only()
        .column(items::Column::Topic)
        .column_as(Expr::col(items::Column::Id).count(), "n")
        .filter(items::Column::BankId.eq(bank_id))
        .filter(items::Column::Status.ne(ItemStatus::Retired.code()))
        .group_by(items::Column::Topic)
        .order_by_asc(items::Column::Topic)
        .into_tuple()
        .all(conn)
        .await?)
}

pub async fn find_item<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<Option<items::Model>> {
    Ok(items::Entity::find_by_id(id).one(conn).await?)
}

pub async fn find_version<C: ConnectionTrait>(
    conn: &C,
    item_id: i32,
    version: i32,
) -> AppResult<Option<item_versions::Model>> {
    Ok(item_versions::Entity::find()
        .filter(item_versions::Column::ItemId.eq(item_id))
        .filter(item_versions::Column::Version.eq(version))
        .one(conn)
        .await?)
}

pub async fn versions_of_item<C: ConnectionTrait>(
    conn: &C,
    item_id: i32,
) -> AppResult<Vec<item_versions::Model>> {
    Ok(item_versions::Entity::find()
        .filter(item_versions::Column::ItemId.eq(item_id))
        .order_by_asc(item_versions::Column::Version)
        .all(conn)
        .await?)
}

/// The current version of each of `rows`, keyed by item id.
pub async fn current_versions<C: ConnectionTrait>(
    conn: &C,
    rows: &[items::Model],
) -> AppResult<HashMap<i32, item_versions::Model>> {
    let wanted: HashMap<i32, i32> = rows.iter().map(|r| (r.id, r.current_version)).collect();
    let mut out = HashMap::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK) {
        let found = item_versions::Entity::find()
            .filter(item_versions::Column::ItemId.is_in(chunk.iter().map(|r| r.id)))
            .all(conn)
            .await?;
        for v in found {
            if wanted.get(&v.item_id) == Some(&v.version) {
                out.insert(v.item_id, v);
            }
        }
    }
    Ok(out)
}

pub async fn versions_by_ids<C: ConnectionTrait>(
    conn: &C,
    ids: &[i32],
) -> AppResult<HashMap<i32, item_versions::Model>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        for v in item_versions::Entity::find()
            .filter(item_versions::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            out.insert(v.id, v);
        }
    }
    Ok(out)
}

/// Filters of the board's item table; every field narrows the list.
#[derive(Debug, Default, Clone)]
pub struct ItemFilter {
    /// A topic path: the topic itself and every topic below it.
    pub topic: Option<String>,
    pub difficulty: Option<i16>,
    pub kind: Option<String>,
    pub status: Option<String>,
    /// Already folded ([`fold`]); matched as a substring of `items.search_text`.
    pub search: Option<String>,
    /// Leave retired items out (exports).
    pub exclude_retired: bool,
}

fn filter_condition(bank_id: i32, f: &ItemFilter) -> Condition {
    let mut cond = Condition::all().add(items::Column::BankId.eq(bank_id));
    if let Some(topic) = &f.topic {
        // The topic itself and the topics below it: `SUBSTR(topic, 1, n) = 'topic/'` rather
        // than `LIKE 'topic/%'`, which SQLite matches case-insensitively for ASCII letters.
        let below = format!("{topic}/");
        let n = i32::try_from(below.chars().count()).unwrap_or(i32::MAX);
        cond = cond.add(
            Condition::any()
                .add(items::Column::Topic.eq(topic.as_str()))
                .add(
                    Expr::expr(
                        Func::cust("SUBSTR")
                            .arg(Expr::col(items::Column::Topic))
                            .arg(1)
                            .arg(n),
                    )
                    .eq(below),
                ),
        );
    }
    if let Some(d) = f.difficulty {
        cond = cond.add(items::Column::Difficulty.eq(d));
    }
    if let Some(k) = &f.kind {
        cond = cond.add(items::Column::Kind.eq(k.as_str()));
    }
    if let Some(s) = &f.status {
        cond = cond.add(items::Column::Status.eq(s.as_str()));
    }
    if f.exclude_retired {
        cond = cond.add(items::Column::Status.ne(ItemStatus::Retired.code()));
    }
    if let Some(q) = &f.search {
        cond = cond.add(
            items::Column::SearchText
                .like(LikeExpr::new(format!("%{}%", like_literal(q))).escape('\\')),
        );
    }
    cond
}

/// One page of a bank's items (by id) and the number matching the filter.
pub async fn list_items<C: ConnectionTrait>(
    conn: &C,
    bank_id: i32,
    filter: &ItemFilter,
    limit: u64,
    offset: u64,
) -> AppResult<(Vec<items::Model>, u64)> {
    let cond = filter_condition(bank_id, filter);
    let total = items::Entity::find()
        .filter(cond.clone())
        .count(conn)
        .await?;
    let rows = items::Entity::find()
        .filter(cond)
        .order_by_asc(items::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// Every item of a bank matching `filter`, by id.
pub async fn all_items<C: ConnectionTrait>(
    conn: &C,
    bank_id: i32,
    filter: &ItemFilter,
) -> AppResult<Vec<items::Model>> {
    Ok(items::Entity::find()
        .filter(filter_condition(bank_id, filter))
        .order_by_asc(items::Column::Id)
        .all(conn)
        .await?)
}

/// Items of the bank whose [`Item::duplicate_key`] is one of `keys`: key → item id.
pub async fn find_duplicates<C: ConnectionTrait>(
    conn: &C,
    bank_id: i32,
    keys: &[String],
) -> AppResult<HashMap<String, i32>> {
    let mut out = HashMap::new();
    for chunk in keys.chunks(CHUNK) {
        let rows: Vec<(i32, String)> = items::Entity::find()
            .select_only()
            .column(items::Column::Id)
            .column(items::Column::DuplicateKey)
            .filter(items::Column::BankId.eq(bank_id))
            .filter(items::Column::DuplicateKey.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(conn)
            .await?;
        for (id, key) in rows {
            out.entry(key).or_insert(id);
        }
    }
    Ok(out)
}

/// Who wrote any version of the item (VN-29: none of them may review it).
pub async fn version_authors<C: ConnectionTrait>(conn: &C, item_id: i32) -> AppResult<Vec<i32>> {
    let mut ids: Vec<i32> = item_versions::Entity::find()
        .select_only()
        .column(item_versions::Column::AuthorId)
        .filter(item_versions::Column::ItemId.eq(item_id))
        .into_tuple()
        .all(conn)
        .await?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Writes `item` as the next version of `current` and makes it the current one, back in
/// draft: a changed question must be reviewed again. Earlier versions are left untouched.
pub async fn insert_version<C: ConnectionTrait>(
    conn: &C,
    current: items::Model,
    item: &Item,
    author_id: i32,
    now: DateTime<Utc>,
) -> AppResult<(items::Model, item_versions::Model)> {
    let next = current.current_version + 1;
    let item_id = current.id;
    let mut row: items::ActiveModel = current.into();
    row.current_version = Set(next);
    row.status = Set(ItemStatus::Draft.code().to_string());
    row.topic = Set(item.topic.clone());
    row.difficulty = Set(i16::from(item.difficulty.level()));
    row.kind = Set(item.kind.code().to_string());
    row.search_text = Set(search_text(item));
    row.duplicate_key = Set(item.duplicate_key());
    row.author_id = Set(author_id);
    row.reviewed_by = Set(None);
    row.updated_at = Set(now);
    let row = row.update(conn).await?;
    let version = item_versions::ActiveModel {
        item_id: Set(item_id),
        version: Set(next),
        content: Set(canonical_item_json(item)),
        sha256: Set(item_sha256(item)),
        author_id: Set(author_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok((row, version))
}

/// Moves an item along its lifecycle, recording who reviewed it and why.
pub async fn set_status<C: ConnectionTrait>(
    conn: &C,
    current: items::Model,
    status: ItemStatus,
    reviewed_by: Option<i32>,
    review_note: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<items::Model> {
    let mut row: items::ActiveModel = current.into();
    row.status = Set(status.code().to_string());
    row.reviewed_by = Set(reviewed_by);
    row.review_note = Set(review_note);
    row.updated_at = Set(now);
    Ok(row.update(conn).await?)
}

pub async fn find_seal<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<Option<seals::Model>> {
    Ok(seals::Entity::find_by_id(id).one(conn).await?)
}

pub async fn seals_of_bank<C: ConnectionTrait>(
    conn: &C,
    bank_id: i32,
) -> AppResult<Vec<seals::Model>> {
    Ok(seals::Entity::find()
        .filter(seals::Column::BankId.eq(bank_id))
        .order_by_asc(seals::Column::Id)
        .all(conn)
        .await?)
}

pub async fn seal_members<C: ConnectionTrait>(
    conn: &C,
    seal_id: i32,
) -> AppResult<Vec<seal_items::Model>> {
    Ok(seal_items::Entity::find()
        .filter(seal_items::Column::SealId.eq(seal_id))
        .order_by_asc(seal_items::Column::Id)
        .all(conn)
        .await?)
}
