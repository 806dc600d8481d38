//! Security headers (issue 16 item 8): every response forbids framing and sniffing and sends no
//! referrer; pages run only their own nonce'd inline code; everything else, print views
//! included, runs no script at all; nothing from the API or the candidate page is stored.

use reqwest::header::HeaderMap;
use server::auth::Role;
use tests::TestApp;

use crate::results::Fixture;

struct Fetched {
    status: u16,
    headers: HeaderMap,
    text: String,
}

async fn fetch(app: &TestApp, path: &str, token: Option<&str>) -> Fetched {
    let req = app.client.get(app.url(path));
    let req = match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    };
    let resp = req.send().await.unwrap();
    Fetched {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        text: resp.text().await.unwrap(),
    }
}

impl Fetched {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
    }

    fn policy(&self) -> &str {
        self.header("content-security-policy")
    }

    /// The sources of one directive of the policy.
    fn directive(&self, name: &str) -> Vec<&str> {
        self.policy()
            .split(';')
            .map(str::trim)
            .find_map(|d| d.strip_prefix(name).filter(|rest| rest.starts_with(' ')))
            .map(|rest| rest.split_whitespace().collect())
            .unwrap_or_default()
    }

    /// Every response: no framing, no MIME sniffing, no referrer.
    fn assert_common_headers(&self) {
        assert_eq!(
            self.directive("frame-ancestors"),
            ["'none'"],
            "{}",
            self.policy()
        );
        assert_eq!(self.header("x-content-type-options"), "nosniff");
        assert_eq!(self.header("referrer-policy"), "no-referrer");
    }

    fn assert_not_stored(&self) {
        assert_eq!(self.header("cache-control"), "no-store");
    }

    /// The text of the first `<tag …>…</tag>` element whose opening tag contains `marker`.
    fn element(&self, tag: &str, marker: &str) -> (&str, &str) {
        let open = format!("<{tag}");
        let start = self
            .text
            .match_indices(&open)
            .map(|(i, _)| i)
            .find(|&i| self.text[i..].split('>').next().unwrap().contains(marker))
            .unwrap_or_else(|| panic!("no <{tag}> with {marker} in {}", self.text));
        let rest = &self.text[start..];
        let head_end = rest.find('>').unwrap();
        let close = rest.find(&format!("</{tag}>")).unwrap();
        (&rest[..head_end], &rest[head_end + 1..close])
    }
}

#[tokio::test]
async fn an_api_answer_runs_nothing_and_is_not_stored() {
    let app = TestApp::spawn().await;
    for path in ["/api/health", "/api/v1/no-such-route", "/api/v1/me"] {
        let r = fetch(&app, path, None).await;
        r.assert_common_headers();
        r.assert_not_stored();
        assert_eq!(r.directive("default-src"), ["'none'"], "{path}");
        assert!(r.directive("script-src").is_empty(), "{path}: no script");
    }
}

#[tokio::test]
async fn a_page_allows_only_its_own_nonce_for_inline_code() {
    let app = TestApp::spawn().await;
    let r = fetch(&app, "/", None).await;
    assert_eq!(r.status, 200);
    r.assert_common_headers();

    let scripts = r.directive("script-src");
    let nonce = scripts
        .iter()
        .find_map(|s| s.strip_prefix("'nonce-")?.strip_suffix('\''))
        .unwrap_or_else(|| panic!("no nonce in {}", r.policy()));
    assert!(nonce.len() >= 16, "a nonce of 128 bits: {nonce}");
    assert!(scripts.contains(&"'wasm-unsafe-eval'"));
    assert!(!scripts.contains(&"'unsafe-inline'") && !scripts.contains(&"'unsafe-eval'"));
    assert!(r
        .directive("style-src")
        .contains(&format!("'nonce-{nonce}'").as_str()));
    assert!(!r.directive("style-src").contains(&"'unsafe-inline'"));

    // The inline hydration script and the shell's style sheet carry that nonce.
    let (script, _) = r.element("script", "type=\"module\"");
    assert!(script.contains(&format!("nonce=\"{nonce}\"")), "{script}");
    let (style, _) = r.element("style", "nonce");
    assert!(style.contains(&format!("nonce=\"{nonce}\"")), "{style}");

    let again = fetch(&app, "/", None).await;
    assert!(
        !again.policy().contains(nonce),
        "each response has a fresh nonce"
    );
}

#[tokio::test]
async fn the_candidate_page_is_not_stored_and_a_missing_page_has_the_page_policy() {
    let app = TestApp::spawn().await;
    let exam = fetch(&app, "/thi", None).await;
    assert_eq!(exam.status, 200);
    exam.assert_common_headers();
    exam.assert_not_stored();
    assert!(exam.policy().contains("'nonce-"));

    let missing = fetch(&app, "/khong-co-trang-nay", None).await;
    assert_eq!(missing.status, 404);
    missing.assert_common_headers();
    assert!(missing.policy().contains("'nonce-"));
}

#[tokio::test]
async fn a_print_view_runs_no_script_and_keeps_its_style_sheet() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    let path = format!(
        "/api/v1/sessions/{}/admission-tickets?format=html",
        d.session_id
    );
    let r = fetch(&app, &path, Some(&hr)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("GIẤY BÁO DỰ THI"));
    r.assert_common_headers();
    r.assert_not_stored();
    assert_eq!(r.directive("default-src"), ["'none'"]);
    assert!(r.directive("script-src").is_empty());

    // Its inline style sheet is allowed by hash, by its own policy and by the pages' — the
    // staff page opens it as a blob, which runs under the page's policy.
    let (_, sheet) = r.element("style", "");
    let hash = server::http::headers::style_hash(sheet);
    assert_eq!(r.directive("style-src"), [hash.as_str()]);
    let page = fetch(&app, "/to-chuc", None).await;
    assert!(page.directive("style-src").contains(&hash.as_str()));
}

#[tokio::test]
async fn a_published_pdf_is_kept_out_of_frames_but_left_to_the_browser_viewer() {
    let mut f = Fixture::new("CSP-2026").await;
    f.position("CV-XB", "written", 1).await;
    let a = f.candidate("Nguyễn Thị Hường", "CV-XB", &[]).await;
    f.mark(a, "written", "81.50").await;
    assert_eq!(f.publish(&f.hr).await.status, 201);
    let path = format!("/api/v1/public/rounds/{}/results?format=pdf", f.round_code);
    let r = fetch(&f.app, &path, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), "application/pdf");
    r.assert_common_headers();
    // Published results are public and the same for everyone: cached, but revalidated, since
    // the latest publication of a round can be replaced by a correction.
    assert_eq!(r.header("cache-control"), "public, no-cache");
    assert!(
        r.directive("default-src").is_empty() && r.directive("object-src").is_empty(),
        "Chrome's PDF viewer is a plugin: {}",
        r.policy()
    );
}

#[tokio::test]
async fn the_api_browser_has_no_inline_code() {
    let app = TestApp::spawn().await;
    let r = fetch(&app, "/api/docs", None).await;
    assert_eq!(r.status, 200);
    r.assert_common_headers();
    assert_eq!(r.directive("script-src"), ["'self'"]);
    assert_eq!(r.directive("style-src"), ["'self'"]);
    assert!(!r.text.contains("<style"), "no inline style sheet");
    assert!(!r.text.contains("<script>"), "no inline script");
    let (script, _) = r.element("script", "src=");
    let src = script
        .split("src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let js = fetch(&app, src, None).await;
    assert_eq!(js.status, 200);
    assert!(js.header("content-type").starts_with("text/javascript"));
    assert!(js.text.contains("/api/openapi.json"));
}
