//! Tokens: HS256 JWTs with expiry. Staff tokens carry roles; candidate tokens carry the sitting
//! and the login they belong to (a newer login on another machine revokes the older page).

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
