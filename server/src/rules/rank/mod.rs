//! Winners of one recruitment position (*xác định người trúng tuyển*): eligibility, ranking by
//! total, the last-slot tie-break, placement into sharing agencies and the reserve list
//! (VN-10 to VN-14, VN-31).
//!
//! [`rank`] runs the steps in order, each in its own module: `eligibility` decides who may
//! compete (VN-10), `winners` walks the totals down to the quota boundary (VN-10, VN-11,
//! VN-14), `tie_break` orders equals at that boundary (VN-11, VN-31), `placement` places the
//! winners of a shared position with its agencies (VN-13), and `reasons` says what each line
//! means, as data rendered in either language.

mod eligibility;
#[cfg(test)]
mod fixtures;
mod placement;
#[cfg(test)]
mod properties;
mod reasons;
mod replacement;
mod tie_break;
mod winners;

use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use rust_decimal::{dec, Decimal};
use serde::{Deserialize, Serialize};

use crate::rules::error::RankingError;
use crate::rules::rule_set::RuleSet;
use eligibility::{assess, Contender, Verdict};
use placement::{place_winners, AgencyTable};
use reasons::{ranked_entry, unranked_entry};
pub use reasons::{Gap, Reason, Score, Shortfall, TieBreak};
use tie_break::tie_break_criteria;
pub use tie_break::Criterion;
use winners::decide_winners;

/// The raw professional score a winner needs, and in the combined form each part (VN-10).
pub const PASS_MARK: Decimal = dec!(50);

/// How round 2 is examined for a position (VN-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Round2Form {
    /// Written on paper; marks entered into the system.
    #[default]
    Written,
    /// Written on computer.
    WrittenCbt,
    /// Written plus interview, combined 0.7 / 0.3.
    WrittenInterview,
}

impl Round2Form {
    pub const ALL: [Round2Form; 3] = [
        Round2Form::Written,
        Round2Form::WrittenCbt,
        Round2Form::WrittenInterview,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Round2Form::Written => "written",
            Round2Form::WrittenCbt => "written_cbt",
            Round2Form::WrittenInterview => "written_interview",
        }
    }

    pub const fn is_combined(self) -> bool {
        matches!(self, Round2Form::WrittenInterview)
    }
}

impl fmt::Display for Round2Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Round2Form {
    type Err = RankingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Round2Form::ALL
            .into_iter()
            .find(|form| form.code() == s)
            .ok_or_else(|| RankingError::UnknownRound2Form(s.to_owned()))
    }
}

/// One employing agency sharing a position, with its own quota (VN-13).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AgencyQuota {
    pub code: String,
    pub quota: u32,
}

/// A recruitment position (*vị trí tuyển dụng*) as far as ranking needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Position {
    /// The position's quota (*chỉ tiêu*). With agencies, it must equal the sum of theirs.
    pub quota: u32,
    /// Empty for a position with a single employer: winners then get no agency.
    #[serde(default)]
    pub agencies: Vec<AgencyQuota>,
    pub round2_form: Round2Form,
}

/// A candidate of the position, with the official marks already settled (see `marks`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Candidate {
    pub application_id: i64,
    pub full_name: String,
    /// `Some(false)` ranks the candidate as failed in round 1. `None` means the grade has no
    /// round 1 (VN-2, VN-3, VN-4), so nothing is held against the candidate.
    pub round1_passed: Option<bool>,
    /// Written part of the combined form; `None` when absent. Unused by single-part forms.
    pub written: Option<Decimal>,
    /// Interview part of the combined form; `None` when absent. Unused by single-part forms.
    pub interview: Option<Decimal>,
    /// The score of a single-part form (`written`, `written_cbt`); `None` when absent. Unused
    /// by the combined form, whose score is computed here from its parts.
    pub professional: Option<Decimal>,
    /// The points granted (see `priority`): the highest proven group only.
    pub priority_points: Decimal,
    /// Agency codes in preference order (VN-13). Empty means any agency, in the position's order.
    #[serde(default)]
    pub agency_preferences: Vec<String>,
    /// Round-1 general-knowledge score, the first tie-break under vn-vc-2020 (VN-31).
    #[serde(default)]
    pub round1_score: Option<Decimal>,
    /// Chosen by a recorded decision of the head of the recruiting agency (VN-11). Counts only
    /// where a tie needs breaking and the chosen candidates exactly fill the slots in question.
    #[serde(default)]
    pub head_decision: bool,
    /// Struck off the winners (VN-14): left out of the competition, shown as struck off, and
    /// the place goes to the reserve list in order.
    #[serde(default)]
    pub struck_off: Option<StrikeCause>,
    /// The agency recorded that it does not fill the place this struck-off winner held
    /// (VN-14 amended: replacement is its choice under Decree 300/2026).
    #[serde(default)]
    pub place_left_empty: bool,
}

/// Why a winner was struck off the list (VN-14; fraud also bars the next round, VN-16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrikeCause {
    /// The winner declined the post.
    Declined,
    /// The winner did not complete the recruitment dossier in time.
    NoDossier,
    /// Fraud was found, such as a falsified application (Form 01).
    Fraud,
    /// The diplomas, certificates or attestations submitted are invalid (VN-14 amended).
    InvalidDocuments,
}

impl StrikeCause {
    pub const ALL: [StrikeCause; 4] = [
        StrikeCause::Declined,
        StrikeCause::NoDossier,
        StrikeCause::Fraud,
        StrikeCause::InvalidDocuments,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            StrikeCause::Declined => "declined",
            StrikeCause::NoDossier => "no_dossier",
            StrikeCause::Fraud => "fraud",
            StrikeCause::InvalidDocuments => "invalid_documents",
        }
    }

    /// Whether the candidate is barred from the same authority's next round (VN-16 amended):
    /// a falsified application or invalid documents; declining or a late dossier is not fraud.
    pub const fn bars_next_round(self) -> bool {
        matches!(self, StrikeCause::Fraud | StrikeCause::InvalidDocuments)
    }
}

impl FromStr for StrikeCause {
    type Err = RankingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StrikeCause::ALL
            .into_iter()
            .find(|cause| cause.code() == s)
            .ok_or_else(|| RankingError::UnknownStrikeCause(s.to_owned()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankingStatus {
    Final,
    /// A tie or a placement awaits the head of the recruiting agency (VN-11, VN-13).
    PendingHeadDecision,
}

impl RankingStatus {
    /// The API's `status` value.
    pub const fn code(self) -> &'static str {
        match self {
            RankingStatus::Final => "final",
            RankingStatus::PendingHeadDecision => "pending_head_decision",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Winner,
    /// Awaiting a head decision: tied for a last slot, or within quota with no agency room.
    TiedPending,
    /// Eligible, beyond the quota: offered a place in rank order when a winner drops (VN-14).
    Reserve,
    Ineligible,
    FailedRound1,
    /// A winner struck off the list (VN-14); the place went to the reserve list.
    StruckOff,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Winner,
        Outcome::TiedPending,
        Outcome::Reserve,
        Outcome::Ineligible,
        Outcome::FailedRound1,
        Outcome::StruckOff,
    ];

    /// The API's `outcome` value.
    pub const fn code(self) -> &'static str {
        match self {
            Outcome::Winner => "winner",
            Outcome::TiedPending => "tied_pending",
            Outcome::Reserve => "reserve",
            Outcome::Ineligible => "ineligible",
            Outcome::FailedRound1 => "failed_round1",
            Outcome::StruckOff => "struck_off",
        }
    }

    const fn display_order(self) -> u8 {
        match self {
            Outcome::Winner => 0,
            Outcome::TiedPending => 1,
            Outcome::Reserve => 2,
            Outcome::StruckOff => 3,
            Outcome::Ineligible => 4,
            Outcome::FailedRound1 => 5,
        }
    }
}

/// One line of the ranking. Scores and points carry exactly 2 decimal places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankingEntry {
    pub application_id: i64,
    pub full_name: String,
    /// The professional score before priority points (the composite in the combined form);
    /// `None` when it cannot be computed because a part was not sat.
    pub raw_score: Option<Decimal>,
    pub priority_points: Decimal,
    /// Raw score + priority points; `None` for candidates who are not ranked.
    pub total: Option<Decimal>,
    /// Competition rank among eligible candidates (equals share a rank); `None` if not ranked.
    pub rank: Option<u32>,
    pub outcome: Outcome,
    /// The agency a winner is placed with, on a shared position (VN-13).
    pub agency: Option<String>,
    /// Why the entry came out as it did, with the figures that decided it.
    pub reason: Reason,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranking {
    pub status: RankingStatus,
    pub quota: u32,
    /// Winners, pending, reserves in rank order, then ineligible, then failed in round 1.
    pub entries: Vec<RankingEntry>,
}

impl Ranking {
    pub fn winners(&self) -> impl Iterator<Item = &RankingEntry> {
        self.with_outcome(Outcome::Winner)
    }

    pub fn tied_pending(&self) -> impl Iterator<Item = &RankingEntry> {
        self.with_outcome(Outcome::TiedPending)
    }

    /// The replacement list, in the order places are offered (VN-14).
    pub fn reserves(&self) -> impl Iterator<Item = &RankingEntry> {
        self.with_outcome(Outcome::Reserve)
    }

    pub fn entry(&self, application_id: i64) -> Option<&RankingEntry> {
        self.entries
            .iter()
            .find(|entry| entry.application_id == application_id)
    }

    fn with_outcome(&self, outcome: Outcome) -> impl Iterator<Item = &RankingEntry> {
        self.entries
            .iter()
            .filter(move |entry| entry.outcome == outcome)
    }
}

/// Ranks the candidates of one position under `rule_set`.
///
/// Eligible candidates (VN-10) are ranked by total, highest first, compared after the official
/// rounding (VN-12). Equal totals inside the quota all win; only equal totals straddling the last
/// slot are broken, by VN-11 (or VN-31), ending in a head decision, never chance. On a shared
/// position, winners are then placed with agencies (VN-13). The result does not depend on the
/// order of `candidates`.
///
/// VN-14: candidates struck off are left out of the competition; unless the agency leaves it
/// empty, the place each held goes to the next eligible candidate in rank order (on a shared
/// position, the next who listed that agency), with VN-11 between equals (a tie for a freed
/// place waits for the head like any other). Placed winners never move. The struck-off are
/// listed as such, and a winner who would not have won with them in is marked as a replacement
/// from the reserve list. Priority points and the VN-10 gate apply to replacements exactly as
/// to anyone: an ineligible candidate is never promoted, however many winners drop out.
pub fn rank(
    rule_set: RuleSet,
    position: &Position,
    candidates: &[Candidate],
) -> Result<Ranking, RankingError> {
    if candidates.iter().all(|c| c.struck_off.is_none()) {
        return rank_standing(rule_set, position, candidates);
    }
    replacement::rank_with_strike_offs(rule_set, position, candidates)
}

/// Ranks the candidates still standing (none struck off).
fn rank_standing(
    rule_set: RuleSet,
    position: &Position,
    candidates: &[Candidate],
) -> Result<Ranking, RankingError> {
    let agencies = AgencyTable::new(position)?;
    let assessed = candidates
        .iter()
        .map(|candidate| assess(position.round2_form, candidate, &agencies))
        .collect::<Result<Vec<_>, _>>()?;
    let mut seen = HashSet::new();
    for candidate in candidates {
        if !seen.insert(candidate.application_id) {
            return Err(RankingError::DuplicateApplication(candidate.application_id));
        }
    }

    let criteria = tie_break_criteria(rule_set, position.round2_form);
    let mut contenders: Vec<Contender<'_>> = assessed
        .iter()
        .filter_map(|assessed| match assessed.verdict {
            Verdict::Eligible { raw, total } => Some(Contender {
                candidate: assessed.candidate,
                scores: &assessed.scores,
                raw,
                total,
            }),
            Verdict::FailedRound1 | Verdict::Ineligible { .. } => None,
        })
        .collect();
    contenders.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then(b.raw.cmp(&a.raw))
            .then(a.id().cmp(&b.id()))
    });

    let mut decisions = decide_winners(&contenders, position.quota, &criteria);
    if !agencies.is_empty() {
        place_winners(&contenders, &mut decisions, agencies, &criteria);
    }

    let mut entries: Vec<RankingEntry> = contenders
        .iter()
        .zip(&decisions)
        .map(|(contender, decision)| ranked_entry(contender, decision))
        .collect();
    entries.extend(assessed.iter().filter_map(unranked_entry));
    entries.sort_by(display_order);

    let status = if entries
        .iter()
        .any(|entry| entry.outcome == Outcome::TiedPending)
    {
        RankingStatus::PendingHeadDecision
    } else {
        RankingStatus::Final
    };
    Ok(Ranking {
        status,
        quota: position.quota,
        entries,
    })
}

/// Ranked entries in rank order, then the unranked; ids only order what is otherwise equal, so
/// the list never depends on input order.
fn display_order(a: &RankingEntry, b: &RankingEntry) -> Ordering {
    let unranked = |entry: &RankingEntry| entry.rank.is_none();
    unranked(a)
        .cmp(&unranked(b))
        .then(a.rank.cmp(&b.rank))
        .then(a.outcome.display_order().cmp(&b.outcome.display_order()))
        .then(b.total.cmp(&a.total))
        .then(b.raw_score.cmp(&a.raw_score))
        .then(a.application_id.cmp(&b.application_id))
}

/// A number of candidates or slots as the quota counts them.
fn count(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::fixtures::*;
    use super::*;
    use crate::rules::lang::Lang;

    #[test]
    fn vn_14_striking_off_a_winner_promotes_the_next_reserve() -> Result<(), RankingError> {
        // A struck-off winner is left out and the position ranked again: the first reserve
        // takes the place.
        let quota_2 = position(2, Round2Form::Written);
        let [h, i, k] = e3_candidates();
        let ranking = rank(RuleSet::Vn2025, &quota_2, &[h, i.clone(), k.clone()])?;
        assert_eq!(names(ranking.winners()), ["H", "I"]);
        assert_eq!(names(ranking.reserves()), ["K"]);
        let ranking = rank(RuleSet::Vn2025, &quota_2, &[i, k])?;
        assert_eq!(names(ranking.winners()), ["I", "K"]);
        Ok(())
    }
    #[test]
    fn round2_form_codes_round_trip() -> Result<(), RankingError> {
        for form in Round2Form::ALL {
            assert_eq!(form.code().parse::<Round2Form>()?, form);
        }
        Ok(())
    }
    fn struck(mut candidate: Candidate, cause: StrikeCause) -> Candidate {
        candidate.struck_off = Some(cause);
        candidate
    }
    fn e1_with_struck(struck_ids: &[(i64, StrikeCause)]) -> Vec<Candidate> {
        let failed_round1 = Candidate {
            round1_passed: Some(false),
            ..candidate(5, "E")
        };
        [
            sat(1, "A", dec!(78.00), dec!(0)),
            sat(2, "B", dec!(72.00), dec!(7.5)),
            sat(3, "C", dec!(49.50), dec!(7.5)),
            sat(4, "D", dec!(75.00), dec!(2.5)),
            failed_round1,
            sat(6, "F", dec!(76.00), dec!(0)),
        ]
        .into_iter()
        .map(
            |c| match struck_ids.iter().find(|(id, _)| *id == c.application_id) {
                Some((_, cause)) => struck(c, *cause),
                None => c,
            },
        )
        .collect()
    }
    #[test]
    fn vn_14_a_struck_off_winner_is_replaced_by_the_next_on_the_reserve_list(
    ) -> Result<(), RankingError> {
        // E1: winners B, A; replacement order D, F. B declines: D takes the place.
        let candidates = e1_with_struck(&[(2, StrikeCause::Declined)]);
        let ranking = rank(
            RuleSet::Vn2025,
            &position(2, Round2Form::Written),
            &candidates,
        )?;
        assert_eq!(ranking.status, RankingStatus::Final);
        assert_eq!(names(ranking.winners()), ["A", "D"]);
        assert_eq!(names(ranking.reserves()), ["F"]);
        let order: Vec<&str> = names(ranking.entries.iter());
        assert_eq!(order, ["A", "D", "F", "B", "C", "E"]);

        let b = ranking
            .entry(2)
            .ok_or(RankingError::DuplicateApplication(2))?;
        assert_eq!(b.outcome, Outcome::StruckOff);
        assert_eq!((b.rank, b.total), (None, Some(dec!(79.50))));
        assert_eq!(
            b.reason.render(Lang::En),
            "struck off the winners: declined the post (total 79.50)"
        );
        assert_eq!(
            b.reason.render(Lang::Vi),
            "bị loại khỏi danh sách trúng tuyển: từ chối tuyển dụng (tổng 79.50)"
        );
        let d = ranking
            .entry(4)
            .ok_or(RankingError::DuplicateApplication(4))?;
        assert_eq!(
            d.reason.render(Lang::En),
            "winner from the reserve list in place of a struck-off winner (winner: total 77.50 = 75.00 + priority 2.50)"
        );
        assert_eq!(
            d.reason.render(Lang::Vi),
            "trúng tuyển bổ sung theo danh sách dự bị, thay người bị loại (trúng tuyển: tổng 77.50 = 75.00 + ưu tiên 2.50)"
        );
        // A won before and still wins: nothing to explain.
        let a = ranking
            .entry(1)
            .ok_or(RankingError::DuplicateApplication(1))?;
        assert_eq!(a.reason.render(Lang::En), "winner: total 78.00");
        Ok(())
    }
    #[test]
    fn vn_14_an_ineligible_candidate_is_never_promoted_however_many_drop_out(
    ) -> Result<(), RankingError> {
        let candidates = e1_with_struck(&[
            (1, StrikeCause::NoDossier),
            (2, StrikeCause::Declined),
            (4, StrikeCause::Fraud),
        ]);
        let ranking = rank(
            RuleSet::Vn2025,
            &position(2, Round2Form::Written),
            &candidates,
        )?;
        // Only F is left eligible: one place stays empty rather than go to C (raw 49.50).
        assert_eq!(names(ranking.winners()), ["F"]);
        assert_eq!(outcome(&ranking, 3), Some(Outcome::Ineligible));
        assert_eq!(outcome(&ranking, 5), Some(Outcome::FailedRound1));
        let struck: Vec<i64> = ranking
            .entries
            .iter()
            .filter(|e| e.outcome == Outcome::StruckOff)
            .map(|e| e.application_id)
            .collect();
        assert_eq!(struck, [2, 1, 4], "struck off in the order of their totals");
        Ok(())
    }
    #[test]
    fn vn_14_reserves_tied_for_the_freed_place_are_split_by_vn_11_then_the_head(
    ) -> Result<(), RankingError> {
        // Quota 1. W won; X and Y tie at 80.00 on the reserve list.
        let x = sat(2, "X", dec!(75.00), dec!(5));
        let y = sat(3, "Y", dec!(80.00), dec!(0));
        let w = sat(1, "W", dec!(90.00), dec!(0));
        let before = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[w.clone(), x.clone(), y.clone()],
        )?;
        assert_eq!(names(before.winners()), ["W"]);
        // W declines: the tie for the freed place goes to the higher raw score (VN-11 (1)).
        let after = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[struck(w.clone(), StrikeCause::Declined), x, y],
        )?;
        assert_eq!(names(after.winners()), ["Y"]);
        let y = after
            .entry(3)
            .ok_or(RankingError::DuplicateApplication(3))?;
        assert!(
            y.reason
                .render(Lang::En)
                .starts_with("winner from the reserve list"),
            "{}",
            y.reason.render(Lang::En)
        );
        assert!(
            y.reason.render(Lang::En).contains("higher round-2 score"),
            "{}",
            y.reason.render(Lang::En)
        );

        // Equal raw scores too: the freed place waits for the head, never chance.
        let m = sat(2, "M", dec!(77.00), dec!(2.5));
        let n = sat(3, "N", dec!(77.00), dec!(2.5));
        let pending = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[
                struck(w.clone(), StrikeCause::Declined),
                m.clone(),
                n.clone(),
            ],
        )?;
        assert_eq!(pending.status, RankingStatus::PendingHeadDecision);
        assert_eq!(names(pending.tied_pending()), ["M", "N"]);
        let decided = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[
                struck(w, StrikeCause::Declined),
                Candidate {
                    head_decision: true,
                    ..n
                },
                m,
            ],
        )?;
        assert_eq!(names(decided.winners()), ["N"]);
        Ok(())
    }
    /// E8 with U struck off for want of a dossier: U → X, V → Y before.
    fn e13_candidates(place_left_empty: bool) -> Vec<Candidate> {
        vec![
            Candidate {
                place_left_empty,
                ..struck(
                    prefer(sat(1, "U", dec!(85), dec!(0)), &["X", "Y"]),
                    StrikeCause::NoDossier,
                )
            },
            prefer(sat(2, "V", dec!(83), dec!(0)), &["X", "Y"]),
            prefer(sat(3, "W", dec!(81), dec!(0)), &["Y"]),
            prefer(sat(4, "Z", dec!(79), dec!(0)), &["X"]),
        ]
    }
    fn placed(ranking: &Ranking) -> Vec<(&str, Option<&str>)> {
        ranking
            .winners()
            .map(|entry| (entry.full_name.as_str(), entry.agency.as_deref()))
            .collect()
    }
    #[test]
    fn e13_the_freed_place_stays_with_its_agency_and_placed_winners_never_move(
    ) -> Result<(), RankingError> {
        let shared_xy = shared(&[("X", 1), ("Y", 1)]);
        let ranking = rank(RuleSet::Vn2025, &shared_xy, &e13_candidates(false))?;
        assert_eq!(outcome(&ranking, 1), Some(Outcome::StruckOff));
        // X goes to Z (79, listed X); W (81) listed only Y; V stays at Y.
        assert_eq!(placed(&ranking), [("V", Some("Y")), ("Z", Some("X"))]);
        assert_eq!(names(ranking.reserves()), ["W"]);
        let z = ranking
            .entry(4)
            .ok_or(RankingError::DuplicateApplication(4))?;
        assert!(
            z.reason
                .render(Lang::En)
                .starts_with("winner from the reserve list"),
            "{}",
            z.reason.render(Lang::En)
        );
        assert_eq!(ranking.status, RankingStatus::Final);
        Ok(())
    }
    #[test]
    fn e13_without_replacement_the_freed_place_stays_empty() -> Result<(), RankingError> {
        let ranking = rank(
            RuleSet::Vn2025,
            &shared(&[("X", 1), ("Y", 1)]),
            &e13_candidates(true),
        )?;
        assert_eq!(placed(&ranking), [("V", Some("Y"))]);
        assert_eq!(names(ranking.reserves()), ["W", "Z"]);
        // The same on a position with one employer: the quota's freed place is not offered.
        let ranking = rank(
            RuleSet::Vn2025,
            &position(2, Round2Form::Written),
            &[
                Candidate {
                    place_left_empty: true,
                    ..struck(sat(1, "U", dec!(85), dec!(0)), StrikeCause::NoDossier)
                },
                sat(2, "V", dec!(83), dec!(0)),
                sat(3, "W", dec!(81), dec!(0)),
            ],
        )?;
        assert_eq!(names(ranking.winners()), ["V"]);
        assert_eq!(names(ranking.reserves()), ["W"]);
        Ok(())
    }
    #[test]
    fn e13_equals_for_the_freed_place_wait_for_the_head() -> Result<(), RankingError> {
        let shared_xy = shared(&[("X", 1), ("Y", 1)]);
        let mut candidates = e13_candidates(false);
        let z_prime = prefer(sat(5, "Z′", dec!(79), dec!(0)), &["X"]);
        candidates.push(z_prime);
        let ranking = rank(RuleSet::Vn2025, &shared_xy, &candidates)?;
        assert_eq!(ranking.status, RankingStatus::PendingHeadDecision);
        assert_eq!(names(ranking.tied_pending()), ["Z", "Z′"]);
        assert_eq!(placed(&ranking), [("V", Some("Y"))]);
        // The head chooses Z′: Z′ takes X, Z stays on the reserve list.
        if let Some(last) = candidates.last_mut() {
            last.head_decision = true;
        }
        let decided = rank(RuleSet::Vn2025, &shared_xy, &candidates)?;
        assert_eq!(decided.status, RankingStatus::Final);
        assert_eq!(placed(&decided), [("V", Some("Y")), ("Z′", Some("X"))]);
        assert!(names(decided.reserves()).contains(&"Z"));
        Ok(())
    }
    #[test]
    fn vn_14_the_result_does_not_depend_on_input_order_with_strike_offs() -> Result<(), RankingError>
    {
        let mut candidates = e1_with_struck(&[(2, StrikeCause::Declined)]);
        let forward = rank(
            RuleSet::Vn2025,
            &position(2, Round2Form::Written),
            &candidates,
        )?;
        candidates.reverse();
        let backward = rank(
            RuleSet::Vn2025,
            &position(2, Round2Form::Written),
            &candidates,
        )?;
        assert_eq!(forward, backward);
        Ok(())
    }
}
