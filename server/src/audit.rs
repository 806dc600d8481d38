//! The audit log: every state change that matters appends an entry, and entries are chained by
//! SHA-256 so that editing, deleting or reordering any row breaks verification from that row on.
//!
//! Hash of entry n = SHA-256 over a length-prefixed encoding of
//! (domain tag, id, time to the microsecond, actor, action, entity, entity id, details text,
//! hash of entry n-1). The details are hashed exactly as stored, so verification never depends
//! on how a JSON library orders keys.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::entities::audit_log;
use crate::error::AppResult;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn push_field(buf: &mut Vec<u8>, field: &[u8]) {
    buf.extend_from_slice(&(field.len() as u64).to_be_bytes());
    buf.extend_from_slice(field);
}

fn format_at(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn entry_hash(e: &audit_log::Model) -> String {
    let mut buf = Vec::with_capacity(256 + e.details.len());
    for field in [
        "thituyen-audit-v1",
        &e.id.to_string(),
        &format_at(&e.at),
        &e.actor,
        &e.action,
        &e.entity,
        &e.entity_id,
        &e.details,
        &e.prev_hash,
    ] {
        push_field(&mut buf, field.as_bytes());
    }
    hex::encode(Sha256::digest(&buf))
}

/// What an append describes.
pub struct Event<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub details: serde_json::Value,
}

/// Appends one entry inside the caller's transaction. The caller must hold
/// `AppState::audit_lock` until it commits, so two appends never share a predecessor.
pub async fn append<C: ConnectionTrait>(
    conn: &C,
    at: DateTime<Utc>,
    event: Event<'_>,
) -> AppResult<audit_log::Model> {
    let mut chain = Chain::open(conn).await?;
    let model = chain.push(at, event);
    chain.write(conn).await?;
    Ok(model)
}

/// Several entries appended in one transaction (a batch of submissions): the head is read
/// once, entries are chained in memory and inserted together. Same rule as [`append`]: hold
/// `AppState::audit_lock` from [`Chain::open`] until the commit.
pub struct Chain {
    next_id: i32,
    prev_hash: String,
    pending: Vec<audit_log::Model>,
}

impl Chain {
    pub async fn open<C: ConnectionTrait>(conn: &C) -> AppResult<Chain> {
        let last = audit_log::Entity::find()
            .order_by_desc(audit_log::Column::Id)
            .limit(1)
            .one(conn)
            .await?;
        let (next_id, prev_hash) = match last {
            Some(l) => (l.id + 1, l.hash),
            None => (1, GENESIS.to_string()),
        };
        Ok(Chain {
            next_id,
            prev_hash,
            pending: Vec::new(),
        })
    }

    pub fn push(&mut self, at: DateTime<Utc>, event: Event<'_>) -> audit_log::Model {
        let mut model = audit_log::Model {
            id: self.next_id,
            // PostgreSQL keeps microseconds; hash what every backend stores.
            at: at.trunc_subsecs(6),
            actor: event.actor.to_string(),
            action: event.action.to_string(),
            entity: event.entity.to_string(),
            entity_id: event.entity_id,
            details: event.details.to_string(),
            prev_hash: std::mem::take(&mut self.prev_hash),
            hash: String::new(),
        };
        model.hash = entry_hash(&model);
        self.next_id += 1;
        self.prev_hash = model.hash.clone();
        self.pending.push(model.clone());
        model
    }

    pub async fn write<C: ConnectionTrait>(self, conn: &C) -> AppResult<()> {
        // 9 columns a row: 100 rows stay far below every backend's limit on bound values.
        for chunk in self.pending.chunks(100) {
            audit_log::Entity::insert_many(chunk.iter().map(|m| audit_log::ActiveModel {
                id: Set(m.id),
                at: Set(m.at),
                actor: Set(m.actor.clone()),
                action: Set(m.action.clone()),
                entity: Set(m.entity.clone()),
                entity_id: Set(m.entity_id.clone()),
                details: Set(m.details.clone()),
                prev_hash: Set(m.prev_hash.clone()),
                hash: Set(m.hash.clone()),
            }))
            .exec_without_returning(conn)
            .await?;
        }
        Ok(())
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerifyReport {
    pub intact: bool,
    pub entries: u64,
    /// Hash of the last entry: publications carry it.
    pub head: String,
    /// The first entry that does not match, with why.
    pub first_broken: Option<BrokenEntry>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BrokenEntry {
    pub id: i32,
    pub action: String,
    pub reason: String,
}

pub async fn verify<C: ConnectionTrait>(conn: &C) -> AppResult<VerifyReport> {
    let mut prev = GENESIS.to_string();
    let mut expected_id = 1;
    let mut count = 0u64;
    let mut after = 0;
    loop {
        let page = audit_log::Entity::find()
            .filter(audit_log::Column::Id.gt(after))
            .order_by_asc(audit_log::Column::Id)
            .limit(1000)
            .all(conn)
            .await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            let reason = if e.id != expected_id {
                Some(format!("expected entry {expected_id}, found {}", e.id))
            } else if e.prev_hash != prev {
                Some("its link to the previous entry does not match".to_string())
            } else if entry_hash(e) != e.hash {
                Some("its content does not match its hash".to_string())
            } else {
                None
            };
            if let Some(reason) = reason {
                return Ok(VerifyReport {
                    intact: false,
                    entries: count,
                    head: prev,
                    first_broken: Some(BrokenEntry {
                        id: e.id,
                        action: e.action.clone(),
                        reason,
                    }),
                });
            }
            prev = e.hash.clone();
            expected_id += 1;
            count += 1;
            after = e.id;
        }
    }
    Ok(VerifyReport {
        intact: true,
        entries: count,
        head: prev,
        first_broken: None,
    })
}

/// The current head of the chain (hash of the newest entry).
pub async fn head<C: ConnectionTrait>(conn: &C) -> AppResult<String> {
    Ok(audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(1)
        .one(conn)
        .await?
        .map(|e| e.hash)
        .unwrap_or_else(|| GENESIS.to_string()))
}
