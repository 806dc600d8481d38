//! Tables from uploaded files (CSV and Excel), read row by row within [`ImportLimits`]. Shared by
//! the bank's CSV / Excel importer and the server's applications importer: both get each row,
//! numbered as a spreadsheet shows it, as soon as it is read, and nothing holds the whole table.
//!
//! Every row is checked against the limits before it is laid out: a row number past
//! [`ImportLimits::max_rows`], a column past [`ImportLimits::max_columns`] or a cell longer than
//! [`ImportLimits::max_cell_chars`] refuses the file, located by row and column.

use super::limits::Guard;
use super::{utf8_text, workbook, ImportLimits};
use crate::error::FieldError;

/// A cell of a table: text for CSV, typed as the workbook stores it for Excel.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A number formatted as a date or time.
    Date(ExcelDate),
    /// A number formatted as an elapsed time (`[h]:mm:ss`).
    Duration(f64),
    /// A date cell stored as ISO 8601 text (`t="d"`).
    IsoDate(String),
    /// An error value such as `#N/A`.
    Error(String),
}

impl CellValue {
    /// Text, number and boolean cells as the text a person typed (whole numbers without
    /// Excel's `.0`); `None` for dates, durations and errors, which each importer reads its
    /// own way.
    pub fn as_text(&self) -> Option<String> {
        match self {
            CellValue::Empty => Some(String::new()),
            CellValue::Text(s) => Some(s.clone()),
            CellValue::Number(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                Some(format!("{}", *f as i64))
            }
            CellValue::Number(f) => Some(f.to_string()),
            CellValue::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.to_string()),
            _ => None,
        }
    }
}

/// An Excel serial date: days since the workbook's epoch, with the time as the fraction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExcelDate {
    pub serial: f64,
    /// The workbook counts from 1904-01-01 rather than 1900.
    pub is_1904: bool,
}

/// Days from 0000-03-01 to the given civil date (Howard Hinnant's algorithm), inverted below.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl ExcelDate {
    /// The calendar date, as Excel shows it: serial 1 is 1900-01-01, and Excel's phantom
    /// 1900-02-29 (serial 60) is kept. Serials are clamped to Excel's range (up to 9999-12-31).
    pub fn ymd(&self) -> (i64, u32, u32) {
        let days = if self.serial.is_finite() {
            self.serial.floor().clamp(0.0, 2_958_465.0) as i64
        } else {
            0
        };
        // Days from 1970-01-01 of each epoch.
        if self.is_1904 {
            return civil_from_days(days - 24_107);
        }
        match days {
            60 => (1900, 2, 29),
            0..=59 => civil_from_days(days - 25_568),
            _ => civil_from_days(days - 25_569),
        }
    }

    /// `YYYY-MM-DD`.
    pub fn iso_date(&self) -> String {
        let (y, m, d) = self.ymd();
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// The table formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    /// The first worksheet of an Excel workbook.
    Xlsx,
}

/// Read the table in `bytes` (the file `file_name`), calling `on_row` with each row's number
/// (as a spreadsheet shows it, the first row being 1) and cells, in file order. Blank lines of
/// a CSV file and rows a worksheet does not store are not passed; rows of empty cells may be.
/// `out_of_time` is asked now and then whether [`ImportLimits::max_parse_time`] has passed.
/// A file over a limit, or unreadable, is refused with the problem located.
pub fn read_table(
    format: TableFormat,
    file_name: &str,
    bytes: &[u8],
    limits: &ImportLimits,
    out_of_time: &dyn Fn() -> bool,
    on_row: &mut dyn FnMut(usize, Vec<CellValue>),
) -> Result<(), Vec<FieldError>> {
    let guard = Guard::new(limits, out_of_time);
    guard.check_size(file_name, bytes).map_err(|e| vec![e])?;
    match format {
        TableFormat::Csv => read_csv(file_name, bytes, &guard, on_row).map_err(|e| vec![e]),
        TableFormat::Xlsx => workbook::read_first_sheet(file_name, bytes, &guard, on_row),
    }
}

/// Excel in some locales saves "CSV" with semicolons; the header row tells which was used.
fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let count = |c: char| header.matches(c).count();
    let (comma, semicolon, tab) = (count(','), count(';'), count('\t'));
    if semicolon > comma && semicolon >= tab {
        b';'
    } else if tab > comma && tab > semicolon {
        b'\t'
    } else {
        b','
    }
}

/// The checks every table row goes through, whatever its format.
pub(crate) struct RowLimits<'a> {
    pub file_name: &'a str,
    pub limits: &'a ImportLimits,
}

impl RowLimits<'_> {
    pub fn row(&self, row: usize) -> Result<(), FieldError> {
        if row > self.limits.max_rows {
            return Err(FieldError::new(
                format!("{}, row {row}", self.file_name),
                format!(
                    "the file reaches row {row}, over the limit of {} rows; split it into \
                     several imports",
                    self.limits.max_rows
                ),
            ));
        }
        Ok(())
    }

    /// `column` is 1-based; `cell` names it as the file does (`XFD1`), if it does.
    pub fn column(&self, row: usize, column: usize, cell: Option<&str>) -> Result<(), FieldError> {
        if column > self.limits.max_columns {
            let which = cell.map(|c| format!("cell {c} is in ")).unwrap_or_default();
            return Err(FieldError::new(
                format!("{}, row {row}, column {column}", self.file_name),
                format!(
                    "{which}column {column}, over the limit of {} columns; delete the columns \
                     right of the table",
                    self.limits.max_columns
                ),
            ));
        }
        Ok(())
    }

    /// `chars` so far in a cell: refused as soon as they pass the limit.
    pub fn cell(&self, row: usize, column: usize, chars: usize) -> Result<(), FieldError> {
        if chars > self.limits.max_cell_chars {
            return Err(self.cell_too_long(row, column));
        }
        Ok(())
    }

    pub fn cell_too_long(&self, row: usize, column: usize) -> FieldError {
        FieldError::new(
            format!("{}, row {row}, column {column}", self.file_name),
            format!(
                "the cell holds more than {} characters, over the limit of a cell",
                self.limits.max_cell_chars
            ),
        )
    }
}

/// The CSV reader: the `csv` crate's parser (RFC 4180 quoting, any line ending) driven one field
/// at a time, so that a row is refused at its first field past the limits instead of being read
/// whole.
pub(crate) fn read_csv(
    file_name: &str,
    bytes: &[u8],
    guard: &Guard<'_>,
    on_row: &mut dyn FnMut(usize, Vec<CellValue>),
) -> Result<(), FieldError> {
    let text = utf8_text(bytes).map_err(|e| FieldError::new(file_name, e))?;
    let input = text.as_bytes();
    let check = RowLimits {
        file_name,
        limits: guard.limits,
    };
    let timed_out = |row: usize, e: String| FieldError::new(format!("{file_name}, row {row}"), e);
    let mut reader = csv_core::ReaderBuilder::new()
        .delimiter(detect_delimiter(text))
        .build();
    // Longest field in bytes that can still be within the character limit.
    let max_field_bytes = guard.limits.max_cell_chars.saturating_mul(4);
    let mut chunk = [0u8; 8192];
    let mut field: Vec<u8> = Vec::new();
    let mut cells: Vec<CellValue> = Vec::new();
    let (mut pos, mut row) = (0usize, 0usize);
    let mut at_record_start = true;
    loop {
        if at_record_start {
            // Rows are numbered as a spreadsheet shows them: one per record, plus the blank
            // lines the parser skips before it (after a CRLF record the position sits between
            // its '\r' and '\n').
            let mut skipped = &input[pos..];
            if pos > 0 && input[pos - 1] == b'\r' {
                skipped = skipped.strip_prefix(b"\n").unwrap_or(skipped);
            }
            let blank = skipped
                .iter()
                .take_while(|b| **b == b'\r' || **b == b'\n')
                .filter(|b| **b == b'\n')
                .count();
            row += 1 + blank;
            at_record_start = false;
        }
        guard.tick().map_err(|e| timed_out(row, e))?;
        let (result, consumed, written) = reader.read_field(&input[pos..], &mut chunk);
        pos += consumed;
        field.extend_from_slice(&chunk[..written]);
        if field.len() > max_field_bytes {
            return Err(check.cell_too_long(row, cells.len() + 1));
        }
        match result {
            csv_core::ReadFieldResult::InputEmpty | csv_core::ReadFieldResult::OutputFull => {}
            csv_core::ReadFieldResult::Field { record_end } => {
                check.row(row)?;
                check.column(row, cells.len() + 1, None)?;
                // The text is valid UTF-8 and fields split at ASCII bytes.
                let value = String::from_utf8_lossy(&field).into_owned();
                check.cell(row, cells.len() + 1, value.chars().count())?;
                cells.push(CellValue::Text(value));
                field.clear();
                if record_end {
                    on_row(row, std::mem::take(&mut cells));
                    at_record_start = true;
                }
            }
            csv_core::ReadFieldResult::End => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(text: &str, limits: &ImportLimits) -> Result<Vec<(usize, Vec<String>)>, FieldError> {
        let mut rows = Vec::new();
        let guard = Guard::new(limits, &|| false);
        read_csv("t.csv", text.as_bytes(), &guard, &mut |row, cells| {
            let cells = cells.iter().map(|c| c.as_text().unwrap()).collect();
            rows.push((row, cells));
        })?;
        Ok(rows)
    }

    fn rows(text: &str) -> Vec<(usize, Vec<String>)> {
        rows_of(text, &ImportLimits::default()).unwrap()
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        let r = rows("a,b\n\n\"multi\nline\",c\r\n\r\nd;e\n");
        assert_eq!(r[0], (1, vec!["a".to_string(), "b".into()]));
        assert_eq!(r[1], (3, vec!["multi\nline".to_string(), "c".into()]));
        assert_eq!(r[2], (5, vec!["d;e".to_string()]));
        assert_eq!(rows("x;y\r\n1;2").len(), 2);
        assert_eq!(
            rows("x;y\r\n1;2")[1].1,
            vec!["1", "2"],
            "semicolons detected"
        );
        assert_eq!(
            rows("\u{feff}a\n")[0].1,
            vec!["a"],
            "byte-order mark dropped"
        );
        assert!(rows("").is_empty());
        assert!(rows("\n\n").is_empty());
    }

    #[test]
    fn a_row_with_too_many_columns_is_refused_at_the_first_one_over() {
        let limits = ImportLimits::default();
        let line = ",".repeat(1_000_000);
        let e = rows_of(&format!("a,b\n{line}\n"), &limits).unwrap_err();
        assert_eq!(e.location, "t.csv, row 2, column 65");
        assert!(e.message.contains("over the limit of 64 columns"), "{e:?}");
        let fits = ",".repeat(63);
        assert_eq!(rows(&fits)[0].1.len(), 64);
    }

    #[test]
    fn a_long_cell_is_refused_while_it_is_read() {
        let e = rows_of(
            &format!("a,{}\n", "x".repeat(10_001)),
            &ImportLimits::default(),
        )
        .unwrap_err();
        assert_eq!(e.location, "t.csv, row 1, column 2");
        assert!(e.message.contains("more than 10000 characters"), "{e:?}");
        let e = rows_of(
            &format!("a,\"{}\n", "ế".repeat(20_000_000 / 3)),
            &ImportLimits::default(),
        )
        .unwrap_err();
        assert_eq!(e.location, "t.csv, row 1, column 2");
        assert_eq!(rows(&"ế".repeat(10_000))[0].1[0].chars().count(), 10_000);
    }

    #[test]
    fn rows_past_the_limit_are_refused() {
        let limits = ImportLimits {
            max_rows: 3,
            ..ImportLimits::default()
        };
        assert_eq!(
            rows_of("a\nb\n\nc\n", &limits).unwrap_err().location,
            "t.csv, row 4"
        );
        assert_eq!(rows_of("a\nb\nc\n\n\n", &limits).unwrap().len(), 3);
    }

    #[test]
    fn excel_serial_dates_are_calendar_dates() {
        let date = |serial: f64, is_1904: bool| ExcelDate { serial, is_1904 }.iso_date();
        assert_eq!(date(1.0, false), "1900-01-01");
        assert_eq!(date(59.0, false), "1900-02-28");
        assert_eq!(date(60.0, false), "1900-02-29");
        assert_eq!(date(61.0, false), "1900-03-01");
        assert_eq!(date(34_714.75, false), "1995-01-15");
        assert_eq!(date(45_658.0, false), "2025-01-01");
        assert_eq!(date(0.0, true), "1904-01-01");
        assert_eq!(date(33_252.0, true), "1995-01-15");
        assert_eq!(date(1e300, false), "9999-12-31");
        assert_eq!(date(f64::NAN, false), date(0.0, false));
    }
}
