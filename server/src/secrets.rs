//! Every secret and code the server makes or checks: random keys and tokens, the session
//! access code read aloud to the room (VN-21), candidate PINs, their key and keyed digest, and the
//! constant-time comparison that checks them.

use hmac::{Hmac, KeyInit, Mac};
use rand::RngExt;
use sha2::{Digest, Sha256};

/// 32 bytes from a cryptographically secure generator: a key's worth (session secrets, the
/// token signing key). A shorter secret takes a prefix.
pub fn random_bytes() -> [u8; 32] {
    let mut b = [0u8; 32];
    rand::rng().fill(&mut b[..]);
    b
}

/// A new login of a sitting (128 random bits, hex): the token carries it, and only the page
/// holding the sitting's latest login may act on it.
pub fn login_token() -> String {
    hex::encode(&random_bytes()[..16])
}

/// Six characters without look-alikes (no 0/O, 1/I/L), read aloud to the room (VN-21).
pub fn access_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..6)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A candidate's six-digit PIN, random: what a supervisor re-issues.
pub fn new_pin() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// The PIN issued with a ticket: six digits derived from the candidate-code key and the ticket
/// number, so the admission ticket can be printed (and printed again) by the server alone,
/// while the database keeps only the digest. A PIN the supervisor re-issues is random instead.
pub fn issued_pin(key: &[u8], ticket_no: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return new_pin();
    };
    mac.update(b"thituyen-issued-pin-v1\n");
    mac.update(ticket_no.as_bytes());
    let bytes = mac.finalize().into_bytes();
    let n = u64::from_be_bytes([
        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
    ]);
    format!("{:06}", n % 1_000_000)
}

/// Keyed hash of a candidate PIN. Cheap to check (no slow password hash, so thousands of
/// candidates can sign in within the first minute) yet useless without the server's key: a
/// copy of the database alone does not let anyone try the million PINs offline.
pub fn pin_digest(key: &[u8], ticket_no: &str, pin: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(), // HMAC accepts keys of any length
    };
    mac.update(b"thituyen-pin-v1\n");
    mac.update(ticket_no.as_bytes());
    mac.update(b"\n");
    mac.update(pin.trim().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether a typed code is the expected one, ignoring case and surrounding spaces. Digests are
/// compared, in constant time, so the time taken tells neither how much of the code matched
/// nor how long it is.
pub fn same_code(expected: &str, given: &str) -> bool {
    let digest = |code: &str| Sha256::digest(code.trim().to_uppercase().as_bytes());
    constant_time_eq(&digest(expected), &digest(given))
}

/// Byte-wise equality whose time depends on the lengths only, not on where the first
/// difference is.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vn_21_an_access_code_is_six_unambiguous_characters() {
        for _ in 0..200 {
            let code = access_code();
            assert_eq!(code.len(), 6);
            assert!(code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
            assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
        }
    }

    #[test]
    fn a_code_matches_whatever_its_case_and_surrounding_spaces() {
        assert!(same_code("ABC234", " abc234 "));
        assert!(!same_code("ABC234", "ABC235"));
        assert!(!same_code("ABC234", "ABC2345"));
        assert!(!same_code("ABC234", ""));
    }

    #[test]
    fn equal_bytes_only_are_equal() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"pin", b"pin"));
        assert!(!constant_time_eq(b"pin", b"pit"));
        assert!(!constant_time_eq(b"pin", b"pins"));
    }

    #[test]
    fn a_pin_digest_depends_on_the_key_the_ticket_and_the_pin() {
        let d = pin_digest(b"key", "0001001", "123456");
        assert_eq!(d.len(), 64);
        assert_eq!(d, pin_digest(b"key", "0001001", " 123456 "));
        assert_ne!(d, pin_digest(b"other key", "0001001", "123456"));
        assert_ne!(d, pin_digest(b"key", "0001002", "123456"));
        assert_ne!(d, pin_digest(b"key", "0001001", "123457"));
    }

    #[test]
    fn an_issued_pin_is_six_digits_fixed_by_the_key_and_the_ticket() {
        let key = [7u8; 32];
        assert_ne!(
            issued_pin(&key, "0001001"),
            issued_pin(&[8u8; 32], "0001001")
        );
        let pin = issued_pin(&key, "0001001");
        assert!(
            pin.len() == 6 && pin.chars().all(|c| c.is_ascii_digit()),
            "{pin}"
        );
        assert_eq!(pin, issued_pin(&key, "0001001"));
        let others: std::collections::HashSet<String> = (1..=50)
            .map(|s| issued_pin(&key, &format!("0001{s:03}")))
            .collect();
        assert!(others.len() > 45, "PINs of neighbouring tickets differ");
    }

    #[test]
    fn pins_are_six_digits_and_tokens_are_fresh() {
        let pin = new_pin();
        assert!(
            pin.len() == 6 && pin.chars().all(|c| c.is_ascii_digit()),
            "{pin}"
        );
        let (a, b) = (login_token(), login_token());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert_ne!(random_bytes(), random_bytes());
    }
}
