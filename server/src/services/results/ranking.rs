//! Rankings computed from what is stored: a round's inputs are read once ([`RoundData`]), and
//! each position is ranked by the pure rules of `rules::rank` (VN-10 to VN-14, VN-31).

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

use super::marks::effective_official;
use super::{load_round, stored_decimal};
use crate::entities::{
    agencies, exams, head_decisions, marks, positions, reviews, rounds, strike_offs,
};
use crate::error::{AppError, AppResult};
use crate::publication::{entry_views, RankingEntryView};
use crate::repo;
use crate::rules::{
    rank, AgencyQuota, Candidate, MarkComponent, Position, Ranking, Round2Form, RuleSet,
    StrikeCause,
};
use crate::state::AppState;
use crate::vietnam_time::vietnam_today;

/// A mark that waits for a head or a third marker: the ranking cannot be published before.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnsettledMark {
    pub application_id: i64,
    pub component: String,
    pub status: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RankingView {
    pub position_code: String,
    /// `final` or `pending_head_decision` (VN-11, VN-13).
    pub status: String,
    pub quota: u32,
    pub entries: Vec<RankingEntryView>,
    /// Marks of this position's candidates still waiting for a head or a third marker; their
    /// part counts as not sat until settled.
    pub unsettled_marks: Vec<UnsettledMark>,
}

/// The rule set in force for the round on `today` (VN-0 amended).
fn rule_set_in_force(round: &rounds::Model, today: NaiveDate) -> AppResult<RuleSet> {
    RuleSet::from_str(&round.rule_set)
        .map(|recorded| recorded.in_force_on(today))
        .map_err(|e| AppError::internal(format!("round {}: {e}", round.id)))
}

/// The graded result of a computer sitting, as `sittings.result` stores it.
#[derive(Deserialize)]
struct StoredResult {
    sections: Vec<StoredSection>,
    passed: bool,
}

#[derive(Deserialize)]
struct StoredSection {
    score: String,
}

fn result_score(r: &StoredResult) -> AppResult<Decimal> {
    r.sections
        .iter()
        .map(|s| stored_decimal("section score", &s.score))
        .sum()
}

/// The round-1 general-knowledge score, the first tie-break under vn-vc-2020 (VN-31): the
/// paper's first part, never the sum of all parts. General knowledge is the first part of every
/// round-1 paper; a legacy paper adds the language part after it (VN-6).
fn general_knowledge_score(r: &StoredResult) -> AppResult<Option<Decimal>> {
    r.sections
        .first()
        .map(|s| stored_decimal("section score", &s.score))
        .transpose()
}

/// Everything the rankings of a round are computed from, read once.
pub(super) struct RoundData {
    pub(super) round: rounds::Model,
    pub(super) rule_set: RuleSet,
    pub(super) positions: Vec<(positions::Model, Vec<agencies::Model>)>,
    pub(super) applications: Vec<repo::round::RankedApplication>,
    /// Indexes into `applications` by position id, in application order.
    by_position: HashMap<i32, Vec<usize>>,
    /// By (application id, component).
    marks: HashMap<(i32, String), marks::Model>,
    /// `None` when the round has no round-1 exam; else the latest round-1 result by application.
    round1: Option<ByApplication>,
    /// The latest computer round-2 result by application.
    round2_cbt: ByApplication,
    /// Application ids chosen by recorded head decisions, by position id.
    pub(super) decisions: HashMap<i32, HashSet<i32>>,
    /// Winners struck off (VN-14), by application id.
    pub(super) struck: HashMap<i32, StrikeCause>,
    /// Struck-off winners whose place the agency leaves empty (VN-14 amended).
    pub(super) left_empty: HashSet<i32>,
    /// Marks replaced by a review (VN-27), by (application id, component).
    reviewed: HashMap<(i32, String), Decimal>,
}

/// Graded computer results by exam id: each sitting's `(id, application id, result JSON)`.
type GradedResults = HashMap<i32, Vec<(i32, i32, String)>>;

/// The latest graded result of each application in some exams.
type ByApplication = HashMap<i32, StoredResult>;

impl RoundData {
    pub(super) async fn load<C: ConnectionTrait>(
        conn: &C,
        round: rounds::Model,
        today: NaiveDate,
    ) -> AppResult<RoundData> {
        let rule_set = rule_set_in_force(&round, today)?;
        // Independent reads: on a pool (SQLite in WAL, PostgreSQL) they run side by side; in a
        // transaction they simply take turns.
        let (positions, applications, marks, exams, results, head_decisions, strike_offs, reviews) =
            tokio::try_join!(
                repo::round::positions_of_round(conn, round.id),
                repo::round::ranked_applications_of_round(conn, round.id),
                repo::results::marks_of_round(conn, round.id),
                repo::exam::exams_of_round(conn, round.id),
                repo::results::graded_results_of_round(conn, round.id),
                repo::results::head_decisions_of_round(conn, round.id),
                repo::results::strike_offs_of_round(conn, round.id),
                repo::results::reviews_of_round(conn, round.id),
            )?;
        let (round1, round2_cbt) = computer_results(&exams, &results)?;
        let mut by_position: HashMap<i32, Vec<usize>> = HashMap::new();
        for (k, a) in applications.iter().enumerate() {
            by_position.entry(a.position_id).or_default().push(k);
        }
        Ok(RoundData {
            round,
            rule_set,
            positions,
            applications,
            by_position,
            marks: marks
                .into_iter()
                .map(|m| ((m.application_id, m.component.clone()), m))
                .collect(),
            round1,
            round2_cbt,
            decisions: chosen_by_head(head_decisions)?,
            left_empty: strike_offs
                .iter()
                .filter(|so| !so.replaced)
                .map(|so| so.application_id)
                .collect(),
            struck: struck_off(strike_offs)?,
            reviewed: reviewed_marks(reviews)?,
        })
    }

    pub(super) fn position(
        &self,
        code: &str,
    ) -> AppResult<&(positions::Model, Vec<agencies::Model>)> {
        self.positions
            .iter()
            .find(|(p, _)| p.code == code)
            .ok_or_else(|| {
                AppError::NotFound(format!("no position '{code}' in round {}", self.round.id))
            })
    }

    fn official(
        &self,
        application_id: i32,
        component: MarkComponent,
        unsettled: &mut Vec<UnsettledMark>,
    ) -> AppResult<Option<Decimal>> {
        let Some(m) = self
            .marks
            .get(&(application_id, component.code().to_string()))
        else {
            return Ok(None);
        };
        // VN-27: a settled review replaces the published mark.
        if let Some(reviewed) = self
            .reviewed
            .get(&(application_id, component.code().to_string()))
        {
            return Ok(Some(*reviewed));
        }
        let official = effective_official(m)?;
        if official.is_none() {
            unsettled.push(UnsettledMark {
                application_id: i64::from(application_id),
                component: m.component.clone(),
                status: m.status.clone(),
            });
        }
        Ok(official)
    }

    /// Ranks one position from the stored data.
    pub(super) fn rank_position(
        &self,
        position: &positions::Model,
        agencies: &[agencies::Model],
    ) -> AppResult<(Ranking, Vec<UnsettledMark>)> {
        let spec = position_spec(position, agencies)?;
        let mut unsettled = Vec::new();
        let candidates = self
            .by_position
            .get(&position.id)
            .into_iter()
            .flatten()
            .filter_map(|&k| self.applications.get(k))
            .filter(|a| a.eligible != Some(false))
            .map(|a| self.candidate(position, spec.round2_form, a, &mut unsettled))
            .collect::<AppResult<Vec<_>>>()?;
        let ranking = rank(self.rule_set, &spec, &candidates).map_err(|e| {
            AppError::Conflict(format!("position {} cannot be ranked: {e}", position.code))
        })?;
        Ok((ranking, unsettled))
    }

    /// One application as the ranking sees it. Marks still waiting for a head or a third
    /// marker count as not sat, and are listed in `unsettled`.
    fn candidate(
        &self,
        position: &positions::Model,
        form: Round2Form,
        a: &repo::round::RankedApplication,
        unsettled: &mut Vec<UnsettledMark>,
    ) -> AppResult<Candidate> {
        // Grades with no round 1 (VN-2 to VN-4) hold nothing against the candidate.
        let has_round1 = matches!(position.grade.as_str(), "chuyen_vien" | "can_su");
        let (round1_passed, round1_score) = match (&self.round1, has_round1) {
            (Some(results), true) => match results.get(&a.id) {
                Some(r) => (Some(r.passed), general_knowledge_score(r)?),
                None => (Some(false), None),
            },
            _ => (None, None),
        };
        let chosen = self.decisions.get(&position.id);
        let mut c = Candidate {
            application_id: i64::from(a.id),
            full_name: a.full_name.clone(),
            round1_passed,
            round1_score,
            priority_points: stored_decimal("priority points", &a.priority_points)?,
            agency_preferences: repo::round::parse_list(&a.agency_preferences)?,
            head_decision: chosen.is_some_and(|s| s.contains(&a.id)),
            struck_off: self.struck.get(&a.id).copied(),
            place_left_empty: self.left_empty.contains(&a.id),
            ..Default::default()
        };
        match form {
            Round2Form::WrittenInterview => {
                c.written = self.official(a.id, MarkComponent::Written, unsettled)?;
                c.interview = self.official(a.id, MarkComponent::Interview, unsettled)?;
            }
            Round2Form::Written => {
                // The single examined part of the grade (VN-1 to VN-4).
                let parts: &[MarkComponent] = match position.grade.as_str() {
                    "nhan_vien" => &[MarkComponent::Oral, MarkComponent::Practical],
                    "chuyen_vien_cao_cap" => &[MarkComponent::Project],
                    _ => &[MarkComponent::Written],
                };
                for part in parts {
                    let mark = self.official(a.id, *part, unsettled)?;
                    c.professional = c.professional.or(mark);
                }
            }
            Round2Form::WrittenCbt => {
                c.professional = self.round2_cbt.get(&a.id).map(result_score).transpose()?;
            }
        }
        Ok(c)
    }
}

/// The position as the rules rank it: its quota, its agencies' quotas and its round-2 form.
fn position_spec(position: &positions::Model, agencies: &[agencies::Model]) -> AppResult<Position> {
    let form = Round2Form::from_str(&position.round2_form)
        .map_err(|e| AppError::internal_from(format!("position {}", position.id), e))?;
    let quota = u32::try_from(position.quota)
        .map_err(|_| AppError::internal(format!("position {} quota", position.id)))?;
    Ok(Position {
        quota,
        agencies: agencies
            .iter()
            .map(|a| {
                Ok(AgencyQuota {
                    code: a.code.clone(),
                    quota: u32::try_from(a.quota)
                        .map_err(|_| AppError::internal(format!("agency {} quota", a.id)))?,
                })
            })
            .collect::<AppResult<Vec<_>>>()?,
        round2_form: form,
    })
}

/// The latest graded result of each application in the round-1 exams and in the computer
/// round-2 exams; round 1 is `None` when the round has no round-1 exam.
fn computer_results(
    exams: &[exams::Model],
    results: &GradedResults,
) -> AppResult<(Option<ByApplication>, ByApplication)> {
    let mut round1: Option<ByApplication> = None;
    let mut round2_cbt = HashMap::new();
    for exam in exams {
        let target = match exam.stage.as_str() {
            "round1" => round1.get_or_insert_with(HashMap::new),
            "round2_cbt" => &mut round2_cbt,
            _ => continue,
        };
        let sittings = results.get(&exam.id).map(Vec::as_slice).unwrap_or_default();
        // Sittings come oldest first: a later graded sitting (a retake, VN-23) replaces.
        let parsed = crate::parallel::parallel(sittings, |(id, _, text)| {
            serde_json::from_str::<StoredResult>(text)
                .map_err(|e| AppError::internal_from(format!("stored result of sitting {id}"), e))
        })?;
        for ((_, application_id, _), result) in sittings.iter().zip(parsed) {
            target.insert(*application_id, result);
        }
    }
    Ok((round1, round2_cbt))
}

/// The candidates the head chose in recorded decisions, by position id (VN-11).
fn chosen_by_head(decisions: Vec<head_decisions::Model>) -> AppResult<HashMap<i32, HashSet<i32>>> {
    let mut chosen: HashMap<i32, HashSet<i32>> = HashMap::new();
    for d in decisions {
        let ids: Vec<i32> = serde_json::from_str(&d.application_ids)
            .map_err(|e| AppError::internal_from(format!("stored head decision {}", d.id), e))?;
        chosen.entry(d.position_id).or_default().extend(ids);
    }
    Ok(chosen)
}

/// The cause each struck-off winner was struck off for, by application id (VN-14).
fn struck_off(strike_offs: Vec<strike_offs::Model>) -> AppResult<HashMap<i32, StrikeCause>> {
    let mut struck = HashMap::new();
    for so in strike_offs {
        let cause = StrikeCause::from_str(&so.cause)
            .map_err(|e| AppError::internal_from(format!("stored strike-off {}", so.id), e))?;
        struck.insert(so.application_id, cause);
    }
    Ok(struck)
}

/// The marks settled by a review, which replace the published ones (VN-27).
fn reviewed_marks(reviews: Vec<reviews::Model>) -> AppResult<HashMap<(i32, String), Decimal>> {
    let mut reviewed = HashMap::new();
    for r in reviews {
        if let Some(official) = &r.official {
            reviewed.insert(
                (r.application_id, r.component.clone()),
                stored_decimal("reviewed mark", official)?,
            );
        }
    }
    Ok(reviewed)
}

pub(super) fn ranking_view(
    code: &str,
    ranking: &Ranking,
    unsettled: Vec<UnsettledMark>,
) -> RankingView {
    RankingView {
        position_code: code.to_string(),
        status: ranking.status.code().to_string(),
        quota: ranking.quota,
        entries: entry_views(ranking),
        unsettled_marks: unsettled,
    }
}

#[tracing::instrument(skip_all, fields(round_id = round_id))]
pub async fn get_ranking(state: &AppState, round_id: i32, code: &str) -> AppResult<RankingView> {
    let round = load_round(&state.db, round_id).await?;
    let data = RoundData::load(&state.db, round, vietnam_today(state.now())).await?;
    let (position, agencies) = data.position(code)?;
    let (ranking, unsettled) = data.rank_position(position, agencies)?;
    Ok(ranking_view(&position.code, &ranking, unsettled))
}

/// The ranking of every position of the round, in position order (what `publish` ranks).
#[tracing::instrument(skip_all, fields(round_id = round_id))]
pub async fn rank_round(state: &AppState, round_id: i32) -> AppResult<Vec<(String, Ranking)>> {
    let round = load_round(&state.db, round_id).await?;
    let today = vietnam_today(state.now());
    let data = std::sync::Arc::new(RoundData::load(&state.db, round, today).await?);
    // Positions are ranked independently: on every core.
    crate::parallel::blocking(move || {
        crate::parallel::parallel(&data.positions, |(position, agencies)| {
            let (ranking, _) = data.rank_position(position, agencies)?;
            Ok((position.code.clone(), ranking))
        })
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn vn_31_the_tie_break_reads_the_general_knowledge_part_not_the_sum_of_all_parts(
    ) -> Result<(), serde_json::Error> {
        // A round-1 paper of general knowledge (41) and language (28): VN-31 compares 41.
        let result: StoredResult = serde_json::from_str(
            r#"{"sections": [{"score": "41.00"}, {"score": "28.00"}], "passed": true}"#,
        )?;
        assert_eq!(
            general_knowledge_score(&result).ok(),
            Some(Some(dec!(41.00)))
        );
        assert_eq!(result_score(&result).ok(), Some(dec!(69.00)));
        let empty: StoredResult = serde_json::from_str(r#"{"sections": [], "passed": false}"#)?;
        assert_eq!(general_knowledge_score(&empty).ok(), Some(None));
        Ok(())
    }
}
