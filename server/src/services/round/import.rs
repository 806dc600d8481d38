//! Reading application files (CSV and Excel) into rows of named cells. What the cells mean is
//! checked by the service, with the same rules as the JSON endpoint; this module only knows the
//! layout ([`LAYOUT_DOC`]) and reports, located by row and column, what it cannot read.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use question_bank::FieldError;

/// The layout HR follows, served with the template and in the API description.
pub const LAYOUT_DOC: &str = "\
Applications file (Form 01 data), CSV or Excel (.xlsx, first worksheet). One application per row; \
the first row is the header:

full_name,date_of_birth,gender,national_id,position_code,agency_preferences,priority_groups,exemptions

- full_name: the candidate's full name, as on the ID card. Required.
- date_of_birth: YYYY-MM-DD (DD/MM/YYYY and Excel date cells are accepted). Required; the \
candidate must be at least 18.
- gender: nam or nữ (male or female). Required.
- national_id: the 12-digit citizen ID (căn cước) or the 9-digit old ID card number. Required; \
in Excel format the column as Text so that leading zeros are kept.
- position_code: the code of a position of the round. Required.
- agency_preferences: codes of the position's agencies in the candidate's order of \
preference, separated by | (STC|SXD). Empty means every agency of the position, in the \
order of the plan.
- priority_groups: priority group codes separated by | (ethnic_minority|military_service); \
only the highest counts (VN-8). Codes: hero, labour_hero, war_invalid, war_invalid_b, \
ethnic_minority, officer, demobilised_soldier, cipher_staff, reserve_officer, martyr_child, \
war_invalid_child, hero_child, military_service, police_service, youth_volunteer, \
defence_worker, union_cadre.
- exemptions: language-test exemptions separated by | (vn-2020 rounds): language_degree, \
studied_in_language, ethnic_minority_language.

Columns are matched by name (their order does not matter; an unknown column is an error). \
The file is UTF-8 (in Excel: Save as CSV UTF-8), comma or semicolon separated. Rows are \
numbered as a spreadsheet shows them, the header being row 1; empty rows are skipped. An \
import takes every row or none: each problem is reported as \"file, row N, column C\".";

/// The header of the layout, in order.
pub const COLUMNS: [&str; 8] = [
    "full_name",
    "date_of_birth",
    "gender",
    "national_id",
    "position_code",
    "agency_preferences",
    "priority_groups",
    "exemptions",
];

const REQUIRED: [&str; 5] = [
    "full_name",
    "date_of_birth",
    "gender",
    "national_id",
    "position_code",
];

/// The downloadable template: the header and two example rows (a byte-order mark first so that
/// Excel opens it as UTF-8).
pub const TEMPLATE_CSV: &str = "\u{feff}full_name,date_of_birth,gender,national_id,position_code,agency_preferences,priority_groups,exemptions
Nguyễn Văn An,1995-04-12,nam,031095001234,CV-TCKT,STC|SXD,military_service,
Trần Thị Bình,1998-10-30,nữ,031198004321,CV-VP,,ethnic_minority|union_cadre,
";

/// Files with more rows than this are refused whole (a round receives thousands, not millions).
pub const MAX_ROWS: usize = 50_000;

/// Entries and inflated bytes an xlsx (a zip) may declare before it is opened.
const MAX_ZIP_ENTRIES: usize = 1_000;
const MAX_UNZIPPED_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl FileFormat {
    pub fn parse(code: &str) -> Option<FileFormat> {
        match code.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(FileFormat::Csv),
            "xlsx" => Some(FileFormat::Xlsx),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }

    /// The name errors are located in.
    pub fn file_name(self) -> &'static str {
        match self {
            FileFormat::Csv => "applications.csv",
            FileFormat::Xlsx => "applications.xlsx",
        }
    }
}

/// A cell's text, or why it cannot be used.
pub type Cell = Result<String, String>;

/// One data row: its number as a spreadsheet shows it and its cells by column name.
#[derive(Debug)]
pub struct Row {
    pub row: usize,
    pub cells: HashMap<&'static str, Cell>,
}

impl Row {
    pub fn location(&self, file_name: &str, column: &str) -> String {
        format!("{file_name}, row {}, column {column}", self.row)
    }
}

/// Reads every data row of the file, or lists every problem of its shape.
pub fn read_rows(format: FileFormat, bytes: &[u8]) -> Result<Vec<Row>, Vec<FieldError>> {
    let file = format.file_name();
    let table = match format {
        FileFormat::Csv => csv_table(file, bytes)?,
        FileFormat::Xlsx => xlsx_table(file, bytes)?,
    };
    rows_of_table(file, table)
}

fn one(file: &str, message: impl Into<String>) -> Vec<FieldError> {
    vec![FieldError::new(file, message)]
}

fn csv_table(file: &str, bytes: &[u8]) -> Result<Vec<(usize, Vec<Cell>)>, Vec<FieldError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        one(
            file,
            format!(
                "the file is not UTF-8 text (invalid byte at offset {}); save it as UTF-8 (in \
                 Excel: \"CSV UTF-8\")",
                e.valid_up_to()
            ),
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(detect_delimiter(text))
        .from_reader(text.as_bytes());
    let mut table: Vec<(usize, Vec<Cell>)> = Vec::new();
    let mut record = csv::StringRecord::new();
    // The csv reader's own line count skips blank lines; rows must be numbered as a
    // spreadsheet shows them. A record's position is where the previous one ended, so its row
    // is one more than the line breaks before its first character (past any blank lines),
    // counted incrementally.
    let (mut counted_to, mut breaks) = (0usize, 0usize);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let start = record
                    .position()
                    .map_or(counted_to, |p| p.byte() as usize)
                    .clamp(counted_to, text.len());
                let rest = text.as_bytes().get(start..).unwrap_or_default();
                let blank = rest
                    .iter()
                    .take_while(|b| **b == b'\r' || **b == b'\n')
                    .count();
                let first = start + blank;
                breaks += text.as_bytes()[counted_to..first]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count();
                counted_to = first;
                table.push((
                    breaks + 1,
                    record.iter().map(|s| Ok(s.to_string())).collect(),
                ));
                if table.len() > MAX_ROWS + 1 {
                    return Err(too_many_rows(file));
                }
            }
            Err(e) => {
                let row = table.last().map_or(1, |(row, _)| row + 1);
                return Err(one(
                    &format!("{file}, row {row}"),
                    format!("unreadable CSV: {e}"),
                ));
            }
        }
    }
    Ok(table)
}

fn too_many_rows(file: &str) -> Vec<FieldError> {
    one(
        file,
        format!("the file has more than {MAX_ROWS} rows; split it into several imports"),
    )
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

fn xlsx_table(file: &str, bytes: &[u8]) -> Result<Vec<(usize, Vec<Cell>)>, Vec<FieldError>> {
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(one(
            file,
            "this is an old Excel 97-2003 (.xls) workbook; save it as .xlsx (Excel Workbook) or \
             CSV UTF-8",
        ));
    }
    check_zip(bytes).map_err(|e| one(file, e))?;
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| one(file, format!("not a readable Excel (.xlsx) workbook: {e}")))?;
    let range = match workbook.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        Some(Err(e)) => {
            return Err(one(
                file,
                format!("the first worksheet cannot be read: {e}"),
            ))
        }
        None => return Err(one(file, "the workbook has no worksheet")),
    };
    if range.height() > MAX_ROWS + 1 {
        return Err(too_many_rows(file));
    }
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            // Columns left of the used range are empty but still count in the layout.
            let mut row: Vec<Cell> = vec![Ok(String::new()); first_col as usize];
            row.extend(cells.iter().map(cell_text));
            (first_row as usize + i + 1, row)
        })
        .collect())
}

/// A cell as the text a person typed: whole numbers without Excel's `.0`, date cells as
/// YYYY-MM-DD.
fn cell_text(cell: &Data) -> Cell {
    match cell {
        Data::Empty => Ok(String::new()),
        Data::String(s) => Ok(s.clone()),
        Data::Int(i) => Ok(i.to_string()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(format!("{}", *f as i64)),
        Data::Float(f) => Ok(f.to_string()),
        Data::Bool(b) => Ok(if *b { "TRUE" } else { "FALSE" }.to_string()),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            Ok(format!("{y:04}-{m:02}-{day:02}"))
        }
        Data::DateTime(d) => Err(format!(
            "the cell holds a duration ({}); format the column as Text and retype the value",
            d.as_f64()
        )),
        Data::DateTimeIso(d) => Ok(d.chars().take(10).collect()),
        Data::DurationIso(d) => Err(format!(
            "the cell holds a duration ({d}); format the column as Text and retype the value"
        )),
        Data::Error(e) => Err(format!("the cell holds the Excel error {e}")),
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Reads the zip's central directory before anything is inflated: too many entries, or entries
/// declaring more than [`MAX_UNZIPPED_BYTES`] in all, are refused (a zip bomb is refused before
/// it is opened; the body limit bounds the file itself).
fn check_zip(bytes: &[u8]) -> Result<(), String> {
    let not_zip = || "not an Excel (.xlsx) workbook: the file is not a zip archive".to_string();
    if !bytes.starts_with(b"PK") || bytes.len() < 22 {
        return Err(not_zip());
    }
    let search_from = bytes.len().saturating_sub(22 + 65_535);
    let eocd = (search_from..=bytes.len() - 22)
        .rev()
        .find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))
        .ok_or_else(not_zip)?;
    let entries = usize::from(u16_at(bytes, eocd + 10).ok_or_else(not_zip)?);
    let mut at = u32_at(bytes, eocd + 16).ok_or_else(not_zip)? as usize;
    if entries > MAX_ZIP_ENTRIES {
        return Err(format!(
            "the workbook has {entries} parts, over the limit of {MAX_ZIP_ENTRIES}"
        ));
    }
    let mut total: u64 = 0;
    for _ in 0..entries {
        if !bytes
            .get(at..)
            .is_some_and(|b| b.starts_with(b"PK\x01\x02"))
        {
            return Err(not_zip());
        }
        total += u64::from(u32_at(bytes, at + 24).ok_or_else(not_zip)?);
        let name = usize::from(u16_at(bytes, at + 28).ok_or_else(not_zip)?);
        let extra = usize::from(u16_at(bytes, at + 30).ok_or_else(not_zip)?);
        let comment = usize::from(u16_at(bytes, at + 32).ok_or_else(not_zip)?);
        at += 46 + name + extra + comment;
    }
    if total > MAX_UNZIPPED_BYTES {
        return Err(format!(
            "the workbook inflates to {total} bytes, over the limit of {MAX_UNZIPPED_BYTES}"
        ));
    }
    Ok(())
}

fn is_blank(cells: &[Cell]) -> bool {
    cells
        .iter()
        .all(|c| matches!(c, Ok(s) if s.trim().is_empty()))
}

fn rows_of_table(file: &str, table: Vec<(usize, Vec<Cell>)>) -> Result<Vec<Row>, Vec<FieldError>> {
    let mut rows = table.into_iter().filter(|(_, cells)| !is_blank(cells));
    let Some((header_row, header)) = rows.next() else {
        return Err(one(
            file,
            format!(
                "the file is empty; the first row must be the header: {}",
                COLUMNS.join(",")
            ),
        ));
    };
    let mut errors = Vec::new();
    let mut columns: Vec<Option<&'static str>> = Vec::new();
    let mut seen = HashSet::new();
    for (i, cell) in header.iter().enumerate() {
        let at = format!("{file}, row {header_row}, column {}", i + 1);
        let name = match cell {
            Ok(s) => s.trim().trim_start_matches('\u{feff}').to_lowercase(),
            Err(e) => {
                errors.push(FieldError::new(at, e.clone()));
                columns.push(None);
                continue;
            }
        };
        if name.is_empty() {
            columns.push(None);
            continue;
        }
        match COLUMNS.iter().find(|c| **c == name) {
            Some(c) if !seen.insert(*c) => {
                errors.push(FieldError::new(
                    at,
                    format!("column '{name}' appears twice"),
                ));
                columns.push(None);
            }
            Some(c) => columns.push(Some(*c)),
            None => {
                errors.push(FieldError::new(
                    at,
                    format!(
                        "unknown column '{name}'; the header must be: {}",
                        COLUMNS.join(",")
                    ),
                ));
                columns.push(None);
            }
        }
    }
    for required in REQUIRED {
        if !seen.contains(required) {
            errors.push(FieldError::new(
                format!("{file}, row {header_row}"),
                format!("the header has no column '{required}'"),
            ));
        }
    }
    if !errors.is_empty() {
        // Rows read against a wrong header would only repeat the header's problem.
        return Err(errors);
    }
    let mut out = Vec::new();
    for (row, cells) in rows {
        let mut named = HashMap::new();
        for (i, cell) in cells.into_iter().enumerate() {
            match columns.get(i).copied().flatten() {
                Some(column) => {
                    named.insert(column, cell);
                }
                None if matches!(&cell, Ok(v) if v.trim().is_empty()) => {}
                None => errors.push(FieldError::new(
                    format!("{file}, row {row}, column {}", i + 1),
                    "a value in a column without a header",
                )),
            }
        }
        out.push(Row { row, cells: named });
    }
    if out.is_empty() {
        errors.push(FieldError::new(file, "the file has no application rows"));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Splits a `|`-separated list, dropping empty values.
pub fn split_list(s: &str) -> Vec<String> {
    s.split('|')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_reads_back_as_two_rows() {
        let rows = read_rows(FileFormat::Csv, TEMPLATE_CSV.as_bytes()).expect("template reads");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].row, 2);
        assert_eq!(
            rows[1].cells.get("full_name"),
            Some(&Ok("Trần Thị Bình".to_string()))
        );
        assert_eq!(split_list(" STC | SXD |"), vec!["STC", "SXD"]);
    }

    #[test]
    fn rows_keep_spreadsheet_numbers_across_blank_lines_and_semicolons() {
        let file = "full_name;date_of_birth;gender;national_id;position_code\n\nA;2000-01-01;nam;031200000001;P\n";
        let rows = read_rows(FileFormat::Csv, file.as_bytes()).expect("reads");
        assert_eq!(rows[0].row, 3);
        assert_eq!(rows[0].cells.get("position_code"), Some(&Ok("P".into())));
    }

    #[test]
    fn a_wrong_header_is_reported_once_per_problem() {
        let file = "full_name,birthday,gender,national_id\nA,2000-01-01,nam,1\n";
        let errors = read_rows(FileFormat::Csv, file.as_bytes()).expect_err("bad header");
        let locations: Vec<&str> = errors.iter().map(|e| e.location.as_str()).collect();
        assert_eq!(
            locations,
            vec![
                "applications.csv, row 1, column 2",
                "applications.csv, row 1",
                "applications.csv, row 1"
            ]
        );
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_refused_by_name() {
        let errors = read_rows(FileFormat::Xlsx, b"full_name\n").expect_err("not xlsx");
        assert_eq!(errors[0].location, "applications.xlsx");
        let errors = read_rows(FileFormat::Csv, b"\xff\xfe").expect_err("not utf-8");
        assert!(errors[0].message.contains("UTF-8"));
    }
}
