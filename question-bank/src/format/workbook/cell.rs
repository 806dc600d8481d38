//! The cells of a worksheet: number formats that mean dates, shared and inline strings, and a
//! cell's value once its row is read.

use quick_xml::events::Event;

use super::super::table::{CellValue, ExcelDate};
use super::super::xml::local;
use super::{event_text, raw_attr};

/// How a style shows a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NumberKind {
    Plain,
    Date,
    Duration,
}

/// Whether a custom number format code shows a date or an elapsed time: date and time letters
/// outside quoted text, escapes and brackets (`[h]`, `[mm]` are elapsed time; `[Red]`,
/// `[$-409]` are neither). Only the first section (before `;`) counts.
pub(super) fn custom_format_kind(code: &str) -> NumberKind {
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match c {
            ';' => break,
            '\\' | '_' | '*' => {
                chars.next();
            }
            '"' => {
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                }
            }
            '[' => {
                let inner: String = chars.by_ref().take_while(|&b| b != ']').collect();
                let lower = inner.to_ascii_lowercase();
                if !lower.is_empty() && lower.chars().all(|l| matches!(l, 'h' | 'm' | 's')) {
                    return NumberKind::Duration;
                }
            }
            'd' | 'D' | 'm' | 'M' | 'y' | 'Y' | 'h' | 'H' | 's' | 'S' => return NumberKind::Date,
            _ => {}
        }
    }
    NumberKind::Plain
}

/// The built-in number formats (ECMA-376 18.8.30) that show dates and times, including the
/// East Asian ones.
pub(super) fn builtin_format_kind(id: u32) -> NumberKind {
    match id {
        14..=22 | 27..=36 | 45 | 47 | 50..=58 => NumberKind::Date,
        46 => NumberKind::Duration,
        _ => NumberKind::Plain,
    }
}

/// Excel's escape for characters XML cannot hold: `_x000D_` is a carriage return.
pub(super) fn unescape_excel(s: &str) -> String {
    if !s.contains("_x") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut high: Option<u32> = None;
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let code = rest
            .get(i + 2..i + 7)
            .filter(|t| t.ends_with('_'))
            .and_then(|t| u32::from_str_radix(&t[..4], 16).ok());
        match code {
            Some(code) => {
                match (high.take(), code) {
                    (Some(h), 0xDC00..=0xDFFF) => {
                        out.pop();
                        let c = 0x10000 + ((h - 0xD800) << 10) + (code - 0xDC00);
                        out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                    }
                    (_, 0xD800..=0xDBFF) => {
                        high = Some(code);
                        out.push(char::REPLACEMENT_CHARACTER);
                    }
                    (_, code) => {
                        out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER))
                    }
                }
                rest = &rest[i + 7..];
            }
            None => {
                out.push_str("_x");
                rest = &rest[i + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A cell reference (`B12`) as its 1-based row and column.
pub(super) fn cell_position(reference: &str) -> Option<(usize, usize)> {
    let split = reference.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = reference.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.chars().all(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    let column = letters.bytes().fold(0usize, |acc, b| {
        acc * 26 + usize::from(b.to_ascii_uppercase() - b'A') + 1
    });
    let row = digits.parse::<usize>().ok().filter(|&r| r > 0)?;
    Some((row, column))
}
/// The text of a shared or inline string: its `<t>` runs (rich text has several), without the
/// phonetic guides (`<rPh>`); a run's edges are trimmed unless it preserves space.
#[derive(Default)]
pub(super) struct RichText {
    pub(super) text: String,
    pub(super) run: Option<String>,
    pub(super) preserve: bool,
    pub(super) phonetic: bool,
    pub(super) chars: usize,
}

impl RichText {
    pub(super) fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(e) => match local(e.name().as_ref()) {
                "rPh" => self.phonetic = true,
                "t" if !self.phonetic => {
                    self.preserve = raw_attr(e, "space").as_deref() == Some("preserve");
                    self.run = Some(String::new());
                }
                _ => {}
            },
            Event::End(e) => match local(e.name().as_ref()) {
                "rPh" => self.phonetic = false,
                "t" => {
                    if let Some(run) = self.run.take() {
                        let run = if self.preserve {
                            run.as_str()
                        } else {
                            run.trim_matches([' ', '\t', '\r', '\n'])
                        };
                        self.text.push_str(&unescape_excel(run));
                    }
                }
                _ => {}
            },
            other => {
                if let (Some(run), Some(t)) = (self.run.as_mut(), event_text(other)) {
                    self.chars += t.chars().count();
                    run.push_str(&t);
                }
            }
        }
    }

    pub(super) fn finish(self) -> String {
        self.text
    }
}

/// The cell being read.
pub(super) struct OpenCell {
    pub(super) column: usize,
    pub(super) kind: Option<String>,
    pub(super) style: Option<usize>,
    pub(super) value: String,
    /// Characters of `value`, counted as they arrive.
    pub(super) chars: usize,
    pub(super) in_value: bool,
    pub(super) inline: Option<RichText>,
}

/// What the sheet reader needs to turn a cell into a value.
pub(super) struct SheetContext<'s> {
    pub(super) strings: &'s [String],
    pub(super) styles: &'s [NumberKind],
    pub(super) is_1904: bool,
}

impl SheetContext<'_> {
    pub(super) fn value(&self, cell: OpenCell) -> Result<CellValue, String> {
        let v = cell.value;
        let kind = cell.kind.as_deref();
        if let (Some(text), None | Some("inlineStr" | "is" | "n")) = (cell.inline, kind) {
            return Ok(CellValue::Text(text.finish()));
        }
        Ok(match kind {
            Some("s") if v.trim().is_empty() => CellValue::Empty,
            Some("s") => {
                let index = v.trim().parse::<usize>().ok();
                match index.and_then(|i| self.strings.get(i)) {
                    Some(s) => CellValue::Text(s.clone()),
                    None => {
                        return Err(format!(
                            "the cell refers to shared string '{}', which the workbook does not \
                             have",
                            v.trim()
                        ))
                    }
                }
            }
            Some("b") => CellValue::Bool(matches!(v.trim(), "1" | "true")),
            Some("e") => CellValue::Error(v),
            Some("d") if v.trim().is_empty() => CellValue::Empty,
            Some("d") => CellValue::IsoDate(v.trim().to_string()),
            Some("str") => CellValue::Text(unescape_excel(&v)),
            Some("inlineStr" | "is") => CellValue::Empty,
            _ if v.trim().is_empty() => CellValue::Empty,
            _ => match v.trim().parse::<f64>() {
                Ok(n) => {
                    let kind = match cell.style {
                        Some(s) => self.styles.get(s).copied().unwrap_or(NumberKind::Plain),
                        None => NumberKind::Plain,
                    };
                    match kind {
                        NumberKind::Plain => CellValue::Number(n),
                        NumberKind::Date => CellValue::Date(ExcelDate {
                            serial: n,
                            is_1904: self.is_1904,
                        }),
                        NumberKind::Duration => CellValue::Duration(n),
                    }
                }
                Err(_) => CellValue::Text(v),
            },
        })
    }
}
