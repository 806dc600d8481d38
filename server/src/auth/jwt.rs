//! Tokens: HS256 JWTs with expiry. Staff tokens carry roles and the account's token version;
//! candidate tokens carry the sitting and the login they belong to (a newer login on another
//! machine revokes the older page). Each kind is signed with its own key (`crate::keys`).

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Staff,
    Candidate,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub kind: TokenKind,
    /// Staff user id, or the sitting id for a candidate.
    pub id: i32,
    #[serde(default)]
    pub roles: Vec<String>,
    /// Candidate tokens: the login this token belongs to.
    #[serde(default)]
    pub login: Option<String>,
    /// Staff tokens: the account's token version when signed; a token of an older version is
    /// refused (signed out, disabled, password reset, roles changed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ver: Option<i32>,
    /// Staff tokens: when the staff member signed in (Unix seconds). A renewed token keeps it,
    /// so no chain of renewals outlives the absolute limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    pub iat: i64,
    pub exp: i64,
}

pub fn sign(claims: &Claims, key: &[u8]) -> AppResult<String> {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(key),
    )
    .map_err(|e| AppError::internal_from("token signing", e))
}

/// Verifies signature, algorithm (HS256 only: `none` and every other alg are refused) and
/// expiry against the server clock.
pub fn verify(token: &str, key: &[u8], now: DateTime<Utc>) -> AppResult<Claims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false; // checked below against the injected clock
    validation.required_spec_claims = ["exp".to_string()].into_iter().collect();
    let data = decode::<Claims>(token, &DecodingKey::from_secret(key), &validation)
        .map_err(|e| AppError::Unauthorized(format!("invalid token: {e}")))?;
    if data.claims.exp <= now.timestamp() {
        return Err(AppError::Unauthorized("the token has expired".into()));
    }
    Ok(data.claims)
}
