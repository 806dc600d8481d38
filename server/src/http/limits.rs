//! What one request may ask of the server, by kind of route: how large its body, how long it
//! runs, and — for imports — how many run at once. A candidate request carries a few answers,
//! a staff request a form; only an import carries a file. One middleware, keyed on the path,
//! so the route table of each resource stays as it is.

use axum::body::Body;
use axum::body::HttpBody as _;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::{Layer, ServiceExt};

use crate::config::Config;
use crate::error::AppError;
use crate::state::AppState;

/// The kinds of route that differ in what they may ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteClass {
    /// The sitting path: login with ticket and code, reading the paper, saving an answer,
    /// handing in. Thousands at once during a session, each small.
    Candidate,
    /// A file upload that is parsed and written whole.
    Import,
    /// A download made from a whole bank, session or publication.
    Export,
    /// Everything else: staff forms, public reads, pages.
    Standard,
}

const CANDIDATE_PREFIXES: [&str; 2] = ["/api/v1/candidate/", "/api/v1/sitting"];

/// Every route that takes a file (`*` is one path segment).
const IMPORTS: [&str; 2] = [
    "/api/v1/banks/*/imports",
    "/api/v1/rounds/*/applications/imports",
];

const EXPORTS: [&str; 6] = [
    "/api/v1/banks/*/export",
    "/api/v1/sessions/*/admission-tickets",
    "/api/v1/sessions/*/seat-list",
    "/api/v1/rounds/*/reports",
    "/api/v1/public/rounds/*/results",
    "/api/v1/public/rounds/*/publications/*",
];

impl RouteClass {
    pub fn of(method: &Method, path: &str) -> RouteClass {
        let is_candidate = CANDIDATE_PREFIXES.iter().any(|prefix| {
            path.strip_prefix(prefix).is_some_and(|rest| {
                prefix.ends_with('/') || rest.is_empty() || rest.starts_with('/')
            })
        });
        if is_candidate {
            RouteClass::Candidate
        } else if method == Method::POST && IMPORTS.iter().any(|p| matches(p, path)) {
            RouteClass::Import
        } else if method == Method::GET && EXPORTS.iter().any(|p| matches(p, path)) {
            RouteClass::Export
        } else {
            RouteClass::Standard
        }
    }

    pub fn body_limit(self, config: &Config) -> usize {
        match self {
            RouteClass::Candidate => config.limits.candidate_body_bytes,
            RouteClass::Import => config.max_upload_bytes,
            RouteClass::Export | RouteClass::Standard => config.limits.staff_body_bytes,
        }
    }

    pub fn timeout(self, config: &Config) -> Duration {
        match self {
            RouteClass::Import | RouteClass::Export => config.limits.transfer_timeout,
            RouteClass::Candidate | RouteClass::Standard => config.limits.request_timeout,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            RouteClass::Candidate => "a candidate request",
            RouteClass::Import => "an import",
            RouteClass::Export => "an export",
            RouteClass::Standard => "this request",
        }
    }
}

/// Whether `path` fits `pattern`, segment by segment, `*` standing for any one segment.
fn matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some("*"), Some(seg)) if !seg.is_empty() => {}
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

/// Room for a few imports at once: each holds its whole file in memory and writes it in one
/// transaction, so a burst of them would starve the candidates' saves of the database.
#[derive(Clone)]
pub struct ImportSlots {
    slots: Arc<Semaphore>,
}

impl ImportSlots {
    pub fn new(slots: usize) -> ImportSlots {
        ImportSlots {
            slots: Arc::new(Semaphore::new(slots)),
        }
    }

    /// A slot held until the permit drops, or `None` when every slot is taken. No waiting in
    /// line: an upload waiting here would keep its connection and body open meanwhile.
    pub fn try_acquire(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().try_acquire_owned().ok()
    }

    pub fn available(&self) -> usize {
        self.slots.available_permits()
    }
}

/// Seconds an import turned away for want of a slot is told to wait.
const IMPORT_RETRY_AFTER: u64 = 10;

/// Applies the limits of the request's [`RouteClass`] (see [`apply_limits`]).
pub async fn bound_request(State(state): State<AppState>, req: Request, next: Next) -> Response {
    apply_limits(&state.config, &state.imports, req, next).await
}

/// 413 naming the limit for a body over it (before reading it when its length is known), 503
/// with `Retry-After` when every import slot is taken, 503 when the request runs out of time.
/// Extractors are held to the same limit.
pub async fn apply_limits(
    config: &Config,
    imports: &ImportSlots,
    req: Request,
    next: Next,
) -> Response {
    let class = RouteClass::of(req.method(), req.uri().path());
    let limit = class.body_limit(config);
    if req.body().size_hint().lower() > limit as u64 {
        return too_large(class, limit);
    }
    let _slot = match class {
        RouteClass::Import => match imports.try_acquire() {
            Some(slot) => Some(slot),
            None => {
                return AppError::Unavailable {
                    retry_after: IMPORT_RETRY_AFTER,
                    reason: format!(
                        "{} imports are running already; try again shortly",
                        config.limits.concurrent_imports
                    ),
                }
                .into_response()
            }
        },
        _ => None,
    };
    let time = class.timeout(config);
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let run = async move {
        let Some(req) = read_unsized_body(req, limit).await else {
            return too_large(class, limit);
        };
        match DefaultBodyLimit::max(limit).layer(next).oneshot(req).await {
            Ok(resp) => resp,
            Err(never) => match never {},
        }
    };
    match tokio::time::timeout(time, run).await {
        Ok(resp) => resp,
        Err(_) => {
            tracing::warn!(%method, %path, seconds = time.as_secs_f64(), "request timed out");
            AppError::Unavailable {
                retry_after: 1,
                reason: format!("the request did not finish within {} s", time.as_secs_f64()),
            }
            .into_response()
        }
    }
}

fn too_large(class: RouteClass, limit: usize) -> Response {
    AppError::PayloadTooLarge(format!(
        "the body is larger than the {limit} bytes allowed for {}",
        class.describe()
    ))
    .into_response()
}

/// A body sent without its length (chunked) is read here, up to the limit, so that it too is
/// refused with 413 and not with whatever the handler's extractor makes of a cut body. `None`
/// past the limit — or when the connection drops mid-body, an answer nobody reads.
async fn read_unsized_body(req: Request, limit: usize) -> Option<Request> {
    if req.body().size_hint().upper().is_some() {
        return Some(req);
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit).await.ok()?;
    Some(Request::from_parts(parts, Body::from(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(method: Method, path: &str) -> RouteClass {
        RouteClass::of(&method, path)
    }

    #[test]
    fn the_sitting_path_is_the_candidate_class() {
        for path in [
            "/api/v1/candidate/login",
            "/api/v1/sitting",
            "/api/v1/sitting/answers/12",
            "/api/v1/sitting/submit",
        ] {
            assert_eq!(class(Method::POST, path), RouteClass::Candidate, "{path}");
        }
        assert_eq!(
            class(Method::GET, "/api/v1/sittings/4/seat"),
            RouteClass::Standard,
            "a supervisor's route about a sitting is staff"
        );
    }

    #[test]
    fn only_posting_a_file_to_an_import_route_is_an_import() {
        assert_eq!(
            class(Method::POST, "/api/v1/banks/3/imports"),
            RouteClass::Import
        );
        assert_eq!(
            class(Method::POST, "/api/v1/rounds/12/applications/imports"),
            RouteClass::Import
        );
        assert_eq!(
            class(Method::POST, "/api/v1/rounds/12/applications"),
            RouteClass::Standard
        );
        assert_eq!(
            class(Method::POST, "/api/v1/banks//imports"),
            RouteClass::Standard
        );
        assert_eq!(
            class(Method::POST, "/api/v1/banks/3/imports/extra"),
            RouteClass::Standard
        );
    }

    #[test]
    fn downloads_of_whole_documents_are_exports() {
        for path in [
            "/api/v1/banks/3/export",
            "/api/v1/sessions/2/seat-list",
            "/api/v1/sessions/2/admission-tickets",
            "/api/v1/public/rounds/HP-2026/results",
            "/api/v1/public/rounds/HP-2026/publications/7",
        ] {
            assert_eq!(class(Method::GET, path), RouteClass::Export, "{path}");
        }
        assert_eq!(
            class(Method::GET, "/api/v1/public/rounds/HP-2026/publications"),
            RouteClass::Standard
        );
    }

    #[test]
    fn each_class_has_its_body_limit_and_time() {
        let config = Config::for_tests("sqlite::memory:".into(), "unused".into());
        let l = &config.limits;
        assert_eq!(RouteClass::Candidate.body_limit(&config), 8 * 1024);
        assert_eq!(RouteClass::Standard.body_limit(&config), 64 * 1024);
        assert_eq!(
            RouteClass::Import.body_limit(&config),
            config.max_upload_bytes
        );
        assert_eq!(RouteClass::Candidate.timeout(&config), l.request_timeout);
        assert_eq!(RouteClass::Export.timeout(&config), l.transfer_timeout);
        assert!(l.transfer_timeout > l.request_timeout);
    }

    #[test]
    fn import_slots_turn_away_the_one_too_many_and_free_on_drop() {
        let slots = ImportSlots::new(2);
        let first = slots.try_acquire().expect("a first slot");
        let _second = slots.try_acquire().expect("a second slot");
        assert!(slots.try_acquire().is_none(), "the third waits for none");
        drop(first);
        assert!(
            slots.try_acquire().is_some(),
            "a finished import frees its slot"
        );
    }

    mod middleware {
        use super::super::*;
        use axum::body::Bytes;
        use axum::http::StatusCode;
        use axum::routing::{get, post, put};
        use axum::Router;

        fn app(config: Config, imports: ImportSlots) -> Router {
            let config = Arc::new(config);
            Router::new()
                .route(
                    "/api/v1/sitting/answers/{no}",
                    put(|b: Bytes| async move { b.len().to_string() }),
                )
                .route(
                    "/api/v1/banks/{id}/imports",
                    post(|b: Bytes| async move { b.len().to_string() }),
                )
                .route(
                    "/api/v1/rounds/{id}",
                    get(|| async {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        "never"
                    }),
                )
                .layer(axum::middleware::from_fn(
                    move |req: Request, next: Next| {
                        let (config, imports) = (config.clone(), imports.clone());
                        async move { apply_limits(&config, &imports, req, next).await }
                    },
                ))
        }

        fn config() -> Config {
            Config::for_tests("sqlite::memory:".into(), "unused".into())
        }

        async fn send(app: Router, method: &str, path: &str, body: Body) -> (StatusCode, String) {
            let req = Request::builder()
                .method(method)
                .uri(path)
                .body(body)
                .expect("request");
            let resp = app.oneshot(req).await.expect("infallible");
            let status = resp.status();
            let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
                .await
                .expect("body");
            (status, String::from_utf8_lossy(&bytes).into_owned())
        }

        #[tokio::test]
        async fn a_body_over_its_class_limit_is_413_naming_the_limit() {
            let app = app(config(), ImportSlots::new(2));
            let (status, text) = send(
                app.clone(),
                "PUT",
                "/api/v1/sitting/answers/1",
                Body::from(vec![b'x'; 8 * 1024 + 1]),
            )
            .await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
            assert!(text.contains("8192 bytes"), "{text}");
            let (status, text) = send(
                app,
                "PUT",
                "/api/v1/sitting/answers/1",
                Body::from(vec![b'x'; 8 * 1024]),
            )
            .await;
            assert_eq!((status, text.as_str()), (StatusCode::OK, "8192"));
        }

        #[tokio::test]
        async fn an_import_beyond_the_free_slots_is_503_with_retry_after() {
            let slots = ImportSlots::new(2);
            let (_a, _b) = (slots.try_acquire(), slots.try_acquire());
            let app = app(config(), slots.clone());
            let req = Request::post("/api/v1/banks/1/imports")
                .body(Body::from("x"))
                .expect("request");
            let resp = app.clone().oneshot(req).await.expect("infallible");
            assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(resp.headers()["retry-after"], "10");
            drop((_a, _b));
            let (status, _) = send(app, "POST", "/api/v1/banks/1/imports", Body::from("x")).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(slots.available(), 2, "the import gave its slot back");
        }

        #[tokio::test]
        async fn a_request_that_runs_out_of_time_is_503() {
            let mut config = config();
            config.limits.request_timeout = Duration::from_millis(20);
            let (status, text) = send(
                app(config, ImportSlots::new(2)),
                "GET",
                "/api/v1/rounds/1",
                Body::empty(),
            )
            .await;
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
            assert!(text.contains("did not finish within 0.02 s"), "{text}");
        }
    }
}
