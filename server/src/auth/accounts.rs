//! Whether a staff token still stands: the account must be active and its token version the
//! one the token was signed under. Checked on every staff request, so the answer is cached per
//! account for a few seconds; a change made by this process forgets the entry at once, so the
//! very next request sees it. Candidate requests never come here.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;

use super::role::Role;
use crate::error::AppResult;
use crate::repo;

/// How long a cached account answers before it is read again. Bounds how late another server
/// process sharing the database notices a revocation.
const TTL: Duration = Duration::from_secs(10);

/// Entries kept at most; the cache starts afresh beyond (staff accounts are few).
const MAX_ENTRIES: usize = 10_000;

/// What a staff request needs to know about its account.
#[derive(Debug, Clone)]
pub struct Account {
    pub username: String,
    pub roles: Vec<Role>,
    pub active: bool,
    pub token_version: i32,
}

#[derive(Default)]
pub struct AccountCache {
    map: RwLock<HashMap<i32, (Instant, Option<Account>)>>,
}

impl AccountCache {
    /// The account `id` as stored (at most [`TTL`] old), or `None` when there is none.
    pub async fn get<C: ConnectionTrait>(&self, conn: &C, id: i32) -> AppResult<Option<Account>> {
        {
            let map = self.map.read().unwrap_or_else(|e| e.into_inner());
            if let Some((at, account)) = map.get(&id) {
                if at.elapsed() < TTL {
                    return Ok(account.clone());
                }
            }
        }
        let account = repo::users::find(conn, id).await?.map(|u| Account {
            username: u.username,
            roles: u.roles,
            active: u.active,
            token_version: u.token_version,
        });
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(id, (Instant::now(), account.clone()));
        Ok(account)
    }

    /// Called after the account changed (disabled, password, roles, signed out).
    pub fn forget(&self, id: i32) {
        self.map
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }
}
