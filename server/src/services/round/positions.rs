//! Positions of a round: the job grade that decides its exams (VN-1 to VN-4), the form of
//! round 2, and the employing agencies sharing it, each with its quota (VN-13).

use std::collections::HashSet;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::audit::{Action, Audited};
use crate::entities::{agencies, positions};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::rules::Round2Form;
use crate::services::fields::{check_code, check_text, MAX_NAME_CHARS};
use crate::services::lookup;
use crate::state::AppState;
use question_bank::FieldError;

/// The most places one agency may offer.
const MAX_QUOTA: i32 = 100_000;

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

/// One agency of a position as checked: (code, name, quota).
type CheckedAgency = (String, String, i32);

/// A position whose fields passed their checks.
#[derive(Debug)]
struct CheckedPosition {
    code: String,
    name: String,
    grade: String,
    round2_form: String,
    agencies: Vec<CheckedAgency>,
}

impl CheckedPosition {
    fn check(new: &NewPosition) -> Result<CheckedPosition, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = check_code(&mut errors, "code", &new.code);
        let name = check_text(&mut errors, "name", &new.name, MAX_NAME_CHARS);
        if let Err(e) = Grade::from_str(&new.grade) {
            errors.push(FieldError::new("grade", e));
        }
        if let Err(e) = Round2Form::from_str(new.round2_form.trim()) {
            errors.push(FieldError::new("round2_form", e.to_string()));
        }
        let agencies = check_agencies(&mut errors, &new.agencies);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CheckedPosition {
            code,
            name,
            grade: new.grade.trim().to_string(),
            round2_form: new.round2_form.trim().to_string(),
            agencies,
        })
    }
}

/// VN-13: at least one agency, each listed once with a quota of at least one place.
fn check_agencies(errors: &mut Vec<FieldError>, given: &[NewAgency]) -> Vec<CheckedAgency> {
    if given.is_empty() {
        errors.push(FieldError::new(
            "agencies",
            "at least one employing agency with its quota",
        ));
    }
    let mut agencies = Vec::new();
    let mut seen = HashSet::new();
    for (i, a) in given.iter().enumerate() {
        let code = check_code(errors, &format!("agencies[{i}].code"), &a.code);
        if !code.is_empty() && !seen.insert(code.clone()) {
            errors.push(FieldError::new(
                format!("agencies[{i}].code"),
                format!("agency '{code}' is listed twice in the position"),
            ));
        }
        let name = check_text(
            errors,
            &format!("agencies[{i}].name"),
            &a.name,
            MAX_NAME_CHARS,
        );
        let quota = match i32::try_from(a.quota) {
            Ok(q) if (1..=MAX_QUOTA).contains(&q) => q,
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
    agencies
}

#[tracing::instrument(skip_all, fields(actor = actor, round_id = round_id))]
pub async fn create_position(
    state: &AppState,
    actor: &str,
    round_id: i32,
    new: NewPosition,
) -> AppResult<PositionView> {
    let p = CheckedPosition::check(&new)
        .map_err(|errors| AppError::invalid("the position is not valid", errors))?;
    let w = Audited::begin(state).await?;
    let txn = w.txn();
    lookup::round(txn, round_id).await?;
    if repo::round::find_position_by_code(txn, round_id, &p.code)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "the round already has a position '{}'",
            p.code
        )));
    }
    let agency_refs: Vec<(&str, &str, i32)> = p
        .agencies
        .iter()
        .map(|(c, n, q)| (c.as_str(), n.as_str(), *q))
        .collect();
    let position = repo::round::insert_position(
        txn,
        round_id,
        &repo::round::NewPosition {
            code: &p.code,
            name: &p.name,
            grade: &p.grade,
            round2_form: &p.round2_form,
            agencies: &agency_refs,
        },
    )
    .await?;
    let quotas: Vec<serde_json::Value> = p
        .agencies
        .iter()
        .map(|(c, _, q)| serde_json::json!({"code": c, "quota": q}))
        .collect();
    w.record(
        actor,
        Action::PositionCreate,
        position.id,
        serde_json::json!({
            "round_id": round_id,
            "code": position.code,
            "grade": position.grade,
            "round2_form": position.round2_form,
            "quota": position.quota,
            "agencies": quotas,
        }),
    );
    let (position, agencies) = repo::round::positions_of_round(txn, round_id)
        .await?
        .into_iter()
        .find(|(p, _)| p.id == position.id)
        .ok_or_else(|| AppError::internal("the new position vanished"))?;
    w.commit().await?;
    Ok(position_view(position, agencies))
}

#[tracing::instrument(skip_all, fields(round_id = round_id))]
pub async fn list_positions(state: &AppState, round_id: i32) -> AppResult<PositionList> {
    lookup::round(&state.db, round_id).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn agency(code: &str, quota: i64) -> NewAgency {
        NewAgency {
            code: code.into(),
            name: "Sở Tài chính".into(),
            quota,
        }
    }

    fn position(agencies: Vec<NewAgency>) -> NewPosition {
        NewPosition {
            code: "CV-TCKT".into(),
            name: "Chuyên viên tài chính – kế toán".into(),
            grade: " chuyen_vien ".into(),
            round2_form: "written_interview".into(),
            agencies,
        }
    }

    #[test]
    fn vn_13_a_position_is_shared_by_agencies_each_with_its_quota() {
        let p = CheckedPosition::check(&position(vec![agency("STC", 2), agency("SXD", 1)]))
            .expect("valid position");
        assert_eq!(p.grade, "chuyen_vien");
        let quotas: Vec<(&str, i32)> = p
            .agencies
            .iter()
            .map(|(c, _, q)| (c.as_str(), *q))
            .collect();
        assert_eq!(quotas, vec![("STC", 2), ("SXD", 1)]);
    }

    #[test]
    fn vn_13_agencies_are_listed_once_with_at_least_one_place() {
        let Err(errors) =
            CheckedPosition::check(&position(vec![agency("STC", 2), agency("STC", 0)]))
        else {
            panic!("invalid position accepted");
        };
        let locations: Vec<&str> = errors.iter().map(|e| e.location.as_str()).collect();
        assert_eq!(locations, vec!["agencies[1].code", "agencies[1].quota"]);
        let Err(errors) = CheckedPosition::check(&position(vec![])) else {
            panic!("a position without agencies accepted");
        };
        assert_eq!(errors[0].location, "agencies");
    }
}
