//! The section lines of a compact paper and the items each holds.

use std::borrow::Cow;

use rust_decimal::Decimal;

use super::escape::unescape;
use super::item::{decimal, CompactItem};
use super::{Form, PAPER_V1, PAPER_V2};
use crate::error::BankError;

/// A section line of a compact paper, its items not yet read.
pub(super) struct CompactSection<'a> {
    pub(super) form: Form,
    /// Line number, for errors.
    pub(super) line: usize,
    pub(super) code: Cow<'a, str>,
    pub(super) name: Cow<'a, str>,
    pub(super) items: &'a str,
}

/// The section lines of a compact paper, after its version line.
pub(super) fn sections_of(
    text: &str,
) -> Result<impl Iterator<Item = Result<CompactSection<'_>, BankError>>, BankError> {
    let mut lines = text.split('\n');
    let form = match lines.next() {
        Some(PAPER_V2) => Form::V2,
        Some(PAPER_V1) => Form::V1,
        _ => {
            return Err(BankError::one(
                "compact paper, line 1",
                format!("expected the version line '{PAPER_V2}' or '{PAPER_V1}'"),
            ))
        }
    };
    Ok(lines.enumerate().map(move |(k, line)| {
        let line_no = k + 2;
        let at = || format!("compact paper, line {line_no}");
        let mut fields = line.split('\t');
        let (Some(code), Some(name), Some(items), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(BankError::one(
                at(),
                "expected a section code, a name and its items, separated by tabs",
            ));
        };
        Ok(CompactSection {
            form,
            line: line_no,
            code: unescape(code).map_err(|m| BankError::one(at(), m))?,
            name: unescape(name).map_err(|m| BankError::one(at(), m))?,
            items,
        })
    }))
}

impl<'a> CompactSection<'a> {
    /// The section's items; `first_no` is the number of its first question (what `p2` does
    /// not write).
    pub(super) fn items(&self, first_no: u32) -> SectionItems<'a> {
        SectionItems {
            form: self.form,
            line: self.line,
            rest: self.items,
            count: 0,
            next_no: first_no,
            points: None,
        }
    }
}

/// The items of a section line, read one by one.
pub(super) struct SectionItems<'a> {
    pub(super) form: Form,
    pub(super) line: usize,
    /// The tokens not yet read, separated by single spaces.
    pub(super) rest: &'a str,
    /// Items read so far.
    pub(super) count: usize,
    /// `p2`: the number of the next item, and the points set by the last `@` token.
    pub(super) next_no: u32,
    pub(super) points: Option<Decimal>,
}

impl Iterator for SectionItems<'_> {
    type Item = Result<CompactItem, BankError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            // Tokens are a few bytes long: a plain scan beats a call to `memchr` per token.
            let end = self
                .rest
                .bytes()
                .position(|b| b == b' ')
                .unwrap_or(self.rest.len());
            let token = &self.rest[..end];
            self.rest = self.rest.get(end + 1..).unwrap_or_default();
            if token.is_empty() {
                continue;
            }
            let read = match self.form {
                Form::V1 => CompactItem::parse(token),
                Form::V2 => {
                    if let Some(points) = token.strip_prefix('@') {
                        match decimal(points) {
                            Some(p) => {
                                self.points = Some(p);
                                continue;
                            }
                            None => {
                                return Some(Err(BankError::one(
                                    format!("compact paper, line {}", self.line),
                                    format!("points '{points}' is not a decimal"),
                                )))
                            }
                        }
                    }
                    match self.points {
                        Some(points) => CompactItem::parse_v2(token, self.next_no, points),
                        None => Err(format!("item '{token}' comes before any '@points'")),
                    }
                }
            };
            self.count += 1;
            self.next_no = self.next_no.saturating_add(1);
            let (line, count) = (self.line, self.count);
            return Some(read.map_err(|m| {
                BankError::one(format!("compact paper, line {line}, item {count}"), m)
            }));
        }
    }
}
