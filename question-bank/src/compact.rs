//! Compact text forms of a paper and of an answer sheet, stored beside the canonical ones so
//! that a whole exam can be marked again from one narrow read (issue 8: 100,000 candidates in
//! seconds). The canonical JSON of a paper stays what is hashed and published; these forms are
//! derived from it, decode to the same values, and are only ever read by the grader.
//!
//! Paper, one line per section after a version line:
//!
//! ```text
//! p1
//! GK<TAB>Kiến thức chung<TAB>1,812,3301,s,1,2.0.3.1 2,95,3115,f,1, …
//! ```
//!
//! each item being `no,item_id,version_id,kind,points,permutation` with the kind as one letter
//! (`s`ingle, `m`ultiple, `t`rue_false, `f`ill_blank) and the permutation as `.`-joined
//! original option indexes (empty for `fill_blank`).
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

use crate::error::BankError;
use crate::item::ItemKind;
use crate::paper::{Paper, PaperItem, PaperSection};
use crate::scoring::Answer;

const PAPER_VERSION: &str = "p1";
const SHEET_VERSION: &str = "s1";

/// The compact form of `paper` (see the module notes).
pub fn paper_to_compact(paper: &Paper) -> String {
    let mut out = String::with_capacity(32 + paper.item_count() * 20);
    out.push_str(PAPER_VERSION);
    for section in &paper.sections {
        out.push('\n');
        escape_into(&mut out, &section.code);
        out.push('\t');
        escape_into(&mut out, &section.name);
        out.push('\t');
        for (k, item) in section.items.iter().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            let kind = match item.kind {
                ItemKind::Single => 's',
                ItemKind::Multiple => 'm',
                ItemKind::TrueFalse => 't',
                ItemKind::FillBlank => 'f',
            };
            out.push_str(&format!(
                "{},{},{},{kind},{},",
                item.no, item.item_id, item.version_id, item.points
            ));
            for (i, p) in item.permutation.iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(&p.to_string());
            }
        }
    }
    out
}

/// Reads back [`paper_to_compact`]; an error names the line and the item.
pub fn paper_from_compact(text: &str) -> Result<Paper, BankError> {
    let mut lines = text.split('\n');
    if lines.next() != Some(PAPER_VERSION) {
        return Err(BankError::one(
            "compact paper, line 1",
            format!("expected the version line '{PAPER_VERSION}'"),
        ));
    }
    let mut sections = Vec::new();
    for (k, line) in lines.enumerate() {
        let at = format!("compact paper, line {}", k + 2);
        let mut fields = line.split('\t');
        let (Some(code), Some(name), Some(items), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(BankError::one(
                at,
                "expected a section code, a name and its items, separated by tabs",
            ));
        };
        let items = items
            .split(' ')
            .filter(|i| !i.is_empty())
            .enumerate()
            .map(|(i, item)| {
                paper_item(item).map_err(|m| BankError::one(format!("{at}, item {}", i + 1), m))
            })
            .collect::<Result<Vec<_>, _>>()?;
        sections.push(PaperSection {
            code: unescape(code)
                .map_err(|m| BankError::one(&at, m))?
                .into_owned(),
            name: unescape(name)
                .map_err(|m| BankError::one(&at, m))?
                .into_owned(),
            items,
        });
    }
    Ok(Paper { sections })
}

fn paper_item(text: &str) -> Result<PaperItem, String> {
    let mut fields = text.split(',');
    let mut field = || {
        fields
            .next()
            .ok_or_else(|| format!("'{text}' does not have the six fields of an item"))
    };
    let (no, item_id, version_id, kind, points, permutation) =
        (field()?, field()?, field()?, field()?, field()?, field()?);
    if fields.next().is_some() {
        return Err(format!("'{text}' has more than the six fields of an item"));
    }
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
    let permutation = if permutation.is_empty() {
        Vec::new()
    } else {
        permutation
            .split('.')
            .map(|p| {
                p.parse::<u8>()
                    .map_err(|_| format!("option index '{p}' is not a number from 0 to 255"))
            })
            .collect::<Result<_, _>>()?
    };
    Ok(PaperItem {
        no: u32::try_from(number("question number", no)?)
            .map_err(|_| format!("question number '{no}' is out of range"))?,
        item_id: i32::try_from(number("item id", item_id)?)
            .map_err(|_| format!("item id '{item_id}' is out of range"))?,
        version_id: i32::try_from(number("version id", version_id)?)
            .map_err(|_| format!("version id '{version_id}' is out of range"))?,
        kind,
        points: Decimal::from_str(points)
            .map_err(|_| format!("points '{points}' is not a decimal"))?,
        permutation,
    })
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
    let mut entries = Unescaped::new(text, ';');
    if entries.next() != Some(SHEET_VERSION) {
        return Err(BankError::one(
            "compact answer sheet",
            format!("expected the version mark '{SHEET_VERSION}'"),
        ));
    }
    for (k, entry) in entries.enumerate() {
        let at = || format!("compact answer sheet, entry {}", k + 1);
        let (no, rest) = entry
            .split_once(':')
            .ok_or_else(|| BankError::one(at(), format!("'{entry}' has no question number")))?;
        let no: u32 = no
            .parse()
            .map_err(|_| BankError::one(at(), format!("'{no}' is not a question number")))?;
        let mut parts = Unescaped::new(rest, '|');
        let letters =
            unescape(parts.next().unwrap_or_default()).map_err(|m| BankError::one(at(), m))?;
        let text = parts
            .next()
            .map(|t| unescape(t).map(Cow::into_owned))
            .transpose()
            .map_err(|m| BankError::one(at(), m))?;
        if parts.next().is_some() {
            return Err(BankError::one(at(), "more than one '|' in an answer"));
        }
        let answer = Answer {
            choices: letters.chars().collect(),
            text,
        };
        if out.insert(no, answer).is_some() {
            return Err(BankError::one(at(), format!("question {no} appears twice")));
        }
    }
    Ok(out)
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
    sep: char,
}

impl<'a> Unescaped<'a> {
    fn new(text: &'a str, sep: char) -> Self {
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
        let mut escaped = false;
        for (i, c) in text.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == self.sep {
                self.rest = Some(&text[i + c.len_utf8()..]);
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
        assert!(compact.starts_with("p1\nGK\tKiến thức chung\t1,801,3301,s,1,2.0.3.1 "));
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
    }

    #[test]
    fn a_damaged_paper_is_refused_with_its_line_and_item() {
        let compact = paper_to_compact(&paper());
        let e = paper_from_compact(&compact.replacen(",s,", ",x,", 1)).unwrap_err();
        assert_eq!(e.errors()[0].location, "compact paper, line 2, item 1");
        assert!(e.errors()[0].message.contains("kind 'x'"));
        let e = paper_from_compact(&compact.replacen("p1", "p9", 1)).unwrap_err();
        assert!(e.errors()[0].message.contains("version"));
        let e = paper_from_compact("p1\nGK\tname").unwrap_err();
        assert_eq!(e.errors()[0].location, "compact paper, line 2");
        let e = paper_from_compact("p1\nGK\tname\t1,2,3,s,one,0.1").unwrap_err();
        assert!(e.errors()[0].message.contains("points 'one'"));
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
}
