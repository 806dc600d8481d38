//! Published results as data: the document a publication seals (canonical JSON, SHA-256), the
//! public view of a publication, and the line of a ranking as every view shows it. The JSON,
//! the workbook and the PDF are all made from these, so they show the same text.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::rules::{two_places, Lang, Ranking, RankingEntry};

/// One line of a ranking as the API and the published documents show it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RankingEntryView {
    pub application_id: i64,
    pub full_name: String,
    pub raw_score: Option<String>,
    pub priority_points: String,
    pub total: Option<String>,
    pub rank: Option<u32>,
    /// `winner`, `tied_pending`, `reserve`, `struck_off` (VN-14), `ineligible` or
    /// `failed_round1`.
    pub outcome: String,
    pub agency: Option<String>,
    /// One line in Vietnamese.
    pub reason: String,
    pub reason_en: String,
}

impl RankingEntryView {
    /// The line of `entry`: scores with 2 places (VN-12), the reason in both languages.
    pub fn of(entry: &RankingEntry) -> Self {
        RankingEntryView {
            application_id: entry.application_id,
            full_name: entry.full_name.clone(),
            raw_score: entry.raw_score.map(two_places),
            priority_points: two_places(entry.priority_points),
            total: entry.total.map(two_places),
            rank: entry.rank,
            outcome: entry.outcome.code().to_string(),
            agency: entry.agency.clone(),
            reason: entry.reason.render(Lang::Vi),
            reason_en: entry.reason.render(Lang::En),
        }
    }
}

/// Every line of `ranking`, in its order.
pub fn entry_views(ranking: &Ranking) -> Vec<RankingEntryView> {
    ranking.entries.iter().map(RankingEntryView::of).collect()
}

/// One position as published.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublishedPosition {
    pub code: String,
    pub name: String,
    pub quota: u32,
    pub status: String,
    pub entries: Vec<RankingEntryView>,
}

/// The document that is hashed: `sha256` is the SHA-256 of its canonical JSON
/// (`question_bank::seal::canonical_json`: keys sorted, no spaces).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublishedDocument {
    /// The round's code.
    pub round: String,
    pub round_name: String,
    pub positions: Vec<PublishedPosition>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicResults {
    pub id: i32,
    pub round: String,
    pub round_name: String,
    pub published_at: DateTime<Utc>,
    pub sha256: String,
    pub audit_head: String,
    pub positions: Vec<PublishedPosition>,
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;
    use crate::rules::{Outcome, Reason, Score};

    #[test]
    fn vn_12_a_line_shows_its_scores_with_two_places_and_its_reason_in_both_languages() {
        let entry = RankingEntry {
            application_id: 2,
            full_name: "B".to_owned(),
            raw_score: Some(dec!(72)),
            priority_points: dec!(7.5),
            total: Some(dec!(79.50)),
            rank: Some(1),
            outcome: Outcome::Winner,
            agency: None,
            reason: Reason::Winner {
                score: Score {
                    total: dec!(79.50),
                    raw: dec!(72.00),
                    priority: dec!(7.50),
                },
                agency: None,
                tie_break: None,
                from_reserve_list: false,
            },
        };
        let view = RankingEntryView::of(&entry);
        assert_eq!(view.raw_score.as_deref(), Some("72.00"));
        assert_eq!(view.priority_points, "7.50");
        assert_eq!(view.total.as_deref(), Some("79.50"));
        assert_eq!(view.outcome, "winner");
        assert_eq!(
            view.reason,
            "trúng tuyển: tổng 79.50 = 72.00 + ưu tiên 7.50"
        );
        assert_eq!(
            view.reason_en,
            "winner: total 79.50 = 72.00 + priority 7.50"
        );
    }

    #[test]
    fn every_outcome_is_published_under_its_api_code() {
        let codes: Vec<&str> = Outcome::ALL.iter().map(|o| o.code()).collect();
        assert_eq!(
            codes,
            [
                "winner",
                "tied_pending",
                "reserve",
                "ineligible",
                "failed_round1",
                "struck_off"
            ]
        );
        for outcome in Outcome::ALL {
            assert_eq!(
                serde_json::to_value(outcome).ok(),
                Some(outcome.code().into())
            );
            assert!(!super::super::outcome_vi(outcome.code()).is_empty());
        }
    }
}
