//! Recruitment rounds for HR: the round and its rule set (VN-0), positions with the quotas of
//! their agencies (VN-13), applications (Form 01) one by one or imported from a file, with
//! their priority points (VN-7 to VN-9) and the one-application rule (VN-16), eligibility, and
//! the round's dashboard with the deadlines of VN-30.
//!
//! Every change is audited in the transaction that makes it, under `AppState::audit_lock`.

pub mod deadlines;
pub mod import;

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::{self, Event};
use crate::entities::{agencies, applications, positions, rounds};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::rules::{priority_award, LanguageExemption, PriorityGroup, Round2Form, RuleSet};
use crate::state::AppState;
use crate::vietnam_time::vietnam_today;
use question_bank::FieldError;

use self::deadlines::{Deadline, DeadlineInput};
use self::import::{FileFormat, Row};

/// Page size of lists when the client names none, and the most it may ask for.
pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 500;

const MAX_NAME_CHARS: usize = 200;
const MAX_REASON_CHARS: usize = 2_000;
/// The Law on Cadres and Civil Servants admits candidates from 18 years of age.
const MIN_AGE_YEARS: u32 = 18;

// ---------------------------------------------------------------------------------------------
// Request and response bodies

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`) in a PATCH body.
fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRound {
    /// Letters, digits, `-`, `_` and `.`; unique. Used in public result URLs.
    pub code: String,
    pub name: String,
    /// `vn-2025` (default), `vn-2020` or `vn-vc-2020` (VN-0).
    #[serde(default)]
    pub rule_set: Option<String>,
    /// VN-16, default on.
    #[serde(default)]
    pub one_application_per_candidate: Option<bool>,
    /// The day applications open; the VN-30 deadlines count from it.
    #[serde(default)]
    pub applications_open_on: Option<NaiveDate>,
    #[serde(default)]
    pub round1_on: Option<NaiveDate>,
    #[serde(default)]
    pub round2_on: Option<NaiveDate>,
}

/// Fields to change; absent fields stay. The rules (`rule_set`,
/// `one_application_per_candidate`) are fixed once the first session has started (VN-0).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub rule_set: Option<String>,
    #[serde(default)]
    pub one_application_per_candidate: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub applications_open_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub round1_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub round2_on: Option<Option<NaiveDate>>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoundView {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub rule_set: String,
    pub one_application_per_candidate: bool,
    pub applications_open_on: Option<NaiveDate>,
    pub round1_on: Option<NaiveDate>,
    pub round2_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

impl From<rounds::Model> for RoundView {
    fn from(m: rounds::Model) -> Self {
        RoundView {
            id: m.id,
            code: m.code,
            name: m.name,
            rule_set: m.rule_set,
            one_application_per_candidate: m.one_application_per_candidate,
            applications_open_on: m.applications_open_on,
            round1_on: m.round1_on,
            round2_on: m.round2_on,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoundList {
    pub items: Vec<RoundView>,
    pub total: u64,
}

/// The job grade (*ngạch*) of a position; it decides the rounds (VN-1 to VN-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    ChuyenVien,
    CanSu,
    NhanVien,
    ChuyenVienChinh,
    ChuyenVienCaoCap,
}

impl Grade {
    pub const ALL: [Grade; 5] = [
        Grade::ChuyenVien,
        Grade::CanSu,
        Grade::NhanVien,
        Grade::ChuyenVienChinh,
        Grade::ChuyenVienCaoCap,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Grade::ChuyenVien => "chuyen_vien",
            Grade::CanSu => "can_su",
            Grade::NhanVien => "nhan_vien",
            Grade::ChuyenVienChinh => "chuyen_vien_chinh",
            Grade::ChuyenVienCaoCap => "chuyen_vien_cao_cap",
        }
    }
}

impl FromStr for Grade {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Grade::ALL
            .into_iter()
            .find(|g| g.code() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown grade '{s}' (expected one of: {})",
                    Grade::ALL.map(Grade::code).join(", ")
                )
            })
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgency {
    pub code: String,
    pub name: String,
    /// At least 1.
    pub quota: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPosition {
    /// Unique within the round.
    pub code: String,
    pub name: String,
    /// `chuyen_vien`, `can_su`, `nhan_vien`, `chuyen_vien_chinh` or `chuyen_vien_cao_cap`.
    pub grade: String,
    /// `written`, `written_cbt` or `written_interview`.
    pub round2_form: String,
    /// The employing agencies sharing the position, each with its quota (VN-13).
    pub agencies: Vec<NewAgency>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgencyView {
    pub code: String,
    pub name: String,
    pub quota: i32,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PositionView {
    pub id: i32,
    pub round_id: i32,
    pub code: String,
    pub name: String,
    pub grade: String,
    pub round2_form: String,
    /// The sum of the agencies' quotas (VN-13).
    pub quota: i32,
    pub agencies: Vec<AgencyView>,
}

fn position_view(p: positions::Model, agencies: Vec<agencies::Model>) -> PositionView {
    PositionView {
        id: p.id,
        round_id: p.round_id,
        code: p.code,
        name: p.name,
        grade: p.grade,
        round2_form: p.round2_form,
        quota: p.quota,
        agencies: agencies
            .into_iter()
            .map(|a| AgencyView {
                code: a.code,
                name: a.name,
                quota: a.quota,
            })
            .collect(),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PositionList {
    pub items: Vec<PositionView>,
    pub total: u64,
}

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
    /// Codes of DOMAIN.md §3; only the highest counts (VN-8).
    #[serde(default)]
    pub priority_groups: Vec<String>,
    /// Language-test exemptions (VN-6): `language_degree`, `studied_in_language`,
    /// `ethnic_minority_language`.
    #[serde(default)]
    pub exemptions: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApplicationView {
    pub id: i32,
    pub round_id: i32,
    pub position_code: String,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    /// `male` or `female`.
    pub gender: String,
    pub national_id: String,
    pub agency_preferences: Vec<String>,
    pub priority_groups: Vec<String>,
    /// Claims found unproven when the dossier was completed: they grant nothing (VN-9).
    pub unproven_groups: Vec<String>,
    pub exemptions: Vec<String>,
    /// The points granted: the highest proven group only, 2 places (`"5.00"`).
    pub priority_points: String,
    /// The group granting `priority_points`, if any.
    pub priority_group: Option<String>,
    /// `null` until the application is checked.
    pub eligible: Option<bool>,
    pub eligibility_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationList {
    pub items: Vec<ApplicationView>,
    pub total: u64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnprovenClaim {
    /// The priority group whose certificate is missing.
    pub group: String,
    pub reason: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityDecision {
    pub eligible: bool,
    /// Required when `eligible` is false.
    #[serde(default)]
    pub reason: Option<String>,
}

/// One row of an import as it would be stored (dry runs).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportPreviewRow {
    pub row: usize,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub gender: String,
    pub national_id: String,
    pub position_code: String,
    pub agency_preferences: Vec<String>,
    pub priority_groups: Vec<String>,
    pub exemptions: Vec<String>,
    pub priority_points: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Applications imported (in a dry run: that would be imported).
    pub imported: usize,
    /// Empty in a dry run.
    pub application_ids: Vec<i32>,
    /// Dry runs only: every row as it would be stored.
    pub preview: Vec<ImportPreviewRow>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PositionStats {
    pub code: String,
    pub name: String,
    pub quota: i32,
    pub applications: u64,
    pub eligible: u64,
    pub ineligible: u64,
    /// Applicants per quota place, 2 places (`"3.50"`).
    pub competition_ratio: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub round: RoundView,
    /// Today in Vietnam (UTC+7), by the server's clock.
    pub today: NaiveDate,
    pub applications: u64,
    pub eligible: u64,
    pub ineligible: u64,
    /// Not yet checked.
    pub pending: u64,
    pub positions: Vec<PositionStats>,
    /// VN-30, in the order the steps happen.
    pub deadlines: Vec<Deadline>,
}

// ---------------------------------------------------------------------------------------------
// Field checks shared by the JSON endpoints and the file import

fn check_code(errors: &mut Vec<FieldError>, location: &str, value: &str) -> String {
    let code = value.trim();
    if code.is_empty() {
        errors.push(FieldError::new(location, "required"));
    } else if code.len() > 64
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        errors.push(FieldError::new(
            location,
            format!("'{code}': up to 64 letters (A-Z, a-z), digits, '-', '_' or '.'"),
        ));
    }
    code.to_string()
}

fn check_text(
    errors: &mut Vec<FieldError>,
    location: &str,
    value: &str,
    max_chars: usize,
) -> String {
    let text = value.trim();
    if text.is_empty() {
        errors.push(FieldError::new(location, "required"));
    } else if text.chars().count() > max_chars {
        errors.push(FieldError::new(
            location,
            format!("at most {max_chars} characters"),
        ));
    }
    text.to_string()
}

fn parse_rule_set(errors: &mut Vec<FieldError>, value: Option<&str>) -> RuleSet {
    match value.map(str::trim) {
        None | Some("") => RuleSet::default(),
        Some(code) => RuleSet::from_str(code).unwrap_or_else(|e| {
            errors.push(FieldError::new("rule_set", e.to_string()));
            RuleSet::default()
        }),
    }
}

/// The round as the application checks need it.
struct RoundRules {
    rule_set: RuleSet,
    /// By position code: (position id, agency codes in plan order).
    positions: HashMap<String, (i32, Vec<String>)>,
}

impl RoundRules {
    async fn load<C: ConnectionTrait>(conn: &C, round: &rounds::Model) -> AppResult<RoundRules> {
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
            rule_set: stored_rule_set(round)?,
            positions,
        })
    }
}

fn stored_rule_set(round: &rounds::Model) -> AppResult<RuleSet> {
    RuleSet::from_str(&round.rule_set)
        .map_err(|e| AppError::Internal(format!("round {}: {e}", round.id)))
}

/// Where a field of an application is, in the JSON body or in a file.
enum Site<'a> {
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
struct CheckedApplication {
    position_id: i32,
    position_code: String,
    full_name: String,
    date_of_birth: NaiveDate,
    gender: &'static str,
    national_id: String,
    agency_preferences: Vec<String>,
    priority_groups: Vec<String>,
    exemptions: Vec<String>,
    priority_points: String,
}

/// `male` or `female` from what HR or a form writes.
pub fn parse_gender(value: &str) -> Option<&'static str> {
    match question_bank::text::fold(value).as_str() {
        "nam" | "male" | "m" => Some("male"),
        "nu" | "female" | "f" => Some("female"),
        _ => None,
    }
}

fn parse_date(value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(v, "%d/%m/%Y"))
        .ok()
}

fn age_on(born: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - born.year();
    if (day.month(), day.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    age
}

/// Checks one application against the round; every problem is listed, located by `site`.
fn check_application(
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

    let dob_at = site.at("date_of_birth", None);
    let date_of_birth = match parse_date(&input.date_of_birth) {
        None if input.date_of_birth.trim().is_empty() => {
            errors.push(FieldError::new(dob_at, "required"));
            None
        }
        None => {
            errors.push(FieldError::new(
                dob_at,
                format!(
                    "'{}' is not a date; write YYYY-MM-DD",
                    input.date_of_birth.trim()
                ),
            ));
            None
        }
        Some(d) if d.year() < 1900 || d > today => {
            errors.push(FieldError::new(
                dob_at,
                format!("{d} is not a plausible date of birth"),
            ));
            None
        }
        Some(d) if age_on(d, today) < MIN_AGE_YEARS as i32 => {
            errors.push(FieldError::new(
                dob_at,
                format!("born {d}: the candidate must be at least {MIN_AGE_YEARS} years old"),
            ));
            None
        }
        Some(d) => Some(d),
    };

    let gender = parse_gender(&input.gender);
    if gender.is_none() {
        errors.push(FieldError::new(
            site.at("gender", None),
            if input.gender.trim().is_empty() {
                "required".to_string()
            } else {
                format!(
                    "'{}' is not a gender; write nam or nữ (male or female)",
                    input.gender.trim()
                )
            },
        ));
    }

    let national_id: String = input.national_id.split_whitespace().collect();
    if national_id.is_empty() {
        errors.push(FieldError::new(site.at("national_id", None), "required"));
    } else if !(national_id.len() == 12 || national_id.len() == 9)
        || !national_id.chars().all(|c| c.is_ascii_digit())
    {
        let hint = if national_id.chars().all(|c| c.is_ascii_digit())
            && (national_id.len() == 11 || national_id.len() == 8)
        {
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

    let position_code = input.position_code.trim().to_string();
    let position = if position_code.is_empty() {
        errors.push(FieldError::new(site.at("position_code", None), "required"));
        None
    } else {
        let found = rules.positions.get(&position_code);
        if found.is_none() {
            errors.push(FieldError::new(
                site.at("position_code", None),
                format!("no position '{position_code}' in this round"),
            ));
        }
        found
    };

    let mut agency_preferences = Vec::new();
    if let Some((_, agencies)) = position {
        let mut seen = HashSet::new();
        for (i, code) in input.agency_preferences.iter().enumerate() {
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
                agency_preferences.push(code.to_string());
            }
        }
        if input.agency_preferences.is_empty() {
            agency_preferences = agencies.clone();
        }
    }

    let mut priority_groups = Vec::new();
    for (i, code) in input.priority_groups.iter().enumerate() {
        match PriorityGroup::from_str(code.trim()) {
            Ok(g) if priority_groups.iter().any(|c| c == g.code()) => {}
            Ok(g) => priority_groups.push(g.code().to_string()),
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

    let mut exemptions = Vec::new();
    for (i, code) in input.exemptions.iter().enumerate() {
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

    let points = priority_award(rules.rule_set, &priority_groups, &[] as &[&str], today)
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
                agency_preferences,
                priority_groups,
                exemptions,
                priority_points: points_text(points),
            })
        }
        _ => Err(errors),
    }
}

fn points_text(d: Decimal) -> String {
    format!(
        "{:.2}",
        d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    )
}

fn application_record(round_id: i32, a: &CheckedApplication) -> repo::round::ApplicationRecord {
    repo::round::ApplicationRecord {
        round_id,
        position_id: a.position_id,
        full_name: a.full_name.clone(),
        date_of_birth: a.date_of_birth,
        gender: a.gender.to_string(),
        national_id: a.national_id.clone(),
        agency_preferences: a.agency_preferences.clone(),
        priority_groups: a.priority_groups.clone(),
        exemptions: a.exemptions.clone(),
        priority_points: a.priority_points.clone(),
        eligible: None,
    }
}

fn application_view(
    m: applications::Model,
    position_code: String,
    rule_set: RuleSet,
) -> AppResult<ApplicationView> {
    let priority_groups = repo::round::parse_list(&m.priority_groups)?;
    let unproven_groups = repo::round::parse_list(&m.unproven_groups)?;
    let priority_group = priority_award(
        rule_set,
        &priority_groups,
        &unproven_groups,
        m.created_at.date_naive(),
    )
    .ok()
    .and_then(|a| a.group)
    .map(|g| g.code().to_string());
    Ok(ApplicationView {
        id: m.id,
        round_id: m.round_id,
        position_code,
        gender: parse_gender(&m.gender)
            .map(str::to_string)
            .unwrap_or(m.gender),
        full_name: m.full_name,
        date_of_birth: m.date_of_birth,
        national_id: m.national_id,
        agency_preferences: repo::round::parse_list(&m.agency_preferences)?,
        priority_groups,
        unproven_groups,
        exemptions: repo::round::parse_list(&m.exemptions)?,
        priority_points: m.priority_points,
        priority_group,
        eligible: m.eligible,
        eligibility_reason: m.eligibility_reason,
        created_at: m.created_at,
    })
}

async fn load_round<C: ConnectionTrait>(conn: &C, round_id: i32) -> AppResult<rounds::Model> {
    repo::round::find_round(conn, round_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no round {round_id}")))
}

async fn load_application<C: ConnectionTrait>(
    conn: &C,
    application_id: i32,
) -> AppResult<(applications::Model, rounds::Model, String)> {
    let application = repo::round::find_application(conn, application_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no application {application_id}")))?;
    let round = load_round(conn, application.round_id).await?;
    let position_code = repo::round::positions_of_round(conn, round.id)
        .await?
        .into_iter()
        .find(|(p, _)| p.id == application.position_id)
        .map(|(p, _)| p.code)
        .ok_or_else(|| {
            AppError::Internal(format!(
                "application {application_id} has no position {}",
                application.position_id
            ))
        })?;
    Ok((application, round, position_code))
}

fn page(limit: Option<u64>, offset: Option<u64>) -> (u64, u64) {
    (
        limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT),
        offset.unwrap_or(0),
    )
}

// ---------------------------------------------------------------------------------------------
// Rounds

pub async fn create_round(state: &AppState, actor: &str, new: NewRound) -> AppResult<RoundView> {
    let mut errors = Vec::new();
    let code = check_code(&mut errors, "code", &new.code);
    let name = check_text(&mut errors, "name", &new.name, MAX_NAME_CHARS);
    let rule_set = parse_rule_set(&mut errors, new.rule_set.as_deref());
    if !errors.is_empty() {
        return Err(AppError::invalid("the round is not valid", errors));
    }
    let record = repo::round::RoundRecord {
        code,
        name,
        rule_set: rule_set.code().to_string(),
        one_application_per_candidate: new.one_application_per_candidate.unwrap_or(true),
        applications_open_on: new.applications_open_on,
        round1_on: new.round1_on,
        round2_on: new.round2_on,
    };
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    if repo::round::find_round_by_code(&txn, &record.code)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "a round with code '{}' exists",
            record.code
        )));
    }
    let round = repo::round::create_round(&txn, &record, now).await?;
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "round.create",
            entity: "round",
            entity_id: round.id.to_string(),
            details: serde_json::json!({
                "code": round.code,
                "rule_set": round.rule_set,
                "one_application_per_candidate": round.one_application_per_candidate,
                "applications_open_on": round.applications_open_on,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(round.into())
}

pub async fn list_rounds(
    state: &AppState,
    limit: Option<u64>,
    offset: Option<u64>,
) -> AppResult<RoundList> {
    let (limit, offset) = page(limit, offset);
    let (items, total) = repo::round::list_rounds(&state.db, limit, offset).await?;
    Ok(RoundList {
        items: items.into_iter().map(RoundView::from).collect(),
        total,
    })
}

pub async fn get_round(state: &AppState, round_id: i32) -> AppResult<RoundView> {
    Ok(load_round(&state.db, round_id).await?.into())
}

pub async fn update_round(
    state: &AppState,
    actor: &str,
    round_id: i32,
    patch: RoundPatch,
) -> AppResult<RoundView> {
    let mut errors = Vec::new();
    let name = patch
        .name
        .as_deref()
        .map(|n| check_text(&mut errors, "name", n, MAX_NAME_CHARS));
    let rule_set = patch
        .rule_set
        .as_deref()
        .map(|r| parse_rule_set(&mut errors, Some(r)));
    if !errors.is_empty() {
        return Err(AppError::invalid("the change is not valid", errors));
    }
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let round = load_round(&txn, round_id).await?;
    let before = repo::round::RoundRecord::from(&round);
    let mut after = before.clone();
    if let Some(name) = name {
        after.name = name;
    }
    if let Some(rule_set) = rule_set {
        after.rule_set = rule_set.code().to_string();
    }
    if let Some(one) = patch.one_application_per_candidate {
        after.one_application_per_candidate = one;
    }
    if let Some(d) = patch.applications_open_on {
        after.applications_open_on = d;
    }
    if let Some(d) = patch.round1_on {
        after.round1_on = d;
    }
    if let Some(d) = patch.round2_on {
        after.round2_on = d;
    }
    if after == before {
        return Ok(round.into());
    }
    let rule_set_changed = after.rule_set != before.rule_set;
    let rules_changed = rule_set_changed
        || after.one_application_per_candidate != before.one_application_per_candidate;
    if rules_changed {
        // VN-0: the rules a round's exams started under are the rules it is scored by.
        if let Some(started) = repo::round::first_started_session(&txn, round_id, now).await? {
            return Err(AppError::Conflict(format!(
                "the first session of round '{}' started at {}; its rules (rule set, one \
                 application per candidate) can no longer change (VN-0)",
                round.code,
                started.to_rfc3339()
            )));
        }
    }
    if after.one_application_per_candidate && !before.one_application_per_candidate {
        let mut seen = HashSet::new();
        let twice: HashSet<String> = repo::round::national_ids_of_round(&txn, round_id)
            .await?
            .into_iter()
            .filter(|(nid, _)| !seen.insert(nid.clone()))
            .map(|(nid, _)| nid)
            .collect();
        if !twice.is_empty() {
            return Err(AppError::Conflict(format!(
                "{} candidate(s) already applied more than once in this round; resolve their \
                 applications before requiring one per candidate (VN-16)",
                twice.len()
            )));
        }
    }
    let updated = repo::round::update_round(&txn, round, &after).await?;
    let mut recomputed = 0usize;
    if rule_set_changed {
        // Priority points are granted per the round's rule set: recompute them all.
        let rule_set = stored_rule_set(&updated)?;
        for a in repo::round::applications_of_round(&txn, round_id).await? {
            let groups = repo::round::parse_list(&a.priority_groups)?;
            let unproven = repo::round::parse_list(&a.unproven_groups)?;
            let points = priority_award(rule_set, &groups, &unproven, a.created_at.date_naive())
                .map_err(|e| AppError::Internal(format!("application {}: {e}", a.id)))?
                .points;
            let text = points_text(points);
            if text != a.priority_points {
                repo::round::update_priority(&txn, a, &unproven, &text).await?;
                recomputed += 1;
            }
        }
    }
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "round.update",
            entity: "round",
            entity_id: round_id.to_string(),
            details: serde_json::json!({
                "name": after.name,
                "rule_set": {"before": before.rule_set, "after": after.rule_set},
                "one_application_per_candidate": after.one_application_per_candidate,
                "applications_open_on": after.applications_open_on,
                "round1_on": after.round1_on,
                "round2_on": after.round2_on,
                "priority_points_recomputed": recomputed,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated.into())
}

// ---------------------------------------------------------------------------------------------
// Positions

pub async fn create_position(
    state: &AppState,
    actor: &str,
    round_id: i32,
    new: NewPosition,
) -> AppResult<PositionView> {
    let mut errors = Vec::new();
    let code = check_code(&mut errors, "code", &new.code);
    let name = check_text(&mut errors, "name", &new.name, MAX_NAME_CHARS);
    if let Err(e) = Grade::from_str(&new.grade) {
        errors.push(FieldError::new("grade", e));
    }
    if let Err(e) = Round2Form::from_str(new.round2_form.trim()) {
        errors.push(FieldError::new("round2_form", e.to_string()));
    }
    if new.agencies.is_empty() {
        errors.push(FieldError::new(
            "agencies",
            "at least one employing agency with its quota",
        ));
    }
    let mut agencies: Vec<(String, String, i32)> = Vec::new();
    let mut seen = HashSet::new();
    for (i, a) in new.agencies.iter().enumerate() {
        let code = check_code(&mut errors, &format!("agencies[{i}].code"), &a.code);
        if !code.is_empty() && !seen.insert(code.clone()) {
            errors.push(FieldError::new(
                format!("agencies[{i}].code"),
                format!("agency '{code}' is listed twice in the position"),
            ));
        }
        let name = check_text(
            &mut errors,
            &format!("agencies[{i}].name"),
            &a.name,
            MAX_NAME_CHARS,
        );
        let quota = match i32::try_from(a.quota) {
            Ok(q) if (1..=100_000).contains(&q) => q,
            _ => {
                errors.push(FieldError::new(
                    format!("agencies[{i}].quota"),
                    "a whole number of places, at least 1",
                ));
                0
            }
        };
        agencies.push((code, name, quota));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid("the position is not valid", errors));
    }
    let grade = new.grade.trim().to_string();
    let form = new.round2_form.trim().to_string();
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    load_round(&txn, round_id).await?;
    if repo::round::find_position_by_code(&txn, round_id, &code)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "the round already has a position '{code}'"
        )));
    }
    let agency_refs: Vec<(&str, &str, i32)> = agencies
        .iter()
        .map(|(c, n, q)| (c.as_str(), n.as_str(), *q))
        .collect();
    let position = repo::round::insert_position(
        &txn,
        round_id,
        &repo::round::NewPosition {
            code: &code,
            name: &name,
            grade: &grade,
            round2_form: &form,
            agencies: &agency_refs,
        },
    )
    .await?;
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "position.create",
            entity: "position",
            entity_id: position.id.to_string(),
            details: serde_json::json!({
                "round_id": round_id,
                "code": position.code,
                "grade": position.grade,
                "round2_form": position.round2_form,
                "quota": position.quota,
                "agencies": agencies.iter().map(|(c, _, q)| serde_json::json!({"code": c, "quota": q})).collect::<Vec<_>>(),
            }),
        },
    )
    .await?;
    let (position, agencies) = repo::round::positions_of_round(&txn, round_id)
        .await?
        .into_iter()
        .find(|(p, _)| p.id == position.id)
        .ok_or_else(|| AppError::Internal("the new position vanished".into()))?;
    txn.commit().await?;
    Ok(position_view(position, agencies))
}

pub async fn list_positions(state: &AppState, round_id: i32) -> AppResult<PositionList> {
    load_round(&state.db, round_id).await?;
    let items: Vec<PositionView> = repo::round::positions_of_round(&state.db, round_id)
        .await?
        .into_iter()
        .map(|(p, a)| position_view(p, a))
        .collect();
    Ok(PositionList {
        total: items.len() as u64,
        items,
    })
}

// ---------------------------------------------------------------------------------------------
// Applications

pub async fn create_application(
    state: &AppState,
    actor: &str,
    round_id: i32,
    new: NewApplication,
) -> AppResult<ApplicationView> {
    let now = state.now();
    let today = vietnam_today(now);
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let round = load_round(&txn, round_id).await?;
    let rules = RoundRules::load(&txn, &round).await?;
    let checked = check_application(&new, &rules, today, &Site::Body)
        .map_err(|errors| AppError::invalid("the application is not valid", errors))?;
    if round.one_application_per_candidate {
        if let Some(earlier) =
            repo::round::application_of_candidate(&txn, round_id, &checked.national_id).await?
        {
            return Err(AppError::Conflict(format!(
                "the candidate with national id {} already applied in this round (application \
                 {}); one application per candidate (VN-16)",
                checked.national_id, earlier.id
            )));
        }
    }
    let stored =
        repo::round::insert_application_record(&txn, application_record(round_id, &checked), now)
            .await?;
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "application.create",
            entity: "application",
            entity_id: stored.id.to_string(),
            details: serde_json::json!({
                "round_id": round_id,
                "position_code": checked.position_code,
                "priority_groups": checked.priority_groups,
                "priority_points": checked.priority_points,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    application_view(stored, checked.position_code, rules.rule_set)
}

pub async fn get_application(state: &AppState, application_id: i32) -> AppResult<ApplicationView> {
    let (application, round, position_code) = load_application(&state.db, application_id).await?;
    application_view(application, position_code, stored_rule_set(&round)?)
}

/// Filters of the application list.
#[derive(Debug, Default)]
pub struct ApplicationQuery {
    pub position_code: Option<String>,
    /// `true`, `false` or `pending` (not yet checked).
    pub eligible: Option<String>,
    pub q: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

pub async fn list_applications(
    state: &AppState,
    round_id: i32,
    query: ApplicationQuery,
) -> AppResult<ApplicationList> {
    let round = load_round(&state.db, round_id).await?;
    let rule_set = stored_rule_set(&round)?;
    let codes: HashMap<i32, String> = repo::round::positions_of_round(&state.db, round_id)
        .await?
        .into_iter()
        .map(|(p, _)| (p.id, p.code))
        .collect();
    let (limit, offset) = page(query.limit, query.offset);
    let mut filter = repo::round::ApplicationFilter {
        limit,
        offset,
        ..Default::default()
    };
    if let Some(code) = query.position_code.as_deref().map(str::trim) {
        match codes.iter().find(|(_, c)| c.as_str() == code) {
            Some((id, _)) => filter.position_id = Some(*id),
            None => {
                return Err(AppError::field(
                    "position_code",
                    format!("no position '{code}' in this round"),
                ))
            }
        }
    }
    filter.eligible = match query.eligible.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("true") => Some(Some(true)),
        Some("false") => Some(Some(false)),
        Some("pending") => Some(None),
        Some(other) => {
            return Err(AppError::field(
                "eligible",
                format!("'{other}': expected true, false or pending"),
            ))
        }
    };
    filter.q = query
        .q
        .as_deref()
        .map(|q| question_bank::text::fold(q).replace(['%', '_', '\\'], ""))
        .filter(|q| !q.trim().is_empty());
    let (rows, total) = repo::round::list_applications(&state.db, round_id, &filter).await?;
    let items = rows
        .into_iter()
        .map(|m| {
            let code = codes.get(&m.position_id).cloned().unwrap_or_default();
            application_view(m, code, rule_set)
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(ApplicationList { items, total })
}

/// VN-9: a claim not proven by a certificate is void; the points are recomputed from the
/// remaining claims.
pub async fn mark_claim_unproven(
    state: &AppState,
    actor: &str,
    application_id: i32,
    claim: UnprovenClaim,
) -> AppResult<ApplicationView> {
    let mut errors = Vec::new();
    let group = match PriorityGroup::from_str(claim.group.trim()) {
        Ok(g) => Some(g),
        Err(e) => {
            errors.push(FieldError::new("group", e.to_string()));
            None
        }
    };
    let reason = check_text(&mut errors, "reason", &claim.reason, MAX_REASON_CHARS);
    let Some(group) = group.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid("the claim is not valid", errors));
    };
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let (application, round, position_code) = load_application(&txn, application_id).await?;
    let rule_set = stored_rule_set(&round)?;
    let groups = repo::round::parse_list(&application.priority_groups)?;
    let mut unproven = repo::round::parse_list(&application.unproven_groups)?;
    if !groups.iter().any(|g| g == group.code()) {
        return Err(AppError::field(
            "group",
            format!("application {application_id} does not claim '{group}'"),
        ));
    }
    if unproven.iter().any(|g| g == group.code()) {
        return Err(AppError::Conflict(format!(
            "the claim '{group}' of application {application_id} is already marked unproven"
        )));
    }
    unproven.push(group.code().to_string());
    let points = priority_award(
        rule_set,
        &groups,
        &unproven,
        application.created_at.date_naive(),
    )
    .map_err(|e| AppError::Internal(format!("application {application_id}: {e}")))?
    .points;
    let before = application.priority_points.clone();
    let after = points_text(points);
    let updated = repo::round::update_priority(&txn, application, &unproven, &after).await?;
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "application.priority_unproven",
            entity: "application",
            entity_id: application_id.to_string(),
            details: serde_json::json!({
                "group": group.code(),
                "reason": reason,
                "priority_points": {"before": before, "after": after},
            }),
        },
    )
    .await?;
    txn.commit().await?;
    application_view(updated, position_code, rule_set)
}

pub async fn decide_eligibility(
    state: &AppState,
    actor: &str,
    application_id: i32,
    decision: EligibilityDecision,
) -> AppResult<ApplicationView> {
    let reason = decision
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    if !decision.eligible && reason.is_none() {
        return Err(AppError::field(
            "reason",
            "required when the application is not eligible",
        ));
    }
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
    {
        return Err(AppError::field(
            "reason",
            format!("at most {MAX_REASON_CHARS} characters"),
        ));
    }
    let now = state.now();
    let _chain = state.audit_lock.lock().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let (application, round, position_code) = load_application(&txn, application_id).await?;
    let before = application.eligible;
    let updated =
        repo::round::set_eligibility(&txn, application, decision.eligible, reason.clone()).await?;
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "application.eligibility",
            entity: "application",
            entity_id: application_id.to_string(),
            details: serde_json::json!({
                "eligible": {"before": before, "after": decision.eligible},
                "reason": reason,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    application_view(updated, position_code, stored_rule_set(&round)?)
}

fn row_input(file: &str, row: &Row, errors: &mut Vec<FieldError>) -> NewApplication {
    let mut text = |column: &str| -> String {
        match row.cells.get(column) {
            Some(Ok(v)) => v.clone(),
            Some(Err(e)) => {
                errors.push(FieldError::new(row.location(file, column), e.clone()));
                String::new()
            }
            None => String::new(),
        }
    };
    NewApplication {
        full_name: text("full_name"),
        date_of_birth: text("date_of_birth"),
        gender: text("gender"),
        national_id: text("national_id"),
        position_code: text("position_code"),
        agency_preferences: import::split_list(&text("agency_preferences")),
        priority_groups: import::split_list(&text("priority_groups")),
        exemptions: import::split_list(&text("exemptions")),
    }
}

/// Imports a file of applications: every row or none. With `dry_run`, nothing is stored and
/// the report previews the rows.
pub async fn import_applications(
    state: &AppState,
    actor: &str,
    round_id: i32,
    format: &str,
    dry_run: bool,
    bytes: &[u8],
) -> AppResult<ImportReport> {
    let format = FileFormat::parse(format).ok_or_else(|| {
        AppError::field(
            "format",
            format!("unknown format '{format}' (expected csv or xlsx)"),
        )
    })?;
    let file = format.file_name();
    let nothing = |errors: Vec<FieldError>| {
        AppError::invalid(
            format!(
                "{} problem(s) in {file}; nothing was imported",
                errors.len()
            ),
            errors,
        )
    };
    let rows = import::read_rows(format, bytes).map_err(nothing)?;
    let now = state.now();
    let today = vietnam_today(now);
    let _chain = if dry_run {
        None
    } else {
        Some(state.audit_lock.lock().await)
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let round = load_round(&txn, round_id).await?;
    let rules = RoundRules::load(&txn, &round).await?;
    let mut taken: HashMap<String, String> = HashMap::new();
    if round.one_application_per_candidate {
        for (nid, id) in repo::round::national_ids_of_round(&txn, round_id).await? {
            taken
                .entry(nid)
                .or_insert_with(|| format!("already applied in this round (application {id})"));
        }
    }
    let mut errors = Vec::new();
    let mut checked = Vec::with_capacity(rows.len());
    for row in &rows {
        let input = row_input(file, row, &mut errors);
        match check_application(&input, &rules, today, &Site::File { file, row }) {
            Ok(a) => {
                if round.one_application_per_candidate {
                    if let Some(why) = taken.get(&a.national_id) {
                        errors.push(FieldError::new(
                            row.location(file, "national_id"),
                            format!(
                                "the candidate with national id {} {why}; one application per \
                                 candidate (VN-16)",
                                a.national_id
                            ),
                        ));
                        continue;
                    }
                    taken.insert(
                        a.national_id.clone(),
                        format!("already applies in row {} of this file", row.row),
                    );
                }
                checked.push((row.row, a));
            }
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(nothing(errors));
    }
    if dry_run {
        return Ok(ImportReport {
            dry_run: true,
            imported: checked.len(),
            application_ids: Vec::new(),
            preview: checked
                .into_iter()
                .map(|(row, a)| ImportPreviewRow {
                    row,
                    full_name: a.full_name,
                    date_of_birth: a.date_of_birth,
                    gender: a.gender.to_string(),
                    national_id: a.national_id,
                    position_code: a.position_code,
                    agency_preferences: a.agency_preferences,
                    priority_groups: a.priority_groups,
                    exemptions: a.exemptions,
                    priority_points: a.priority_points,
                })
                .collect(),
        });
    }
    let mut ids = Vec::with_capacity(checked.len());
    for (_, a) in &checked {
        let stored =
            repo::round::insert_application_record(&txn, application_record(round_id, a), now)
                .await?;
        ids.push(stored.id);
    }
    audit::append(
        &txn,
        now,
        Event {
            actor,
            action: "application.import",
            entity: "round",
            entity_id: round_id.to_string(),
            details: serde_json::json!({
                "format": format.code(),
                "file_sha256": hex::encode(Sha256::digest(bytes)),
                "imported": ids.len(),
                "application_ids": ids,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(ImportReport {
        dry_run: false,
        imported: ids.len(),
        application_ids: ids,
        preview: Vec::new(),
    })
}

// ---------------------------------------------------------------------------------------------
// Dashboard

/// Applicants per quota place, 2 places.
pub fn competition_ratio(applicants: u64, quota: i32) -> String {
    if quota <= 0 {
        return "0.00".into();
    }
    points_text(Decimal::from(applicants) / Decimal::from(quota))
}

pub async fn dashboard(state: &AppState, round_id: i32) -> AppResult<Dashboard> {
    let round = load_round(&state.db, round_id).await?;
    let positions = repo::round::positions_of_round(&state.db, round_id).await?;
    // (applications, eligible, ineligible) per position id.
    let mut counts: HashMap<i32, (u64, u64, u64)> = HashMap::new();
    for (position_id, eligible, n) in repo::round::count_applications(&state.db, round_id).await? {
        let n = u64::try_from(n).unwrap_or(0);
        let c = counts.entry(position_id).or_default();
        c.0 += n;
        match eligible {
            Some(true) => c.1 += n,
            Some(false) => c.2 += n,
            None => {}
        }
    }
    let (mut applications, mut eligible, mut ineligible) = (0, 0, 0);
    let positions: Vec<PositionStats> = positions
        .into_iter()
        .map(|(p, _)| {
            let (a, e, i) = counts.get(&p.id).copied().unwrap_or_default();
            applications += a;
            eligible += e;
            ineligible += i;
            PositionStats {
                competition_ratio: competition_ratio(a, p.quota),
                code: p.code,
                name: p.name,
                quota: p.quota,
                applications: a,
                eligible: e,
                ineligible: i,
            }
        })
        .collect();
    let deadlines = deadlines::deadlines(&DeadlineInput {
        applications_open_on: round.applications_open_on,
        applicants: applications,
        round1_on: round.round1_on,
        round2_on: round.round2_on,
    });
    Ok(Dashboard {
        today: vietnam_today(state.now()),
        round: round.into(),
        applications,
        eligible,
        ineligible,
        pending: applications - eligible - ineligible,
        positions,
        deadlines,
    })
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
    fn competition_ratio_has_two_places() {
        assert_eq!(competition_ratio(7, 2), "3.50");
        assert_eq!(competition_ratio(10, 3), "3.33");
        assert_eq!(competition_ratio(0, 3), "0.00");
        assert_eq!(competition_ratio(2, 3), "0.67");
    }

    #[test]
    fn age_counts_whole_years() {
        let born = NaiveDate::from_ymd_opt(2008, 3, 3).expect("date");
        assert_eq!(age_on(born, today()), 17);
        let born = NaiveDate::from_ymd_opt(2008, 3, 2).expect("date");
        assert_eq!(age_on(born, today()), 18);
    }
}
