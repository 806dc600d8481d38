//! Marks of the parts that people mark (paper scripts, panels) and the official rounding
//! (VN-1, VN-12, VN-26, VN-28).

use std::fmt;
use std::str::FromStr;

use rust_decimal::{dec, Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::rules::error::RankingError;
use crate::rules::lang::Lang;

pub const MARK_MIN: Decimal = dec!(0);
pub const MARK_MAX: Decimal = dec!(100);

/// Weights of the combined written + interview form (VN-1).
const WRITTEN_WEIGHT: Decimal = dec!(0.7);
const INTERVIEW_WEIGHT: Decimal = dec!(0.3);

/// Two markers this close simply average (VN-26).
const MARKERS_AVERAGE_WITHIN: Decimal = dec!(5);
/// From this spread on, a third marker marks the script (VN-26).
const THIRD_MARKER_FROM: Decimal = dec!(10);
/// A panel spread above this goes to the panel head (VN-28).
const PANEL_SPREAD_LIMIT: Decimal = dec!(10);

/// The official rounding: 2 decimal places, halves away from zero, always written with 2 places
/// so that `78` is shown and compared as `78.00` (VN-12).
pub fn round2(value: Decimal) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

/// A score or mark as the API, the documents and the reasons write it: officially rounded and
/// always with 2 places (`78` is `"78.00"`, VN-12).
pub fn two_places(value: Decimal) -> String {
    format!("{:.2}", round2(value))
}

/// Accepts a mark as entered: within 0..=100 with at most 2 decimal places. Returns it with
/// exactly 2 places. A third decimal is refused rather than rounded, because it is a typing
/// error, not a mark.
pub fn validate_mark(mark: Decimal) -> Result<Decimal, RankingError> {
    if !(MARK_MIN..=MARK_MAX).contains(&mark) {
        return Err(RankingError::MarkOutOfRange(mark));
    }
    if mark.normalize().scale() > 2 {
        return Err(RankingError::MarkTooPrecise(mark));
    }
    Ok(round2(mark))
}

/// Composite score of the combined form: 0.7 × written + 0.3 × interview, rounded to 2 places
/// (VN-1). `0.7 × 48 + 0.3 × 100` is exactly `63.60` (VN-12).
pub fn combined_composite(written: Decimal, interview: Decimal) -> Result<Decimal, RankingError> {
    let written = validate_mark(written)?;
    let interview = validate_mark(interview)?;
    Ok(round2(
        WRITTEN_WEIGHT * written + INTERVIEW_WEIGHT * interview,
    ))
}

/// The result of putting marks together: an official mark, or the person who must settle it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkOutcome {
    /// The official mark, 2 decimal places.
    Final(Decimal),
    /// The head of the marking board (or panel) must decide.
    NeedsHead { reason: HeadReason },
    /// The two markers are 10 or more apart and no third mark has been entered yet (VN-26).
    NeedsThirdMarker,
}

impl MarkOutcome {
    pub fn official(&self) -> Option<Decimal> {
        match self {
            MarkOutcome::Final(mark) => Some(*mark),
            MarkOutcome::NeedsHead { .. } | MarkOutcome::NeedsThirdMarker => None,
        }
    }

    /// The API's `status` value.
    pub const fn status_code(&self) -> &'static str {
        match self {
            MarkOutcome::Final(_) => "final",
            MarkOutcome::NeedsHead { .. } => "needs_head",
            MarkOutcome::NeedsThirdMarker => "needs_third_marker",
        }
    }

    /// Why the marks wait for someone, in `lang`; `None` once there is an official mark.
    pub fn reason(&self, lang: Lang) -> Option<String> {
        match (self, lang) {
            (MarkOutcome::Final(_), _) => None,
            (MarkOutcome::NeedsHead { reason }, _) => Some(reason.render(lang)),
            (MarkOutcome::NeedsThirdMarker, Lang::Vi) => {
                Some("hai giám khảo chênh nhau từ 10 điểm: cần giám khảo thứ ba chấm".to_owned())
            }
            (MarkOutcome::NeedsThirdMarker, Lang::En) => {
                Some("the two markers differ by 10 or more: a third marker must mark".to_owned())
            }
        }
    }
}

/// Why marks went to a head, in terms the head can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadReason {
    /// Two markers differ by more than 5 and less than 10 (VN-26).
    MarkersDiffer { spread: Decimal },
    /// A third marker was needed and no two of the three marks are equal (VN-26).
    NoTwoMarkersAgree,
    /// Panel members are more than 10 apart (VN-28).
    PanelSpread { spread: Decimal },
}

impl HeadReason {
    /// The reason in `lang`, as the marks' `reason` (Vietnamese) and `reason_en` show it.
    pub fn render(&self, lang: Lang) -> String {
        match (self, lang) {
            (HeadReason::MarkersDiffer { spread }, Lang::Vi) => format!(
                "hai giám khảo chênh nhau {} điểm (trên 5, dưới 10): trưởng ban chấm thi quyết định",
                two_places(*spread)
            ),
            (HeadReason::MarkersDiffer { spread }, Lang::En) => format!(
                "the two markers differ by {} (over 5, under 10): the marking-board head decides",
                two_places(*spread)
            ),
            (HeadReason::NoTwoMarkersAgree, Lang::Vi) => {
                "ba giám khảo chấm khác nhau: trưởng ban chấm thi quyết định".to_owned()
            }
            (HeadReason::NoTwoMarkersAgree, Lang::En) => {
                "no two of the three markers agree: the marking-board head decides".to_owned()
            }
            (HeadReason::PanelSpread { spread }, Lang::Vi) => format!(
                "các thành viên chấm chênh nhau {} điểm (trên 10): trưởng ban quyết định",
                two_places(*spread)
            ),
            (HeadReason::PanelSpread { spread }, Lang::En) => format!(
                "panel members differ by {} (over 10): the panel head decides",
                two_places(*spread)
            ),
        }
    }
}

/// Official mark of a double-marked paper script (VN-26).
///
/// |d1 − d2| ≤ 5 averages (rounded to 2 places); 5 < |d1 − d2| < 10 goes to the head; ≥ 10 needs
/// a third marker, whose mark stands with whichever first mark it equals, and otherwise the head
/// decides. "Agree" means equal: the rule names no tolerance. A third mark given when none was
/// needed is validated but does not count.
pub fn double_marking(
    first: Decimal,
    second: Decimal,
    third: Option<Decimal>,
) -> Result<MarkOutcome, RankingError> {
    let first = validate_mark(first)?;
    let second = validate_mark(second)?;
    let third = third.map(validate_mark).transpose()?;
    let spread = (first - second).abs();
    if spread <= MARKERS_AVERAGE_WITHIN {
        return Ok(MarkOutcome::Final(round2((first + second) / dec!(2))));
    }
    if spread < THIRD_MARKER_FROM {
        return Ok(MarkOutcome::NeedsHead {
            reason: HeadReason::MarkersDiffer { spread },
        });
    }
    Ok(match third {
        None => MarkOutcome::NeedsThirdMarker,
        Some(third) if third == first || third == second => MarkOutcome::Final(third),
        Some(_) => MarkOutcome::NeedsHead {
            reason: HeadReason::NoTwoMarkersAgree,
        },
    })
}

/// Official mark of an interview, oral, practical or project panel: the average of at least two
/// independent marks, rounded to 2 places, unless they spread over 10 points (VN-28).
pub fn panel_average(marks: &[Decimal]) -> Result<MarkOutcome, RankingError> {
    let marks = marks
        .iter()
        .map(|mark| validate_mark(*mark))
        .collect::<Result<Vec<_>, _>>()?;
    let (Some(lowest), Some(highest)) = (marks.iter().min(), marks.iter().max()) else {
        return Err(RankingError::PanelTooSmall(0));
    };
    if marks.len() < 2 {
        return Err(RankingError::PanelTooSmall(marks.len()));
    }
    let spread = highest - lowest;
    if spread > PANEL_SPREAD_LIMIT {
        return Ok(MarkOutcome::NeedsHead {
            reason: HeadReason::PanelSpread { spread },
        });
    }
    let sum: Decimal = marks.iter().sum();
    Ok(MarkOutcome::Final(round2(sum / Decimal::from(marks.len()))))
}

/// The part a set of marks belongs to, as named in the API (`component`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkComponent {
    /// A paper script, double-marked (VN-26).
    Written,
    Interview,
    Oral,
    Practical,
    /// Project defence (*Đề án*, VN-4).
    Project,
}

impl MarkComponent {
    pub const ALL: [MarkComponent; 5] = [
        MarkComponent::Written,
        MarkComponent::Interview,
        MarkComponent::Oral,
        MarkComponent::Practical,
        MarkComponent::Project,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            MarkComponent::Written => "written",
            MarkComponent::Interview => "interview",
            MarkComponent::Oral => "oral",
            MarkComponent::Practical => "practical",
            MarkComponent::Project => "project",
        }
    }
}

impl fmt::Display for MarkComponent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for MarkComponent {
    type Err = RankingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MarkComponent::ALL
            .into_iter()
            .find(|component| component.code() == s)
            .ok_or_else(|| RankingError::UnknownMarkComponent(s.to_owned()))
    }
}

/// Official mark of one component from the marks entered for it: a written script takes its two
/// markers' marks and, when needed, the third (VN-26); every other component is a panel (VN-28).
pub fn official_mark(
    component: MarkComponent,
    marks: &[Decimal],
) -> Result<MarkOutcome, RankingError> {
    match (component, marks) {
        (MarkComponent::Written, [first, second]) => double_marking(*first, *second, None),
        (MarkComponent::Written, [first, second, third]) => {
            double_marking(*first, *second, Some(*third))
        }
        (MarkComponent::Written, _) => Err(RankingError::WrongMarkCount {
            component,
            expected: "2 or 3",
            got: marks.len(),
        }),
        (_, _) if marks.len() < 2 => Err(RankingError::WrongMarkCount {
            component,
            expected: "at least 2",
            got: marks.len(),
        }),
        (_, _) => panel_average(marks),
    }
}

/// A review differing from the published mark by less than this replaces it outright; from
/// this gap on, the council confers (minuted) and the chair decides (VN-27).
pub const REVIEW_CONFERENCE_FROM: Decimal = dec!(5);

/// What the reviewers' marks of a paper script give (VN-27).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewOutcome {
    /// The two reviewers differ: a third reviewer marks the script.
    NeedsThirdReviewer,
    /// The review mark differs from the published one by less than 5: it replaces it.
    Replaces(Decimal),
    /// The review mark differs by 5 or more: a minuted conference, then the chair decides.
    NeedsConference(Decimal),
}

impl ReviewOutcome {
    pub const fn status_code(self) -> &'static str {
        match self {
            ReviewOutcome::NeedsThirdReviewer => "needs_third_reviewer",
            ReviewOutcome::Replaces(_) => "applied",
            ReviewOutcome::NeedsConference(_) => "needs_conference",
        }
    }

    /// The reviewers' mark, once they have given one.
    pub const fn review_mark(self) -> Option<Decimal> {
        match self {
            ReviewOutcome::NeedsThirdReviewer => None,
            ReviewOutcome::Replaces(mark) | ReviewOutcome::NeedsConference(mark) => Some(mark),
        }
    }
}

/// VN-27: two reviewers mark the script; equal marks stand. If they differ, a third marks it:
/// a mark two of the three share stands, otherwise the average of the three (2 places). The
/// review mark replaces the published mark when they differ by less than 5; otherwise it goes
/// to a conference.
pub fn review_outcome(
    marks: &[Decimal],
    published: Decimal,
) -> Result<ReviewOutcome, RankingError> {
    let marks = marks
        .iter()
        .map(|mark| validate_mark(*mark))
        .collect::<Result<Vec<_>, _>>()?;
    let published = validate_mark(published)?;
    let review = match marks.as_slice() {
        [first, second] if first == second => *first,
        [_, _] => return Ok(ReviewOutcome::NeedsThirdReviewer),
        [first, second, _] if first == second => return Err(RankingError::ThirdReviewerNotNeeded),
        [first, second, third] => {
            if third == first || third == second {
                *third
            } else {
                round2((*first + *second + *third) / dec!(3))
            }
        }
        other => return Err(RankingError::WrongReviewCount(other.len())),
    };
    Ok(if (review - published).abs() < REVIEW_CONFERENCE_FROM {
        ReviewOutcome::Replaces(review)
    } else {
        ReviewOutcome::NeedsConference(review)
    })
}

#[cfg(test)]
mod review_tests {
    use super::*;

    #[test]
    fn vn_27_two_reviewers_agreeing_within_5_of_the_published_mark_replace_it(
    ) -> Result<(), RankingError> {
        assert_eq!(
            review_outcome(&[dec!(52), dec!(52)], dec!(49.50))?,
            ReviewOutcome::Replaces(dec!(52.00))
        );
        // A lower review replaces too: a review can go either way.
        assert_eq!(
            review_outcome(&[dec!(60.25), dec!(60.25)], dec!(62))?,
            ReviewOutcome::Replaces(dec!(60.25))
        );
        Ok(())
    }

    #[test]
    fn vn_27_reviewers_who_differ_call_a_third() -> Result<(), RankingError> {
        assert_eq!(
            review_outcome(&[dec!(52), dec!(53)], dec!(50))?,
            ReviewOutcome::NeedsThirdReviewer
        );
        // Two of three equal: that mark.
        assert_eq!(
            review_outcome(&[dec!(52), dec!(53), dec!(53)], dec!(50))?,
            ReviewOutcome::Replaces(dec!(53.00))
        );
        assert_eq!(
            review_outcome(&[dec!(52), dec!(53), dec!(52)], dec!(50))?,
            ReviewOutcome::Replaces(dec!(52.00))
        );
        // All three differ: the average of three, officially rounded: 155.5 / 3 = 51.8333 → 51.83.
        assert_eq!(
            review_outcome(&[dec!(52), dec!(53), dec!(50.50)], dec!(50))?,
            ReviewOutcome::Replaces(dec!(51.83))
        );
        Ok(())
    }

    #[test]
    fn vn_27_a_gap_of_5_or_more_goes_to_a_conference() -> Result<(), RankingError> {
        assert_eq!(
            review_outcome(&[dec!(55), dec!(55)], dec!(50))?,
            ReviewOutcome::NeedsConference(dec!(55.00))
        );
        assert_eq!(
            review_outcome(&[dec!(54.99), dec!(54.99)], dec!(50))?,
            ReviewOutcome::Replaces(dec!(54.99))
        );
        assert_eq!(
            review_outcome(&[dec!(40), dec!(40)], dec!(45))?,
            ReviewOutcome::NeedsConference(dec!(40.00))
        );
        Ok(())
    }

    #[test]
    fn vn_27_wrong_counts_and_marks_are_refused() {
        assert_eq!(
            review_outcome(&[dec!(52)], dec!(50)),
            Err(RankingError::WrongReviewCount(1))
        );
        assert_eq!(
            review_outcome(&[dec!(52), dec!(52), dec!(60)], dec!(50)),
            Err(RankingError::ThirdReviewerNotNeeded)
        );
        assert_eq!(
            review_outcome(&[dec!(52), dec!(101)], dec!(50)),
            Err(RankingError::MarkOutOfRange(dec!(101)))
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vn_12_composite_is_exact_63_60_not_63_5999() -> Result<(), RankingError> {
        let composite = combined_composite(dec!(48), dec!(100))?;
        assert_eq!(composite, dec!(63.60));
        assert_eq!(composite.to_string(), "63.60");
        Ok(())
    }

    #[test]
    fn vn_1_composite_is_rounded_to_2_places_half_away_from_zero() -> Result<(), RankingError> {
        // 0.7 × 70 + 0.3 × 83.34 = 74.002
        assert_eq!(combined_composite(dec!(70), dec!(83.34))?, dec!(74.00));
        // 0.7 × 0.15 + 0.3 × 0 = 0.105: a midpoint rounds away from zero, not to even
        assert_eq!(combined_composite(dec!(0.15), dec!(0))?, dec!(0.11));
        Ok(())
    }

    #[test]
    fn a_mark_outside_0_to_100_is_refused() {
        assert_eq!(
            validate_mark(dec!(100.01)),
            Err(RankingError::MarkOutOfRange(dec!(100.01)))
        );
        assert_eq!(
            validate_mark(dec!(-1)),
            Err(RankingError::MarkOutOfRange(dec!(-1)))
        );
    }

    #[test]
    fn a_mark_with_3_decimal_places_is_refused_but_trailing_zeros_are_fine(
    ) -> Result<(), RankingError> {
        assert_eq!(
            validate_mark(dec!(62.005)),
            Err(RankingError::MarkTooPrecise(dec!(62.005)))
        );
        assert_eq!(validate_mark(dec!(62.500))?.to_string(), "62.50");
        assert_eq!(validate_mark(dec!(100))?.to_string(), "100.00");
        Ok(())
    }

    #[test]
    fn vn_26_markers_within_5_average() -> Result<(), RankingError> {
        assert_eq!(
            double_marking(dec!(62), dec!(66), None)?,
            MarkOutcome::Final(dec!(64.00))
        );
        assert_eq!(
            double_marking(dec!(60), dec!(65), None)?,
            MarkOutcome::Final(dec!(62.50))
        );
        // (62.01 + 62.00) / 2 = 62.005: the average itself is rounded officially
        assert_eq!(
            double_marking(dec!(62.01), dec!(62.00), None)?,
            MarkOutcome::Final(dec!(62.01))
        );
        Ok(())
    }

    #[test]
    fn vn_26_markers_more_than_5_and_less_than_10_apart_go_to_the_head() -> Result<(), RankingError>
    {
        let outcome = double_marking(dec!(60), dec!(65.5), None)?;
        assert_eq!(
            outcome,
            MarkOutcome::NeedsHead {
                reason: HeadReason::MarkersDiffer { spread: dec!(5.50) }
            }
        );
        assert_eq!(outcome.status_code(), "needs_head");
        assert_eq!(outcome.official(), None);
        // a third mark does not bypass the head in this band
        assert!(matches!(
            double_marking(dec!(60), dec!(69.99), Some(dec!(60)))?,
            MarkOutcome::NeedsHead { .. }
        ));
        Ok(())
    }

    #[test]
    fn vn_26_markers_10_or_more_apart_need_a_third_marker() -> Result<(), RankingError> {
        assert_eq!(
            double_marking(dec!(50), dec!(60), None)?,
            MarkOutcome::NeedsThirdMarker
        );
        assert_eq!(
            double_marking(dec!(50), dec!(60), Some(dec!(60)))?,
            MarkOutcome::Final(dec!(60.00))
        );
        assert_eq!(
            double_marking(dec!(50), dec!(60), Some(dec!(50)))?,
            MarkOutcome::Final(dec!(50.00))
        );
        assert_eq!(
            double_marking(dec!(50), dec!(60), Some(dec!(55)))?,
            MarkOutcome::NeedsHead {
                reason: HeadReason::NoTwoMarkersAgree
            }
        );
        Ok(())
    }

    #[test]
    fn vn_26_an_invalid_mark_is_refused_even_as_third() {
        assert_eq!(
            double_marking(dec!(50), dec!(60), Some(dec!(101))),
            Err(RankingError::MarkOutOfRange(dec!(101)))
        );
    }

    #[test]
    fn vn_28_a_panel_averages_to_2_places() -> Result<(), RankingError> {
        assert_eq!(
            panel_average(&[dec!(70), dec!(71), dec!(71)])?,
            MarkOutcome::Final(dec!(70.67))
        );
        assert_eq!(
            panel_average(&[dec!(60), dec!(70)])?,
            MarkOutcome::Final(dec!(65.00))
        );
        Ok(())
    }

    #[test]
    fn vn_28_a_panel_spread_over_10_goes_to_the_panel_head() -> Result<(), RankingError> {
        assert_eq!(
            panel_average(&[dec!(60), dec!(65), dec!(70.01)])?,
            MarkOutcome::NeedsHead {
                reason: HeadReason::PanelSpread {
                    spread: dec!(10.01)
                }
            }
        );
        Ok(())
    }

    #[test]
    fn vn_28_a_panel_needs_at_least_two_members() {
        assert_eq!(
            panel_average(&[dec!(60)]),
            Err(RankingError::PanelTooSmall(1))
        );
        assert!(matches!(
            official_mark(MarkComponent::Oral, &[]),
            Err(RankingError::WrongMarkCount {
                component: MarkComponent::Oral,
                got: 0,
                ..
            })
        ));
    }

    #[test]
    fn official_mark_double_marks_scripts_and_averages_panels() -> Result<(), RankingError> {
        assert_eq!(
            official_mark(MarkComponent::Written, &[dec!(62.00), dec!(66.00)])?,
            MarkOutcome::Final(dec!(64.00))
        );
        assert_eq!(
            official_mark(MarkComponent::Written, &[dec!(40), dec!(60), dec!(40)])?,
            MarkOutcome::Final(dec!(40.00))
        );
        assert!(matches!(
            official_mark(MarkComponent::Written, &[dec!(40)]),
            Err(RankingError::WrongMarkCount { .. })
        ));
        assert_eq!(
            official_mark(MarkComponent::Interview, &[dec!(60), dec!(65), dec!(67)])?,
            MarkOutcome::Final(dec!(64.00))
        );
        Ok(())
    }

    #[test]
    fn a_mark_waiting_for_someone_says_who_in_both_languages() {
        let cases = [
            (
                MarkOutcome::NeedsHead {
                    reason: HeadReason::MarkersDiffer { spread: dec!(5.50) },
                },
                "hai giám khảo chênh nhau 5.50 điểm (trên 5, dưới 10): trưởng ban chấm thi quyết định",
                "the two markers differ by 5.50 (over 5, under 10): the marking-board head decides",
            ),
            (
                MarkOutcome::NeedsHead {
                    reason: HeadReason::NoTwoMarkersAgree,
                },
                "ba giám khảo chấm khác nhau: trưởng ban chấm thi quyết định",
                "no two of the three markers agree: the marking-board head decides",
            ),
            (
                MarkOutcome::NeedsHead {
                    reason: HeadReason::PanelSpread {
                        spread: dec!(10.01),
                    },
                },
                "các thành viên chấm chênh nhau 10.01 điểm (trên 10): trưởng ban quyết định",
                "panel members differ by 10.01 (over 10): the panel head decides",
            ),
            (
                MarkOutcome::NeedsThirdMarker,
                "hai giám khảo chênh nhau từ 10 điểm: cần giám khảo thứ ba chấm",
                "the two markers differ by 10 or more: a third marker must mark",
            ),
        ];
        for (outcome, vi, en) in cases {
            assert_eq!(outcome.reason(Lang::Vi).as_deref(), Some(vi));
            assert_eq!(outcome.reason(Lang::En).as_deref(), Some(en));
        }
        for lang in Lang::ALL {
            assert_eq!(MarkOutcome::Final(dec!(64.00)).reason(lang), None);
        }
    }

    #[test]
    fn vn_12_scores_are_written_with_two_places() {
        assert_eq!(two_places(dec!(78)), "78.00");
        assert_eq!(two_places(dec!(7.5)), "7.50");
        assert_eq!(two_places(dec!(74.002)), "74.00");
        assert_eq!(two_places(dec!(0.105)), "0.11");
    }

    #[test]
    fn mark_components_round_trip() -> Result<(), RankingError> {
        for component in MarkComponent::ALL {
            assert_eq!(component.code().parse::<MarkComponent>()?, component);
        }
        Ok(())
    }
}
