//! Compact text forms of a paper and of an answer sheet, stored beside the canonical ones so
//! that a whole exam can be marked again from one narrow read (issue 8: 100,000 candidates in
//! seconds). The canonical JSON of a paper stays what is hashed and published; these forms are
//! derived from it and decode to the same values: the grader marks from them, and the live
//! paths (the candidate's paper, autosave, hand-in) decode the paper from its compact form.
//!
//! Paper, one line per section after a version line. The current form, `p2`:
//!
//! ```text
//! p2
//! GK<TAB>Kiến thức chung<TAB>@1.00 812=3301sCADB 3115f 3302tBA
//! ```
//!
//! A token `@points` sets the points of the items after it (every line with items starts with
//! one). An item is `[item_id=]version_id`, its kind as one letter (`s`ingle, `m`ultiple,
//! `t`rue_false, `f`ill_blank), then its permutation as one capital per displayed option
//! naming the original option (`A` = 0 … `P` = 15; none for `fill_blank`); the item id is
//! written only when it differs from the version id. Question numbers are not written: they
//! run from 1 in paper order. A paper numbered otherwise, or with an option index past 15, is
//! written in the older form `p1`, which every reader still reads (rows stored before `p2`):
//!
//! ```text
//! p1
//! GK<TAB>Kiến thức chung<TAB>1,812,3301,s,1.00,2.0.3.1 2,3115,3115,f,1.00, …
//! ```
//!
//! each item being `no,item_id,version_id,kind,points,permutation`, the permutation as
//! `.`-joined original option indexes.
//!
//! Answer sheet: `s1` then `;no:letters` per answered question, and `|text` after the letters of
//! a typed answer. Section codes, names, letters and texts are escaped with `\` before any of
//! the separators, so every value round-trips, whatever it holds; other control characters are
//! written `\u001e`, so neither form holds a raw control character but the paper's own tabs and
//! newlines (a reader may join many forms with the ASCII record and unit separators).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::blueprint::Blueprint;
use crate::error::BankError;
use crate::item::ItemKind;
use crate::paper::{not_in_pool, ItemRef, Paper, PaperItem, PaperSection};
use crate::scoring::{
    marks_given, Answer, CandidateTerms, ExamMarking, Given, PaperResult, Sealed, Tally,
};

/// The paper forms: `p2` is written whenever the paper allows it.
const PAPER_V1: &str = "p1";
const PAPER_V2: &str = "p2";
const SHEET_VERSION: &str = "s1";

/// Which paper form a text is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    V1,
    V2,
}

fn kind_letter(kind: ItemKind) -> char {
    match kind {
        ItemKind::Single => 's',
        ItemKind::Multiple => 'm',
        ItemKind::TrueFalse => 't',
        ItemKind::FillBlank => 'f',
    }
}

fn kind_of_letter(letter: u8) -> Option<ItemKind> {
    match letter {
        b's' => Some(ItemKind::Single),
        b'm' => Some(ItemKind::Multiple),
        b't' => Some(ItemKind::TrueFalse),
        b'f' => Some(ItemKind::FillBlank),
        _ => None,
    }
}

/// The compact form of `paper` (see the module notes): `p2` when its questions are numbered
/// 1, 2, 3… in order and no option index passes 15 (as every assembled paper), else `p1`.
pub fn paper_to_compact(paper: &Paper) -> String {
    let v2 = paper.items().enumerate().all(|(k, item)| {
        item.no as usize == k + 1
            && item
                .permutation
                .iter()
                .all(|&p| usize::from(p) < MAX_OPTIONS)
    });
    if v2 {
        paper_to_v2(paper)
    } else {
        paper_to_v1(paper)
    }
}

/// The version line, then per section its head (`code<TAB>name<TAB>`) and what `items` writes
/// of its items.
fn write_paper(
    paper: &Paper,
    version: &str,
    bytes_per_item: usize,
    mut items: impl FnMut(&mut String, &[PaperItem]),
) -> String {
    let mut out = String::with_capacity(32 + paper.item_count() * bytes_per_item);
    out.push_str(version);
    for section in &paper.sections {
        out.push('\n');
        escape_into(&mut out, &section.code);
        out.push('\t');
        escape_into(&mut out, &section.name);
        out.push('\t');
        items(&mut out, &section.items);
    }
    out
}

// Writing into a String cannot fail: the `write!` results below are ignored.
fn paper_to_v2(paper: &Paper) -> String {
    use std::fmt::Write;
    write_paper(paper, PAPER_V2, 10, |out, items| {
        let mut points: Option<Decimal> = None;
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            // Equal decimals may differ in scale (1 and 1.00), which the hash sees.
            let same = points.is_some_and(|p| p == item.points && p.scale() == item.points.scale());
            if !same {
                let _ = write!(out, "@{} ", item.points);
                points = Some(item.points);
            }
            if item.item_id != item.version_id {
                let _ = write!(out, "{}=", item.item_id);
            }
            let _ = write!(out, "{}{}", item.version_id, kind_letter(item.kind));
            out.extend(item.permutation.iter().map(|&p| char::from(b'A' + p)));
        }
    })
}

fn paper_to_v1(paper: &Paper) -> String {
    use std::fmt::Write;
    write_paper(paper, PAPER_V1, 20, |out, items| {
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            let _ = write!(
                out,
                "{},{},{},{},{},",
                item.no,
                item.item_id,
                item.version_id,
                kind_letter(item.kind),
                item.points
            );
            for (i, p) in item.permutation.iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                let _ = write!(out, "{p}");
            }
        }
    })
}

/// Reads back [`paper_to_compact`] (either form); an error names the line and the item.
pub fn paper_from_compact(text: &str) -> Result<Paper, BankError> {
    let mut sections = Vec::new();
    let mut next_no = 1;
    for section in sections_of(text)? {
        let section = section?;
        let items = section
            .items(next_no)
            .map(|item| item.map(|i| i.to_paper_item()))
            .collect::<Result<Vec<_>, _>>()?;
        next_no += items.len() as u32;
        sections.push(PaperSection {
            code: section.code.into_owned(),
            name: section.name.into_owned(),
            items,
        });
    }
    Ok(Paper { sections })
}

/// Grades a paper and an answer sheet kept in compact form, as [`grade`] grades them decoded
/// (a test holds the two equal), without building either: a whole exam is marked with a few
/// allocations per candidate. `lookup` finds a sealed item version by its id. Returns the
/// result and the number of answers the sheet holds.
pub fn grade_compact<'a>(
    blueprint: &Blueprint,
    paper: &str,
    sheet: &str,
    lookup: impl Fn(i32) -> Option<Sealed<'a>>,
    marking: &ExamMarking,
    terms: &CandidateTerms,
) -> Result<(PaperResult, usize), BankError> {
    let mut answers = sheet_entries(sheet).collect::<Result<Vec<_>, _>>()?;
    if !answers.is_sorted_by_key(|a| a.no) {
        answers.sort_by_key(|a| a.no);
    }
    if let Some(w) = answers.windows(2).find(|w| w[0].no == w[1].no) {
        return Err(BankError::one(
            "compact answer sheet",
            format!("question {} appears twice", w[0].no),
        ));
    }
    let mut sections = Vec::new();
    let mut next_no = 1;
    for (s, section) in sections_of(paper)?.enumerate() {
        let section = section?;
        let mut tally = Tally::new(blueprint, s, &section.code)?;
        for item in section.items(next_no) {
            let item = item?;
            next_no += 1;
            let pi = item.borrowed();
            let sealed = lookup(pi.version_id).ok_or_else(|| not_in_pool(&pi))?;
            let given = match answers.binary_search_by_key(&pi.no, |a| a.no) {
                Ok(k) => Some(answers[k].given()?),
                Err(_) => None,
            };
            let right = marks_given(
                &pi,
                sealed,
                given.as_ref().map(|(letters, text)| Given {
                    letters: letters.chars(),
                    text: text.as_deref(),
                }),
                marking,
            )?;
            tally.add(pi.points, right);
        }
        sections.push(tally.result(s, &section.code, terms)?);
    }
    Ok((PaperResult::of(sections, terms), answers.len()))
}

/// A section line of a compact paper, its items not yet read.
struct CompactSection<'a> {
    form: Form,
    /// Line number, for errors.
    line: usize,
    code: Cow<'a, str>,
    name: Cow<'a, str>,
    items: &'a str,
}

/// The section lines of a compact paper, after its version line.
fn sections_of(
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
    fn items(&self, first_no: u32) -> SectionItems<'a> {
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
struct SectionItems<'a> {
    form: Form,
    line: usize,
    /// The tokens not yet read, separated by single spaces.
    rest: &'a str,
    /// Items read so far.
    count: usize,
    /// `p2`: the number of the next item, and the points set by the last `@` token.
    next_no: u32,
    points: Option<Decimal>,
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

/// Options an item may have in a compact paper: twice what [`Item::validate`] allows, so the
/// permutation is held inline and a paper naming the wrong version still decodes (and fails to
/// fit, with the version named).
const MAX_OPTIONS: usize = 16;

/// One item of a compact paper, decoded without allocating.
struct CompactItem {
    no: u32,
    item_id: i32,
    version_id: i32,
    kind: ItemKind,
    points: Decimal,
    permutation: [u8; MAX_OPTIONS],
    options: usize,
}

impl CompactItem {
    fn borrowed(&self) -> ItemRef<'_> {
        ItemRef {
            no: self.no,
            item_id: self.item_id,
            version_id: self.version_id,
            kind: self.kind,
            points: self.points,
            permutation: &self.permutation[..self.options],
        }
    }

    fn to_paper_item(&self) -> PaperItem {
        self.borrowed().to_paper_item()
    }

    /// Reads `no,item_id,version_id,kind,points,permutation`: six million of them are read to
    /// grade a large exam again, so the usual shape is read in one pass over the bytes, and
    /// anything else (which it may refuse with a reason) by [`CompactItem::parse_any`].
    /// Reads a `p2` item, `[item_id=]version_id` + kind letter + option capitals, in one pass.
    fn parse_v2(token: &str, no: u32, points: Decimal) -> Result<Self, String> {
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

    fn parse(text: &str) -> Result<Self, String> {
        match Self::parse_plain(text.as_bytes()) {
            Some(item) => Ok(item),
            None => Self::parse_any(text),
        }
    }

    /// The usual shape only: unsigned numbers of at most nine digits, points as digits with at
    /// most one point, option indexes up to 255. Whatever it reads, [`CompactItem::parse_any`]
    /// reads to the same item (a test holds them equal).
    fn parse_plain(b: &[u8]) -> Option<Self> {
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
        let start = at;
        let comma = start + b[start..].iter().position(|&c| c == b',')?;
        let points = &b[start..comma];
        let (whole, fraction) = match points.iter().position(|&c| c == b'.') {
            Some(p) => (&points[..p], &points[p + 1..]),
            None => (points, &points[points.len()..]),
        };
        if whole.is_empty()
            || (fraction.is_empty() && whole.len() < points.len())
            || whole.len() + fraction.len() > 18
            || !whole.iter().chain(fraction).all(u8::is_ascii_digit)
        {
            return None;
        }
        let mantissa = whole
            .iter()
            .chain(fraction)
            .fold(0i64, |m, &c| m * 10 + i64::from(c - b'0'));
        let points =
            Decimal::try_from_i128_with_scale(i128::from(mantissa), fraction.len() as u32).ok()?;
        let mut at = comma + 1;
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
    fn parse_any(text: &str) -> Result<Self, String> {
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

/// `Decimal::from_str`, with its value and its scale, read directly when the text is plain
/// digits with at most one point (as points always are), else by `from_str` itself.
fn decimal(text: &str) -> Option<Decimal> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) if !fraction.is_empty() => (whole, fraction),
        Some(_) => return Decimal::from_str(text).ok(),
        None => (text, ""),
    };
    let plain = !whole.is_empty()
        && whole.len() + fraction.len() <= 18
        && whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit());
    if !plain {
        return Decimal::from_str(text).ok();
    }
    let mantissa = whole
        .bytes()
        .chain(fraction.bytes())
        .fold(0i64, |m, b| m * 10 + i64::from(b - b'0'));
    Decimal::try_from_i128_with_scale(i128::from(mantissa), fraction.len() as u32).ok()
}

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
struct SheetEntry<'a> {
    /// Position in the sheet (1-based), for errors.
    k: usize,
    no: u32,
    letters: &'a str,
    text: Option<&'a str>,
}

impl<'a> SheetEntry<'a> {
    fn at(&self) -> String {
        format!("compact answer sheet, entry {}", self.k)
    }

    /// The letters and the typed text, unescaped (borrowed unless they hold an escape).
    fn given(&self) -> Result<(Cow<'a, str>, Option<Cow<'a, str>>), BankError> {
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
fn sheet_entries(text: &str) -> impl Iterator<Item = Result<SheetEntry<'_>, BankError>> {
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

/// Characters that separate the values of either form (commas and spaces separate only
/// numbers, never an escaped value).
fn special(c: char) -> bool {
    matches!(c, '\\' | '\t' | '\n' | ';' | '|' | ':')
}

fn escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c if special(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// `value` without its escapes (borrowed when it has none, as nearly every value).
fn unescape(value: &str) -> Result<Cow<'_, str>, String> {
    if !value.contains('\\') {
        return Ok(Cow::Borrowed(value));
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let c = u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("'\\u{hex}' is not a character"))?;
                out.push(c);
            }
            // Any other escaped character stands for itself.
            Some(c) => out.push(c),
            None => return Err("a '\\' ends the value".to_string()),
        }
    }
    Ok(Cow::Owned(out))
}

/// The parts of a text between separators not escaped by a backslash (each part keeps its
/// escapes, for [`unescape`]).
struct Unescaped<'a> {
    rest: Option<&'a str>,
    /// An ASCII separator.
    sep: u8,
}

impl<'a> Unescaped<'a> {
    fn new(text: &'a str, sep: u8) -> Self {
        debug_assert!(sep.is_ascii());
        Self {
            rest: Some(text),
            sep,
        }
    }
}

impl<'a> Iterator for Unescaped<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let text = self.rest?;
        // The separators and the backslash are ASCII, and no byte of a multi-byte UTF-8
        // character is: scanning bytes finds exactly the characters.
        let sep = self.sep;
        let mut escaped = false;
        for (i, &b) in text.as_bytes().iter().enumerate() {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == sep {
                self.rest = Some(&text[i + 1..]);
                return Some(&text[..i]);
            }
        }
        self.rest = None;
        Some(text)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn item(no: u32, kind: ItemKind, points: Decimal, permutation: Vec<u8>) -> PaperItem {
        PaperItem {
            no,
            item_id: 800 + no as i32,
            version_id: 3300 + no as i32,
            kind,
            points,
            permutation,
        }
    }

    fn paper() -> Paper {
        Paper {
            sections: vec![
                PaperSection {
                    code: "GK".into(),
                    name: "Kiến thức chung".into(),
                    items: vec![
                        item(1, ItemKind::Single, dec!(1), vec![2, 0, 3, 1]),
                        item(2, ItemKind::Multiple, dec!(1.25), vec![4, 3, 2, 1, 0]),
                        item(3, ItemKind::TrueFalse, dec!(0.5), vec![1, 0]),
                        item(4, ItemKind::FillBlank, dec!(2.00), vec![]),
                    ],
                },
                PaperSection {
                    // Every separator in a code and a name.
                    code: "N;N|1".into(),
                    name: "Tin học,\tphần 2: \\ văn bản\nmới\u{1e}".into(),
                    items: vec![item(5, ItemKind::Single, dec!(1), vec![0, 1, 2])],
                },
                PaperSection {
                    code: "EMPTY".into(),
                    name: String::new(),
                    items: vec![],
                },
            ],
        }
    }

    #[test]
    fn a_paper_reads_back_exactly_as_written() {
        let paper = paper();
        let compact = paper_to_compact(&paper);
        assert!(
            compact.starts_with("p2\nGK\tKiến thức chung\t@1 801=3301sCADB @1.25 802=3302mEDCBA "),
            "{compact}"
        );
        assert!(
            !compact
                .chars()
                .any(|c| c.is_control() && c != '\t' && c != '\n'),
            "no raw control character but the separators"
        );
        let back = paper_from_compact(&compact).unwrap();
        assert_eq!(back, paper);
        // Decimal scale is kept, so the canonical JSON (and its hash) is unchanged.
        assert_eq!(back.sha256(), paper.sha256());
        // The older form, which rows stored before `p2` hold, reads to the same paper.
        let older = paper_to_v1(&paper);
        assert!(older.starts_with("p1\nGK\tKiến thức chung\t1,801,3301,s,1,2.0.3.1 "));
        assert_eq!(paper_from_compact(&older).unwrap(), paper);
    }

    #[test]
    fn the_short_form_writes_only_what_the_order_does_not_say() {
        let mut paper = paper();
        // Equal points of another scale are written again: the hash tells 1 from 1.00.
        paper.sections[0].items[1].points = dec!(1.00);
        paper.sections[0].items[2].points = dec!(1.00);
        // An item's first version has the item's id: written once.
        paper.sections[0].items[2].item_id = paper.sections[0].items[2].version_id;
        let compact = paper_to_compact(&paper);
        assert!(
            compact.starts_with("p2\nGK\tKiến thức chung\t@1 801=3301sCADB @1.00 802=3302mEDCBA 3303tBA @2.00 804=3304f\n"),
            "{compact}"
        );
        let back = paper_from_compact(&compact).unwrap();
        assert_eq!(back.sha256(), paper.sha256());
        assert_eq!(back, paper);
    }

    #[test]
    fn a_paper_the_short_form_cannot_hold_is_written_in_the_older_one() {
        let mut gap = paper();
        gap.sections[1].items[0].no = 9;
        let mut wide = paper();
        wide.sections[0].items[0].permutation = vec![2, 0, 16, 1];
        for paper in [gap, wide] {
            let compact = paper_to_compact(&paper);
            assert!(compact.starts_with("p1\n"), "{compact}");
            assert_eq!(paper_from_compact(&compact).unwrap(), paper);
        }
    }

    #[test]
    fn a_damaged_paper_is_refused_with_its_line_and_item() {
        let older = paper_to_v1(&paper());
        let e = paper_from_compact(&older.replacen(",s,", ",x,", 1)).unwrap_err();
        assert_eq!(e.errors()[0].location, "compact paper, line 2, item 1");
        assert!(e.errors()[0].message.contains("kind 'x'"));
        let e = paper_from_compact(&older.replacen("p1", "p9", 1)).unwrap_err();
        assert!(e.errors()[0].message.contains("version"));
        let e = paper_from_compact("p1\nGK\tname").unwrap_err();
        assert_eq!(e.errors()[0].location, "compact paper, line 2");
        let e = paper_from_compact("p1\nGK\tname\t1,2,3,s,one,0.1").unwrap_err();
        assert!(e.errors()[0].message.contains("points 'one'"));
        let current = paper_to_compact(&paper());
        for (damage, location, says) in [
            ("3302m", "item 2", "'802=3302xEDCBA'"),
            ("CADB", "item 1", "'801=3301sCaDB'"),
            ("@1.25", "line 2", "points '1.x5'"),
            ("@1 ", "item 1", "before any '@points'"),
            ("801=", "item 1", "'801==3301sCADB'"),
        ] {
            let damaged = match damage {
                "3302m" => current.replacen(damage, "3302x", 1),
                "CADB" => current.replacen(damage, "CaDB", 1),
                "@1.25" => current.replacen(damage, "@1.x5", 1),
                "@1 " => current.replacen(damage, "", 1),
                _ => current.replacen(damage, "801==", 1),
            };
            let e = paper_from_compact(&damaged).unwrap_err();
            assert!(
                e.errors()[0].location.ends_with(location),
                "{damaged}: {:?}",
                e.errors()
            );
            assert!(e.errors()[0].message.contains(says), "{:?}", e.errors());
        }
        let e = paper_from_compact(&current.replacen("CADB", "CADBEFGHIJKLMNOPA", 1)).unwrap_err();
        assert!(e.errors()[0].message.contains("more than 16 options"));
    }

    fn answer(choices: &str, text: Option<&str>) -> Answer {
        Answer {
            choices: choices.chars().collect(),
            text: text.map(str::to_string),
        }
    }

    #[test]
    fn a_sheet_reads_back_every_answer_and_drops_only_blank_ones() {
        let mut sheet = BTreeMap::new();
        sheet.insert(1, answer("B", None));
        sheet.insert(2, answer("AD", None));
        sheet.insert(3, answer("", None));
        sheet.insert(4, answer("", Some("Hà Nội")));
        sheet.insert(5, answer("", Some("a;b|c:d\\e\nf, g")));
        sheet.insert(6, answer("", Some("")));
        sheet.insert(7, answer(";|", None));
        sheet.insert(8, answer("", Some("dán\u{1e}từ\u{1f}máy\u{7f}")));
        let compact = sheet_to_compact(&sheet);
        assert!(compact.starts_with("s1;1:B;2:AD;4:|Hà Nội;"), "{compact}");
        assert!(
            !compact.chars().any(char::is_control),
            "no raw control character: {compact}"
        );
        let back = sheet_from_compact(&compact).unwrap();
        sheet.remove(&3);
        assert_eq!(back, sheet);
        assert_eq!(
            sheet_from_compact("s1").unwrap(),
            BTreeMap::new(),
            "an empty sheet is a sheet"
        );
    }

    #[test]
    fn a_damaged_sheet_is_refused_with_its_entry() {
        let e = sheet_from_compact("s1;1:A;x:B").unwrap_err();
        assert_eq!(e.errors()[0].location, "compact answer sheet, entry 2");
        assert!(e.errors()[0].message.contains("'x'"));
        let e = sheet_from_compact("s1;1:A;1:B").unwrap_err();
        assert!(e.errors()[0].message.contains("twice"));
        let e = sheet_from_compact("1:A").unwrap_err();
        assert!(e.errors()[0].message.contains("version"));
        let e = sheet_from_compact("s1;1:A;2:|ends with \\").unwrap_err();
        assert!(e.errors()[0].message.contains("ends the value"));
    }

    use crate::item::Item;

    /// A tiny deterministic generator: the test must draw the same cases on every run.
    struct Draw(u64);

    impl Draw {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n.max(1) as u64) as usize
        }

        fn chance(&mut self, percent: usize) -> bool {
            self.below(100) < percent
        }

        fn shuffled(&mut self, n: usize) -> Vec<u8> {
            let mut v: Vec<u8> = (0..n as u8).collect();
            for i in (1..n).rev() {
                v.swap(i, self.below(i + 1));
            }
            v
        }
    }

    /// Sealed items of every kind, by version id 1..=40 (item id = version id + 1000).
    fn pool(draw: &mut Draw) -> std::collections::HashMap<i32, Item> {
        use crate::item::{Difficulty, ItemOption};
        (1..=40)
            .map(|v| {
                let kind = [
                    ItemKind::Single,
                    ItemKind::Multiple,
                    ItemKind::TrueFalse,
                    ItemKind::FillBlank,
                ][draw.below(4)];
                let n = match kind {
                    ItemKind::TrueFalse => 2,
                    ItemKind::Single => 2 + draw.below(5),
                    ItemKind::Multiple => 2 + draw.below(7),
                    ItemKind::FillBlank => 0,
                };
                let right = draw.below(n.max(1));
                let options = (0..n)
                    .map(|i| ItemOption {
                        text: format!("Phương án {i}"),
                        correct: i == right || (kind == ItemKind::Multiple && draw.chance(40)),
                        fixed: false,
                    })
                    .collect();
                let item = Item {
                    topic: "Kiến thức chung".into(),
                    difficulty: Difficulty::new(1).unwrap(),
                    kind,
                    stem: format!("Câu {v}"),
                    options,
                    answer: if kind == ItemKind::FillBlank {
                        vec!["Hà Nội".into(), "a;b|c".into()]
                    } else {
                        vec![]
                    },
                    points: Decimal::ONE,
                    explanation: None,
                    tags: vec![],
                }
                .validate()
                .unwrap();
                (v, item)
            })
            .collect()
    }

    fn random_paper(
        draw: &mut Draw,
        items: &std::collections::HashMap<i32, Item>,
    ) -> (Paper, BTreeMap<u32, Answer>) {
        let mut no = 0;
        let mut sheet = BTreeMap::new();
        let sections = ["GK", "N;N|1", "TA"]
            .iter()
            .take(1 + draw.below(3))
            .map(|code| PaperSection {
                code: code.to_string(),
                name: format!("Phần {code}"),
                items: (0..draw.below(12))
                    .map(|_| {
                        no += 1;
                        let version_id = 1 + draw.below(40) as i32;
                        let content = &items[&version_id];
                        let permutation = draw.shuffled(content.options.len());
                        let letters =
                            ["", "A", "b", "C", "AB", "BD", "ACE", "A;", "\\B", "Ă", "AA"];
                        let texts = [
                            None,
                            Some(""),
                            Some(" hà  NỘI"),
                            Some("Ha Noi"),
                            Some("a;b|c"),
                        ];
                        if draw.chance(85) {
                            sheet.insert(
                                no,
                                answer(
                                    letters[draw.below(letters.len())],
                                    texts[draw.below(texts.len())],
                                ),
                            );
                        }
                        PaperItem {
                            no,
                            // Mostly an item's first version, as in a bank: the same id.
                            item_id: version_id + if draw.chance(30) { 1000 } else { 0 },
                            version_id,
                            kind: content.kind,
                            points: [dec!(1), dec!(0.5), dec!(1.25), dec!(2.00)][draw.below(4)],
                            permutation,
                        }
                    })
                    .collect(),
            })
            .collect();
        (Paper { sections }, sheet)
    }

    #[test]
    fn grading_the_compact_forms_equals_grading_the_decoded_paper() {
        use crate::blueprint::{PassBasis, PassRule, Section};
        use crate::scoring::{grade, normalized_accepted, Sanction, TextMatch};
        let mut draw = Draw(0x9e37_79b9_7f4a_7c15);
        let items = pool(&mut draw);
        let blueprint = Blueprint {
            sections: ["GK", "N;N|1", "TA"]
                .iter()
                .enumerate()
                .map(|(k, code)| Section {
                    code: code.to_string(),
                    name: code.to_string(),
                    duration_minutes: None,
                    pass_rule: PassRule {
                        ratio: dec!(0.5),
                        basis: if k == 1 {
                            PassBasis::Points
                        } else {
                            PassBasis::Correct
                        },
                    },
                    cells: vec![],
                })
                .collect(),
        };
        let markings = [
            ExamMarking::default(),
            ExamMarking {
                voided: [1001, 1002, 1003].into(),
                accepted_extra: [(1004, [0, 1].into()), (1005, [2].into())].into(),
                text_match: TextMatch::IgnoreDiacritics,
            },
        ];
        let prepared: std::collections::HashMap<(usize, i32), Vec<String>> = markings
            .iter()
            .enumerate()
            .flat_map(|(m, marking)| {
                items
                    .iter()
                    .map(move |(v, item)| ((m, *v), normalized_accepted(item, marking.text_match)))
            })
            .collect();
        let mut passes = [0, 0];
        for case in 0..3_000 {
            let (paper, sheet) = random_paper(&mut draw, &items);
            let marking = &markings[case % 2];
            let terms = CandidateTerms {
                // Now and then a sanction that annuls the test.
                sanction: if draw.chance(10) {
                    [Sanction::Suspension, Sanction::NotSigned][draw.below(2)]
                } else {
                    [Sanction::None, Sanction::Reprimand, Sanction::Warning][draw.below(3)]
                },
                exempt_sections: if draw.chance(10) {
                    ["TA".to_string()].into()
                } else {
                    Default::default()
                },
            };
            let decoded = grade(
                &blueprint,
                &paper,
                |pi| items.get(&pi.version_id),
                &sheet,
                marking,
                &terms,
            )
            .unwrap();
            let current = paper_to_compact(&paper);
            assert!(current.starts_with("p2\n"), "{current}");
            let answered = sheet
                .values()
                .filter(|a| !a.choices.is_empty() || a.text.is_some())
                .count();
            // The current form and the older one, still read for the rows that hold it.
            for form in [current, paper_to_v1(&paper)] {
                let compact = grade_compact(
                    &blueprint,
                    &form,
                    &sheet_to_compact(&sheet),
                    |v| {
                        // Half the cases with the accepted answers normalized beforehand, as
                        // a whole-exam regrade has them; half without.
                        let accepted = prepared.get(&(case % 2, v)).filter(|_| case % 4 < 2);
                        items.get(&v).map(|item| Sealed {
                            item,
                            accepted: accepted.map(Vec::as_slice),
                        })
                    },
                    marking,
                    &terms,
                )
                .unwrap();
                assert_eq!(compact, (decoded.clone(), answered), "case {case}: {form}");
            }
            passes[usize::from(decoded.passed)] += 1;
        }
        // The cases are not all alike: some papers pass, some fail.
        assert!(passes[0] > 100 && passes[1] > 100, "{passes:?}");
    }

    #[test]
    fn grading_compact_forms_refuses_what_grading_the_paper_refuses() {
        use crate::scoring::grade;
        let mut draw = Draw(7);
        let items = pool(&mut draw);
        let blueprint = Blueprint {
            sections: vec![crate::blueprint::Section {
                code: "GK".into(),
                name: "GK".into(),
                duration_minutes: None,
                pass_rule: Default::default(),
                cells: vec![],
            }],
        };
        let grade_both = |paper: &Paper, sheet: &str, known: &dyn Fn(i32) -> bool| {
            let decoded = grade(
                &blueprint,
                paper,
                |pi| items.get(&pi.version_id).filter(|_| known(pi.version_id)),
                &sheet_from_compact(sheet).unwrap_or_default(),
                &ExamMarking::default(),
                &CandidateTerms::default(),
            );
            let compact = grade_compact(
                &blueprint,
                &paper_to_compact(paper),
                sheet,
                |v| {
                    items.get(&v).filter(|_| known(v)).map(|item| Sealed {
                        item,
                        accepted: None,
                    })
                },
                &ExamMarking::default(),
                &CandidateTerms::default(),
            );
            (
                decoded.map_err(|e| e.to_string()),
                compact.map(|(result, _)| result).map_err(|e| e.to_string()),
            )
        };
        let paper = |code: &str, version_id: i32, permutation: Vec<u8>| Paper {
            sections: vec![PaperSection {
                code: code.into(),
                name: String::new(),
                items: vec![PaperItem {
                    no: 1,
                    item_id: 1000 + version_id,
                    version_id,
                    kind: items[&version_id].kind,
                    points: Decimal::ONE,
                    permutation,
                }],
            }],
        };
        let n = items[&1].options.len();
        let fits = paper("GK", 1, (0..n as u8).collect());
        // A version the lookup does not have, a section the blueprint lacks, a permutation
        // that does not fit: the same error either way.
        for (paper, known) in [
            (&fits, &(|v: i32| v != 1) as &dyn Fn(i32) -> bool),
            (&paper("XX", 1, (0..n as u8).collect()), &|_| true),
            (&paper("GK", 1, vec![0; n + 1]), &|_| true),
        ] {
            let (decoded, compact) = grade_both(paper, "s1", known);
            assert!(decoded.is_err(), "{decoded:?}");
            assert_eq!(compact, decoded);
        }
        // A damaged sheet is refused, naming what is wrong.
        for (sheet, says) in [
            ("s1;1:A;1:B", "twice"),
            ("s1;x:A", "'x'"),
            ("1:A", "version"),
            ("s1;1:A\\", "ends the value"),
        ] {
            let e = grade_compact(
                &blueprint,
                &paper_to_compact(&fits),
                sheet,
                |v| {
                    items.get(&v).map(|item| Sealed {
                        item,
                        accepted: None,
                    })
                },
                &ExamMarking::default(),
                &CandidateTerms::default(),
            )
            .unwrap_err()
            .to_string();
            assert!(e.contains(says), "{sheet}: {e}");
        }
    }

    #[test]
    fn points_read_directly_equal_points_read_by_from_str() {
        for text in [
            "1",
            "2.00",
            "0.5",
            "1.25",
            "007",
            "10.000",
            "999999999999999999",
            "1.",
            ".5",
            "-1",
            "1e2",
            "",
            "1.2.3",
            "x",
            "0.0000000000000001",
        ] {
            let direct = decimal(text);
            let standard = Decimal::from_str(text).ok();
            assert_eq!(direct, standard, "{text}");
            if let (Some(a), Some(b)) = (direct, standard) {
                assert_eq!(a.scale(), b.scale(), "{text}: the scale is kept");
            }
        }
    }

    #[test]
    fn the_usual_items_read_as_any_item_reads() {
        let mut draw = Draw(11);
        let mut texts: Vec<String> = vec![
            "1,801,3301,s,1,2.0.3.1".into(),
            "60,2,3,f,2.00,".into(),
            "7,8,9,m,0.5,7.6.5.4.3.2.1.0".into(),
            "007,08,09,t,01.50,1.0".into(),
            "1,2,3,s,1.,0.1".into(),
            "1,2,3,s,.5,0.1".into(),
            "1,2,3,s,1,0..1".into(),
            "1,2,3,s,1,0.1.".into(),
            "1,2,3,s,1,256".into(),
            "1,2,3,s,1,0.1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16".into(),
            "1234567890,2,3,s,1,0".into(),
            "-1,2,3,s,1,0".into(),
            "+1,2,3,s,1,0".into(),
            "1,2,3,x,1,0".into(),
            "1,2,3,s,1,0,".into(),
            "1,2,3,s,1".into(),
            "1,2,3,ss,1,0".into(),
            String::new(),
        ];
        let bytes = b"0123456789.,smtfx-";
        for _ in 0..20_000 {
            let mut t = String::from("12,345,678,s,1.25,3.1.0.2");
            // Mutate a few bytes at random: most become other valid or invalid items.
            for _ in 0..1 + draw.below(3) {
                let at = draw.below(t.len());
                let c = bytes[draw.below(bytes.len())] as char;
                t.replace_range(at..=at, &c.to_string());
            }
            texts.push(t);
        }
        let mut plain = 0;
        for text in &texts {
            if let Some(item) = CompactItem::parse_plain(text.as_bytes()) {
                plain += 1;
                let any = CompactItem::parse_any(text).unwrap_or_else(|e| panic!("{text}: {e}"));
                assert_eq!(item.to_paper_item(), any.to_paper_item(), "{text}");
                assert_eq!(item.points.scale(), any.points.scale(), "{text}");
            }
        }
        assert!(plain > 1_000, "{plain} texts took the usual path");
    }
}
