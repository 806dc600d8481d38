//! Checks of the plain fields use cases receive (codes, names and reasons, dates) and the
//! two-place text of points and ratios.
//!
//! A check pushes a located [`FieldError`] and carries on, so a request is answered with every
//! problem at once (422); it returns the value as it is stored (trimmed).

use chrono::NaiveDate;
use question_bank::FieldError;

/// Names of rounds, positions, agencies, banks and candidates.
pub const MAX_NAME_CHARS: usize = 200;
/// Reasons and other free text kept in the audit log.
pub const MAX_REASON_CHARS: usize = 2_000;
/// Codes appear in URLs and file names.
const MAX_CODE_LEN: usize = 64;

/// A code: up to 64 ASCII letters, digits, `-`, `_` or `.`.
pub fn check_code(errors: &mut Vec<FieldError>, location: &str, value: &str) -> String {
    let code = value.trim();
    if code.is_empty() {
        errors.push(FieldError::new(location, "required"));
    } else if code.len() > MAX_CODE_LEN
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        errors.push(FieldError::new(
            location,
            format!("'{code}': up to 64 letters (A-Z, a-z), digits, '-', '_' or '.'"),
        ));
    }
    code.to_string()
}

/// Required text of at most `max_chars` characters.
pub fn check_text(
    errors: &mut Vec<FieldError>,
    location: &str,
    value: &str,
    max_chars: usize,
) -> String {
    let text = value.trim();
    if text.is_empty() {
        errors.push(FieldError::new(location, "required"));
    } else if text.chars().count() > max_chars {
        errors.push(FieldError::new(
            location,
            format!("at most {max_chars} characters"),
        ));
    }
    text.to_string()
}

/// A date as HR writes it: `YYYY-MM-DD`, or `DD/MM/YYYY` as Vietnamese forms do.
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(v, "%d/%m/%Y"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_ascii_letters_digits_and_separators() {
        let mut errors = Vec::new();
        assert_eq!(
            check_code(&mut errors, "code", " KTC-2026_v1.2 "),
            "KTC-2026_v1.2"
        );
        assert!(errors.is_empty());
        check_code(&mut errors, "a", "");
        check_code(&mut errors, "b", "Sở Tài chính");
        check_code(&mut errors, "c", &"X".repeat(65));
        let found: Vec<(&str, bool)> = errors
            .iter()
            .map(|e| (e.location.as_str(), e.message == "required"))
            .collect();
        assert_eq!(found, vec![("a", true), ("b", false), ("c", false)]);
    }

    #[test]
    fn text_is_required_and_counted_in_characters() {
        let mut errors = Vec::new();
        assert_eq!(
            check_text(&mut errors, "name", " Lê Thị Ánh ", 11),
            "Lê Thị Ánh"
        );
        assert!(errors.is_empty());
        check_text(&mut errors, "name", "   ", 11);
        check_text(&mut errors, "reason", "Nguyễn Thị Lan", 11);
        assert_eq!(errors[0].message, "required");
        assert_eq!(errors[1].message, "at most 11 characters");
    }

    #[test]
    fn dates_are_read_year_first_or_day_first() {
        let d = NaiveDate::from_ymd_opt(1994, 3, 12);
        assert_eq!(parse_date("1994-03-12"), d);
        assert_eq!(parse_date(" 12/03/1994 "), d);
        assert_eq!(parse_date("12.03.1994"), None);
        assert_eq!(parse_date(""), None);
    }
}
