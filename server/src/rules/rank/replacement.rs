//! Replacing struck-off winners (VN-14 amended). Whether a freed place is filled is the
//! agency's recorded choice (mandatory under `vn-2025-pre300`, which the service enforces);
//! when it is, the place goes to the best-ranked eligible candidate not yet placed, with VN-11
//! between equals (a tie that nothing breaks waits for the head). Placed winners never move:
//! on a shared position the freed place stays with its agency and goes to the best-ranked
//! unplaced candidate who listed that agency, however highly a candidate who did not list it
//! is ranked (VN-13 [U]).

use std::collections::HashSet;

use super::{
    count, display_order, rank_standing, Candidate, Outcome, Position, Ranking, RankingEntry,
    RankingStatus, Reason,
};
use crate::rules::error::RankingError;
use crate::rules::rule_set::RuleSet;

/// Ranks a position some of whose candidates were struck off. The ranking as it stood before
/// any strike-off decides who was placed; the struck-off are listed as such, with no rank.
pub(super) fn rank_with_strike_offs(
    rule_set: RuleSet,
    position: &Position,
    candidates: &[Candidate],
) -> Result<Ranking, RankingError> {
    let everyone: Vec<Candidate> = candidates
        .iter()
        .map(|c| Candidate {
            struck_off: None,
            ..c.clone()
        })
        .collect();
    let original = rank_standing(rule_set, position, &everyone)?;
    let mut ranking = if position.agencies.is_empty() {
        refill_single(rule_set, position, candidates, &original)?
    } else {
        refill_shared(rule_set, position, candidates, &original)?
    };
    ranking
        .entries
        .extend(struck_off_entries(&original, candidates));
    ranking.entries.sort_by(display_order);
    ranking.quota = position.quota;
    ranking.status = if ranking.tied_pending().next().is_some() {
        RankingStatus::PendingHeadDecision
    } else {
        RankingStatus::Final
    };
    Ok(ranking)
}

/// The application ids of struck-off winners whose place the agency leaves empty.
fn left_empty(original: &Ranking, candidates: &[Candidate]) -> HashSet<i64> {
    candidates
        .iter()
        .filter(|c| c.struck_off.is_some() && c.place_left_empty)
        .filter(|c| {
            original
                .entry(c.application_id)
                .is_some_and(|e| e.outcome == Outcome::Winner)
        })
        .map(|c| c.application_id)
        .collect()
}

/// A position with one employer: those still standing are ranked again for the places still
/// to fill, so the next eligible candidates move up in rank order. Nobody who won before can
/// lose: removing candidates never lowers anyone, and the quota shrinks only by the places
/// left empty.
fn refill_single(
    rule_set: RuleSet,
    position: &Position,
    candidates: &[Candidate],
    original: &Ranking,
) -> Result<Ranking, RankingError> {
    let empty = count(left_empty(original, candidates).len());
    let to_fill = Position {
        quota: position.quota.saturating_sub(empty),
        ..position.clone()
    };
    let standing: Vec<Candidate> = candidates
        .iter()
        .filter(|c| c.struck_off.is_none())
        .cloned()
        .collect();
    let mut ranking = rank_standing(rule_set, &to_fill, &standing)?;
    for entry in &mut ranking.entries {
        let was_winner = original
            .entry(entry.application_id)
            .is_some_and(|e| e.outcome == Outcome::Winner);
        if let (
            false,
            Reason::Winner {
                from_reserve_list, ..
            },
        ) = (was_winner, &mut entry.reason)
        {
            *from_reserve_list = true;
        }
    }
    Ok(ranking)
}

/// A shared position: every entry stays as it was, except that each agency's freed places go
/// to the best-ranked unplaced candidates who listed it, agency by agency in the position's
/// order.
fn refill_shared(
    rule_set: RuleSet,
    position: &Position,
    candidates: &[Candidate],
    original: &Ranking,
) -> Result<Ranking, RankingError> {
    let struck: HashSet<i64> = candidates
        .iter()
        .filter(|c| c.struck_off.is_some())
        .map(|c| c.application_id)
        .collect();
    let empty = left_empty(original, candidates);
    let mut entries: Vec<RankingEntry> = original
        .entries
        .iter()
        .filter(|e| !struck.contains(&e.application_id))
        .cloned()
        .collect();
    let mut taken: HashSet<i64> = HashSet::new();
    for agency in &position.agencies {
        let freed = original
            .winners()
            .filter(|e| struck.contains(&e.application_id) && !empty.contains(&e.application_id))
            .filter(|e| e.agency.as_deref() == Some(agency.code.as_str()))
            .count();
        if freed == 0 {
            continue;
        }
        let pool: Vec<Candidate> = candidates
            .iter()
            .filter(|c| c.struck_off.is_none() && !taken.contains(&c.application_id))
            .filter(|c| {
                original
                    .entry(c.application_id)
                    .is_some_and(|e| e.outcome == Outcome::Reserve)
            })
            .filter(|c| {
                c.agency_preferences.is_empty() || c.agency_preferences.contains(&agency.code)
            })
            .map(|c| Candidate {
                agency_preferences: Vec::new(),
                ..c.clone()
            })
            .collect();
        let freed_places = Position {
            quota: count(freed),
            agencies: Vec::new(),
            round2_form: position.round2_form,
        };
        let offered = rank_standing(rule_set, &freed_places, &pool)?;
        for chosen in offered
            .entries
            .iter()
            .filter(|e| matches!(e.outcome, Outcome::Winner | Outcome::TiedPending))
        {
            taken.insert(chosen.application_id);
            if let Some(entry) = entries
                .iter_mut()
                .find(|e| e.application_id == chosen.application_id)
            {
                entry.outcome = chosen.outcome;
                entry.agency = (chosen.outcome == Outcome::Winner).then(|| agency.code.clone());
                entry.reason = at_agency(chosen.reason.clone(), &agency.code);
            }
        }
    }
    Ok(Ranking {
        status: RankingStatus::Final,
        quota: position.quota,
        entries,
    })
}

/// A reason from the ranking of one agency's freed places, as the position's ranking says it.
fn at_agency(reason: Reason, code: &str) -> Reason {
    match reason {
        Reason::Winner {
            score, tie_break, ..
        } => Reason::Winner {
            score,
            agency: Some(code.to_owned()),
            tie_break,
            from_reserve_list: true,
        },
        Reason::TiedForLastSlot {
            score,
            decision_mismatch,
            ..
        } => Reason::TiedForLastSlot {
            score,
            agency: Some(code.to_owned()),
            decision_mismatch,
        },
        other => other,
    }
}

/// The lines of the candidates struck off: as they stood before, with no rank (VN-14).
fn struck_off_entries<'r>(
    original: &'r Ranking,
    candidates: &'r [Candidate],
) -> impl Iterator<Item = RankingEntry> + 'r {
    candidates.iter().filter_map(|candidate| {
        let cause = candidate.struck_off?;
        let before = original.entry(candidate.application_id)?;
        Some(RankingEntry {
            rank: None,
            outcome: Outcome::StruckOff,
            agency: None,
            reason: Reason::StruckOff {
                cause,
                total: before.total,
            },
            ..before.clone()
        })
    })
}
