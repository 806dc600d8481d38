//! Staff sign-in: throttled per username and per address, argon2id verification, and a signed
//! token carrying the roles. Every attempt goes to the security log.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::auth::jwt::{sign, Claims, TokenKind};
use crate::auth::password::{dummy_hash, verify_password};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::services::sign_in::log::{line, record};
use crate::services::sign_in::Client;
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

pub async fn login(
    state: &AppState,
    req: LoginRequest,
    client: &Client,
) -> AppResult<LoginResponse> {
    let now = state.now();
    let username = req.username.trim().to_string();
    let addr = client.address();
    let subject = format!("staff:{}", truncated(&username));
    if let Err(retry_after) = state.throttle.check_staff(&username, &addr, now) {
        record(
            state,
            line("staff.login_failed", subject, client, "throttled"),
        )
        .await?;
        return Err(AppError::TooManyRequests { retry_after });
    }
    let user = repo::users::find_by_username(&state.db, &username).await?;
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_string());
    // argon2 is deliberately slow: keep it off the async workers.
    let password = req.password;
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| AppError::Internal(format!("password check: {e}")))?;
    let user = match user {
        Some(u) if ok && u.active => u,
        _ => {
            state.throttle.record_staff_failure(&username, &addr, now);
            let detail = "wrong username or password";
            record(state, line("staff.login_failed", subject, client, detail)).await?;
            return Err(AppError::Unauthorized("wrong username or password".into()));
        }
    };
    state.throttle.record_staff_success(&username);
    record(state, line("staff.login", subject, client, "")).await?;
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

/// A typed username as the log keeps it (whatever was typed, within reason).
fn truncated(username: &str) -> String {
    username.chars().take(100).collect()
}
