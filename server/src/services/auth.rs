//! Staff sign-in: throttled per username and per address, argon2id verification, and a signed
//! token carrying the roles.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::auth::jwt::{sign, Claims, TokenKind};
use crate::auth::password::{dummy_hash, verify_password};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::services::users::UserView;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub user: UserView,
}

#[tracing::instrument(skip_all)]
pub async fn login(state: &AppState, req: LoginRequest, addr: &str) -> AppResult<LoginResponse> {
    let now = state.now();
    let username = req.username.trim().to_string();
    state
        .throttle
        .check(&username, addr, now)
        .map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
    let user = repo::users::find_by_username(&state.db, &username).await?;
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_string());
    // argon2 is deliberately slow: keep it off the async workers.
    let password = req.password;
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| AppError::internal_from("password check", e))?;
    let user = match user {
        Some(u) if ok && u.active => u,
        _ => {
            state.throttle.record_failure(&username, addr, now);
            return Err(AppError::Unauthorized("wrong username or password".into()));
        }
    };
    state.throttle.record_success(&username);
    let expires_at = now + Duration::minutes(state.config.staff_token_minutes);
    let claims = Claims {
        sub: user.username.clone(),
        kind: TokenKind::Staff,
        id: user.id,
        roles: user.roles.iter().map(|r| r.code().to_string()).collect(),
        login: None,
        iat: now.timestamp(),
        exp: expires_at.timestamp(),
    };
    let token = sign(&claims, &state.config.jwt_secret.0)?;
    Ok(LoginResponse {
        token,
        expires_at,
        user: user.into(),
    })
}
