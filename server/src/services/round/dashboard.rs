//! The round's dashboard for HR: applications per position with their competition ratio, and
//! the deadlines of VN-30 counted from the round's dates.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::entities::{agencies, positions};
use crate::error::AppResult;
use crate::repo;
use crate::services::lookup;
use crate::state::AppState;
use crate::vietnam_time::vietnam_today;

use super::deadlines::{self, Deadline, DeadlineInput};
use super::rounds::RoundView;

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

/// Applications of one position: (all, eligible, ineligible).
type Counts = (u64, u64, u64);

/// The counts per position id, from the repository's (position id, eligibility, count) rows.
fn counts_by_position(rows: Vec<(i32, Option<bool>, i64)>) -> HashMap<i32, Counts> {
    let mut counts: HashMap<i32, Counts> = HashMap::new();
    for (position_id, eligible, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        let c = counts.entry(position_id).or_default();
        c.0 += n;
        match eligible {
            Some(true) => c.1 += n,
            Some(false) => c.2 += n,
            None => {}
        }
    }
    counts
}

/// Each position's figures, in plan order.
fn position_stats(
    positions: Vec<(positions::Model, Vec<agencies::Model>)>,
    counts: &HashMap<i32, Counts>,
) -> Vec<PositionStats> {
    positions
        .into_iter()
        .map(|(p, _)| {
            let (a, e, i) = counts.get(&p.id).copied().unwrap_or_default();
            PositionStats {
                competition_ratio: crate::reports::ratio(a, u32::try_from(p.quota).unwrap_or(0)),
                code: p.code,
                name: p.name,
                quota: p.quota,
                applications: a,
                eligible: e,
                ineligible: i,
            }
        })
        .collect()
}

#[tracing::instrument(skip_all, fields(round_id = round_id))]
pub async fn dashboard(state: &AppState, round_id: i32) -> AppResult<Dashboard> {
    let round = lookup::round(&state.db, round_id).await?;
    let positions = repo::round::positions_of_round(&state.db, round_id).await?;
    let counts = counts_by_position(repo::round::count_applications(&state.db, round_id).await?);
    let positions = position_stats(positions, &counts);
    let applications = positions.iter().map(|p| p.applications).sum();
    let eligible = positions.iter().map(|p| p.eligible).sum();
    let ineligible = positions.iter().map(|p| p.ineligible).sum();
    let deadlines = deadlines::deadlines(
        &DeadlineInput {
            applications_open_on: round.applications_open_on,
            applicants: applications,
            round1_on: round.round1_on,
            round2_on: round.round2_on,
        },
        &crate::services::calendar::calendar(&state.db).await?,
    );
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

    fn position(id: i32, code: &str, quota: i32) -> (positions::Model, Vec<agencies::Model>) {
        let p = positions::Model {
            id,
            round_id: 1,
            code: code.into(),
            name: code.into(),
            grade: "chuyen_vien".into(),
            round2_form: "written".into(),
            quota,
        };
        (p, Vec::new())
    }

    #[test]
    fn competition_ratio_is_applicants_per_place_with_two_places() {
        let counts = counts_by_position(vec![
            (1, Some(true), 5),
            (1, None, 2),
            (2, Some(false), 10),
            (4, Some(true), 2),
        ]);
        let stats = position_stats(
            vec![
                position(1, "A", 2),
                position(2, "B", 3),
                position(3, "C", 3),
                position(4, "D", 3),
            ],
            &counts,
        );
        let ratios: Vec<&str> = stats.iter().map(|s| s.competition_ratio.as_str()).collect();
        assert_eq!(ratios, vec!["3.50", "3.33", "0.00", "0.67"]);
        assert_eq!(
            (
                stats[0].applications,
                stats[0].eligible,
                stats[0].ineligible
            ),
            (7, 5, 0)
        );
        assert_eq!(stats[1].ineligible, 10);
    }
}
