//! The signed-in staff member, taken from `Authorization: Bearer`. Role checks are explicit in
//! each handler (`user.require(&[Role::Hr])?`) so the route table reads as the permission table.

use std::sync::{Arc, OnceLock};

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};

use super::jwt::{sign, verify, Claims, TokenKind};
use super::role::Role;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The response header carrying a staff token renewed on use (idle timeout, README "Staff
/// sign-in").
pub const RENEWED_TOKEN_HEADER: &str = "x-staff-token";

/// A token is renewed on use once it is this old, so a busy page does not re-sign on every
/// request.
const RENEW_AFTER_SECONDS: i64 = 60;

#[derive(Debug, Clone)]
pub struct StaffUser {
    pub id: i32,
    pub username: String,
    pub roles: Vec<Role>,
    /// When this sign-in began: renewals keep it, the absolute limit counts from it.
    pub signed_in_at: DateTime<Utc>,
}

impl StaffUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Allowed when the user holds any of `roles`.
    pub fn require(&self, roles: &[Role]) -> AppResult<()> {
        if roles.iter().any(|r| self.has(*r)) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "this action needs the role {}",
                roles
                    .iter()
                    .map(|r| r.code())
                    .collect::<Vec<_>>()
                    .join(" or ")
            )))
        }
    }

    /// The name written into the audit log.
    pub fn actor(&self) -> String {
        format!("staff:{}", self.username)
    }
}

pub fn bearer(parts: &Parts) -> AppResult<&str> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| AppError::Unauthorized("missing Authorization: Bearer token".into()))?
        .to_str()
        .map_err(|_| AppError::Unauthorized("unreadable Authorization header".into()))?;
    value
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::Unauthorized("expected Authorization: Bearer <token>".into()))
}

/// A new staff token for an account: valid for the idle limit, never beyond the absolute limit
/// counted from `auth_time` (the sign-in).
pub fn staff_token(
    state: &AppState,
    user: (i32, &str, &[Role]),
    token_version: i32,
    auth_time: DateTime<Utc>,
) -> AppResult<(String, DateTime<Utc>)> {
    let (id, username, roles) = user;
    let now = state.now();
    let idle_end = now + chrono::Duration::minutes(state.config.staff_idle_minutes);
    let absolute_end = auth_time + chrono::Duration::minutes(state.config.staff_token_minutes);
    let expires_at = idle_end.min(absolute_end);
    let claims = Claims {
        sub: username.to_string(),
        kind: TokenKind::Staff,
        id,
        roles: roles.iter().map(|r| r.code().to_string()).collect(),
        login: None,
        ver: Some(token_version),
        auth_time: Some(auth_time.timestamp()),
        iat: now.timestamp(),
        exp: expires_at.timestamp(),
    };
    Ok((sign(&claims, &state.config.keys.staff_jwt)?, expires_at))
}

/// Where the staff extractor leaves a renewed token for [`renew_staff_tokens`] to send.
#[derive(Clone, Default)]
struct Renewal(Arc<OnceLock<String>>);

/// Middleware of the staff API: a request whose token is renewed gets the new token back in
/// [`RENEWED_TOKEN_HEADER`]. Candidate and public routes pass straight through.
pub async fn renew_staff_tokens(mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let staff = path.starts_with("/api/")
        && !path.starts_with("/api/v1/sitting")
        && !path.starts_with("/api/v1/candidate")
        && !path.starts_with("/api/v1/public");
    if !staff
        || !req
            .headers()
            .contains_key(axum::http::header::AUTHORIZATION)
    {
        return next.run(req).await;
    }
    let slot = Renewal::default();
    req.extensions_mut().insert(slot.clone());
    let mut resp = next.run(req).await;
    if let Some(value) = slot.0.get().and_then(|t| HeaderValue::from_str(t).ok()) {
        resp.headers_mut().insert(RENEWED_TOKEN_HEADER, value);
    }
    resp
}

impl FromRequestParts<AppState> for StaffUser {
    type Rejection = AppError;

    /// The signature (staff key), the expiry (idle and absolute limits), and the account:
    /// active, and still at the token's version. Roles are the account's current ones.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let now = state.now();
        let claims = verify(bearer(parts)?, &state.config.keys.staff_jwt, now)?;
        if claims.kind != TokenKind::Staff {
            return Err(AppError::Unauthorized("a staff token is required".into()));
        }
        let account = state
            .accounts
            .get(&state.db, claims.id)
            .await?
            .filter(|a| a.active && Some(a.token_version) == claims.ver)
            .ok_or_else(|| {
                AppError::Unauthorized(
                    "this sign-in has ended (signed out, account disabled, or its password or \
                     roles changed): sign in again"
                        .into(),
                )
            })?;
        let auth_time = claims
            .auth_time
            .and_then(|t| DateTime::from_timestamp(t, 0))
            .unwrap_or(now);
        if now.timestamp() - claims.iat >= RENEW_AFTER_SECONDS {
            if let Some(slot) = parts.extensions.get::<Renewal>() {
                let (token, _) = staff_token(
                    state,
                    (claims.id, &account.username, &account.roles),
                    account.token_version,
                    auth_time,
                )?;
                let _ = slot.0.set(token);
            }
        }
        Ok(StaffUser {
            id: claims.id,
            username: account.username,
            roles: account.roles,
            signed_in_at: auth_time,
        })
    }
}

/// The candidate behind a candidate token: which sitting, and which login (a newer login on
/// another computer makes older tokens stale).
#[derive(Debug, Clone)]
pub struct CandidateLogin {
    pub sitting_id: i32,
    pub ticket_no: String,
    pub login: String,
}

impl FromRequestParts<AppState> for CandidateLogin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let claims = verify(
            bearer(parts)?,
            &state.config.keys.candidate_jwt,
            state.now(),
        )?;
        match (claims.kind, claims.login) {
            (TokenKind::Candidate, Some(login)) => Ok(CandidateLogin {
                sitting_id: claims.id,
                ticket_no: claims.sub,
                login,
            }),
            _ => Err(AppError::Forbidden("a candidate token is required".into())),
        }
    }
}
