//! What the sitting endpoints take and return. The JSON names are the API's; states are the
//! rule types, sent under the names the API has always used.

use chrono::{DateTime, Utc};
use question_bank::paper::CandidateSection;
use serde::{Deserialize, Serialize};

use crate::entities::{answers, incidents, sittings};
use crate::error::{AppError, AppResult};
use crate::rules::sitting::{IncidentKind, Phase};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CandidateLoginRequest {
    pub ticket_no: String,
    pub access_code: String,
    /// The PIN printed on the candidate's admission ticket (required; kept optional in the
    /// JSON so that a request without it is refused like a wrong one, 401).
    #[serde(default)]
    pub pin: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CandidateLoginResponse {
    pub token: String,
    pub sitting_id: i32,
    #[schema(value_type = String)]
    pub status: Phase,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub server_now: DateTime<Utc>,
    /// The sitting is handed in or closed: the result and receipt only, for a limited time.
    #[serde(default)]
    pub read_only: bool,
}

#[derive(Debug, Serialize, Deserialize, Clone, utoipa::ToSchema)]
pub struct SavedAnswer {
    pub choices: Vec<String>,
    pub text: Option<String>,
    pub seq: i64,
}

/// An answer as stored, as the page shows it.
impl From<&answers::Model> for SavedAnswer {
    fn from(a: &answers::Model) -> Self {
        SavedAnswer {
            choices: serde_json::from_str(&a.choices).unwrap_or_default(),
            text: a.text.clone(),
            seq: a.seq,
        }
    }
}

/// What the candidate's page receives. It is built from types that cannot hold a key.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SittingView {
    pub sitting_id: i32,
    pub ticket_no: String,
    #[schema(value_type = String)]
    pub status: Phase,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub server_now: DateTime<Utc>,
    #[schema(value_type = Vec<Object>)]
    pub sections: Vec<CandidateSection>,
    pub answers: std::collections::BTreeMap<String, SavedAnswer>,
    #[schema(value_type = Option<Object>)]
    pub result: Option<SubmitResult>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub text: Option<String>,
    pub seq: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnswerAck {
    pub no: u32,
    pub seq: i64,
    pub saved_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, Clone, utoipa::ToSchema)]
pub struct SubmitResult {
    #[schema(value_type = Vec<Object>)]
    pub sections: Vec<question_bank::scoring::SectionResult>,
    pub passed: bool,
    /// SHA-256 of the canonical answer sheet: the candidate's proof of what was handed in.
    pub receipt_sha256: String,
    pub submitted_at: DateTime<Utc>,
    /// `candidate` when handed in, `clock` when the time ran out (VN-17).
    pub closed_by: String,
}

impl SubmitResult {
    /// The result stored with a graded sitting.
    pub(crate) fn stored_in(sitting: &sittings::Model) -> AppResult<SubmitResult> {
        let json = sitting
            .result
            .as_deref()
            .ok_or_else(|| AppError::internal("finished sitting without result"))?;
        serde_json::from_str(json)
            .map_err(|e| AppError::internal_from("stored result unreadable", e))
    }
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RosterEntry {
    pub sitting_id: i32,
    pub ticket_no: String,
    pub seat: i32,
    pub full_name: String,
    #[schema(value_type = String)]
    pub status: Phase,
    pub logged_in: bool,
    /// Logins so far; more than one means the candidate moved or was logged in twice.
    pub logins: i32,
    pub answered: u32,
    pub last_saved_at: Option<DateTime<Utc>>,
    pub remaining_seconds: i64,
    pub late_admitted: bool,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Monitor {
    pub session_id: i32,
    pub starts_at: DateTime<Utc>,
    pub opened_at: Option<DateTime<Utc>>,
    pub server_now: DateTime<Utc>,
    pub roster: Vec<RosterEntry>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OpenedSession {
    pub session_id: i32,
    pub access_code: String,
    pub opened_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    pub minutes: i32,
    pub reason: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SittingSummary {
    pub id: i32,
    pub ticket_no: String,
    #[schema(value_type = String)]
    pub status: Phase,
    pub ends_at: DateTime<Utc>,
    pub extra_minutes: i32,
    pub late_admitted: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    pub sitting_id: Option<i32>,
    /// `machine_failure`, `late_arrival`, `misconduct` or `other`.
    pub kind: String,
    pub note: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentView {
    pub id: i32,
    pub session_id: i32,
    pub sitting_id: Option<i32>,
    #[schema(value_type = String)]
    pub kind: IncidentKind,
    pub note: String,
    pub recorded_by: String,
    pub at: DateTime<Utc>,
}

impl From<incidents::Model> for IncidentView {
    fn from(m: incidents::Model) -> Self {
        IncidentView {
            id: m.id,
            session_id: m.session_id,
            sitting_id: m.sitting_id,
            kind: m.kind,
            note: m.note,
            recorded_by: m.recorded_by,
            at: m.at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Resitting {
    /// The machine-failure incident recorded with the re-sitting.
    pub incident_id: i32,
    pub old_sitting_id: i32,
    pub sitting_id: i32,
    /// The candidate signs in with this ticket, the same session code and this PIN.
    pub ticket_no: String,
    /// The new ticket's PIN, for the supervisor to hand over (only its digest is stored).
    pub pin: String,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SanctionRequest {
    /// `reprimand` (−25 % of correct answers), `warning` (−50 %), `suspension` (test annulled)
    /// or `not_signed` (0), VN-25.
    pub level: String,
    pub reason: String,
}
