//! One typed configuration, read once at start from the environment (and CLI flags).
//! Every variable is documented in README.md; secrets are redacted in `Debug`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{AppError, AppResult};
use crate::secrets::random_bytes;

/// Requests each group-commit queue holds by default (`THITUYEN_WRITE_QUEUE`).
pub const DEFAULT_WRITE_QUEUE: usize = 4096;

#[derive(Clone)]
pub struct Secret(pub Vec<u8>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://...` or `postgres://...`; derived from `data_dir` when `DATABASE_URL` is unset.
    pub database_url: String,
    pub data_dir: PathBuf,
    /// HS256 key for every token the server signs.
    pub jwt_secret: Secret,
    pub staff_token_minutes: i64,
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
        let jwt_secret = match std::env::var("THITUYEN_JWT_SECRET") {
            Ok(s) if s.len() >= 32 => Secret(s.into_bytes()),
            Ok(_) => {
                return Err(AppError::Internal(
                    "THITUYEN_JWT_SECRET must be at least 32 characters".into(),
                ))
            }
            Err(_) => Secret(persistent_key(&data_dir)?),
        };
        Ok(Config {
            database_url,
            data_dir,
            jwt_secret,
            staff_token_minutes: env_num("THITUYEN_STAFF_TOKEN_MINUTES", 480)?,
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
            jwt_secret: Secret(random_bytes().to_vec()),
            staff_token_minutes: 60,
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
        AppError::Internal(format!("THITUYEN_TRUSTED_PROXIES: {}", reasons.join("; ")))
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
            .map_err(|_| AppError::Internal(format!("{name} must be a number, got '{v}'"))),
        Err(_) => Ok(default),
    }
}

/// Without a configured key, generate one on first run and keep it in the data directory so
/// tokens survive a restart (a candidate resuming after a server crash keeps their session).
fn persistent_key(data_dir: &Path) -> AppResult<Vec<u8>> {
    let path = data_dir.join("jwt.key");
    if let Ok(hexed) = std::fs::read_to_string(&path) {
        if let Ok(key) = hex::decode(hexed.trim()) {
            if key.len() >= 32 {
                return Ok(key);
            }
        }
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| AppError::Internal(format!("cannot create {}: {e}", data_dir.display())))?;
    let key = random_bytes().to_vec();
    std::fs::write(&path, hex::encode(&key))
        .map_err(|e| AppError::Internal(format!("cannot write {}: {e}", path.display())))?;
    Ok(key)
}
