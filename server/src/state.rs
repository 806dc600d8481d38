//! What every handler shares: the database, the configuration, the clock, and the few pieces
//! of in-process state (login throttle, audit append lock).

use sea_orm::DatabaseConnection;
use std::sync::Arc;

use crate::auth::rate_limit::LoginThrottle;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub throttle: Arc<LoginThrottle>,
    /// Serialises audit appends so the hash chain never forks inside this process.
    pub audit_lock: Arc<tokio::sync::Mutex<()>>,
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
        let throttle = LoginThrottle::new(config.login_max_failures, config.login_window_seconds);
        let leptos = crate::ui::leptos_options(&config.site_root);
        AppState {
            leptos,
            db,
            config: Arc::new(config),
            clock,
            throttle: Arc::new(throttle),
            audit_lock: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
