//! The one error type of the ranking rules: every way the inputs to scoring can be wrong.

use rust_decimal::Decimal;

use crate::rules::marks::MarkComponent;
use crate::rules::rank::Round2Form;

/// Why a scoring or ranking input was refused. Nothing is computed from refused input, so a
/// caller can report the error and change nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RankingError {
    #[error("unknown rule set `{0}` (expected vn-2025, vn-2025-pre300, vn-2020 or vn-vc-2020)")]
    UnknownRuleSet(String),

    #[error("unknown cause `{0}` (expected declined, no_dossier, fraud or invalid_documents)")]
    UnknownStrikeCause(String),

    #[error("a review takes the marks of 2 reviewers, or 3 once the first two differ; got {0}")]
    WrongReviewCount(usize),

    #[error("the two reviewers agree: no third reviewer is needed")]
    ThirdReviewerNotNeeded,

    #[error("unknown priority group `{0}`")]
    UnknownPriorityGroup(String),

    #[error("unknown round-2 form `{0}` (expected written, written_cbt or written_interview)")]
    UnknownRound2Form(String),

    #[error(
        "unknown mark component `{0}` (expected written, interview, oral, practical or project)"
    )]
    UnknownMarkComponent(String),

    #[error("mark {0} is outside 0..=100")]
    MarkOutOfRange(Decimal),

    #[error("mark {0} has more than 2 decimal places")]
    MarkTooPrecise(Decimal),

    #[error("a {component} mark needs {expected} marks, got {got}")]
    WrongMarkCount {
        component: MarkComponent,
        expected: &'static str,
        got: usize,
    },

    #[error("a panel needs at least 2 marks, got {0}")]
    PanelTooSmall(usize),

    #[error("priority points {0} must be non-negative with at most 2 decimal places")]
    InvalidPriorityPoints(Decimal),

    #[error("position quota {quota} differs from the sum {sum} of its agencies' quotas")]
    QuotaMismatch { quota: u32, sum: u32 },

    #[error("agency `{0}` is listed twice in the position")]
    DuplicateAgency(String),

    #[error("application {0} is listed twice")]
    DuplicateApplication(i64),

    #[error("application {application_id} prefers agency `{agency}`, which does not share this position")]
    UnknownAgency { application_id: i64, agency: String },

    #[error(
        "application {application_id} has a {field} score, which the {form} form does not use"
    )]
    UnexpectedScore {
        application_id: i64,
        field: &'static str,
        form: Round2Form,
    },

    #[error("application {application_id}, {field}: {source}")]
    Candidate {
        application_id: i64,
        field: &'static str,
        #[source]
        source: Box<RankingError>,
    },
}
