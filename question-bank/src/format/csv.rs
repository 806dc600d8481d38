#![doc = csv_layout_doc!()]
//!
//! This module reads and writes that layout for CSV; [`super::xlsx`] reuses the same table
//! logic for Excel workbooks.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use rust_decimal::Decimal;

use super::limits::Guard;
use super::table::{read_csv, CellValue};
use super::{
    letter, letters_where, option_bounds, option_index, parse_difficulty, parse_letters,
    parse_points, Parsed,
};
use crate::error::{BankError, FieldError};
use crate::item::{Item, ItemKind, ItemOption};
use crate::text::fold;

/// The layout description above, as text for the UI and the downloadable template.
pub const CSV_LAYOUT_DOC: &str = csv_layout_doc!();

/// The documented header row, in order.
pub const CSV_COLUMNS: [&str; 12] = [
    "topic",
    "difficulty",
    "kind",
    "stem",
    "option_a",
    "option_b",
    "option_c",
    "option_d",
    "correct",
    "answer",
    "points",
    "explanation",
];

/// `option_a` … `option_h`: the most options a `multiple` item may have.
const MAX_OPTIONS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Col {
    Topic,
    Difficulty,
    Kind,
    Stem,
    Option(usize),
    Correct,
    Answer,
    Points,
    Explanation,
    Tags,
    Fixed,
}

impl Col {
    fn parse(name: &str) -> Option<Col> {
        Some(match name {
            "topic" => Col::Topic,
            "difficulty" => Col::Difficulty,
            "kind" => Col::Kind,
            "stem" => Col::Stem,
            "correct" => Col::Correct,
            "answer" => Col::Answer,
            "points" => Col::Points,
            "explanation" => Col::Explanation,
            "tags" => Col::Tags,
            "fixed" => Col::Fixed,
            other => {
                let l = other.strip_prefix("option_")?;
                let mut chars = l.chars();
                match (chars.next(), chars.next()) {
                    (Some(c @ 'a'..='h'), None) => Col::Option(c as usize - 'a' as usize),
                    _ => return None,
                }
            }
        })
    }

    fn name(self) -> String {
        match self {
            Col::Topic => "topic".into(),
            Col::Difficulty => "difficulty".into(),
            Col::Kind => "kind".into(),
            Col::Stem => "stem".into(),
            Col::Option(i) => format!("option_{}", letter(i).to_ascii_lowercase()),
            Col::Correct => "correct".into(),
            Col::Answer => "answer".into(),
            Col::Points => "points".into(),
            Col::Explanation => "explanation".into(),
            Col::Tags => "tags".into(),
            Col::Fixed => "fixed".into(),
        }
    }
}

/// A cell as read from the file: its text, or why its value cannot be used (e.g. an Excel
/// error value such as `#N/A`).
pub(crate) type Cell = Result<String, String>;

/// A cell's value as the text a person typed. Dates and error values cannot be a question's
/// data and are reported.
pub(crate) fn cell_text(cell: &CellValue) -> Cell {
    match cell {
        CellValue::Date(d) => Err(format!(
            "the cell holds a date ({}); format the column as Text and retype the value",
            d.iso_date()
        )),
        CellValue::Duration(d) => Err(format!(
            "the cell holds a duration ({d}); format the column as Text and retype it"
        )),
        CellValue::IsoDate(d) => Err(format!(
            "the cell holds a date or duration ({d}); format the column as Text and retype it"
        )),
        CellValue::Error(e) => Err(format!("the cell holds the Excel error {e}")),
        other => Ok(other.as_text().unwrap_or_default()),
    }
}

/// Read a CSV file in the documented layout.
pub(crate) fn parse(file_name: &str, bytes: &[u8], guard: &Guard<'_>) -> Parsed {
    let mut table = TableParser::new(file_name, Parsed::new(guard.limits));
    let read = read_csv(file_name, bytes, guard, &mut |row, cells| {
        let cells = cells
            .iter()
            .map(|c| cell_text(c).map(|t| super::formula::unescape(&t).to_string()))
            .collect();
        table.row(row, cells);
    });
    table.finish(read.map_err(|e| vec![e]))
}

fn is_blank(cells: &[Cell]) -> bool {
    cells
        .iter()
        .all(|c| matches!(c, Ok(s) if s.trim().is_empty()))
}

/// Reads a table in the documented layout as its rows arrive (row number, cells), header
/// first: each row becomes an item or its problems, and nothing keeps the rows.
pub(crate) struct TableParser<'a> {
    file_name: &'a str,
    out: Parsed,
    /// The header's columns, once read, and whether it was without problems.
    header: Option<(Vec<Option<Col>>, bool)>,
}

impl<'a> TableParser<'a> {
    pub fn new(file_name: &'a str, out: Parsed) -> TableParser<'a> {
        TableParser {
            file_name,
            out,
            header: None,
        }
    }

    pub fn row(&mut self, row: usize, cells: Vec<Cell>) {
        if is_blank(&cells) {
            return;
        }
        match &self.header {
            None => {
                let before = self.out.problems();
                let columns = parse_header(&mut self.out, self.file_name, row, &cells);
                self.header = Some((columns, self.out.problems() == before));
            }
            Some((columns, true)) => {
                parse_row(&mut self.out, self.file_name, row, columns, &cells);
            }
            // Rows read against a wrong header would only repeat the header's problem.
            Some((_, false)) => {}
        }
    }

    /// What the table gave; or, when reading stopped at a limit (or the file could not be
    /// read at all), that problem alone.
    pub fn finish(mut self, read: Result<(), Vec<FieldError>>) -> Parsed {
        if let Err(errors) = read {
            return Parsed::from_errors(errors);
        }
        if self.header.is_none() {
            self.out.error(
                self.file_name,
                format!(
                    "the file has no header row; expected: {}",
                    CSV_COLUMNS.join(",")
                ),
            );
        }
        self.out
    }
}

fn parse_header(
    out: &mut Parsed,
    file_name: &str,
    row: usize,
    header: &[Cell],
) -> Vec<Option<Col>> {
    let mut cols = Vec::new();
    let mut seen = HashSet::new();
    for (i, cell) in header.iter().enumerate() {
        let at = format!("{file_name}, row {row}, column {}", i + 1);
        let name = match cell {
            Ok(s) => s.trim().to_lowercase(),
            Err(e) => {
                out.error(at, e.clone());
                cols.push(None);
                continue;
            }
        };
        if name.is_empty() {
            cols.push(None);
            continue;
        }
        match Col::parse(&name) {
            Some(col) if !seen.insert(col) => {
                out.error(at, format!("column '{name}' appears twice"));
                cols.push(None);
            }
            Some(col) => cols.push(Some(col)),
            None => {
                out.error(
                    at,
                    format!(
                        "unknown column '{name}'; the header must be: {} (plus option_e … \
                         option_h, tags, fixed if needed)",
                        CSV_COLUMNS.join(",")
                    ),
                );
                cols.push(None);
            }
        }
    }
    for required in [Col::Topic, Col::Difficulty, Col::Kind, Col::Stem] {
        if !seen.contains(&required) {
            out.error(
                format!("{file_name}, row {row}"),
                format!("the header has no column '{}'", required.name()),
            );
        }
    }
    cols
}

/// Split a `|`-separated list where `\|` stands for a `|` inside a value.
fn split_list(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                current.push('|');
                chars.next();
            }
            '|' => out.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    out.push(current);
    out.into_iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

fn join_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| v.replace('|', "\\|"))
        .collect::<Vec<_>>()
        .join("|")
}

fn parse_row(out: &mut Parsed, file_name: &str, row: usize, cols: &[Option<Col>], cells: &[Cell]) {
    let at = format!("{file_name}, row {row}");
    let loc = |c: Col| format!("{at}, column {}", c.name());
    let mut values: HashMap<Col, String> = HashMap::new();
    // Columns whose value could not be read: validation problems that follow from the
    // placeholder put in their place are not reported a second time.
    let mut bad: HashSet<Col> = HashSet::new();
    let errors_before = out.problems();
    for (i, cell) in cells.iter().enumerate() {
        match (cols.get(i).copied().flatten(), cell) {
            (Some(col), Ok(v)) => {
                values.insert(col, v.clone());
            }
            (Some(col), Err(e)) => {
                out.error(loc(col), e.clone());
                bad.insert(col);
            }
            (None, Ok(v)) if v.trim().is_empty() => {}
            (None, _) => out.error(
                format!("{at}, column {}", i + 1),
                "a value in a column without a header",
            ),
        }
    }
    let text = |c: Col| values.get(&c).map(String::as_str).unwrap_or("");

    let difficulty = match parse_difficulty(text(Col::Difficulty)) {
        Ok(d) => d,
        Err(e) => {
            out.error(loc(Col::Difficulty), e);
            super::default_difficulty()
        }
    };
    let kind = match ItemKind::from_str(&text(Col::Kind).trim().to_lowercase()) {
        Ok(k) => Some(k),
        Err(e) => {
            out.error(loc(Col::Kind), e);
            None
        }
    };
    let points = match text(Col::Points).trim() {
        "" => Decimal::new(100, 2),
        p => match parse_points(p) {
            Ok(p) => p,
            Err(e) => {
                out.error(loc(Col::Points), e);
                bad.insert(Col::Points);
                Decimal::ONE
            }
        },
    };
    let Some(kind) = kind else {
        // Without a kind nothing else in the row can be checked meaningfully.
        return;
    };

    let last = (0..MAX_OPTIONS)
        .rev()
        .find(|&i| !text(Col::Option(i)).trim().is_empty());
    let mut options: Vec<ItemOption> = match last {
        Some(last) => (0..=last)
            .map(|i| ItemOption {
                text: text(Col::Option(i)).to_string(),
                correct: false,
                fixed: false,
            })
            .collect(),
        None if kind == ItemKind::TrueFalse => {
            let mut defaults = super::true_false_options(false);
            // Which one is correct comes from the correct column, not from the defaults.
            defaults.iter_mut().for_each(|o| o.correct = false);
            defaults
        }
        None => Vec::new(),
    };

    let correct_raw = text(Col::Correct).trim();
    let correct: Vec<usize> = if kind == ItemKind::FillBlank {
        if !correct_raw.is_empty() {
            out.error(
                loc(Col::Correct),
                "a fill_blank item takes its accepted answers in column answer; leave correct \
                 empty",
            );
        }
        Vec::new()
    } else {
        let tf_word = match fold(correct_raw).as_str() {
            "dung" | "true" | "t" => Some(0),
            "sai" | "false" | "f" => Some(1),
            _ => None,
        };
        match (kind, tf_word) {
            (ItemKind::TrueFalse, Some(i)) => vec![i],
            _ => match parse_letters(correct_raw) {
                Ok(letters) => letters,
                Err(e) => {
                    out.error(loc(Col::Correct), e);
                    bad.insert(Col::Correct);
                    Vec::new()
                }
            },
        }
    };
    for &i in &correct {
        match options.get_mut(i) {
            Some(o) => o.correct = true,
            None => {
                out.error(
                    loc(Col::Correct),
                    format!(
                        "correct answer {} has no option: column {} is empty",
                        letter(i),
                        Col::Option(i).name()
                    ),
                );
                bad.insert(Col::Correct);
            }
        }
    }
    match parse_letters(text(Col::Fixed)) {
        Ok(fixed) => {
            for i in fixed {
                match options.get_mut(i) {
                    Some(o) => o.fixed = true,
                    None => out.error(
                        loc(Col::Fixed),
                        format!("fixed option {} does not exist", letter(i)),
                    ),
                }
            }
        }
        Err(e) => out.error(loc(Col::Fixed), e),
    }

    let n_options = options.len();
    let explanation = Some(text(Col::Explanation).to_string()).filter(|e| !e.trim().is_empty());
    let item = Item {
        topic: text(Col::Topic).to_string(),
        difficulty,
        kind,
        stem: text(Col::Stem).to_string(),
        options,
        answer: split_list(text(Col::Answer)),
        points,
        explanation,
        tags: split_list(text(Col::Tags)),
    };
    let row_had_errors = out.problems() > errors_before;
    let mut checked = Parsed::default();
    checked.validate(
        item,
        at.clone(),
        format!("row {row}"),
        |location, message| {
            let col = match location {
                "topic" => Col::Topic,
                "stem" => Col::Stem,
                "points" => Col::Points,
                "answer" => Col::Answer,
                "options" if super::is_correctness_message(message) => Col::Correct,
                "options" if kind == ItemKind::FillBlank => Col::Option(0),
                "options" => {
                    let (min, max) = option_bounds(kind);
                    Col::Option(if n_options < min { n_options } else { max })
                }
                other => match option_index(other) {
                    Some(i) => Col::Option(i),
                    None => return Some(other.to_string()),
                },
            };
            if bad.contains(&col) {
                None
            } else {
                Some(format!("column {}", col.name()))
            }
        },
    );
    out.absorb(checked, !row_had_errors);
}

/// The table of `items` in the documented layout: header and one row per item. Columns beyond
/// the documented twelve (`option_e`…, `tags`, `fixed`) are added only when some item needs
/// them.
pub(crate) fn table(items: &[Item]) -> Vec<Vec<String>> {
    let max_options = items.iter().map(|i| i.options.len()).max().unwrap_or(0);
    let extra_options: Vec<Col> = (4..max_options.min(MAX_OPTIONS)).map(Col::Option).collect();
    let with_tags = items.iter().any(|i| !i.tags.is_empty());
    let with_fixed = items.iter().any(|i| i.options.iter().any(|o| o.fixed));
    let mut cols: Vec<Col> = CSV_COLUMNS
        .iter()
        .filter_map(|name| Col::parse(name))
        .collect();
    cols.extend(extra_options);
    if with_tags {
        cols.push(Col::Tags);
    }
    if with_fixed {
        cols.push(Col::Fixed);
    }
    let mut rows = vec![cols.iter().map(|c| c.name()).collect::<Vec<_>>()];
    for item in items {
        rows.push(
            cols.iter()
                .map(|col| match col {
                    Col::Topic => item.topic.clone(),
                    Col::Difficulty => item.difficulty.to_string(),
                    Col::Kind => item.kind.code().to_string(),
                    Col::Stem => item.stem.clone(),
                    Col::Option(i) => item
                        .options
                        .get(*i)
                        .map(|o| o.text.clone())
                        .unwrap_or_default(),
                    Col::Correct => letters_where(item, |o| o.correct),
                    Col::Answer => join_list(&item.answer),
                    Col::Points => item.points.to_string(),
                    Col::Explanation => item.explanation.clone().unwrap_or_default(),
                    Col::Tags => join_list(&item.tags),
                    Col::Fixed => letters_where(item, |o| o.fixed),
                })
                .collect(),
        );
    }
    rows
}

/// CSV with a byte-order mark, so that Excel opens the Vietnamese text as UTF-8.
fn write_csv(rows: &[Vec<String>]) -> Result<Vec<u8>, BankError> {
    let mut writer = ::csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    for row in rows {
        writer
            .write_record(
                row.iter()
                    .map(|cell| super::formula::escape(cell).into_owned()),
            )
            .map_err(|e| BankError::one("export", format!("cannot write CSV: {e}")))?;
    }
    writer
        .into_inner()
        .map_err(|e| BankError::one("export", format!("cannot write CSV: {e}")))
}

pub(crate) fn export(items: &[Item]) -> Result<Vec<u8>, BankError> {
    write_csv(&table(items))
}

/// Example rows of the template: one `single`, one `true_false`, one `fill_blank` question.
pub(crate) fn template_rows() -> Vec<Vec<String>> {
    let rows: [[&str; 12]; 3] = [
        [
            "Kiến thức chung/Hiến pháp",
            "1",
            "single",
            "Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam hiện hành được Quốc hội thông \
             qua năm nào?",
            "1992",
            "2001",
            "2013",
            "2015",
            "C",
            "",
            "1.00",
            "Hiến pháp năm 2013 được Quốc hội khóa XIII thông qua ngày 28/11/2013.",
        ],
        [
            "Kiến thức chung/Hiến pháp",
            "2",
            "true_false",
            "Quốc hội là cơ quan đại biểu cao nhất của Nhân dân, cơ quan quyền lực nhà nước \
             cao nhất của nước Cộng hòa xã hội chủ nghĩa Việt Nam.",
            "Đúng",
            "Sai",
            "",
            "",
            "A",
            "",
            "1.00",
            "Điều 69 Hiến pháp năm 2013.",
        ],
        [
            "Kiến thức chung/Hiến pháp",
            "1",
            "fill_blank",
            "Thủ đô nước Cộng hòa xã hội chủ nghĩa Việt Nam là ___.",
            "",
            "",
            "",
            "",
            "",
            "Hà Nội|Thành phố Hà Nội",
            "0.50",
            "Điều 13 Hiến pháp năm 2013.",
        ],
    ];
    let mut table = vec![CSV_COLUMNS.iter().map(|c| c.to_string()).collect()];
    table.extend(
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>()),
    );
    table
}

/// The downloadable CSV template: the header and example rows, UTF-8 with a byte-order mark.
pub fn csv_template() -> Vec<u8> {
    // Writing a few fixed rows to memory cannot fail; an empty file would be the only outcome.
    write_csv(&template_rows()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{import, Format, ImportLimits};
    use super::*;

    fn csv(text: &str) -> Result<Vec<Item>, BankError> {
        import(
            Format::Csv,
            "bank.csv",
            text.as_bytes(),
            &ImportLimits::default(),
        )
    }

    const HEADER: &str =
        "topic,difficulty,kind,stem,option_a,option_b,option_c,option_d,correct,answer,points,explanation\n";

    #[test]
    fn template_imports_cleanly_and_covers_the_kinds() {
        let items = import(
            Format::Csv,
            "mau.csv",
            &csv_template(),
            &ImportLimits::default(),
        )
        .unwrap();
        let kinds: Vec<_> = items.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            vec![ItemKind::Single, ItemKind::TrueFalse, ItemKind::FillBlank]
        );
        assert_eq!(items[2].answer, vec!["Hà Nội", "Thành phố Hà Nội"]);
        assert!(csv_template().starts_with(b"\xEF\xBB\xBFtopic,difficulty,kind,stem,"));
    }

    #[test]
    fn round_trip_gives_back_equal_items() {
        let items = sample_items();
        let bytes = export(&items).unwrap();
        assert_eq!(csv(std::str::from_utf8(&bytes).unwrap()).unwrap(), items);
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_quoted_and_import_back_unchanged() {
        let mut items = sample_items();
        items[0].stem = "=HYPERLINK(\"http://x\") là gì?".into();
        items[0].options[0].text = "-5".into();
        items[0].options[1].text = "@SUM(A1)".into();
        items[0].options[3].text = "+84".into();
        items[2].stem = "'= giữ nguyên".into();
        let bytes = export(&items).unwrap();
        let text = std::str::from_utf8(&bytes).unwrap();
        for quoted in [
            "'=HYPERLINK",
            ",'-5,",
            ",'@SUM(A1),",
            ",'+84,",
            "''= giữ nguyên",
        ] {
            assert!(text.contains(quoted), "{quoted} in {text}");
        }
        assert_eq!(csv(text).unwrap(), items);
    }

    #[test]
    fn three_different_errors_are_all_listed_and_nothing_is_imported() {
        let text = format!(
            "{HEADER}\
             Luật,5,single,Câu một?,a,b,c,d,A,,,\n\
             Luật,1,single,Câu hai?,a,b,c,d,E,,,\n\
             Luật,1,essay,Câu ba?,,,,,,,,\n\
             Luật,1,single,Câu bốn?,a,b,c,d,B,,,\n"
        );
        let err = csv(&text).unwrap_err();
        assert_eq!(
            locations(&err),
            vec![
                "bank.csv, row 2, column difficulty",
                "bank.csv, row 3, column correct",
                "bank.csv, row 4, column kind",
            ]
        );
        assert!(err.errors()[1].message.contains("option_e is empty"));
    }

    #[test]
    fn the_bad_fixture_lists_its_three_errors_and_imports_nothing() {
        let bytes = include_bytes!("../../tests/fixtures/bad-bank.csv");
        let err = import(Format::Csv, "bad-bank.csv", bytes, &ImportLimits::default())
            .expect_err("three rows are wrong");
        assert_eq!(
            locations(&err),
            vec![
                "bad-bank.csv, row 2, column difficulty",
                "bad-bank.csv, row 3, column correct",
                "bad-bank.csv, row 4, column kind",
            ]
        );
    }

    #[test]
    fn validation_problems_are_named_by_column() {
        let text = format!(
            "{HEADER}\
             ,1,single,,a,,A,,A,,1.234,\n\
             T,1,multiple,Q?,a,b,c,d,,,,\n\
             T,1,single,Q?,only,,,,A,,,\n\
             T,1,fill_blank,Q ___?,a,,,,,,,\n"
        );
        let err = csv(&text).unwrap_err();
        let got: Vec<_> = err.errors().iter().map(|e| e.location.as_str()).collect();
        assert_eq!(
            got,
            vec![
                "bank.csv, row 2, column topic",
                "bank.csv, row 2, column stem",
                "bank.csv, row 2, column points",
                "bank.csv, row 2, column option_b",
                "bank.csv, row 2, column option_c",
                "bank.csv, row 3, column correct",
                "bank.csv, row 4, column option_b",
                "bank.csv, row 5, column option_a",
                "bank.csv, row 5, column answer",
            ],
            "{:#?}",
            err.errors()
        );
    }

    #[test]
    fn nfd_input_is_imported_as_nfc() {
        let items = sample_items();
        let text = String::from_utf8(export(&items).unwrap()).unwrap();
        assert_eq!(csv(&nfd(&text)).unwrap(), items);
    }

    #[test]
    fn bom_semicolons_defaults_and_true_false_words() {
        let text = "\u{feff}topic;difficulty;kind;stem;correct;points\n\
                    Luật;khó;true_false;Câu?;Sai;\n";
        let items = csv(text).unwrap();
        assert_eq!(items[0].options, crate::format::true_false_options(false));
        assert_eq!(items[0].points.to_string(), "1.00");
        assert_eq!(items[0].difficulty.level(), 3);
        let items = csv("topic,difficulty,kind,stem,correct\nLuật,1,true_false,Câu?,A\n").unwrap();
        assert_eq!(items[0].options, crate::format::true_false_options(true));
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        let text = format!(
            "{HEADER}\
             T,1,single,\"Dòng 1\nDòng 2\",a,b,,,A,,,\n\
             \n\
             T,1,single,Q,a,b,,,Z9,,,\r\n\r\n\
             T,1,single,Q2,a,b,,,Z9,,,\n"
        );
        let err = csv(&text).unwrap_err();
        assert_eq!(
            locations(&err),
            vec![
                "bank.csv, row 4, column correct",
                "bank.csv, row 6, column correct"
            ]
        );
    }

    #[test]
    fn non_utf8_is_refused_with_a_clear_error() {
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend(b"Lu\xe2t,1,single,Q,a,b,,,A,,,\n");
        let err = import(Format::Csv, "bank.csv", &bytes, &ImportLimits::default()).unwrap_err();
        assert_eq!(locations(&err), vec!["bank.csv"]);
        assert!(err.errors()[0].message.contains("not UTF-8"));
    }

    #[test]
    fn header_problems_are_reported_once() {
        let err = csv("topic,difficulty,kind,question\nT,1,single,Q\n").unwrap_err();
        assert_eq!(
            locations(&err),
            vec!["bank.csv, row 1, column 4", "bank.csv, row 1"]
        );
        assert!(csv("").unwrap_err().errors()[0]
            .message
            .contains("no header"));
    }

    #[test]
    fn duplicates_within_the_file_are_reported() {
        let text = format!(
            "{HEADER}\
             T,1,single,Thủ đô là gì?,Hà Nội,Huế,,,A,,,\n\
             T,2,single,Thủ đô là gì?,Hà Nội,Huế,,,B,,,\n\
             T,1,single,THỦ ĐÔ  là gì?,ha noi,hue,,,A,,,\n"
        );
        let err = csv(&text).unwrap_err();
        assert_eq!(locations(&err), vec!["bank.csv, row 3", "bank.csv, row 4"]);
        assert!(err.errors()[0].message.contains("duplicate of row 2"));
    }

    #[test]
    fn answers_may_contain_an_escaped_separator() {
        assert_eq!(split_list(r"a\|b | c |"), vec!["a|b", "c"]);
        assert_eq!(join_list(&["a|b".into(), "c".into()]), r"a\|b|c");
    }

    #[test]
    fn layout_doc_names_every_column() {
        assert!(CSV_LAYOUT_DOC.contains(&CSV_COLUMNS.join(",")));
        for c in CSV_COLUMNS.iter().filter(|c| !c.starts_with("option_")) {
            assert!(CSV_LAYOUT_DOC.contains(&format!("`{c}`")), "{c}");
        }
    }
}
