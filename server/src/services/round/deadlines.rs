//! The legal deadlines of a round (VN-30) as pure date arithmetic, for the HR dashboard.
//!
//! Each deadline counts from the step before it: from the date HR recorded for that step when
//! there is one, otherwise from that step's own deadline (the latest the law allows), in which
//! case the result is marked `estimated`. Periods are counted on the working-day calendar of
//! VN-32 ([`Calendar`]): working days skip weekends, public holidays and the days off of the
//! Government's yearly notice; a period of calendar days whose last day is a day off ends on
//! the next working day (Civil Code Art 148).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::rules::calendar::{Calendar, Period};

/// From this many applicants on, the council has 30 days instead of 15 for the list of
/// eligible candidates (VN-30).
pub const LARGE_ROUND_APPLICANTS: u64 = 500;

/// What the deadlines are computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeadlineInput {
    pub applications_open_on: Option<NaiveDate>,
    /// Applications received in the round.
    pub applicants: u64,
    /// The day round 1 was (or is to be) held, when HR has recorded it.
    pub round1_on: Option<NaiveDate>,
    /// The day round 2 was (or is to be) held, when HR has recorded it.
    pub round2_on: Option<NaiveDate>,
}

/// One deadline of VN-30.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Deadline {
    /// Stable code: `applications_close`, `eligible_list`, `round1`, `round2`,
    /// `results_approved`, `winners_published`, `dossier`, `recruitment_decision`.
    pub code: String,
    /// The rule, in words.
    pub rule: String,
    /// The last day allowed; `null` while the round lacks the date it counts from.
    pub due_on: Option<NaiveDate>,
    /// Whether the period is counted in working days (VN-32).
    pub working_days: bool,
    /// Counted from an earlier deadline rather than from a recorded date.
    pub estimated: bool,
    /// Whether the Government's notice of days off is known for the year the deadline falls
    /// in; when it is not, only weekends and fixed holidays were skipped and the date may be
    /// too early.
    pub holidays_known: bool,
}

/// Working days after the publication of results within which a candidate may ask for a review
/// of a paper script (VN-27).
pub const REVIEW_WORKING_DAYS: u32 = 5;

/// The last day a review request is accepted for results published on `published_on`
/// (Vietnamese dates): 5 working days later (VN-27).
pub fn review_deadline(calendar: &Calendar, published_on: NaiveDate) -> NaiveDate {
    calendar.add_working_days(published_on, REVIEW_WORKING_DAYS)
}

/// A point in the chain: a date and whether it is only a deadline.
#[derive(Clone, Copy)]
struct Basis {
    date: Option<NaiveDate>,
    estimated: bool,
}

impl Basis {
    fn recorded_or(recorded: Option<NaiveDate>, deadline: &Deadline) -> Basis {
        match recorded {
            Some(date) => Basis {
                date: Some(date),
                estimated: false,
            },
            None => Basis {
                date: deadline.due_on,
                estimated: true,
            },
        }
    }

    fn deadline(
        self,
        calendar: &Calendar,
        code: &'static str,
        rule: String,
        period: Period,
    ) -> Deadline {
        let due_on = self.date.map(|d| calendar.period_end(d, period));
        Deadline {
            code: code.to_string(),
            rule,
            due_on,
            working_days: matches!(period, Period::WorkingDays(_)),
            estimated: self.estimated,
            holidays_known: due_on.is_none_or(|d| calendar.is_known(d.year())),
        }
    }

    fn after(deadline: &Deadline) -> Basis {
        Basis {
            date: deadline.due_on,
            estimated: true,
        }
    }
}

/// The deadlines of VN-30, in the order the steps happen.
pub fn deadlines(input: &DeadlineInput, calendar: &Calendar) -> Vec<Deadline> {
    let open = Basis {
        date: input.applications_open_on,
        estimated: false,
    };
    let close = open.deadline(
        calendar,
        "applications_close",
        "applications are received for 30 days from the opening".into(),
        Period::Days(30),
    );
    let closed = Basis {
        date: close.due_on,
        estimated: false,
    };
    let list_days = if input.applicants >= LARGE_ROUND_APPLICANTS {
        30
    } else {
        15
    };
    let eligible_list = closed.deadline(
        calendar,
        "eligible_list",
        format!(
            "the list of eligible candidates within {list_days} days of closing (15 days, or 30 \
             with {LARGE_ROUND_APPLICANTS} applicants or more)"
        ),
        Period::Days(list_days),
    );
    let round1 = closed.deadline(
        calendar,
        "round1",
        "round 1 within 30 days of closing".into(),
        Period::Days(30),
    );
    let round2 = Basis::recorded_or(input.round1_on, &round1).deadline(
        calendar,
        "round2",
        "round 2 within 10 days of round 1".into(),
        Period::Days(10),
    );
    let results = Basis::recorded_or(input.round2_on, &round2).deadline(
        calendar,
        "results_approved",
        "results marked and approved within 5 + 5 working days of round 2".into(),
        Period::WorkingDays(10),
    );
    let published = Basis::after(&results).deadline(
        calendar,
        "winners_published",
        "winners published within 2 working days of the approval".into(),
        Period::WorkingDays(2),
    );
    let dossier = Basis::after(&published).deadline(
        calendar,
        "dossier",
        "winners complete their dossier within 15 days of the notice".into(),
        Period::Days(15),
    );
    let decision = Basis::after(&dossier).deadline(
        calendar,
        "recruitment_decision",
        "recruitment decision within 3 working days of the completed dossier".into(),
        Period::WorkingDays(3),
    );
    vec![
        close,
        eligible_list,
        round1,
        round2,
        results,
        published,
        dossier,
        decision,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::calendar::{shipped_notices, YearNotice};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn vietnam() -> Calendar {
        Calendar::new(&shipped_notices())
    }

    fn due(list: &[Deadline], code: &str) -> Option<NaiveDate> {
        list.iter().find(|d| d.code == code).and_then(|d| d.due_on)
    }

    #[test]
    fn vn_27_reviews_close_5_working_days_after_publication() {
        // Published on Friday 27 Nov 2026: Mon 30 Nov to Fri 4 Dec are the 5 working days.
        assert_eq!(
            review_deadline(&vietnam(), day(2026, 11, 27)),
            day(2026, 12, 4)
        );
    }

    #[test]
    fn e11a_marks_published_wednesday_29_april_leave_reviews_until_friday_8_may() {
        // 30 April and 1 May are holidays, 2 and 3 May a weekend: 4 to 8 May are the 5 days.
        assert_eq!(
            review_deadline(&vietnam(), day(2026, 4, 29)),
            day(2026, 5, 8)
        );
    }

    #[test]
    fn vn_30_e11b_the_chain_from_the_opening_day_skips_the_holidays() {
        // Opening Monday 2026-03-02, 120 applicants, no test dates recorded yet.
        let list = deadlines(
            &DeadlineInput {
                applications_open_on: Some(day(2026, 3, 2)),
                applicants: 120,
                ..Default::default()
            },
            &vietnam(),
        );
        assert_eq!(due(&list, "applications_close"), Some(day(2026, 4, 1)));
        assert_eq!(due(&list, "eligible_list"), Some(day(2026, 4, 16)));
        // E11: round 1 due on Friday 1 May (a holiday) moves to Monday 4 May.
        assert_eq!(due(&list, "round1"), Some(day(2026, 5, 4)));
        assert_eq!(due(&list, "round2"), Some(day(2026, 5, 14)));
        // Thursday 14 May + 10 working days = Thursday 28 May; + 2 = Monday 1 June.
        assert_eq!(due(&list, "results_approved"), Some(day(2026, 5, 28)));
        assert_eq!(due(&list, "winners_published"), Some(day(2026, 6, 1)));
        assert_eq!(due(&list, "dossier"), Some(day(2026, 6, 16)));
        // Tuesday 16 June + 3 working days = Friday 19 June.
        assert_eq!(due(&list, "recruitment_decision"), Some(day(2026, 6, 19)));
        assert!(!list[0].estimated && !list[2].estimated);
        assert!(
            list[3].estimated,
            "round 2 counts from the round-1 deadline"
        );
        assert!(list[4].working_days && !list[1].working_days);
        assert!(list.iter().all(|d| d.holidays_known));
    }

    #[test]
    fn e11c_winners_published_friday_14_august_give_a_decision_by_tuesday_8_september() {
        // The dossier period (15 days) from Friday 14 August ends Saturday 29 August, so on
        // Monday 31 August — a day off in exchange for Saturday 22 August — and then on
        // Tuesday 1 September, the day next to National Day: it ends Thursday 3 September.
        let calendar = vietnam();
        let dossier = calendar.period_end(day(2026, 8, 14), Period::Days(15));
        assert_eq!(dossier, day(2026, 9, 3));
        assert_eq!(
            calendar.period_end(dossier, Period::WorkingDays(3)),
            day(2026, 9, 8)
        );
    }

    #[test]
    fn vn_30_a_large_round_gets_30_days_for_the_eligible_list() {
        let input = DeadlineInput {
            applications_open_on: Some(day(2026, 3, 2)),
            applicants: 500,
            ..Default::default()
        };
        // 30 days after Wednesday 1 April is Friday 1 May, a holiday: Monday 4 May.
        assert_eq!(
            due(&deadlines(&input, &vietnam()), "eligible_list"),
            Some(day(2026, 5, 4))
        );
        let input = DeadlineInput {
            applicants: 499,
            ..input
        };
        assert_eq!(
            due(&deadlines(&input, &vietnam()), "eligible_list"),
            Some(day(2026, 4, 16))
        );
    }

    #[test]
    fn vn_30_recorded_test_dates_replace_the_estimates() {
        let list = deadlines(
            &DeadlineInput {
                applications_open_on: Some(day(2026, 3, 2)),
                applicants: 10,
                round1_on: Some(day(2026, 4, 18)),
                round2_on: Some(day(2026, 4, 25)),
            },
            &vietnam(),
        );
        assert_eq!(due(&list, "round2"), Some(day(2026, 4, 28)));
        assert!(!list[3].estimated);
        // From Saturday 25 April: 27 April (the Hùng Kings' day, moved), 30 April and 1 May
        // are off, so the tenth working day is Wednesday 13 May.
        assert_eq!(due(&list, "results_approved"), Some(day(2026, 5, 13)));
        assert!(!list[4].estimated);
    }

    #[test]
    fn vn_32_a_deadline_in_a_year_without_a_notice_says_so() {
        let list = deadlines(
            &DeadlineInput {
                applications_open_on: Some(day(2027, 3, 1)),
                applicants: 10,
                ..Default::default()
            },
            &vietnam(),
        );
        assert!(list.iter().all(|d| !d.holidays_known));
        let known = Calendar::new(&[YearNotice {
            year: 2027,
            ..Default::default()
        }]);
        let list = deadlines(
            &DeadlineInput {
                applications_open_on: Some(day(2027, 3, 1)),
                applicants: 10,
                ..Default::default()
            },
            &known,
        );
        assert!(list.iter().all(|d| d.holidays_known));
    }

    #[test]
    fn without_an_opening_day_only_recorded_dates_give_deadlines() {
        let list = deadlines(&DeadlineInput::default(), &vietnam());
        assert_eq!(list.len(), 8);
        assert!(list.iter().all(|d| d.due_on.is_none()));
        let list = deadlines(
            &DeadlineInput {
                round1_on: Some(day(2026, 4, 18)),
                ..Default::default()
            },
            &vietnam(),
        );
        assert_eq!(due(&list, "round1"), None);
        assert_eq!(due(&list, "round2"), Some(day(2026, 4, 28)));
    }
}
