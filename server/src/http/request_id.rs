//! A request id on every request, so one line of the log can be matched to the answer a user
//! saw (an operator is told "request 3f2a…" and finds it).
//!
//! The id is taken from the `x-request-id` header when it is a sane short token (a proxy in
//! front may already have given one), else made here; it is echoed on the response, carried by
//! the request's span, and named in the body of a 500 so the client can quote it.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{HttpMakeClassifier, MakeSpan, TraceLayer};

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Longest id taken from a client; a longer one is replaced.
const MAX_LEN: usize = 64;

tokio::task_local! {
    /// The id of the request this task is answering.
    static CURRENT: HeaderValue;
}

/// Gives the request its id (outermost layer): every inner layer, the handler and the error
/// mapping see it, and the response carries it.
pub async fn assign(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&HEADER)
        .filter(|v| is_sane(v.as_bytes()))
        .cloned()
        .unwrap_or_else(generate);
    req.headers_mut().insert(HEADER, id.clone());
    let mut resp = CURRENT.scope(id.clone(), next.run(req)).await;
    resp.headers_mut().insert(HEADER, id);
    resp
}

/// The id of the request being answered, when there is one (not in the CLI or a writer task).
pub fn current() -> Option<String> {
    CURRENT
        .try_with(|id| id.to_str().ok().map(str::to_owned))
        .ok()
        .flatten()
}

/// Letters, digits and `-_.:`, 1 to 64 of them: what request ids look like (UUIDs, hex, ULIDs),
/// and nothing that could forge a log line or a header.
fn is_sane(id: &[u8]) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// 64 random bits, hex: unique enough to find one request in the log.
fn generate() -> HeaderValue {
    let id = hex::encode(&crate::secrets::random_bytes()[..8]);
    HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("unknown"))
}

/// The span of one request: method, path and id. At DEBUG, so it costs nothing on the load
/// path unless asked for (`RUST_LOG=server=debug,tower_http=debug`).
#[derive(Clone, Copy)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, req: &axum::http::Request<B>) -> tracing::Span {
        tracing::debug_span!(
            "request",
            method = %req.method(),
            path = req.uri().path(),
            request_id = req.headers().get(&HEADER).and_then(|v| v.to_str().ok()),
        )
    }
}

/// Traces every request in [`RequestSpan`]; its start and end are logged at DEBUG.
pub fn trace_layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan> {
    let layer: TraceLayer<HttpMakeClassifier> = TraceLayer::new_for_http();
    layer.make_span_with(RequestSpan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_tokens_are_taken_from_the_client() {
        for ok in [
            "3f2a9c",
            "4b1d6e0c-2f3a-4a5b-9c8d-7e6f5a4b3c2d",
            "req_01:a.b",
        ] {
            assert!(is_sane(ok.as_bytes()), "{ok}");
        }
        let long = "a".repeat(MAX_LEN + 1);
        for bad in ["", "two words", "a\"b", "line\nbreak", "é", long.as_str()] {
            assert!(!is_sane(bad.as_bytes()), "{bad:?}");
        }
    }

    #[test]
    fn a_made_id_is_sane_and_new_each_time() {
        let (a, b) = (generate(), generate());
        assert!(is_sane(a.as_bytes()));
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
    }
}
