//! The ranking's share of the round's report: per position, the applicants, the eligible and the
//! winners of the current ranking.

use super::ranking::RoundData;
use crate::entities::rounds;
use crate::error::AppResult;
use crate::reports::PositionInput;
use crate::state::AppState;

/// Per position: applicants, eligible applicants and the winners of the current ranking.
pub(crate) async fn position_inputs(
    state: &AppState,
    round: rounds::Model,
) -> AppResult<Vec<PositionInput>> {
    let today = crate::vietnam_time::vietnam_today(state.now());
    let data = RoundData::load(&state.db, round, today).await?;
    let mut out = Vec::new();
    for (position, agencies) in &data.positions {
        let (ranking, _) = data.rank_position(position, agencies)?;
        let mine = data
            .applications
            .iter()
            .filter(|a| a.position_id == position.id);
        out.push(PositionInput {
            code: position.code.clone(),
            name: position.name.clone(),
            quota: ranking.quota,
            applicants: mine.clone().count() as u64,
            eligible: mine.filter(|a| a.eligible != Some(false)).count() as u64,
            winners: ranking.winners().count() as u64,
        });
    }
    Ok(out)
}
