//! One item of a compact paper, read in one pass over its bytes.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::kind_of_letter;
use crate::item::ItemKind;
use crate::paper::{ItemRef, PaperItem};

/// Options an item may have in a compact paper: twice what [`Item::validate`] allows, so the
/// permutation is held inline and a paper naming the wrong version still decodes (and fails to
/// fit, with the version named).
pub(super) const MAX_OPTIONS: usize = 16;

/// One item of a compact paper, decoded without allocating.
pub(super) struct CompactItem {
    pub(super) no: u32,
    pub(super) item_id: i32,
    pub(super) version_id: i32,
    pub(super) kind: ItemKind,
    pub(super) points: Decimal,
    pub(super) permutation: [u8; MAX_OPTIONS],
    pub(super) options: usize,
}

impl CompactItem {
    pub(super) fn borrowed(&self) -> ItemRef<'_> {
        ItemRef {
            no: self.no,
            item_id: self.item_id,
            version_id: self.version_id,
            kind: self.kind,
            points: self.points,
            permutation: &self.permutation[..self.options],
        }
    }

    pub(super) fn to_paper_item(&self) -> PaperItem {
        self.borrowed().to_paper_item()
    }

    /// Reads `no,item_id,version_id,kind,points,permutation`: six million of them are read to
    /// grade a large exam again, so the usual shape is read in one pass over the bytes, and
    /// anything else (which it may refuse with a reason) by [`CompactItem::parse_any`].
    /// Reads a `p2` item, `[item_id=]version_id` + kind letter + option capitals, in one pass.
    pub(super) fn parse_v2(token: &str, no: u32, points: Decimal) -> Result<Self, String> {
        let unreadable = || {
            format!("'{token}' is not an item ([item id=]version id, kind s/m/t/f, options A to P)")
        };
        let b = token.as_bytes();
        let mut at = 0;
        let id = |at: &mut usize| -> Option<i32> {
            let start = *at;
            while b.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            // Nine digits always fit an i32; ids never have more.
            if *at == start || *at - start > 9 {
                return None;
            }
            Some(
                b[start..*at]
                    .iter()
                    .fold(0i32, |v, &c| v * 10 + i32::from(c - b'0')),
            )
        };
        let first = id(&mut at).ok_or_else(unreadable)?;
        let (item_id, version_id) = if b.get(at) == Some(&b'=') {
            at += 1;
            (first, id(&mut at).ok_or_else(unreadable)?)
        } else {
            (first, first)
        };
        let kind = b
            .get(at)
            .and_then(|&c| kind_of_letter(c))
            .ok_or_else(unreadable)?;
        let letters = &b[at + 1..];
        if letters.len() > MAX_OPTIONS {
            return Err(format!("more than {MAX_OPTIONS} options in '{token}'"));
        }
        let mut permutation = [0u8; MAX_OPTIONS];
        for (slot, &c) in permutation.iter_mut().zip(letters) {
            if !(b'A'..b'A' + MAX_OPTIONS as u8).contains(&c) {
                return Err(unreadable());
            }
            *slot = c - b'A';
        }
        Ok(CompactItem {
            no,
            item_id,
            version_id,
            kind,
            points,
            permutation,
            options: letters.len(),
        })
    }

    pub(super) fn parse(text: &str) -> Result<Self, String> {
        match Self::parse_plain(text.as_bytes()) {
            Some(item) => Ok(item),
            None => Self::parse_any(text),
        }
    }

    /// The usual shape only: unsigned numbers of at most nine digits, points as digits with at
    /// most one point, option indexes up to 255. Whatever it reads, [`CompactItem::parse_any`]
    /// reads to the same item (a test holds them equal).
    pub(super) fn parse_plain(b: &[u8]) -> Option<Self> {
        let mut at = 0;
        // Digits up to the next byte, which must be `end` (or the end of the text if `end` is
        // `None`), returned with their count.
        let mut digits = |end: Option<u8>, most: usize| -> Option<(u64, usize)> {
            let start = at;
            let mut value = 0u64;
            while let Some(&c) = b.get(at) {
                if !c.is_ascii_digit() {
                    break;
                }
                value = value * 10 + u64::from(c - b'0');
                at += 1;
            }
            let count = at - start;
            if count == 0 || count > most {
                return None;
            }
            match (end, b.get(at)) {
                (Some(e), Some(&c)) if c == e => at += 1,
                (None, None) => {}
                _ => return None,
            }
            Some((value, count))
        };
        let (no, _) = digits(Some(b','), 9)?;
        let (item_id, _) = digits(Some(b','), 9)?;
        let (version_id, _) = digits(Some(b','), 9)?;
        let kind = match (b.get(at)?, b.get(at + 1)?) {
            (b's', b',') => ItemKind::Single,
            (b'm', b',') => ItemKind::Multiple,
            (b't', b',') => ItemKind::TrueFalse,
            (b'f', b',') => ItemKind::FillBlank,
            _ => return None,
        };
        at += 2;
        // Points: digits, then either `,` or `.digits,`.
        let comma = at + b[at..].iter().position(|&c| c == b',')?;
        let points = plain_decimal(&b[at..comma])?;
        let (permutation, options) = plain_permutation(&b[comma + 1..])?;
        Some(CompactItem {
            no: u32::try_from(no).ok()?,
            item_id: i32::try_from(item_id).ok()?,
            version_id: i32::try_from(version_id).ok()?,
            kind,
            points,
            permutation,
            options,
        })
    }

    /// Any text, read field by field; an error says what is wrong.
    pub(super) fn parse_any(text: &str) -> Result<Self, String> {
        let mut fields = [""; 6];
        let mut n = 0;
        let mut start = 0;
        for (i, &c) in text.as_bytes().iter().enumerate() {
            if c == b',' {
                if n == 5 {
                    return Err(format!("'{text}' has more than the six fields of an item"));
                }
                fields[n] = &text[start..i];
                n += 1;
                start = i + 1;
            }
        }
        if n != 5 {
            return Err(format!("'{text}' does not have the six fields of an item"));
        }
        fields[5] = &text[start..];
        let [no, item_id, version_id, kind, points, order] = fields;
        let number = |name: &str, value: &str| -> Result<i64, String> {
            value
                .parse()
                .map_err(|_| format!("{name} '{value}' is not a whole number"))
        };
        let kind = match kind {
            "s" => ItemKind::Single,
            "m" => ItemKind::Multiple,
            "t" => ItemKind::TrueFalse,
            "f" => ItemKind::FillBlank,
            other => return Err(format!("kind '{other}' is not one of s, m, t, f")),
        };
        let mut permutation = [0u8; MAX_OPTIONS];
        let mut options = 0;
        if !order.is_empty() {
            for p in order.split('.') {
                let slot = permutation
                    .get_mut(options)
                    .ok_or_else(|| format!("more than {MAX_OPTIONS} options in '{order}'"))?;
                *slot = p
                    .parse::<u8>()
                    .map_err(|_| format!("option index '{p}' is not a number from 0 to 255"))?;
                options += 1;
            }
        }
        Ok(CompactItem {
            no: u32::try_from(number("question number", no)?)
                .map_err(|_| format!("question number '{no}' is out of range"))?,
            item_id: i32::try_from(number("item id", item_id)?)
                .map_err(|_| format!("item id '{item_id}' is out of range"))?,
            version_id: i32::try_from(number("version id", version_id)?)
                .map_err(|_| format!("version id '{version_id}' is out of range"))?,
            kind,
            points: decimal(points).ok_or_else(|| format!("points '{points}' is not a decimal"))?,
            permutation,
            options,
        })
    }
}

/// Option indexes (up to 255) joined by `.`, as the usual shape writes a permutation.
fn plain_permutation(b: &[u8]) -> Option<([u8; MAX_OPTIONS], usize)> {
    let mut at = 0;
    let mut permutation = [0u8; MAX_OPTIONS];
    let mut options = 0;
    while at < b.len() {
        let mut value = 0u32;
        let start = at;
        while let Some(&c) = b.get(at) {
            if !c.is_ascii_digit() {
                break;
            }
            value = value * 10 + u32::from(c - b'0');
            at += 1;
        }
        if at == start || at - start > 3 || value > 255 {
            return None;
        }
        *permutation.get_mut(options)? = value as u8;
        options += 1;
        match b.get(at) {
            None => {}
            Some(b'.') if at + 1 < b.len() => at += 1,
            _ => return None,
        }
    }
    Some((permutation, options))
}

/// `Decimal::from_str`, with its value and its scale, read directly when the text is plain
/// digits with at most one point (as points always are), else by `from_str` itself.
pub(super) fn decimal(text: &str) -> Option<Decimal> {
    plain_decimal(text.as_bytes()).or_else(|| Decimal::from_str(text).ok())
}

/// Digits with at most one point, followed by digits, and at most 18 digits in all, read
/// directly; `None` for any other text.
fn plain_decimal(text: &[u8]) -> Option<Decimal> {
    let (whole, fraction) = match text.iter().position(|&c| c == b'.') {
        Some(p) if p + 1 < text.len() => (&text[..p], &text[p + 1..]),
        Some(_) => return None,
        None => (text, &text[text.len()..]),
    };
    if whole.is_empty()
        || whole.len() + fraction.len() > 18
        || !whole.iter().chain(fraction).all(u8::is_ascii_digit)
    {
        return None;
    }
    let mantissa = whole
        .iter()
        .chain(fraction)
        .fold(0i64, |m, &c| m * 10 + i64::from(c - b'0'));
    Decimal::try_from_i128_with_scale(i128::from(mantissa), fraction.len() as u32).ok()
}
