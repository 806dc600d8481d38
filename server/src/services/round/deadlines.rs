//! The legal deadlines of a round (VN-30) as pure date arithmetic, for the HR dashboard.
//!
//! Each deadline counts from the step before it: from the date HR recorded for that step when
//! there is one, otherwise from that step's own deadline (the latest the law allows), in which
//! case the result is marked `estimated`. Working days skip Saturdays and Sundays; public
//! holidays are not known to the platform and are not skipped.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

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
    /// Whether the period is counted in working days (Monday to Friday).
    pub working_days: bool,
    /// Counted from an earlier deadline rather than from a recorded date.
    pub estimated: bool,
}

/// `days` working days after `from`: Saturdays and Sundays are not counted.
pub fn add_working_days(from: NaiveDate, days: u32) -> NaiveDate {
    let mut date = from;
    let mut left = days;
    while left > 0 {
        date += Duration::days(1);
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    date
}

/// Working days after the publication of results within which a candidate may ask for a review
/// of a paper script (VN-27).
pub const REVIEW_WORKING_DAYS: u32 = 5;

/// The last day a review request is accepted for results published on `published_on`
/// (Vietnamese dates): 5 working days later (VN-27).
pub fn review_deadline(published_on: NaiveDate) -> NaiveDate {
    add_working_days(published_on, REVIEW_WORKING_DAYS)
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

    fn deadline(self, code: &'static str, rule: String, days: u32, working: bool) -> Deadline {
        let due_on = self.date.map(|d| {
            if working {
                add_working_days(d, days)
            } else {
                d + Duration::days(i64::from(days))
            }
        });
        Deadline {
            code: code.to_string(),
            rule,
            due_on,
            working_days: working,
            estimated: self.estimated,
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
pub fn deadlines(input: &DeadlineInput) -> Vec<Deadline> {
    let open = Basis {
        date: input.applications_open_on,
        estimated: false,
    };
    let close = open.deadline(
        "applications_close",
        "applications are received for 30 days from the opening".into(),
        30,
        false,
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
        "eligible_list",
        format!(
            "the list of eligible candidates within {list_days} days of closing (15 days, or 30 \
             with {LARGE_ROUND_APPLICANTS} applicants or more)"
        ),
        list_days,
        false,
    );
    let round1 = closed.deadline(
        "round1",
        "round 1 within 30 days of closing".into(),
        30,
        false,
    );
    let round2 = Basis::recorded_or(input.round1_on, &round1).deadline(
        "round2",
        "round 2 within 10 days of round 1".into(),
        10,
        false,
    );
    let results = Basis::recorded_or(input.round2_on, &round2).deadline(
        "results_approved",
        "results marked and approved within 5 + 5 working days of round 2".into(),
        10,
        true,
    );
    let published = Basis::after(&results).deadline(
        "winners_published",
        "winners published within 2 working days of the approval".into(),
        2,
        true,
    );
    let dossier = Basis::after(&published).deadline(
        "dossier",
        "winners complete their dossier within 15 days of the notice".into(),
        15,
        false,
    );
    let decision = Basis::after(&dossier).deadline(
        "recruitment_decision",
        "recruitment decision within 3 working days of the completed dossier".into(),
        3,
        true,
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

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn vn_27_reviews_close_5_working_days_after_publication() {
        // Published on Friday 27 Nov 2026: Mon 30 Nov to Fri 4 Dec are the 5 working days.
        assert_eq!(review_deadline(day(2026, 11, 27)), day(2026, 12, 4));
        // Published on a Tuesday: the next Tuesday.
        assert_eq!(review_deadline(day(2026, 11, 24)), day(2026, 12, 1));
    }

    fn due(list: &[Deadline], code: &str) -> Option<NaiveDate> {
        list.iter().find(|d| d.code == code).and_then(|d| d.due_on)
    }

    #[test]
    fn working_days_skip_the_weekend() {
        // Friday 2026-03-06 + 1 working day is Monday the 9th; + 2 is Tuesday.
        assert_eq!(add_working_days(day(2026, 3, 6), 1), day(2026, 3, 9));
        assert_eq!(add_working_days(day(2026, 3, 6), 2), day(2026, 3, 10));
        // From a Saturday the first working day is Monday.
        assert_eq!(add_working_days(day(2026, 3, 7), 1), day(2026, 3, 9));
        // Ten working days are two calendar weeks from a Monday.
        assert_eq!(add_working_days(day(2026, 3, 2), 10), day(2026, 3, 16));
        assert_eq!(add_working_days(day(2026, 3, 2), 0), day(2026, 3, 2));
    }

    #[test]
    fn vn_30_the_chain_from_the_opening_day() {
        // Opening Monday 2026-03-02, 120 applicants, no test dates recorded yet.
        let list = deadlines(&DeadlineInput {
            applications_open_on: Some(day(2026, 3, 2)),
            applicants: 120,
            ..Default::default()
        });
        assert_eq!(due(&list, "applications_close"), Some(day(2026, 4, 1)));
        assert_eq!(due(&list, "eligible_list"), Some(day(2026, 4, 16)));
        assert_eq!(due(&list, "round1"), Some(day(2026, 5, 1)));
        assert_eq!(due(&list, "round2"), Some(day(2026, 5, 11)));
        // Monday 11 May + 10 working days = Monday 25 May; + 2 = Wednesday 27 May.
        assert_eq!(due(&list, "results_approved"), Some(day(2026, 5, 25)));
        assert_eq!(due(&list, "winners_published"), Some(day(2026, 5, 27)));
        assert_eq!(due(&list, "dossier"), Some(day(2026, 6, 11)));
        // Thursday 11 June + 3 working days = Tuesday 16 June.
        assert_eq!(due(&list, "recruitment_decision"), Some(day(2026, 6, 16)));
        assert!(!list[0].estimated && !list[2].estimated);
        assert!(
            list[3].estimated,
            "round 2 counts from the round-1 deadline"
        );
        assert!(list[4].working_days && !list[1].working_days);
    }

    #[test]
    fn vn_30_a_large_round_gets_30_days_for_the_eligible_list() {
        let input = DeadlineInput {
            applications_open_on: Some(day(2026, 3, 2)),
            applicants: 500,
            ..Default::default()
        };
        assert_eq!(
            due(&deadlines(&input), "eligible_list"),
            Some(day(2026, 5, 1))
        );
        let input = DeadlineInput {
            applicants: 499,
            ..input
        };
        assert_eq!(
            due(&deadlines(&input), "eligible_list"),
            Some(day(2026, 4, 16))
        );
    }

    #[test]
    fn vn_30_recorded_test_dates_replace_the_estimates() {
        let list = deadlines(&DeadlineInput {
            applications_open_on: Some(day(2026, 3, 2)),
            applicants: 10,
            round1_on: Some(day(2026, 4, 18)),
            round2_on: Some(day(2026, 4, 25)),
        });
        assert_eq!(due(&list, "round2"), Some(day(2026, 4, 28)));
        assert!(!list[3].estimated);
        // Saturday 25 April + 10 working days = Friday 8 May.
        assert_eq!(due(&list, "results_approved"), Some(day(2026, 5, 8)));
        assert!(!list[4].estimated);
    }

    #[test]
    fn without_an_opening_day_only_recorded_dates_give_deadlines() {
        let list = deadlines(&DeadlineInput::default());
        assert_eq!(list.len(), 8);
        assert!(list.iter().all(|d| d.due_on.is_none()));
        let list = deadlines(&DeadlineInput {
            round1_on: Some(day(2026, 4, 18)),
            ..Default::default()
        });
        assert_eq!(due(&list, "round1"), None);
        assert_eq!(due(&list, "round2"), Some(day(2026, 4, 28)));
    }
}
