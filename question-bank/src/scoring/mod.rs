//! Scoring of a computer-based test: from a candidate's answer sheet to section results and a
//! pass/fail verdict (VN-1, VN-6, VN-18, VN-24, VN-25), in exact decimals (VN-12).
//!
//! This module owns the marking rule of each item kind, the board's corrections to items after
//! the exam (VN-24), sanctions (VN-25), exemptions from a part (VN-6) and the per-section pass
//! rule. It works on the stored paper and the sealed items, so results can be recomputed at any
//! time (VN-24: "results are recomputed and audited").
//!
//! Marking rules, in the letters the candidate saw:
//! - `single` and `true_false`: right iff exactly one letter is chosen and it is a correct one;
//! - `multiple`: right iff the chosen set is exactly the correct set (no partial credit);
//! - `fill_blank`: right iff the text equals an accepted answer up to Unicode form (NFC/NFD),
//!   case and spacing — diacritics count unless the exam chooses [`TextMatch::IgnoreDiacritics`],
//!   because in Vietnamese they change the word (*bốn* "four" is not *bón* "to fertilise").

mod sanction;
#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
mod text_answer;

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::blueprint::{Blueprint, PassBasis, PassRule};
use crate::error::BankError;
use crate::item::{Item, ItemKind};
use crate::paper::{check_fit, find, ItemRef, KeyForItem, Paper, PaperItem};
use crate::text::nfc;

pub use sanction::{Sanction, UnknownSanction};
pub use text_answer::{normalize_text_answer, normalized_accepted, TextMatch};

/// A candidate's answer to one item (`PUT /api/v1/sitting/answers/{no}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// Displayed letters chosen (`["B"]`); empty when unanswered or for `fill_blank`.
    #[serde(default)]
    pub choices: Vec<char>,
    /// Typed answer of a `fill_blank` item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Exam-wide marking terms, the same for every candidate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamMarking {
    /// VN-24: items the board voided; every candidate gets their points, answered or not.
    #[serde(default)]
    pub voided: BTreeSet<i32>,
    /// VN-24: item id → further original option indexes the board also accepts ("if two
    /// options are both correct, either scores").
    #[serde(default)]
    pub accepted_extra: BTreeMap<i32, BTreeSet<usize>>,
    #[serde(default)]
    pub text_match: TextMatch,
}

/// Terms that differ per candidate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateTerms {
    #[serde(default)]
    pub sanction: Sanction,
    /// VN-6: sections the candidate is exempt from (e.g. the foreign-language part): reported
    /// as passed and left out of the overall verdict. Codes not on the paper are ignored: the
    /// exemption belongs to the candidate, not every paper has that part.
    #[serde(default)]
    pub exempt_sections: BTreeSet<String>,
}

/// Result of one section, as returned by `POST /api/v1/sitting/submit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionResult {
    pub code: String,
    /// Correct answers after the sanction, exact (a reprimand on 41 leaves 30.75, VN-25).
    #[serde(with = "rust_decimal::serde::str")]
    pub correct: Decimal,
    /// Questions in the section.
    pub total: u32,
    /// Points after the sanction, rounded to 2 places (half away from zero, VN-12).
    #[serde(with = "rust_decimal::serde::str")]
    pub score: Decimal,
    /// Points available in the section.
    #[serde(with = "rust_decimal::serde::str")]
    pub max_score: Decimal,
    pub passed: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exempt: bool,
}

/// Result of a whole paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperResult {
    pub sections: Vec<SectionResult>,
    /// Every section not exempt passed (VN-6: *each* part ≥ 50 %).
    pub passed: bool,
}

/// A sealed item as grading reads it: its content and, when already computed, its
/// [`normalized_accepted`] answers under the exam's text match.
#[derive(Debug, Clone, Copy)]
pub struct Sealed<'a> {
    pub item: &'a Item,
    pub accepted: Option<&'a [String]>,
}

/// Whether `answer` earns the item. `key` is the item's key on this paper ([`crate::paper::answer_key`]).
pub fn is_correct(key: &KeyForItem, answer: Option<&Answer>, marking: &ExamMarking) -> bool {
    // VN-24: a voided question scores for every candidate, whatever they answered.
    if marking.voided.contains(&key.item_id) {
        return true;
    }
    let Some(answer) = answer else {
        return false;
    };
    if key.kind == ItemKind::FillBlank {
        let Some(text) = answer.text.as_deref() else {
            return false;
        };
        let given = normalize_text_answer(text, marking.text_match);
        return !given.is_empty()
            && key
                .accepted
                .iter()
                .any(|a| normalize_text_answer(a, marking.text_match) == given);
    }

    let chosen: BTreeSet<char> = answer
        .choices
        .iter()
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let official: BTreeSet<char> = key.correct_letters().into_iter().collect();
    // VN-24: options the board also accepts, in this candidate's letters.
    let extra: BTreeSet<char> = marking
        .accepted_extra
        .get(&key.item_id)
        .into_iter()
        .flatten()
        .filter_map(|&index| key.letter_of_original(index))
        .collect();
    match key.kind {
        ItemKind::Multiple => {
            // The official set, possibly with options the board later also accepted.
            official.is_subset(&chosen)
                && chosen
                    .iter()
                    .all(|c| official.contains(c) || extra.contains(c))
        }
        _ => {
            chosen.len() == 1
                && chosen
                    .iter()
                    .all(|c| official.contains(c) || extra.contains(c))
        }
    }
}

/// [`is_correct`] of the item's [`crate::paper::answer_key`] on this paper, computed without building the
/// key: a whole exam (a hundred thousand papers) is marked with no allocation per choice
/// question. Letters are bits (`A` = bit 0), so set comparisons are mask operations.
pub fn marks(
    paper_item: &PaperItem,
    item: &Item,
    answer: Option<&Answer>,
    marking: &ExamMarking,
) -> Result<bool, BankError> {
    marks_given(
        &paper_item.borrowed(),
        Sealed {
            item,
            accepted: None,
        },
        answer.map(|a| Given {
            letters: a.choices.iter().copied(),
            text: a.text.as_deref(),
        }),
        marking,
    )
}

/// An answer as marking reads it: the chosen letters in any form that yields them, and the
/// typed text (stored answers and compact answer sheets alike).
pub(crate) struct Given<'t, L: Iterator<Item = char>> {
    pub letters: L,
    pub text: Option<&'t str>,
}

/// [`marks`] over a borrowed paper item and an answer given in any form.
pub(crate) fn marks_given<L: Iterator<Item = char>>(
    paper_item: &ItemRef<'_>,
    sealed: Sealed<'_>,
    answer: Option<Given<'_, L>>,
    marking: &ExamMarking,
) -> Result<bool, BankError> {
    let item = sealed.item;
    check_fit(paper_item, item)?;
    if marking.voided.contains(&paper_item.item_id) {
        return Ok(true);
    }
    let Some(answer) = answer else {
        return Ok(false);
    };
    if item.kind == ItemKind::FillBlank {
        let Some(text) = answer.text else {
            return Ok(false);
        };
        let given = normalize_text_answer(text, marking.text_match);
        if given.is_empty() {
            return Ok(false);
        }
        return Ok(match sealed.accepted {
            Some(accepted) => accepted.contains(&given),
            None => item
                .answer
                .iter()
                .any(|a| normalize_text_answer(&nfc(a), marking.text_match) == given),
        });
    }
    let bit = |shown: usize| 1u32 << (shown % 26);
    let mut chosen = 0u32;
    for c in answer.letters {
        match c.to_ascii_uppercase() {
            // A character that is no letter is never a correct option.
            u @ 'A'..='Z' => chosen |= 1 << (u as u32 - 'A' as u32),
            _ => return Ok(false),
        }
    }
    let mut official = 0u32;
    for (shown, &original) in paper_item.permutation.iter().enumerate() {
        if item.options[usize::from(original)].correct {
            official |= bit(shown);
        }
    }
    // VN-24: options the board also accepts, in this candidate's letters.
    let mut extra = 0u32;
    for &index in marking
        .accepted_extra
        .get(&paper_item.item_id)
        .into_iter()
        .flatten()
    {
        if let Some(shown) = paper_item
            .permutation
            .iter()
            .position(|&p| usize::from(p) == index)
        {
            extra |= bit(shown);
        }
    }
    let allowed = official | extra;
    Ok(match item.kind {
        ItemKind::Multiple => official & !chosen == 0 && chosen & !allowed == 0,
        _ => chosen.count_ones() == 1 && chosen & !allowed == 0,
    })
}

/// Round a score to 2 places the way results are published (VN-12): half away from zero.
pub fn round_score(value: Decimal) -> Decimal {
    let mut v = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    v.rescale(2);
    v
}

/// Grade a submitted paper.
///
/// `lookup` returns the sealed content of a paper item (typically by `version_id`); `answers`
/// is keyed by question number. The blueprint supplies each section's pass rule (matched by
/// code). Sanctions scale correct answers and points exactly **before** the threshold (VN-25,
/// E7); the comparison itself never divides or rounds (VN-12).
pub fn grade<'a>(
    blueprint: &Blueprint,
    paper: &Paper,
    lookup: impl Fn(&PaperItem) -> Option<&'a Item>,
    answers: &BTreeMap<u32, Answer>,
    marking: &ExamMarking,
    terms: &CandidateTerms,
) -> Result<PaperResult, BankError> {
    let mut sections = Vec::with_capacity(paper.sections.len());
    for (s, section) in paper.sections.iter().enumerate() {
        let mut tally = Tally::new(blueprint, s, &section.code)?;
        for pi in &section.items {
            let right = marks(pi, find(&lookup, pi)?, answers.get(&pi.no), marking)?;
            tally.add(pi.points, right);
        }
        sections.push(tally.result(s, &section.code, terms)?);
    }
    Ok(PaperResult::of(sections, terms))
}

impl PaperResult {
    /// VN-6: the paper passes when every section not exempt does; an annulled test (VN-25)
    /// fails whatever its sections.
    pub(crate) fn of(sections: Vec<SectionResult>, terms: &CandidateTerms) -> Self {
        let passed = !terms.sanction.annuls() && sections.iter().all(|s| s.passed);
        PaperResult { sections, passed }
    }
}

/// One section's marks as they are counted, turned into its [`SectionResult`] at the end: the
/// one place where sanctions, exemptions and the pass rule apply, whatever form the paper was
/// read from.
pub(crate) struct Tally {
    rule: PassRule,
    correct: u32,
    total: usize,
    points: Decimal,
    max_points: Decimal,
}

impl Tally {
    /// A section `code` (number `s` on the paper) with nothing counted yet; its pass rule is
    /// the blueprint's section of that code.
    pub(crate) fn new(blueprint: &Blueprint, s: usize, code: &str) -> Result<Self, BankError> {
        let rule = blueprint
            .section(code)
            .ok_or_else(|| {
                BankError::one(
                    format!("sections[{s}]"),
                    format!("section '{code}' is not in the exam's blueprint"),
                )
            })?
            .pass_rule;
        Ok(Tally {
            rule,
            correct: 0,
            total: 0,
            points: Decimal::ZERO,
            max_points: Decimal::ZERO,
        })
    }

    pub(crate) fn add(&mut self, points: Decimal, right: bool) {
        self.total += 1;
        self.max_points += points;
        if right {
            self.correct += 1;
            self.points += points;
        }
    }

    /// Sanctions scale correct answers and points exactly before the threshold (VN-25); an
    /// annulled test keeps none of them and fails every section, exempt ones included.
    pub(crate) fn result(
        self,
        s: usize,
        code: &str,
        terms: &CandidateTerms,
    ) -> Result<SectionResult, BankError> {
        let kept = terms.sanction.kept();
        let total = u32::try_from(self.total).map_err(|_| {
            BankError::one(format!("sections[{s}]"), "too many items in one section")
        })?;
        let correct = (Decimal::from(self.correct) * kept).normalize();
        let exact_points = self.points * kept;
        let exempt = terms.exempt_sections.contains(code);
        let passed = !terms.sanction.annuls()
            && (exempt
                || match self.rule.basis {
                    PassBasis::Correct => self.rule.passes(correct, Decimal::from(total)),
                    PassBasis::Points => self.rule.passes(exact_points, self.max_points),
                });
        Ok(SectionResult {
            code: code.to_string(),
            correct,
            total,
            score: round_score(exact_points),
            max_score: round_score(self.max_points),
            passed,
            exempt,
        })
    }
}
