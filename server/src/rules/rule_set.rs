//! The versioned rule sets a recruitment round runs under (VN-0).

use std::fmt;
use std::str::FromStr;

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
    /// Legacy Decree 138/2020 + 116/2024: round 1 in two parts (VN-6).
    #[serde(rename = "vn-2020")]
    Vn2020,
    /// Public employees (*viên chức*), Decree 115/2020 + 85/2023 (VN-31).
    #[serde(rename = "vn-vc-2020")]
    VnVc2020,
}

impl RuleSet {
    pub const ALL: [RuleSet; 3] = [RuleSet::Vn2025, RuleSet::Vn2020, RuleSet::VnVc2020];

    /// The stable code stored with a round and used in the API.
    pub const fn code(self) -> &'static str {
        match self {
            RuleSet::Vn2025 => "vn-2025",
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
}

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

    #[test]
    fn vn_6_only_the_legacy_rule_set_has_a_language_part() {
        assert!(RuleSet::Vn2020.round1_has_language_part());
        assert!(!RuleSet::Vn2025.round1_has_language_part());
        assert!(!RuleSet::VnVc2020.round1_has_language_part());
    }
}
