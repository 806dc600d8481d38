//! Round 1 (*Vòng 1*): pass or fail on the share of correct answers, with sanctions applied as
//! exact fractions (VN-1, VN-6, VN-25).

use rust_decimal::{dec, Decimal};
use serde::{Deserialize, Serialize};

use crate::rules::error::RankingError;
use crate::rules::rule_set::RuleSet;

/// Pass at 50 % of correct answers unless the round sets another ratio (VN-1).
pub const DEFAULT_PASS_RATIO: Decimal = dec!(0.50);

/// A sanction recorded against a candidate for one test (VN-25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sanction {
    #[default]
    None,
    /// *Khiển trách*: 25 % of the correct answers are removed.
    Reprimand,
    /// *Cảnh cáo*: 50 % of the correct answers are removed.
    Warning,
    /// *Đình chỉ*: the test is annulled.
    Suspension,
    /// The candidate did not sign the printed result list: the test scores 0.
    NotSigned,
}

impl Sanction {
    /// Share of the correct answers the candidate keeps.
    pub const fn kept_share(self) -> Decimal {
        match self {
            Sanction::None => dec!(1),
            Sanction::Reprimand => dec!(0.75),
            Sanction::Warning => dec!(0.50),
            Sanction::Suspension | Sanction::NotSigned => dec!(0),
        }
    }

    const fn label_vi(self) -> &'static str {
        match self {
            Sanction::None => "",
            Sanction::Reprimand => " sau khiển trách",
            Sanction::Warning => " sau cảnh cáo",
            Sanction::Suspension => " (đình chỉ: bài thi bị hủy)",
            Sanction::NotSigned => " (không ký danh sách kết quả: 0 điểm)",
        }
    }

    const fn label_en(self) -> &'static str {
        match self {
            Sanction::None => "",
            Sanction::Reprimand => " after a reprimand",
            Sanction::Warning => " after a warning",
            Sanction::Suspension => " (suspended: test annulled)",
            Sanction::NotSigned => " (result list not signed: scored 0)",
        }
    }
}

/// One computer-based part as the test engine reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartResult {
    pub correct: u32,
    pub total: u32,
    #[serde(default)]
    pub sanction: Sanction,
}

/// Grounds for exemption from the language part of the legacy round 1 (VN-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LanguageExemption {
    /// Holds a degree in the language tested.
    LanguageDegree,
    /// Degree studied abroad, or taught in the language tested.
    StudiedInLanguage,
    /// Ethnic-minority language certificate, for a position serving ethnic-minority areas.
    EthnicMinorityLanguage,
}

/// The language part of the legacy round 1 (VN-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LanguagePart {
    Sat(PartResult),
    Exempt(LanguageExemption),
    /// Required and not sat: the part fails.
    Absent,
}

/// What a candidate did in round 1. `language` is required under vn-2020 and refused under the
/// other rule sets, whose optional language test is a separate stage (VN-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round1Input {
    pub general: PartResult,
    #[serde(default)]
    pub language: Option<LanguagePart>,
}

/// How one part went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartOutcome {
    /// Correct answers kept after any sanction, as an exact fraction (40 × 0.75 = 30).
    pub effective_correct: Decimal,
    pub total: u32,
    /// Correct answers needed to pass: pass ratio × total, exact.
    pub required: Decimal,
    pub passed: bool,
}

/// How the language part of the legacy round 1 went (VN-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LanguageOutcome {
    Sat(PartOutcome),
    Exempt(LanguageExemption),
    Absent,
}

impl LanguageOutcome {
    pub const fn passed(&self) -> bool {
        match self {
            LanguageOutcome::Sat(part) => part.passed,
            LanguageOutcome::Exempt(_) => true,
            LanguageOutcome::Absent => false,
        }
    }
}

/// The round-1 verdict. Pass or fail only: the score is not carried into the ranking (VN-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round1Outcome {
    pub passed: bool,
    pub general: PartOutcome,
    /// `None` when the rule set has no language part in round 1.
    pub language: Option<LanguageOutcome>,
    pub reason_vi: String,
    pub reason_en: String,
}

/// Judges one part: effective correct answers ≥ pass ratio × total questions (VN-1, VN-25).
///
/// The comparison is done on the exact fraction so that a sanctioned 40/60 meets the threshold
/// of 30 exactly rather than through rounding.
pub fn part_outcome(part: &PartResult, pass_ratio: Decimal) -> Result<PartOutcome, RankingError> {
    if pass_ratio <= Decimal::ZERO || pass_ratio > Decimal::ONE {
        return Err(RankingError::InvalidPassRatio(pass_ratio));
    }
    if part.total == 0 || part.correct > part.total {
        return Err(RankingError::InvalidAnswerCount {
            correct: part.correct,
            total: part.total,
        });
    }
    let effective_correct = Decimal::from(part.correct) * part.sanction.kept_share();
    let required = pass_ratio * Decimal::from(part.total);
    let annulled = matches!(part.sanction, Sanction::Suspension | Sanction::NotSigned);
    Ok(PartOutcome {
        effective_correct: effective_correct.normalize(),
        total: part.total,
        required: required.normalize(),
        passed: !annulled && effective_correct >= required,
    })
}

/// Judges round 1 under `rule_set` (VN-1, VN-6, VN-25). Under vn-2020 each part must pass on
/// its own; an exempt candidate is judged on the general part alone.
pub fn round1_outcome(
    rule_set: RuleSet,
    input: &Round1Input,
    pass_ratio: Decimal,
) -> Result<Round1Outcome, RankingError> {
    let general = part_outcome(&input.general, pass_ratio)?;
    let mut reason_vi = format!(
        "kiến thức chung {}{}",
        describe(&general, "cần"),
        input.general.sanction.label_vi()
    );
    let mut reason_en = format!(
        "general knowledge {}{}",
        describe(&general, "needs"),
        input.general.sanction.label_en()
    );
    let language = match (rule_set.round1_has_language_part(), input.language) {
        (false, None) => None,
        (false, Some(_)) => return Err(RankingError::UnexpectedLanguagePart(rule_set)),
        (true, None) => return Err(RankingError::MissingLanguagePart(rule_set)),
        (true, Some(LanguagePart::Exempt(exemption))) => {
            reason_vi.push_str("; ngoại ngữ: được miễn");
            reason_en.push_str("; language: exempt");
            Some(LanguageOutcome::Exempt(exemption))
        }
        (true, Some(LanguagePart::Absent)) => {
            reason_vi.push_str("; ngoại ngữ: vắng thi");
            reason_en.push_str("; language: absent");
            Some(LanguageOutcome::Absent)
        }
        (true, Some(LanguagePart::Sat(part))) => {
            let outcome = part_outcome(&part, pass_ratio)?;
            reason_vi.push_str(&format!(
                "; ngoại ngữ {}{}",
                describe(&outcome, "cần"),
                part.sanction.label_vi()
            ));
            reason_en.push_str(&format!(
                "; language {}{}",
                describe(&outcome, "needs"),
                part.sanction.label_en()
            ));
            Some(LanguageOutcome::Sat(outcome))
        }
    };
    let passed = general.passed && language.is_none_or(|part| part.passed());
    let (verdict_vi, verdict_en) = if passed {
        ("đạt vòng 1", "passed round 1")
    } else {
        ("không đạt vòng 1", "failed round 1")
    };
    Ok(Round1Outcome {
        passed,
        general,
        language,
        reason_vi: format!("{verdict_vi}: {reason_vi}"),
        reason_en: format!("{verdict_en}: {reason_en}"),
    })
}

fn describe(part: &PartOutcome, needs: &str) -> String {
    format!(
        "{}/{} ({needs} ≥ {})",
        part.effective_correct, part.total, part.required
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(correct: u32, total: u32) -> PartResult {
        PartResult {
            correct,
            total,
            sanction: Sanction::None,
        }
    }

    fn sanctioned(correct: u32, total: u32, sanction: Sanction) -> PartResult {
        PartResult {
            correct,
            total,
            sanction,
        }
    }

    fn general_only(general: PartResult) -> Round1Input {
        Round1Input {
            general,
            language: None,
        }
    }

    fn legacy(general: PartResult, language: LanguagePart) -> Round1Input {
        Round1Input {
            general,
            language: Some(language),
        }
    }

    #[test]
    fn e6_round_1_passes_at_half_the_questions() -> Result<(), RankingError> {
        // VN-1: pass iff correct ≥ 50 %, i.e. ≥ 30 of 60.
        let failed = round1_outcome(
            RuleSet::Vn2025,
            &general_only(part(29, 60)),
            DEFAULT_PASS_RATIO,
        )?;
        assert!(!failed.passed);
        assert_eq!(
            failed.reason_vi,
            "không đạt vòng 1: kiến thức chung 29/60 (cần ≥ 30)"
        );
        assert_eq!(
            failed.reason_en,
            "failed round 1: general knowledge 29/60 (needs ≥ 30)"
        );
        let passed = round1_outcome(
            RuleSet::Vn2025,
            &general_only(part(30, 60)),
            DEFAULT_PASS_RATIO,
        )?;
        assert!(passed.passed);
        Ok(())
    }

    #[test]
    fn e6_legacy_round_1_needs_each_part_unless_exempt() -> Result<(), RankingError> {
        // VN-6: 40/60 with language 14/30 fails; 40/60 with language exempt passes.
        let failed = round1_outcome(
            RuleSet::Vn2020,
            &legacy(part(40, 60), LanguagePart::Sat(part(14, 30))),
            DEFAULT_PASS_RATIO,
        )?;
        assert!(failed.general.passed);
        assert!(!failed.passed);
        assert_eq!(
            failed.reason_en,
            "failed round 1: general knowledge 40/60 (needs ≥ 30); language 14/30 (needs ≥ 15)"
        );
        let exempt = round1_outcome(
            RuleSet::Vn2020,
            &legacy(
                part(40, 60),
                LanguagePart::Exempt(LanguageExemption::LanguageDegree),
            ),
            DEFAULT_PASS_RATIO,
        )?;
        assert!(exempt.passed);
        assert_eq!(
            exempt.language,
            Some(LanguageOutcome::Exempt(LanguageExemption::LanguageDegree))
        );
        Ok(())
    }

    #[test]
    fn e7_sanctions_remove_a_share_of_the_correct_answers() -> Result<(), RankingError> {
        // VN-25: reprimand −25 %: 40 → 30, passes; warning −50 %: 40 → 20, fails.
        let reprimand = round1_outcome(
            RuleSet::Vn2025,
            &general_only(sanctioned(40, 60, Sanction::Reprimand)),
            DEFAULT_PASS_RATIO,
        )?;
        assert_eq!(reprimand.general.effective_correct, dec!(30));
        assert!(reprimand.passed);
        let warning = round1_outcome(
            RuleSet::Vn2025,
            &general_only(sanctioned(40, 60, Sanction::Warning)),
            DEFAULT_PASS_RATIO,
        )?;
        assert_eq!(warning.general.effective_correct, dec!(20));
        assert!(!warning.passed);
        assert_eq!(
            warning.reason_vi,
            "không đạt vòng 1: kiến thức chung 20/60 (cần ≥ 30) sau cảnh cáo"
        );
        Ok(())
    }

    #[test]
    fn vn_25_a_reprimand_keeps_an_exact_fraction() -> Result<(), RankingError> {
        // 39 × 0.75 = 29.25 stays below 30; no rounding lifts it over the threshold.
        let outcome = part_outcome(&sanctioned(39, 60, Sanction::Reprimand), DEFAULT_PASS_RATIO)?;
        assert_eq!(outcome.effective_correct, dec!(29.25));
        assert!(!outcome.passed);
        Ok(())
    }

    #[test]
    fn vn_25_suspension_and_not_signing_fail_the_test() -> Result<(), RankingError> {
        for sanction in [Sanction::Suspension, Sanction::NotSigned] {
            let outcome = part_outcome(&sanctioned(60, 60, sanction), DEFAULT_PASS_RATIO)?;
            assert_eq!(outcome.effective_correct, dec!(0));
            assert!(!outcome.passed);
        }
        Ok(())
    }

    #[test]
    fn vn_6_an_absent_language_part_fails_legacy_round_1() -> Result<(), RankingError> {
        let outcome = round1_outcome(
            RuleSet::Vn2020,
            &legacy(part(50, 60), LanguagePart::Absent),
            DEFAULT_PASS_RATIO,
        )?;
        assert!(!outcome.passed);
        Ok(())
    }

    #[test]
    fn vn_6_the_language_part_belongs_to_vn_2020_only() {
        assert_eq!(
            round1_outcome(
                RuleSet::Vn2020,
                &general_only(part(40, 60)),
                DEFAULT_PASS_RATIO
            ),
            Err(RankingError::MissingLanguagePart(RuleSet::Vn2020))
        );
        assert_eq!(
            round1_outcome(
                RuleSet::Vn2025,
                &legacy(part(40, 60), LanguagePart::Sat(part(20, 30))),
                DEFAULT_PASS_RATIO
            ),
            Err(RankingError::UnexpectedLanguagePart(RuleSet::Vn2025))
        );
    }

    #[test]
    fn the_pass_ratio_is_a_per_round_setting() -> Result<(), RankingError> {
        assert!(!part_outcome(&part(35, 60), dec!(0.60))?.passed);
        assert!(part_outcome(&part(36, 60), dec!(0.60))?.passed);
        Ok(())
    }

    #[test]
    fn impossible_counts_and_ratios_are_refused() {
        assert_eq!(
            part_outcome(&part(61, 60), DEFAULT_PASS_RATIO),
            Err(RankingError::InvalidAnswerCount {
                correct: 61,
                total: 60
            })
        );
        assert_eq!(
            part_outcome(&part(0, 0), DEFAULT_PASS_RATIO),
            Err(RankingError::InvalidAnswerCount {
                correct: 0,
                total: 0
            })
        );
        assert_eq!(
            part_outcome(&part(30, 60), dec!(0)),
            Err(RankingError::InvalidPassRatio(dec!(0)))
        );
        assert_eq!(
            part_outcome(&part(30, 60), dec!(1.01)),
            Err(RankingError::InvalidPassRatio(dec!(1.01)))
        );
    }
}
