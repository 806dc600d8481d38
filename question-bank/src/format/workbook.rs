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
use super::table::CellValue;
use super::xml::{bounded_reader, local, next_event};
use crate::error::FieldError;

mod cell;
mod sheet;

use cell::{
    builtin_format_kind, cell_position, custom_format_kind, NumberKind, RichText, SheetContext,
};
use sheet::read_sheet;

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

#[cfg(test)]
mod tests;
