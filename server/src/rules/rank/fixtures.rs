//! Candidates and positions for the ranking tests, named the way the worked examples name them.

use rust_decimal::{dec, Decimal};

use super::{AgencyQuota, Candidate, Outcome, Position, Ranking, RankingEntry, Round2Form};

pub(super) fn candidate(id: i64, name: &str) -> Candidate {
    Candidate {
        application_id: id,
        full_name: name.to_owned(),
        round1_passed: Some(true),
        priority_points: dec!(0),
        ..Candidate::default()
    }
}
/// A candidate of a single-part form (written or written_cbt).
pub(super) fn sat(id: i64, name: &str, score: Decimal, priority: Decimal) -> Candidate {
    Candidate {
        professional: Some(score),
        priority_points: priority,
        ..candidate(id, name)
    }
}
/// A candidate of the combined written + interview form.
pub(super) fn sat_both(
    id: i64,
    name: &str,
    written: Option<Decimal>,
    interview: Option<Decimal>,
) -> Candidate {
    Candidate {
        written,
        interview,
        ..candidate(id, name)
    }
}
pub(super) fn position(quota: u32, round2_form: Round2Form) -> Position {
    Position {
        quota,
        agencies: Vec::new(),
        round2_form,
    }
}
pub(super) fn shared(agencies: &[(&str, u32)]) -> Position {
    Position {
        quota: agencies.iter().map(|(_, quota)| quota).sum(),
        agencies: agencies
            .iter()
            .map(|(code, quota)| AgencyQuota {
                code: (*code).to_owned(),
                quota: *quota,
            })
            .collect(),
        round2_form: Round2Form::Written,
    }
}
pub(super) fn prefer(mut candidate: Candidate, agencies: &[&str]) -> Candidate {
    candidate.agency_preferences = agencies.iter().map(|code| (*code).to_owned()).collect();
    candidate
}
pub(super) fn names<'a>(entries: impl Iterator<Item = &'a RankingEntry>) -> Vec<&'a str> {
    entries.map(|entry| entry.full_name.as_str()).collect()
}
pub(super) fn outcome(ranking: &Ranking, id: i64) -> Option<Outcome> {
    ranking.entry(id).map(|entry| entry.outcome)
}
pub(super) fn e3_candidates() -> [Candidate; 3] {
    [
        sat(1, "H", dec!(82.00), dec!(0)),
        sat(2, "I", dec!(80.00), dec!(0)),
        sat(3, "K", dec!(75.00), dec!(5)),
    ]
}
