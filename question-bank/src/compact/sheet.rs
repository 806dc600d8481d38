//! The compact form of an answer sheet.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::escape::{escape_into, unescape, Unescaped};
use super::SHEET_VERSION;
use crate::error::BankError;
use crate::scoring::Answer;

/// The compact form of an answer sheet (question number → answer). Unanswered questions (no
/// letter and no text) are left out: they mark exactly as absent ones.
pub fn sheet_to_compact(sheet: &BTreeMap<u32, Answer>) -> String {
    let mut out = String::with_capacity(8 + sheet.len() * 6);
    out.push_str(SHEET_VERSION);
    for (no, answer) in sheet {
        if answer.choices.is_empty() && answer.text.is_none() {
            continue;
        }
        out.push(';');
        out.push_str(&no.to_string());
        out.push(':');
        for c in &answer.choices {
            let mut buf = [0u8; 4];
            escape_into(&mut out, c.encode_utf8(&mut buf));
        }
        if let Some(text) = &answer.text {
            out.push('|');
            escape_into(&mut out, text);
        }
    }
    out
}

/// Reads back [`sheet_to_compact`]; an error names the entry.
pub fn sheet_from_compact(text: &str) -> Result<BTreeMap<u32, Answer>, BankError> {
    let mut out = BTreeMap::new();
    for entry in sheet_entries(text) {
        let entry = entry?;
        let (letters, text) = entry.given()?;
        let answer = Answer {
            choices: letters.chars().collect(),
            text: text.map(Cow::into_owned),
        };
        if out.insert(entry.no, answer).is_some() {
            return Err(BankError::one(
                entry.at(),
                format!("question {} appears twice", entry.no),
            ));
        }
    }
    Ok(out)
}

/// One answer of a compact sheet, its values still escaped.
pub(super) struct SheetEntry<'a> {
    /// Position in the sheet (1-based), for errors.
    pub(super) k: usize,
    pub(super) no: u32,
    pub(super) letters: &'a str,
    pub(super) text: Option<&'a str>,
}

impl<'a> SheetEntry<'a> {
    pub(super) fn at(&self) -> String {
        format!("compact answer sheet, entry {}", self.k)
    }

    /// The letters and the typed text, unescaped (borrowed unless they hold an escape).
    pub(super) fn given(&self) -> Result<(Cow<'a, str>, Option<Cow<'a, str>>), BankError> {
        let letters = unescape(self.letters).map_err(|m| BankError::one(self.at(), m))?;
        let text = self
            .text
            .map(unescape)
            .transpose()
            .map_err(|m| BankError::one(self.at(), m))?;
        Ok((letters, text))
    }
}

/// The answers of a compact sheet in the order written, checked for form but not unescaped.
pub(super) fn sheet_entries(text: &str) -> impl Iterator<Item = Result<SheetEntry<'_>, BankError>> {
    let mut entries = Unescaped::new(text, b';');
    let version = match entries.next() {
        Some(SHEET_VERSION) => Ok(()),
        _ => Err(BankError::one(
            "compact answer sheet",
            format!("expected the version mark '{SHEET_VERSION}'"),
        )),
    };
    let (version, entries) = match version {
        Ok(()) => (None, Some(entries)),
        Err(e) => (Some(Err(e)), None),
    };
    version
        .into_iter()
        .chain(entries.into_iter().flatten().enumerate().map(|(k, entry)| {
            let k = k + 1;
            let at = || format!("compact answer sheet, entry {k}");
            let (no, rest) = entry
                .split_once(':')
                .ok_or_else(|| BankError::one(at(), format!("'{entry}' has no question number")))?;
            let no: u32 = no
                .parse()
                .map_err(|_| BankError::one(at(), format!("'{no}' is not a question number")))?;
            let mut parts = Unescaped::new(rest, b'|');
            let letters = parts.next().unwrap_or_default();
            let text = parts.next();
            if parts.next().is_some() {
                return Err(BankError::one(at(), "more than one '|' in an answer"));
            }
            Ok(SheetEntry {
                k,
                no,
                letters,
                text,
            })
        }))
}
