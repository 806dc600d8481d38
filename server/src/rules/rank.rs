//! Winners of one recruitment position (*xác định người trúng tuyển*): eligibility, ranking by
//! total, the last-slot tie-break, placement into sharing agencies and the reserve list
//! (VN-10 to VN-14, VN-31).

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use rust_decimal::{dec, Decimal};
use serde::{Deserialize, Serialize};

use crate::rules::error::RankingError;
use crate::rules::marks::{combined_composite, round2, validate_mark};
use crate::rules::rule_set::RuleSet;

/// The raw professional score a winner needs, and in the combined form each part (VN-10).
pub const PASS_MARK: Decimal = dec!(50);

/// How round 2 is examined for a position (VN-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Round2Form {
    /// Written on paper; marks entered into the system.
    #[default]
    Written,
    /// Written on computer.
    WrittenCbt,
    /// Written plus interview, combined 0.7 / 0.3.
    WrittenInterview,
}

impl Round2Form {
    pub const ALL: [Round2Form; 3] = [
        Round2Form::Written,
        Round2Form::WrittenCbt,
        Round2Form::WrittenInterview,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Round2Form::Written => "written",
            Round2Form::WrittenCbt => "written_cbt",
            Round2Form::WrittenInterview => "written_interview",
        }
    }

    pub const fn is_combined(self) -> bool {
        matches!(self, Round2Form::WrittenInterview)
    }
}

impl fmt::Display for Round2Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Round2Form {
    type Err = RankingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Round2Form::ALL
            .into_iter()
            .find(|form| form.code() == s)
            .ok_or_else(|| RankingError::UnknownRound2Form(s.to_owned()))
    }
}

/// One employing agency sharing a position, with its own quota (VN-13).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AgencyQuota {
    pub code: String,
    pub quota: u32,
}

/// A recruitment position (*vị trí tuyển dụng*) as far as ranking needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Position {
    /// The position's quota (*chỉ tiêu*). With agencies, it must equal the sum of theirs.
    pub quota: u32,
    /// Empty for a position with a single employer: winners then get no agency.
    #[serde(default)]
    pub agencies: Vec<AgencyQuota>,
    pub round2_form: Round2Form,
}

/// A candidate of the position, with the official marks already settled (see `marks`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Candidate {
    pub application_id: i64,
    pub full_name: String,
    /// `Some(false)` ranks the candidate as failed in round 1. `None` means the grade has no
    /// round 1 (VN-2, VN-3, VN-4), so nothing is held against the candidate.
    pub round1_passed: Option<bool>,
    /// Written part of the combined form; `None` when absent. Unused by single-part forms.
    pub written: Option<Decimal>,
    /// Interview part of the combined form; `None` when absent. Unused by single-part forms.
    pub interview: Option<Decimal>,
    /// The score of a single-part form (`written`, `written_cbt`); `None` when absent. Unused
    /// by the combined form, whose score is computed here from its parts.
    pub professional: Option<Decimal>,
    /// The points granted (see `priority`): the highest proven group only.
    pub priority_points: Decimal,
    /// Agency codes in preference order (VN-13). Empty means any agency, in the position's order.
    #[serde(default)]
    pub agency_preferences: Vec<String>,
    /// Round-1 general-knowledge score, the first tie-break under vn-vc-2020 (VN-31).
    #[serde(default)]
    pub round1_score: Option<Decimal>,
    /// Chosen by a recorded decision of the head of the recruiting agency (VN-11). Counts only
    /// where a tie needs breaking and the chosen candidates exactly fill the slots in question.
    #[serde(default)]
    pub head_decision: bool,
    /// Struck off the winners (VN-14): left out of the competition, shown as struck off, and
    /// the place goes to the reserve list in order.
    #[serde(default)]
    pub struck_off: Option<StrikeCause>,
}

/// Why a winner was struck off the list (VN-14; fraud also bars the next round, VN-16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrikeCause {
    /// The winner declined the post.
    Declined,
    /// The winner did not complete the recruitment dossier in time.
    NoDossier,
    /// Fraud was found.
    Fraud,
}

impl StrikeCause {
    pub const ALL: [StrikeCause; 3] = [
        StrikeCause::Declined,
        StrikeCause::NoDossier,
        StrikeCause::Fraud,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            StrikeCause::Declined => "declined",
            StrikeCause::NoDossier => "no_dossier",
            StrikeCause::Fraud => "fraud",
        }
    }

    const fn label_vi(self) -> &'static str {
        match self {
            StrikeCause::Declined => "từ chối tuyển dụng",
            StrikeCause::NoDossier => "không hoàn thiện hồ sơ đúng thời hạn",
            StrikeCause::Fraud => "gian lận",
        }
    }

    const fn label_en(self) -> &'static str {
        match self {
            StrikeCause::Declined => "declined the post",
            StrikeCause::NoDossier => "did not complete the dossier in time",
            StrikeCause::Fraud => "fraud",
        }
    }
}

impl FromStr for StrikeCause {
    type Err = RankingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StrikeCause::ALL
            .into_iter()
            .find(|cause| cause.code() == s)
            .ok_or_else(|| RankingError::UnknownStrikeCause(s.to_owned()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankingStatus {
    Final,
    /// A tie or a placement awaits the head of the recruiting agency (VN-11, VN-13).
    PendingHeadDecision,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Winner,
    /// Awaiting a head decision: tied for a last slot, or within quota with no agency room.
    TiedPending,
    /// Eligible, beyond the quota: offered a place in rank order when a winner drops (VN-14).
    Reserve,
    Ineligible,
    FailedRound1,
    /// A winner struck off the list (VN-14); the place went to the reserve list.
    StruckOff,
}

impl Outcome {
    const fn display_order(self) -> u8 {
        match self {
            Outcome::Winner => 0,
            Outcome::TiedPending => 1,
            Outcome::Reserve => 2,
            Outcome::StruckOff => 3,
            Outcome::Ineligible => 4,
            Outcome::FailedRound1 => 5,
        }
    }
}

/// One line of the ranking. Scores and points carry exactly 2 decimal places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankingEntry {
    pub application_id: i64,
    pub full_name: String,
    /// The professional score before priority points (the composite in the combined form);
    /// `None` when it cannot be computed because a part was not sat.
    pub raw_score: Option<Decimal>,
    pub priority_points: Decimal,
    /// Raw score + priority points; `None` for candidates who are not ranked.
    pub total: Option<Decimal>,
    /// Competition rank among eligible candidates (equals share a rank); `None` if not ranked.
    pub rank: Option<u32>,
    pub outcome: Outcome,
    /// The agency a winner is placed with, on a shared position (VN-13).
    pub agency: Option<String>,
    pub reason_vi: String,
    pub reason_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranking {
    pub status: RankingStatus,
    pub quota: u32,
    /// Winners, pending, reserves in rank order, then ineligible, then failed in round 1.
    pub entries: Vec<RankingEntry>,
}

impl Ranking {
    pub fn winners(&self) -> impl Iterator<Item = &RankingEntry> {
        self.with_outcome(Outcome::Winner)
    }

    pub fn tied_pending(&self) -> impl Iterator<Item = &RankingEntry> {
        self.with_outcome(Outcome::TiedPending)
    }

    /// The replacement list, in the order places are offered (VN-14).
    pub fn reserves(&self) -> impl Iterator<Item = &RankingEntry> {
        self.with_outcome(Outcome::Reserve)
    }

    pub fn entry(&self, application_id: i64) -> Option<&RankingEntry> {
        self.entries
            .iter()
            .find(|entry| entry.application_id == application_id)
    }

    fn with_outcome(&self, outcome: Outcome) -> impl Iterator<Item = &RankingEntry> {
        self.entries
            .iter()
            .filter(move |entry| entry.outcome == outcome)
    }
}

/// Ranks the candidates of one position under `rule_set`.
///
/// Eligible candidates (VN-10) are ranked by total, highest first, compared after the official
/// rounding (VN-12). Equal totals inside the quota all win; only equal totals straddling the last
/// slot are broken, by VN-11 (or VN-31), ending in a head decision, never chance. On a shared
/// position, winners are then placed with agencies (VN-13). The result does not depend on the
/// order of `candidates`.
///
/// VN-14: candidates struck off are left out of the competition, so the places they held go
/// to the next eligible candidates in rank order, with VN-11 between equals (a tie for a freed
/// last place waits for the head like any other). They are listed as struck off, and a winner
/// who would not have won with them in is marked as a replacement from the reserve list.
/// Priority points and the VN-10 gate apply to replacements exactly as to anyone: an
/// ineligible candidate is never promoted, however many winners drop out.
pub fn rank(
    rule_set: RuleSet,
    position: &Position,
    candidates: &[Candidate],
) -> Result<Ranking, RankingError> {
    if candidates.iter().all(|c| c.struck_off.is_none()) {
        return rank_standing(rule_set, position, candidates);
    }
    // The ranking as published before anyone was struck off: who won it, and each struck
    // candidate's line.
    let everyone: Vec<Candidate> = candidates
        .iter()
        .map(|c| Candidate {
            struck_off: None,
            ..c.clone()
        })
        .collect();
    let original = rank_standing(rule_set, position, &everyone)?;
    let standing: Vec<Candidate> = candidates
        .iter()
        .filter(|c| c.struck_off.is_none())
        .cloned()
        .collect();
    let mut ranking = rank_standing(rule_set, position, &standing)?;
    for entry in &mut ranking.entries {
        let was_winner = original
            .entry(entry.application_id)
            .is_some_and(|e| e.outcome == Outcome::Winner);
        if entry.outcome == Outcome::Winner && !was_winner {
            entry.reason_vi = format!(
                "trúng tuyển bổ sung theo danh sách dự bị, thay người bị loại ({})",
                entry.reason_vi
            );
            entry.reason_en = format!(
                "winner from the reserve list in place of a struck-off winner ({})",
                entry.reason_en
            );
        }
    }
    for candidate in candidates {
        let Some(cause) = candidate.struck_off else {
            continue;
        };
        let Some(before) = original.entry(candidate.application_id) else {
            continue;
        };
        let (score_vi, score_en) = match before.total {
            Some(total) => (format!("tổng {total}"), format!("total {total}")),
            None => ("không có tổng điểm".to_owned(), "no total".to_owned()),
        };
        ranking.entries.push(RankingEntry {
            rank: None,
            outcome: Outcome::StruckOff,
            agency: None,
            reason_vi: format!(
                "bị loại khỏi danh sách trúng tuyển: {} ({score_vi})",
                cause.label_vi()
            ),
            reason_en: format!("struck off the winners: {} ({score_en})", cause.label_en()),
            ..before.clone()
        });
    }
    ranking.entries.sort_by(display_order);
    Ok(ranking)
}

/// Ranks the candidates still standing (none struck off).
fn rank_standing(
    rule_set: RuleSet,
    position: &Position,
    candidates: &[Candidate],
) -> Result<Ranking, RankingError> {
    let agencies = AgencyTable::new(position)?;
    let assessed = candidates
        .iter()
        .map(|candidate| assess(position.round2_form, candidate, &agencies))
        .collect::<Result<Vec<_>, _>>()?;
    let mut seen = HashSet::new();
    for candidate in candidates {
        if !seen.insert(candidate.application_id) {
            return Err(RankingError::DuplicateApplication(candidate.application_id));
        }
    }

    let criteria = tie_break_criteria(rule_set, position.round2_form);
    let mut contenders: Vec<Contender<'_>> = assessed
        .iter()
        .filter_map(|assessed| match assessed.verdict {
            Verdict::Eligible { raw, total } => Some(Contender {
                candidate: assessed.candidate,
                scores: &assessed.scores,
                raw,
                total,
            }),
            Verdict::FailedRound1 | Verdict::Ineligible { .. } => None,
        })
        .collect();
    contenders.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then(b.raw.cmp(&a.raw))
            .then(a.id().cmp(&b.id()))
    });

    let mut decisions = decide_winners(&contenders, position.quota, &criteria);
    if !agencies.is_empty() {
        place_winners(&contenders, &mut decisions, agencies, &criteria);
    }

    let mut entries: Vec<RankingEntry> = contenders
        .iter()
        .zip(&decisions)
        .map(|(contender, decision)| ranked_entry(contender, decision))
        .collect();
    entries.extend(assessed.iter().filter_map(unranked_entry));
    entries.sort_by(display_order);

    let status = if entries
        .iter()
        .any(|entry| entry.outcome == Outcome::TiedPending)
    {
        RankingStatus::PendingHeadDecision
    } else {
        RankingStatus::Final
    };
    Ok(Ranking {
        status,
        quota: position.quota,
        entries,
    })
}

/// Validated marks of one candidate, each with 2 decimal places.
struct Scores {
    written: Option<Decimal>,
    interview: Option<Decimal>,
    professional: Option<Decimal>,
    priority: Decimal,
}

enum Verdict {
    FailedRound1,
    Ineligible { raw: Option<Decimal>, why: Why },
    Eligible { raw: Decimal, total: Decimal },
}

/// What keeps a candidate below the VN-10 gate.
enum Why {
    Absent,
    Low(Decimal),
    Parts {
        written: Option<Decimal>,
        interview: Option<Decimal>,
    },
}

struct Assessed<'a> {
    candidate: &'a Candidate,
    scores: Scores,
    verdict: Verdict,
}

fn assess<'a>(
    form: Round2Form,
    candidate: &'a Candidate,
    agencies: &AgencyTable,
) -> Result<Assessed<'a>, RankingError> {
    let id = candidate.application_id;
    let mark = |field: &'static str, value: Option<Decimal>| {
        value
            .map(validate_mark)
            .transpose()
            .map_err(|source| RankingError::Candidate {
                application_id: id,
                field,
                source: Box::new(source),
            })
    };
    let scores = Scores {
        written: mark("written", candidate.written)?,
        interview: mark("interview", candidate.interview)?,
        professional: mark("professional", candidate.professional)?,
        priority: validate_priority(candidate)?,
    };
    let unexpected = |field| RankingError::UnexpectedScore {
        application_id: id,
        field,
        form,
    };
    if form.is_combined() {
        if scores.professional.is_some() {
            return Err(unexpected("professional"));
        }
    } else if scores.written.is_some() {
        return Err(unexpected("written"));
    } else if scores.interview.is_some() {
        return Err(unexpected("interview"));
    }
    for agency in &candidate.agency_preferences {
        if !agencies.is_empty() && agencies.index_of(agency).is_none() {
            return Err(RankingError::UnknownAgency {
                application_id: id,
                agency: agency.clone(),
            });
        }
    }

    let verdict = if candidate.round1_passed == Some(false) {
        Verdict::FailedRound1
    } else if form.is_combined() {
        combined_verdict(&scores)?
    } else {
        match scores.professional {
            None => Verdict::Ineligible {
                raw: None,
                why: Why::Absent,
            },
            Some(raw) if raw < PASS_MARK => Verdict::Ineligible {
                raw: Some(raw),
                why: Why::Low(raw),
            },
            Some(raw) => Verdict::Eligible {
                raw,
                total: round2(raw + scores.priority),
            },
        }
    };
    Ok(Assessed {
        candidate,
        scores,
        verdict,
    })
}

/// VN-10 in the combined form: both parts sat, each at least 50. A high composite does not
/// make up for a weak part, and priority points make up for nothing.
fn combined_verdict(scores: &Scores) -> Result<Verdict, RankingError> {
    let (written, interview) = (scores.written, scores.interview);
    let raw = match (written, interview) {
        (Some(written), Some(interview)) => Some(combined_composite(written, interview)?),
        _ => None,
    };
    let part_fails = |part: Option<Decimal>| part.is_none_or(|mark| mark < PASS_MARK);
    Ok(match raw {
        Some(raw) if !part_fails(written) && !part_fails(interview) => Verdict::Eligible {
            raw,
            total: round2(raw + scores.priority),
        },
        _ => Verdict::Ineligible {
            raw,
            why: Why::Parts { written, interview },
        },
    })
}

fn validate_priority(candidate: &Candidate) -> Result<Decimal, RankingError> {
    let points = candidate.priority_points;
    if points < Decimal::ZERO || points.normalize().scale() > 2 {
        return Err(RankingError::Candidate {
            application_id: candidate.application_id,
            field: "priority_points",
            source: Box::new(RankingError::InvalidPriorityPoints(points)),
        });
    }
    Ok(round2(points))
}

/// An eligible candidate competing for the quota.
struct Contender<'a> {
    candidate: &'a Candidate,
    scores: &'a Scores,
    raw: Decimal,
    total: Decimal,
}

impl Contender<'_> {
    fn id(&self) -> i64 {
        self.candidate.application_id
    }
}

/// A tie-break criterion, applied in order; a higher value wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Criterion {
    /// VN-11 (1): the professional score before priority points.
    Raw,
    /// VN-11 (2): the written part, in the combined form only.
    Written,
    /// VN-31: the round-1 score, for public employees.
    Round1Score,
}

impl Criterion {
    fn value(self, contender: &Contender<'_>) -> Option<Decimal> {
        match self {
            Criterion::Raw => Some(contender.raw),
            Criterion::Written => contender.scores.written,
            Criterion::Round1Score => contender.candidate.round1_score,
        }
    }

    const fn label_vi(self) -> &'static str {
        match self {
            Criterion::Raw => "điểm thi vòng 2",
            Criterion::Written => "điểm thi viết",
            Criterion::Round1Score => "điểm vòng 1",
        }
    }

    const fn label_en(self) -> &'static str {
        match self {
            Criterion::Raw => "round-2 score",
            Criterion::Written => "written score",
            Criterion::Round1Score => "round-1 score",
        }
    }
}

fn tie_break_criteria(rule_set: RuleSet, form: Round2Form) -> Vec<Criterion> {
    if rule_set.tie_break_by_round1_score() {
        vec![Criterion::Round1Score]
    } else if form.is_combined() {
        vec![Criterion::Raw, Criterion::Written]
    } else {
        vec![Criterion::Raw]
    }
}

/// Equal-total contenders split into tiers, best first, by the tie-break criteria.
/// `separators[i]` is the criterion that put tier `i` ahead of tier `i + 1`.
struct Tiers<'c, 'a> {
    tiers: Vec<Vec<&'c Contender<'a>>>,
    separators: Vec<Criterion>,
}

fn split_ties<'c, 'a>(mut group: Vec<&'c Contender<'a>>, criteria: &[Criterion]) -> Tiers<'c, 'a> {
    let Some((&criterion, rest)) = criteria.split_first() else {
        group.sort_by_key(|contender| contender.id());
        return Tiers {
            tiers: vec![group],
            separators: Vec::new(),
        };
    };
    // A criterion someone lacks (a round-1 score never recorded) cannot rank them fairly, so it
    // is skipped for the whole group and the next step (in the end the head) decides.
    if group
        .iter()
        .any(|contender| criterion.value(contender).is_none())
    {
        return split_ties(group, rest);
    }
    group.sort_by(|a, b| {
        criterion
            .value(b)
            .cmp(&criterion.value(a))
            .then(a.id().cmp(&b.id()))
    });
    let mut result = Tiers {
        tiers: Vec::new(),
        separators: Vec::new(),
    };
    for chunk in group.chunk_by(|a, b| criterion.value(a) == criterion.value(b)) {
        let sub = split_ties(chunk.to_vec(), rest);
        if !result.tiers.is_empty() {
            result.separators.push(criterion);
        }
        result.tiers.extend(sub.tiers);
        result.separators.extend(sub.separators);
    }
    result
}

/// How a contender came out of the position-level ranking, before agency placement.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decision {
    outcome: Outcome,
    rank: u32,
    note: Note,
    placement: Placement,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Note {
    InQuota,
    BeyondQuota,
    WonTie(Option<Criterion>),
    LostTie(Option<Criterion>),
    WonByHead,
    LostByHead,
    TiedForLastSlot { decision_mismatch: bool },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Placement {
    NotShared,
    Placed(String),
    Contested {
        agency: String,
        decision_mismatch: bool,
    },
    NoRoom,
}

/// VN-10 (b), VN-11, VN-14: walks groups of equal total, highest first. `contenders` is sorted
/// by total descending; the decisions come back in the same order.
fn decide_winners(
    contenders: &[Contender<'_>],
    quota: u32,
    criteria: &[Criterion],
) -> Vec<Decision> {
    let index: HashMap<i64, usize> = contenders
        .iter()
        .enumerate()
        .map(|(position, contender)| (contender.id(), position))
        .collect();
    let mut decisions: Vec<Decision> = contenders
        .iter()
        .map(|_| Decision {
            outcome: Outcome::Reserve,
            rank: 0,
            note: Note::BeyondQuota,
            placement: Placement::NotShared,
        })
        .collect();
    let mut set = |contender: &Contender<'_>, outcome, rank, note| {
        if let Some(decision) = index
            .get(&contender.id())
            .and_then(|&position| decisions.get_mut(position))
        {
            decision.outcome = outcome;
            decision.rank = rank;
            decision.note = note;
        }
    };

    let mut ahead: u32 = 0;
    let mut held: u32 = 0;
    for group in contenders.chunk_by(|a, b| a.total == b.total) {
        let size = count(group.len());
        let first_rank = ahead.saturating_add(1);
        let remaining = quota.saturating_sub(held);
        if size <= remaining {
            // Ties entirely inside the quota need no break (VN-11).
            for contender in group {
                set(contender, Outcome::Winner, first_rank, Note::InQuota);
            }
            held = held.saturating_add(size);
            ahead = ahead.saturating_add(size);
            continue;
        }
        // This group reaches past the last slot. Its order comes from VN-11 (VN-31), which
        // also orders the reserve list between equals (VN-14).
        let split = split_ties(group.iter().collect(), criteria);
        let boundary = boundary_tier(&split, remaining);
        let filled_before: u32 = split
            .tiers
            .iter()
            .take(boundary)
            .map(|tier| count(tier.len()))
            .sum();
        let need = remaining.saturating_sub(filled_before);
        // Whom the tiers after the boundary lost to: the boundary tier itself when it still
        // holds a slot, otherwise the last tier that won.
        let lost_to = if need > 0 {
            boundary
        } else {
            boundary.saturating_sub(1)
        };
        let mut offset: u32 = 0;
        for (tier_index, tier) in split.tiers.iter().enumerate() {
            let rank = first_rank.saturating_add(offset);
            let tier_size = count(tier.len());
            let lost_note = || {
                if remaining == 0 {
                    Note::BeyondQuota
                } else {
                    Note::LostTie(decisive(&split, lost_to, tier_index, criteria))
                }
            };
            match tier_index.cmp(&boundary) {
                Ordering::Less => {
                    let won_on = decisive(&split, tier_index, boundary, criteria);
                    for contender in tier {
                        set(contender, Outcome::Winner, rank, Note::WonTie(won_on));
                    }
                }
                Ordering::Equal if need > 0 => {
                    let chosen = count(
                        tier.iter()
                            .filter(|contender| contender.candidate.head_decision)
                            .count(),
                    );
                    if chosen == need {
                        for contender in tier {
                            if contender.candidate.head_decision {
                                set(contender, Outcome::Winner, rank, Note::WonByHead);
                            } else {
                                let rank = rank.saturating_add(need);
                                set(contender, Outcome::Reserve, rank, Note::LostByHead);
                            }
                        }
                    } else {
                        // Never pick at random: the slot waits for the head (VN-11).
                        let note = Note::TiedForLastSlot {
                            decision_mismatch: chosen > 0,
                        };
                        for contender in tier {
                            set(contender, Outcome::TiedPending, rank, note);
                        }
                    }
                }
                Ordering::Equal | Ordering::Greater => {
                    let note = lost_note();
                    for contender in tier {
                        set(contender, Outcome::Reserve, rank, note);
                    }
                }
            }
            offset = offset.saturating_add(tier_size);
        }
        held = held.saturating_add(remaining);
        ahead = ahead.saturating_add(size);
    }
    decisions
}

/// Index of the first tier that does not fit entirely in `remaining` slots.
fn boundary_tier(split: &Tiers<'_, '_>, remaining: u32) -> usize {
    let mut filled: u32 = 0;
    for (index, tier) in split.tiers.iter().enumerate() {
        let size = count(tier.len());
        if filled.saturating_add(size) > remaining {
            return index;
        }
        filled = filled.saturating_add(size);
    }
    split.tiers.len()
}

/// The criterion that separates tier `from` from the later tier `to`: of the separators between
/// them, the one applied first, since the later ones only split tiers already apart.
fn decisive(
    split: &Tiers<'_, '_>,
    from: usize,
    to: usize,
    criteria: &[Criterion],
) -> Option<Criterion> {
    split
        .separators
        .get(from..to)
        .unwrap_or_default()
        .iter()
        .copied()
        .min_by_key(|criterion| criteria.iter().position(|c| c == criterion))
}

fn count(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// The agencies sharing a position and their free slots (VN-13).
struct AgencyTable {
    codes: Vec<String>,
    room: Vec<u32>,
}

impl AgencyTable {
    fn new(position: &Position) -> Result<Self, RankingError> {
        let mut seen = HashSet::new();
        for agency in &position.agencies {
            if !seen.insert(agency.code.as_str()) {
                return Err(RankingError::DuplicateAgency(agency.code.clone()));
            }
        }
        if !position.agencies.is_empty() {
            let sum: u64 = position
                .agencies
                .iter()
                .map(|agency| u64::from(agency.quota))
                .sum();
            if sum != u64::from(position.quota) {
                return Err(RankingError::QuotaMismatch {
                    quota: position.quota,
                    sum: u32::try_from(sum).unwrap_or(u32::MAX),
                });
            }
        }
        Ok(AgencyTable {
            codes: position
                .agencies
                .iter()
                .map(|agency| agency.code.clone())
                .collect(),
            room: position
                .agencies
                .iter()
                .map(|agency| agency.quota)
                .collect(),
        })
    }

    fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    fn index_of(&self, code: &str) -> Option<usize> {
        self.codes.iter().position(|known| known == code)
    }

    fn code(&self, index: usize) -> String {
        self.codes.get(index).cloned().unwrap_or_default()
    }

    fn room(&self, index: usize) -> u32 {
        self.room.get(index).copied().unwrap_or(0)
    }

    fn take(&mut self, index: usize, slots: u32) {
        if let Some(room) = self.room.get_mut(index) {
            *room = room.saturating_sub(slots);
        }
    }

    /// The candidate's first listed agency that still has a free slot.
    fn first_with_room(&self, candidate: &Candidate) -> Option<usize> {
        if candidate.agency_preferences.is_empty() {
            (0..self.codes.len()).find(|&index| self.room(index) > 0)
        } else {
            candidate
                .agency_preferences
                .iter()
                .filter_map(|code| self.index_of(code))
                .find(|&index| self.room(index) > 0)
        }
    }
}

/// VN-13: winners, in rank order, each take the first listed agency with a free slot. Equally
/// ranked winners propose together; an agency with fewer slots than proposers is a contested
/// last slot, settled by VN-11, and its losers try their next choice. A winner left with no
/// room anywhere they listed waits for a head decision [U].
fn place_winners(
    contenders: &[Contender<'_>],
    decisions: &mut [Decision],
    mut table: AgencyTable,
    criteria: &[Criterion],
) {
    let index: HashMap<i64, usize> = contenders
        .iter()
        .enumerate()
        .map(|(position, contender)| (contender.id(), position))
        .collect();
    let mut by_rank: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (position, decision) in decisions.iter().enumerate() {
        if decision.outcome == Outcome::Winner {
            by_rank.entry(decision.rank).or_default().push(position);
        }
    }
    for positions in by_rank.into_values() {
        let mut unplaced = positions;
        while !unplaced.is_empty() {
            let mut proposals: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for position in unplaced.drain(..) {
                let Some(contender) = contenders.get(position) else {
                    continue;
                };
                match table.first_with_room(contender.candidate) {
                    Some(agency) => proposals.entry(agency).or_default().push(position),
                    None => set_placement(decisions, position, Placement::NoRoom),
                }
            }
            for (agency, proposers) in proposals {
                let room = table.room(agency);
                let code = table.code(agency);
                if count(proposers.len()) <= room {
                    for &position in &proposers {
                        set_placement(decisions, position, Placement::Placed(code.clone()));
                    }
                    table.take(agency, count(proposers.len()));
                    continue;
                }
                let group: Vec<&Contender<'_>> = proposers
                    .iter()
                    .filter_map(|&position| contenders.get(position))
                    .collect();
                let split = split_ties(group, criteria);
                let mut filled: u32 = 0;
                for tier in &split.tiers {
                    let need = room.saturating_sub(filled);
                    let positions: Vec<usize> = tier
                        .iter()
                        .filter_map(|contender| index.get(&contender.id()).copied())
                        .collect();
                    let tier_size = count(positions.len());
                    if need == 0 {
                        unplaced.extend(positions);
                    } else if tier_size <= need {
                        for &position in &positions {
                            set_placement(decisions, position, Placement::Placed(code.clone()));
                        }
                        filled = filled.saturating_add(tier_size);
                    } else {
                        let chosen = positions
                            .iter()
                            .filter(|&&position| {
                                contenders
                                    .get(position)
                                    .is_some_and(|c| c.candidate.head_decision)
                            })
                            .count();
                        if count(chosen) == need {
                            for &position in &positions {
                                let is_chosen = contenders
                                    .get(position)
                                    .is_some_and(|c| c.candidate.head_decision);
                                if is_chosen {
                                    let placement = Placement::Placed(code.clone());
                                    set_placement(decisions, position, placement);
                                } else {
                                    unplaced.push(position);
                                }
                            }
                        } else {
                            // The contested slots stay held until the head decides, so that
                            // lower-ranked winners cannot take them meanwhile.
                            for &position in &positions {
                                let placement = Placement::Contested {
                                    agency: code.clone(),
                                    decision_mismatch: chosen > 0,
                                };
                                set_placement(decisions, position, placement);
                            }
                        }
                        filled = room;
                    }
                }
                table.take(agency, room);
            }
            unplaced.sort_unstable();
        }
    }
}

fn set_placement(decisions: &mut [Decision], position: usize, placement: Placement) {
    if let Some(decision) = decisions.get_mut(position) {
        decision.placement = placement;
    }
}

fn ranked_entry(contender: &Contender<'_>, decision: &Decision) -> RankingEntry {
    let candidate = contender.candidate;
    let score_vi = describe_total_vi(contender);
    let score_en = describe_total_en(contender);
    let (outcome, agency, reason_vi, reason_en) = match (&decision.placement, decision.outcome) {
        (Placement::Contested { agency, decision_mismatch }, Outcome::Winner) => (
            Outcome::TiedPending,
            None,
            format!(
                "bằng điểm ở chỉ tiêu cuối của {agency} ({score_vi}): chờ người đứng đầu cơ quan quyết định{}",
                mismatch_vi(*decision_mismatch)
            ),
            format!(
                "tied for the last slot at {agency} ({score_en}): pending head decision{}",
                mismatch_en(*decision_mismatch)
            ),
        ),
        (Placement::NoRoom, Outcome::Winner) => (
            Outcome::TiedPending,
            None,
            format!(
                "trong chỉ tiêu ({score_vi}) nhưng các cơ quan đã chọn hết chỉ tiêu: chờ người đứng đầu cơ quan quyết định"
            ),
            format!(
                "within quota ({score_en}) but no listed agency has a free slot: pending head decision"
            ),
        ),
        (placement, Outcome::Winner) => {
            let agency = match placement {
                Placement::Placed(code) => Some(code.clone()),
                _ => None,
            };
            let (at_vi, at_en) = agency
                .as_ref()
                .map(|code| (format!(" vào {code}"), format!(", placed at {code}")))
                .unwrap_or_default();
            let (why_vi, why_en) = match decision.note {
                Note::WonTie(Some(criterion)) => (
                    format!("; bằng tổng điểm ở chỉ tiêu cuối, {} cao hơn", criterion.label_vi()),
                    format!("; tied for the last slot, higher {}", criterion.label_en()),
                ),
                Note::WonByHead => (
                    "; bằng điểm ở chỉ tiêu cuối, người đứng đầu cơ quan quyết định".to_owned(),
                    "; tied for the last slot, chosen by the head of the agency".to_owned(),
                ),
                _ => (String::new(), String::new()),
            };
            (
                Outcome::Winner,
                agency,
                format!("trúng tuyển{at_vi}: {score_vi}{why_vi}"),
                format!("winner{at_en}: {score_en}{why_en}"),
            )
        }
        (_, Outcome::TiedPending) => {
            let mismatch = matches!(
                decision.note,
                Note::TiedForLastSlot {
                    decision_mismatch: true
                }
            );
            (
                Outcome::TiedPending,
                None,
                format!(
                    "bằng điểm ở chỉ tiêu cuối ({score_vi}): chờ người đứng đầu cơ quan quyết định{}",
                    mismatch_vi(mismatch)
                ),
                format!(
                    "tied for the last slot ({score_en}): pending head decision{}",
                    mismatch_en(mismatch)
                ),
            )
        }
        (_, outcome) => {
            let rank = decision.rank;
            let (why_vi, why_en) = match decision.note {
                Note::LostTie(Some(criterion)) => (
                    format!("; bằng tổng điểm ở chỉ tiêu cuối, {} thấp hơn", criterion.label_vi()),
                    format!("; tied for the last slot, lower {}", criterion.label_en()),
                ),
                Note::LostByHead => (
                    "; bằng điểm ở chỉ tiêu cuối, người đứng đầu cơ quan chọn người khác".to_owned(),
                    "; tied for the last slot, the head of the agency chose another candidate"
                        .to_owned(),
                ),
                _ => (String::new(), String::new()),
            };
            (
                outcome,
                None,
                format!("dự bị, hạng {rank}: {score_vi}{why_vi}"),
                format!("reserve, rank {rank}: {score_en}{why_en}"),
            )
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
        reason_vi,
        reason_en,
    }
}

fn describe_total_vi(contender: &Contender<'_>) -> String {
    let (total, raw, priority) = (contender.total, contender.raw, contender.scores.priority);
    if priority > Decimal::ZERO {
        format!("tổng {total} = {raw} + ưu tiên {priority}")
    } else {
        format!("tổng {total}")
    }
}

fn describe_total_en(contender: &Contender<'_>) -> String {
    let (total, raw, priority) = (contender.total, contender.raw, contender.scores.priority);
    if priority > Decimal::ZERO {
        format!("total {total} = {raw} + priority {priority}")
    } else {
        format!("total {total}")
    }
}

fn mismatch_vi(mismatch: bool) -> &'static str {
    if mismatch {
        "; quyết định đã ghi không khớp số chỉ tiêu còn lại"
    } else {
        ""
    }
}

fn mismatch_en(mismatch: bool) -> &'static str {
    if mismatch {
        "; the recorded decision does not match the slots left"
    } else {
        ""
    }
}

fn unranked_entry(assessed: &Assessed<'_>) -> Option<RankingEntry> {
    let candidate = assessed.candidate;
    let priority = assessed.scores.priority;
    let (outcome, raw_score, reason_vi, reason_en) = match &assessed.verdict {
        Verdict::Eligible { .. } => return None,
        Verdict::FailedRound1 => (
            Outcome::FailedRound1,
            None,
            "không đạt vòng 1".to_owned(),
            "failed round 1".to_owned(),
        ),
        Verdict::Ineligible { raw, why } => {
            let (why_vi, why_en) = describe_why(why);
            // VN-10: say so, because "I have 7.5 priority points" is the first objection.
            let (rescue_vi, rescue_en) = if priority > Decimal::ZERO {
                (
                    " (điểm ưu tiên không bù cho điểm dưới 50)",
                    " (priority points cannot make up for it)",
                )
            } else {
                ("", "")
            };
            (
                Outcome::Ineligible,
                *raw,
                format!("không đủ điều kiện: {why_vi}{rescue_vi}"),
                format!("not eligible: {why_en}{rescue_en}"),
            )
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
        reason_vi,
        reason_en,
    })
}

fn describe_why(why: &Why) -> (String, String) {
    match why {
        Why::Absent => (
            "vắng thi vòng 2".to_owned(),
            "absent from round 2".to_owned(),
        ),
        Why::Low(raw) => (
            format!("điểm thi vòng 2 {raw} < {PASS_MARK}"),
            format!("round-2 score {raw} < {PASS_MARK}"),
        ),
        Why::Parts { written, interview } => {
            let mut vi = Vec::new();
            let mut en = Vec::new();
            for (part, name_vi, name_en) in [
                (written, "viết", "written"),
                (interview, "phỏng vấn", "interview"),
            ] {
                match part {
                    None => {
                        vi.push(format!("vắng {name_vi}"));
                        en.push(format!("absent from the {name_en}"));
                    }
                    Some(mark) if *mark < PASS_MARK => {
                        vi.push(format!("{name_vi} {mark} < {PASS_MARK}"));
                        en.push(format!("{name_en} {mark} < {PASS_MARK}"));
                    }
                    Some(_) => {}
                }
            }
            (vi.join(", "), en.join(", "))
        }
    }
}

/// Ranked entries in rank order, then the unranked; ids only order what is otherwise equal, so
/// the list never depends on input order.
fn display_order(a: &RankingEntry, b: &RankingEntry) -> Ordering {
    let unranked = |entry: &RankingEntry| entry.rank.is_none();
    unranked(a)
        .cmp(&unranked(b))
        .then(a.rank.cmp(&b.rank))
        .then(a.outcome.display_order().cmp(&b.outcome.display_order()))
        .then(b.total.cmp(&a.total))
        .then(b.raw_score.cmp(&a.raw_score))
        .then(a.application_id.cmp(&b.application_id))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;
    use crate::rules::priority::priority_points;

    fn candidate(id: i64, name: &str) -> Candidate {
        Candidate {
            application_id: id,
            full_name: name.to_owned(),
            round1_passed: Some(true),
            priority_points: dec!(0),
            ..Candidate::default()
        }
    }

    /// A candidate of a single-part form (written or written_cbt).
    fn sat(id: i64, name: &str, score: Decimal, priority: Decimal) -> Candidate {
        Candidate {
            professional: Some(score),
            priority_points: priority,
            ..candidate(id, name)
        }
    }

    /// A candidate of the combined written + interview form.
    fn sat_both(
        id: i64,
        name: &str,
        written: Option<Decimal>,
        interview: Option<Decimal>,
    ) -> Candidate {
        Candidate {
            written,
            interview,
            ..candidate(id, name)
        }
    }

    fn position(quota: u32, round2_form: Round2Form) -> Position {
        Position {
            quota,
            agencies: Vec::new(),
            round2_form,
        }
    }

    fn shared(agencies: &[(&str, u32)]) -> Position {
        Position {
            quota: agencies.iter().map(|(_, quota)| quota).sum(),
            agencies: agencies
                .iter()
                .map(|(code, quota)| AgencyQuota {
                    code: (*code).to_owned(),
                    quota: *quota,
                })
                .collect(),
            round2_form: Round2Form::Written,
        }
    }

    fn prefer(mut candidate: Candidate, agencies: &[&str]) -> Candidate {
        candidate.agency_preferences = agencies.iter().map(|code| (*code).to_owned()).collect();
        candidate
    }

    fn names<'a>(entries: impl Iterator<Item = &'a RankingEntry>) -> Vec<&'a str> {
        entries.map(|entry| entry.full_name.as_str()).collect()
    }

    fn outcome(ranking: &Ranking, id: i64) -> Option<Outcome> {
        ranking.entry(id).map(|entry| entry.outcome)
    }

    #[test]
    fn e1_priority_points_reorder_winners_but_never_rescue_a_raw_score_below_50(
    ) -> Result<(), RankingError> {
        let failed_round1 = Candidate {
            round1_passed: Some(false),
            ..candidate(5, "E")
        };
        let candidates = [
            sat(1, "A", dec!(78.00), dec!(0)),
            sat(2, "B", dec!(72.00), dec!(7.5)),
            sat(3, "C", dec!(49.50), dec!(7.5)),
            sat(4, "D", dec!(75.00), dec!(2.5)),
            failed_round1,
            sat(6, "F", dec!(76.00), dec!(0)),
        ];
        let ranking = rank(
            RuleSet::Vn2025,
            &position(2, Round2Form::Written),
            &candidates,
        )?;

        assert_eq!(ranking.status, RankingStatus::Final);
        // VN-10: ranked by total = raw + priority.
        assert_eq!(names(ranking.winners()), ["B", "A"]);
        // VN-14: the replacement list in order.
        assert_eq!(names(ranking.reserves()), ["D", "F"]);
        let order: Vec<&str> = names(ranking.entries.iter());
        assert_eq!(order, ["B", "A", "D", "F", "C", "E"]);

        let b = ranking
            .entry(2)
            .ok_or(RankingError::DuplicateApplication(2))?;
        assert_eq!(b.total, Some(dec!(79.50)));
        assert_eq!(b.rank, Some(1));
        assert_eq!(b.reason_en, "winner: total 79.50 = 72.00 + priority 7.50");
        assert_eq!(
            b.reason_vi,
            "trúng tuyển: tổng 79.50 = 72.00 + ưu tiên 7.50"
        );
        let d = ranking
            .entry(4)
            .ok_or(RankingError::DuplicateApplication(4))?;
        assert_eq!(
            d.reason_en,
            "reserve, rank 3: total 77.50 = 75.00 + priority 2.50"
        );

        // VN-10: 49.50 + 7.5 = 57.00 would beat nobody's gate: C is not eligible at all.
        let c = ranking
            .entry(3)
            .ok_or(RankingError::DuplicateApplication(3))?;
        assert_eq!(c.outcome, Outcome::Ineligible);
        assert_eq!(
            (c.raw_score, c.total, c.rank),
            (Some(dec!(49.50)), None, None)
        );
        assert_eq!(
            c.reason_en,
            "not eligible: round-2 score 49.50 < 50 (priority points cannot make up for it)"
        );
        assert_eq!(
            c.reason_vi,
            "không đủ điều kiện: điểm thi vòng 2 49.50 < 50 (điểm ưu tiên không bù cho điểm dưới 50)"
        );
        assert_eq!(outcome(&ranking, 5), Some(Outcome::FailedRound1));
        Ok(())
    }

    #[test]
    fn e2_only_the_highest_priority_group_enters_the_total() -> Result<(), RankingError> {
        // VN-8: 5 + 2.5 + 1.5 are not summed; the total is 70.00 + 5.00.
        let as_of = NaiveDate::from_ymd_opt(2025, 9, 1).expect("valid test date");
        let points = priority_points(
            RuleSet::Vn2025,
            &["ethnic_minority", "military_service", "union_cadre"],
            &[] as &[&str],
            as_of,
        )?;
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[sat(1, "G", dec!(70.00), points)],
        )?;
        let entry = ranking
            .entry(1)
            .ok_or(RankingError::DuplicateApplication(1))?;
        assert_eq!(entry.total, Some(dec!(75.00)));
        assert_eq!(entry.outcome, Outcome::Winner);
        Ok(())
    }

    fn e3_candidates() -> [Candidate; 3] {
        [
            sat(1, "H", dec!(82.00), dec!(0)),
            sat(2, "I", dec!(80.00), dec!(0)),
            sat(3, "K", dec!(75.00), dec!(5)),
        ]
    }

    #[test]
    fn e3_a_tie_at_the_last_slot_goes_to_the_higher_raw_score() -> Result<(), RankingError> {
        // VN-11 (1): I and K both total 80.00 for slot 2; raw 80 > 75.
        let ranking = rank(
            RuleSet::Vn2025,
            &position(2, Round2Form::Written),
            &e3_candidates(),
        )?;
        assert_eq!(ranking.status, RankingStatus::Final);
        assert_eq!(names(ranking.winners()), ["H", "I"]);
        assert_eq!(names(ranking.reserves()), ["K"]);
        let i = ranking
            .entry(2)
            .ok_or(RankingError::DuplicateApplication(2))?;
        assert_eq!(i.rank, Some(2));
        assert_eq!(
            i.reason_en,
            "winner: total 80.00; tied for the last slot, higher round-2 score"
        );
        let k = ranking
            .entry(3)
            .ok_or(RankingError::DuplicateApplication(3))?;
        assert_eq!(k.rank, Some(3));
        assert_eq!(
            k.reason_en,
            "reserve, rank 3: total 80.00 = 75.00 + priority 5.00; tied for the last slot, lower round-2 score"
        );
        Ok(())
    }

    #[test]
    fn e3_ties_inside_the_quota_need_no_break() -> Result<(), RankingError> {
        // VN-11: with quota 3 all three win; I and K share rank 2 and no tie-break is cited.
        let ranking = rank(
            RuleSet::Vn2025,
            &position(3, Round2Form::Written),
            &e3_candidates(),
        )?;
        assert_eq!(ranking.status, RankingStatus::Final);
        assert_eq!(names(ranking.winners()), ["H", "I", "K"]);
        for id in [2, 3] {
            let entry = ranking
                .entry(id)
                .ok_or(RankingError::DuplicateApplication(id))?;
            assert_eq!(entry.rank, Some(2));
            assert!(!entry.reason_en.contains("tied"), "{}", entry.reason_en);
        }
        Ok(())
    }

    fn e4_candidates() -> [Candidate; 2] {
        [
            sat(1, "M", dec!(77.00), dec!(2.5)),
            sat(2, "N", dec!(77.00), dec!(2.5)),
        ]
    }

    #[test]
    fn e4_equal_totals_and_raw_scores_wait_for_the_head() -> Result<(), RankingError> {
        // VN-11 (3): nothing separates M and N, so the vacancy waits; never a coin toss.
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &e4_candidates(),
        )?;
        assert_eq!(ranking.status, RankingStatus::PendingHeadDecision);
        assert_eq!(names(ranking.tied_pending()), ["M", "N"]);
        assert_eq!(ranking.winners().count(), 0);
        let m = ranking
            .entry(1)
            .ok_or(RankingError::DuplicateApplication(1))?;
        assert_eq!(m.rank, Some(1));
        assert_eq!(
            m.reason_en,
            "tied for the last slot (total 79.50 = 77.00 + priority 2.50): pending head decision"
        );
        assert_eq!(
            m.reason_vi,
            "bằng điểm ở chỉ tiêu cuối (tổng 79.50 = 77.00 + ưu tiên 2.50): chờ người đứng đầu cơ quan quyết định"
        );
        Ok(())
    }

    #[test]
    fn vn_11_a_recorded_head_decision_settles_the_tie() -> Result<(), RankingError> {
        let [m, mut n] = e4_candidates();
        n.head_decision = true;
        let ranking = rank(RuleSet::Vn2025, &position(1, Round2Form::Written), &[m, n])?;
        assert_eq!(ranking.status, RankingStatus::Final);
        assert_eq!(names(ranking.winners()), ["N"]);
        assert_eq!(names(ranking.reserves()), ["M"]);
        let n = ranking
            .entry(2)
            .ok_or(RankingError::DuplicateApplication(2))?;
        assert!(n.reason_en.ends_with("chosen by the head of the agency"));
        Ok(())
    }

    #[test]
    fn vn_11_a_decision_choosing_more_than_the_slots_left_keeps_the_tie_pending(
    ) -> Result<(), RankingError> {
        let [mut m, mut n] = e4_candidates();
        m.head_decision = true;
        n.head_decision = true;
        let ranking = rank(RuleSet::Vn2025, &position(1, Round2Form::Written), &[m, n])?;
        assert_eq!(ranking.status, RankingStatus::PendingHeadDecision);
        assert_eq!(ranking.tied_pending().count(), 2);
        Ok(())
    }

    #[test]
    fn vn_11_a_stale_head_decision_away_from_the_last_slot_changes_nothing(
    ) -> Result<(), RankingError> {
        let mut k = sat(3, "K", dec!(60.00), dec!(0));
        k.head_decision = true;
        let [h, i, _] = e3_candidates();
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[h, i, k],
        )?;
        assert_eq!(names(ranking.winners()), ["H"]);
        assert_eq!(names(ranking.reserves()), ["I", "K"]);
        Ok(())
    }

    #[test]
    fn e5_combined_form_compares_rounded_composites() -> Result<(), RankingError> {
        let candidates = [
            sat_both(1, "P", Some(dec!(80)), Some(dec!(60))),
            sat_both(2, "Q", Some(dec!(70)), Some(dec!(83.34))),
            sat_both(3, "R", Some(dec!(95)), Some(dec!(45))),
            sat_both(4, "S", Some(dec!(48)), Some(dec!(100))),
            sat_both(5, "T", Some(dec!(88)), None),
        ];
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::WrittenInterview),
            &candidates,
        )?;
        // VN-12: Q's 74.002 is 74.00 once rounded; unrounded it would wrongly beat P's 74.00.
        assert!(dec!(0.7) * dec!(70) + dec!(0.3) * dec!(83.34) > dec!(74.00));
        let p = ranking
            .entry(1)
            .ok_or(RankingError::DuplicateApplication(1))?;
        let q = ranking
            .entry(2)
            .ok_or(RankingError::DuplicateApplication(2))?;
        assert_eq!((p.total, q.total), (Some(dec!(74.00)), Some(dec!(74.00))));
        // VN-11 (2): equal totals and raw scores; written 80 > 70 decides.
        assert_eq!(names(ranking.winners()), ["P"]);
        assert_eq!(
            p.reason_en,
            "winner: total 74.00; tied for the last slot, higher written score"
        );
        assert_eq!(
            q.reason_vi,
            "dự bị, hạng 2: tổng 74.00; bằng tổng điểm ở chỉ tiêu cuối, điểm thi viết thấp hơn"
        );
        // VN-10: each part must reach 50 and both must be sat, whatever the composite.
        let reasons: Vec<(&str, &str)> = [3, 4, 5]
            .iter()
            .filter_map(|&id| ranking.entry(id))
            .map(|entry| {
                assert_eq!(entry.outcome, Outcome::Ineligible);
                (entry.reason_vi.as_str(), entry.reason_en.as_str())
            })
            .collect();
        assert_eq!(
            reasons,
            [
                (
                    "không đủ điều kiện: phỏng vấn 45.00 < 50",
                    "not eligible: interview 45.00 < 50"
                ),
                (
                    "không đủ điều kiện: viết 48.00 < 50",
                    "not eligible: written 48.00 < 50"
                ),
                (
                    "không đủ điều kiện: vắng phỏng vấn",
                    "not eligible: absent from the interview"
                ),
            ]
        );
        let r = ranking
            .entry(3)
            .ok_or(RankingError::DuplicateApplication(3))?;
        assert_eq!(r.raw_score, Some(dec!(80.00)));
        let t = ranking
            .entry(5)
            .ok_or(RankingError::DuplicateApplication(5))?;
        assert_eq!(t.raw_score, None);
        Ok(())
    }

    #[test]
    fn e8_shared_position_places_winners_by_preference() -> Result<(), RankingError> {
        // VN-13: U takes X; V finds X full and takes Y; W and Z rank below the quota of 2.
        let candidates = [
            prefer(sat(1, "U", dec!(85), dec!(0)), &["X", "Y"]),
            prefer(sat(2, "V", dec!(83), dec!(0)), &["X", "Y"]),
            prefer(sat(3, "W", dec!(81), dec!(0)), &["Y"]),
            prefer(sat(4, "Z", dec!(79), dec!(0)), &["X"]),
        ];
        let ranking = rank(RuleSet::Vn2025, &shared(&[("X", 1), ("Y", 1)]), &candidates)?;
        assert_eq!(ranking.status, RankingStatus::Final);
        assert_eq!(ranking.quota, 2);
        let placed: Vec<(&str, Option<&str>)> = ranking
            .winners()
            .map(|entry| (entry.full_name.as_str(), entry.agency.as_deref()))
            .collect();
        assert_eq!(placed, [("U", Some("X")), ("V", Some("Y"))]);
        assert_eq!(names(ranking.reserves()), ["W", "Z"]);
        assert!(ranking.reserves().all(|entry| entry.agency.is_none()));
        let v = ranking
            .entry(2)
            .ok_or(RankingError::DuplicateApplication(2))?;
        assert_eq!(v.reason_en, "winner, placed at Y: total 83.00");
        assert_eq!(v.reason_vi, "trúng tuyển vào Y: tổng 83.00");
        Ok(())
    }

    #[test]
    fn vn_13_a_contested_last_agency_slot_is_broken_by_vn_11() -> Result<(), RankingError> {
        // Both win the position (equal totals inside its quota of 2) but want X's single slot:
        // the higher raw score takes it, the other moves on to Y.
        let candidates = [
            prefer(sat(1, "U", dec!(80), dec!(5)), &["X", "Y"]),
            prefer(sat(2, "V", dec!(85), dec!(0)), &["X", "Y"]),
        ];
        let ranking = rank(RuleSet::Vn2025, &shared(&[("X", 1), ("Y", 1)]), &candidates)?;
        assert_eq!(ranking.status, RankingStatus::Final);
        let placed: Vec<(&str, Option<&str>)> = ranking
            .winners()
            .map(|entry| (entry.full_name.as_str(), entry.agency.as_deref()))
            .collect();
        assert_eq!(placed, [("V", Some("X")), ("U", Some("Y"))]);
        Ok(())
    }

    #[test]
    fn vn_13_an_unbreakable_contest_for_an_agency_slot_waits_for_the_head(
    ) -> Result<(), RankingError> {
        let candidates = [
            prefer(sat(1, "U", dec!(85), dec!(0)), &["X"]),
            prefer(sat(2, "V", dec!(85), dec!(0)), &["X"]),
        ];
        let ranking = rank(RuleSet::Vn2025, &shared(&[("X", 1), ("Y", 1)]), &candidates)?;
        assert_eq!(ranking.status, RankingStatus::PendingHeadDecision);
        assert_eq!(names(ranking.tied_pending()), ["U", "V"]);
        let u = ranking
            .entry(1)
            .ok_or(RankingError::DuplicateApplication(1))?;
        assert_eq!(
            u.reason_en,
            "tied for the last slot at X (total 85.00): pending head decision"
        );

        let [u, mut v] = candidates;
        v.head_decision = true;
        let ranking = rank(RuleSet::Vn2025, &shared(&[("X", 1), ("Y", 1)]), &[u, v])?;
        // V takes X by decision; U listed nothing else, so U now waits for a placement decision.
        assert_eq!(
            ranking.entry(2).and_then(|entry| entry.agency.as_deref()),
            Some("X")
        );
        assert_eq!(outcome(&ranking, 1), Some(Outcome::TiedPending));
        Ok(())
    }

    #[test]
    fn vn_13_a_winner_with_no_room_in_listed_agencies_waits_for_the_head(
    ) -> Result<(), RankingError> {
        // [U] V is within the position's quota, but X is taken and V listed only X; W, who
        // wanted Y, is below the quota and is not promoted over V's head.
        let candidates = [
            prefer(sat(1, "U", dec!(90), dec!(0)), &["X"]),
            prefer(sat(2, "V", dec!(85), dec!(0)), &["X"]),
            prefer(sat(3, "W", dec!(80), dec!(0)), &["Y"]),
        ];
        let ranking = rank(RuleSet::Vn2025, &shared(&[("X", 1), ("Y", 1)]), &candidates)?;
        assert_eq!(ranking.status, RankingStatus::PendingHeadDecision);
        assert_eq!(names(ranking.winners()), ["U"]);
        assert_eq!(names(ranking.tied_pending()), ["V"]);
        assert_eq!(names(ranking.reserves()), ["W"]);
        let v = ranking
            .entry(2)
            .ok_or(RankingError::DuplicateApplication(2))?;
        assert_eq!(
            v.reason_en,
            "within quota (total 85.00) but no listed agency has a free slot: pending head decision"
        );
        Ok(())
    }

    #[test]
    fn vn_13_no_listed_preference_means_any_agency_in_the_position_order(
    ) -> Result<(), RankingError> {
        let candidates = [
            prefer(sat(1, "U", dec!(90), dec!(0)), &["X"]),
            sat(2, "V", dec!(85), dec!(0)),
        ];
        let ranking = rank(RuleSet::Vn2025, &shared(&[("X", 1), ("Y", 1)]), &candidates)?;
        assert_eq!(
            ranking.entry(2).and_then(|entry| entry.agency.as_deref()),
            Some("Y")
        );
        Ok(())
    }

    #[test]
    fn vn_31_public_employees_break_a_last_slot_tie_on_the_round1_score() -> Result<(), RankingError>
    {
        // Under vn-2025, K's lower raw score would lose; under vn-vc-2020 round 1 decides.
        let mut i = sat(2, "I", dec!(80.00), dec!(0));
        i.round1_score = Some(dec!(41));
        let mut k = sat(3, "K", dec!(75.00), dec!(5));
        k.round1_score = Some(dec!(45));
        let ranking = rank(
            RuleSet::VnVc2020,
            &position(1, Round2Form::Written),
            &[i, k],
        )?;
        assert_eq!(names(ranking.winners()), ["K"]);
        let k = ranking
            .entry(3)
            .ok_or(RankingError::DuplicateApplication(3))?;
        assert!(
            k.reason_en.ends_with("higher round-1 score"),
            "{}",
            k.reason_en
        );
        Ok(())
    }

    #[test]
    fn vn_31_an_equal_or_missing_round1_score_leaves_the_tie_to_the_head(
    ) -> Result<(), RankingError> {
        let mut i = sat(2, "I", dec!(80.00), dec!(0));
        i.round1_score = Some(dec!(45));
        let k = sat(3, "K", dec!(75.00), dec!(5));
        let ranking = rank(
            RuleSet::VnVc2020,
            &position(1, Round2Form::Written),
            &[i.clone(), k.clone()],
        )?;
        assert_eq!(ranking.status, RankingStatus::PendingHeadDecision);
        let k = Candidate {
            round1_score: Some(dec!(45)),
            ..k
        };
        let ranking = rank(
            RuleSet::VnVc2020,
            &position(1, Round2Form::Written),
            &[i, k],
        )?;
        assert_eq!(ranking.status, RankingStatus::PendingHeadDecision);
        Ok(())
    }

    #[test]
    fn vn_14_reserves_between_equals_are_ordered_by_vn_11() -> Result<(), RankingError> {
        let candidates = [
            sat(1, "H", dec!(90.00), dec!(0)),
            sat(2, "K", dec!(75.00), dec!(5)),
            sat(3, "I", dec!(80.00), dec!(0)),
        ];
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &candidates,
        )?;
        assert_eq!(names(ranking.reserves()), ["I", "K"]);
        let ranks: Vec<Option<u32>> = ranking.reserves().map(|entry| entry.rank).collect();
        assert_eq!(ranks, [Some(2), Some(3)]);
        Ok(())
    }

    #[test]
    fn vn_14_striking_off_a_winner_promotes_the_next_reserve() -> Result<(), RankingError> {
        // A struck-off winner is left out and the position ranked again: the first reserve
        // takes the place.
        let quota_2 = position(2, Round2Form::Written);
        let [h, i, k] = e3_candidates();
        let ranking = rank(RuleSet::Vn2025, &quota_2, &[h, i.clone(), k.clone()])?;
        assert_eq!(names(ranking.winners()), ["H", "I"]);
        assert_eq!(names(ranking.reserves()), ["K"]);
        let ranking = rank(RuleSet::Vn2025, &quota_2, &[i, k])?;
        assert_eq!(names(ranking.winners()), ["I", "K"]);
        Ok(())
    }

    #[test]
    fn vn_10_a_grade_without_round_1_is_ranked_on_round_2_alone() -> Result<(), RankingError> {
        let principal = Candidate {
            round1_passed: None,
            ..sat(1, "A", dec!(60), dec!(0))
        };
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[principal],
        )?;
        assert_eq!(outcome(&ranking, 1), Some(Outcome::Winner));
        Ok(())
    }

    #[test]
    fn vn_10_an_absent_candidate_is_not_eligible() -> Result<(), RankingError> {
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::WrittenCbt),
            &[candidate(1, "A")],
        )?;
        let entry = ranking
            .entry(1)
            .ok_or(RankingError::DuplicateApplication(1))?;
        assert_eq!(entry.outcome, Outcome::Ineligible);
        assert_eq!(entry.reason_en, "not eligible: absent from round 2");
        assert_eq!(entry.reason_vi, "không đủ điều kiện: vắng thi vòng 2");
        Ok(())
    }

    #[test]
    fn vn_12_scores_are_shown_with_exactly_two_places() -> Result<(), RankingError> {
        let ranking = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[sat(1, "A", dec!(78), dec!(0))],
        )?;
        let entry = ranking
            .entry(1)
            .ok_or(RankingError::DuplicateApplication(1))?;
        assert_eq!(
            entry.raw_score.map(|raw| raw.to_string()).as_deref(),
            Some("78.00")
        );
        assert_eq!(
            entry.total.map(|raw| raw.to_string()).as_deref(),
            Some("78.00")
        );
        assert_eq!(entry.priority_points.to_string(), "0.00");
        Ok(())
    }

    #[test]
    fn inconsistent_input_is_refused_with_the_application_named() {
        let written = position(1, Round2Form::Written);
        assert_eq!(
            rank(
                RuleSet::Vn2025,
                &written,
                &[
                    sat(7, "A", dec!(60), dec!(0)),
                    sat(7, "B", dec!(61), dec!(0))
                ]
            ),
            Err(RankingError::DuplicateApplication(7))
        );
        assert_eq!(
            rank(
                RuleSet::Vn2025,
                &written,
                &[sat(7, "A", dec!(100.5), dec!(0))]
            ),
            Err(RankingError::Candidate {
                application_id: 7,
                field: "professional",
                source: Box::new(RankingError::MarkOutOfRange(dec!(100.5))),
            })
        );
        assert_eq!(
            rank(
                RuleSet::Vn2025,
                &written,
                &[sat_both(7, "A", Some(dec!(60)), None)]
            ),
            Err(RankingError::UnexpectedScore {
                application_id: 7,
                field: "written",
                form: Round2Form::Written,
            })
        );
        assert!(matches!(
            rank(
                RuleSet::Vn2025,
                &written,
                &[sat(7, "A", dec!(60), dec!(-1))]
            ),
            Err(RankingError::Candidate {
                field: "priority_points",
                ..
            })
        ));
        let two_agencies = shared(&[("X", 1), ("Y", 1)]);
        assert_eq!(
            rank(
                RuleSet::Vn2025,
                &two_agencies,
                &[prefer(sat(7, "A", dec!(60), dec!(0)), &["Q"])]
            ),
            Err(RankingError::UnknownAgency {
                application_id: 7,
                agency: "Q".to_owned(),
            })
        );
        let mismatch = Position {
            quota: 3,
            ..two_agencies
        };
        assert_eq!(
            rank(RuleSet::Vn2025, &mismatch, &[]),
            Err(RankingError::QuotaMismatch { quota: 3, sum: 2 })
        );
    }

    #[test]
    fn round2_form_codes_round_trip() -> Result<(), RankingError> {
        for form in Round2Form::ALL {
            assert_eq!(form.code().parse::<Round2Form>()?, form);
        }
        Ok(())
    }

    // ---- properties -------------------------------------------------------------------------

    const AGENCY_CODES: [&str; 3] = ["X", "Y", "Z"];

    /// Marks on a coarse grid (40, 45, …, 100), so that ties and sub-50 marks are common.
    fn mark() -> impl Strategy<Value = Decimal> {
        (0i64..=12).prop_map(|step| Decimal::new(4000 + 500 * step, 2))
    }

    fn maybe_mark() -> impl Strategy<Value = Option<Decimal>> {
        prop_oneof![1 => Just(None), 9 => mark().prop_map(Some)]
    }

    fn priority() -> impl Strategy<Value = Decimal> {
        prop::sample::select(vec![
            dec!(0),
            dec!(0),
            dec!(1.5),
            dec!(2.5),
            dec!(5),
            dec!(7.5),
        ])
    }

    fn arbitrary_candidate(form: Round2Form, agencies: usize) -> impl Strategy<Value = Candidate> {
        (
            maybe_mark(),
            maybe_mark(),
            priority(),
            prop::sample::select(vec![Some(true), Some(true), Some(true), None, Some(false)]),
            prop::collection::vec(0..agencies.max(1), 0..=agencies),
            prop::option::of(30i64..=40),
            prop::bool::weighted(0.25),
        )
            .prop_map(
                move |(first, second, priority, round1, preferences, round1_score, head)| {
                    let mut agency_preferences: Vec<String> = Vec::new();
                    for index in preferences {
                        let code = AGENCY_CODES
                            .get(index)
                            .filter(|_| agencies > 0)
                            .map(|code| (*code).to_owned());
                        if let Some(code) = code {
                            if !agency_preferences.contains(&code) {
                                agency_preferences.push(code);
                            }
                        }
                    }
                    let (written, interview, professional) = if form.is_combined() {
                        (first, second, None)
                    } else {
                        (None, None, first)
                    };
                    Candidate {
                        application_id: 0,
                        full_name: String::new(),
                        round1_passed: round1,
                        written,
                        interview,
                        professional,
                        priority_points: priority,
                        agency_preferences,
                        round1_score: round1_score.map(Decimal::from),
                        head_decision: head,
                        struck_off: None,
                    }
                },
            )
    }

    /// A rule set, a position (shared by up to 3 agencies or not) and up to 12 candidates.
    fn scenario(max_agencies: usize) -> impl Strategy<Value = (RuleSet, Position, Vec<Candidate>)> {
        (
            prop::sample::select(RuleSet::ALL.to_vec()),
            prop::sample::select(Round2Form::ALL.to_vec()),
            0..=max_agencies,
            prop::collection::vec(0u32..=2, 3),
            0u32..=4,
        )
            .prop_flat_map(|(rule_set, form, agencies, agency_quotas, plain_quota)| {
                let agencies: Vec<AgencyQuota> = AGENCY_CODES
                    .iter()
                    .zip(agency_quotas)
                    .take(agencies)
                    .map(|(code, quota)| AgencyQuota {
                        code: (*code).to_owned(),
                        quota,
                    })
                    .collect();
                let quota = if agencies.is_empty() {
                    plain_quota
                } else {
                    agencies.iter().map(|agency| agency.quota).sum()
                };
                let count = agencies.len();
                (
                    Just(rule_set),
                    Just(Position {
                        quota,
                        agencies,
                        round2_form: form,
                    }),
                    prop::collection::vec(arbitrary_candidate(form, count), 0..=12),
                )
            })
            .prop_map(|(rule_set, position, mut candidates)| {
                for (index, candidate) in candidates.iter_mut().enumerate() {
                    let id = i64::try_from(index).unwrap_or(i64::MAX);
                    candidate.application_id = 100 + 7 * id;
                    candidate.full_name = format!("#{}", candidate.application_id);
                }
                (rule_set, position, candidates)
            })
    }

    /// VN-10 read straight from the input: the gate a winner must pass.
    fn passes_gate(form: Round2Form, candidate: &Candidate) -> bool {
        let at_least_50 = |mark: Option<Decimal>| mark.is_some_and(|mark| mark >= PASS_MARK);
        candidate.round1_passed != Some(false)
            && if form.is_combined() {
                at_least_50(candidate.written) && at_least_50(candidate.interview)
            } else {
                at_least_50(candidate.professional)
            }
    }

    fn holds_a_slot(entry: &RankingEntry) -> bool {
        matches!(entry.outcome, Outcome::Winner | Outcome::TiedPending)
    }

    proptest! {
        // About half the scenarios leave the quota unfilled, which the "strictly below the
        // last winner" property has to skip.
        #![proptest_config(ProptestConfig {
            cases: 256,
            max_global_rejects: 4096,
            ..ProptestConfig::default()
        })]

        #[test]
        fn the_ranking_does_not_depend_on_input_order(
            (rule_set, position, candidates, shuffled) in scenario(3).prop_flat_map(
                |(rule_set, position, candidates)| {
                    let shuffled = Just(candidates.clone()).prop_shuffle();
                    (Just(rule_set), Just(position), Just(candidates), shuffled)
                }
            )
        ) {
            let original = rank(rule_set, &position, &candidates);
            let reordered = rank(rule_set, &position, &shuffled);
            prop_assert_eq!(original, reordered);
        }

        #[test]
        fn a_candidate_strictly_below_the_last_winner_changes_no_winner(
            (rule_set, position, candidates) in scenario(3),
            gap in 1i64..=1000,
        ) {
            let before = rank(rule_set, &position, &candidates).expect("valid scenario");
            let ranked = before.entries.iter().filter(|entry| entry.rank.is_some()).count();
            prop_assume!(position.quota > 0 && ranked >= count_usize(position.quota));
            let lowest = before
                .entries
                .iter()
                .filter(|entry| holds_a_slot(entry))
                .filter_map(|entry| entry.total)
                .min()
                .expect("a full quota has winners or pending candidates");
            let score = lowest - Decimal::new(gap, 2);
            prop_assume!(score >= PASS_MARK && score <= dec!(100));

            let mut newcomer = candidate(1, "newcomer");
            if position.round2_form.is_combined() {
                // 0.7 × s + 0.3 × s = s exactly.
                newcomer.written = Some(score);
                newcomer.interview = Some(score);
            } else {
                newcomer.professional = Some(score);
            }
            let mut more = candidates.clone();
            more.push(newcomer);
            let after = rank(rule_set, &position, &more).expect("valid scenario");

            let slots = |ranking: &Ranking| -> Vec<(i64, Outcome, Option<String>, Option<u32>)> {
                ranking
                    .entries
                    .iter()
                    .filter(|entry| holds_a_slot(entry))
                    .map(|entry| (entry.application_id, entry.outcome, entry.agency.clone(), entry.rank))
                    .collect()
            };
            prop_assert_eq!(slots(&before), slots(&after));
            prop_assert_eq!(before.status, after.status);
        }

        #[test]
        fn priority_points_never_make_an_ineligible_candidate_a_winner(
            (rule_set, position, candidates) in scenario(3),
        ) {
            let ranking = rank(rule_set, &position, &candidates).expect("valid scenario");
            for entry in &ranking.entries {
                let input = candidates
                    .iter()
                    .find(|c| c.application_id == entry.application_id)
                    .expect("every entry comes from a candidate");
                let ranked = matches!(
                    entry.outcome,
                    Outcome::Winner | Outcome::TiedPending | Outcome::Reserve
                );
                prop_assert_eq!(ranked, passes_gate(position.round2_form, input));
            }
            // The most priority there is still rescues nobody, and moves no winner.
            let boosted: Vec<Candidate> = candidates
                .iter()
                .map(|c| {
                    let mut c = c.clone();
                    if !passes_gate(position.round2_form, &c) {
                        c.priority_points = dec!(7.5);
                    }
                    c
                })
                .collect();
            let after = rank(rule_set, &position, &boosted).expect("valid scenario");
            let outcomes = |r: &Ranking| -> Vec<(i64, Outcome, Option<String>)> {
                r.entries.iter().map(|e| (e.application_id, e.outcome, e.agency.clone())).collect()
            };
            prop_assert_eq!(outcomes(&ranking), outcomes(&after));
        }

        #[test]
        fn vn_14_striking_off_a_winner_promotes_only_eligible_reserves_within_the_quota(
            (rule_set, position, candidates) in scenario(3),
        ) {
            let before = rank(rule_set, &position, &candidates).expect("valid scenario");
            let first = before.winners().next().map(|entry| entry.application_id);
            prop_assume!(first.is_some());
            let struck: Vec<Candidate> = candidates
                .iter()
                .map(|c| {
                    let mut c = c.clone();
                    if Some(c.application_id) == first {
                        c.struck_off = Some(StrikeCause::Declined);
                    }
                    c
                })
                .collect();
            let after = rank(rule_set, &position, &struck).expect("valid scenario");
            prop_assert!(after.winners().count() <= count_usize(position.quota));
            for entry in &after.entries {
                let input = struck
                    .iter()
                    .find(|c| c.application_id == entry.application_id)
                    .expect("every entry comes from a candidate");
                if Some(entry.application_id) == first {
                    prop_assert_eq!(entry.outcome, Outcome::StruckOff);
                    prop_assert_eq!(entry.rank, None);
                } else if entry.outcome == Outcome::Winner {
                    prop_assert!(passes_gate(position.round2_form, input));
                }
            }
            // Everyone is still listed, once.
            prop_assert_eq!(after.entries.len(), candidates.len());
        }

        #[test]
        fn winners_never_exceed_the_quota_of_the_position_or_of_an_agency(
            (rule_set, position, candidates) in scenario(3),
        ) {
            let ranking = rank(rule_set, &position, &candidates).expect("valid scenario");
            prop_assert!(ranking.winners().count() <= count_usize(position.quota));
            for agency in &position.agencies {
                let placed = ranking
                    .winners()
                    .filter(|entry| entry.agency.as_deref() == Some(agency.code.as_str()))
                    .count();
                prop_assert!(placed <= count_usize(agency.quota));
            }
        }

        #[test]
        fn only_a_tie_at_the_last_slot_leaves_the_ranking_pending(
            (rule_set, position, candidates) in scenario(0),
        ) {
            let candidates: Vec<Candidate> = candidates
                .into_iter()
                .map(|c| Candidate { head_decision: false, ..c })
                .collect();
            let ranking = rank(rule_set, &position, &candidates).expect("valid scenario");
            let mut totals: Vec<Decimal> =
                ranking.entries.iter().filter_map(|entry| entry.total).collect();
            totals.sort_by(|a, b| b.cmp(a));
            let quota = count_usize(position.quota);
            let last_slot = quota.checked_sub(1).and_then(|index| totals.get(index));
            let tie_at_last_slot = last_slot.is_some() && last_slot == totals.get(quota);
            if !tie_at_last_slot {
                prop_assert_eq!(ranking.status, RankingStatus::Final);
            }
            if ranking.status == RankingStatus::PendingHeadDecision {
                let winners = ranking.winners().count();
                let pending = ranking.tied_pending().count();
                prop_assert!(winners < quota && winners + pending > quota);
                for entry in ranking.tied_pending() {
                    prop_assert_eq!(entry.total.as_ref(), last_slot);
                }
            }
        }
    }

    fn struck(mut candidate: Candidate, cause: StrikeCause) -> Candidate {
        candidate.struck_off = Some(cause);
        candidate
    }

    fn e1_with_struck(struck_ids: &[(i64, StrikeCause)]) -> Vec<Candidate> {
        let failed_round1 = Candidate {
            round1_passed: Some(false),
            ..candidate(5, "E")
        };
        [
            sat(1, "A", dec!(78.00), dec!(0)),
            sat(2, "B", dec!(72.00), dec!(7.5)),
            sat(3, "C", dec!(49.50), dec!(7.5)),
            sat(4, "D", dec!(75.00), dec!(2.5)),
            failed_round1,
            sat(6, "F", dec!(76.00), dec!(0)),
        ]
        .into_iter()
        .map(
            |c| match struck_ids.iter().find(|(id, _)| *id == c.application_id) {
                Some((_, cause)) => struck(c, *cause),
                None => c,
            },
        )
        .collect()
    }

    #[test]
    fn vn_14_a_struck_off_winner_is_replaced_by_the_next_on_the_reserve_list(
    ) -> Result<(), RankingError> {
        // E1: winners B, A; replacement order D, F. B declines: D takes the place.
        let candidates = e1_with_struck(&[(2, StrikeCause::Declined)]);
        let ranking = rank(
            RuleSet::Vn2025,
            &position(2, Round2Form::Written),
            &candidates,
        )?;
        assert_eq!(ranking.status, RankingStatus::Final);
        assert_eq!(names(ranking.winners()), ["A", "D"]);
        assert_eq!(names(ranking.reserves()), ["F"]);
        let order: Vec<&str> = names(ranking.entries.iter());
        assert_eq!(order, ["A", "D", "F", "B", "C", "E"]);

        let b = ranking
            .entry(2)
            .ok_or(RankingError::DuplicateApplication(2))?;
        assert_eq!(b.outcome, Outcome::StruckOff);
        assert_eq!((b.rank, b.total), (None, Some(dec!(79.50))));
        assert_eq!(
            b.reason_en,
            "struck off the winners: declined the post (total 79.50)"
        );
        assert_eq!(
            b.reason_vi,
            "bị loại khỏi danh sách trúng tuyển: từ chối tuyển dụng (tổng 79.50)"
        );
        let d = ranking
            .entry(4)
            .ok_or(RankingError::DuplicateApplication(4))?;
        assert_eq!(
            d.reason_en,
            "winner from the reserve list in place of a struck-off winner (winner: total 77.50 = 75.00 + priority 2.50)"
        );
        assert_eq!(
            d.reason_vi,
            "trúng tuyển bổ sung theo danh sách dự bị, thay người bị loại (trúng tuyển: tổng 77.50 = 75.00 + ưu tiên 2.50)"
        );
        // A won before and still wins: nothing to explain.
        let a = ranking
            .entry(1)
            .ok_or(RankingError::DuplicateApplication(1))?;
        assert_eq!(a.reason_en, "winner: total 78.00");
        Ok(())
    }

    #[test]
    fn vn_14_an_ineligible_candidate_is_never_promoted_however_many_drop_out(
    ) -> Result<(), RankingError> {
        let candidates = e1_with_struck(&[
            (1, StrikeCause::NoDossier),
            (2, StrikeCause::Declined),
            (4, StrikeCause::Fraud),
        ]);
        let ranking = rank(
            RuleSet::Vn2025,
            &position(2, Round2Form::Written),
            &candidates,
        )?;
        // Only F is left eligible: one place stays empty rather than go to C (raw 49.50).
        assert_eq!(names(ranking.winners()), ["F"]);
        assert_eq!(outcome(&ranking, 3), Some(Outcome::Ineligible));
        assert_eq!(outcome(&ranking, 5), Some(Outcome::FailedRound1));
        let struck: Vec<i64> = ranking
            .entries
            .iter()
            .filter(|e| e.outcome == Outcome::StruckOff)
            .map(|e| e.application_id)
            .collect();
        assert_eq!(struck, [2, 1, 4], "struck off in the order of their totals");
        Ok(())
    }

    #[test]
    fn vn_14_reserves_tied_for_the_freed_place_are_split_by_vn_11_then_the_head(
    ) -> Result<(), RankingError> {
        // Quota 1. W won; X and Y tie at 80.00 on the reserve list.
        let x = sat(2, "X", dec!(75.00), dec!(5));
        let y = sat(3, "Y", dec!(80.00), dec!(0));
        let w = sat(1, "W", dec!(90.00), dec!(0));
        let before = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[w.clone(), x.clone(), y.clone()],
        )?;
        assert_eq!(names(before.winners()), ["W"]);
        // W declines: the tie for the freed place goes to the higher raw score (VN-11 (1)).
        let after = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[struck(w.clone(), StrikeCause::Declined), x, y],
        )?;
        assert_eq!(names(after.winners()), ["Y"]);
        let y = after
            .entry(3)
            .ok_or(RankingError::DuplicateApplication(3))?;
        assert!(
            y.reason_en.starts_with("winner from the reserve list"),
            "{}",
            y.reason_en
        );
        assert!(
            y.reason_en.contains("higher round-2 score"),
            "{}",
            y.reason_en
        );

        // Equal raw scores too: the freed place waits for the head, never chance.
        let m = sat(2, "M", dec!(77.00), dec!(2.5));
        let n = sat(3, "N", dec!(77.00), dec!(2.5));
        let pending = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[
                struck(w.clone(), StrikeCause::Declined),
                m.clone(),
                n.clone(),
            ],
        )?;
        assert_eq!(pending.status, RankingStatus::PendingHeadDecision);
        assert_eq!(names(pending.tied_pending()), ["M", "N"]);
        let decided = rank(
            RuleSet::Vn2025,
            &position(1, Round2Form::Written),
            &[
                struck(w, StrikeCause::Declined),
                Candidate {
                    head_decision: true,
                    ..n
                },
                m,
            ],
        )?;
        assert_eq!(names(decided.winners()), ["N"]);
        Ok(())
    }

    #[test]
    fn vn_14_on_a_shared_position_the_freed_agency_slot_goes_to_the_reserve_list(
    ) -> Result<(), RankingError> {
        // E8: U → X, V → Y; W [Y] and Z [X] not placed. U declines: Z is the first reserve
        // who listed X... and W is ranked above Z but wants only Y, which V holds.
        let candidates = [
            struck(
                prefer(sat(1, "U", dec!(85), dec!(0)), &["X", "Y"]),
                StrikeCause::Declined,
            ),
            prefer(sat(2, "V", dec!(83), dec!(0)), &["X", "Y"]),
            prefer(sat(3, "W", dec!(81), dec!(0)), &["Y"]),
            prefer(sat(4, "Z", dec!(79), dec!(0)), &["X"]),
        ];
        let ranking = rank(RuleSet::Vn2025, &shared(&[("X", 1), ("Y", 1)]), &candidates)?;
        assert_eq!(outcome(&ranking, 1), Some(Outcome::StruckOff));
        let placed: Vec<(&str, Option<&str>)> = ranking
            .winners()
            .map(|entry| (entry.full_name.as_str(), entry.agency.as_deref()))
            .collect();
        // V moves up to its first choice X, and W, next in rank, takes the slot at Y.
        assert_eq!(placed, [("V", Some("X")), ("W", Some("Y"))]);
        assert_eq!(names(ranking.reserves()), ["Z"]);
        Ok(())
    }

    #[test]
    fn vn_14_the_result_does_not_depend_on_input_order_with_strike_offs() -> Result<(), RankingError>
    {
        let mut candidates = e1_with_struck(&[(2, StrikeCause::Declined)]);
        let forward = rank(
            RuleSet::Vn2025,
            &position(2, Round2Form::Written),
            &candidates,
        )?;
        candidates.reverse();
        let backward = rank(
            RuleSet::Vn2025,
            &position(2, Round2Form::Written),
            &candidates,
        )?;
        assert_eq!(forward, backward);
        Ok(())
    }

    fn count_usize(quota: u32) -> usize {
        usize::try_from(quota).unwrap_or(usize::MAX)
    }
}
