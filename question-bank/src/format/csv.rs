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
    letter, letters_where, option_index, parse_difficulty, parse_letters, parse_points, Parsed,
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

/// One data row being read: its values by column, and the columns whose value could not be
/// read (validation problems that follow from the placeholder put in their place are not
/// reported a second time).
struct Row {
    /// `bank.csv, row 3`.
    at: String,
    values: HashMap<Col, String>,
    bad: HashSet<Col>,
}

impl Row {
    fn loc(&self, c: Col) -> String {
        format!("{}, column {}", self.at, c.name())
    }

    fn text(&self, c: Col) -> &str {
        self.values.get(&c).map(String::as_str).unwrap_or("")
    }
}

fn parse_row(out: &mut Parsed, file_name: &str, row: usize, cols: &[Option<Col>], cells: &[Cell]) {
    let errors_before = out.problems();
    let mut r = read_cells(out, format!("{file_name}, row {row}"), cols, cells);
    let difficulty = match parse_difficulty(r.text(Col::Difficulty)) {
        Ok(d) => d,
        Err(e) => {
            out.error(r.loc(Col::Difficulty), e);
            super::default_difficulty()
        }
    };
    let kind = match ItemKind::from_str(&r.text(Col::Kind).trim().to_lowercase()) {
        Ok(k) => Some(k),
        Err(e) => {
            out.error(r.loc(Col::Kind), e);
            None
        }
    };
    let points = row_points(out, &mut r);
    let Some(kind) = kind else {
        // Without a kind nothing else in the row can be checked meaningfully.
        return;
    };
    let mut options = row_options(&r, kind);
    let correct = correct_options(out, &mut r, kind);
    mark_options(out, &mut r, &mut options, &correct);
    let n_options = options.len();
    let item = Item {
        topic: r.text(Col::Topic).to_string(),
        difficulty,
        kind,
        stem: r.text(Col::Stem).to_string(),
        options,
        answer: split_list(r.text(Col::Answer)),
        points,
        explanation: Some(r.text(Col::Explanation).to_string()).filter(|e| !e.trim().is_empty()),
        tags: split_list(r.text(Col::Tags)),
    };
    let row_had_errors = out.problems() > errors_before;
    let mut checked = Parsed::default();
    checked.validate(
        item,
        r.at.clone(),
        format!("row {row}"),
        |location, message| place_in_csv(location, message, kind, n_options, &r.bad),
    );
    out.absorb(checked, !row_had_errors);
}

/// The values of a row's cells by column; a cell that could not be read, or a value in a
/// column without a header, is reported.
fn read_cells(out: &mut Parsed, at: String, cols: &[Option<Col>], cells: &[Cell]) -> Row {
    let mut r = Row {
        at,
        values: HashMap::new(),
        bad: HashSet::new(),
    };
    for (i, cell) in cells.iter().enumerate() {
        match (cols.get(i).copied().flatten(), cell) {
            (Some(col), Ok(v)) => {
                r.values.insert(col, v.clone());
            }
            (Some(col), Err(e)) => {
                out.error(r.loc(col), e.clone());
                r.bad.insert(col);
            }
            (None, Ok(v)) if v.trim().is_empty() => {}
            (None, _) => out.error(
                format!("{}, column {}", r.at, i + 1),
                "a value in a column without a header",
            ),
        }
    }
    r
}

/// The points column: 1.00 when empty.
fn row_points(out: &mut Parsed, r: &mut Row) -> Decimal {
    match r.text(Col::Points).trim() {
        "" => Decimal::new(100, 2),
        p => match parse_points(p) {
            Ok(p) => p,
            Err(e) => {
                out.error(r.loc(Col::Points), e);
                r.bad.insert(Col::Points);
                Decimal::ONE
            }
        },
    }
}

/// The options up to the last non-empty option column, none marked yet; Đúng / Sai for a
/// true/false row that names no options.
fn row_options(r: &Row, kind: ItemKind) -> Vec<ItemOption> {
    let last = (0..MAX_OPTIONS)
        .rev()
        .find(|&i| !r.text(Col::Option(i)).trim().is_empty());
    match last {
        Some(last) => (0..=last)
            .map(|i| ItemOption {
                text: r.text(Col::Option(i)).to_string(),
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
    }
}

/// The options the correct column names: letters, or for true/false also the words.
fn correct_options(out: &mut Parsed, r: &mut Row, kind: ItemKind) -> Vec<usize> {
    let correct_raw = r.text(Col::Correct).trim();
    if kind == ItemKind::FillBlank {
        if !correct_raw.is_empty() {
            out.error(
                r.loc(Col::Correct),
                "a fill_blank item takes its accepted answers in column answer; leave correct \
                 empty",
            );
        }
        return Vec::new();
    }
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
                out.error(r.loc(Col::Correct), e);
                r.bad.insert(Col::Correct);
                Vec::new()
            }
        },
    }
}

/// Marks the `correct` options and those the fixed column names; a letter past the options is
/// reported.
fn mark_options(out: &mut Parsed, r: &mut Row, options: &mut [ItemOption], correct: &[usize]) {
    for &i in correct {
        match options.get_mut(i) {
            Some(o) => o.correct = true,
            None => {
                out.error(
                    r.loc(Col::Correct),
                    format!(
                        "correct answer {} has no option: column {} is empty",
                        letter(i),
                        Col::Option(i).name()
                    ),
                );
                r.bad.insert(Col::Correct);
            }
        }
    }
    match parse_letters(r.text(Col::Fixed)) {
        Ok(fixed) => {
            for i in fixed {
                match options.get_mut(i) {
                    Some(o) => o.fixed = true,
                    None => out.error(
                        r.loc(Col::Fixed),
                        format!("fixed option {} does not exist", letter(i)),
                    ),
                }
            }
        }
        Err(e) => out.error(r.loc(Col::Fixed), e),
    }
}

/// The column a problem validation finds belongs to; `None` for one that follows from a value
/// already reported.
fn place_in_csv(
    location: &str,
    message: &str,
    kind: ItemKind,
    n_options: usize,
    bad: &HashSet<Col>,
) -> Option<String> {
    let col = match location {
        "topic" => Col::Topic,
        "stem" => Col::Stem,
        "points" => Col::Points,
        "answer" => Col::Answer,
        "options" if super::is_correctness_message(message) => Col::Correct,
        "options" if kind == ItemKind::FillBlank => Col::Option(0),
        "options" => {
            let (min, max) = kind.option_bounds();
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
mod tests;
