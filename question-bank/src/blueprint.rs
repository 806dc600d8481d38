//! Blueprints: what an exam draws from which sealed pool (VN-1, VN-6, VN-20).
//!
//! This module owns the shape of an exam's test specification — sections (the parts of a test,
//! e.g. general knowledge and foreign language in the legacy round 1, VN-6), each with its pass
//! rule and its cells (seal × topic × difficulty × count) — its validation, and the VN-20 check
//! that every cell's sealed pool holds at least three times what the cell draws.
//!
//! JSON shape (the `sections` of `POST /api/v1/rounds/{round_id}/exams`):
//! `{"sections":[{"code","name","pass_ratio":"0.50","pass_basis":"correct",
//! "cells":[{"seal_id","topic","difficulty","count","points"}]}]}`; `pass_ratio`, `pass_basis`,
//! `duration_minutes` and `points` are optional, decimals are strings.

use std::collections::HashSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{BankError, FieldError};
use crate::item::Difficulty;
use crate::text::nfc;

/// VN-20: the bank behind a test holds at least this many times the items each cell draws.
pub const POOL_FACTOR: usize = 3;

/// What the pass ratio is applied to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassBasis {
    /// Correct answers over questions (round 1, VN-1: ≥ 50 % correct).
    #[default]
    Correct,
    /// Points scored over the section's maximum points (points per question, VN-1 round 2).
    Points,
}

fn default_ratio() -> Decimal {
    Decimal::new(50, 2)
}

/// A section passes iff `achieved / maximum ≥ ratio`, compared exactly (VN-12, VN-25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassRule {
    #[serde(
        rename = "pass_ratio",
        default = "default_ratio",
        with = "rust_decimal::serde::str"
    )]
    pub ratio: Decimal,
    #[serde(rename = "pass_basis", default)]
    pub basis: PassBasis,
}

impl Default for PassRule {
    /// VN-1 round 1 (and each part of the legacy round 1, VN-6): at least 50 % correct answers.
    fn default() -> Self {
        Self {
            ratio: default_ratio(),
            basis: PassBasis::Correct,
        }
    }
}

impl PassRule {
    /// `achieved / maximum ≥ ratio`, evaluated as `achieved ≥ ratio × maximum` so that no
    /// division (and no rounding) happens before the comparison: 29/60 fails, 30/60 passes
    /// (E6), and a sanctioned 22.5/60 is compared as exactly 22.5 (VN-25).
    pub fn passes(&self, achieved: Decimal, maximum: Decimal) -> bool {
        achieved >= self.ratio * maximum
    }
}

/// One draw: `count` items of one difficulty on one topic (or below it) from one seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub seal_id: i32,
    /// Topic path; matches items on this topic or any topic below it (see [`topic_matches`]).
    pub topic: String,
    pub difficulty: Difficulty,
    pub count: u32,
    /// Points per item drawn by this cell, overriding the item's own points.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::str_option"
    )]
    pub points: Option<Decimal>,
}

impl Cell {
    /// Whether an item of `seal_id` with this topic and difficulty may be drawn by this cell.
    pub fn matches(&self, seal_id: i32, topic: &str, difficulty: Difficulty) -> bool {
        self.seal_id == seal_id
            && self.difficulty == difficulty
            && topic_matches(&self.topic, topic)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u32>,
    #[serde(flatten)]
    pub pass_rule: PassRule,
    pub cells: Vec<Cell>,
}

impl Section {
    /// Number of items this section draws.
    pub fn item_count(&self) -> u64 {
        self.cells.iter().map(|c| u64::from(c.count)).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blueprint {
    pub sections: Vec<Section>,
}

/// Normal form of a topic path, as [`crate::item::Item::validate`] stores it: each level NFC
/// and trimmed, empty levels dropped, joined by `/`.
pub fn normalize_topic(topic: &str) -> String {
    topic
        .split('/')
        .map(nfc)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// A cell on `cell_topic` draws items whose topic equals it or lies below it: `Luật` matches
/// `Luật` and `Luật/Cán bộ` but not `Luật pháp` (levels are whole, separated by `/`).
pub fn topic_matches(cell_topic: &str, item_topic: &str) -> bool {
    topic_under(&normalize_topic(cell_topic), &normalize_topic(item_topic))
}

/// [`topic_matches`] on topics already in [`normalize_topic`] form (assembly normalises each
/// topic once instead of once per comparison).
pub(crate) fn topic_under(cell: &str, item: &str) -> bool {
    item == cell
        || (item.len() > cell.len()
            && item.starts_with(cell)
            && item[cell.len()..].starts_with('/'))
}

impl Blueprint {
    /// Number of items a paper built from this blueprint holds.
    pub fn item_count(&self) -> u64 {
        self.sections.iter().map(Section::item_count).sum()
    }

    pub fn section(&self, code: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.code == code)
    }

    /// Check the blueprint's own consistency, listing every problem.
    pub fn validate(&self) -> Result<(), BankError> {
        let mut errors = Vec::new();
        if self.sections.is_empty() {
            errors.push(FieldError::new(
                "sections",
                "an exam needs at least one section",
            ));
        }
        let mut codes = HashSet::new();
        for (s, section) in self.sections.iter().enumerate() {
            let at = format!("sections[{s}]");
            if section.code.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("{at}.code"),
                    "section code is required",
                ));
            } else if !codes.insert(section.code.trim()) {
                errors.push(FieldError::new(
                    format!("{at}.code"),
                    format!("duplicate section code '{}'", section.code),
                ));
            }
            if section.name.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("{at}.name"),
                    "section name is required",
                ));
            }
            if section.duration_minutes == Some(0) {
                errors.push(FieldError::new(
                    format!("{at}.duration_minutes"),
                    "duration must be at least one minute",
                ));
            }
            let ratio = section.pass_rule.ratio;
            if ratio <= Decimal::ZERO || ratio > Decimal::ONE {
                errors.push(FieldError::new(
                    format!("{at}.pass_ratio"),
                    format!("pass ratio must be above 0 and at most 1, got {ratio}"),
                ));
            }
            if section.cells.is_empty() {
                errors.push(FieldError::new(
                    format!("{at}.cells"),
                    "a section needs at least one cell",
                ));
            }
            for (c, cell) in section.cells.iter().enumerate() {
                let at = format!("{at}.cells[{c}]");
                if normalize_topic(&cell.topic).is_empty() {
                    errors.push(FieldError::new(format!("{at}.topic"), "topic is required"));
                }
                if cell.count == 0 {
                    errors.push(FieldError::new(
                        format!("{at}.count"),
                        "a cell draws at least one item",
                    ));
                }
                if let Some(p) = cell.points {
                    if p <= Decimal::ZERO || p.scale() > 2 {
                        errors.push(FieldError::new(
                            format!("{at}.points"),
                            format!("points must be positive with at most 2 decimals, got {p}"),
                        ));
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(BankError::Invalid(errors))
        }
    }

    /// VN-20: every cell's pool must hold at least [`POOL_FACTOR`] × `count` items.
    /// `pool_size(seal_id, topic, difficulty)` counts the sealed items a cell could draw (on
    /// `topic` or below it, see [`topic_matches`]). Lists every short cell, not just the first.
    pub fn check_pool(
        &self,
        pool_size: impl Fn(i32, &str, Difficulty) -> usize,
    ) -> Result<(), BankError> {
        let mut errors = Vec::new();
        for (s, section) in self.sections.iter().enumerate() {
            for (c, cell) in section.cells.iter().enumerate() {
                let held = pool_size(cell.seal_id, &cell.topic, cell.difficulty);
                let count = cell.count as usize;
                let needed = count.saturating_mul(POOL_FACTOR);
                if held < needed {
                    errors.push(FieldError::new(
                        format!("sections[{s}].cells[{c}]"),
                        format!(
                            "pool holds {held} items, needs at least {POOL_FACTOR} × {count} = {needed} (VN-20)"
                        ),
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(BankError::Invalid(errors))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn d(level: u8) -> Difficulty {
        Difficulty::new(level).unwrap()
    }

    fn round1() -> Blueprint {
        serde_json::from_str(
            r#"{"sections":[{"code":"GK","name":"Kiến thức chung","pass_ratio":"0.50","cells":[
                {"seal_id":1,"topic":"Luật","difficulty":1,"count":20},
                {"seal_id":1,"topic":"Luật/Cán bộ","difficulty":2,"count":4},
                {"seal_id":1,"topic":"Tin học","difficulty":3,"count":3,"points":"2.5"}]},
              {"code":"NN","name":"Ngoại ngữ","cells":[
                {"seal_id":2,"topic":"Tiếng Anh","difficulty":2,"count":30}]}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn api_json_shape_parses_with_defaults() {
        let bp = round1();
        assert_eq!(bp.sections[0].pass_rule.ratio, dec!(0.50));
        assert_eq!(bp.sections[0].pass_rule.basis, PassBasis::Correct);
        // No pass_ratio given: VN-1's 50 % of correct answers.
        assert_eq!(bp.sections[1].pass_rule, PassRule::default());
        assert_eq!(bp.sections[0].cells[2].points, Some(dec!(2.5)));
        assert_eq!(bp.item_count(), 57);
        bp.validate().unwrap();
    }

    #[test]
    fn decimals_serialise_as_strings() {
        let json = serde_json::to_value(round1()).unwrap();
        assert_eq!(json["sections"][0]["pass_ratio"], "0.50");
        assert_eq!(json["sections"][0]["pass_basis"], "correct");
        assert_eq!(json["sections"][0]["cells"][2]["points"], "2.5");
        assert!(json["sections"][0]["cells"][0].get("points").is_none());
        let back: Blueprint = serde_json::from_value(json).unwrap();
        assert_eq!(back, round1());
    }

    #[test]
    fn points_basis_is_spelled_in_snake_case() {
        let s: Section = serde_json::from_str(
            r#"{"code":"NV","name":"Nghiệp vụ","pass_ratio":"0.5","pass_basis":"points","cells":[]}"#,
        )
        .unwrap();
        assert_eq!(s.pass_rule.basis, PassBasis::Points);
    }

    #[test]
    fn validation_lists_every_problem_with_its_location() {
        let mut bp = round1();
        bp.sections[1].code = "GK".into();
        bp.sections[1].pass_rule.ratio = dec!(1.5);
        bp.sections[0].cells[1].count = 0;
        bp.sections[0].cells[2].points = Some(dec!(0.125));
        bp.sections[0].pass_rule.ratio = Decimal::ZERO;
        let err = bp.validate().unwrap_err();
        let locations: Vec<_> = err.errors().iter().map(|e| e.location.as_str()).collect();
        assert_eq!(
            locations,
            vec![
                "sections[0].pass_ratio",
                "sections[0].cells[1].count",
                "sections[0].cells[2].points",
                "sections[1].code",
                "sections[1].pass_ratio",
            ]
        );
        let empty = Blueprint { sections: vec![] };
        assert_eq!(
            empty.validate().unwrap_err().errors()[0].location,
            "sections"
        );
    }

    #[test]
    fn a_ratio_of_exactly_one_is_allowed() {
        let mut bp = round1();
        bp.sections[0].pass_rule.ratio = Decimal::ONE;
        bp.validate().unwrap();
    }

    #[test]
    fn e6_threshold_is_exact() {
        let rule = PassRule::default();
        assert!(!rule.passes(dec!(29), dec!(60)));
        assert!(rule.passes(dec!(30), dec!(60)));
        assert!(!rule.passes(dec!(14), dec!(30)));
        assert!(rule.passes(dec!(15), dec!(30)));
    }

    #[test]
    fn vn20_check_lists_every_short_cell() {
        let bp = round1();
        // 60 for the first cell (enough), 10 for the second (needs 12), 9 for the third (needs
        // 9: enough), 80 for the language cell (needs 90).
        let err = bp
            .check_pool(
                |seal, topic, difficulty| match (seal, topic, difficulty.level()) {
                    (1, "Luật", 1) => 60,
                    (1, "Luật/Cán bộ", 2) => 10,
                    (1, "Tin học", 3) => 9,
                    _ => 80,
                },
            )
            .unwrap_err();
        assert_eq!(
            err.errors(),
            &[
                FieldError::new(
                    "sections[0].cells[1]",
                    "pool holds 10 items, needs at least 3 × 4 = 12 (VN-20)"
                ),
                FieldError::new(
                    "sections[1].cells[0]",
                    "pool holds 80 items, needs at least 3 × 30 = 90 (VN-20)"
                ),
            ]
        );
        bp.check_pool(|_, _, _| 90).unwrap();
    }

    #[test]
    fn a_topic_matches_itself_and_what_lies_below_it() {
        assert!(topic_matches("Luật", "Luật"));
        assert!(topic_matches("Luật", "Luật/Cán bộ"));
        assert!(topic_matches("Luật/", " Luật / Cán bộ/Công chức"));
        assert!(!topic_matches("Luật", "Luật pháp"));
        assert!(!topic_matches("Luật/Cán bộ", "Luật"));
        let cell = Cell {
            seal_id: 1,
            topic: "Luật".into(),
            difficulty: d(1),
            count: 1,
            points: None,
        };
        assert!(cell.matches(1, "Luật/Viên chức", d(1)));
        assert!(!cell.matches(2, "Luật", d(1)));
        assert!(!cell.matches(1, "Luật", d(2)));
    }
}
