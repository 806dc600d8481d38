//! What each line of a ranking says: the rules produce a [`Reason`] holding the figures and the
//! rule that decided the line, and [`Reason::render`] writes it in Vietnamese or English. Every
//! wording of a ranking lives here, in one place for both languages, so the two never drift
//! apart and the published text stays exactly what it was for the same inputs.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::eligibility::{Assessed, Contender, Verdict};
use super::placement::Placement;
use super::tie_break::Criterion;
use super::winners::{Decision, Note};
use super::{Outcome, RankingEntry, StrikeCause, PASS_MARK};
use crate::rules::lang::Lang;
use crate::rules::marks::two_places;

/// Why an entry of the ranking came out as it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A winner (VN-10), placed with `agency` on a shared position (VN-13).
    Winner {
        score: Score,
        agency: Option<String>,
        /// What put the winner ahead of equals at the last slot, when a tie was broken (VN-11).
        tie_break: Option<TieBreak>,
        /// Won only because a winner was struck off: a replacement from the reserve list
        /// (VN-14).
        from_reserve_list: bool,
    },
    /// Tied for the last slot of the position, or of `agency` on a shared one, with nothing left
    /// to separate the tied: the head decides (VN-11, VN-13).
    TiedForLastSlot {
        score: Score,
        agency: Option<String>,
        /// A recorded head decision exists but does not name as many as there are slots left.
        decision_mismatch: bool,
    },
    /// Within the quota, but no agency the candidate listed has a free slot: the head decides
    /// (VN-13 [U]).
    NoAgencyRoom { score: Score },
    /// Eligible beyond the quota, on the reserve list at `rank` (VN-14).
    Reserve {
        rank: u32,
        score: Score,
        /// What put the candidate behind equals at the last slot, when a tie was broken.
        tie_break: Option<TieBreak>,
    },
    /// Below the VN-10 gate, whatever the priority points; `has_priority_points` says so, since
    /// that is the first objection.
    Ineligible {
        shortfall: Shortfall,
        has_priority_points: bool,
    },
    /// Failed round 1.
    FailedRound1,
    /// A winner struck off the list (VN-14), with the total they had.
    StruckOff {
        cause: StrikeCause,
        total: Option<Decimal>,
    },
}

/// A ranked candidate's total and what it is made of: raw score + priority points (VN-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub total: Decimal,
    pub raw: Decimal,
    pub priority: Decimal,
}

/// What separated equal totals at the last slot (VN-11, VN-31).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    /// A higher value of the criterion.
    Criterion(Criterion),
    /// The recorded decision of the head of the recruiting agency.
    Head,
}

/// What keeps a candidate below the VN-10 gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shortfall {
    /// The round-2 score of a single-part form.
    Round2(Gap),
    /// The combined form: each part that misses the gate, `None` for a part that passed.
    Parts {
        written: Option<Gap>,
        interview: Option<Gap>,
    },
}

/// How a mark misses the pass mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gap {
    /// Not sat.
    Absent,
    /// Below the pass mark, with the mark.
    Below(Decimal),
}

impl Reason {
    /// The rule that decided the line.
    pub const fn rule(&self) -> &'static str {
        match self {
            Reason::Winner {
                from_reserve_list: true,
                ..
            }
            | Reason::StruckOff { .. }
            | Reason::Reserve {
                tie_break: None, ..
            } => "VN-14",
            Reason::Winner {
                tie_break: Some(TieBreak::Criterion(criterion)),
                ..
            }
            | Reason::Reserve {
                tie_break: Some(TieBreak::Criterion(criterion)),
                ..
            } => criterion.rule(),
            Reason::Winner {
                tie_break: Some(TieBreak::Head),
                ..
            }
            | Reason::Reserve {
                tie_break: Some(TieBreak::Head),
                ..
            }
            | Reason::TiedForLastSlot { .. } => "VN-11",
            Reason::Winner {
                agency: Some(_), ..
            }
            | Reason::NoAgencyRoom { .. } => "VN-13",
            Reason::Winner { .. } | Reason::Ineligible { .. } => "VN-10",
            Reason::FailedRound1 => "VN-1",
        }
    }

    /// The reason as the ranking's `reason` (Vietnamese) and `reason_en` fields write it.
    pub fn render(&self, lang: Lang) -> String {
        match self {
            Reason::Winner {
                score,
                agency,
                tie_break,
                from_reserve_list,
            } => {
                let won = winner(lang, score, agency.as_deref(), *tie_break);
                match (from_reserve_list, lang) {
                    (false, _) => won,
                    (true, Lang::Vi) => format!(
                        "trúng tuyển bổ sung theo danh sách dự bị, thay người bị loại ({won})"
                    ),
                    (true, Lang::En) => format!(
                        "winner from the reserve list in place of a struck-off winner ({won})"
                    ),
                }
            }
            Reason::TiedForLastSlot {
                score,
                agency,
                decision_mismatch,
            } => tied_for_last_slot(lang, score, agency.as_deref(), *decision_mismatch),
            Reason::NoAgencyRoom { score } => match lang {
                Lang::Vi => format!(
                    "trong chỉ tiêu ({}) nhưng các cơ quan đã chọn hết chỉ tiêu: chờ người đứng đầu cơ quan quyết định",
                    score.render(lang)
                ),
                Lang::En => format!(
                    "within quota ({}) but no listed agency has a free slot: pending head decision",
                    score.render(lang)
                ),
            },
            Reason::Reserve {
                rank,
                score,
                tie_break,
            } => reserve(lang, *rank, score, *tie_break),
            Reason::Ineligible {
                shortfall,
                has_priority_points,
            } => ineligible(lang, shortfall, *has_priority_points),
            Reason::FailedRound1 => match lang {
                Lang::Vi => "không đạt vòng 1".to_owned(),
                Lang::En => "failed round 1".to_owned(),
            },
            Reason::StruckOff { cause, total } => struck_off(lang, *cause, *total),
        }
    }
}

fn winner(lang: Lang, score: &Score, agency: Option<&str>, tie_break: Option<TieBreak>) -> String {
    let score = score.render(lang);
    let at = match (agency, lang) {
        (None, _) => String::new(),
        (Some(code), Lang::Vi) => format!(" vào {code}"),
        (Some(code), Lang::En) => format!(", placed at {code}"),
    };
    let why = match (tie_break, lang) {
        (None, _) => String::new(),
        (Some(TieBreak::Criterion(c)), Lang::Vi) => {
            format!("; bằng tổng điểm ở chỉ tiêu cuối, {} cao hơn", c.name(lang))
        }
        (Some(TieBreak::Criterion(c)), Lang::En) => {
            format!("; tied for the last slot, higher {}", c.name(lang))
        }
        (Some(TieBreak::Head), Lang::Vi) => {
            "; bằng điểm ở chỉ tiêu cuối, người đứng đầu cơ quan quyết định".to_owned()
        }
        (Some(TieBreak::Head), Lang::En) => {
            "; tied for the last slot, chosen by the head of the agency".to_owned()
        }
    };
    match lang {
        Lang::Vi => format!("trúng tuyển{at}: {score}{why}"),
        Lang::En => format!("winner{at}: {score}{why}"),
    }
}

fn tied_for_last_slot(
    lang: Lang,
    score: &Score,
    agency: Option<&str>,
    decision_mismatch: bool,
) -> String {
    let score = score.render(lang);
    let mismatch = match (decision_mismatch, lang) {
        (false, _) => "",
        (true, Lang::Vi) => "; quyết định đã ghi không khớp số chỉ tiêu còn lại",
        (true, Lang::En) => "; the recorded decision does not match the slots left",
    };
    match (agency, lang) {
        (Some(agency), Lang::Vi) => format!(
            "bằng điểm ở chỉ tiêu cuối của {agency} ({score}): chờ người đứng đầu cơ quan quyết định{mismatch}"
        ),
        (Some(agency), Lang::En) => {
            format!("tied for the last slot at {agency} ({score}): pending head decision{mismatch}")
        }
        (None, Lang::Vi) => format!(
            "bằng điểm ở chỉ tiêu cuối ({score}): chờ người đứng đầu cơ quan quyết định{mismatch}"
        ),
        (None, Lang::En) => {
            format!("tied for the last slot ({score}): pending head decision{mismatch}")
        }
    }
}

fn reserve(lang: Lang, rank: u32, score: &Score, tie_break: Option<TieBreak>) -> String {
    let score = score.render(lang);
    let why = match (tie_break, lang) {
        (None, _) => String::new(),
        (Some(TieBreak::Criterion(c)), Lang::Vi) => {
            format!(
                "; bằng tổng điểm ở chỉ tiêu cuối, {} thấp hơn",
                c.name(lang)
            )
        }
        (Some(TieBreak::Criterion(c)), Lang::En) => {
            format!("; tied for the last slot, lower {}", c.name(lang))
        }
        (Some(TieBreak::Head), Lang::Vi) => {
            "; bằng điểm ở chỉ tiêu cuối, người đứng đầu cơ quan chọn người khác".to_owned()
        }
        (Some(TieBreak::Head), Lang::En) => {
            "; tied for the last slot, the head of the agency chose another candidate".to_owned()
        }
    };
    match lang {
        Lang::Vi => format!("dự bị, hạng {rank}: {score}{why}"),
        Lang::En => format!("reserve, rank {rank}: {score}{why}"),
    }
}

fn ineligible(lang: Lang, shortfall: &Shortfall, has_priority_points: bool) -> String {
    let why = shortfall.render(lang);
    // VN-10: say so, because "I have 7.5 priority points" is the first objection.
    let rescue = match (has_priority_points, lang) {
        (false, _) => "",
        (true, Lang::Vi) => " (điểm ưu tiên không bù cho điểm dưới 50)",
        (true, Lang::En) => " (priority points cannot make up for it)",
    };
    match lang {
        Lang::Vi => format!("không đủ điều kiện: {why}{rescue}"),
        Lang::En => format!("not eligible: {why}{rescue}"),
    }
}

fn struck_off(lang: Lang, cause: StrikeCause, total: Option<Decimal>) -> String {
    let cause = cause.name(lang);
    match (total.map(two_places), lang) {
        (Some(total), Lang::Vi) => {
            format!("bị loại khỏi danh sách trúng tuyển: {cause} (tổng {total})")
        }
        (Some(total), Lang::En) => format!("struck off the winners: {cause} (total {total})"),
        (None, Lang::Vi) => {
            format!("bị loại khỏi danh sách trúng tuyển: {cause} (không có tổng điểm)")
        }
        (None, Lang::En) => format!("struck off the winners: {cause} (no total)"),
    }
}

impl Score {
    /// The total, spelt out as raw + priority when priority points count.
    fn render(&self, lang: Lang) -> String {
        let (total, raw, priority) = (
            two_places(self.total),
            two_places(self.raw),
            two_places(self.priority),
        );
        match (self.priority > Decimal::ZERO, lang) {
            (true, Lang::Vi) => format!("tổng {total} = {raw} + ưu tiên {priority}"),
            (true, Lang::En) => format!("total {total} = {raw} + priority {priority}"),
            (false, Lang::Vi) => format!("tổng {total}"),
            (false, Lang::En) => format!("total {total}"),
        }
    }
}

impl Shortfall {
    fn render(&self, lang: Lang) -> String {
        match (self, lang) {
            (Shortfall::Round2(Gap::Absent), Lang::Vi) => "vắng thi vòng 2".to_owned(),
            (Shortfall::Round2(Gap::Absent), Lang::En) => "absent from round 2".to_owned(),
            (Shortfall::Round2(Gap::Below(raw)), Lang::Vi) => {
                format!("điểm thi vòng 2 {} < {PASS_MARK}", two_places(*raw))
            }
            (Shortfall::Round2(Gap::Below(raw)), Lang::En) => {
                format!("round-2 score {} < {PASS_MARK}", two_places(*raw))
            }
            (Shortfall::Parts { written, interview }, _) => {
                let parts = [(written, Part::Written), (interview, Part::Interview)];
                let gaps: Vec<String> = parts
                    .into_iter()
                    .filter_map(|(gap, part)| gap.map(|gap| part.gap(gap, lang)))
                    .collect();
                gaps.join(", ")
            }
        }
    }
}

/// A part of the combined written + interview form.
#[derive(Clone, Copy)]
enum Part {
    Written,
    Interview,
}

impl Part {
    fn gap(self, gap: Gap, lang: Lang) -> String {
        let name = match (self, lang) {
            (Part::Written, Lang::Vi) => "viết",
            (Part::Written, Lang::En) => "written",
            (Part::Interview, Lang::Vi) => "phỏng vấn",
            (Part::Interview, Lang::En) => "interview",
        };
        match (gap, lang) {
            (Gap::Absent, Lang::Vi) => format!("vắng {name}"),
            (Gap::Absent, Lang::En) => format!("absent from the {name}"),
            (Gap::Below(mark), _) => format!("{name} {} < {PASS_MARK}", two_places(mark)),
        }
    }
}

impl Criterion {
    /// The criterion as a reason names it.
    const fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Criterion::Raw, Lang::Vi) => "điểm thi vòng 2",
            (Criterion::Raw, Lang::En) => "round-2 score",
            (Criterion::Written, Lang::Vi) => "điểm thi viết",
            (Criterion::Written, Lang::En) => "written score",
            (Criterion::Round1Score, Lang::Vi) => "điểm vòng 1",
            (Criterion::Round1Score, Lang::En) => "round-1 score",
        }
    }
}

impl StrikeCause {
    /// The cause as a reason names it.
    const fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (StrikeCause::Declined, Lang::Vi) => "từ chối tuyển dụng",
            (StrikeCause::Declined, Lang::En) => "declined the post",
            (StrikeCause::NoDossier, Lang::Vi) => "không hoàn thiện hồ sơ đúng thời hạn",
            (StrikeCause::NoDossier, Lang::En) => "did not complete the dossier in time",
            (StrikeCause::Fraud, Lang::Vi) => "gian lận",
            (StrikeCause::Fraud, Lang::En) => "fraud",
            (StrikeCause::InvalidDocuments, Lang::Vi) => {
                "văn bằng, chứng chỉ, giấy xác nhận không hợp pháp"
            }
            (StrikeCause::InvalidDocuments, Lang::En) => {
                "invalid diplomas, certificates or attestations"
            }
        }
    }
}

/// The entry of a contender, from how the position-level ranking and the placement decided.
pub(super) fn ranked_entry(contender: &Contender<'_>, decision: &Decision) -> RankingEntry {
    let candidate = contender.candidate;
    let score = Score {
        total: contender.total,
        raw: contender.raw,
        priority: contender.scores.priority,
    };
    let (outcome, agency, reason) = match (&decision.placement, decision.outcome) {
        (
            Placement::Contested {
                agency,
                decision_mismatch,
            },
            Outcome::Winner,
        ) => {
            let reason = Reason::TiedForLastSlot {
                score,
                agency: Some(agency.clone()),
                decision_mismatch: *decision_mismatch,
            };
            (Outcome::TiedPending, None, reason)
        }
        (Placement::NoRoom, Outcome::Winner) => {
            (Outcome::TiedPending, None, Reason::NoAgencyRoom { score })
        }
        (placement, Outcome::Winner) => {
            let agency = match placement {
                Placement::Placed(code) => Some(code.clone()),
                _ => None,
            };
            let reason = Reason::Winner {
                score,
                agency: agency.clone(),
                tie_break: decision.note.won_by(),
                from_reserve_list: false,
            };
            (Outcome::Winner, agency, reason)
        }
        (_, Outcome::TiedPending) => {
            let reason = Reason::TiedForLastSlot {
                score,
                agency: None,
                decision_mismatch: matches!(
                    decision.note,
                    Note::TiedForLastSlot {
                        decision_mismatch: true
                    }
                ),
            };
            (Outcome::TiedPending, None, reason)
        }
        (_, outcome) => {
            let reason = Reason::Reserve {
                rank: decision.rank,
                score,
                tie_break: decision.note.lost_by(),
            };
            (outcome, None, reason)
        }
    };
    RankingEntry {
        application_id: candidate.application_id,
        full_name: candidate.full_name.clone(),
        raw_score: Some(contender.raw),
        priority_points: contender.scores.priority,
        total: Some(contender.total),
        rank: Some(decision.rank),
        outcome,
        agency,
        reason,
    }
}

/// The entry of a candidate who does not compete: failed in round 1 or below the VN-10 gate.
pub(super) fn unranked_entry(assessed: &Assessed<'_>) -> Option<RankingEntry> {
    let candidate = assessed.candidate;
    let priority = assessed.scores.priority;
    let (outcome, raw_score, reason) = match &assessed.verdict {
        Verdict::Eligible { .. } => return None,
        Verdict::FailedRound1 => (Outcome::FailedRound1, None, Reason::FailedRound1),
        Verdict::Ineligible { raw, shortfall } => {
            let reason = Reason::Ineligible {
                shortfall: *shortfall,
                has_priority_points: priority > Decimal::ZERO,
            };
            (Outcome::Ineligible, *raw, reason)
        }
    };
    Some(RankingEntry {
        application_id: candidate.application_id,
        full_name: candidate.full_name.clone(),
        raw_score,
        priority_points: priority,
        total: None,
        rank: None,
        outcome,
        agency: None,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;

    fn score(total: Decimal, raw: Decimal, priority: Decimal) -> Score {
        Score {
            total,
            raw,
            priority,
        }
    }

    /// Which variant a reason is: a new variant fails to compile here until it has a line in
    /// the table below.
    fn variant(reason: &Reason) -> usize {
        match reason {
            Reason::Winner { .. } => 0,
            Reason::TiedForLastSlot { .. } => 1,
            Reason::NoAgencyRoom { .. } => 2,
            Reason::Reserve { .. } => 3,
            Reason::Ineligible { .. } => 4,
            Reason::FailedRound1 => 5,
            Reason::StruckOff { .. } => 6,
        }
    }

    /// Every reason with its rule and its exact text in Vietnamese and English, as published.
    fn every_reason() -> Vec<(Reason, &'static str, &'static str, &'static str)> {
        let e1_b = score(dec!(79.50), dec!(72.00), dec!(7.50));
        let e1_d = score(dec!(77.50), dec!(75.00), dec!(2.50));
        let e4_m = score(dec!(79.50), dec!(77.00), dec!(2.50));
        let plain = |total| score(total, total, dec!(0.00));
        vec![
            (
                Reason::Winner { score: plain(dec!(78.00)), agency: None, tie_break: None, from_reserve_list: false },
                "VN-10",
                "trúng tuyển: tổng 78.00",
                "winner: total 78.00",
            ),
            (
                Reason::Winner { score: e1_b, agency: Some("X".to_owned()), tie_break: Some(TieBreak::Criterion(Criterion::Raw)), from_reserve_list: false },
                "VN-11",
                "trúng tuyển vào X: tổng 79.50 = 72.00 + ưu tiên 7.50; bằng tổng điểm ở chỉ tiêu cuối, điểm thi vòng 2 cao hơn",
                "winner, placed at X: total 79.50 = 72.00 + priority 7.50; tied for the last slot, higher round-2 score",
            ),
            (
                Reason::Winner { score: plain(dec!(83.00)), agency: Some("Y".to_owned()), tie_break: None, from_reserve_list: false },
                "VN-13",
                "trúng tuyển vào Y: tổng 83.00",
                "winner, placed at Y: total 83.00",
            ),
            (
                Reason::Winner { score: e4_m, agency: None, tie_break: Some(TieBreak::Head), from_reserve_list: false },
                "VN-11",
                "trúng tuyển: tổng 79.50 = 77.00 + ưu tiên 2.50; bằng điểm ở chỉ tiêu cuối, người đứng đầu cơ quan quyết định",
                "winner: total 79.50 = 77.00 + priority 2.50; tied for the last slot, chosen by the head of the agency",
            ),
            (
                Reason::Winner { score: plain(dec!(80.00)), agency: None, tie_break: Some(TieBreak::Criterion(Criterion::Round1Score)), from_reserve_list: false },
                "VN-31",
                "trúng tuyển: tổng 80.00; bằng tổng điểm ở chỉ tiêu cuối, điểm vòng 1 cao hơn",
                "winner: total 80.00; tied for the last slot, higher round-1 score",
            ),
            (
                Reason::Winner { score: e1_d, agency: None, tie_break: None, from_reserve_list: true },
                "VN-14",
                "trúng tuyển bổ sung theo danh sách dự bị, thay người bị loại (trúng tuyển: tổng 77.50 = 75.00 + ưu tiên 2.50)",
                "winner from the reserve list in place of a struck-off winner (winner: total 77.50 = 75.00 + priority 2.50)",
            ),
            (
                Reason::TiedForLastSlot { score: e4_m, agency: None, decision_mismatch: false },
                "VN-11",
                "bằng điểm ở chỉ tiêu cuối (tổng 79.50 = 77.00 + ưu tiên 2.50): chờ người đứng đầu cơ quan quyết định",
                "tied for the last slot (total 79.50 = 77.00 + priority 2.50): pending head decision",
            ),
            (
                Reason::TiedForLastSlot { score: plain(dec!(85.00)), agency: Some("X".to_owned()), decision_mismatch: true },
                "VN-11",
                "bằng điểm ở chỉ tiêu cuối của X (tổng 85.00): chờ người đứng đầu cơ quan quyết định; quyết định đã ghi không khớp số chỉ tiêu còn lại",
                "tied for the last slot at X (total 85.00): pending head decision; the recorded decision does not match the slots left",
            ),
            (
                Reason::NoAgencyRoom { score: plain(dec!(85.00)) },
                "VN-13",
                "trong chỉ tiêu (tổng 85.00) nhưng các cơ quan đã chọn hết chỉ tiêu: chờ người đứng đầu cơ quan quyết định",
                "within quota (total 85.00) but no listed agency has a free slot: pending head decision",
            ),
            (
                Reason::Reserve { rank: 3, score: e1_d, tie_break: None },
                "VN-14",
                "dự bị, hạng 3: tổng 77.50 = 75.00 + ưu tiên 2.50",
                "reserve, rank 3: total 77.50 = 75.00 + priority 2.50",
            ),
            (
                Reason::Reserve { rank: 2, score: plain(dec!(74.00)), tie_break: Some(TieBreak::Criterion(Criterion::Written)) },
                "VN-11",
                "dự bị, hạng 2: tổng 74.00; bằng tổng điểm ở chỉ tiêu cuối, điểm thi viết thấp hơn",
                "reserve, rank 2: total 74.00; tied for the last slot, lower written score",
            ),
            (
                Reason::Reserve { rank: 2, score: e4_m, tie_break: Some(TieBreak::Head) },
                "VN-11",
                "dự bị, hạng 2: tổng 79.50 = 77.00 + ưu tiên 2.50; bằng điểm ở chỉ tiêu cuối, người đứng đầu cơ quan chọn người khác",
                "reserve, rank 2: total 79.50 = 77.00 + priority 2.50; tied for the last slot, the head of the agency chose another candidate",
            ),
            (
                Reason::Reserve { rank: 2, score: plain(dec!(80.00)), tie_break: Some(TieBreak::Criterion(Criterion::Round1Score)) },
                "VN-31",
                "dự bị, hạng 2: tổng 80.00; bằng tổng điểm ở chỉ tiêu cuối, điểm vòng 1 thấp hơn",
                "reserve, rank 2: total 80.00; tied for the last slot, lower round-1 score",
            ),
            (
                Reason::Ineligible { shortfall: Shortfall::Round2(Gap::Below(dec!(49.50))), has_priority_points: true },
                "VN-10",
                "không đủ điều kiện: điểm thi vòng 2 49.50 < 50 (điểm ưu tiên không bù cho điểm dưới 50)",
                "not eligible: round-2 score 49.50 < 50 (priority points cannot make up for it)",
            ),
            (
                Reason::Ineligible { shortfall: Shortfall::Round2(Gap::Absent), has_priority_points: false },
                "VN-10",
                "không đủ điều kiện: vắng thi vòng 2",
                "not eligible: absent from round 2",
            ),
            (
                Reason::Ineligible { shortfall: Shortfall::Parts { written: Some(Gap::Absent), interview: Some(Gap::Below(dec!(45.00))) }, has_priority_points: false },
                "VN-10",
                "không đủ điều kiện: vắng viết, phỏng vấn 45.00 < 50",
                "not eligible: absent from the written, interview 45.00 < 50",
            ),
            (
                Reason::Ineligible { shortfall: Shortfall::Parts { written: Some(Gap::Below(dec!(48.00))), interview: None }, has_priority_points: true },
                "VN-10",
                "không đủ điều kiện: viết 48.00 < 50 (điểm ưu tiên không bù cho điểm dưới 50)",
                "not eligible: written 48.00 < 50 (priority points cannot make up for it)",
            ),
            (
                Reason::FailedRound1,
                "VN-1",
                "không đạt vòng 1",
                "failed round 1",
            ),
            (
                Reason::StruckOff { cause: StrikeCause::Declined, total: Some(dec!(79.50)) },
                "VN-14",
                "bị loại khỏi danh sách trúng tuyển: từ chối tuyển dụng (tổng 79.50)",
                "struck off the winners: declined the post (total 79.50)",
            ),
            (
                Reason::StruckOff { cause: StrikeCause::NoDossier, total: Some(dec!(78.00)) },
                "VN-14",
                "bị loại khỏi danh sách trúng tuyển: không hoàn thiện hồ sơ đúng thời hạn (tổng 78.00)",
                "struck off the winners: did not complete the dossier in time (total 78.00)",
            ),
            (
                Reason::StruckOff { cause: StrikeCause::Fraud, total: None },
                "VN-14",
                "bị loại khỏi danh sách trúng tuyển: gian lận (không có tổng điểm)",
                "struck off the winners: fraud (no total)",
            ),
        ]
    }

    #[test]
    fn every_reason_reads_the_same_in_both_languages_as_published() {
        let table = every_reason();
        let mut seen = [false; 7];
        for (reason, rule, vi, en) in &table {
            assert_eq!(reason.render(Lang::Vi), *vi, "{reason:?}");
            assert_eq!(reason.render(Lang::En), *en, "{reason:?}");
            assert_eq!(reason.rule(), *rule, "{reason:?}");
            if let Some(seen) = seen.get_mut(variant(reason)) {
                *seen = true;
            }
        }
        assert!(seen.iter().all(|&s| s), "a variant has no line: {seen:?}");
    }

    #[test]
    fn every_criterion_and_cause_has_a_name_in_both_languages() {
        for lang in Lang::ALL {
            for criterion in Criterion::ALL {
                assert!(!criterion.name(lang).is_empty());
            }
            for cause in StrikeCause::ALL {
                assert!(!cause.name(lang).is_empty());
            }
        }
        assert_ne!(Criterion::Raw.name(Lang::Vi), Criterion::Raw.name(Lang::En));
    }

    #[test]
    fn vn_12_figures_are_written_with_two_places_whatever_their_scale() {
        // 78 and 7.5 as entered; the reason still shows them as the official marks 78.00, 7.50.
        let reason = Reason::Reserve {
            rank: 4,
            score: score(dec!(85.5), dec!(78), dec!(7.5)),
            tie_break: None,
        };
        assert_eq!(
            reason.render(Lang::En),
            "reserve, rank 4: total 85.50 = 78.00 + priority 7.50"
        );
    }
}
