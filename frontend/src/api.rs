//! Typed client of the REST API (reference: the served `/api/openapi.json`). The browser calls the same endpoints as every other
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

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    keep_renewed_token(&resp);
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
        Some(t) => {
            let t = crate::session::current_token(t);
            b.header("Authorization", &format!("Bearer {t}"))
        }
        None => b,
    }
}

/// Keeps a staff token the server renewed with this response (`x-staff-token`).
#[cfg(feature = "hydrate")]
fn keep_renewed_token(resp: &gloo_net::http::Response) {
    if let Some(token) = resp.headers().get("x-staff-token") {
        crate::session::renew_staff_token(&token);
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

/// Signs out on the server: every token of the account stops working.
pub async fn logout(token: &str) -> Result<(), ApiError> {
    #[cfg(feature = "hydrate")]
    {
        let resp = builder("POST", "/api/v1/auth/logout", Some(token))
            .send()
            .await
            .map_err(|e| ApiError {
                status: 0,
                detail: e.to_string(),
                errors: vec![],
            })?;
        match resp.status() {
            200..=299 => Ok(()),
            status => {
                let mut problem = resp.json::<ApiError>().await.unwrap_or_default();
                problem.status = status;
                Err(problem)
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = token;
        Err(server_side())
    }
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
    #[serde(default)]
    pub read_only: bool,
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

/// A move of a live sitting to this computer, waiting for the supervisor (202).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingMove {
    pub move_id: i32,
    pub claim: String,
    pub status: String,
}

/// What a sign-in (or a poll of a pending move) answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SignIn {
    SignedIn(CandidateLoginResponse),
    Waiting(PendingMove),
}

/// Asks again how a move to this computer stands.
pub async fn poll_move(m: &PendingMove) -> Result<SignIn, ApiError> {
    send_json(
        "POST",
        &format!("/api/v1/candidate/moves/{}", m.move_id),
        &serde_json::json!({"claim": m.claim}),
        None,
    )
    .await
}

pub async fn candidate_login(
    ticket_no: String,
    access_code: String,
    pin: Option<String>,
) -> Result<SignIn, ApiError> {
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

/// `POST path` with a file chosen in the browser as the raw body (imports): the browser streams
/// the file itself, nothing is read into the page first.
#[cfg(feature = "hydrate")]
pub async fn post_file<R: DeserializeOwned>(
    path: &str,
    file: web_sys::File,
    token: &str,
) -> Result<R, ApiError> {
    let req = builder("POST", path, Some(token))
        .header("Content-Type", "application/octet-stream")
        .body(wasm_bindgen::JsValue::from(file))
        .map_err(|e| ApiError {
            status: 0,
            detail: e.to_string(),
            errors: vec![],
        })?;
    let resp = req.send().await.map_err(|e| ApiError {
        status: 0,
        detail: e.to_string(),
        errors: vec![],
    })?;
    keep_renewed_token(&resp);
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

/// Fetches a document that needs the staff token (print views, exports) and shows it: in a new
/// tab, or saved under `download` when a name is given. A plain link cannot carry the token.
pub async fn open_with_token(
    path: &str,
    token: &str,
    download: Option<&str>,
) -> Result<(), ApiError> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let fail = |detail: String| ApiError {
            status: 0,
            detail,
            errors: vec![],
        };
        let resp = builder("GET", path, Some(token))
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        keep_renewed_token(&resp);
        let status = resp.status();
        if !(200..300).contains(&status) {
            let mut problem = resp.json::<ApiError>().await.unwrap_or_default();
            problem.status = status;
            return Err(problem);
        }
        let kind = resp.headers().get("content-type").unwrap_or_default();
        let bytes = resp.binary().await.map_err(|e| fail(e.to_string()))?;
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&bytes[..]));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(&kind);
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
            .map_err(|e| fail(format!("{e:?}")))?;
        let url =
            web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| fail(format!("{e:?}")))?;
        let window = web_sys::window().ok_or_else(|| fail("no window".into()))?;
        match download {
            Some(name) => {
                let document = window
                    .document()
                    .ok_or_else(|| fail("no document".into()))?;
                let a: web_sys::HtmlAnchorElement = document
                    .create_element("a")
                    .map_err(|e| fail(format!("{e:?}")))?
                    .unchecked_into();
                a.set_href(&url);
                a.set_download(name);
                a.click();
            }
            None => {
                window
                    .open_with_url_and_target(&url, "_blank")
                    .map_err(|e| fail(format!("{e:?}")))?;
            }
        }
        Ok(())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (path, token, download);
        Err(server_side())
    }
}

/// A failure as one line: the status, the problem and every located field error.
pub fn describe(e: &ApiError) -> String {
    let mut out = format!("{} {}", e.status, e.detail);
    for f in &e.errors {
        out.push_str(&format!("; {}: {}", f.location, f.message));
    }
    out
}

// ---- question bank (exam board) ------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BankView {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub created_at: String,
    pub item_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicCount {
    pub topic: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionView {
    pub text: String,
    pub correct: bool,
    #[serde(default)]
    pub fixed: bool,
}

/// An item as authored (the request body of create and update), key included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemContent {
    pub topic: String,
    pub difficulty: u8,
    pub kind: String,
    pub stem: String,
    #[serde(default)]
    pub options: Vec<OptionView>,
    #[serde(default)]
    pub answer: Vec<String>,
    pub points: String,
    #[serde(default)]
    pub explanation: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemView {
    pub id: i32,
    pub bank_id: i32,
    pub version: i32,
    pub current_version: i32,
    pub status: String,
    pub author_id: i32,
    #[serde(default)]
    pub reviewed_by: Option<i32>,
    #[serde(default)]
    pub review_note: Option<String>,
    pub sha256: String,
    pub created_at: String,
    pub updated_at: String,
    #[serde(flatten)]
    pub content: ItemContent,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemList {
    pub items: Vec<ItemView>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionSummary {
    pub version: i32,
    pub sha256: String,
    pub author_id: i32,
    pub created_at: String,
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duplicate {
    pub location: String,
    pub item_id: i32,
    pub stem: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewItem {
    pub location: String,
    #[serde(default)]
    pub duplicate_of: Option<i32>,
    #[serde(flatten)]
    pub content: ItemContent,
}

/// `dry_run=true`: what the import would take, or every reason it would be refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub valid: bool,
    pub items: Vec<PreviewItem>,
    pub errors: Vec<FieldError>,
    pub duplicates: Vec<Duplicate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportResult {
    pub imported: usize,
    pub item_ids: Vec<i32>,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealView {
    pub id: i32,
    pub bank_id: i32,
    pub sha256: String,
    pub item_count: i32,
    pub sealed_at: String,
    pub sealed_by: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealCheck {
    pub id: i32,
    pub sha256: String,
    pub item_count: i32,
    pub intact: bool,
    pub recomputed_sha256: String,
    pub found_items: usize,
}

/// Percent-encodes a query-string value (everything but RFC 3986 unreserved characters).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `POST path` with the raw bytes of an uploaded file as the body.
pub async fn post_bytes<R: DeserializeOwned>(
    path: &str,
    bytes: Vec<u8>,
    token: Option<&str>,
) -> Result<R, ApiError> {
    #[cfg(feature = "hydrate")]
    {
        let body = js_sys::Uint8Array::from(bytes.as_slice());
        let req = builder("POST", path, token)
            .header("Content-Type", "application/octet-stream")
            .body(body)
            .map_err(|e| ApiError {
                status: 0,
                detail: e.to_string(),
                errors: vec![],
            })?;
        let resp = req.send().await.map_err(|e| ApiError {
            status: 0,
            detail: e.to_string(),
            errors: vec![],
        })?;
        keep_renewed_token(&resp);
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
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (path, bytes, token);
        Err(server_side())
    }
}

/// The name and bytes of the file chosen in the `<input type="file">` with this id.
pub async fn chosen_file(input_id: &str) -> Option<(String, Vec<u8>)> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let input: web_sys::HtmlInputElement = web_sys::window()?
            .document()?
            .get_element_by_id(input_id)?
            .dyn_into()
            .ok()?;
        let file = input.files()?.get(0)?;
        let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
            .await
            .ok()?;
        Some((file.name(), js_sys::Uint8Array::new(&buffer).to_vec()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = input_id;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded_as_utf8() {
        assert_eq!(encode_query_value("luat can bo"), "luat%20can%20bo");
        assert_eq!(encode_query_value("Luật"), "Lu%E1%BA%ADt");
        assert_eq!(encode_query_value("a/b&c=d"), "a%2Fb%26c%3Dd");
    }

    #[test]
    fn an_item_view_reads_the_flattened_content() {
        let v: ItemView = serde_json::from_str(
            r#"{"id":3,"bank_id":1,"version":2,"current_version":2,"status":"draft","author_id":5,
            "reviewed_by":null,"review_note":null,"sha256":"ab","created_at":"t","updated_at":"t",
            "topic":"A/B","difficulty":2,"kind":"single","stem":"S?","options":[{"text":"x","correct":true}],
            "answer":[],"points":"1.00","explanation":null,"tags":["t"]}"#,
        )
        .unwrap();
        assert_eq!(v.content.topic, "A/B");
        assert!(v.content.options[0].correct);
    }
}
