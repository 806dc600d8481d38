//! The security headers every response carries. The pages set their own Content-Security-Policy
//! (the shell knows the nonce of its inline script and style, see `frontend::app::page_policy`);
//! every other response — API JSON, print views, files — gets a policy that allows nothing but
//! the print views' own style sheet, except PDFs, which are only kept out of frames.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// CSP sources for the inline style sheets of the documents the server writes itself (the
/// print views). Pages allow them too: staff pages open a print view as a blob, and a blob
/// document runs under the policy of the page that made it.
pub fn server_style_sources() -> String {
    style_hash(crate::seating::print::STYLE)
}

/// A CSP hash source (`'sha256-…'`) for an inline `<style>` or `<script>` whose text is `text`.
pub fn style_hash(text: &str) -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(text.as_bytes())))
}

static DEFAULT_POLICY: LazyLock<HeaderValue> = LazyLock::new(|| {
    let policy = format!(
        "default-src 'none'; style-src {}; frame-ancestors 'none'; base-uri 'none'; \
         form-action 'none'",
        server_style_sources()
    );
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static(
        "default-src 'none'; frame-ancestors 'none'",
    ))
});

/// Chrome shows a PDF in its viewer, a plugin the default policy's `default-src 'none'` (hence
/// `object-src 'none'`) would block; a PDF runs none of our code, so only framing is refused.
const PDF_POLICY: HeaderValue = HeaderValue::from_static("frame-ancestors 'none'");

/// Whether a response may be kept by the browser or a proxy: nothing from the API (tokens,
/// papers, personal data), and not the candidate's page on a shared exam-room computer.
fn must_not_be_stored(path: &str) -> bool {
    path.starts_with("/api/") || path == "/thi" || path.starts_with("/thi/")
}

/// Adds the common headers; keeps a policy or cache rule the handler set for its response.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let no_store = must_not_be_stored(req.uri().path());
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let is_pdf = headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|t| t.as_bytes().starts_with(b"application/pdf"));
        let policy = if is_pdf {
            PDF_POLICY
        } else {
            DEFAULT_POLICY.clone()
        };
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    if no_store && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Standard base64 with padding (RFC 4648 §4), the encoding CSP hash sources use.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
    }

    #[test]
    fn a_style_hash_is_the_sha256_source_browsers_compute() {
        // The digest of "" is well known; browsers compare the base64 of the raw 32 bytes.
        assert_eq!(
            style_hash(""),
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
        );
    }

    #[test]
    fn api_responses_and_the_candidate_page_are_never_stored() {
        assert!(must_not_be_stored("/api/v1/sitting"));
        assert!(must_not_be_stored("/thi"));
        assert!(!must_not_be_stored("/thi-thu"));
        assert!(!must_not_be_stored("/ket-qua/HP-2026"));
        assert!(!must_not_be_stored("/pkg/thituyen.js"));
    }

    #[test]
    fn the_default_policy_allows_no_script_and_only_the_print_style() {
        let policy = DEFAULT_POLICY.to_str().expect("ascii");
        assert!(policy.starts_with("default-src 'none';"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("script-src"));
        assert!(policy.contains(&server_style_sources()));
    }
}
