//! The checks of one application (Form 01), the same for the JSON endpoint and for each row of
//! an imported file: the candidate's identity and age, the position and the agencies they
//! prefer among those sharing it (VN-13), the priority groups claimed, of which only the
//! highest counts (VN-7, VN-8), and the language-test exemptions (VN-6). Every problem is
//! listed, located in the body or in the file.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use sea_orm::ConnectionTrait;
use serde::Deserialize;

use crate::entities::rounds;
use crate::error::AppResult;
use crate::repo;
use crate::rules::two_places;
use crate::rules::{priority_award, priority_date, LanguageExemption, PriorityGroup, RuleSet};
use crate::services::fields::{check_text, parse_date, MAX_NAME_CHARS};
use crate::services::lookup;
use question_bank::FieldError;

use super::import::Row;

/// The Law on Cadres and Civil Servants admits candidates from 18 years of age.
const MIN_AGE_YEARS: u32 = 18;

/// An application (Form 01).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    pub full_name: String,
    /// `YYYY-MM-DD` (`DD/MM/YYYY` is accepted too).
    pub date_of_birth: String,
    /// `nam` / `male` or `nữ` / `female`.
    pub gender: String,
    /// 12 digits (căn cước) or 9 digits (old ID card).
    pub national_id: String,
    pub position_code: String,
    /// Agency codes of the position in the candidate's order; empty means all, in plan order.
    #[serde(default)]
    pub agency_preferences: Vec<String>,
    /// Priority group codes (VN-7); only the highest counts (VN-8).
    #[serde(default)]
    pub priority_groups: Vec<String>,
    /// Language-test exemptions (VN-6): `language_degree`, `studied_in_language`,
    /// `ethnic_minority_language`.
    #[serde(default)]
    pub exemptions: Vec<String>,
    /// The candidate's old 9-digit ID card, when `national_id` is their 12-digit căn cước:
    /// both name the same person (VN-16).
    #[serde(default)]
    pub linked_national_id: Option<String>,
}

/// The round as the application checks need it.
pub(super) struct RoundRules {
    pub(super) rule_set: RuleSet,
    /// By position code: (position id, agency codes in plan order).
    pub(super) positions: HashMap<String, (i32, Vec<String>)>,
    /// The day the round's plan was approved: priority groups are read as of it (VN-0).
    pub(super) plan_approved_on: Option<NaiveDate>,
}

impl RoundRules {
    pub(super) async fn load<C: ConnectionTrait>(
        conn: &C,
        round: &rounds::Model,
    ) -> AppResult<RoundRules> {
        let positions = repo::round::positions_of_round(conn, round.id)
            .await?
            .into_iter()
            .map(|(p, agencies)| {
                (
                    p.code,
                    (p.id, agencies.into_iter().map(|a| a.code).collect()),
                )
            })
            .collect();
        Ok(RoundRules {
            rule_set: lookup::rule_set(round)?,
            positions,
            plan_approved_on: round.plan_approved_on,
        })
    }
}

/// Where a field of an application is, in the JSON body or in a file.
pub(super) enum Site<'a> {
    Body,
    File { file: &'a str, row: &'a Row },
}

impl Site<'_> {
    fn at(&self, field: &str, index: Option<usize>) -> String {
        match (self, index) {
            (Site::Body, Some(i)) => format!("{field}[{i}]"),
            (Site::Body, None) => field.to_string(),
            (Site::File { file, row }, _) => row.location(file, field),
        }
    }
}

/// An application that passed every check, ready to store.
pub(super) struct CheckedApplication {
    pub(super) position_id: i32,
    pub(super) position_code: String,
    pub(super) full_name: String,
    pub(super) date_of_birth: NaiveDate,
    pub(super) gender: &'static str,
    pub(super) national_id: String,
    pub(super) linked_national_id: Option<String>,
    pub(super) agency_preferences: Vec<String>,
    pub(super) priority_groups: Vec<String>,
    pub(super) exemptions: Vec<String>,
    pub(super) priority_points: String,
}

impl CheckedApplication {
    /// The row to store, not yet checked for eligibility.
    pub(super) fn record(&self, round_id: i32) -> repo::round::ApplicationRecord {
        repo::round::ApplicationRecord {
            round_id,
            position_id: self.position_id,
            full_name: self.full_name.clone(),
            date_of_birth: self.date_of_birth,
            gender: self.gender.to_string(),
            national_id: self.national_id.clone(),
            linked_national_id: self.linked_national_id.clone(),
            agency_preferences: self.agency_preferences.clone(),
            priority_groups: self.priority_groups.clone(),
            exemptions: self.exemptions.clone(),
            priority_points: self.priority_points.clone(),
            eligible: None,
        }
    }
}

/// `male` or `female` from what HR or a form writes.
pub fn parse_gender(value: &str) -> Option<&'static str> {
    match question_bank::text::fold(value).as_str() {
        "nam" | "male" | "m" => Some("male"),
        "nu" | "female" | "f" => Some("female"),
        _ => None,
    }
}

fn age_on(born: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - born.year();
    if (day.month(), day.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    age
}

/// Checks one application against the round on `today` (Vietnam); every problem is listed,
/// located by `site`.
pub(super) fn check_application(
    input: &NewApplication,
    rules: &RoundRules,
    today: NaiveDate,
    site: &Site<'_>,
) -> Result<CheckedApplication, Vec<FieldError>> {
    let mut errors = Vec::new();
    let full_name = check_text(
        &mut errors,
        &site.at("full_name", None),
        &input.full_name,
        MAX_NAME_CHARS,
    );
    let date_of_birth = check_date_of_birth(&mut errors, site, &input.date_of_birth, today);
    let gender = check_gender(&mut errors, site, &input.gender);
    let national_id = check_national_id(&mut errors, site, &input.national_id);
    let linked_national_id = check_linked_national_id(
        &mut errors,
        site,
        input.linked_national_id.as_deref(),
        &national_id,
    );
    let position_code = input.position_code.trim().to_string();
    let position = check_position(&mut errors, site, &position_code, rules);
    let agency_preferences = match position {
        Some((_, agencies)) => check_agency_preferences(
            &mut errors,
            site,
            &input.agency_preferences,
            &position_code,
            agencies,
        ),
        None => Vec::new(),
    };
    let priority_groups = check_priority_groups(&mut errors, site, &input.priority_groups);
    let exemptions = check_exemptions(&mut errors, site, &input.exemptions);

    let as_of = priority_date(rules.plan_approved_on, today);
    let points = priority_award(rules.rule_set, &priority_groups, &[] as &[&str], as_of)
        .map_err(|e| {
            vec![FieldError::new(
                site.at("priority_groups", None),
                e.to_string(),
            )]
        })?
        .points;

    match (date_of_birth, gender, position) {
        (Some(date_of_birth), Some(gender), Some((position_id, _))) if errors.is_empty() => {
            Ok(CheckedApplication {
                position_id: *position_id,
                position_code,
                full_name,
                date_of_birth,
                gender,
                national_id,
                linked_national_id,
                agency_preferences,
                priority_groups,
                exemptions,
                priority_points: two_places(points),
            })
        }
        _ => Err(errors),
    }
}

/// A plausible date of birth of a candidate of at least 18 on `today`.
fn check_date_of_birth(
    errors: &mut Vec<FieldError>,
    site: &Site<'_>,
    value: &str,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let at = site.at("date_of_birth", None);
    let problem = match parse_date(value) {
        None if value.trim().is_empty() => "required".to_string(),
        None => format!("'{}' is not a date; write YYYY-MM-DD", value.trim()),
        Some(d) if d.year() < 1900 || d > today => {
            format!("{d} is not a plausible date of birth")
        }
        Some(d) if age_on(d, today) < MIN_AGE_YEARS as i32 => {
            format!("born {d}: the candidate must be at least {MIN_AGE_YEARS} years old")
        }
        Some(d) => return Some(d),
    };
    errors.push(FieldError::new(at, problem));
    None
}

fn check_gender(
    errors: &mut Vec<FieldError>,
    site: &Site<'_>,
    value: &str,
) -> Option<&'static str> {
    let gender = parse_gender(value);
    if gender.is_none() {
        errors.push(FieldError::new(
            site.at("gender", None),
            if value.trim().is_empty() {
                "required".to_string()
            } else {
                format!(
                    "'{}' is not a gender; write nam or nữ (male or female)",
                    value.trim()
                )
            },
        ));
    }
    gender
}

/// 12 digits (căn cước) or 9 (old ID card), spaces ignored.
fn check_national_id(errors: &mut Vec<FieldError>, site: &Site<'_>, value: &str) -> String {
    let national_id: String = value.split_whitespace().collect();
    let digits = national_id.chars().all(|c| c.is_ascii_digit());
    if national_id.is_empty() {
        errors.push(FieldError::new(site.at("national_id", None), "required"));
    } else if !(national_id.len() == 12 || national_id.len() == 9) || !digits {
        // Excel drops the leading 0 of an id typed in a number cell.
        let hint = if digits && (national_id.len() == 11 || national_id.len() == 8) {
            "; a leading 0 may have been lost: in Excel, format the column as Text"
        } else {
            ""
        };
        errors.push(FieldError::new(
            site.at("national_id", None),
            format!(
                "'{national_id}' is not a national id: 12 digits (căn cước) or 9 digits (old ID \
                 card){hint}"
            ),
        ));
    }
    national_id
}

/// The old 9-digit ID card linked to a 12-digit căn cước (VN-16): the same person under both.
fn check_linked_national_id(
    errors: &mut Vec<FieldError>,
    site: &Site<'_>,
    value: Option<&str>,
    national_id: &str,
) -> Option<String> {
    let linked: String = value?.split_whitespace().collect();
    if linked.is_empty() {
        return None;
    }
    let problem = if linked.len() != 9 || !linked.chars().all(|c| c.is_ascii_digit()) {
        format!("'{linked}' is not an old ID card number: 9 digits")
    } else if national_id.len() != 12 {
        "an old ID card is linked to a 12-digit căn cước only".to_string()
    } else {
        return Some(linked);
    };
    errors.push(FieldError::new(
        site.at("linked_national_id", None),
        problem,
    ));
    None
}

/// The position of the round, with its id and its agencies in plan order.
fn check_position<'r>(
    errors: &mut Vec<FieldError>,
    site: &Site<'_>,
    position_code: &str,
    rules: &'r RoundRules,
) -> Option<&'r (i32, Vec<String>)> {
    if position_code.is_empty() {
        errors.push(FieldError::new(site.at("position_code", None), "required"));
        return None;
    }
    let found = rules.positions.get(position_code);
    if found.is_none() {
        errors.push(FieldError::new(
            site.at("position_code", None),
            format!("no position '{position_code}' in this round"),
        ));
    }
    found
}

/// VN-13: the candidate orders agencies sharing the position, each once; none listed means
/// every agency in plan order.
fn check_agency_preferences(
    errors: &mut Vec<FieldError>,
    site: &Site<'_>,
    given: &[String],
    position_code: &str,
    agencies: &[String],
) -> Vec<String> {
    if given.is_empty() {
        return agencies.to_vec();
    }
    let mut preferences = Vec::new();
    let mut seen = HashSet::new();
    for (i, code) in given.iter().enumerate() {
        let code = code.trim();
        let at = site.at("agency_preferences", Some(i));
        if !agencies.iter().any(|a| a == code) {
            errors.push(FieldError::new(
                at,
                format!(
                    "agency '{code}' does not share position '{position_code}' (its \
                     agencies: {})",
                    agencies.join(", ")
                ),
            ));
        } else if !seen.insert(code.to_string()) {
            errors.push(FieldError::new(
                at,
                format!("agency '{code}' is listed twice"),
            ));
        } else {
            preferences.push(code.to_string());
        }
    }
    preferences
}

/// Known priority group codes, each kept once (VN-7).
fn check_priority_groups(
    errors: &mut Vec<FieldError>,
    site: &Site<'_>,
    given: &[String],
) -> Vec<String> {
    let mut groups = Vec::new();
    for (i, code) in given.iter().enumerate() {
        match PriorityGroup::from_str(code.trim()) {
            Ok(g) if groups.iter().any(|c| c == g.code()) => {}
            Ok(g) => groups.push(g.code().to_string()),
            Err(_) => errors.push(FieldError::new(
                site.at("priority_groups", Some(i)),
                format!(
                    "unknown priority group '{}' (expected one of: {})",
                    code.trim(),
                    PriorityGroup::ALL.map(PriorityGroup::code).join(", ")
                ),
            )),
        }
    }
    groups
}

/// Known language-test exemptions, each kept once (VN-6).
fn check_exemptions(
    errors: &mut Vec<FieldError>,
    site: &Site<'_>,
    given: &[String],
) -> Vec<String> {
    let mut exemptions = Vec::new();
    for (i, code) in given.iter().enumerate() {
        let code = code.trim();
        match serde_json::from_value::<LanguageExemption>(serde_json::Value::from(code)) {
            Ok(_) if exemptions.iter().any(|c| c == code) => {}
            Ok(_) => exemptions.push(code.to_string()),
            Err(_) => errors.push(FieldError::new(
                site.at("exemptions", Some(i)),
                format!(
                    "unknown exemption '{code}' (expected language_degree, studied_in_language \
                     or ethnic_minority_language)"
                ),
            )),
        }
    }
    exemptions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RoundRules {
        RoundRules {
            rule_set: RuleSet::Vn2025,
            positions: HashMap::from([(
                "CV-TCKT".to_string(),
                (1, vec!["STC".to_string(), "SXD".to_string()]),
            )]),
            plan_approved_on: None,
        }
    }

    fn input() -> NewApplication {
        NewApplication {
            full_name: " Nguyễn Thị Lan ".into(),
            date_of_birth: "12/03/1994".into(),
            gender: "Nữ".into(),
            national_id: "031 194 012 874".into(),
            position_code: "CV-TCKT".into(),
            agency_preferences: vec![],
            priority_groups: vec![
                "ethnic_minority".into(),
                "military_service".into(),
                "union_cadre".into(),
            ],
            exemptions: vec![],
            linked_national_id: None,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).expect("date")
    }

    #[test]
    fn an_application_is_normalised_and_granted_the_highest_group_only() {
        let Ok(a) = check_application(&input(), &rules(), today(), &Site::Body) else {
            panic!("valid application refused");
        };
        assert_eq!(a.full_name, "Nguyễn Thị Lan");
        assert_eq!(a.gender, "female");
        assert_eq!(a.national_id, "031194012874");
        assert_eq!(a.agency_preferences, vec!["STC", "SXD"]);
        assert_eq!(a.priority_points, "5.00");
    }

    #[test]
    fn every_problem_of_an_application_is_located() {
        let bad = NewApplication {
            full_name: "".into(),
            date_of_birth: "2010-01-01".into(),
            gender: "x".into(),
            national_id: "31194012874".into(),
            agency_preferences: vec!["SXD".into(), "SNV".into(), "SXD".into()],
            priority_groups: vec!["veteran".into()],
            exemptions: vec!["toeic".into()],
            ..input()
        };
        let Err(errors) = check_application(&bad, &rules(), today(), &Site::Body) else {
            panic!("invalid application accepted");
        };
        let locations: Vec<&str> = errors.iter().map(|e| e.location.as_str()).collect();
        assert_eq!(
            locations,
            vec![
                "full_name",
                "date_of_birth",
                "gender",
                "national_id",
                "agency_preferences[1]",
                "agency_preferences[2]",
                "priority_groups[0]",
                "exemptions[0]"
            ]
        );
        assert!(errors[3].message.contains("leading 0"));
    }

    #[test]
    fn an_unknown_position_is_named_and_its_agencies_are_not_checked() {
        let bad = NewApplication {
            position_code: " CV-XYZ ".into(),
            agency_preferences: vec!["SNV".into()],
            ..input()
        };
        let Err(errors) = check_application(&bad, &rules(), today(), &Site::Body) else {
            panic!("unknown position accepted");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].location, "position_code");
        assert!(errors[0].message.contains("'CV-XYZ'"));
    }

    #[test]
    fn age_counts_whole_years() {
        let born = NaiveDate::from_ymd_opt(2008, 3, 3).expect("date");
        assert_eq!(age_on(born, today()), 17);
        let born = NaiveDate::from_ymd_opt(2008, 3, 2).expect("date");
        assert_eq!(age_on(born, today()), 18);
    }
}
