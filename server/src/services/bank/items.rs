//! Items and their versions. An item is validated by `question_bank` before anything is
//! written, every problem reported at once (422). Editing never overwrites: it writes a new
//! version and sends the item back to draft, so a paper or a seal that references an older
//! version keeps exactly the text it used. The same question (normalised stem and options,
//! [`Item::duplicate_key`]) is never stored twice in a bank.

use chrono::{DateTime, Utc};
use question_bank::blueprint::normalize_topic;
use question_bank::text::fold;
use question_bank::{Difficulty, FieldError, Item, ItemKind, ItemStatus};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

use crate::audit::{Action, Audited};
use crate::auth::StaffUser;
use crate::entities::{item_versions, items};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::bank::ItemFilter;
use crate::services::paging::Page;
use crate::state::AppState;

use super::banks::bank_or_404;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OptionView {
    pub text: String,
    pub correct: bool,
    /// Stays in place when options are shuffled ("all of the above").
    #[serde(default)]
    pub fixed: bool,
}

/// The content of an item version. The same shape is accepted as a request body (`answer` may
/// also be a single string; `points` defaults to `"1.00"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemContent {
    /// Topic path, levels separated by `/`.
    pub topic: String,
    /// 1 (easy) to 3 (hard).
    pub difficulty: u8,
    /// `single`, `multiple`, `true_false` or `fill_blank`.
    pub kind: String,
    pub stem: String,
    pub options: Vec<OptionView>,
    /// Accepted answers of a `fill_blank` item.
    pub answer: Vec<String>,
    /// Decimal string with 2 places.
    pub points: String,
    pub explanation: Option<String>,
    pub tags: Vec<String>,
}

impl From<&Item> for ItemContent {
    fn from(item: &Item) -> Self {
        let mut points = item.points;
        points.rescale(2);
        ItemContent {
            topic: item.topic.clone(),
            difficulty: item.difficulty.level(),
            kind: item.kind.code().to_string(),
            stem: item.stem.clone(),
            options: item
                .options
                .iter()
                .map(|o| OptionView {
                    text: o.text.clone(),
                    correct: o.correct,
                    fixed: o.fixed,
                })
                .collect(),
            answer: item.answer.clone(),
            points: points.to_string(),
            explanation: item.explanation.clone(),
            tags: item.tags.clone(),
        }
    }
}

/// One version of an item, for staff (it shows the key).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemView {
    pub id: i32,
    pub bank_id: i32,
    /// The version shown.
    pub version: i32,
    /// The item's current version (equal to `version` unless an older one was asked for).
    pub current_version: i32,
    /// Lifecycle status of the item (of its current version): `draft`, `in_review`,
    /// `approved` or `retired`.
    pub status: String,
    /// Who wrote the version shown.
    pub author_id: i32,
    /// Who last approved or rejected the current version.
    pub reviewed_by: Option<i32>,
    /// The reason given with the last rejection.
    pub review_note: Option<String>,
    /// SHA-256 of the version's canonical JSON: what seals chain.
    pub sha256: String,
    /// When the version shown was written.
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(flatten)]
    pub content: ItemContent,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemList {
    pub items: Vec<ItemView>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VersionSummary {
    pub version: i32,
    pub sha256: String,
    pub author_id: i32,
    pub created_at: DateTime<Utc>,
    pub current: bool,
}

/// Filters of `GET /api/v1/banks/{bank_id}/items`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    /// A topic path: that topic and every topic below it.
    pub topic: Option<String>,
    /// 1, 2 or 3.
    pub difficulty: Option<String>,
    /// `single`, `multiple`, `true_false` or `fill_blank`.
    pub kind: Option<String>,
    /// `draft`, `in_review`, `approved` or `retired`.
    pub status: Option<String>,
    /// Words to find in the topic, stem, options, answers and tags, ignoring case and
    /// diacritics (`luat can bo` finds *Luật cán bộ*).
    pub q: Option<String>,
    /// Page size, default 50, at most 500.
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// The item `item_id`, or 404.
pub(super) async fn item_or_404<C: ConnectionTrait>(
    conn: &C,
    item_id: i32,
) -> AppResult<items::Model> {
    repo::bank::find_item(conn, item_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no item {item_id}")))
}

/// The stored content of a version. It was validated when written, so a failure here means
/// the database was changed behind the server's back.
pub(super) fn stored_item(v: &item_versions::Model) -> AppResult<Item> {
    serde_json::from_str(&v.content).map_err(|e| {
        AppError::internal_from(
            format!(
                "item {} version {}: stored content is unreadable",
                v.item_id, v.version
            ),
            e,
        )
    })
}

fn view(row: &items::Model, v: &item_versions::Model) -> AppResult<ItemView> {
    let item = stored_item(v)?;
    Ok(ItemView {
        id: row.id,
        bank_id: row.bank_id,
        version: v.version,
        current_version: row.current_version,
        status: row.status.clone(),
        author_id: v.author_id,
        reviewed_by: row.reviewed_by,
        review_note: row.review_note.clone(),
        sha256: v.sha256.clone(),
        created_at: v.created_at,
        updated_at: row.updated_at,
        content: ItemContent::from(&item),
    })
}

/// Version `version` of the item (its current one by default), or 404.
pub(super) async fn load_view<C: ConnectionTrait>(
    conn: &C,
    item_id: i32,
    version: Option<i32>,
) -> AppResult<ItemView> {
    let row = item_or_404(conn, item_id).await?;
    let wanted = version.unwrap_or(row.current_version);
    let v = repo::bank::find_version(conn, item_id, wanted)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("item {item_id} has no version {wanted}")))?;
    view(&row, &v)
}

/// The item's status as stored.
pub(super) fn status_of(row: &items::Model) -> AppResult<ItemStatus> {
    row.status
        .parse()
        .map_err(|e: String| AppError::internal(format!("item {}: {e}", row.id)))
}

/// Refuses an item whose question and options are already in the bank (other than `except`).
async fn refuse_duplicate<C: ConnectionTrait>(
    conn: &C,
    bank_id: i32,
    item: &Item,
    except: Option<i32>,
) -> AppResult<()> {
    let found = repo::bank::find_duplicates(conn, bank_id, &[item.duplicate_key()]).await?;
    match found.values().next() {
        Some(&id) if Some(id) != except => Err(AppError::field(
            "stem",
            format!("the same question with the same options is already in this bank as item {id}"),
        )),
        _ => Ok(()),
    }
}

/// A query parameter that was given with something in it.
fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_filter(q: &ItemQuery) -> AppResult<ItemFilter> {
    let mut errors = Vec::new();
    let difficulty = given(&q.difficulty).and_then(|d| {
        match d
            .parse::<u8>()
            .map_err(|_| d.to_string())
            .and_then(|l| Difficulty::new(l).map_err(|_| d.to_string()))
        {
            Ok(d) => Some(i16::from(d.level())),
            Err(d) => {
                errors.push(FieldError::new(
                    "difficulty",
                    format!("difficulty must be 1, 2 or 3, got '{d}'"),
                ));
                None
            }
        }
    });
    let kind = given(&q.kind).and_then(|k| match k.parse::<ItemKind>() {
        Ok(k) => Some(k.code().to_string()),
        Err(e) => {
            errors.push(FieldError::new("kind", e));
            None
        }
    });
    let status = given(&q.status).and_then(|s| match s.parse::<ItemStatus>() {
        Ok(s) => Some(s.code().to_string()),
        Err(e) => {
            errors.push(FieldError::new(
                "status",
                format!("{e} (expected draft, in_review, approved or retired)"),
            ));
            None
        }
    });
    if !errors.is_empty() {
        return Err(AppError::invalid("the filters are not valid", errors));
    }
    Ok(ItemFilter {
        topic: given(&q.topic)
            .map(normalize_topic)
            .filter(|t| !t.is_empty()),
        difficulty,
        kind,
        status,
        search: given(&q.q).map(fold).filter(|s| !s.is_empty()),
        exclude_retired: false,
    })
}

#[tracing::instrument(skip_all, fields(actor = %user.username, bank_id = bank_id))]
pub async fn create_item(
    state: &AppState,
    user: &StaffUser,
    bank_id: i32,
    item: Item,
) -> AppResult<ItemView> {
    let item = item.validate()?;
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    bank_or_404(txn, bank_id).await?;
    refuse_duplicate(txn, bank_id, &item, None).await?;
    let stored =
        repo::bank::insert_item(txn, bank_id, item, ItemStatus::Draft, user.id, None, now).await?;
    let created = load_view(txn, stored.item_id, None).await?;
    w.record(
        &user.actor(),
        Action::ItemCreate,
        created.id,
        serde_json::json!({"bank_id": bank_id, "version": 1, "sha256": created.sha256}),
    );
    w.commit().await?;
    Ok(created)
}

#[tracing::instrument(skip_all, fields(bank_id = bank_id))]
pub async fn list_items(state: &AppState, bank_id: i32, query: ItemQuery) -> AppResult<ItemList> {
    let filter = parse_filter(&query)?;
    let page = Page::new(query.limit, query.offset);
    bank_or_404(&state.db, bank_id).await?;
    let (rows, total) =
        repo::bank::list_items(&state.db, bank_id, &filter, page.limit, page.offset).await?;
    let versions = repo::bank::current_versions(&state.db, &rows).await?;
    let items = rows
        .iter()
        .map(|row| {
            let v = versions.get(&row.id).ok_or_else(|| {
                AppError::internal(format!("item {} has no current version", row.id))
            })?;
            view(row, v)
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(ItemList {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

#[tracing::instrument(skip_all, fields(item_id = item_id))]
pub async fn get_item(state: &AppState, item_id: i32, version: Option<i32>) -> AppResult<ItemView> {
    load_view(&state.db, item_id, version).await
}

#[tracing::instrument(skip_all, fields(item_id = item_id))]
pub async fn list_versions(state: &AppState, item_id: i32) -> AppResult<Vec<VersionSummary>> {
    let row = item_or_404(&state.db, item_id).await?;
    Ok(repo::bank::versions_of_item(&state.db, item_id)
        .await?
        .into_iter()
        .map(|v| VersionSummary {
            current: v.version == row.current_version,
            version: v.version,
            sha256: v.sha256,
            author_id: v.author_id,
            created_at: v.created_at,
        })
        .collect())
}

/// Writes a new version; the item goes back to draft (a changed question is reviewed again).
/// A retired item is closed: 409.
#[tracing::instrument(skip_all, fields(actor = %user.username, item_id = item_id))]
pub async fn update_item(
    state: &AppState,
    user: &StaffUser,
    item_id: i32,
    item: Item,
) -> AppResult<ItemView> {
    let item = item.validate()?;
    let w = Audited::begin(state).await?;
    let now = w.now();
    let txn = w.txn();
    let row = item_or_404(txn, item_id).await?;
    let previous = status_of(&row)?;
    if previous == ItemStatus::Retired {
        return Err(AppError::Conflict(format!(
            "item {item_id} is retired and can no longer be edited"
        )));
    }
    refuse_duplicate(txn, row.bank_id, &item, Some(item_id)).await?;
    let (row, v) = repo::bank::insert_version(txn, row, &item, user.id, now).await?;
    w.record(
        &user.actor(),
        Action::ItemUpdate,
        item_id,
        serde_json::json!({
            "version": v.version, "sha256": v.sha256, "previous_status": previous.code()
        }),
    );
    w.commit().await?;
    view(&row, &v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_normalised_and_every_bad_one_is_named() {
        let query = ItemQuery {
            topic: Some(" Luật cán bộ // Chương 1 ".into()),
            difficulty: Some("2".into()),
            q: Some("  LUẬT Cán Bộ ".into()),
            ..ItemQuery::default()
        };
        let filter = parse_filter(&query).expect("valid filters");
        assert_eq!(filter.topic.as_deref(), Some("Luật cán bộ/Chương 1"));
        assert_eq!(filter.difficulty, Some(2));
        assert_eq!(filter.search.as_deref(), Some("luat can bo"));

        let bad = ItemQuery {
            difficulty: Some("4".into()),
            kind: Some("essay".into()),
            status: Some("published".into()),
            ..ItemQuery::default()
        };
        let Err(AppError::Invalid { errors, .. }) = parse_filter(&bad) else {
            panic!("bad filters accepted");
        };
        let locations: Vec<&str> = errors.iter().map(|e| e.location.as_str()).collect();
        assert_eq!(locations, vec!["difficulty", "kind", "status"]);
    }
}
