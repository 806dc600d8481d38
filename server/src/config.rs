//! One typed configuration, read once at start from the environment (and CLI flags).
//! Every variable is documented in README.md; secrets are redacted in `Debug`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{AppError, AppResult};
use crate::keys::{load_or_create_master, Keys, MIN_MASTER_LEN};

/// Requests each group-commit queue holds by default (`THITUYEN_WRITE_QUEUE`).
pub const DEFAULT_WRITE_QUEUE: usize = 4096;

#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://...` or `postgres://...`; derived from `data_dir` when `DATABASE_URL` is unset.
    pub database_url: String,
    pub data_dir: PathBuf,
    /// The keys derived from the master secret (`THITUYEN_MASTER_SECRET` or `master.key`).
    pub keys: Keys,
    /// Longest a staff sign-in lasts, however active (absolute limit).
    pub staff_token_minutes: i64,
    /// A staff token unused this long has expired; each use renews it (idle limit).
    pub staff_idle_minutes: i64,
    /// Directory holding `pkg/` (the hydrate wasm + js) and static assets.
    pub site_root: PathBuf,
    /// Failures per staff username or address, or per candidate ticket, within the window.
    pub login_max_failures: usize,
    /// Candidate failures per session (typed session code) within the window.
    pub login_session_max_failures: usize,
    pub login_window_seconds: i64,
    /// How long after its end a finished sitting still signs in, to its result only.
    pub result_window_minutes: i64,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`THITUYEN_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Rows the security log keeps; older ones are pruned.
    pub security_log_rows: u64,
    /// Body sizes, time and concurrency one request may take (imports: `max_upload_bytes`).
    pub limits: RequestLimits,
    pub max_upload_bytes: usize,
    /// Requests each group-commit queue (saves, hand-ins, logins) holds before answering 503.
    pub write_queue: usize,
}

impl Config {
    /// Reads `THITUYEN_*` and `DATABASE_URL`; `data_dir` comes from `--data-dir` when given.
    pub fn from_env(data_dir: Option<PathBuf>) -> AppResult<Config> {
        let data_dir = data_dir
            .or_else(|| std::env::var_os("THITUYEN_DATA_DIR").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = match std::env::var("DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => url,
            _ => sqlite_url(&data_dir.join("thituyen.db")),
        };
        let master = match master_from_env() {
            Some((_, s)) if s.len() >= MIN_MASTER_LEN => s.into_bytes(),
            Some((name, _)) => {
                return Err(AppError::internal(format!(
                    "{name} must be at least {MIN_MASTER_LEN} characters"
                )))
            }
            None => load_or_create_master(&data_dir)?,
        };
        Ok(Config {
            database_url,
            data_dir,
            keys: Keys::derive(&master),
            staff_token_minutes: env_num("THITUYEN_STAFF_TOKEN_MINUTES", 480)?,
            staff_idle_minutes: env_num::<i64>("THITUYEN_STAFF_IDLE_MINUTES", 30)?.max(1),
            site_root: std::env::var_os("THITUYEN_SITE_ROOT")
                .map(PathBuf::from)
                .unwrap_or_else(default_site_root),
            login_max_failures: env_num("THITUYEN_LOGIN_MAX_FAILURES", 5)?,
            login_session_max_failures: env_num("THITUYEN_LOGIN_SESSION_MAX_FAILURES", 50)?,
            login_window_seconds: env_num("THITUYEN_LOGIN_WINDOW_SECONDS", 300)?,
            result_window_minutes: env_num("THITUYEN_RESULT_WINDOW_MINUTES", 30)?,
            trusted_proxies: trusted_proxies()?,
            security_log_rows: env_num("THITUYEN_SECURITY_LOG_ROWS", 200_000)?,
            limits: RequestLimits::from_env()?,
            max_upload_bytes: env_num("THITUYEN_MAX_UPLOAD_BYTES", 32 * 1024 * 1024)?,
            write_queue: env_num::<usize>("THITUYEN_WRITE_QUEUE", DEFAULT_WRITE_QUEUE)?.max(1),
        })
    }

    /// A configuration for tests: given database, random key, no files touched.
    pub fn for_tests(database_url: String, data_dir: PathBuf) -> Config {
        Config {
            database_url,
            data_dir,
            keys: Keys::random(),
            staff_token_minutes: 60,
            staff_idle_minutes: 30,
            site_root: default_site_root(),
            login_max_failures: 5,
            login_session_max_failures: 50,
            login_window_seconds: 300,
            result_window_minutes: 30,
            trusted_proxies: Vec::new(),
            security_log_rows: 200_000,
            limits: RequestLimits::default(),
            max_upload_bytes: 8 * 1024 * 1024,
            write_queue: DEFAULT_WRITE_QUEUE,
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// What one request may ask of the server besides an import's file (`max_upload_bytes`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestLimits {
    /// Largest body of a staff or public request that is not an import.
    pub staff_body_bytes: usize,
    /// Largest body of a candidate request (login, answer save, hand-in).
    pub candidate_body_bytes: usize,
    /// How long any request may run before the server answers 503 instead.
    pub request_timeout: Duration,
    /// The same for imports and exports, which read or write whole files.
    pub transfer_timeout: Duration,
    /// Imports running at once; the next one is answered 503 with `Retry-After`.
    pub concurrent_imports: usize,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            staff_body_bytes: 64 * 1024,
            candidate_body_bytes: 8 * 1024,
            request_timeout: Duration::from_secs(30),
            transfer_timeout: Duration::from_secs(120),
            concurrent_imports: 2,
        }
    }
}

impl RequestLimits {
    fn from_env() -> AppResult<RequestLimits> {
        let d = RequestLimits::default();
        let seconds = |name: &str, default: Duration| -> AppResult<Duration> {
            Ok(Duration::from_secs(
                env_num(name, default.as_secs())?.max(1),
            ))
        };
        Ok(RequestLimits {
            staff_body_bytes: env_num("THITUYEN_STAFF_BODY_BYTES", d.staff_body_bytes)?,
            candidate_body_bytes: env_num("THITUYEN_CANDIDATE_BODY_BYTES", d.candidate_body_bytes)?,
            request_timeout: seconds("THITUYEN_REQUEST_TIMEOUT_SECONDS", d.request_timeout)?,
            transfer_timeout: seconds("THITUYEN_TRANSFER_TIMEOUT_SECONDS", d.transfer_timeout)?,
            concurrent_imports: env_num::<usize>(
                "THITUYEN_CONCURRENT_IMPORTS",
                d.concurrent_imports,
            )?
            .max(1),
        })
    }
}

/// `THITUYEN_TRUSTED_PROXIES`: comma-separated CIDR networks (or addresses) of the reverse
/// proxies in front of the server; unset, none (the TCP peer is the client).
fn trusted_proxies() -> AppResult<Vec<ipnet::IpNet>> {
    let Ok(list) = std::env::var("THITUYEN_TRUSTED_PROXIES") else {
        return Ok(Vec::new());
    };
    let entries: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(String::from)
        .collect();
    crate::rules::sign_in::parse_networks(&entries).map_err(|bad| {
        let reasons: Vec<String> = bad.into_iter().map(|(_, r)| r).collect();
        AppError::internal(format!("THITUYEN_TRUSTED_PROXIES: {}", reasons.join("; ")))
    })
}

pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

fn default_site_root() -> PathBuf {
    PathBuf::from("site")
}

fn env_num<T: std::str::FromStr>(name: &str, default: T) -> AppResult<T> {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .map_err(|_| AppError::internal(format!("{name} must be a number, got '{v}'"))),
        Err(_) => Ok(default),
    }
}

/// The master secret given in the environment: `THITUYEN_MASTER_SECRET`, or the name it had
/// before keys were derived from it, `THITUYEN_JWT_SECRET`.
fn master_from_env() -> Option<(&'static str, String)> {
    ["THITUYEN_MASTER_SECRET", "THITUYEN_JWT_SECRET"]
        .into_iter()
        .find_map(|name| match std::env::var(name) {
            Ok(s) if !s.trim().is_empty() => Some((name, s)),
            _ => None,
        })
}
