//! The log: text for a terminal, or one JSON object a line for a log collector
//! (`THITUYEN_LOG_FORMAT=json`). `RUST_LOG` chooses what is logged; by default INFO and up,
//! without the database drivers' statements. Requests and the group-commit batches have spans
//! at DEBUG (`RUST_LOG=info,server=debug,tower_http=debug` shows them), so the load path pays
//! for them only when they are asked for.

use tracing_subscriber::EnvFilter;

/// The environment variable that chooses the log format: `text` (the default) or `json`.
pub const FORMAT_VAR: &str = "THITUYEN_LOG_FORMAT";

const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn";

/// Starts logging for the process (once, at start).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| DEFAULT_FILTER.into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match std::env::var(FORMAT_VAR).as_deref() {
        Ok("json") => builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .init(),
        Ok("text") | Err(_) => builder.init(),
        Ok(other) => {
            builder.init();
            tracing::warn!(
                "{FORMAT_VAR}={other:?} is not a log format (text or json); logging text"
            );
        }
    }
}
