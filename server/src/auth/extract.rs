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

pub fn claims(parts: &Parts, state: &AppState) -> AppResult<Claims> {
    verify(bearer(parts)?, key, state.now())
}

impl FromRequestParts<AppState> for StaffUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let claims = claims(parts, state)?;
        if claims.kind != TokenKind::Staff {
            return Err(AppError::Forbidden("a staff token is required".into()));
        }
        Ok(StaffUser {
            id: claims.id,
            username: claims.sub,
            roles: claims.roles.iter().filter_map(|r| r.parse().ok()).collect(),
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
        let claims = verify(bearer(parts)?, &state.config.keys.candidate_jwt, state.now())?;
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
