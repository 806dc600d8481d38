//! Equal totals at the last slot (VN-11, VN-31): the criteria that order them, in the order the
//! rule set applies them, and the tiers they split a group of equals into. What no criterion
//! separates stays one tier, for the head of the recruiting agency to decide: never chance.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::eligibility::Contender;
use super::Round2Form;
use crate::rules::rule_set::RuleSet;

/// A tie-break criterion, applied in order; a higher value wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// VN-11 (1): the professional score before priority points.
    Raw,
    /// VN-11 (2): the written part, in the combined form only.
    Written,
    /// VN-31: the round-1 score, for public employees.
    Round1Score,
}

impl Criterion {
    pub const ALL: [Criterion; 3] = [Criterion::Raw, Criterion::Written, Criterion::Round1Score];

    /// The rule that makes this the criterion.
    pub const fn rule(self) -> &'static str {
        match self {
            Criterion::Raw | Criterion::Written => "VN-11",
            Criterion::Round1Score => "VN-31",
        }
    }

    pub(super) fn value(self, contender: &Contender<'_>) -> Option<Decimal> {
        match self {
            Criterion::Raw => Some(contender.raw),
            Criterion::Written => contender.scores.written,
            Criterion::Round1Score => contender.candidate.round1_score,
        }
    }
}

/// The criteria of `rule_set` for `form`, first applied first.
pub(super) fn tie_break_criteria(rule_set: RuleSet, form: Round2Form) -> Vec<Criterion> {
    if rule_set.tie_break_by_round1_score() {
        vec![Criterion::Round1Score]
    } else if form.is_combined() {
        vec![Criterion::Raw, Criterion::Written]
    } else {
        vec![Criterion::Raw]
    }
}

/// Equal-total contenders split into tiers, best first, by the tie-break criteria.
/// `separators[i]` is the criterion that put tier `i` ahead of tier `i + 1`.
pub(super) struct Tiers<'c, 'a> {
    pub(super) tiers: Vec<Vec<&'c Contender<'a>>>,
    pub(super) separators: Vec<Criterion>,
}

pub(super) fn split_ties<'c, 'a>(
    mut group: Vec<&'c Contender<'a>>,
    criteria: &[Criterion],
) -> Tiers<'c, 'a> {
    let Some((&criterion, rest)) = criteria.split_first() else {
        group.sort_by_key(|contender| contender.id());
        return Tiers {
            tiers: vec![group],
            separators: Vec::new(),
        };
    };
    // A criterion someone lacks (a round-1 score never recorded) cannot rank them fairly, so it
    // is skipped for the whole group and the next step (in the end the head) decides.
    if group
        .iter()
        .any(|contender| criterion.value(contender).is_none())
    {
        return split_ties(group, rest);
    }
    group.sort_by(|a, b| {
        criterion
            .value(b)
            .cmp(&criterion.value(a))
            .then(a.id().cmp(&b.id()))
    });
    let mut result = Tiers {
        tiers: Vec::new(),
        separators: Vec::new(),
    };
    for chunk in group.chunk_by(|a, b| criterion.value(a) == criterion.value(b)) {
        let sub = split_ties(chunk.to_vec(), rest);
        if !result.tiers.is_empty() {
            result.separators.push(criterion);
        }
        result.tiers.extend(sub.tiers);
        result.separators.extend(sub.separators);
    }
    result
}

/// The criterion that separates tier `from` from the later tier `to`: of the separators between
/// them, the one applied first, since the later ones only split tiers already apart.
pub(super) fn decisive(
    split: &Tiers<'_, '_>,
    from: usize,
    to: usize,
    criteria: &[Criterion],
) -> Option<Criterion> {
    split
        .separators
        .get(from..to)
        .unwrap_or_default()
        .iter()
        .copied()
        .min_by_key(|criterion| criteria.iter().position(|c| c == criterion))
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::super::fixtures::*;
    use super::super::*;
    use crate::rules::lang::Lang;

    #[test]
    fn e3_a_tie_at_the_last_slot_goes_to_the_higher_raw_score() -> Result<(), RankingError> {
        // VN-11 (1): I and K both total 80.00 for slot 2; raw 80 > 75.
        let ranking = rank(
            RuleSet::Vn2025,
            &position(2, Round2Form::Written),
            &e3_candidates(),
        )?;
        assert_eq!(ranking.status, RankingStatus::Final);
        assert_eq!(names(ranking.winners()), ["H", "I"]);
        assert_eq!(names(ranking.reserves()), ["K"]);
        let i = ranking
            .entry(2)
            .ok_or(RankingError::DuplicateApplication(2))?;
        assert_eq!(i.rank, Some(2));
        assert_eq!(
            i.reason.render(Lang::En),
            "winner: total 80.00; tied for the last slot, higher round-2 score"
        );
        let k = ranking
            .entry(3)
            .ok_or(RankingError::DuplicateApplication(3))?;
        assert_eq!(k.rank, Some(3));
        assert_eq!(
            k.reason.render(Lang::En),
            "reserve, rank 3: total 80.00 = 75.00 + priority 5.00; tied for the last slot, lower round-2 score"
        );
        Ok(())
    }
    #[test]
    fn e5_combined_form_compares_rounded_composites() -> Result<(), RankingError> {
        let candidates = [
            sat_both(1, "P", Some(dec!(80)), Some(dec!(60))),
            sat_both(2, "Q", Some(dec!(70)), Some(dec!(83.34))),
            sat_both(3, "R", Some(dec!(95)), Some(dec!(45))),
            sat_both(4, "S", Some(dec!(48)), Some(dec!(100))),
            sat_both(5, "T", Some(dec!(88)), None),
        ];
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::WrittenInterview),
            &candidates,
        )?;
        // VN-12: Q's 74.002 is 74.00 once rounded; unrounded it would wrongly beat P's 74.00.
        assert!(dec!(0.7) * dec!(70) + dec!(0.3) * dec!(83.34) > dec!(74.00));
        let p = ranking
            .entry(1)
            .ok_or(RankingError::DuplicateApplication(1))?;
        let q = ranking
            .entry(2)
            .ok_or(RankingError::DuplicateApplication(2))?;
        assert_eq!((p.total, q.total), (Some(dec!(74.00)), Some(dec!(74.00))));
        // VN-11 (2): equal totals and raw scores; written 80 > 70 decides.
        assert_eq!(names(ranking.winners()), ["P"]);
        assert_eq!(
            p.reason.render(Lang::En),
            "winner: total 74.00; tied for the last slot, higher written score"
        );
        assert_eq!(
            q.reason.render(Lang::Vi),
            "dự bị, hạng 2: tổng 74.00; bằng tổng điểm ở chỉ tiêu cuối, điểm thi viết thấp hơn"
        );
        // VN-10: each part must reach 50 and both must be sat, whatever the composite.
        let reasons: Vec<(String, String)> = [3, 4, 5]
            .iter()
            .filter_map(|&id| ranking.entry(id))
            .map(|entry| {
                assert_eq!(entry.outcome, Outcome::Ineligible);
                (entry.reason.render(Lang::Vi), entry.reason.render(Lang::En))
            })
            .collect();
        let reasons: Vec<(&str, &str)> = reasons
            .iter()
            .map(|(vi, en)| (vi.as_str(), en.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (
                    "không đủ điều kiện: phỏng vấn 45.00 < 50",
                    "not eligible: interview 45.00 < 50"
                ),
                (
                    "không đủ điều kiện: viết 48.00 < 50",
                    "not eligible: written 48.00 < 50"
                ),
                (
                    "không đủ điều kiện: vắng phỏng vấn",
                    "not eligible: absent from the interview"
                ),
            ]
        );
        let r = ranking
            .entry(3)
            .ok_or(RankingError::DuplicateApplication(3))?;
        assert_eq!(r.raw_score, Some(dec!(80.00)));
        let t = ranking
            .entry(5)
            .ok_or(RankingError::DuplicateApplication(5))?;
        assert_eq!(t.raw_score, None);
        Ok(())
    }
    #[test]
    fn vn_31_public_employees_break_a_last_slot_tie_on_the_round1_score() -> Result<(), RankingError>
    {
        // Under vn-2025, K's lower raw score would lose; under vn-vc-2020 round 1 decides.
        let mut i = sat(2, "I", dec!(80.00), dec!(0));
        i.round1_score = Some(dec!(41));
        let mut k = sat(3, "K", dec!(75.00), dec!(5));
        k.round1_score = Some(dec!(45));
        let ranking = rank(
            RuleSet::VnVc2020,
            &position(1, Round2Form::Written),
            &[i, k],
        )?;
        assert_eq!(names(ranking.winners()), ["K"]);
        let k = ranking
            .entry(3)
            .ok_or(RankingError::DuplicateApplication(3))?;
        assert!(
            k.reason.render(Lang::En).ends_with("higher round-1 score"),
            "{}",
            k.reason.render(Lang::En)
        );
        Ok(())
    }
    #[test]
    fn vn_31_an_equal_or_missing_round1_score_leaves_the_tie_to_the_head(
    ) -> Result<(), RankingError> {
        let mut i = sat(2, "I", dec!(80.00), dec!(0));
        i.round1_score = Some(dec!(45));
        let k = sat(3, "K", dec!(75.00), dec!(5));
        let ranking = rank(
            RuleSet::VnVc2020,
            &position(1, Round2Form::Written),
            &[i.clone(), k.clone()],
        )?;
        assert_eq!(ranking.status, RankingStatus::PendingHeadDecision);
        let k = Candidate {
            round1_score: Some(dec!(45)),
            ..k
        };
        let ranking = rank(
            RuleSet::VnVc2020,
            &position(1, Round2Form::Written),
            &[i, k],
        )?;
        assert_eq!(ranking.status, RankingStatus::PendingHeadDecision);
        Ok(())
    }
}
