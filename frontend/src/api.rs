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
