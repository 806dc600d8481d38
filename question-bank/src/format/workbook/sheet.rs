//! A worksheet read row by row, each row checked against the limits before it is laid out.

use quick_xml::events::{BytesStart, Event};

use super::super::table::{CellValue, RowLimits};
use super::super::xml::local;
use super::cell::{cell_position, OpenCell, RichText, SheetContext};
use super::{declared_extent, event_text, raw_attr, Book};
use crate::error::FieldError;

/// The rows of the sheet, each checked against the limits before it is laid out.
pub(super) fn read_sheet(
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
