//! The versioned rule sets a recruitment round runs under (VN-0).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::rules::error::RankingError;

/// The body of rules a round is scored by. Recorded on the round and never inferred, so that a
/// round keeps its rules when a newer decree arrives (VN-0).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub enum RuleSet {
    /// Decree 170/2025/NĐ-CP as amended by Decree 300/2026/NĐ-CP: the default for new rounds.
    #[default]
    #[serde(rename = "vn-2025")]
    Vn2025,
    /// Decree 170/2025/NĐ-CP as issued, before Decree 300/2026: the rules of a round whose plan
    /// was approved before 1 Aug 2026, until [`PRE300_UNTIL`] (VN-0 amended).
    #[serde(rename = "vn-2025-pre300")]
    Vn2025Pre300,
    /// Legacy Decree 138/2020 + 116/2024: round 1 in two parts (VN-6).
    #[serde(rename = "vn-2020")]
    Vn2020,
    /// Public employees (*viên chức*), Decree 115/2020 + 85/2023 (VN-31).
    #[serde(rename = "vn-vc-2020")]
    VnVc2020,
}

impl RuleSet {
    pub const ALL: [RuleSet; 4] = [
        RuleSet::Vn2025,
        RuleSet::Vn2025Pre300,
        RuleSet::Vn2020,
        RuleSet::VnVc2020,
    ];

    /// The stable code stored with a round and used in the API.
    pub const fn code(self) -> &'static str {
        match self {
            RuleSet::Vn2025 => "vn-2025",
            RuleSet::Vn2025Pre300 => "vn-2025-pre300",
            RuleSet::Vn2020 => "vn-2020",
            RuleSet::VnVc2020 => "vn-vc-2020",
        }
    }

    /// Whether round 1 has a foreign-language part that must be passed on its own (VN-6).
    pub const fn round1_has_language_part(self) -> bool {
        matches!(self, RuleSet::Vn2020)
    }

    /// Whether a tie at the last slot goes to the round-1 score instead of the professional
    /// score (VN-31).
    pub(crate) const fn tie_break_by_round1_score(self) -> bool {
        matches!(self, RuleSet::VnVc2020)
    }

    /// Whether an agency may leave a struck-off winner's place empty: Decree 300/2026 made
    /// replacement the agency's choice; Decree 170 as issued makes it mandatory (VN-14).
    pub const fn replacement_optional(self) -> bool {
        !matches!(self, RuleSet::Vn2025Pre300)
    }

    /// The version of vn-2025 a plan approved on `plan_approved_on` starts under (VN-0
    /// amended): Decree 170 as issued before [`DECREE_300_FROM`], else with Decree 300.
    pub fn vn_2025_for_plan(plan_approved_on: NaiveDate) -> RuleSet {
        if plan_approved_on < DECREE_300_FROM {
            RuleSet::Vn2025Pre300
        } else {
            RuleSet::Vn2025
        }
    }

    /// The rule set in force on the Vietnam date `on` for a round recorded under `self`
    /// (VN-0 amended): a round under `vn-2025-pre300` runs under it until [`PRE300_UNTIL`],
    /// and whatever is unfinished then runs under `vn-2025`. This is the only change of rule
    /// set once a round is locked; every other rule set stays as recorded.
    pub fn in_force_on(self, on: NaiveDate) -> RuleSet {
        match self {
            RuleSet::Vn2025Pre300 if on >= PRE300_UNTIL => RuleSet::Vn2025,
            other => other,
        }
    }
}

/// Decree 300/2026/NĐ-CP takes effect (Art 35): plans approved from this day run under it.
pub const DECREE_300_FROM: NaiveDate = match NaiveDate::from_ymd_opt(2026, 8, 1) {
    Some(date) => date,
    None => panic!("2026-08-01 is a valid date"),
};

/// Six months after Decree 300/2026 took effect, rounds still running under Decree 170 as
/// issued continue under the amended decree (Art 35(1)).
pub const PRE300_UNTIL: NaiveDate = match NaiveDate::from_ymd_opt(2027, 2, 1) {
    Some(date) => date,
    None => panic!("2027-02-01 is a valid date"),
};

impl fmt::Display for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for RuleSet {
    type Err = RankingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RuleSet::ALL
            .into_iter()
            .find(|rule_set| rule_set.code() == s)
            .ok_or_else(|| RankingError::UnknownRuleSet(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vn_0_new_rounds_default_to_vn_2025() {
        assert_eq!(RuleSet::default(), RuleSet::Vn2025);
    }

    #[test]
    fn vn_0_codes_round_trip_through_from_str() -> Result<(), RankingError> {
        for rule_set in RuleSet::ALL {
            assert_eq!(rule_set.code().parse::<RuleSet>()?, rule_set);
            assert_eq!(rule_set.to_string(), rule_set.code());
        }
        assert_eq!(RuleSet::Vn2025.code(), "vn-2025");
        assert_eq!(RuleSet::Vn2025Pre300.code(), "vn-2025-pre300");
        assert_eq!(RuleSet::Vn2020.code(), "vn-2020");
        assert_eq!(RuleSet::VnVc2020.code(), "vn-vc-2020");
        Ok(())
    }

    #[test]
    fn vn_0_an_unknown_rule_set_is_refused_by_name() {
        assert_eq!(
            "vn-2019".parse::<RuleSet>(),
            Err(RankingError::UnknownRuleSet("vn-2019".to_owned()))
        );
    }

    fn day(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
    }

    #[test]
    fn vn_0_the_plan_approval_date_picks_the_version_of_vn_2025() {
        // E10: a plan approved on 20 Jul 2026 runs under Decree 170 as issued.
        assert_eq!(
            RuleSet::vn_2025_for_plan(day(2026, 7, 20)),
            RuleSet::Vn2025Pre300
        );
        assert_eq!(
            RuleSet::vn_2025_for_plan(day(2026, 7, 31)),
            RuleSet::Vn2025Pre300
        );
        assert_eq!(RuleSet::vn_2025_for_plan(day(2026, 8, 1)), RuleSet::Vn2025);
    }

    #[test]
    fn vn_0_a_pre300_round_runs_under_vn_2025_from_1_february_2027() {
        let pre300 = RuleSet::Vn2025Pre300;
        assert_eq!(pre300.in_force_on(day(2026, 9, 10)), RuleSet::Vn2025Pre300);
        assert_eq!(pre300.in_force_on(day(2027, 1, 31)), RuleSet::Vn2025Pre300);
        assert_eq!(pre300.in_force_on(day(2027, 2, 1)), RuleSet::Vn2025);
        assert_eq!(pre300.in_force_on(day(2030, 1, 1)), RuleSet::Vn2025);
    }

    #[test]
    fn vn_0_no_other_rule_set_ever_changes_by_itself() {
        for rule_set in [RuleSet::Vn2025, RuleSet::Vn2020, RuleSet::VnVc2020] {
            for on in [day(2026, 1, 1), day(2027, 2, 1), day(2035, 1, 1)] {
                assert_eq!(rule_set.in_force_on(on), rule_set);
            }
        }
    }

    #[test]
    fn vn_14_replacement_is_optional_only_under_decree_300() {
        assert!(!RuleSet::Vn2025Pre300.replacement_optional());
        assert!(RuleSet::Vn2025.replacement_optional());
    }

    #[test]
    fn vn_6_only_the_legacy_rule_set_has_a_language_part() {
        assert!(RuleSet::Vn2020.round1_has_language_part());
        assert!(!RuleSet::Vn2025.round1_has_language_part());
        assert!(!RuleSet::VnVc2020.round1_has_language_part());
    }
}
