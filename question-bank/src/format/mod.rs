//! Import and export of question banks in the formats exam boards already use: CSV and Excel in
//! the project's column layout ([`csv::CSV_LAYOUT_DOC`]), Moodle XML, GIFT and QTI 2.1 (single
//! item files and IMS content packages).
//!
//! Every import is all-or-nothing: [`import`] either returns every item of the file, parsed and
//! validated ([`Item::validate`]), or a [`BankError::Invalid`] listing *every* problem, each
//! located by file name, row or question number and column or element
//! (`"bank.csv, row 12, column correct"`), so an exam board fixes the file in one pass. The same
//! question appearing twice in one file is one of those problems (issue item 6); the check
//! against what is already in the bank belongs to the server, using [`Item::duplicate_key`].
//!
//! Untrusted input is read in bounded memory and time ([`ImportLimits`], described in the
//! `limits` module): the file size; rows, columns and cell length of tables, checked before a
//! row is laid out; for zip containers (xlsx, QTI packages) the number of entries, the bytes
//! they inflate to and their compression ratio, counted while inflating rather than trusted
//! from headers; XML nesting, the length of any tag or text run and the memory of the parsed
//! tree; the items and problems kept; and the wall time of the parse ([`import_within`]). A file
//! over a limit is refused with a problem naming the limit. XML is read without ever expanding
//! or fetching entities: a DOCTYPE that declares entities (billion laughs, external entities)
//! is refused outright.
//!
//! Formats that cannot carry a field of [`Item`] use conventions documented in their modules:
//! topic defaults to [`DEFAULT_TOPIC`] and difficulty to 2 when the file has none, and
//! reserved tags (`difficulty:N`, `points:N`, `fixed:LETTERS`) carry what Moodle XML and GIFT
//! lack, so that export followed by import gives back equal items.

/// The CSV / Excel layout, written once for both the `csv` module docs and [`CSV_LAYOUT_DOC`].
macro_rules! csv_layout_doc {
    () => {
        r#"The CSV / Excel layout of a question bank: the document HR and exam boards follow.

One question per row. The first row is the header, exactly:

```text
topic,difficulty,kind,stem,option_a,option_b,option_c,option_d,correct,answer,points,explanation
```

Columns:

- `topic`: topic path, levels separated by `/`, e.g. `Kiến thức chung/Luật Cán bộ, công chức`.
  Required.
- `difficulty`: `1` (easy), `2` (medium) or `3` (hard); the words `dễ`, `trung bình`, `khó` are
  accepted too. Required.
- `kind`: `single` (exactly one correct option), `multiple` (one or more correct options),
  `true_false` or `fill_blank`. Required.
- `stem`: the question text. Line breaks inside the cell are kept. Required.
- `option_a` … `option_d`: the options of a choice question, in order, without gaps. `single`
  takes 2 to 6 options and `multiple` 2 to 8: add the columns `option_e`, `option_f`,
  `option_g`, `option_h` as needed. For `true_false` leave them empty to get A = `Đúng`,
  B = `Sai`. Empty for `fill_blank`.
- `correct`: the letter of the correct option (`B`), or the letters of all correct options of a
  `multiple` question (`A,C`). For `true_false`, `A` (Đúng) or `B` (Sai); the words `Đúng` /
  `Sai` are accepted too. Empty for `fill_blank`.
- `answer`: `fill_blank` only: the accepted answers, separated by `|`
  (`Hà Nội|Thành phố Hà Nội`); write `\|` for a `|` that is part of an answer. Empty for
  choice questions.
- `points`: points of the question, a decimal with at most 2 places (`1.00`, `0.5` or `0,5`).
  Empty means `1.00`.
- `explanation`: optional explanation, shown after the exam.

Optional extra columns: `tags` (separated by `|`) and `fixed` (letters of options that stay in
place when options are shuffled, e.g. `D` for "all of the above"). Columns are matched by name,
so their order does not matter; a column with an unknown name is an error.

The file: UTF-8 text (a byte-order mark is fine; in Excel use "Save as → CSV UTF-8"), comma
separated (a semicolon-separated file is recognised from its header row), a field holding a
comma, a quote or a line break enclosed in double quotes. An Excel workbook (`.xlsx`) has the
same columns on its first worksheet. A template of each is available for download.

Rows are numbered as a spreadsheet shows them: the header is row 1. Empty rows are skipped.
An import takes every row or none: each problem is reported as `file, row N, column C`, and a
question that appears twice in the file is reported on its second row.

Cells a spreadsheet would run as a formula: an exported CSV cell that begins with `=`, `+`, `-`,
`@`, a tab or a carriage return starts with an added `'` (shown as text, never evaluated), and
the importer removes that `'` again, so an export imports back unchanged. In Excel files
every text is a string cell, which is never a formula.

Limits: at most 100,000 rows, 64 columns and 10,000 characters in a cell; a file past one is
refused with the limit named, and where it was passed (split a larger bank into several
files)."#
    };
}

mod archive;
pub mod csv;
pub mod formula;
pub mod gift;
mod limits;
pub mod moodle_xml;
pub mod qti;
pub mod table;
mod workbook;
pub mod xlsx;
mod xml;

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::error::{BankError, FieldError};
use crate::item::{Difficulty, Item, ItemKind, ItemOption};

pub use self::csv::{csv_template, CSV_COLUMNS, CSV_LAYOUT_DOC};
pub use self::limits::ImportLimits;
pub use self::table::{read_table, CellValue, ExcelDate, TableFormat};
pub use self::xlsx::xlsx_template;

use self::limits::Guard;

/// Topic given to items of a file whose format has no topic and that names none
/// (a GIFT file without `$CATEGORY`, a QTI item without a manifest): "uncategorised", for the
/// author to re-file, rather than refusing banks written for other systems.
pub const DEFAULT_TOPIC: &str = "Chưa phân loại";

/// Difficulty given to items whose format has none (Moodle, GIFT, QTI without LOM metadata).
pub const DEFAULT_DIFFICULTY: u8 = 2;

/// The file formats of the import and export endpoints (`?format=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Csv,
    Xlsx,
    MoodleXml,
    Gift,
    /// QTI 2.1: a single `assessmentItem` XML file or an IMS content package (zip).
    Qti,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Csv,
        Format::Xlsx,
        Format::MoodleXml,
        Format::Gift,
        Format::Qti,
    ];

    /// The code used in `?format=`.
    pub fn code(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::MoodleXml => "moodle-xml",
            Format::Gift => "gift",
            Format::Qti => "qti",
        }
    }

    /// Media type of what [`export`] produces.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::MoodleXml => "application/xml",
            Format::Gift => "text/plain; charset=utf-8",
            Format::Qti => "application/zip",
        }
    }

    /// File extension (without dot) for a download of what [`export`] produces.
    pub fn file_extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::MoodleXml => "xml",
            Format::Gift => "gift.txt",
            Format::Qti => "zip",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            "moodle-xml" | "moodle_xml" | "moodlexml" => Ok(Format::MoodleXml),
            "gift" => Ok(Format::Gift),
            "qti" => Ok(Format::Qti),
            other => Err(format!(
                "unknown format '{other}' (expected csv, xlsx, moodle-xml, gift or qti)"
            )),
        }
    }
}

/// Parse `bytes` (the content of the file `file_name`) as `format`; every item or every error.
/// Without a clock: see [`import_within`].
pub fn import(
    format: Format,
    file_name: &str,
    bytes: &[u8],
    limits: &ImportLimits,
) -> Result<Vec<Item>, BankError> {
    import_within(format, file_name, bytes, limits, &|| false)
}

/// [`import`], stopped with a problem naming [`ImportLimits::max_parse_time`] once
/// `out_of_time` says it has passed (the parsers ask now and then).
pub fn import_within(
    format: Format,
    file_name: &str,
    bytes: &[u8],
    limits: &ImportLimits,
    out_of_time: &dyn Fn() -> bool,
) -> Result<Vec<Item>, BankError> {
    let guard = Guard::new(limits, out_of_time);
    guard
        .check_size(file_name, bytes)
        .map_err(|e| BankError::Invalid(vec![e]))?;
    let mut parsed = match format {
        Format::Csv => csv::parse(file_name, bytes, &guard),
        Format::Xlsx => xlsx::parse(file_name, bytes, &guard),
        Format::MoodleXml => moodle_xml::parse(file_name, bytes, &guard),
        Format::Gift => gift::parse(file_name, bytes, &guard),
        Format::Qti => qti::parse(file_name, bytes, &guard),
    };
    if parsed.item_count() > limits.max_items {
        parsed.errors.push(FieldError::new(
            file_name,
            format!(
                "the file holds {} items, over the limit of {} per import",
                parsed.item_count(),
                limits.max_items
            ),
        ));
    }
    report_duplicates(&mut parsed);
    if parsed.extra_errors > 0 {
        parsed.errors.push(FieldError::new(
            file_name,
            format!(
                "{} more problem(s) are not listed: only the first {} are (the limit); fix \
                 these and import again",
                parsed.extra_errors, limits.max_errors
            ),
        ));
    }
    if parsed.errors.is_empty() {
        Ok(parsed.items.into_iter().map(|l| l.item).collect())
    } else {
        Err(BankError::Invalid(parsed.errors))
    }
}

/// Write `items` as `format`. Items are expected to be validated (as every [`Item`] held by the
/// bank is).
pub fn export(format: Format, items: &[Item]) -> Result<Vec<u8>, BankError> {
    match format {
        Format::Csv => csv::export(items),
        Format::Xlsx => xlsx::export(items),
        Format::MoodleXml => Ok(moodle_xml::export(items)),
        Format::Gift => Ok(gift::export(items)),
        Format::Qti => qti::export(items),
    }
}

/// An item read from a file, with where it was found.
#[derive(Debug)]
pub(crate) struct Located {
    pub item: Item,
    /// Full location prefix, e.g. `bank.csv, row 3`.
    pub at: String,
    /// Short name used when another entry refers to this one, e.g. `row 3`.
    pub label: String,
}

/// What a parser found: the valid items and every problem; the import succeeds only when
/// `errors` is empty. Items past [`ImportLimits::max_items`] and problems past
/// [`ImportLimits::max_errors`] are counted, not kept.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub items: Vec<Located>,
    pub errors: Vec<FieldError>,
    extra_items: usize,
    extra_errors: usize,
    max_items: usize,
    max_errors: usize,
}

impl Default for Parsed {
    fn default() -> Self {
        Parsed {
            items: Vec::new(),
            errors: Vec::new(),
            extra_items: 0,
            extra_errors: 0,
            max_items: usize::MAX,
            max_errors: usize::MAX,
        }
    }
}

impl Parsed {
    pub fn new(limits: &ImportLimits) -> Parsed {
        Parsed {
            max_items: limits.max_items,
            max_errors: limits.max_errors,
            ..Parsed::default()
        }
    }

    pub fn error(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.push_error(FieldError::new(location, message));
    }

    pub fn push_error(&mut self, error: FieldError) {
        if self.errors.len() < self.max_errors {
            self.errors.push(error);
        } else {
            self.extra_errors += 1;
        }
    }

    /// Problems found so far, listed or not.
    pub fn problems(&self) -> usize {
        self.errors.len() + self.extra_errors
    }

    /// Items found so far, kept or not.
    pub fn item_count(&self) -> usize {
        self.items.len() + self.extra_items
    }

    fn push_item(&mut self, item: Located) {
        if self.items.len() < self.max_items {
            self.items.push(item);
        } else {
            self.extra_items += 1;
        }
    }

    /// Take what a nested parse found: its problems, and its items when `keep_items`.
    pub fn absorb(&mut self, other: Parsed, keep_items: bool) {
        self.extra_errors += other.extra_errors;
        for e in other.errors {
            self.push_error(e);
        }
        if keep_items {
            self.extra_items += other.extra_items;
            for item in other.items {
                self.push_item(item);
            }
        }
    }

    pub fn from_errors(errors: Vec<FieldError>) -> Parsed {
        Parsed {
            errors,
            ..Parsed::default()
        }
    }

    /// Validate `item`; keep it, or record its problems with their locations translated into
    /// the file's own terms by `field` (which gets the item location and the message, and
    /// returns `None` for a problem that merely follows from one already reported).
    pub fn validate(
        &mut self,
        item: Item,
        at: String,
        label: String,
        field: impl Fn(&str, &str) -> Option<String>,
    ) {
        match item.validate() {
            Ok(item) => self.push_item(Located { item, at, label }),
            Err(e) => {
                for err in e.errors() {
                    let Some(place) = field(&err.location, &err.message) else {
                        continue;
                    };
                    let location = if place.is_empty() {
                        at.clone()
                    } else {
                        format!("{at}, {place}")
                    };
                    self.push_error(FieldError::new(location, err.message.clone()));
                }
            }
        }
    }
}

/// Issue item 6, within one file: the second occurrence of a question is an error naming the
/// first, so nothing is silently doubled.
fn report_duplicates(parsed: &mut Parsed) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut duplicates = Vec::new();
    for (i, located) in parsed.items.iter().enumerate() {
        match seen.get(&located.item.duplicate_key()) {
            Some(&first) => duplicates.push(FieldError::new(
                located.at.clone(),
                format!(
                    "duplicate of {}: the same question and options appear twice in this file",
                    parsed.items[first].label
                ),
            )),
            None => {
                seen.insert(located.item.duplicate_key(), i);
            }
        }
    }
    for e in duplicates {
        parsed.push_error(e);
    }
}

/// The index of option `i` in validation locations like `options[2].text`, and whether the
/// location is about the option's text.
pub(crate) fn option_index(location: &str) -> Option<usize> {
    location
        .strip_prefix("options[")?
        .split(']')
        .next()?
        .parse()
        .ok()
}

/// Whether a validation message about `options` concerns which options are correct (rather
/// than how many options there are).
pub(crate) fn is_correctness_message(message: &str) -> bool {
    message.contains("correct option")
}

/// Option letter as a string (`A`, `B`, ...).
pub(crate) fn letter(i: usize) -> String {
    Item::letter(i).to_string()
}

/// Letters of the options for which `pick` holds, comma separated (`A,C`).
pub(crate) fn letters_where(
    item: &Item,
    pick: impl Fn(&crate::item::ItemOption) -> bool,
) -> String {
    item.options
        .iter()
        .enumerate()
        .filter(|(_, o)| pick(o))
        .map(|(i, _)| letter(i))
        .collect::<Vec<_>>()
        .join(",")
}

/// Parse option letters (`"A, C"`, `"b"`) into indices.
pub(crate) fn parse_letters(s: &str) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for token in s
        .split(|c: char| c == ',' || c == ';' || c == '/' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        let mut chars = token.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphabetic() => {
                let i = (c.to_ascii_uppercase() as u8 - b'A') as usize;
                if !out.contains(&i) {
                    out.push(i);
                }
            }
            _ => return Err(format!("'{token}' is not an option letter (A, B, C, ...)")),
        }
    }
    Ok(out)
}

/// Parse a points value as written by people and spreadsheets: `1`, `1.5`, `1,5`,
/// `1.0000000` (Moodle); trailing zeros beyond 2 places are not an error.
pub(crate) fn parse_points(s: &str) -> Result<Decimal, String> {
    let t = s.trim();
    let normalised = if t.contains(',') && !t.contains('.') {
        t.replace(',', ".")
    } else {
        t.to_string()
    };
    Decimal::from_str(&normalised)
        .map(|d| d.normalize())
        .map_err(|_| format!("points must be a number like 1.00, got '{t}'"))
}

/// Parse a difficulty: `1`..`3`, or the Vietnamese words dễ / trung bình / khó.
pub(crate) fn parse_difficulty(s: &str) -> Result<Difficulty, String> {
    let t = s.trim();
    let level = match crate::text::fold(t).as_str() {
        "de" | "easy" => Some(1),
        "trung binh" | "medium" => Some(2),
        "kho" | "hard" | "difficult" => Some(3),
        folded => folded.parse::<u8>().ok(),
    };
    match level {
        Some(l) => Difficulty::new(l),
        None => Err(format!(
            "difficulty must be 1, 2 or 3 (dễ, trung bình, khó), got '{t}'"
        )),
    }
}

pub(crate) fn default_difficulty() -> Difficulty {
    Difficulty::new(DEFAULT_DIFFICULTY).unwrap_or(Difficulty::ALL[1])
}

/// A Moodle / GIFT category path (`$course$/top/Kiến thức chung/Luật`) as a topic
/// (`Kiến thức chung/Luật`): the context prefix and Moodle's implicit `top` level are not topics.
pub(crate) fn category_to_topic(path: &str) -> String {
    let mut parts: Vec<&str> = path
        .split('/')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts
        .first()
        .is_some_and(|p| p.starts_with('$') && p.ends_with('$') && p.len() > 1)
    {
        parts.remove(0);
    }
    if parts.first().is_some_and(|p| p.eq_ignore_ascii_case("top")) {
        parts.remove(0);
    }
    parts.join("/")
}

/// The true/false options as this project writes them (A = Đúng, B = Sai).
pub(crate) fn true_false_options(true_is_correct: bool) -> Vec<crate::item::ItemOption> {
    vec![
        crate::item::ItemOption {
            text: "Đúng".into(),
            correct: true_is_correct,
            fixed: false,
        },
        crate::item::ItemOption {
            text: "Sai".into(),
            correct: !true_is_correct,
            fixed: false,
        },
    ]
}

/// Item data that Moodle XML, GIFT and QTI tags can carry but their question model cannot.
#[derive(Debug, Default)]
pub(crate) struct MetaTags {
    pub difficulty: Option<Difficulty>,
    pub points: Option<Decimal>,
    pub fixed: Vec<usize>,
    pub tags: Vec<String>,
}

/// What a Moodle XML or GIFT question says of its item, before its reserved tags apply.
pub(crate) struct QuestionParts {
    pub kind: ItemKind,
    pub stem: String,
    pub options: Vec<ItemOption>,
    pub answer: Vec<String>,
    /// Points unless a `points:` tag says otherwise.
    pub points: Decimal,
    pub explanation: String,
}

impl MetaTags {
    /// The item of a question whose tags these are: difficulty and points from the tags, a
    /// blank explanation left out. A fixed option past the last option is reported at `tags`.
    pub fn into_item(
        self,
        out: &mut Parsed,
        tags: String,
        topic: Option<&str>,
        parts: QuestionParts,
    ) -> Item {
        if let Some(&i) = self.fixed.iter().find(|&&i| i >= parts.options.len()) {
            out.error(tags, format!("fixed option {} does not exist", letter(i)));
        }
        Item {
            topic: topic.unwrap_or(DEFAULT_TOPIC).to_string(),
            difficulty: self.difficulty.unwrap_or_else(default_difficulty),
            kind: parts.kind,
            stem: parts.stem,
            options: parts.options,
            answer: parts.answer,
            points: self.points.unwrap_or(parts.points),
            explanation: Some(parts.explanation).filter(|e| !e.trim().is_empty()),
            tags: self.tags,
        }
    }
}

/// Each item with its topic when that differs from the topic of the item before (the first
/// item's always): where Moodle XML and GIFT write a category.
pub(crate) fn with_new_topics(items: &[Item]) -> impl Iterator<Item = (Option<&str>, &Item)> {
    let mut topic: Option<&str> = None;
    items.iter().map(move |item| {
        let new = (topic != Some(item.topic.as_str())).then_some(item.topic.as_str());
        topic = Some(&item.topic);
        (new, item)
    })
}

/// The weight, in percent, of each of `k` correct options of a multiple-answer question: they
/// add up to 100, written with at most five decimals (as Moodle accepts 100/k for k up to 10).
pub(crate) fn share_of_100(k: usize) -> String {
    let s = format!("{:.5}", 100.0 / k.max(1) as f64);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Tags that carry an item's difficulty, and points and fixed options where the format has no
/// place for them, followed by the item's own tags.
pub(crate) fn meta_tags(item: &Item, with_points: bool) -> Vec<String> {
    let mut tags = vec![format!("difficulty:{}", item.difficulty)];
    if with_points && item.points != Decimal::new(100, 2) {
        tags.push(format!("points:{}", item.points));
    }
    if item.options.iter().any(|o| o.fixed) {
        tags.push(format!("fixed:{}", letters_where(item, |o| o.fixed)));
    }
    tags.extend(item.tags.iter().cloned());
    tags
}

/// Split reserved tags (see [`meta_tags`]) from ordinary ones; problems are returned as
/// messages for the caller to locate.
pub(crate) fn read_meta_tags(tags: Vec<String>) -> (MetaTags, Vec<String>) {
    let mut meta = MetaTags::default();
    let mut problems = Vec::new();
    for tag in tags {
        let t = tag.trim();
        let (key, value) = match t.split_once(':') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim()),
            None => (String::new(), ""),
        };
        match key.as_str() {
            "difficulty" => match parse_difficulty(value) {
                Ok(d) => meta.difficulty = Some(d),
                Err(e) => problems.push(format!("tag '{t}': {e}")),
            },
            "points" => match parse_points(value) {
                Ok(p) => meta.points = Some(p),
                Err(e) => problems.push(format!("tag '{t}': {e}")),
            },
            "fixed" => match parse_letters(value) {
                Ok(l) => meta.fixed = l,
                Err(e) => problems.push(format!("tag '{t}': {e}")),
            },
            _ if !t.is_empty() => meta.tags.push(t.to_string()),
            _ => {}
        }
    }
    (meta, problems)
}

/// The text of an uploaded text file: UTF-8 (a byte-order mark is accepted and dropped), or a
/// message saying where it is not.
pub(crate) fn utf8_text(bytes: &[u8]) -> Result<&str, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "the file is not UTF-8 text (invalid byte at offset {}); save it as UTF-8 \
             (in Excel: \"CSV UTF-8\")",
            e.valid_up_to()
        )
    })
}

#[cfg(test)]
pub(crate) mod test_support;

#[cfg(test)]
mod tests;
