//! Staff passwords: argon2id with a random salt, PHC string stored; and the rule a new
//! password must meet (at least [`MIN_PASSWORD_CHARS`] characters, not a common password).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::{AppError, AppResult};

/// Shortest password accepted for a staff account.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The most common passwords, one a line, lower case: the top of the password frequency list
/// of zxcvbn (MIT licence), plus long common patterns and Vietnamese favourites.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

fn common_passwords() -> &'static std::collections::HashSet<&'static str> {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// Why `password` may not be a staff password, or `None` when it may. Common passwords are
/// matched whatever their case: `Password1234` is as guessable as `password1234`.
pub fn weakness(password: &str) -> Option<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Some(format!("at least {MIN_PASSWORD_CHARS} characters"));
    }
    if common_passwords().contains(password.trim().to_lowercase().as_str()) {
        return Some("this password is among the most common ones; choose another".into());
    }
    None
}

pub fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::encode_b64(&crate::secrets::random_bytes()[..16])
        .map_err(|e| AppError::internal(format!("salt encoding: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("password hashing: {e}")))
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so a wrong username costs the same
/// time as a wrong password and does not reveal which accounts exist.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no such user").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_common_passwords_are_weak_whatever_their_case() {
        assert!(weakness("ngan-qua").unwrap().contains("12"));
        assert!(weakness("12345678901").is_some());
        assert!(weakness("PassWord1234").unwrap().contains("common"));
        assert!(weakness("QWERTYUIOP12").is_some());
        assert!(weakness("123456789012").is_some());
        assert_eq!(weakness("mat-khau-thu-nghiem"), None);
        assert_eq!(weakness("Hội đồng tuyển dụng 2026"), None);
    }

    #[test]
    fn the_common_password_list_holds_thousands_of_lower_case_entries() {
        assert!(common_passwords().len() > 5000);
        assert!(common_passwords().iter().all(|p| *p == p.to_lowercase()));
    }

    #[test]
    fn argon2id_hash_verifies_only_the_right_password() {
        let h = hash_password("mật khẩu đúng").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("mật khẩu đúng", &h));
        assert!(!verify_password("mat khau dung", &h));
        assert!(!verify_password("x", dummy_hash()));
    }
}
