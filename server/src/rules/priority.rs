//! Priority groups (*đối tượng ưu tiên*) and the points they add to the round-2 score
//! (VN-7, VN-8, VN-9).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::{dec, Decimal};
use serde::{Deserialize, Serialize};

use crate::rules::error::RankingError;
use crate::rules::rule_set::RuleSet;

/// Decree 300/2026 adds defence workers to the 2.5-point tier from this day on (VN-7).
pub const DEFENCE_WORKER_FROM: NaiveDate = match NaiveDate::from_ymd_opt(2026, 8, 1) {
    Some(date) => date,
    None => panic!("2026-08-01 is a valid date"),
};

/// A priority group (VN-7). The codes are those of the API (`priority_groups`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorityGroup {
    /// Hero of the People's Armed Forces.
    Hero,
    LabourHero,
    /// War invalid (*thương binh*) and those treated as such.
    WarInvalid,
    WarInvalidB,
    EthnicMinority,
    /// Army or police officer.
    Officer,
    DemobilisedSoldier,
    /// Cipher staff changing sector.
    CipherStaff,
    ReserveOfficer,
    MartyrChild,
    /// Child of a war invalid, sick soldier or Agent-Orange-exposed resistance fighter.
    WarInvalidChild,
    HeroChild,
    MilitaryService,
    PoliceService,
    YouthVolunteer,
    /// Defence worker who left service of working age (Decree 300/2026).
    DefenceWorker,
    /// Trade-union cadre grown from the grassroots.
    UnionCadre,
}

impl PriorityGroup {
    pub const ALL: [PriorityGroup; 17] = [
        PriorityGroup::Hero,
        PriorityGroup::LabourHero,
        PriorityGroup::WarInvalid,
        PriorityGroup::WarInvalidB,
        PriorityGroup::EthnicMinority,
        PriorityGroup::Officer,
        PriorityGroup::DemobilisedSoldier,
        PriorityGroup::CipherStaff,
        PriorityGroup::ReserveOfficer,
        PriorityGroup::MartyrChild,
        PriorityGroup::WarInvalidChild,
        PriorityGroup::HeroChild,
        PriorityGroup::MilitaryService,
        PriorityGroup::PoliceService,
        PriorityGroup::YouthVolunteer,
        PriorityGroup::DefenceWorker,
        PriorityGroup::UnionCadre,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            PriorityGroup::Hero => "hero",
            PriorityGroup::LabourHero => "labour_hero",
            PriorityGroup::WarInvalid => "war_invalid",
            PriorityGroup::WarInvalidB => "war_invalid_b",
            PriorityGroup::EthnicMinority => "ethnic_minority",
            PriorityGroup::Officer => "officer",
            PriorityGroup::DemobilisedSoldier => "demobilised_soldier",
            PriorityGroup::CipherStaff => "cipher_staff",
            PriorityGroup::ReserveOfficer => "reserve_officer",
            PriorityGroup::MartyrChild => "martyr_child",
            PriorityGroup::WarInvalidChild => "war_invalid_child",
            PriorityGroup::HeroChild => "hero_child",
            PriorityGroup::MilitaryService => "military_service",
            PriorityGroup::PoliceService => "police_service",
            PriorityGroup::YouthVolunteer => "youth_volunteer",
            PriorityGroup::DefenceWorker => "defence_worker",
            PriorityGroup::UnionCadre => "union_cadre",
        }
    }

    /// Points this group is worth under `rule_set` on `as_of`, with 2 decimal places (VN-7).
    ///
    /// All three rule sets share the table (VN-31 says so for public employees); the only
    /// difference is the defence-worker group, which Decree 300/2026 added to vn-2025 alone and
    /// only from [`DEFENCE_WORKER_FROM`]: before that, or under another rule set, it is worth 0.
    pub fn points(self, rule_set: RuleSet, as_of: NaiveDate) -> Decimal {
        match self {
            PriorityGroup::Hero
            | PriorityGroup::LabourHero
            | PriorityGroup::WarInvalid
            | PriorityGroup::WarInvalidB => dec!(7.50),
            PriorityGroup::EthnicMinority
            | PriorityGroup::Officer
            | PriorityGroup::DemobilisedSoldier
            | PriorityGroup::CipherStaff
            | PriorityGroup::ReserveOfficer
            | PriorityGroup::MartyrChild
            | PriorityGroup::WarInvalidChild
            | PriorityGroup::HeroChild => dec!(5.00),
            PriorityGroup::MilitaryService
            | PriorityGroup::PoliceService
            | PriorityGroup::YouthVolunteer => dec!(2.50),
            PriorityGroup::DefenceWorker => {
                if rule_set == RuleSet::Vn2025 && as_of >= DEFENCE_WORKER_FROM {
                    dec!(2.50)
                } else {
                    dec!(0.00)
                }
            }
            PriorityGroup::UnionCadre => dec!(1.50),
        }
    }
}

impl fmt::Display for PriorityGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for PriorityGroup {
    type Err = RankingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PriorityGroup::ALL
            .into_iter()
            .find(|group| group.code() == s)
            .ok_or_else(|| RankingError::UnknownPriorityGroup(s.to_owned()))
    }
}

/// The points granted and the group that earned them, so a response can say why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityAward {
    /// 2 decimal places; `0.00` when no proven group counts.
    pub points: Decimal,
    /// The group granting `points`; `None` when nothing is granted. Among equally valued groups,
    /// the first in [`PriorityGroup::ALL`] order, so the answer does not depend on claim order.
    pub group: Option<PriorityGroup>,
}

/// The priority award of a candidate claiming `groups`, of which `unproven` were not backed by a
/// certificate when the dossier was completed.
///
/// Only the single highest group counts (VN-8); an unproven claim is void (VN-9). Every code, in
/// either list, must be known: a typo must not silently cost a candidate their points.
pub fn priority_award<G, U>(
    rule_set: RuleSet,
    groups: &[G],
    unproven: &[U],
    as_of: NaiveDate,
) -> Result<PriorityAward, RankingError>
where
    G: AsRef<str>,
    U: AsRef<str>,
{
    let claimed = parse_groups(groups)?;
    let void = parse_groups(unproven)?;
    let mut best = PriorityAward {
        points: dec!(0.00),
        group: None,
    };
    for group in PriorityGroup::ALL {
        if !claimed.contains(&group) || void.contains(&group) {
            continue;
        }
        let points = group.points(rule_set, as_of);
        if points > best.points {
            best = PriorityAward {
                points,
                group: Some(group),
            };
        }
    }
    Ok(best)
}

/// The priority points of a candidate: the highest proven group only (VN-8, VN-9). See
/// [`priority_award`].
pub fn priority_points<G, U>(
    rule_set: RuleSet,
    groups: &[G],
    unproven: &[U],
    as_of: NaiveDate,
) -> Result<Decimal, RankingError>
where
    G: AsRef<str>,
    U: AsRef<str>,
{
    priority_award(rule_set, groups, unproven, as_of).map(|award| award.points)
}

fn parse_groups<S: AsRef<str>>(codes: &[S]) -> Result<Vec<PriorityGroup>, RankingError> {
    codes.iter().map(|code| code.as_ref().parse()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: [&str; 0] = [];

    fn day(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
    }

    fn today() -> NaiveDate {
        day(2025, 9, 1)
    }

    #[test]
    fn e2_several_groups_grant_only_the_highest() -> Result<(), RankingError> {
        // VN-8: ethnic minority (5) + military service (2.5) + union cadre (1.5) is 5, not 9.
        let points = priority_points(
            RuleSet::Vn2025,
            &["ethnic_minority", "military_service", "union_cadre"],
            &NONE,
            today(),
        )?;
        assert_eq!(points, dec!(5.00));
        assert_eq!(points.to_string(), "5.00");
        Ok(())
    }

    #[test]
    fn vn_7_each_tier_is_worth_its_points() -> Result<(), RankingError> {
        let cases = [
            ("hero", dec!(7.50)),
            ("labour_hero", dec!(7.50)),
            ("war_invalid", dec!(7.50)),
            ("war_invalid_b", dec!(7.50)),
            ("ethnic_minority", dec!(5.00)),
            ("officer", dec!(5.00)),
            ("demobilised_soldier", dec!(5.00)),
            ("cipher_staff", dec!(5.00)),
            ("reserve_officer", dec!(5.00)),
            ("martyr_child", dec!(5.00)),
            ("war_invalid_child", dec!(5.00)),
            ("hero_child", dec!(5.00)),
            ("military_service", dec!(2.50)),
            ("police_service", dec!(2.50)),
            ("youth_volunteer", dec!(2.50)),
            ("union_cadre", dec!(1.50)),
        ];
        for (code, expected) in cases {
            for rule_set in RuleSet::ALL {
                assert_eq!(
                    priority_points(rule_set, &[code], &NONE, today())?,
                    expected,
                    "{code} under {rule_set}"
                );
            }
        }
        Ok(())
    }

    #[test]
    fn vn_7_defence_workers_count_only_from_1_august_2026_under_vn_2025() -> Result<(), RankingError>
    {
        let groups = ["defence_worker"];
        let before = day(2026, 7, 31);
        let from = day(2026, 8, 1);
        assert_eq!(
            priority_points(RuleSet::Vn2025, &groups, &NONE, before)?,
            dec!(0.00)
        );
        assert_eq!(
            priority_points(RuleSet::Vn2025, &groups, &NONE, from)?,
            dec!(2.50)
        );
        assert_eq!(
            priority_points(RuleSet::Vn2020, &groups, &NONE, from)?,
            dec!(0.00)
        );
        assert_eq!(
            priority_points(RuleSet::VnVc2020, &groups, &NONE, from)?,
            dec!(0.00)
        );
        Ok(())
    }

    #[test]
    fn vn_9_an_unproven_claim_is_void_and_the_next_highest_counts() -> Result<(), RankingError> {
        let award = priority_award(
            RuleSet::Vn2025,
            &["war_invalid", "youth_volunteer"],
            &["war_invalid"],
            today(),
        )?;
        assert_eq!(award.points, dec!(2.50));
        assert_eq!(award.group, Some(PriorityGroup::YouthVolunteer));
        Ok(())
    }

    #[test]
    fn no_claim_grants_zero_points() -> Result<(), RankingError> {
        let award = priority_award(RuleSet::Vn2025, &NONE, &NONE, today())?;
        assert_eq!(award.points.to_string(), "0.00");
        assert_eq!(award.group, None);
        Ok(())
    }

    #[test]
    fn an_unknown_group_code_is_refused_by_name() {
        assert_eq!(
            priority_points(RuleSet::Vn2025, &["hero", "veteran"], &NONE, today()),
            Err(RankingError::UnknownPriorityGroup("veteran".to_owned()))
        );
        assert_eq!(
            priority_points(RuleSet::Vn2025, &["hero"], &["heroo"], today()),
            Err(RankingError::UnknownPriorityGroup("heroo".to_owned()))
        );
    }

    #[test]
    fn group_codes_round_trip() -> Result<(), RankingError> {
        for group in PriorityGroup::ALL {
            assert_eq!(group.code().parse::<PriorityGroup>()?, group);
        }
        Ok(())
    }
}
