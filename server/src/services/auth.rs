//! Staff sign-in: throttled per username and per address, argon2id verification, and a signed
//! token carrying the roles and the account's token version. The token lasts the idle limit
//! and is renewed on use up to the absolute limit; signing out ends every token of the account.
//! Every attempt goes to the security log.

use serde::{Deserialize, Serialize};

use crate::audit::{Action, Audited};
use crate::auth::extract::staff_token;
use crate::auth::password::{dummy_hash, verify_password};
use crate::auth::StaffUser;
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

#[tracing::instrument(skip_all)]
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
        .map_err(|e| AppError::internal_from("password check", e))?;
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
    let (token, expires_at) = staff_token(
        state,
        (user.id, &user.username, &user.roles),
        user.token_version,
        now,
    )?;
    Ok(LoginResponse {
        token,
        expires_at,
        user: user.into(),
    })
}

/// A fresh token for a signed-in staff member (the idle limit starts again; the absolute limit
/// from the original sign-in stays).
pub async fn refresh(state: &AppState, user: &StaffUser) -> AppResult<LoginResponse> {
    let account = repo::users::find(&state.db, user.id)
        .await?
        .ok_or_else(|| AppError::Unauthorized("the account no longer exists".into()))?;
    let (token, expires_at) = staff_token(
        state,
        (account.id, &account.username, &account.roles),
        account.token_version,
        user.signed_in_at,
    )?;
    Ok(LoginResponse {
        token,
        expires_at,
        user: account.into(),
    })
}

/// Signs out: every token of the account stops working (its token version moves on).
pub async fn logout(state: &AppState, user: &StaffUser) -> AppResult<()> {
    let w = Audited::begin(state).await?;
    repo::users::change(w.txn(), user.id, repo::users::AccountChange::default()).await?;
    w.record(
        &user.actor(),
        Action::UserLogout,
        user.id,
        serde_json::json!({"username": user.username}),
    );
    w.commit().await?;
    state.accounts.forget(user.id);
    Ok(())
}

/// A typed username as the log keeps it (whatever was typed, within reason).
fn truncated(username: &str) -> String {
    username.chars().take(100).collect()
}
