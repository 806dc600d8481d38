//! Where the quota ends (VN-10 (b), VN-11, VN-14): contenders are walked in groups of equal
//! total, highest first. A group inside the quota wins whole; the group that reaches past the
//! last slot is ordered by the tie-break, its boundary tier settled by a recorded head
//! decision or left pending, and everyone after it forms the reserve list in order.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::eligibility::Contender;
use super::placement::Placement;
use super::reasons::TieBreak;
use super::tie_break::{decisive, split_ties, Criterion, Tiers};
use super::{count, Outcome};

/// How a contender came out of the position-level ranking, before agency placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Decision {
    pub(super) outcome: Outcome,
    pub(super) rank: u32,
    pub(super) note: Note,
    pub(super) placement: Placement,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Note {
    InQuota,
    BeyondQuota,
    WonTie(Option<Criterion>),
    LostTie(Option<Criterion>),
    WonByHead,
    LostByHead,
    TiedForLastSlot { decision_mismatch: bool },
}

impl Note {
    /// What put a winner ahead of equals at the last slot, if a tie had to be broken.
    pub(super) const fn won_by(self) -> Option<TieBreak> {
        match self {
            Note::WonTie(Some(criterion)) => Some(TieBreak::Criterion(criterion)),
            Note::WonByHead => Some(TieBreak::Head),
            _ => None,
        }
    }

    /// What put a reserve behind equals at the last slot, if a tie had to be broken.
    pub(super) const fn lost_by(self) -> Option<TieBreak> {
        match self {
            Note::LostTie(Some(criterion)) => Some(TieBreak::Criterion(criterion)),
            Note::LostByHead => Some(TieBreak::Head),
            _ => None,
        }
    }
}

/// The decisions of the contenders, in the contenders' order, found by application id.
struct Decisions {
    list: Vec<Decision>,
    index: HashMap<i64, usize>,
}

impl Decisions {
    fn new(contenders: &[Contender<'_>]) -> Self {
        Decisions {
            list: contenders
                .iter()
                .map(|_| Decision {
                    outcome: Outcome::Reserve,
                    rank: 0,
                    note: Note::BeyondQuota,
                    placement: Placement::NotShared,
                })
                .collect(),
            index: contenders
                .iter()
                .enumerate()
                .map(|(position, contender)| (contender.id(), position))
                .collect(),
        }
    }

    fn set(&mut self, contender: &Contender<'_>, outcome: Outcome, rank: u32, note: Note) {
        if let Some(decision) = self
            .index
            .get(&contender.id())
            .and_then(|&position| self.list.get_mut(position))
        {
            decision.outcome = outcome;
            decision.rank = rank;
            decision.note = note;
        }
    }
}

/// `contenders` is sorted by total descending; the decisions come back in the same order.
pub(super) fn decide_winners(
    contenders: &[Contender<'_>],
    quota: u32,
    criteria: &[Criterion],
) -> Vec<Decision> {
    let mut decisions = Decisions::new(contenders);
    let mut ahead: u32 = 0;
    let mut held: u32 = 0;
    for group in contenders.chunk_by(|a, b| a.total == b.total) {
        let size = count(group.len());
        let first_rank = ahead.saturating_add(1);
        let remaining = quota.saturating_sub(held);
        if size <= remaining {
            // Ties entirely inside the quota need no break (VN-11).
            for contender in group {
                decisions.set(contender, Outcome::Winner, first_rank, Note::InQuota);
            }
            held = held.saturating_add(size);
        } else {
            decide_last_slots(&mut decisions, group, first_rank, remaining, criteria);
            held = held.saturating_add(remaining);
        }
        ahead = ahead.saturating_add(size);
    }
    decisions.list
}

/// A group of equal totals that reaches past the last slot, with `remaining` slots left for it.
/// Its order comes from VN-11 (VN-31), which also orders the reserve list between equals
/// (VN-14).
fn decide_last_slots(
    decisions: &mut Decisions,
    group: &[Contender<'_>],
    first_rank: u32,
    remaining: u32,
    criteria: &[Criterion],
) {
    let split = split_ties(group.iter().collect(), criteria);
    let boundary = boundary_tier(&split, remaining);
    let filled_before: u32 = split
        .tiers
        .iter()
        .take(boundary)
        .map(|tier| count(tier.len()))
        .sum();
    let need = remaining.saturating_sub(filled_before);
    // Whom the tiers after the boundary lost to: the boundary tier itself when it still
    // holds a slot, otherwise the last tier that won.
    let lost_to = if need > 0 {
        boundary
    } else {
        boundary.saturating_sub(1)
    };
    let mut offset: u32 = 0;
    for (tier_index, tier) in split.tiers.iter().enumerate() {
        let rank = first_rank.saturating_add(offset);
        match tier_index.cmp(&boundary) {
            Ordering::Less => {
                let won_on = decisive(&split, tier_index, boundary, criteria);
                for contender in tier {
                    decisions.set(contender, Outcome::Winner, rank, Note::WonTie(won_on));
                }
            }
            Ordering::Equal if need > 0 => settle_boundary_tier(decisions, tier, rank, need),
            Ordering::Equal | Ordering::Greater => {
                let note = if remaining == 0 {
                    Note::BeyondQuota
                } else {
                    Note::LostTie(decisive(&split, lost_to, tier_index, criteria))
                };
                for contender in tier {
                    decisions.set(contender, Outcome::Reserve, rank, note);
                }
            }
        }
        offset = offset.saturating_add(count(tier.len()));
    }
}

/// The tier no criterion could split, holding more contenders than the `need` slots left: the
/// head's recorded choice settles it when it names exactly `need` of them; otherwise the slots
/// wait for the head (VN-11).
fn settle_boundary_tier(decisions: &mut Decisions, tier: &[&Contender<'_>], rank: u32, need: u32) {
    let chosen = count(
        tier.iter()
            .filter(|contender| contender.candidate.head_decision)
            .count(),
    );
    if chosen == need {
        for contender in tier {
            if contender.candidate.head_decision {
                decisions.set(contender, Outcome::Winner, rank, Note::WonByHead);
            } else {
                let rank = rank.saturating_add(need);
                decisions.set(contender, Outcome::Reserve, rank, Note::LostByHead);
            }
        }
    } else {
        // Never pick at random: the slot waits for the head (VN-11).
        let note = Note::TiedForLastSlot {
            decision_mismatch: chosen > 0,
        };
        for contender in tier {
            decisions.set(contender, Outcome::TiedPending, rank, note);
        }
    }
}

/// Index of the first tier that does not fit entirely in `remaining` slots.
fn boundary_tier(split: &Tiers<'_, '_>, remaining: u32) -> usize {
    let mut filled: u32 = 0;
    for (index, tier) in split.tiers.iter().enumerate() {
        let size = count(tier.len());
        if filled.saturating_add(size) > remaining {
            return index;
        }
        filled = filled.saturating_add(size);
    }
    split.tiers.len()
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::super::fixtures::*;
    use super::super::*;
    use crate::rules::lang::Lang;

    #[test]
    fn e3_ties_inside_the_quota_need_no_break() -> Result<(), RankingError> {
        // VN-11: with quota 3 all three win; I and K share rank 2 and no tie-break is cited.
        let ranking = rank(
            RuleSet::Vn2025,
            &position(3, Round2Form::Written),
            &e3_candidates(),
        )?;
        assert_eq!(ranking.status, RankingStatus::Final);
        assert_eq!(names(ranking.winners()), ["H", "I", "K"]);
        for id in [2, 3] {
            let entry = ranking
                .entry(id)
                .ok_or(RankingError::DuplicateApplication(id))?;
            assert_eq!(entry.rank, Some(2));
            assert!(
                !entry.reason.render(Lang::En).contains("tied"),
                "{}",
                entry.reason.render(Lang::En)
            );
        }
        Ok(())
    }
    fn e4_candidates() -> [Candidate; 2] {
        [
            sat(1, "M", dec!(77.00), dec!(2.5)),
            sat(2, "N", dec!(77.00), dec!(2.5)),
        ]
    }
    #[test]
    fn e4_equal_totals_and_raw_scores_wait_for_the_head() -> Result<(), RankingError> {
        // VN-11 (3): nothing separates M and N, so the vacancy waits; never a coin toss.
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &e4_candidates(),
        )?;
        assert_eq!(ranking.status, RankingStatus::PendingHeadDecision);
        assert_eq!(names(ranking.tied_pending()), ["M", "N"]);
        assert_eq!(ranking.winners().count(), 0);
        let m = ranking
            .entry(1)
            .ok_or(RankingError::DuplicateApplication(1))?;
        assert_eq!(m.rank, Some(1));
        assert_eq!(
            m.reason.render(Lang::En),
            "tied for the last slot (total 79.50 = 77.00 + priority 2.50): pending head decision"
        );
        assert_eq!(
            m.reason.render(Lang::Vi),
            "bằng điểm ở chỉ tiêu cuối (tổng 79.50 = 77.00 + ưu tiên 2.50): chờ người đứng đầu cơ quan quyết định"
        );
        Ok(())
    }
    #[test]
    fn vn_11_a_recorded_head_decision_settles_the_tie() -> Result<(), RankingError> {
        let [m, mut n] = e4_candidates();
        n.head_decision = true;
        let ranking = rank(RuleSet::Vn2025, &position(1, Round2Form::Written), &[m, n])?;
        assert_eq!(ranking.status, RankingStatus::Final);
        assert_eq!(names(ranking.winners()), ["N"]);
        assert_eq!(names(ranking.reserves()), ["M"]);
        let n = ranking
            .entry(2)
            .ok_or(RankingError::DuplicateApplication(2))?;
        assert!(n
            .reason
            .render(Lang::En)
            .ends_with("chosen by the head of the agency"));
        Ok(())
    }
    #[test]
    fn vn_11_a_decision_choosing_more_than_the_slots_left_keeps_the_tie_pending(
    ) -> Result<(), RankingError> {
        let [mut m, mut n] = e4_candidates();
        m.head_decision = true;
        n.head_decision = true;
        let ranking = rank(RuleSet::Vn2025, &position(1, Round2Form::Written), &[m, n])?;
        assert_eq!(ranking.status, RankingStatus::PendingHeadDecision);
        assert_eq!(ranking.tied_pending().count(), 2);
        Ok(())
    }
    #[test]
    fn vn_11_a_stale_head_decision_away_from_the_last_slot_changes_nothing(
    ) -> Result<(), RankingError> {
        let mut k = sat(3, "K", dec!(60.00), dec!(0));
        k.head_decision = true;
        let [h, i, _] = e3_candidates();
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[h, i, k],
        )?;
        assert_eq!(names(ranking.winners()), ["H"]);
        assert_eq!(names(ranking.reserves()), ["I", "K"]);
        Ok(())
    }
    #[test]
    fn vn_14_reserves_between_equals_are_ordered_by_vn_11() -> Result<(), RankingError> {
        let candidates = [
            sat(1, "H", dec!(90.00), dec!(0)),
            sat(2, "K", dec!(75.00), dec!(5)),
            sat(3, "I", dec!(80.00), dec!(0)),
        ];
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &candidates,
        )?;
        assert_eq!(names(ranking.reserves()), ["I", "K"]);
        let ranks: Vec<Option<u32>> = ranking.reserves().map(|entry| entry.rank).collect();
        assert_eq!(ranks, [Some(2), Some(3)]);
        Ok(())
    }
}
