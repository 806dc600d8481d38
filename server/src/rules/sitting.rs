//! The rules of one sitting (a candidate's attempt at a computer-based test): its status by the
//! server clock (VN-17), handing in and closing (VN-17, VN-18), the late-arrival limit (VN-22),
//! re-sitting after a machine failure (VN-23), the sanctions a supervisor records and what they
//! do to a sitting (VN-25), the incidents of the session minutes, and the grounds of exemption
//! from a language part (VN-6).
//!
//! How a sanction marks the test (a share of the correct answers kept, or the test annulled)
//! is the grading's, in `question_bank::scoring`, whose [`Sanction`] is the one type of it.
//!
//! The stored states derive their column spelling (`DeriveActiveEnum`): the names are those the
//! database and the API have always used.

use chrono::{DateTime, Duration, Utc};
pub use question_bank::scoring::Sanction;
use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};

/// A sitting's status as stored. The clock tells apart the states a stored `Waiting` covers:
/// [`phase`] is what a sitting is at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum SittingStatus {
    /// Not finished: before its start, or running until its end.
    Waiting,
    /// Handed in by the candidate.
    Submitted,
    /// Closed when its time ran out (VN-17).
    Closed,
    /// Replaced by a re-sitting after a machine failure (VN-23); never graded.
    Void,
}

/// What a sitting is at a given moment, as the API reports it (`status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Before the scheduled start.
    Waiting,
    /// From the start until its end: answers are taken.
    Open,
    /// Its time is up (closed by the clock, or about to be).
    Closed,
    Submitted,
    Void,
}

impl Phase {
    pub const fn as_str(self) -> &'static str {
        match self {
            Phase::Waiting => "waiting",
            Phase::Open => "open",
            Phase::Closed => "closed",
            Phase::Submitted => "submitted",
            Phase::Void => "void",
        }
    }
}

/// VN-17: the clock runs from the scheduled start whether or not the candidate has signed in,
/// and the sitting closes at its end (`ends_at`, which extensions move); a finished sitting
/// stays as it was finished.
pub fn phase(
    stored: SittingStatus,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Phase {
    match stored {
        SittingStatus::Submitted => Phase::Submitted,
        SittingStatus::Closed => Phase::Closed,
        SittingStatus::Void => Phase::Void,
        SittingStatus::Waiting if now < starts_at => Phase::Waiting,
        SittingStatus::Waiting if now < ends_at => Phase::Open,
        SittingStatus::Waiting => Phase::Closed,
    }
}

/// VN-17: the time a sitting has left, counted from the start even before it: none once it is
/// over.
pub fn remaining_seconds(
    phase: Phase,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> i64 {
    match phase {
        Phase::Waiting | Phase::Open => (ends_at - now.max(starts_at)).num_seconds().max(0),
        Phase::Closed | Phase::Submitted | Phase::Void => 0,
    }
}

/// What a request to finish a sitting does (VN-17, VN-18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finishing {
    /// The candidate cannot hand in before the start.
    NotStarted,
    /// The candidate hands in: graded at once (VN-18).
    HandIn,
    /// The time is up and nobody finished it: the clock closes it, graded like a hand-in.
    CloseOnTime,
    /// Already finished, or still running when only the clock asks: left as it is.
    Nothing,
}

/// Who asks: the candidate handing in, or the server's clock at the deadline (VN-17). A
/// candidate who hands in after the deadline finds the sitting closed by the clock.
pub fn finishing(by_candidate: bool, stored: SittingStatus, phase: Phase) -> Finishing {
    match (phase, by_candidate) {
        (Phase::Waiting, true) => Finishing::NotStarted,
        (Phase::Open, true) => Finishing::HandIn,
        (Phase::Closed, _) if stored == SittingStatus::Waiting => Finishing::CloseOnTime,
        _ => Finishing::Nothing,
    }
}

/// VN-22: late arrivals are admitted up to 5 minutes after the start for short tests and
/// 10 minutes for tests of 60 minutes or more; later only by the chair's decision.
pub fn late_limit(duration_minutes: i32) -> Duration {
    if duration_minutes >= 60 {
        Duration::minutes(10)
    } else {
        Duration::minutes(5)
    }
}

/// VN-22: whether signing in `since_start` after the start is refused until a supervisor
/// admits the candidate. Only a first arrival is late: a candidate who signed in before (and
/// moves to another computer) is returning.
pub fn refused_as_late(
    phase: Phase,
    since_start: Duration,
    duration_minutes: i32,
    signed_in_before: bool,
    admitted: bool,
) -> bool {
    phase == Phase::Open
        && since_start > late_limit(duration_minutes)
        && !signed_in_before
        && !admitted
}

/// VN-23: why a sitting cannot be re-sat after a machine failure, if it cannot: only a sitting
/// in progress, once its session has started, is replaced.
pub fn resitting_refused(stored: SittingStatus, phase: Phase) -> Option<&'static str> {
    match (stored, phase) {
        (SittingStatus::Waiting, Phase::Waiting) => Some("the session has not started"),
        (SittingStatus::Waiting, _) => None,
        _ => Some("only a sitting in progress can be re-sat"),
    }
}

/// VN-25: the sanctions a supervisor records (`none` is only the absence of one).
pub const RECORDABLE: [Sanction; 4] = [
    Sanction::Reprimand,
    Sanction::Warning,
    Sanction::Suspension,
    Sanction::NotSigned,
];

/// What recording a sanction does to a sitting (VN-25).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SanctionEffect {
    /// Still running: it is marked with the sanction when handed in or closed.
    AtHandIn,
    /// Already graded: it is graded again at once with the sanction.
    Regrade,
    /// Replaced by a re-sitting (VN-23): the sanction belongs on the new sitting.
    Refused,
}

pub fn sanction_effect(stored: SittingStatus) -> SanctionEffect {
    match stored {
        SittingStatus::Waiting => SanctionEffect::AtHandIn,
        SittingStatus::Submitted | SittingStatus::Closed => SanctionEffect::Regrade,
        SittingStatus::Void => SanctionEffect::Refused,
    }
}

/// What a supervisor records in the session minutes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    /// Recorded with every re-sitting (VN-23).
    MachineFailure,
    LateArrival,
    Misconduct,
    Other,
}

impl IncidentKind {
    pub const ALL: [IncidentKind; 4] = [
        IncidentKind::MachineFailure,
        IncidentKind::LateArrival,
        IncidentKind::Misconduct,
        IncidentKind::Other,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            IncidentKind::MachineFailure => "machine_failure",
            IncidentKind::LateArrival => "late_arrival",
            IncidentKind::Misconduct => "misconduct",
            IncidentKind::Other => "other",
        }
    }

    pub fn parse(name: &str) -> Option<IncidentKind> {
        IncidentKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// VN-6: the grounds on which a candidate of the legacy round 1 is exempt from its language
/// part, as an application records them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LanguageExemption {
    /// Holds a degree in the language tested.
    LanguageDegree,
    /// Degree studied abroad, or taught in the language tested.
    StudiedInLanguage,
    /// Ethnic-minority language certificate, for a position serving ethnic-minority areas.
    EthnicMinorityLanguage,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap() + Duration::minutes(minute)
    }

    /// A 60-minute test from 08:00 to 09:00.
    fn phase_at(stored: SittingStatus, minute: i64) -> Phase {
        phase(stored, at(0), at(60), at(minute))
    }

    #[test]
    fn vn_17_the_clock_opens_and_closes_a_sitting_by_itself() {
        assert_eq!(phase_at(SittingStatus::Waiting, -1), Phase::Waiting);
        assert_eq!(phase_at(SittingStatus::Waiting, 0), Phase::Open);
        assert_eq!(phase_at(SittingStatus::Waiting, 59), Phase::Open);
        assert_eq!(phase_at(SittingStatus::Waiting, 60), Phase::Closed);
    }

    #[test]
    fn vn_17_a_finished_sitting_stays_as_it_was_finished() {
        for minute in [-5, 30, 90] {
            assert_eq!(phase_at(SittingStatus::Submitted, minute), Phase::Submitted);
            assert_eq!(phase_at(SittingStatus::Closed, minute), Phase::Closed);
            assert_eq!(phase_at(SittingStatus::Void, minute), Phase::Void);
        }
    }

    #[test]
    fn vn_17_the_time_left_counts_from_the_start_not_from_the_login() {
        let left = |phase, minute| remaining_seconds(phase, at(0), at(60), at(minute));
        assert_eq!(
            left(Phase::Waiting, -10),
            3600,
            "the full time before the start"
        );
        assert_eq!(left(Phase::Open, 15), 45 * 60);
        assert_eq!(left(Phase::Submitted, 15), 0);
        assert_eq!(left(Phase::Closed, 75), 0);
    }

    #[test]
    fn vn_17_and_vn_18_who_may_finish_a_sitting_and_when() {
        use Finishing::*;
        let waiting = SittingStatus::Waiting;
        assert_eq!(finishing(true, waiting, Phase::Waiting), NotStarted);
        assert_eq!(finishing(true, waiting, Phase::Open), HandIn);
        assert_eq!(
            finishing(false, waiting, Phase::Open),
            Nothing,
            "the clock waits"
        );
        assert_eq!(finishing(false, waiting, Phase::Closed), CloseOnTime);
        assert_eq!(
            finishing(true, waiting, Phase::Closed),
            CloseOnTime,
            "a hand-in after the deadline finds the sitting closed by the clock"
        );
        let submitted = SittingStatus::Submitted;
        assert_eq!(finishing(true, submitted, Phase::Submitted), Nothing);
        assert_eq!(finishing(false, submitted, Phase::Submitted), Nothing);
        assert_eq!(finishing(true, SittingStatus::Void, Phase::Void), Nothing);
    }

    #[test]
    fn vn_22_five_minutes_for_short_tests_and_ten_from_sixty_minutes() {
        assert_eq!(late_limit(30), Duration::minutes(5));
        assert_eq!(late_limit(45), Duration::minutes(5));
        assert_eq!(late_limit(60), Duration::minutes(10));
        assert_eq!(late_limit(120), Duration::minutes(10));
    }

    #[test]
    fn vn_22_a_first_arrival_after_the_limit_needs_a_supervisor() {
        let late = |minutes, before, admitted| {
            refused_as_late(
                Phase::Open,
                Duration::minutes(minutes),
                60,
                before,
                admitted,
            )
        };
        assert!(
            !late(10, false, false),
            "ten minutes into a 60-minute test is in time"
        );
        assert!(late(11, false, false));
        assert!(!late(11, false, true), "admitted by the chair's decision");
        assert!(
            !late(40, true, false),
            "returning after a move is no arrival"
        );
        assert!(!refused_as_late(
            Phase::Closed,
            Duration::minutes(90),
            60,
            false,
            false
        ));
    }

    #[test]
    fn vn_23_only_a_sitting_in_progress_is_re_sat() {
        assert_eq!(
            resitting_refused(SittingStatus::Waiting, Phase::Waiting),
            Some("the session has not started")
        );
        assert_eq!(resitting_refused(SittingStatus::Waiting, Phase::Open), None);
        assert_eq!(
            resitting_refused(SittingStatus::Waiting, Phase::Closed),
            None,
            "time up but not yet closed by the clock"
        );
        for stored in [
            SittingStatus::Submitted,
            SittingStatus::Closed,
            SittingStatus::Void,
        ] {
            assert!(resitting_refused(stored, Phase::Submitted).is_some());
        }
    }

    #[test]
    fn vn_25_a_sanction_marks_a_graded_sitting_again_and_none_goes_on_a_void_one() {
        assert_eq!(
            sanction_effect(SittingStatus::Waiting),
            SanctionEffect::AtHandIn
        );
        assert_eq!(
            sanction_effect(SittingStatus::Submitted),
            SanctionEffect::Regrade
        );
        assert_eq!(
            sanction_effect(SittingStatus::Closed),
            SanctionEffect::Regrade
        );
        assert_eq!(
            sanction_effect(SittingStatus::Void),
            SanctionEffect::Refused
        );
        assert!(!RECORDABLE.contains(&Sanction::None));
        assert_eq!(RECORDABLE.len() + 1, Sanction::ALL.len());
    }

    #[test]
    fn stored_and_reported_names_are_the_ones_the_database_and_the_api_use() {
        use sea_orm::ActiveEnum;
        let stored: Vec<String> = [
            SittingStatus::Waiting,
            SittingStatus::Submitted,
            SittingStatus::Closed,
            SittingStatus::Void,
        ]
        .iter()
        .map(ActiveEnum::to_value)
        .collect();
        assert_eq!(stored, ["waiting", "submitted", "closed", "void"]);
        for p in [
            Phase::Waiting,
            Phase::Open,
            Phase::Closed,
            Phase::Submitted,
            Phase::Void,
        ] {
            assert_eq!(
                serde_json::to_value(p).unwrap(),
                serde_json::json!(p.as_str())
            );
        }
        for k in IncidentKind::ALL {
            assert_eq!(k.to_value(), k.as_str());
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::json!(k.as_str())
            );
            assert_eq!(IncidentKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(IncidentKind::parse("fire"), None);
    }

    #[test]
    fn vn_6_three_grounds_exempt_from_the_language_part() {
        let names: Vec<String> = [
            LanguageExemption::LanguageDegree,
            LanguageExemption::StudiedInLanguage,
            LanguageExemption::EthnicMinorityLanguage,
        ]
        .iter()
        .map(|e| {
            serde_json::to_value(e)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
        assert_eq!(
            names,
            [
                "language_degree",
                "studied_in_language",
                "ethnic_minority_language"
            ]
        );
    }
}
