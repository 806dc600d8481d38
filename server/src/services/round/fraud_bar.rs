//! The fraud bar at intake (VN-16 amended): an application from someone struck off for fraud
//! in the same recruiting authority's previous round is refused with `barred_fraud`.

use std::str::FromStr;

use sea_orm::ConnectionTrait;

use crate::entities::rounds;
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::decree::StruckCandidate;
use crate::rules::fraud_bar::{barred_by, Identity};
use crate::rules::StrikeCause;

/// The strike-offs of the authority's previous round, read once per request or file.
pub(super) struct FraudBar {
    previous_round: Option<String>,
    struck: Vec<(StrikeCause, StruckCandidate)>,
}

impl FraudBar {
    pub(super) async fn load<C: ConnectionTrait>(
        conn: &C,
        round: &rounds::Model,
    ) -> AppResult<FraudBar> {
        let Some(previous) = repo::decree::previous_round_of_authority(conn, round).await? else {
            return Ok(FraudBar {
                previous_round: None,
                struck: Vec::new(),
            });
        };
        let struck = repo::decree::struck_candidates_of_round(conn, previous.id)
            .await?
            .into_iter()
            .map(|s| {
                StrikeCause::from_str(&s.cause)
                    .map(|cause| (cause, s))
                    .map_err(|e| AppError::internal(format!("stored strike-off: {e}")))
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(FraudBar {
            previous_round: Some(previous.code),
            struck,
        })
    }

    /// The refusal of an applicant known by `national_id` (and a linked old ID) when the bar
    /// applies: why, in words that name the rule and the round.
    pub(super) fn refusal(&self, national_id: &str, linked: Option<&str>) -> Option<String> {
        let applicant = Identity {
            national_id,
            linked_national_id: linked,
        };
        let struck = self.struck.iter().map(|(cause, s)| {
            (
                *cause,
                Identity {
                    national_id: &s.national_id,
                    linked_national_id: s.linked_national_id.as_deref(),
                },
            )
        });
        if !barred_by(&applicant, struck) {
            return None;
        }
        Some(format!(
            "barred_fraud: the candidate with national id {national_id} was struck off for \
             fraud in round '{}' of the same recruiting authority and may not apply in its \
             next round (VN-16)",
            self.previous_round.as_deref().unwrap_or_default()
        ))
    }
}
