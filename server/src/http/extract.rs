//! Extractors whose rejections are problem+json instead of axum's plain text.

use axum::extract::{FromRequest, FromRequestParts};

use crate::error::AppError;

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

/// Who is calling, for sign-ins: the client's address (from `X-Forwarded-For` only when the
/// TCP peer is one of `THITUYEN_TRUSTED_PROXIES`) and the browser's user agent.
impl FromRequestParts<crate::state::AppState> for crate::services::sign_in::Client {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::state::AppState,
    ) -> Result<Self, AppError> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
            .ok_or_else(|| AppError::internal("the peer address is unknown"))?;
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let ip = crate::rules::sign_in::client_address(
            peer,
            header("x-forwarded-for").as_deref(),
            &state.config.trusted_proxies,
        );
        Ok(crate::services::sign_in::Client {
            ip,
            user_agent: header("user-agent").unwrap_or_default(),
        })
    }
}
