//! Text normalisation shared by validation, duplicate detection and search.
//!
//! Vietnamese arrives both precomposed (NFC) and decomposed (NFD) depending on the editor that
//! produced it; we store NFC so that equal text is equal bytes, and fold diacritics only for
//! matching (`luat can bo` must find *Luật cán bộ*).

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Canonical stored form: NFC, trimmed.
pub fn nfc(s: &str) -> String {
    s.trim().nfc().collect()
}

/// Search/duplicate key: lower case, diacritics removed (đ → d), whitespace collapsed.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
            continue;
        }
        out.extend(c.to_lowercase());
        last_space = false;
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_input_is_stored_as_nfc() {
        let nfd: String = "Luật cán bộ".nfd().collect();
        assert_ne!(nfd, "Luật cán bộ");
        assert_eq!(nfc(&nfd), "Luật cán bộ");
    }

    #[test]
    fn folding_ignores_diacritics_case_and_spacing() {
        assert_eq!(
            fold("  Luật   Cán bộ, công chức "),
            "luat can bo, cong chuc"
        );
        assert_eq!(fold("Đồ Sơn"), "do son");
    }
}
