//! The round's report (issue 7): the figures of `reports` over what is stored, and the charts
//! of `reports::svg`, in the language asked for.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::repo;
use crate::reports::svg;
use crate::reports::{self, ExamFigures, ExamInput, PositionFigures, PositionInput};
use crate::rules::Lang;
use crate::state::AppState;
use question_bank::scoring::PaperResult;

/// One chart, as inline SVG.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Chart {
    pub id: String,
    pub title: String,
    /// A complete `<svg>` element (accessible: `role="img"`, `<title>`, `<desc>`).
    pub svg: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoundReport {
    pub round_id: i32,
    pub round_code: String,
    pub round_name: String,
    /// Every exam of the round with a graded paper or not, by id.
    pub exams: Vec<ExamFigures>,
    pub positions: Vec<PositionFigures>,
    /// The whole round: applicants, quota, winners and the competition ratio.
    pub totals: PositionFigures,
    /// The score distribution of each exam, then the pass rates, then applicants and winners.
    pub charts: Vec<Chart>,
}

#[tracing::instrument(skip_all, fields(round_id = round_id))]
pub async fn round_report(
    state: &AppState,
    round_id: i32,
    lang: Option<&str>,
) -> AppResult<RoundReport> {
    let lang = Lang::parse(lang);
    let round = repo::round::find_round(&state.db, round_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no round {round_id}")))?;
    let mut exams = Vec::new();
    for (exam, sittings) in repo::results::exams_with_sittings(&state.db, round_id).await? {
        // Sittings come oldest first: a later graded sitting (a retake, VN-23) replaces.
        let mut latest: BTreeMap<i32, PaperResult> = BTreeMap::new();
        for s in sittings {
            if let Some(text) = &s.result {
                let r: PaperResult = serde_json::from_str(text).map_err(|e| {
                    AppError::internal_from(format!("stored result of sitting {}", s.id), e)
                })?;
                latest.insert(s.application_id, r);
            }
        }
        exams.push(reports::exam_figures(&ExamInput {
            code: exam.code,
            name: exam.name,
            stage: exam.stage,
            results: latest.into_values().collect(),
        }));
    }
    let (round_code, round_name) = (round.code.clone(), round.name.clone());
    let inputs = crate::services::results::position_inputs(state, round).await?;
    let totals = reports::position_figures(&PositionInput {
        code: round_code.clone(),
        name: round_name.clone(),
        quota: inputs.iter().map(|p| p.quota).sum(),
        applicants: inputs.iter().map(|p| p.applicants).sum(),
        eligible: inputs.iter().map(|p| p.eligible).sum(),
        winners: inputs.iter().map(|p| p.winners).sum(),
    });
    let positions: Vec<PositionFigures> = inputs.iter().map(reports::position_figures).collect();

    let mut charts = Vec::new();
    for (i, e) in exams.iter().enumerate() {
        charts.push(Chart {
            id: format!("chart-histogram-{i}"),
            title: format!(
                "{} {} – {}",
                match lang {
                    Lang::Vi => "Phổ điểm",
                    Lang::En => "Score distribution",
                },
                e.code,
                e.name
            ),
            svg: svg::histogram(e, i, lang),
        });
    }
    charts.push(Chart {
        id: "chart-pass-rates".into(),
        title: match lang {
            Lang::Vi => "Tỷ lệ đạt theo phần thi",
            Lang::En => "Pass rate per section",
        }
        .into(),
        svg: svg::pass_rates(&exams, lang),
    });
    charts.push(Chart {
        id: "chart-positions".into(),
        title: match lang {
            Lang::Vi => "Số thí sinh đăng ký và số người trúng tuyển theo vị trí",
            Lang::En => "Applicants and winners per position",
        }
        .into(),
        svg: svg::applicants_and_winners(&positions, lang),
    });
    Ok(RoundReport {
        round_id,
        round_code,
        round_name,
        exams,
        positions,
        totals,
        charts,
    })
}
