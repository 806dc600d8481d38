//! Reading application files (CSV and Excel) into rows of named cells. What the cells mean is
//! checked by the service, with the same rules as the JSON endpoint; this module only knows the
//! layout ([`LAYOUT_DOC`]) and reports, located by row and column, what it cannot read.
//!
//! The file is read by the bounded table reader of `question_bank::format` (the one the bank
//! import uses), within the same [`ImportLimits`]: rows, columns and cell length are checked
//! before a row is laid out, an Excel workbook's zip and XML parts are checked and streamed, and
//! the read stops with a problem naming the limit once [`ImportLimits::max_parse_time`] has
//! passed.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use question_bank::format::{read_table, CellValue, ImportLimits, TableFormat};
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
- priority_groups: priority group codes separated by | (ethnic_minority|military_service_done); \
only the highest counts (VN-8). Codes (VN-7): hero_armed_forces, hero_labour, war_invalid, \
treated_as_war_invalid, war_invalid_type_b, ethnic_minority, army_officer, police_officer, \
demobilised_professional_soldier, cipher_staff, reserve_officer_graduate, \
commune_military_commander_reserve_officer, child_of_martyr, child_of_war_invalid, \
child_of_sick_soldier, child_of_treated_as_war_invalid, child_of_war_invalid_type_b, \
biological_child_of_toxic_chemical_victim, child_of_hero_armed_forces, child_of_hero_labour, \
military_service_done, police_service_done, youth_volunteer, defence_worker_left_working_age, \
young_intellectual_defence_zone, union_cadre_grassroots. The earlier codes (hero, officer, \
military_service, union_cadre…) are still accepted.
- exemptions: language-test exemptions separated by | (vn-2020 rounds): language_degree, \
studied_in_language, ethnic_minority_language.

Columns are matched by name (their order does not matter; an unknown column is an error). \
The file is UTF-8 (in Excel: Save as CSV UTF-8), comma or semicolon separated. Rows are \
numbered as a spreadsheet shows them, the header being row 1; empty rows are skipped. An \
import takes every row or none: each problem is reported as \"file, row N, column C\". \
Limits: at most 50,000 application rows, 64 columns and 10,000 characters in a cell; a file \
past one is refused with the limit named (split it into several imports).";

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
Nguyễn Văn An,1995-04-12,nam,031095001234,CV-TCKT,STC|SXD,military_service_done,
Trần Thị Bình,1998-10-30,nữ,031198004321,CV-VP,,ethnic_minority|union_cadre_grassroots,
";

/// Files with more application rows than this are refused whole (a round receives thousands,
/// not millions).
pub const MAX_ROWS: usize = 50_000;

/// The limits an applications file is read within: the importers' own, with room for
/// [`MAX_ROWS`] rows under the header. The request body limit already bounds the file's size.
pub fn limits() -> ImportLimits {
    ImportLimits {
        max_bytes: usize::MAX,
        max_rows: MAX_ROWS + 1,
        ..ImportLimits::default()
    }
}

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

    fn table(self) -> TableFormat {
        match self {
            FileFormat::Csv => TableFormat::Csv,
            FileFormat::Xlsx => TableFormat::Xlsx,
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

/// Reads every data row of the file, or lists every problem of its shape, within [`limits`]
/// and their time limit.
pub fn read_rows(format: FileFormat, bytes: &[u8]) -> Result<Vec<Row>, Vec<FieldError>> {
    let limits = limits();
    let deadline = Instant::now() + limits.max_parse_time;
    read_rows_within(format, bytes, &limits, &|| Instant::now() >= deadline)
}

/// [`read_rows`] within `limits`, asking `out_of_time` now and then.
fn read_rows_within(
    format: FileFormat,
    bytes: &[u8],
    limits: &ImportLimits,
    out_of_time: &dyn Fn() -> bool,
) -> Result<Vec<Row>, Vec<FieldError>> {
    let file = format.file_name();
    let mut table = Table::new(file, limits.max_errors);
    read_table(
        format.table(),
        file,
        bytes,
        limits,
        out_of_time,
        &mut |row, cells| {
            table.row(row, cells.iter().map(cell_text).collect());
        },
    )?;
    table.finish()
}

/// A cell as the text a person typed: whole numbers without Excel's `.0`, date cells as
/// YYYY-MM-DD.
fn cell_text(cell: &CellValue) -> Cell {
    match cell {
        CellValue::Date(d) => Ok(d.iso_date()),
        CellValue::IsoDate(d) => Ok(d.chars().take(10).collect()),
        CellValue::Duration(d) => Err(format!(
            "the cell holds a duration ({d}); format the column as Text and retype the value"
        )),
        CellValue::Error(e) => Err(format!("the cell holds the Excel error {e}")),
        other => Ok(other.as_text().unwrap_or_default()),
    }
}

fn one(file: &str, message: impl Into<String>) -> Vec<FieldError> {
    vec![FieldError::new(file, message)]
}

fn is_blank(cells: &[Cell]) -> bool {
    cells
        .iter()
        .all(|c| matches!(c, Ok(s) if s.trim().is_empty()))
}

/// The rows of a file as they are read, header first; problems past `max_errors` are counted,
/// not kept.
struct Table<'a> {
    file: &'a str,
    /// The header's columns once read, and whether it was without problems.
    header: Option<(Vec<Option<&'static str>>, bool)>,
    rows: Vec<Row>,
    errors: Vec<FieldError>,
    unlisted: usize,
    max_errors: usize,
}

impl<'a> Table<'a> {
    fn new(file: &'a str, max_errors: usize) -> Table<'a> {
        Table {
            file,
            header: None,
            rows: Vec::new(),
            errors: Vec::new(),
            unlisted: 0,
            max_errors,
        }
    }

    fn error(&mut self, location: String, message: impl Into<String>) {
        if self.errors.len() < self.max_errors {
            self.errors.push(FieldError::new(location, message));
        } else {
            self.unlisted += 1;
        }
    }

    fn row(&mut self, row: usize, cells: Vec<Cell>) {
        if is_blank(&cells) {
            return;
        }
        match self.header.take() {
            None => {
                let columns = self.read_header(row, &cells);
                let clean = self.errors.is_empty();
                self.header = Some((columns, clean));
            }
            Some((columns, true)) => {
                self.read_row(row, cells, &columns);
                self.header = Some((columns, true));
            }
            // Rows read against a wrong header would only repeat the header's problem.
            Some(failed) => self.header = Some(failed),
        }
    }

    fn read_header(&mut self, header_row: usize, header: &[Cell]) -> Vec<Option<&'static str>> {
        let file = self.file;
        let mut columns: Vec<Option<&'static str>> = Vec::new();
        let mut seen = HashSet::new();
        for (i, cell) in header.iter().enumerate() {
            let at = format!("{file}, row {header_row}, column {}", i + 1);
            let name = match cell {
                Ok(s) => s.trim().trim_start_matches('\u{feff}').to_lowercase(),
                Err(e) => {
                    self.error(at, e.clone());
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
                    self.error(at, format!("column '{name}' appears twice"));
                    columns.push(None);
                }
                Some(c) => columns.push(Some(*c)),
                None => {
                    self.error(
                        at,
                        format!(
                            "unknown column '{name}'; the header must be: {}",
                            COLUMNS.join(",")
                        ),
                    );
                    columns.push(None);
                }
            }
        }
        for required in REQUIRED {
            if !seen.contains(required) {
                self.error(
                    format!("{file}, row {header_row}"),
                    format!("the header has no column '{required}'"),
                );
            }
        }
        columns
    }

    fn read_row(&mut self, row: usize, cells: Vec<Cell>, columns: &[Option<&'static str>]) {
        let mut named = HashMap::new();
        for (i, cell) in cells.into_iter().enumerate() {
            match columns.get(i).copied().flatten() {
                Some(column) => {
                    named.insert(column, cell);
                }
                None if matches!(&cell, Ok(v) if v.trim().is_empty()) => {}
                None => self.error(
                    format!("{}, row {row}, column {}", self.file, i + 1),
                    "a value in a column without a header",
                ),
            }
        }
        self.rows.push(Row { row, cells: named });
    }

    fn finish(mut self) -> Result<Vec<Row>, Vec<FieldError>> {
        let file = self.file;
        if self.header.is_none() {
            return Err(one(
                file,
                format!(
                    "the file is empty; the first row must be the header: {}",
                    COLUMNS.join(",")
                ),
            ));
        }
        if self.rows.is_empty() && self.errors.is_empty() {
            self.error(file.to_string(), "the file has no application rows");
        }
        if self.unlisted > 0 {
            let message = format!(
                "{} more problem(s) are not listed: only the first {} are (the limit); fix \
                 these and import again",
                self.unlisted, self.max_errors
            );
            self.errors.push(FieldError::new(file, message));
        }
        if self.errors.is_empty() {
            Ok(self.rows)
        } else {
            Err(self.errors)
        }
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

    fn workbook(write: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, name) in COLUMNS.iter().enumerate() {
            sheet.write_string(0, c as u16, *name).expect("header");
        }
        write(sheet);
        book.save_to_buffer().expect("workbook")
    }

    #[test]
    fn date_cells_read_as_iso_dates_and_numbers_without_a_decimal_point() {
        let bytes = workbook(|sheet| {
            let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
            sheet.write_string(1, 0, "Nguyễn Văn An").expect("name");
            sheet
                .write_number_with_format(1, 1, 34_714.0, &date)
                .expect("date");
            sheet.write_string(1, 2, "nam").expect("gender");
            sheet.write_number(1, 3, 31_095_001_234.0).expect("id");
            sheet.write_string(1, 4, "CV-VP").expect("position");
        });
        let rows = read_rows(FileFormat::Xlsx, &bytes).expect("reads");
        let cell = |name| rows[0].cells.get(name).cloned();
        assert_eq!(cell("date_of_birth"), Some(Ok("1995-01-15".to_string())));
        assert_eq!(cell("national_id"), Some(Ok("31095001234".to_string())));
    }

    /// The tester's file: one cell in A1 and one in XFD1048576, two kilobytes that used to make
    /// the reader lay out 2^34 cells and abort the server.
    #[test]
    fn a_workbook_spanning_the_whole_sheet_is_refused_by_its_dimension() {
        let bytes = workbook(|sheet| {
            sheet
                .write_string(1_048_575, 16_383, "x")
                .expect("far cell");
        });
        assert!(bytes.len() < 16 * 1024);
        let errors = read_rows(FileFormat::Xlsx, &bytes).expect_err("refused");
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].location,
            "applications.xlsx: xl/worksheets/sheet1.xml, dimension"
        );
        assert!(
            errors[0].message.contains("A1:XFD1048576")
                && errors[0]
                    .message
                    .contains("over the limit of 50001 rows and 64 columns"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_csv_row_with_a_million_columns_is_refused_at_the_first_column_over() {
        let file = format!("{}\n{}\n", COLUMNS.join(","), "a,".repeat(1_000_000));
        let errors = read_rows(FileFormat::Csv, file.as_bytes()).expect_err("refused");
        assert_eq!(errors[0].location, "applications.csv, row 2, column 65");
        assert!(errors[0].message.contains("over the limit of 64 columns"));
    }

    #[test]
    fn reading_stops_with_a_problem_once_out_of_time() {
        let row = "Nguyễn Văn An,1995-04-12,nam,031095001234,CV-TCKT,,,\n";
        let file = format!("{}\n{}", COLUMNS.join(","), row.repeat(500));
        let errors = read_rows_within(FileFormat::Csv, file.as_bytes(), &limits(), &|| true)
            .expect_err("out of time");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("time limit of an import"));
        assert_eq!(
            read_rows(FileFormat::Csv, file.as_bytes()).map(|r| r.len()),
            Ok(500)
        );
    }

    #[test]
    fn problems_past_the_limit_are_counted_not_listed() {
        let file = format!(
            "{}\n{}",
            COLUMNS.join(","),
            "A,B,C,D,E,,,,x\n".repeat(2_000)
        );
        let errors = read_rows(FileFormat::Csv, file.as_bytes()).expect_err("refused");
        assert_eq!(errors.len(), 1_001);
        assert!(errors[1_000].message.starts_with("1000 more problem(s)"));
    }

    /// Random changes to a good CSV or workbook: the reader answers rows or problems, and
    /// never panics (memory and the other importers are checked by question-bank's
    /// `tests/hostile_files.rs`).
    mod mutations {
        use super::*;
        use proptest::prelude::*;

        fn samples() -> Vec<(FileFormat, Vec<u8>)> {
            let xlsx = workbook(|sheet| {
                let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
                sheet.write_string(1, 0, "Nguyễn Văn An").expect("name");
                sheet
                    .write_number_with_format(1, 1, 34_714.0, &date)
                    .expect("date");
                sheet.write_string(1, 4, "CV-VP").expect("position");
            });
            vec![
                (FileFormat::Csv, TEMPLATE_CSV.as_bytes().to_vec()),
                (FileFormat::Xlsx, xlsx),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn mutated_files_are_read_or_refused_never_a_panic(
                which in any::<bool>(),
                edits in proptest::collection::vec(
                    (any::<usize>(), any::<u8>(), 0usize..3),
                    1..8,
                ),
                as_other_format in any::<bool>(),
            ) {
                let (format, mut bytes) = samples().swap_remove(usize::from(which));
                for (at, byte, kind) in edits {
                    let at = at % (bytes.len() + 1);
                    match kind {
                        0 if at < bytes.len() => bytes[at] ^= byte | 1,
                        1 => bytes.insert(at, byte),
                        _ => bytes.truncate(at),
                    }
                }
                let format = match (format, as_other_format) {
                    (f, false) => f,
                    (FileFormat::Csv, true) => FileFormat::Xlsx,
                    (FileFormat::Xlsx, true) => FileFormat::Csv,
                };
                match read_rows(format, &bytes) {
                    Ok(rows) => prop_assert!(!rows.is_empty()),
                    Err(errors) => prop_assert!(!errors.is_empty()),
                }
            }
        }
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_refused_by_name() {
        let errors = read_rows(FileFormat::Xlsx, b"full_name\n").expect_err("not xlsx");
        assert_eq!(errors[0].location, "applications.xlsx");
        let errors = read_rows(FileFormat::Csv, b"\xff\xfe").expect_err("not utf-8");
        assert!(errors[0].message.contains("UTF-8"));
    }
}
