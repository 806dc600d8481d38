//! The first worksheet of an Excel workbook (`.xlsx`), read row by row within [`ImportLimits`].
//!
//! An xlsx file is a zip of XML parts. The zip is opened like any upload ([`Archive`]); then
//! the parts are streamed with the bounded XML reader, never inflated whole: the workbook and
//! its relationships (which part is the first sheet), the styles (which cells are dates), the
//! shared strings (held, within [`ImportLimits::max_parsed_bytes`]), and the sheet itself, one
//! row at a time. The sheet's declared `<dimension>` and every cell's position are checked
//! against [`ImportLimits::max_rows`] and [`ImportLimits::max_columns`] before a row is laid
//! out, so a two-kilobyte file naming cell XFD1048576 costs nothing but its refusal. (A general
//! spreadsheet library lays out the whole declared or used range at once, which is what let
//! such a file exhaust the server's memory.)

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};

use super::archive::Archive;
use super::limits::{Budget, Guard};
use super::table::{CellValue, ExcelDate, RowLimits};
use super::xml::{bounded_reader, local, next_event};
use crate::error::FieldError;

/// How a style shows a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberKind {
    Plain,
    Date,
    Duration,
}

/// Whether a custom number format code shows a date or an elapsed time: date and time letters
/// outside quoted text, escapes and brackets (`[h]`, `[mm]` are elapsed time; `[Red]`,
/// `[$-409]` are neither). Only the first section (before `;`) counts.
fn custom_format_kind(code: &str) -> NumberKind {
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
fn builtin_format_kind(id: u32) -> NumberKind {
    match id {
        14..=22 | 27..=36 | 45 | 47 | 50..=58 => NumberKind::Date,
        46 => NumberKind::Duration,
        _ => NumberKind::Plain,
    }
}

/// Excel's escape for characters XML cannot hold: `_x000D_` is a carriage return.
fn unescape_excel(s: &str) -> String {
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
fn cell_position(reference: &str) -> Option<(usize, usize)> {
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

/// A raw attribute value (cell references, types and indexes hold no entities).
fn raw_attr(start: &BytesStart<'_>, name: &str) -> Option<String> {
    start
        .attributes()
        .flatten()
        .find_map(|a| (local(a.key.as_ref()) == name).then(|| a.value.trim().to_string()))
}

/// An attribute value with entities resolved (relationship targets, format codes).
fn attr(start: &BytesStart<'_>, name: &str) -> Option<String> {
    start.attributes().flatten().find_map(|a| {
        (local(a.key.as_ref()) == name)
            .then(|| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
            .flatten()
            .map(|v| v.into_owned())
    })
}

/// Text content of an event: text, CDATA, or a predefined or character reference.
fn event_text(event: &Event<'_>) -> Option<String> {
    match event {
        Event::Text(t) => Some(t.xml10_content().into_owned()),
        Event::CData(t) => Some(t.xml10_content().into_owned()),
        Event::GeneralRef(r) => match r.resolve_char_ref() {
            Ok(Some(c)) => Some(c.to_string()),
            _ => quick_xml::escape::resolve_predefined_entity(r).map(str::to_string),
        },
        _ => None,
    }
}

/// The path of a relationship's target, relative to the part that holds the relationship.
fn resolve(base_part: &str, target: &str) -> String {
    if let Some(absolute) = target.strip_prefix('/') {
        return absolute.to_string();
    }
    let mut parts: Vec<&str> = base_part.split('/').collect();
    parts.pop();
    for piece in target.split('/') {
        match piece {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The relationships part of a part: `xl/workbook.xml` → `xl/_rels/workbook.xml.rels`.
fn rels_of(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/_rels/{name}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// What [`Book::read_part`] feeds each event of a part to (or the message of the problem that
/// stopped the part), with the budget of what the workbook holds.
type PartHandler<'h> =
    dyn FnMut(Result<&Event<'_>, &str>, &mut Budget) -> Result<(), FieldError> + 'h;

/// Reading one workbook: the archive and what the parts read so far say.
struct Book<'a, 'g> {
    file_name: &'a str,
    archive: Archive<'a>,
    guard: &'g Guard<'a>,
    budget: Budget,
}

impl<'a> Book<'a, '_> {
    /// Stream the part `name` (if the archive has it) through `on_event`. XML problems and
    /// limits are located in the part, unless `on_event`, shown the message (`Err`) first,
    /// locates them more precisely itself (in a cell, say).
    fn read_part(
        &mut self,
        name: &str,
        on_event: &mut PartHandler<'_>,
    ) -> Result<bool, FieldError> {
        let Some(index) = self.archive.find(name) else {
            return Ok(false);
        };
        let at = self.archive.location(index);
        let (guard, budget) = (self.guard, &mut self.budget);
        let result = self
            .archive
            .with_entry(index, |stream| {
                let mut reader = bounded_reader(stream, guard.limits);
                let mut buf = Vec::new();
                // Nothing here is recursive, but a part nested past the limit is not a
                // workbook's, and is refused like any other XML.
                let mut depth = 0usize;
                loop {
                    let event = next_event(&mut reader, &mut buf, guard).and_then(|event| {
                        match event {
                            Event::Start(_) => depth += 1,
                            Event::End(_) => depth = depth.saturating_sub(1),
                            _ => {}
                        }
                        if depth > guard.limits.max_xml_depth {
                            return Err(format!(
                                "elements nested deeper than {} levels, over the limit",
                                guard.limits.max_xml_depth
                            ));
                        }
                        Ok(event)
                    });
                    let event = match event {
                        Ok(event) => event,
                        Err(e) => {
                            on_event(Err(&e), budget)?;
                            return Err(FieldError::new(at.clone(), e));
                        }
                    };
                    if matches!(event, Event::Eof) {
                        return Ok(());
                    }
                    on_event(Ok(&event), budget)?;
                }
            })
            .map_err(|e| FieldError::new(at.clone(), e))?;
        result.map(|()| true)
    }

    /// The workbook part, from the package relationships (`xl/workbook.xml` by convention).
    fn workbook_part(&mut self) -> Result<String, FieldError> {
        let mut part = None;
        self.read_part("_rels/.rels", &mut |event, _| {
            let Ok(event) = event else {
                return Ok(());
            };
            if let Event::Start(e) | Event::Empty(e) = event {
                let kind = attr(e, "Type").unwrap_or_default();
                if part.is_none() && kind.ends_with("/officeDocument") {
                    part = attr(e, "Target").map(|t| resolve("", &t));
                }
            }
            Ok(())
        })?;
        Ok(part.unwrap_or_else(|| "xl/workbook.xml".to_string()))
    }

    /// The relationship id of the first sheet, and whether dates count from 1904.
    fn first_sheet(&mut self, workbook: &str) -> Result<(Option<String>, bool), FieldError> {
        let (mut sheet, mut is_1904) = (None, false);
        let found = self.read_part(workbook, &mut |event, _| {
            let Ok(event) = event else {
                return Ok(());
            };
            if let Event::Start(e) | Event::Empty(e) = event {
                match local(e.name().as_ref()) {
                    "workbookPr" => {
                        is_1904 = matches!(attr(e, "date1904").as_deref(), Some("1" | "true"));
                    }
                    "sheet" if sheet.is_none() => sheet = Some(attr(e, "id").unwrap_or_default()),
                    _ => {}
                }
            }
            Ok(())
        })?;
        if !found {
            return Err(FieldError::new(
                self.file_name,
                "not an Excel (.xlsx) workbook: the file has no workbook part",
            ));
        }
        Ok((sheet, is_1904))
    }

    /// The workbook's relationships: (id, type, resolved target).
    fn relationships(
        &mut self,
        workbook: &str,
    ) -> Result<Vec<(String, String, String)>, FieldError> {
        let mut rels = Vec::new();
        let part = rels_of(workbook);
        let at = format!("{}: {part}", self.file_name);
        self.read_part(&part, &mut |event, budget| {
            let Ok(event) = event else {
                return Ok(());
            };
            if let Event::Start(e) | Event::Empty(e) = event {
                if local(e.name().as_ref()) == "Relationship" {
                    let id = attr(e, "Id").unwrap_or_default();
                    let kind = attr(e, "Type").unwrap_or_default();
                    let target = resolve(workbook, &attr(e, "Target").unwrap_or_default());
                    budget
                        .take(
                            id.len() + kind.len() + target.len() + 72,
                            "the relationships",
                        )
                        .map_err(|m| FieldError::new(at.clone(), m))?;
                    rels.push((id, kind, target));
                }
            }
            Ok(())
        })?;
        Ok(rels)
    }

    /// How each cell style (`s="3"`) shows numbers.
    fn styles(&mut self, part: Option<&str>) -> Result<Vec<NumberKind>, FieldError> {
        let mut custom: HashMap<u32, NumberKind> = HashMap::new();
        let mut styles = Vec::new();
        let mut in_cell_xfs = false;
        let Some(part) = part else {
            return Ok(styles);
        };
        let file_name = self.file_name;
        self.read_part(part, &mut |event, budget| {
            let what = "the workbook's styles and shared strings";
            let Ok(event) = event else {
                return Ok(());
            };
            let refuse = |m: String| FieldError::new(format!("{file_name}: {part}"), m);
            match event {
                Event::Start(e) | Event::Empty(e) => match local(e.name().as_ref()) {
                    "numFmt" => {
                        let id = raw_attr(e, "numFmtId").and_then(|i| i.parse().ok());
                        let code = attr(e, "formatCode").unwrap_or_default();
                        if let Some(id) = id {
                            budget.take(16, what).map_err(refuse)?;
                            custom.insert(id, custom_format_kind(&code));
                        }
                    }
                    "cellXfs" => in_cell_xfs = matches!(event, Event::Start(_)),
                    "xf" if in_cell_xfs => {
                        let id: u32 = raw_attr(e, "numFmtId")
                            .and_then(|i| i.parse().ok())
                            .unwrap_or(0);
                        let kind = custom
                            .get(&id)
                            .copied()
                            .unwrap_or_else(|| builtin_format_kind(id));
                        budget.take(1, what).map_err(refuse)?;
                        styles.push(kind);
                    }
                    _ => {}
                },
                Event::End(e) if local(e.name().as_ref()) == "cellXfs" => in_cell_xfs = false,
                _ => {}
            }
            Ok(())
        })?;
        Ok(styles)
    }

    /// The shared strings table, each string within the cell limit.
    fn shared_strings(&mut self, part: Option<&str>) -> Result<Vec<String>, FieldError> {
        let mut strings: Vec<String> = Vec::new();
        let Some(part) = part else {
            return Ok(strings);
        };
        let (file_name, max_chars) = (self.file_name, self.guard.limits.max_cell_chars);
        let mut text = RichText::default();
        let mut in_string = false;
        self.read_part(part, &mut |event, budget| {
            let at = || format!("{file_name}: {part}, string {}", strings.len() + 1);
            let event = match event {
                Ok(event) => event,
                Err(e) if in_string => return Err(FieldError::new(at(), e)),
                Err(_) => return Ok(()),
            };
            match event {
                Event::Start(e) if local(e.name().as_ref()) == "si" => {
                    text = RichText::default();
                    in_string = true;
                }
                Event::Empty(e) if local(e.name().as_ref()) == "si" => {
                    budget
                        .take(std::mem::size_of::<String>(), "the shared strings")
                        .map_err(|m| FieldError::new(at(), m))?;
                    strings.push(String::new());
                }
                Event::End(e) if local(e.name().as_ref()) == "si" => {
                    in_string = false;
                    let s = std::mem::take(&mut text).finish();
                    budget
                        .take(
                            std::mem::size_of::<String>() + s.len(),
                            "the shared strings",
                        )
                        .map_err(|m| FieldError::new(at(), m))?;
                    strings.push(s);
                }
                _ => {
                    text.event(event);
                    if text.chars > max_chars {
                        return Err(FieldError::new(
                            at(),
                            format!(
                                "the shared string holds more than {max_chars} characters, over \
                                 the limit of a cell"
                            ),
                        ));
                    }
                }
            }
            Ok(())
        })?;
        Ok(strings)
    }
}

/// The text of a shared or inline string: its `<t>` runs (rich text has several), without the
/// phonetic guides (`<rPh>`); a run's edges are trimmed unless it preserves space.
#[derive(Default)]
struct RichText {
    text: String,
    run: Option<String>,
    preserve: bool,
    phonetic: bool,
    chars: usize,
}

impl RichText {
    fn event(&mut self, event: &Event<'_>) {
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

    fn finish(self) -> String {
        self.text
    }
}

/// The cell being read.
struct OpenCell {
    column: usize,
    kind: Option<String>,
    style: Option<usize>,
    value: String,
    /// Characters of `value`, counted as they arrive.
    chars: usize,
    in_value: bool,
    inline: Option<RichText>,
}

/// What the sheet reader needs to turn a cell into a value.
struct SheetContext<'s> {
    strings: &'s [String],
    styles: &'s [NumberKind],
    is_1904: bool,
}

impl SheetContext<'_> {
    fn value(&self, cell: OpenCell) -> Result<CellValue, String> {
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

/// The dimension a sheet declares (`A1:XFD1048576`), as its last row and column.
fn declared_extent(reference: &str) -> Option<(usize, usize)> {
    let last = reference.rsplit(':').next()?;
    cell_position(last.trim())
}

/// Read the first worksheet of the workbook in `bytes`, calling `on_row` with each stored row.
pub(crate) fn read_first_sheet(
    file_name: &str,
    bytes: &[u8],
    guard: &Guard<'_>,
    on_row: &mut dyn FnMut(usize, Vec<CellValue>),
) -> Result<(), Vec<FieldError>> {
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(vec![FieldError::new(
            file_name,
            "this is an old Excel 97-2003 (.xls) workbook; save it as .xlsx (Excel Workbook) \
             or CSV UTF-8",
        )]);
    }
    let archive = Archive::open(file_name, bytes, guard)?;
    let mut book = Book {
        file_name,
        archive,
        guard,
        budget: Budget::new(guard.limits.max_parsed_bytes),
    };
    read_book(&mut book, on_row).map_err(|e| vec![e])
}

fn read_book(
    book: &mut Book<'_, '_>,
    on_row: &mut dyn FnMut(usize, Vec<CellValue>),
) -> Result<(), FieldError> {
    let workbook = book.workbook_part()?;
    let (sheet_id, is_1904) = book.first_sheet(&workbook)?;
    let rels = book.relationships(&workbook)?;
    let target = |suffix: &str| {
        rels.iter()
            .find(|(_, kind, _)| kind.ends_with(suffix))
            .map(|(_, _, t)| t.clone())
    };
    let sheet = sheet_id
        .and_then(|id| rels.iter().find(|(i, _, _)| *i == id))
        .map(|(_, _, t)| t.clone())
        .ok_or_else(|| FieldError::new(book.file_name, "the workbook has no worksheet"))?;
    let styles = book.styles(target("/styles").as_deref())?;
    let strings = book.shared_strings(target("/sharedStrings").as_deref())?;
    let context = SheetContext {
        strings: &strings,
        styles: &styles,
        is_1904,
    };
    let found = read_sheet(book, &sheet, &context, on_row)?;
    if !found {
        return Err(FieldError::new(
            book.file_name,
            format!("the workbook's first worksheet ({sheet}) is missing from the file"),
        ));
    }
    Ok(())
}

/// The rows of the sheet, each checked against the limits before it is laid out.
fn read_sheet(
    book: &mut Book<'_, '_>,
    sheet: &str,
    context: &SheetContext<'_>,
    on_row: &mut dyn FnMut(usize, Vec<CellValue>),
) -> Result<bool, FieldError> {
    let file_name = book.file_name;
    let mut reader = SheetReader {
        file_name,
        sheet,
        check: RowLimits {
            file_name,
            limits: book.guard.limits,
        },
        context,
        row: 0,
        row_numbered: false,
        in_row: false,
        cells: Vec::new(),
        cell: None,
    };
    book.read_part(sheet, &mut |event, _| match event {
        Ok(event) => reader.event(event, on_row),
        Err(message) => reader.stopped(message),
    })
}

/// The state of a worksheet being read: the row and the cell it is in.
struct SheetReader<'r> {
    file_name: &'r str,
    sheet: &'r str,
    check: RowLimits<'r>,
    context: &'r SheetContext<'r>,
    row: usize,
    /// Whether the current `<row>` gave its number.
    row_numbered: bool,
    in_row: bool,
    cells: Vec<CellValue>,
    cell: Option<OpenCell>,
}

impl SheetReader<'_> {
    fn event(
        &mut self,
        event: &Event<'_>,
        on_row: &mut dyn FnMut(usize, Vec<CellValue>),
    ) -> Result<(), FieldError> {
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                match local(e.name().as_ref()) {
                    "dimension" => self.dimension(e)?,
                    "row" => self.open_row(e, empty)?,
                    "c" if self.in_row => self.open_cell(e, empty)?,
                    "v" if !empty => {
                        if let Some(c) = self.cell.as_mut() {
                            c.in_value = true;
                        }
                    }
                    "is" if !empty => {
                        if let Some(c) = self.cell.as_mut() {
                            c.inline = Some(RichText::default());
                        }
                    }
                    _ => self.inline_event(event),
                }
            }
            Event::End(e) => match local(e.name().as_ref()) {
                "v" => {
                    if let Some(c) = self.cell.as_mut() {
                        c.in_value = false;
                    }
                }
                "c" => {
                    if let Some(open) = self.cell.take() {
                        self.place(open)?;
                    }
                }
                "row" if self.in_row => {
                    self.in_row = false;
                    on_row(self.row, std::mem::take(&mut self.cells));
                }
                _ => self.inline_event(event),
            },
            other => self.text(other)?,
        }
        Ok(())
    }

    /// A problem that stopped the sheet: inside a cell, it is the cell's.
    fn stopped(&self, message: &str) -> Result<(), FieldError> {
        match &self.cell {
            Some(open) => Err(FieldError::new(
                format!(
                    "{}, row {}, column {}",
                    self.file_name, self.row, open.column
                ),
                message,
            )),
            None => Ok(()),
        }
    }

    fn dimension(&self, e: &BytesStart<'_>) -> Result<(), FieldError> {
        let limits = self.check.limits;
        let reference = raw_attr(e, "ref").unwrap_or_default();
        match declared_extent(&reference) {
            Some((rows, columns)) if rows > limits.max_rows || columns > limits.max_columns => {
                Err(FieldError::new(
                    format!("{}: {}, dimension", self.file_name, self.sheet),
                    format!(
                        "the worksheet declares the range {reference} ({rows} rows, {columns} \
                         columns), over the limit of {} rows and {} columns",
                        limits.max_rows, limits.max_columns
                    ),
                ))
            }
            _ => Ok(()),
        }
    }

    fn open_row(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), FieldError> {
        let number = raw_attr(e, "r");
        self.row_numbered = number.is_some();
        self.row = match number {
            Some(r) => r.parse::<usize>().ok().filter(|&r| r > 0).ok_or_else(|| {
                FieldError::new(
                    format!("{}: {}", self.file_name, self.sheet),
                    format!("a row is numbered '{r}', which is not a row"),
                )
            })?,
            None => self.row + 1,
        };
        self.check.row(self.row)?;
        self.cells.clear();
        // A row without cells (`<row r="7"/>`) is blank: nothing to pass on.
        self.in_row = !empty;
        Ok(())
    }

    /// A cell starts: its position is checked before anything of it is kept.
    fn open_cell(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), FieldError> {
        let at_row = || format!("{}, row {}", self.file_name, self.row);
        let reference = raw_attr(e, "r");
        let column = match reference.as_deref() {
            Some(r) => {
                let (cell_row, column) = cell_position(r).ok_or_else(|| {
                    FieldError::new(at_row(), format!("'{r}' is not a cell reference"))
                })?;
                if cell_row != self.row {
                    // A row may leave its number to its cells, not contradict them.
                    if self.row_numbered || !self.cells.is_empty() {
                        return Err(FieldError::new(
                            at_row(),
                            format!("cell {r} is stored in row {}", self.row),
                        ));
                    }
                    self.row = cell_row;
                    self.check.row(self.row)?;
                }
                column
            }
            None => self.cells.len() + 1,
        };
        self.check.column(self.row, column, reference.as_deref())?;
        let open = OpenCell {
            column,
            kind: raw_attr(e, "t"),
            style: raw_attr(e, "s").and_then(|s| s.parse().ok()),
            value: String::new(),
            chars: 0,
            in_value: false,
            inline: None,
        };
        if empty {
            self.place(open)
        } else {
            self.cell = Some(open);
            Ok(())
        }
    }

    /// Markup inside an inline string (`<t>`, `<r>`, `<rPh>`).
    fn inline_event(&mut self, event: &Event<'_>) {
        if let Some(text) = self.cell.as_mut().and_then(|c| c.inline.as_mut()) {
            text.event(event);
        }
    }

    /// Text inside a cell, counted against the cell limit as it comes.
    fn text(&mut self, event: &Event<'_>) -> Result<(), FieldError> {
        let Some(c) = self.cell.as_mut() else {
            return Ok(());
        };
        if c.in_value {
            if let Some(t) = event_text(event) {
                c.chars += t.chars().count();
                c.value.push_str(&t);
            }
        } else if let Some(text) = c.inline.as_mut() {
            text.event(event);
        }
        let chars = c.chars + c.inline.as_ref().map_or(0, |t| t.chars);
        let column = c.column;
        self.check.cell(self.row, column, chars)
    }

    /// Put a finished cell in its column of the row being read.
    fn place(&mut self, cell: OpenCell) -> Result<(), FieldError> {
        let column = cell.column;
        let value = self.context.value(cell).map_err(|m| {
            FieldError::new(
                format!("{}, row {}, column {column}", self.file_name, self.row),
                m,
            )
        })?;
        if value == CellValue::Empty {
            return Ok(());
        }
        if self.cells.len() < column {
            self.cells.resize(column, CellValue::Empty);
        }
        self.cells[column - 1] = value;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats_that_show_dates_are_recognised() {
        for code in [
            "dd/mm/yyyy",
            "yyyy-mm-dd",
            "d-mmm-yy",
            "h:mm AM/PM",
            "[$-42A]dd/mm/yyyy",
        ] {
            assert_eq!(custom_format_kind(code), NumberKind::Date, "{code}");
        }
        for code in ["[h]:mm:ss", "[mm]:ss"] {
            assert_eq!(custom_format_kind(code), NumberKind::Duration, "{code}");
        }
        for code in [
            "0.00",
            "#,##0",
            "\"days\" 0",
            "[Red]0.00",
            "0;\"dd\"",
            "@",
            "0\\d",
        ] {
            assert_eq!(custom_format_kind(code), NumberKind::Plain, "{code}");
        }
        assert_eq!(builtin_format_kind(14), NumberKind::Date);
        assert_eq!(builtin_format_kind(2), NumberKind::Plain);
    }

    #[test]
    fn cell_references_and_targets_resolve() {
        assert_eq!(cell_position("A1"), Some((1, 1)));
        assert_eq!(cell_position("XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(cell_position("b12"), Some((12, 2)));
        for bad in ["", "A", "12", "A0", "ABCD1", "A1B"] {
            assert_eq!(cell_position(bad), None, "{bad}");
        }
        assert_eq!(declared_extent("A1:L20001"), Some((20_001, 12)));
        assert_eq!(
            resolve("xl/workbook.xml", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(resolve("xl/workbook.xml", "/xl/sheet.xml"), "xl/sheet.xml");
        assert_eq!(resolve("xl/workbook.xml", "../other/s.xml"), "other/s.xml");
        assert_eq!(rels_of("xl/workbook.xml"), "xl/_rels/workbook.xml.rels");
    }

    #[test]
    fn excel_escapes_are_undone() {
        assert_eq!(unescape_excel("a_x000D_b"), "a\rb");
        assert_eq!(unescape_excel("_xD83D__xDE00_"), "😀");
        assert_eq!(unescape_excel("my_xvalue_"), "my_xvalue_");
        assert_eq!(unescape_excel("plain"), "plain");
    }
}
