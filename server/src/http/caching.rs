//! Conditional GETs for what never changes once made: a publication and its documents. The
//! `ETag` is the SHA-256 of the bytes served; a client (or a proxy) that already holds them
//! sends `If-None-Match` and gets 304 with no body.

use axum::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A URL whose content never changes (one publication by id): cached for a year.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// A URL whose content changes when something new is published (the latest results): kept,
/// but revalidated on each use, which costs a 304 when nothing changed.
pub const REVALIDATE: &str = "public, no-cache";

/// Whether `If-None-Match` names `etag` (a quoted strong tag), or is `*`.
pub fn matches(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

/// 304 when the client holds these bytes, else `body`; both with the `ETag` and
/// `Cache-Control` headers.
pub fn conditional(
    request: &HeaderMap,
    sha256_hex: &str,
    cache_control: &'static str,
    body: impl FnOnce() -> Response,
) -> Response {
    let etag = format!("\"{sha256_hex}\"");
    let mut response = if matches(request, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body()
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, v);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            IF_NONE_MATCH,
            HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")),
        );
        h
    }

    #[test]
    fn a_held_tag_among_several_matches_and_a_stale_one_does_not() {
        assert!(matches(&asking("\"old\", \"abc\""), "\"abc\""));
        assert!(matches(&asking("W/\"abc\""), "\"abc\""));
        assert!(matches(&asking("*"), "\"abc\""));
        assert!(!matches(&asking("\"old\""), "\"abc\""));
        assert!(!matches(&HeaderMap::new(), "\"abc\""));
    }

    #[test]
    fn a_match_is_answered_304_without_a_body() {
        let r = conditional(&asking("\"abc\""), "abc", IMMUTABLE, || {
            panic!("the body is not made for a 304")
        });
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(r.headers()[ETAG], "\"abc\"");
        assert_eq!(r.headers()[CACHE_CONTROL], IMMUTABLE);
    }
}
