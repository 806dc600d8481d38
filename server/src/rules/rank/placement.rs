//! Winners of a shared position placed with its agencies (VN-13): in rank order, each takes the
//! first agency they listed that still has a free slot. Equally ranked winners propose together;
//! an agency with fewer slots than proposers is a contested last slot, settled by VN-11, and its
//! losers try their next choice. A winner left with no room anywhere they listed waits for a
//! head decision [U].

use std::collections::{BTreeMap, HashMap, HashSet};

use super::eligibility::Contender;
use super::tie_break::{split_ties, Criterion};
use super::winners::Decision;
use super::{count, Candidate, Outcome, Position};
use crate::rules::error::RankingError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Placement {
    NotShared,
    Placed(String),
    Contested {
        agency: String,
        decision_mismatch: bool,
    },
    NoRoom,
}

/// The agencies sharing a position and their free slots (VN-13).
pub(super) struct AgencyTable {
    codes: Vec<String>,
    room: Vec<u32>,
}

impl AgencyTable {
    /// Refuses a position whose agencies repeat or whose quotas do not add up to its own.
    pub(super) fn new(position: &Position) -> Result<Self, RankingError> {
        let mut seen = HashSet::new();
        for agency in &position.agencies {
            if !seen.insert(agency.code.as_str()) {
                return Err(RankingError::DuplicateAgency(agency.code.clone()));
            }
        }
        if !position.agencies.is_empty() {
            let sum: u64 = position
                .agencies
                .iter()
                .map(|agency| u64::from(agency.quota))
                .sum();
            if sum != u64::from(position.quota) {
                return Err(RankingError::QuotaMismatch {
                    quota: position.quota,
                    sum: u32::try_from(sum).unwrap_or(u32::MAX),
                });
            }
        }
        Ok(AgencyTable {
            codes: position
                .agencies
                .iter()
                .map(|agency| agency.code.clone())
                .collect(),
            room: position
                .agencies
                .iter()
                .map(|agency| agency.quota)
                .collect(),
        })
    }

    pub(super) fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    pub(super) fn index_of(&self, code: &str) -> Option<usize> {
        self.codes.iter().position(|known| known == code)
    }

    fn code(&self, index: usize) -> String {
        self.codes.get(index).cloned().unwrap_or_default()
    }

    fn room(&self, index: usize) -> u32 {
        self.room.get(index).copied().unwrap_or(0)
    }

    fn take(&mut self, index: usize, slots: u32) {
        if let Some(room) = self.room.get_mut(index) {
            *room = room.saturating_sub(slots);
        }
    }

    /// The candidate's first listed agency that still has a free slot.
    fn first_with_room(&self, candidate: &Candidate) -> Option<usize> {
        if candidate.agency_preferences.is_empty() {
            (0..self.codes.len()).find(|&index| self.room(index) > 0)
        } else {
            candidate
                .agency_preferences
                .iter()
                .filter_map(|code| self.index_of(code))
                .find(|&index| self.room(index) > 0)
        }
    }
}

/// Places the winners among `decisions` (in the contenders' order) with the agencies of
/// `table`, rank by rank.
pub(super) fn place_winners(
    contenders: &[Contender<'_>],
    decisions: &mut [Decision],
    table: AgencyTable,
    criteria: &[Criterion],
) {
    let mut by_rank: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (position, decision) in decisions.iter().enumerate() {
        if decision.outcome == Outcome::Winner {
            by_rank.entry(decision.rank).or_default().push(position);
        }
    }
    let mut placer = Placer {
        contenders,
        index: contenders
            .iter()
            .enumerate()
            .map(|(position, contender)| (contender.id(), position))
            .collect(),
        decisions,
        table,
        criteria,
    };
    for mut unplaced in by_rank.into_values() {
        while !unplaced.is_empty() {
            for (agency, proposers) in placer.propose(&mut unplaced) {
                placer.claim(agency, &proposers, &mut unplaced);
            }
            unplaced.sort_unstable();
        }
    }
}

/// The placement in progress. Winners are named by their position in `contenders`.
struct Placer<'c, 'a, 'd> {
    contenders: &'c [Contender<'a>],
    index: HashMap<i64, usize>,
    decisions: &'d mut [Decision],
    table: AgencyTable,
    criteria: &'c [Criterion],
}

impl Placer<'_, '_, '_> {
    /// Each unplaced winner proposes to their first listed agency with room; those with none
    /// left are flagged for the head. Returns the proposers by agency.
    fn propose(&mut self, unplaced: &mut Vec<usize>) -> BTreeMap<usize, Vec<usize>> {
        let mut proposals: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for position in unplaced.drain(..) {
            let Some(contender) = self.contenders.get(position) else {
                continue;
            };
            match self.table.first_with_room(contender.candidate) {
                Some(agency) => proposals.entry(agency).or_default().push(position),
                None => self.set(position, Placement::NoRoom),
            }
        }
        proposals
    }

    /// The proposers to `agency` take its free slots; if they outnumber them, the contest is
    /// settled by VN-11 and the losers go back to `unplaced` to try their next choice.
    fn claim(&mut self, agency: usize, proposers: &[usize], unplaced: &mut Vec<usize>) {
        let room = self.table.room(agency);
        let code = self.table.code(agency);
        if count(proposers.len()) <= room {
            for &position in proposers {
                self.set(position, Placement::Placed(code.clone()));
            }
            self.table.take(agency, count(proposers.len()));
            return;
        }
        let contenders = self.contenders;
        let group: Vec<&Contender<'_>> = proposers
            .iter()
            .filter_map(|&position| contenders.get(position))
            .collect();
        let split = split_ties(group, self.criteria);
        let mut filled: u32 = 0;
        for tier in &split.tiers {
            let need = room.saturating_sub(filled);
            let positions: Vec<usize> = tier
                .iter()
                .filter_map(|contender| self.index.get(&contender.id()).copied())
                .collect();
            let tier_size = count(positions.len());
            if need == 0 {
                unplaced.extend(positions);
            } else if tier_size <= need {
                for &position in &positions {
                    self.set(position, Placement::Placed(code.clone()));
                }
                filled = filled.saturating_add(tier_size);
            } else {
                self.settle_contested_tier(&positions, need, &code, unplaced);
                filled = room;
            }
        }
        self.table.take(agency, room);
    }

    /// A tier of equals wanting more of `code`'s slots than the `need` left: the head's
    /// recorded choice places exactly `need` of them, or the slots wait for the head.
    fn settle_contested_tier(
        &mut self,
        positions: &[usize],
        need: u32,
        code: &str,
        unplaced: &mut Vec<usize>,
    ) {
        let chosen = positions
            .iter()
            .filter(|&&position| self.head_chose(position))
            .count();
        if count(chosen) == need {
            for &position in positions {
                if self.head_chose(position) {
                    self.set(position, Placement::Placed(code.to_owned()));
                } else {
                    unplaced.push(position);
                }
            }
        } else {
            // The contested slots stay held until the head decides, so that lower-ranked
            // winners cannot take them meanwhile.
            for &position in positions {
                let placement = Placement::Contested {
                    agency: code.to_owned(),
                    decision_mismatch: chosen > 0,
                };
                self.set(position, placement);
            }
        }
    }

    fn head_chose(&self, position: usize) -> bool {
        self.contenders
            .get(position)
            .is_some_and(|contender| contender.candidate.head_decision)
    }

    fn set(&mut self, position: usize, placement: Placement) {
        if let Some(decision) = self.decisions.get_mut(position) {
            decision.placement = placement;
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::super::fixtures::*;
    use super::super::*;
    use crate::rules::lang::Lang;

    #[test]
    fn e8_shared_position_places_winners_by_preference() -> Result<(), RankingError> {
        // VN-13: U takes X; V finds X full and takes Y; W and Z rank below the quota of 2.
        let candidates = [
            prefer(sat(1, "U", dec!(85), dec!(0)), &["X", "Y"]),
            prefer(sat(2, "V", dec!(83), dec!(0)), &["X", "Y"]),
            prefer(sat(3, "W", dec!(81), dec!(0)), &["Y"]),
            prefer(sat(4, "Z", dec!(79), dec!(0)), &["X"]),
        ];
        let ranking = rank(RuleSet::Vn2025, &shared(&[("X", 1), ("Y", 1)]), &candidates)?;
        assert_eq!(ranking.status, RankingStatus::Final);
        assert_eq!(ranking.quota, 2);
        let placed: Vec<(&str, Option<&str>)> = ranking
            .winners()
            .map(|entry| (entry.full_name.as_str(), entry.agency.as_deref()))
            .collect();
        assert_eq!(placed, [("U", Some("X")), ("V", Some("Y"))]);
        assert_eq!(names(ranking.reserves()), ["W", "Z"]);
        assert!(ranking.reserves().all(|entry| entry.agency.is_none()));
        let v = ranking
            .entry(2)
            .ok_or(RankingError::DuplicateApplication(2))?;
        assert_eq!(
            v.reason.render(Lang::En),
            "winner, placed at Y: total 83.00"
        );
        assert_eq!(v.reason.render(Lang::Vi), "trúng tuyển vào Y: tổng 83.00");
        Ok(())
    }
    #[test]
    fn vn_13_a_contested_last_agency_slot_is_broken_by_vn_11() -> Result<(), RankingError> {
        // Both win the position (equal totals inside its quota of 2) but want X's single slot:
        // the higher raw score takes it, the other moves on to Y.
        let candidates = [
            prefer(sat(1, "U", dec!(80), dec!(5)), &["X", "Y"]),
            prefer(sat(2, "V", dec!(85), dec!(0)), &["X", "Y"]),
        ];
        let ranking = rank(RuleSet::Vn2025, &shared(&[("X", 1), ("Y", 1)]), &candidates)?;
        assert_eq!(ranking.status, RankingStatus::Final);
        let placed: Vec<(&str, Option<&str>)> = ranking
            .winners()
            .map(|entry| (entry.full_name.as_str(), entry.agency.as_deref()))
            .collect();
        assert_eq!(placed, [("V", Some("X")), ("U", Some("Y"))]);
        Ok(())
    }
    #[test]
    fn vn_13_an_unbreakable_contest_for_an_agency_slot_waits_for_the_head(
    ) -> Result<(), RankingError> {
        let candidates = [
            prefer(sat(1, "U", dec!(85), dec!(0)), &["X"]),
            prefer(sat(2, "V", dec!(85), dec!(0)), &["X"]),
        ];
        let ranking = rank(RuleSet::Vn2025, &shared(&[("X", 1), ("Y", 1)]), &candidates)?;
        assert_eq!(ranking.status, RankingStatus::PendingHeadDecision);
        assert_eq!(names(ranking.tied_pending()), ["U", "V"]);
        let u = ranking
            .entry(1)
            .ok_or(RankingError::DuplicateApplication(1))?;
        assert_eq!(
            u.reason.render(Lang::En),
            "tied for the last slot at X (total 85.00): pending head decision"
        );

        let [u, mut v] = candidates;
        v.head_decision = true;
        let ranking = rank(RuleSet::Vn2025, &shared(&[("X", 1), ("Y", 1)]), &[u, v])?;
        // V takes X by decision; U listed nothing else, so U now waits for a placement decision.
        assert_eq!(
            ranking.entry(2).and_then(|entry| entry.agency.as_deref()),
            Some("X")
        );
        assert_eq!(outcome(&ranking, 1), Some(Outcome::TiedPending));
        Ok(())
    }
    #[test]
    fn vn_13_a_winner_with_no_room_in_listed_agencies_waits_for_the_head(
    ) -> Result<(), RankingError> {
        // [U] V is within the position's quota, but X is taken and V listed only X; W, who
        // wanted Y, is below the quota and is not promoted over V's head.
        let candidates = [
            prefer(sat(1, "U", dec!(90), dec!(0)), &["X"]),
            prefer(sat(2, "V", dec!(85), dec!(0)), &["X"]),
            prefer(sat(3, "W", dec!(80), dec!(0)), &["Y"]),
        ];
        let ranking = rank(RuleSet::Vn2025, &shared(&[("X", 1), ("Y", 1)]), &candidates)?;
        assert_eq!(ranking.status, RankingStatus::PendingHeadDecision);
        assert_eq!(names(ranking.winners()), ["U"]);
        assert_eq!(names(ranking.tied_pending()), ["V"]);
        assert_eq!(names(ranking.reserves()), ["W"]);
        let v = ranking
            .entry(2)
            .ok_or(RankingError::DuplicateApplication(2))?;
        assert_eq!(
            v.reason.render(Lang::En),
            "within quota (total 85.00) but no listed agency has a free slot: pending head decision"
        );
        Ok(())
    }
    #[test]
    fn vn_13_no_listed_preference_means_any_agency_in_the_position_order(
    ) -> Result<(), RankingError> {
        let candidates = [
            prefer(sat(1, "U", dec!(90), dec!(0)), &["X"]),
            sat(2, "V", dec!(85), dec!(0)),
        ];
        let ranking = rank(RuleSet::Vn2025, &shared(&[("X", 1), ("Y", 1)]), &candidates)?;
        assert_eq!(
            ranking.entry(2).and_then(|entry| entry.agency.as_deref()),
            Some("Y")
        );
        Ok(())
    }
}
