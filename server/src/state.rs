//! What every handler shares: the database, the configuration, the clock, and the few pieces
//! of in-process state (login throttle, audit append lock, the group-commit writers' queues and
//! turns, caches of immutable data).

use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::auth::accounts::AccountCache;
use crate::auth::rate_limit::LoginThrottle;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::error::AppResult;
use crate::services::sitting::Writers;
use crate::write_queue::WriteTurns;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub throttle: Arc<LoginThrottle>,
    /// Staff accounts as the token check needs them (active, token version, roles).
    pub accounts: Arc<AccountCache>,
    /// Serialises audit appends so the hash chain never forks inside this process; taken only
    /// through `audit::Audited`.
    pub audit_lock: Arc<tokio::sync::Mutex<()>>,
    /// Answer saves, logins and hand-ins waiting for their group commit.
    pub writes: Arc<Writers>,
    /// Turns at SQLite's single write lock for the group-commit writers.
    pub write_turns: Arc<WriteTurns>,
    /// Item versions by id, parsed once (a version never changes).
    pub items: Arc<ItemCache>,
    /// The few imports allowed to run at once.
    pub imports: crate::http::limits::ImportSlots,
    pub leptos: leptos::config::LeptosOptions,
}

impl axum::extract::FromRef<AppState> for leptos::config::LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

impl AppState {
    pub fn new(db: DatabaseConnection, config: Config) -> Self {
        Self::with_clock(db, config, Arc::new(SystemClock))
    }

    pub fn with_clock(db: DatabaseConnection, config: Config, clock: Arc<dyn Clock>) -> Self {
        let throttle = LoginThrottle::new(
            config.login_max_failures,
            config.login_session_max_failures,
            config.login_window_seconds,
        );
        let leptos = crate::ui::leptos_options(&config.site_root);
        let write_turns = WriteTurns::new(config.is_sqlite());
        AppState {
            leptos,
            imports: crate::http::limits::ImportSlots::new(config.limits.concurrent_imports),
            db,
            config: Arc::new(config),
            clock,
            throttle: Arc::new(throttle),
            accounts: Arc::new(AccountCache::default()),
            audit_lock: Arc::new(tokio::sync::Mutex::new(())),
            writes: Arc::new(Writers::default()),
            write_turns: Arc::new(write_turns),
            items: Arc::new(ItemCache::default()),
        }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The digest stored for a candidate's PIN.
    pub fn pin_digest(&self, ticket_no: &str, pin: &str) -> String {
        crate::secrets::pin_digest(&self.config.keys.candidate_codes, ticket_no, pin)
    }

    /// The PIN issued with a ticket and its digest, for a new sitting.
    pub fn issue_pin(&self, ticket_no: &str) -> (String, String) {
        let pin = crate::secrets::issued_pin(&self.config.keys.candidate_codes, ticket_no);
        let digest = self.pin_digest(ticket_no, &pin);
        (pin, digest)
    }
}

/// Parsed item versions by id. Versions are append-only (an edit makes a new version), so an
/// entry never goes stale; the cache is bounded by starting afresh when it grows too large.
#[derive(Default)]
pub struct ItemCache {
    map: RwLock<HashMap<i32, Arc<question_bank::Item>>>,
}

const MAX_CACHED_ITEMS: usize = 100_000;

impl ItemCache {
    /// The versions asked for that exist, read from the database only when not yet cached.
    pub async fn get_many<C: ConnectionTrait>(
        &self,
        conn: &C,
        version_ids: Vec<i32>,
    ) -> AppResult<HashMap<i32, Arc<question_bank::Item>>> {
        let mut out = HashMap::with_capacity(version_ids.len());
        let mut missing = Vec::new();
        {
            let map = self.map.read().unwrap_or_else(|e| e.into_inner());
            for id in version_ids {
                match map.get(&id) {
                    Some(item) => {
                        out.insert(id, item.clone());
                    }
                    None => missing.push(id),
                }
            }
        }
        if !missing.is_empty() {
            let loaded = crate::repo::exam::item_versions_by_id(conn, missing).await?;
            let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
            if map.len() + loaded.len() > MAX_CACHED_ITEMS {
                map.clear();
            }
            for (id, item) in loaded {
                let item = Arc::new(item);
                map.insert(id, item.clone());
                out.insert(id, item);
            }
        }
        Ok(out)
    }
}
