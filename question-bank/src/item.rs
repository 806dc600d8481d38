//! Items: the unit an exam board writes, reviews and seals (VN-20).
//!
//! An [`Item`] can only be obtained through [`Item::validate`] (or deserialisation followed by
//! it), so code that holds one may rely on the invariants: a single-choice item has exactly one
//! correct option, options are non-empty and distinct, a fill-in item has an accepted answer.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::blueprint::normalize_topic;
use crate::error::{BankError, FieldError};
use crate::text::{fold, nfc};

/// Difficulty 1 (easy) to 3 (hard).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Difficulty(u8);

impl Difficulty {
    pub const ALL: [Difficulty; 3] = [Difficulty(1), Difficulty(2), Difficulty(3)];

    pub fn new(level: u8) -> Result<Self, String> {
        if (1..=3).contains(&level) {
            Ok(Difficulty(level))
        } else {
            Err(format!("difficulty must be 1, 2 or 3, got {level}"))
        }
    }

    pub fn level(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Difficulty {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, String> {
        Difficulty::new(v)
    }
}

impl From<Difficulty> for u8 {
    fn from(d: Difficulty) -> u8 {
        d.0
    }
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Item kinds allowed by VN-20 (plus `multiple`, used by Moodle/QTI banks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Single,
    Multiple,
    TrueFalse,
    FillBlank,
}

impl ItemKind {
    pub fn code(self) -> &'static str {
        match self {
            ItemKind::Single => "single",
            ItemKind::Multiple => "multiple",
            ItemKind::TrueFalse => "true_false",
            ItemKind::FillBlank => "fill_blank",
        }
    }

    pub fn has_options(self) -> bool {
        !matches!(self, ItemKind::FillBlank)
    }

    /// The fewest and the most options an item of this kind has.
    pub fn option_bounds(self) -> (usize, usize) {
        match self {
            ItemKind::TrueFalse => (2, 2),
            ItemKind::Single => (2, 6),
            ItemKind::Multiple => (2, 8),
            ItemKind::FillBlank => (0, 0),
        }
    }
}

impl FromStr for ItemKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "single" => Ok(ItemKind::Single),
            "multiple" => Ok(ItemKind::Multiple),
            "true_false" => Ok(ItemKind::TrueFalse),
            "fill_blank" => Ok(ItemKind::FillBlank),
            other => Err(format!(
                "unknown kind '{other}' (expected single, multiple, true_false or fill_blank)"
            )),
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Lifecycle of an item version (issue: draft → in review → approved → retired).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Draft,
    InReview,
    Approved,
    Retired,
}

impl ItemStatus {
    pub fn code(self) -> &'static str {
        match self {
            ItemStatus::Draft => "draft",
            ItemStatus::InReview => "in_review",
            ItemStatus::Approved => "approved",
            ItemStatus::Retired => "retired",
        }
    }
}

impl FromStr for ItemStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "draft" => Ok(ItemStatus::Draft),
            "in_review" => Ok(ItemStatus::InReview),
            "approved" => Ok(ItemStatus::Approved),
            "retired" => Ok(ItemStatus::Retired),
            other => Err(format!("unknown status '{other}'")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemOption {
    pub text: String,
    #[serde(default)]
    pub correct: bool,
    /// Kept in place when options are shuffled ("all of the above").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fixed: bool,
}

fn default_points() -> Decimal {
    Decimal::new(100, 2)
}

/// The content of one item version, as authored. Contains the key: never send it to a candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Topic path, levels separated by `/` (e.g. `Kiến thức chung/Luật Cán bộ, công chức`).
    pub topic: String,
    pub difficulty: Difficulty,
    pub kind: ItemKind,
    pub stem: String,
    #[serde(default)]
    pub options: Vec<ItemOption>,
    /// Accepted answers of a fill-in item.
    #[serde(default, deserialize_with = "one_or_many")]
    pub answer: Vec<String>,
    #[serde(default = "default_points", with = "rust_decimal::serde::str")]
    pub points: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::One(s)) if s.trim().is_empty() => Vec::new(),
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
    })
}

impl Item {
    /// Normalise (NFC, trimmed) and check every invariant, returning every problem found.
    pub fn validate(mut self) -> Result<Item, BankError> {
        self.normalize();
        let mut errors = Vec::new();
        self.check_texts_and_points(&mut errors);
        self.points = self.points.round_dp(2);
        self.points.rescale(2);
        match self.kind {
            ItemKind::FillBlank => self.check_fill_blank(&mut errors),
            kind => self.check_choices(kind, &mut errors),
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(BankError::Invalid(errors))
        }
    }

    /// Every text in NFC and trimmed; empty topic levels, tags and answers dropped.
    fn normalize(&mut self) {
        self.topic = normalize_topic(&self.topic);
        self.stem = nfc(&self.stem);
        self.explanation = self
            .explanation
            .take()
            .map(|e| nfc(&e))
            .filter(|e| !e.is_empty());
        self.tags = self
            .tags
            .iter()
            .map(|t| nfc(t))
            .filter(|t| !t.is_empty())
            .collect();
        for o in &mut self.options {
            o.text = nfc(&o.text);
        }
        self.answer = self
            .answer
            .iter()
            .map(|a| nfc(a))
            .filter(|a| !a.is_empty())
            .collect();
    }

    /// A topic, a question text, and positive points with at most two decimals.
    fn check_texts_and_points(&self, errors: &mut Vec<FieldError>) {
        if self.topic.is_empty() {
            errors.push(FieldError::new("topic", "topic is required"));
        }
        if self.stem.is_empty() {
            errors.push(FieldError::new("stem", "the question text is empty"));
        }
        if self.points <= Decimal::ZERO || self.points.scale() > 2 {
            errors.push(FieldError::new(
                "points",
                format!(
                    "points must be positive with at most 2 decimals, got {}",
                    self.points
                ),
            ));
        }
    }

    /// A fill-in item: accepted answers and no options.
    fn check_fill_blank(&self, errors: &mut Vec<FieldError>) {
        if !self.options.is_empty() {
            errors.push(FieldError::new(
                "options",
                "a fill_blank item has no options",
            ));
        }
        if self.answer.is_empty() {
            errors.push(FieldError::new(
                "answer",
                "a fill_blank item needs at least one accepted answer",
            ));
        }
    }

    /// A choice item: as many options as its kind allows, none empty or twice, and one correct
    /// option (at least one for `multiple`).
    fn check_choices(&self, kind: ItemKind, errors: &mut Vec<FieldError>) {
        if !self.answer.is_empty() {
            errors.push(FieldError::new(
                "answer",
                "only fill_blank items take accepted answers; use options[].correct",
            ));
        }
        let (min, max) = kind.option_bounds();
        if !(min..=max).contains(&self.options.len()) {
            errors.push(FieldError::new(
                "options",
                format!(
                    "a {kind} item needs {min} to {max} options, got {}",
                    self.options.len()
                ),
            ));
        }
        let mut seen: Vec<String> = Vec::new();
        for (i, o) in self.options.iter().enumerate() {
            if o.text.is_empty() {
                errors.push(FieldError::new(
                    format!("options[{i}].text"),
                    "option text is empty",
                ));
                continue;
            }
            let key = fold(&o.text);
            if seen.contains(&key) {
                errors.push(FieldError::new(
                    format!("options[{i}].text"),
                    format!("duplicate option text '{}'", o.text),
                ));
            }
            seen.push(key);
        }
        let correct = self.options.iter().filter(|o| o.correct).count();
        let (ok, want) = match kind {
            ItemKind::Multiple => (correct >= 1, "at least one"),
            _ => (correct == 1, "exactly one"),
        };
        if !ok {
            errors.push(FieldError::new(
                "options",
                format!("a {kind} item needs {want} correct option, got {correct}"),
            ));
        }
    }

    /// Key used to detect the same question imported twice: folded stem plus folded options.
    pub fn duplicate_key(&self) -> String {
        let mut key = fold(&self.stem);
        for o in &self.options {
            key.push('\u{1f}');
            key.push_str(&fold(&o.text));
        }
        key
    }

    /// Letter shown to candidates for option `i` (A, B, C, ...).
    pub fn letter(i: usize) -> char {
        (b'A' + (i as u8 % 26)) as char
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_support::{options, single_choice};

    fn single(pairs: &[(&str, bool)]) -> Item {
        single_choice(
            "Hiến pháp hiện hành được thông qua năm nào?",
            options(pairs),
        )
    }

    #[test]
    fn single_choice_needs_exactly_one_correct_option() {
        let two = single(&[
            ("1992", true),
            ("2013", true),
            ("2001", false),
            ("1980", false),
        ]);
        let err = two.validate().unwrap_err();
        assert!(err.errors()[0].message.contains("exactly one"));
        let ok = single(&[
            ("1992", false),
            ("2013", true),
            ("2001", false),
            ("1980", false),
        ]);
        assert_eq!(ok.validate().unwrap().points.to_string(), "1.00");
    }

    #[test]
    fn empty_and_duplicate_options_are_named_by_index() {
        let bad = single(&[
            ("2013", true),
            ("", false),
            (" 2013 ", false),
            ("1980", false),
        ]);
        let errs = bad.validate().unwrap_err();
        let locations: Vec<_> = errs.errors().iter().map(|e| e.location.as_str()).collect();
        assert_eq!(locations, vec!["options[1].text", "options[2].text"]);
    }

    #[test]
    fn fill_blank_needs_an_accepted_answer() {
        let item = Item {
            kind: ItemKind::FillBlank,
            options: vec![],
            ..single(&[])
        };
        assert_eq!(item.validate().unwrap_err().errors()[0].location, "answer");
    }

    #[test]
    fn difficulty_outside_one_to_three_is_refused() {
        assert!(Difficulty::new(0).is_err());
        assert!(Difficulty::new(4).is_err());
        let err = serde_json::from_str::<Difficulty>("5").unwrap_err();
        assert!(err.to_string().contains("difficulty must be 1, 2 or 3"));
    }

    #[test]
    fn answer_accepts_a_string_or_a_list() {
        let j = r#"{"topic":"T","difficulty":2,"kind":"fill_blank","stem":"Thủ đô là ___","answer":"Hà Nội"}"#;
        let item: Item = serde_json::from_str(j).unwrap();
        assert_eq!(item.answer, vec!["Hà Nội"]);
        assert_eq!(item.points, Decimal::new(100, 2));
    }
}
