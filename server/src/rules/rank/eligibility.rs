//! Who may compete for the quota (VN-10): the marks are checked as entered, the raw score (or,
//! in the combined form, each part) must reach the pass mark on its own, and only then are the
//! priority points added to make the total.

use rust_decimal::Decimal;

use super::placement::AgencyTable;
use super::reasons::{Gap, Shortfall};
use super::{Candidate, Round2Form, PASS_MARK};
use crate::rules::error::RankingError;
use crate::rules::marks::{combined_composite, round2, validate_mark};

/// Validated marks of one candidate, each with 2 decimal places.
pub(super) struct Scores {
    pub(super) written: Option<Decimal>,
    pub(super) interview: Option<Decimal>,
    pub(super) professional: Option<Decimal>,
    pub(super) priority: Decimal,
}

pub(super) enum Verdict {
    FailedRound1,
    Ineligible {
        raw: Option<Decimal>,
        shortfall: Shortfall,
    },
    Eligible {
        raw: Decimal,
        total: Decimal,
    },
}

pub(super) struct Assessed<'a> {
    pub(super) candidate: &'a Candidate,
    pub(super) scores: Scores,
    pub(super) verdict: Verdict,
}

/// An eligible candidate competing for the quota.
pub(super) struct Contender<'a> {
    pub(super) candidate: &'a Candidate,
    pub(super) scores: &'a Scores,
    pub(super) raw: Decimal,
    pub(super) total: Decimal,
}

impl Contender<'_> {
    pub(super) fn id(&self) -> i64 {
        self.candidate.application_id
    }
}

/// Checks one candidate's input against the position and says whether they may compete.
pub(super) fn assess<'a>(
    form: Round2Form,
    candidate: &'a Candidate,
    agencies: &AgencyTable,
) -> Result<Assessed<'a>, RankingError> {
    let scores = validate_scores(form, candidate)?;
    for agency in &candidate.agency_preferences {
        if !agencies.is_empty() && agencies.index_of(agency).is_none() {
            return Err(RankingError::UnknownAgency {
                application_id: candidate.application_id,
                agency: agency.clone(),
            });
        }
    }

    let verdict = if candidate.round1_passed == Some(false) {
        Verdict::FailedRound1
    } else if form.is_combined() {
        combined_verdict(&scores)?
    } else {
        match scores.professional {
            None => Verdict::Ineligible {
                raw: None,
                shortfall: Shortfall::Round2(Gap::Absent),
            },
            Some(raw) if raw < PASS_MARK => Verdict::Ineligible {
                raw: Some(raw),
                shortfall: Shortfall::Round2(Gap::Below(raw)),
            },
            Some(raw) => Verdict::Eligible {
                raw,
                total: round2(raw + scores.priority),
            },
        }
    };
    Ok(Assessed {
        candidate,
        scores,
        verdict,
    })
}

/// The candidate's marks and points as entered, refused with the field named when one is out of
/// range or does not belong to the position's form.
fn validate_scores(form: Round2Form, candidate: &Candidate) -> Result<Scores, RankingError> {
    let id = candidate.application_id;
    let mark = |field: &'static str, value: Option<Decimal>| {
        value
            .map(validate_mark)
            .transpose()
            .map_err(|source| RankingError::Candidate {
                application_id: id,
                field,
                source: Box::new(source),
            })
    };
    let scores = Scores {
        written: mark("written", candidate.written)?,
        interview: mark("interview", candidate.interview)?,
        professional: mark("professional", candidate.professional)?,
        priority: validate_priority(candidate)?,
    };
    let unexpected = |field| RankingError::UnexpectedScore {
        application_id: id,
        field,
        form,
    };
    if form.is_combined() {
        if scores.professional.is_some() {
            return Err(unexpected("professional"));
        }
    } else if scores.written.is_some() {
        return Err(unexpected("written"));
    } else if scores.interview.is_some() {
        return Err(unexpected("interview"));
    }
    Ok(scores)
}

/// VN-10 in the combined form: both parts sat, each at least 50. A high composite does not
/// make up for a weak part, and priority points make up for nothing.
fn combined_verdict(scores: &Scores) -> Result<Verdict, RankingError> {
    let (written, interview) = (scores.written, scores.interview);
    let raw = match (written, interview) {
        (Some(written), Some(interview)) => Some(combined_composite(written, interview)?),
        _ => None,
    };
    Ok(match (raw, gap(written), gap(interview)) {
        (Some(raw), None, None) => Verdict::Eligible {
            raw,
            total: round2(raw + scores.priority),
        },
        (raw, written, interview) => Verdict::Ineligible {
            raw,
            shortfall: Shortfall::Parts { written, interview },
        },
    })
}

/// What keeps one part of the combined form from the pass mark, if anything.
fn gap(part: Option<Decimal>) -> Option<Gap> {
    match part {
        None => Some(Gap::Absent),
        Some(mark) if mark < PASS_MARK => Some(Gap::Below(mark)),
        Some(_) => None,
    }
}

fn validate_priority(candidate: &Candidate) -> Result<Decimal, RankingError> {
    let points = candidate.priority_points;
    if points < Decimal::ZERO || points.normalize().scale() > 2 {
        return Err(RankingError::Candidate {
            application_id: candidate.application_id,
            field: "priority_points",
            source: Box::new(RankingError::InvalidPriorityPoints(points)),
        });
    }
    Ok(round2(points))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use rust_decimal::dec;

    use super::super::fixtures::*;
    use super::super::*;
    use crate::rules::lang::Lang;
    use crate::rules::priority::priority_points;

    #[test]
    fn e1_priority_points_reorder_winners_but_never_rescue_a_raw_score_below_50(
    ) -> Result<(), RankingError> {
        let failed_round1 = Candidate {
            round1_passed: Some(false),
            ..candidate(5, "E")
        };
        let candidates = [
            sat(1, "A", dec!(78.00), dec!(0)),
            sat(2, "B", dec!(72.00), dec!(7.5)),
            sat(3, "C", dec!(49.50), dec!(7.5)),
            sat(4, "D", dec!(75.00), dec!(2.5)),
            failed_round1,
            sat(6, "F", dec!(76.00), dec!(0)),
        ];
        let ranking = rank(
            RuleSet::Vn2025,
            &position(2, Round2Form::Written),
            &candidates,
        )?;

        assert_eq!(ranking.status, RankingStatus::Final);
        // VN-10: ranked by total = raw + priority.
        assert_eq!(names(ranking.winners()), ["B", "A"]);
        // VN-14: the replacement list in order.
        assert_eq!(names(ranking.reserves()), ["D", "F"]);
        let order: Vec<&str> = names(ranking.entries.iter());
        assert_eq!(order, ["B", "A", "D", "F", "C", "E"]);

        let b = ranking
            .entry(2)
            .ok_or(RankingError::DuplicateApplication(2))?;
        assert_eq!(b.total, Some(dec!(79.50)));
        assert_eq!(b.rank, Some(1));
        assert_eq!(
            b.reason.render(Lang::En),
            "winner: total 79.50 = 72.00 + priority 7.50"
        );
        assert_eq!(
            b.reason.render(Lang::Vi),
            "trúng tuyển: tổng 79.50 = 72.00 + ưu tiên 7.50"
        );
        let d = ranking
            .entry(4)
            .ok_or(RankingError::DuplicateApplication(4))?;
        assert_eq!(
            d.reason.render(Lang::En),
            "reserve, rank 3: total 77.50 = 75.00 + priority 2.50"
        );

        // VN-10: 49.50 + 7.5 = 57.00 would beat nobody's gate: C is not eligible at all.
        let c = ranking
            .entry(3)
            .ok_or(RankingError::DuplicateApplication(3))?;
        assert_eq!(c.outcome, Outcome::Ineligible);
        assert_eq!(
            (c.raw_score, c.total, c.rank),
            (Some(dec!(49.50)), None, None)
        );
        assert_eq!(
            c.reason.render(Lang::En),
            "not eligible: round-2 score 49.50 < 50 (priority points cannot make up for it)"
        );
        assert_eq!(
            c.reason.render(Lang::Vi),
            "không đủ điều kiện: điểm thi vòng 2 49.50 < 50 (điểm ưu tiên không bù cho điểm dưới 50)"
        );
        assert_eq!(outcome(&ranking, 5), Some(Outcome::FailedRound1));
        Ok(())
    }
    #[test]
    fn e2_only_the_highest_priority_group_enters_the_total() -> Result<(), RankingError> {
        // VN-8: 5 + 2.5 + 1.5 are not summed; the total is 70.00 + 5.00.
        let as_of = NaiveDate::from_ymd_opt(2025, 9, 1).expect("valid test date");
        let points = priority_points(
            RuleSet::Vn2025,
            &["ethnic_minority", "military_service", "union_cadre"],
            &[] as &[&str],
            as_of,
        )?;
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[sat(1, "G", dec!(70.00), points)],
        )?;
        let entry = ranking
            .entry(1)
            .ok_or(RankingError::DuplicateApplication(1))?;
        assert_eq!(entry.total, Some(dec!(75.00)));
        assert_eq!(entry.outcome, Outcome::Winner);
        Ok(())
    }
    #[test]
    fn vn_10_a_grade_without_round_1_is_ranked_on_round_2_alone() -> Result<(), RankingError> {
        let principal = Candidate {
            round1_passed: None,
            ..sat(1, "A", dec!(60), dec!(0))
        };
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[principal],
        )?;
        assert_eq!(outcome(&ranking, 1), Some(Outcome::Winner));
        Ok(())
    }
    #[test]
    fn vn_10_an_absent_candidate_is_not_eligible() -> Result<(), RankingError> {
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::WrittenCbt),
            &[candidate(1, "A")],
        )?;
        let entry = ranking
            .entry(1)
            .ok_or(RankingError::DuplicateApplication(1))?;
        assert_eq!(entry.outcome, Outcome::Ineligible);
        assert_eq!(
            entry.reason.render(Lang::En),
            "not eligible: absent from round 2"
        );
        assert_eq!(
            entry.reason.render(Lang::Vi),
            "không đủ điều kiện: vắng thi vòng 2"
        );
        Ok(())
    }
    #[test]
    fn vn_12_scores_are_shown_with_exactly_two_places() -> Result<(), RankingError> {
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[sat(1, "A", dec!(78), dec!(0))],
        )?;
        let entry = ranking
            .entry(1)
            .ok_or(RankingError::DuplicateApplication(1))?;
        assert_eq!(
            entry.raw_score.map(|raw| raw.to_string()).as_deref(),
            Some("78.00")
        );
        assert_eq!(
            entry.total.map(|raw| raw.to_string()).as_deref(),
            Some("78.00")
        );
        assert_eq!(entry.priority_points.to_string(), "0.00");
        Ok(())
    }
    #[test]
    fn inconsistent_input_is_refused_with_the_application_named() {
        let written = position(1, Round2Form::Written);
        assert_eq!(
            rank(
                RuleSet::Vn2025,
                &written,
                &[
                    sat(7, "A", dec!(60), dec!(0)),
                    sat(7, "B", dec!(61), dec!(0))
                ]
            ),
            Err(RankingError::DuplicateApplication(7))
        );
        assert_eq!(
            rank(
                RuleSet::Vn2025,
                &written,
                &[sat(7, "A", dec!(100.5), dec!(0))]
            ),
            Err(RankingError::Candidate {
                application_id: 7,
                field: "professional",
                source: Box::new(RankingError::MarkOutOfRange(dec!(100.5))),
            })
        );
        assert_eq!(
            rank(
                RuleSet::Vn2025,
                &written,
                &[sat_both(7, "A", Some(dec!(60)), None)]
            ),
            Err(RankingError::UnexpectedScore {
                application_id: 7,
                field: "written",
                form: Round2Form::Written,
            })
        );
        assert!(matches!(
            rank(
                RuleSet::Vn2025,
                &written,
                &[sat(7, "A", dec!(60), dec!(-1))]
            ),
            Err(RankingError::Candidate {
                field: "priority_points",
                ..
            })
        ));
        let two_agencies = shared(&[("X", 1), ("Y", 1)]);
        assert_eq!(
            rank(
                RuleSet::Vn2025,
                &two_agencies,
                &[prefer(sat(7, "A", dec!(60), dec!(0)), &["Q"])]
            ),
            Err(RankingError::UnknownAgency {
                application_id: 7,
                agency: "Q".to_owned(),
            })
        );
        let mismatch = Position {
            quota: 3,
            ..two_agencies
        };
        assert_eq!(
            rank(RuleSet::Vn2025, &mismatch, &[]),
            Err(RankingError::QuotaMismatch { quota: 3, sum: 2 })
        );
    }
}
