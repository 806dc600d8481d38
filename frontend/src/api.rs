//! Typed client of the REST API (API.md). The browser calls the same endpoints as every other
//! client; there is no second copy of any rule here.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserView {
    pub id: i32,
    pub username: String,
    #[serde(default)]
    pub full_name: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: String,
    pub user: UserView,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FieldError {
    pub location: String,
    pub message: String,
}

/// A failed call: the HTTP status (0 when the server could not be reached) and the problem.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ApiError {
    #[serde(default)]
    pub status: u16,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub errors: Vec<FieldError>,
}

#[cfg(feature = "hydrate")]
async fn send<R: DeserializeOwned>(
    req: gloo_net::http::RequestBuilder,
    body: Option<String>,
) -> Result<R, ApiError> {
    let req = match body {
        Some(b) => req
            .header("Content-Type", "application/json")
            .body(b)
            .map_err(|e| ApiError {
                status: 0,
                detail: e.to_string(),
                errors: vec![],
            })?,
        None => req.build().map_err(|e| ApiError {
            status: 0,
            detail: e.to_string(),
            errors: vec![],
        })?,
    };
    let resp = req.send().await.map_err(|e| ApiError {
        status: 0,
        detail: e.to_string(),
        errors: vec![],
    })?;
    let status = resp.status();
    if (200..300).contains(&status) {
        resp.json::<R>().await.map_err(|e| ApiError {
            status,
            detail: e.to_string(),
            errors: vec![],
        })
    } else {
        let mut problem = resp.json::<ApiError>().await.unwrap_or_default();
        problem.status = status;
        Err(problem)
    }
}

#[cfg(feature = "hydrate")]
fn builder(method: &str, path: &str, token: Option<&str>) -> gloo_net::http::RequestBuilder {
    use gloo_net::http::RequestBuilder;
    let b = match method {
        "POST" => RequestBuilder::new(path).method(gloo_net::http::Method::POST),
        "PUT" => RequestBuilder::new(path).method(gloo_net::http::Method::PUT),
        _ => RequestBuilder::new(path),
    };
    match token {
        Some(t) => b.header("Authorization", &format!("Bearer {t}")),
        None => b,
    }
}

/// `GET path` as JSON.
pub async fn get<R: DeserializeOwned>(path: &str, token: Option<&str>) -> Result<R, ApiError> {
    #[cfg(feature = "hydrate")]
    {
        send(builder("GET", path, token), None).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (path, token);
        Err(server_side())
    }
}

/// `method path` with a JSON body.
pub async fn send_json<B: Serialize, R: DeserializeOwned>(
    method: &str,
    path: &str,
    body: &B,
    token: Option<&str>,
) -> Result<R, ApiError> {
    #[cfg(feature = "hydrate")]
    {
        let body = serde_json::to_string(body).map_err(|e| ApiError {
            status: 0,
            detail: e.to_string(),
            errors: vec![],
        })?;
        send(builder(method, path, token), Some(body)).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (method, path, body, token);
        Err(server_side())
    }
}

/// Browser calls are made only from event handlers and effects, which never run during
/// server rendering; reaching this means a page called the API while rendering.
#[cfg(not(feature = "hydrate"))]
fn server_side() -> ApiError {
    ApiError {
        status: 0,
        detail: "API calls are made from the browser only".into(),
        errors: vec![],
    }
}

pub async fn login(username: String, password: String) -> Result<LoginResponse, ApiError> {
    send_json(
        "POST",
        "/api/v1/auth/login",
        &LoginRequest { username, password },
        None,
    )
    .await
}

pub async fn me(token: &str) -> Result<UserView, ApiError> {
    get("/api/v1/me", Some(token)).await
}

// ---- candidate -----------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CandidateLoginResponse {
    pub token: String,
    pub sitting_id: i32,
    pub status: String,
    pub starts_at: String,
    pub ends_at: String,
    pub server_now: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateOption {
    pub key: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateItem {
    pub no: u32,
    pub kind: String,
    pub stem: String,
    #[serde(default)]
    pub options: Vec<CandidateOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateSection {
    pub code: String,
    pub name: String,
    pub items: Vec<CandidateItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedAnswer {
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub text: Option<String>,
    pub seq: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionResult {
    pub code: String,
    pub correct: String,
    pub total: u32,
    pub score: String,
    #[serde(default)]
    pub max_score: String,
    pub passed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmitResult {
    pub sections: Vec<SectionResult>,
    pub passed: bool,
    pub receipt_sha256: String,
    pub submitted_at: String,
    #[serde(default)]
    pub closed_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SittingView {
    pub sitting_id: i32,
    pub ticket_no: String,
    pub status: String,
    pub starts_at: String,
    pub ends_at: String,
    pub server_now: String,
    pub sections: Vec<CandidateSection>,
    pub answers: std::collections::BTreeMap<String, SavedAnswer>,
    #[serde(default)]
    pub result: Option<SubmitResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnswerAck {
    pub no: u32,
    pub seq: i64,
    pub saved_at: String,
}

pub async fn candidate_login(
    ticket_no: String,
    access_code: String,
    pin: Option<String>,
) -> Result<CandidateLoginResponse, ApiError> {
    send_json(
        "POST",
        "/api/v1/candidate/login",
        &serde_json::json!({"ticket_no": ticket_no, "access_code": access_code, "pin": pin}),
        None,
    )
    .await
}

pub async fn sitting(token: &str) -> Result<SittingView, ApiError> {
    get("/api/v1/sitting", Some(token)).await
}

pub async fn put_answer(token: &str, no: u32, answer: &SavedAnswer) -> Result<AnswerAck, ApiError> {
    let body = match &answer.text {
        Some(text) => serde_json::json!({"text": text, "seq": answer.seq}),
        None => serde_json::json!({"choices": answer.choices, "seq": answer.seq}),
    };
    send_json(
        "PUT",
        &format!("/api/v1/sitting/answers/{no}"),
        &body,
        Some(token),
    )
    .await
}

pub async fn submit(token: &str) -> Result<SubmitResult, ApiError> {
    send_json(
        "POST",
        "/api/v1/sitting/submit",
        &serde_json::json!({}),
        Some(token),
    )
    .await
}

/// Waits in the browser (retry back-off); returns at once elsewhere.
pub async fn sleep_ms(ms: i32) {
    #[cfg(feature = "hydrate")]
    {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}

/// Milliseconds since the epoch of an RFC 3339 time, as the browser parses it.
pub fn parse_ms(rfc3339: &str) -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::parse(rfc3339)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = rfc3339;
        0.0
    }
}

/// The lab computer's clock, used only to count down from the server's `server_now`.
pub fn local_now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}
