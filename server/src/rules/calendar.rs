//! The Vietnamese working-day calendar (VN-32) and the counting of legal periods (VN-30).
//!
//! A working day is a Monday to Friday on the Vietnam date (UTC+7) that is not a public holiday
//! or a day off, or a Saturday the Government made a working day by a swap. Fixed holidays
//! follow from the date alone (1 January, 30 April, 1 May, 2 September and, from 2026,
//! 24 November); everything that depends on the lunar calendar or on the Government's yearly
//! notice — Tết, the Hùng Kings' day, the day next to National Day, compensatory days off and
//! swapped Saturdays — is entered per year by an operator ([`YearNotice`]). The platform never
//! computes a lunar date: a year without a notice is counted with its fixed holidays only, and
//! [`Calendar::is_known`] says so, so a page can warn.
//!
//! Counting (Civil Code Arts 147–148): a period starts the day after the event. A period in
//! calendar days whose last day is not a working day ends on the next working day; a period in
//! working days counts only working days.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use question_bank::FieldError;
use serde::{Deserialize, Serialize};

/// What the Government's notice for one year adds to the fixed holidays.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct YearNotice {
    pub year: i32,
    /// Days off beyond the fixed holidays: Tết, the Hùng Kings' day, the day next to National
    /// Day, compensatory days, the weekdays given in exchange for a working Saturday.
    pub days_off: Vec<NaiveDate>,
    /// Saturdays (or Sundays) made working days in exchange for a day off.
    pub working_weekend_days: Vec<NaiveDate>,
}

/// A period of the law: so many days, counted as calendar days or as working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Days(u32),
    WorkingDays(u32),
}

/// The working-day calendar: fixed holidays plus the notices an operator entered.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    days_off: BTreeSet<NaiveDate>,
    working_weekend_days: BTreeSet<NaiveDate>,
    known_years: BTreeMap<i32, ()>,
}

/// The first year 24 November (*Ngày Văn hóa Việt Nam*) is a holiday.
const CULTURE_DAY_FROM: i32 = 2026;

/// Fixed holidays of a year that follow from the solar date alone.
pub fn fixed_holidays(year: i32) -> Vec<NaiveDate> {
    let mut days: Vec<NaiveDate> = [(1, 1), (4, 30), (5, 1), (9, 2)]
        .into_iter()
        .filter_map(|(m, d)| NaiveDate::from_ymd_opt(year, m, d))
        .collect();
    if year >= CULTURE_DAY_FROM {
        days.extend(NaiveDate::from_ymd_opt(year, 11, 24));
    }
    days
}

impl Calendar {
    /// A calendar from the operator's notices (several notices for one year are merged).
    pub fn new(notices: &[YearNotice]) -> Calendar {
        let mut calendar = Calendar::default();
        for notice in notices {
            calendar.known_years.insert(notice.year, ());
            calendar.days_off.extend(notice.days_off.iter().copied());
            calendar
                .working_weekend_days
                .extend(notice.working_weekend_days.iter().copied());
        }
        calendar
    }

    /// Whether the operator entered the Government's notice for `year`: without it only the
    /// fixed holidays are known, and a deadline in that year may come too early.
    pub fn is_known(&self, year: i32) -> bool {
        self.known_years.contains_key(&year)
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.working_weekend_days.contains(&day) {
            return true;
        }
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        !weekend && !self.days_off.contains(&day) && !fixed_holidays(day.year()).contains(&day)
    }

    /// The first working day on or after `day`.
    pub fn on_or_next_working_day(&self, day: NaiveDate) -> NaiveDate {
        let mut d = day;
        // A year holds at most a few dozen days off in a row of weekends and holidays.
        while !self.is_working_day(d) {
            d += Duration::days(1);
        }
        d
    }

    /// The `n`th working day after `from` (the day of the event itself is never counted).
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The last day of `period` counted from the event on `from` (VN-30): working days are
    /// counted as such; a period of calendar days that ends on a day off ends on the next
    /// working day instead (Civil Code Art 148).
    pub fn period_end(&self, from: NaiveDate, period: Period) -> NaiveDate {
        match period {
            Period::WorkingDays(n) => self.add_working_days(from, n),
            Period::Days(n) => self.on_or_next_working_day(from + Duration::days(i64::from(n))),
        }
    }
}

impl YearNotice {
    /// What is wrong with a notice as entered, field by field: every date must fall in the
    /// notice's year, a day off on a weekday and a working weekend day on a weekend, and no date
    /// may stand twice.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut seen = BTreeSet::new();
        let lists = [
            ("days_off", &self.days_off, false),
            ("working_weekend_days", &self.working_weekend_days, true),
        ];
        for (field, days, weekend_wanted) in lists {
            for (i, day) in days.iter().enumerate() {
                let at = format!("{field}[{i}]");
                let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
                if day.year() != self.year {
                    errors.push(FieldError::new(
                        at,
                        format!("{day} is not in {}", self.year),
                    ));
                } else if weekend != weekend_wanted {
                    let wanted = if weekend_wanted {
                        "a Saturday or Sunday"
                    } else {
                        "a weekday"
                    };
                    errors.push(FieldError::new(at, format!("{day} is not {wanted}")));
                } else if !seen.insert(*day) {
                    errors.push(FieldError::new(at, format!("{day} is listed twice")));
                }
            }
        }
        errors
    }
}

/// The notices of the years the platform ships with, from the Government's announcements; an
/// operator adds later years (and corrects these) without a new release.
pub fn shipped_notices() -> Vec<YearNotice> {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
    let days = |list: &[(i32, u32, u32)]| -> Vec<NaiveDate> {
        list.iter()
            .filter_map(|&(y, m, day)| d(y, m, day))
            .collect()
    };
    vec![YearNotice {
        year: 2026,
        // Tết Bính Ngọ, Monday 16 to Friday 20 February (the break runs from Saturday 14 to
        // Sunday 22); the Hùng Kings' day falls on Sunday 26 April, so Monday 27 April is off;
        // Monday 31 August is off in exchange for Saturday 22 August; 1 September is the day
        // next to National Day.
        days_off: days(&[
            (2026, 2, 16),
            (2026, 2, 17),
            (2026, 2, 18),
            (2026, 2, 19),
            (2026, 2, 20),
            (2026, 4, 27),
            (2026, 8, 31),
            (2026, 9, 1),
        ]),
        working_weekend_days: days(&[(2026, 8, 22)]),
    }]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn vietnam() -> Calendar {
        Calendar::new(&shipped_notices())
    }

    #[test]
    fn vn_32_weekends_fixed_holidays_and_noticed_days_are_not_working_days() {
        let c = vietnam();
        assert!(!c.is_working_day(day(2026, 1, 1)), "New Year's Day");
        assert!(!c.is_working_day(day(2026, 2, 18)), "Tết");
        assert!(
            !c.is_working_day(day(2026, 4, 27)),
            "Hùng Kings, moved off a Sunday"
        );
        assert!(!c.is_working_day(day(2026, 4, 30)));
        assert!(!c.is_working_day(day(2026, 5, 1)));
        assert!(!c.is_working_day(day(2026, 9, 2)), "National Day");
        assert!(
            !c.is_working_day(day(2026, 11, 24)),
            "Vietnamese Culture Day"
        );
        assert!(!c.is_working_day(day(2026, 3, 7)), "a Saturday");
        assert!(c.is_working_day(day(2026, 3, 9)), "an ordinary Monday");
        assert!(
            c.is_working_day(day(2025, 11, 24)),
            "Culture Day is a holiday from 2026"
        );
    }

    #[test]
    fn vn_32_a_swapped_saturday_works_and_its_monday_is_off() {
        let c = vietnam();
        assert!(c.is_working_day(day(2026, 8, 22)));
        assert!(!c.is_working_day(day(2026, 8, 31)));
    }

    #[test]
    fn vn_32_a_year_without_a_notice_knows_only_its_fixed_holidays() {
        let c = vietnam();
        assert!(c.is_known(2026));
        assert!(!c.is_known(2027));
        assert!(!c.is_working_day(day(2027, 1, 1)));
        assert!(c.is_working_day(day(2027, 2, 8)), "Tết 2027 is not entered");
    }

    #[test]
    fn e9_interviews_within_5_working_days_of_a_friday_21_august_2026_test() {
        // Saturday 22 August 2026 is a working day by the swap.
        let due = vietnam().period_end(day(2026, 8, 21), Period::WorkingDays(5));
        assert_eq!(due, day(2026, 8, 27));
    }

    #[test]
    fn e11a_marks_published_wednesday_29_april_allow_reviews_until_friday_8_may() {
        let c = vietnam();
        let window = c.period_end(day(2026, 4, 29), Period::WorkingDays(5));
        assert_eq!(window, day(2026, 5, 8));
        assert!(day(2026, 5, 7) <= window);
        assert!(day(2026, 5, 11) > window);
    }

    #[test]
    fn e11b_a_round_1_due_on_1_may_moves_to_monday_4_may() {
        let c = vietnam();
        let close = c.period_end(day(2026, 3, 2), Period::Days(30));
        assert_eq!(close, day(2026, 4, 1));
        assert_eq!(c.period_end(close, Period::Days(30)), day(2026, 5, 4));
    }

    #[test]
    fn e11c_dossier_and_decision_after_winners_published_friday_14_august() {
        let c = vietnam();
        // Day 15 is Saturday 29 August; 31 August, 1 and 2 September are off.
        let dossier = c.period_end(day(2026, 8, 14), Period::Days(15));
        assert_eq!(dossier, day(2026, 9, 3));
        assert_eq!(
            c.period_end(dossier, Period::WorkingDays(3)),
            day(2026, 9, 8)
        );
    }

    #[test]
    fn e12_a_window_from_tuesday_12_may_ends_tuesday_19_may() {
        let due = vietnam().period_end(day(2026, 5, 12), Period::WorkingDays(5));
        assert_eq!(due, day(2026, 5, 19));
    }

    #[test]
    fn e22_an_oral_due_on_1_september_moves_to_thursday_3_september() {
        let due = vietnam().period_end(day(2026, 8, 17), Period::Days(15));
        assert_eq!(due, day(2026, 9, 3));
    }

    #[test]
    fn a_period_never_ends_before_it_starts_and_always_on_a_working_day() {
        let c = vietnam();
        let mut from = day(2025, 12, 20);
        while from < day(2027, 1, 10) {
            for n in [0, 1, 5, 10, 15, 30] {
                for period in [Period::Days(n), Period::WorkingDays(n)] {
                    let end = c.period_end(from, period);
                    assert!(end >= from, "{from} {period:?}");
                    if n > 0 {
                        assert!(c.is_working_day(end), "{from} {period:?} → {end}");
                    }
                }
            }
            from += Duration::days(1);
        }
    }

    #[test]
    fn vn_32_a_notice_names_each_date_that_cannot_be_right() {
        let notice = YearNotice {
            year: 2027,
            days_off: vec![
                day(2027, 2, 8),
                day(2026, 2, 9),
                day(2027, 2, 13),
                day(2027, 2, 8),
            ],
            working_weekend_days: vec![day(2027, 2, 20), day(2027, 2, 22)],
        };
        let problems: Vec<String> = notice
            .problems()
            .into_iter()
            .map(|e| format!("{}: {}", e.location, e.message))
            .collect();
        assert_eq!(
            problems,
            [
                "days_off[1]: 2026-02-09 is not in 2027",
                "days_off[2]: 2027-02-13 is not a weekday",
                "days_off[3]: 2027-02-08 is listed twice",
                "working_weekend_days[1]: 2027-02-22 is not a Saturday or Sunday",
            ]
        );
        assert!(shipped_notices().iter().all(|n| n.problems().is_empty()));
    }
}
