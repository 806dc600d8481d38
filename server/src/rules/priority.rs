//! Priority groups (*đối tượng ưu tiên*) and the points they add to the round-2 score
//! (VN-7, VN-8, VN-9).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::{dec, Decimal};
use serde::{Deserialize, Serialize};

use crate::rules::error::RankingError;
use crate::rules::rule_set::RuleSet;

/// Decree 300/2026 adds two groups to the 2.5-point tier, for plans approved from this day on
/// (VN-0, VN-7).
pub const DEFENCE_WORKER_FROM: NaiveDate = crate::rules::rule_set::DECREE_300_FROM;

/// A priority group (VN-7), by the code of the decree's list. Codes of earlier versions of the
/// API (`hero`, `officer`, `union_cadre`…) are still read, as the group they always meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorityGroup {
    /// Hero of the People's Armed Forces.
    HeroArmedForces,
    /// Hero of Labour.
    HeroLabour,
    /// War invalid (*thương binh*).
    WarInvalid,
    /// Treated as a war invalid.
    TreatedAsWarInvalid,
    /// Type-B war invalid.
    WarInvalidTypeB,
    EthnicMinority,
    ArmyOfficer,
    PoliceOfficer,
    DemobilisedProfessionalSoldier,
    /// Cipher staff (*cơ yếu chuyên ngành*).
    CipherStaff,
    ReserveOfficerGraduate,
    CommuneMilitaryCommanderReserveOfficer,
    ChildOfMartyr,
    ChildOfWarInvalid,
    ChildOfSickSoldier,
    ChildOfTreatedAsWarInvalid,
    ChildOfWarInvalidTypeB,
    /// Biological child of a resistance fighter exposed to toxic chemicals.
    BiologicalChildOfToxicChemicalVictim,
    ChildOfHeroArmedForces,
    ChildOfHeroLabour,
    MilitaryServiceDone,
    PoliceServiceDone,
    YouthVolunteer,
    /// Defence worker who left service of working age (Decree 300/2026 only).
    DefenceWorkerLeftWorkingAge,
    /// Young-intellectual volunteer in a defence-economic zone (Decree 300/2026 only).
    YoungIntellectualDefenceZone,
    /// Trade-union cadre grown from the grassroots.
    UnionCadreGrassroots,
}

impl PriorityGroup {
    pub const ALL: [PriorityGroup; 26] = [
        PriorityGroup::HeroArmedForces,
        PriorityGroup::HeroLabour,
        PriorityGroup::WarInvalid,
        PriorityGroup::TreatedAsWarInvalid,
        PriorityGroup::WarInvalidTypeB,
        PriorityGroup::EthnicMinority,
        PriorityGroup::ArmyOfficer,
        PriorityGroup::PoliceOfficer,
        PriorityGroup::DemobilisedProfessionalSoldier,
        PriorityGroup::CipherStaff,
        PriorityGroup::ReserveOfficerGraduate,
        PriorityGroup::CommuneMilitaryCommanderReserveOfficer,
        PriorityGroup::ChildOfMartyr,
        PriorityGroup::ChildOfWarInvalid,
        PriorityGroup::ChildOfSickSoldier,
        PriorityGroup::ChildOfTreatedAsWarInvalid,
        PriorityGroup::ChildOfWarInvalidTypeB,
        PriorityGroup::BiologicalChildOfToxicChemicalVictim,
        PriorityGroup::ChildOfHeroArmedForces,
        PriorityGroup::ChildOfHeroLabour,
        PriorityGroup::MilitaryServiceDone,
        PriorityGroup::PoliceServiceDone,
        PriorityGroup::YouthVolunteer,
        PriorityGroup::DefenceWorkerLeftWorkingAge,
        PriorityGroup::YoungIntellectualDefenceZone,
        PriorityGroup::UnionCadreGrassroots,
    ];

    /// The code of the decree's list (VN-7 amended), used in the API and stored.
    pub const fn code(self) -> &'static str {
        match self {
            PriorityGroup::HeroArmedForces => "hero_armed_forces",
            PriorityGroup::HeroLabour => "hero_labour",
            PriorityGroup::WarInvalid => "war_invalid",
            PriorityGroup::TreatedAsWarInvalid => "treated_as_war_invalid",
            PriorityGroup::WarInvalidTypeB => "war_invalid_type_b",
            PriorityGroup::EthnicMinority => "ethnic_minority",
            PriorityGroup::ArmyOfficer => "army_officer",
            PriorityGroup::PoliceOfficer => "police_officer",
            PriorityGroup::DemobilisedProfessionalSoldier => "demobilised_professional_soldier",
            PriorityGroup::CipherStaff => "cipher_staff",
            PriorityGroup::ReserveOfficerGraduate => "reserve_officer_graduate",
            PriorityGroup::CommuneMilitaryCommanderReserveOfficer => {
                "commune_military_commander_reserve_officer"
            }
            PriorityGroup::ChildOfMartyr => "child_of_martyr",
            PriorityGroup::ChildOfWarInvalid => "child_of_war_invalid",
            PriorityGroup::ChildOfSickSoldier => "child_of_sick_soldier",
            PriorityGroup::ChildOfTreatedAsWarInvalid => "child_of_treated_as_war_invalid",
            PriorityGroup::ChildOfWarInvalidTypeB => "child_of_war_invalid_type_b",
            PriorityGroup::BiologicalChildOfToxicChemicalVictim => {
                "biological_child_of_toxic_chemical_victim"
            }
            PriorityGroup::ChildOfHeroArmedForces => "child_of_hero_armed_forces",
            PriorityGroup::ChildOfHeroLabour => "child_of_hero_labour",
            PriorityGroup::MilitaryServiceDone => "military_service_done",
            PriorityGroup::PoliceServiceDone => "police_service_done",
            PriorityGroup::YouthVolunteer => "youth_volunteer",
            PriorityGroup::DefenceWorkerLeftWorkingAge => "defence_worker_left_working_age",
            PriorityGroup::YoungIntellectualDefenceZone => "young_intellectual_defence_zone",
            PriorityGroup::UnionCadreGrassroots => "union_cadre_grassroots",
        }
    }

    /// The code an earlier version of the API used for this group, still accepted.
    const fn former_code(self) -> Option<&'static str> {
        match self {
            PriorityGroup::HeroArmedForces => Some("hero"),
            PriorityGroup::HeroLabour => Some("labour_hero"),
            PriorityGroup::WarInvalidTypeB => Some("war_invalid_b"),
            PriorityGroup::ArmyOfficer => Some("officer"),
            PriorityGroup::DemobilisedProfessionalSoldier => Some("demobilised_soldier"),
            PriorityGroup::ReserveOfficerGraduate => Some("reserve_officer"),
            PriorityGroup::ChildOfMartyr => Some("martyr_child"),
            PriorityGroup::ChildOfWarInvalid => Some("war_invalid_child"),
            PriorityGroup::ChildOfHeroArmedForces => Some("hero_child"),
            PriorityGroup::MilitaryServiceDone => Some("military_service"),
            PriorityGroup::PoliceServiceDone => Some("police_service"),
            PriorityGroup::DefenceWorkerLeftWorkingAge => Some("defence_worker"),
            PriorityGroup::UnionCadreGrassroots => Some("union_cadre"),
            _ => None,
        }
    }

    /// Points this group is worth under `rule_set` for a round whose priority groups are read
    /// as of `as_of` (the plan's approval date), with 2 decimal places (VN-7).
    ///
    /// All rule sets share the table (VN-31 says so for public employees), except the two
    /// groups Decree 300/2026 added: they count under `vn-2025` alone, and only for a plan
    /// approved from [`DEFENCE_WORKER_FROM`]; elsewhere they are worth 0.
    pub fn points(self, rule_set: RuleSet, as_of: NaiveDate) -> Decimal {
        use PriorityGroup as G;
        match self {
            G::HeroArmedForces
            | G::HeroLabour
            | G::WarInvalid
            | G::TreatedAsWarInvalid
            | G::WarInvalidTypeB => dec!(7.50),
            G::EthnicMinority
            | G::ArmyOfficer
            | G::PoliceOfficer
            | G::DemobilisedProfessionalSoldier
            | G::CipherStaff
            | G::ReserveOfficerGraduate
            | G::CommuneMilitaryCommanderReserveOfficer
            | G::ChildOfMartyr
            | G::ChildOfWarInvalid
            | G::ChildOfSickSoldier
            | G::ChildOfTreatedAsWarInvalid
            | G::ChildOfWarInvalidTypeB
            | G::BiologicalChildOfToxicChemicalVictim
            | G::ChildOfHeroArmedForces
            | G::ChildOfHeroLabour => dec!(5.00),
            G::MilitaryServiceDone | G::PoliceServiceDone | G::YouthVolunteer => dec!(2.50),
            G::DefenceWorkerLeftWorkingAge | G::YoungIntellectualDefenceZone => {
                if rule_set == RuleSet::Vn2025 && as_of >= DEFENCE_WORKER_FROM {
                    dec!(2.50)
                } else {
                    dec!(0.00)
                }
            }
            G::UnionCadreGrassroots => dec!(1.50),
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
            .find(|group| group.code() == s || group.former_code() == Some(s))
            .ok_or_else(|| RankingError::UnknownPriorityGroup(s.to_owned()))
    }
}

/// The day a round's priority groups are read as of (VN-0 amended, VN-7): the plan's approval
/// date when the round records one, never the day of the application; a round without one
/// falls back on the Vietnam date the application was made, the same on every computation.
pub fn priority_date(plan_approved_on: Option<NaiveDate>, applied_on: NaiveDate) -> NaiveDate {
    plan_approved_on.unwrap_or(applied_on)
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
    fn vn_7_the_groups_of_the_decree_by_code() -> Result<(), RankingError> {
        let tiers: [(&[&str], Decimal); 4] = [
            (
                &[
                    "hero_armed_forces",
                    "hero_labour",
                    "war_invalid",
                    "treated_as_war_invalid",
                    "war_invalid_type_b",
                ],
                dec!(7.50),
            ),
            (
                &[
                    "ethnic_minority",
                    "army_officer",
                    "police_officer",
                    "demobilised_professional_soldier",
                    "cipher_staff",
                    "reserve_officer_graduate",
                    "commune_military_commander_reserve_officer",
                    "child_of_martyr",
                    "child_of_war_invalid",
                    "child_of_sick_soldier",
                    "child_of_treated_as_war_invalid",
                    "child_of_war_invalid_type_b",
                    "biological_child_of_toxic_chemical_victim",
                    "child_of_hero_armed_forces",
                    "child_of_hero_labour",
                ],
                dec!(5.00),
            ),
            (
                &[
                    "military_service_done",
                    "police_service_done",
                    "youth_volunteer",
                ],
                dec!(2.50),
            ),
            (&["union_cadre_grassroots"], dec!(1.50)),
        ];
        let mut listed = 0;
        for (codes, expected) in tiers {
            for code in codes {
                let group: PriorityGroup = code.parse()?;
                assert_eq!(group.code(), *code);
                for rule_set in RuleSet::ALL {
                    assert_eq!(
                        priority_points(rule_set, &[*code], &NONE, day(2026, 8, 1))?,
                        expected,
                        "{code} under {rule_set}"
                    );
                }
                listed += 1;
            }
        }
        // With the two groups of Decree 300/2026, the list is complete.
        assert_eq!(listed + 2, PriorityGroup::ALL.len());
        Ok(())
    }

    #[test]
    fn vn_7_the_groups_added_by_decree_300_count_only_under_vn_2025() -> Result<(), RankingError> {
        let plan = day(2026, 8, 1);
        for code in [
            "defence_worker_left_working_age",
            "young_intellectual_defence_zone",
        ] {
            assert_eq!(
                priority_points(RuleSet::Vn2025, &[code], &NONE, plan)?,
                dec!(2.50)
            );
            assert_eq!(
                priority_points(RuleSet::Vn2025Pre300, &[code], &NONE, plan)?,
                dec!(0.00)
            );
        }
        Ok(())
    }

    #[test]
    fn e10_defence_worker_and_union_cadre_under_each_version_of_vn_2025() -> Result<(), RankingError>
    {
        // E10: the version follows the plan's approval date (20 Jul 2026 → pre300), never the
        // application's (3 Aug 2026).
        let pre300 = RuleSet::vn_2025_for_plan(day(2026, 7, 20));
        assert_eq!(pre300, RuleSet::Vn2025Pre300);
        let amended = RuleSet::vn_2025_for_plan(day(2026, 8, 1));
        let points = |rule_set: RuleSet, groups: &[&str]| {
            priority_points(rule_set, groups, &NONE, day(2026, 8, 3))
        };
        let worker = ["defence_worker_left_working_age"];
        assert_eq!(points(pre300, &worker)?.to_string(), "0.00");
        assert_eq!(points(amended, &worker)?.to_string(), "2.50");
        let with_union = ["defence_worker_left_working_age", "union_cadre_grassroots"];
        assert_eq!(points(pre300, &with_union)?.to_string(), "1.50");
        assert_eq!(points(amended, &with_union)?.to_string(), "2.50");
        let child = ["child_of_war_invalid_type_b"];
        assert_eq!(points(pre300, &child)?.to_string(), "5.00");
        assert_eq!(points(amended, &child)?.to_string(), "5.00");
        Ok(())
    }

    #[test]
    fn vn_7_the_codes_of_earlier_api_versions_still_name_their_group() -> Result<(), RankingError> {
        let cases = [
            ("hero", PriorityGroup::HeroArmedForces),
            ("labour_hero", PriorityGroup::HeroLabour),
            ("war_invalid_b", PriorityGroup::WarInvalidTypeB),
            ("officer", PriorityGroup::ArmyOfficer),
            (
                "demobilised_soldier",
                PriorityGroup::DemobilisedProfessionalSoldier,
            ),
            ("reserve_officer", PriorityGroup::ReserveOfficerGraduate),
            ("martyr_child", PriorityGroup::ChildOfMartyr),
            ("war_invalid_child", PriorityGroup::ChildOfWarInvalid),
            ("hero_child", PriorityGroup::ChildOfHeroArmedForces),
            ("military_service", PriorityGroup::MilitaryServiceDone),
            ("police_service", PriorityGroup::PoliceServiceDone),
            ("defence_worker", PriorityGroup::DefenceWorkerLeftWorkingAge),
            ("union_cadre", PriorityGroup::UnionCadreGrassroots),
        ];
        for (former, group) in cases {
            assert_eq!(former.parse::<PriorityGroup>()?, group);
        }
        Ok(())
    }

    #[test]
    fn vn_0_priority_groups_follow_the_plan_approval_date_not_the_application() {
        let plan = day(2026, 7, 20);
        assert_eq!(priority_date(Some(plan), day(2026, 8, 3)), plan);
        assert_eq!(priority_date(None, day(2026, 8, 3)), day(2026, 8, 3));
    }

    #[test]
    fn group_codes_round_trip() -> Result<(), RankingError> {
        for group in PriorityGroup::ALL {
            assert_eq!(group.code().parse::<PriorityGroup>()?, group);
        }
        Ok(())
    }
}
