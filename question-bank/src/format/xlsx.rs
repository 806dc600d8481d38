//! Excel workbooks (`.xlsx`) in the same column layout as CSV ([`super::csv::CSV_LAYOUT_DOC`]):
//! the questions are on the first worksheet, the header in its first non-empty row.
//!
//! The workbook is read by the bounded reader shared with the server's applications import
//! (`workbook` module): the zip is checked like any upload, then the first sheet is streamed
//! row by row within [`super::ImportLimits`].

use rust_xlsxwriter::{Format as CellFormat, Workbook, Worksheet, XlsxError};

use super::csv::{cell_text, table, template_rows, TableParser};
use super::limits::Guard;
use super::{workbook as reader, Parsed};
use crate::error::BankError;
use crate::item::Item;

pub(crate) fn parse(file_name: &str, bytes: &[u8], guard: &Guard<'_>) -> Parsed {
    let mut table = TableParser::new(file_name, Parsed::new(guard.limits));
    let read = reader::read_first_sheet(file_name, bytes, guard, &mut |row, cells| {
        table.row(row, cells.iter().map(cell_text).collect());
    });
    table.finish(read)
}

fn xlsx_error(e: XlsxError) -> BankError {
    BankError::one("export", format!("cannot write the Excel workbook: {e}"))
}

/// Write a table (header first) to a sheet: difficulty and points as numbers so that Excel can
/// sum and filter them, everything else as text so that Excel does not reinterpret it.
fn write_table(sheet: &mut Worksheet, rows: &[Vec<String>]) -> Result<(), XlsxError> {
    let bold = CellFormat::new().set_bold();
    let wrap = CellFormat::new().set_text_wrap();
    let two_places = CellFormat::new().set_num_format("0.00");
    let header = rows.first().cloned().unwrap_or_default();
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32;
        for (c, value) in row.iter().enumerate() {
            let c = c as u16;
            let column = header.get(c as usize).map(String::as_str).unwrap_or("");
            if r == 0 {
                sheet.write_string_with_format(r, c, value, &bold)?;
                continue;
            }
            match (column, value.parse::<f64>()) {
                ("difficulty", Ok(n)) => {
                    sheet.write_number(r, c, n)?;
                }
                ("points", Ok(n)) => {
                    sheet.write_number_with_format(r, c, n, &two_places)?;
                }
                ("stem" | "explanation", _) => {
                    sheet.write_string_with_format(r, c, value, &wrap)?;
                }
                _ => {
                    sheet.write_string(r, c, value)?;
                }
            }
        }
    }
    for (c, name) in header.iter().enumerate() {
        let width = match name.as_str() {
            "topic" => 30.0,
            "stem" => 60.0,
            "explanation" => 40.0,
            n if n.starts_with("option_") || n == "answer" => 20.0,
            _ => 10.0,
        };
        sheet.set_column_width(c as u16, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn workbook(rows: &[Vec<String>], with_guide: bool) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Câu hỏi")?;
    write_table(sheet, rows)?;
    if with_guide {
        let guide = workbook.add_worksheet();
        guide.set_name("Hướng dẫn")?;
        guide.set_column_width(0, 110)?;
        for (r, line) in super::CSV_LAYOUT_DOC.lines().enumerate() {
            guide.write_string(r as u32, 0, line)?;
        }
    }
    workbook.save_to_buffer()
}

pub(crate) fn export(items: &[Item]) -> Result<Vec<u8>, BankError> {
    workbook(&table(items), false).map_err(xlsx_error)
}

/// The downloadable Excel template: header and example rows on the first sheet, the layout
/// description on a second sheet ("Hướng dẫn"), which import ignores.
pub fn xlsx_template() -> Result<Vec<u8>, BankError> {
    workbook(&template_rows(), true).map_err(xlsx_error)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{import, Format, ImportLimits};
    use super::*;

    fn read(bytes: &[u8]) -> Result<Vec<Item>, BankError> {
        import(Format::Xlsx, "bank.xlsx", bytes, &ImportLimits::default())
    }

    #[test]
    fn round_trip_gives_back_equal_items() {
        let items = sample_items();
        assert_eq!(read(&export(&items).unwrap()).unwrap(), items);
    }

    #[test]
    fn formula_leading_text_is_a_string_cell_and_imports_back_unchanged() {
        let mut items = sample_items();
        items[0].stem = "=1+1".into();
        items[0].options[0].text = "-5".into();
        items[0].options[1].text = "@SUM(A1)".into();
        let bytes = export(&items).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut sheet,
        )
        .unwrap();
        assert!(
            !sheet.contains("<f>") && !sheet.contains("<f "),
            "no formula: {sheet}"
        );
        assert_eq!(read(&bytes).unwrap(), items);
    }

    #[test]
    fn template_imports_cleanly() {
        let items = read(&xlsx_template().unwrap()).unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].stem, template_rows()[1][3]);
    }

    #[test]
    fn nfd_cells_are_imported_as_nfc() {
        let items = sample_items();
        let mut rows = table(&items);
        for row in rows.iter_mut().skip(1) {
            for cell in row.iter_mut() {
                *cell = nfd(cell);
            }
        }
        assert_ne!(rows[1][3], items[0].stem);
        let bytes = workbook(&rows, false).unwrap();
        assert_eq!(read(&bytes).unwrap(), items);
    }

    #[test]
    fn errors_name_the_spreadsheet_row_and_column() {
        let mut rows = template_rows();
        rows[1][8] = "E".into();
        rows[3][1] = "7".into();
        let err = read(&workbook(&rows, false).unwrap()).unwrap_err();
        assert_eq!(
            locations(&err),
            vec![
                "bank.xlsx, row 2, column correct",
                "bank.xlsx, row 4, column difficulty"
            ]
        );
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_refused() {
        let err = read(b"topic,difficulty\n").unwrap_err();
        assert_eq!(locations(&err), vec!["bank.xlsx"]);
    }
}
