//! Vietnam time: the dates of the recruitment calendar (application deadlines, the VN-27 review
//! window, the candidate's age) are Vietnamese dates, and every time printed for people (admission
//! tickets, seat lists, published results, the demo's console report) is read in Vietnam.
//!
//! Vietnam keeps UTC+7 all year (no daylight saving), so a fixed shift is exact.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

const UTC_OFFSET_HOURS: i64 = 7;

/// The wall-clock reading in Vietnam at `t`.
fn wall_clock(t: DateTime<Utc>) -> NaiveDateTime {
    (t + Duration::hours(UTC_OFFSET_HOURS)).naive_utc()
}

/// The day it is in Vietnam at `now`.
pub fn vietnam_today(now: DateTime<Utc>) -> NaiveDate {
    wall_clock(now).date()
}

/// An instant as printed on Vietnamese documents: "07:30 ngày 15/06/2026 (giờ Việt Nam, UTC+7)".
pub fn vietnam_time(t: DateTime<Utc>) -> String {
    wall_clock(t)
        .format("%H:%M ngày %d/%m/%Y (giờ Việt Nam, UTC+7)")
        .to_string()
}

/// An instant in the short form of console output: "2026-06-15 07:30 (UTC+7)".
pub fn vietnam_time_short(t: DateTime<Utc>) -> String {
    wall_clock(t).format("%Y-%m-%d %H:%M (UTC+7)").to_string()
}

/// A date as Vietnamese documents write it: "15/06/2026".
pub fn vietnam_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn start_times_are_printed_in_vietnam_time() {
        assert_eq!(
            vietnam_time(Utc.with_ymd_and_hms(2026, 6, 14, 23, 45, 0).unwrap()),
            "06:45 ngày 15/06/2026 (giờ Việt Nam, UTC+7)"
        );
        assert_eq!(
            vietnam_time_short(Utc.with_ymd_and_hms(2026, 6, 14, 23, 45, 0).unwrap()),
            "2026-06-15 06:45 (UTC+7)"
        );
    }

    #[test]
    fn the_vietnamese_day_starts_at_17_00_utc() {
        let before = Utc.with_ymd_and_hms(2026, 3, 1, 16, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 3, 1, 17, 0, 0).unwrap();
        assert_eq!(
            vietnam_today(before),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        assert_eq!(
            vietnam_today(after),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
        );
    }

    #[test]
    fn dates_are_written_day_first() {
        assert_eq!(
            vietnam_date(NaiveDate::from_ymd_opt(1998, 3, 9).unwrap()),
            "09/03/1998"
        );
    }
}
