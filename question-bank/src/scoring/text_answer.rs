//! Typed answers compared with accepted ones: Unicode form, case and spacing never count,
//! diacritics only when the exam says so.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::item::Item;
use crate::text::{fold, nfc};

/// How typed answers are compared with accepted ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextMatch {
    /// Letters and diacritics must match; Unicode form, case and spacing do not matter.
    #[default]
    Exact,
    /// Also ignore diacritics ([`crate::text::fold`]): `Ha Noi` is accepted for `Hà Nội`.
    IgnoreDiacritics,
}

/// Normal form of a typed answer for comparison: lower case, whitespace collapsed and trimmed,
/// NFC — or [`fold`]ed (diacritics removed too) under [`TextMatch::IgnoreDiacritics`].
pub fn normalize_text_answer(text: &str, mode: TextMatch) -> String {
    if let Some(quick) = quick_normal_form(text, mode) {
        return quick;
    }
    normalize_slowly(text, mode)
}

/// A letter whose lower case, taken alone, is its whole normal form: ASCII, or a precomposed
/// Latin letter (as Vietnamese is typed) with a one-letter lower case. Such a letter is a
/// starter that composes with no neighbour, so a text of them needs no decomposition; a test
/// checks every letter of the two ranges against the full normalization.
pub(super) fn quick_lower(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c.to_ascii_lowercase());
    }
    if !matches!(c, '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}') {
        return None;
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// [`normalize_text_answer`] of a text made only of [`quick_lower`] letters and whitespace,
/// without the Unicode tables (a whole exam holds hundreds of thousands of typed answers);
/// `None` for any other text, or under [`TextMatch::IgnoreDiacritics`] for a text not all ASCII.
pub(super) fn quick_normal_form(text: &str, mode: TextMatch) -> Option<String> {
    if mode == TextMatch::IgnoreDiacritics && !text.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(quick_lower(c)?);
    }
    Some(out)
}

pub(super) fn normalize_slowly(text: &str, mode: TextMatch) -> String {
    match mode {
        TextMatch::IgnoreDiacritics => fold(text),
        TextMatch::Exact => {
            // Lower-case in decomposed form so that a capital with a diacritic (NFD `O` + marks)
            // and its precomposed form lower-case alike, collapse the spaces, then recompose.
            let mut lower = String::with_capacity(text.len() + 8);
            for word in text.split_whitespace() {
                if !lower.is_empty() {
                    lower.push(' ');
                }
                lower.extend(word.nfd().flat_map(char::to_lowercase));
            }
            lower.nfc().collect()
        }
    }
}

/// The accepted answers of a `fill_blank` item as [`normalize_text_answer`] leaves them under
/// `mode`: what each typed answer is compared with. Grading a whole exam normalizes them once
/// per item rather than once per candidate.
pub fn normalized_accepted(item: &Item, mode: TextMatch) -> Vec<String> {
    item.answer
        .iter()
        .map(|a| normalize_text_answer(&nfc(a), mode))
        .collect()
}
