//! The recruitment rules as pure functions over plain data: rule sets (VN-0), one sitting of a
//! computer-based test (VN-6, VN-17, VN-22, VN-23, VN-25), marks and their official rounding
//! (VN-1, VN-12, VN-26, VN-28), priority points (VN-7 to VN-9) and the winners of a position
//! (VN-10 to VN-14, VN-31). Marking a test (VN-1, VN-6, VN-24, VN-25) is
//! `question_bank::scoring`'s.
//!
//! Nothing here touches the database, the clock or randomness: services load the data, call
//! these functions and store what they return, so every rule is tested with the worked examples
//! alone. All scores are `rust_decimal` values with 2 decimal places; no float is involved,
//! and [`two_places`] is the one way a score is written.
//!
//! What the rules say about a case is data too (`rank::Reason`, `marks::HeadReason`): the
//! figures and the rule that decided it, written in Vietnamese or English ([`Lang`]) by one
//! `render` each, so the two languages cannot drift apart.

pub mod calendar;
pub mod error;
pub mod fraud_bar;
pub mod lang;
pub mod marks;
pub mod priority;
pub mod rank;
pub mod rule_set;
pub mod sign_in;
pub mod sitting;

pub use error::RankingError;
pub use lang::Lang;
pub use marks::{
    combined_composite, double_marking, official_mark, panel_average, review_outcome, round2,
    two_places, validate_mark, HeadReason, MarkComponent, MarkOutcome, ReviewOutcome,
    REVIEW_CONFERENCE_FROM,
};
pub use priority::{
    priority_award, priority_date, priority_points, PriorityAward, PriorityGroup,
    DEFENCE_WORKER_FROM,
};
pub use rank::{
    rank, AgencyQuota, Candidate, Criterion, Gap, Outcome, Position, Ranking, RankingEntry,
    RankingStatus, Reason, Round2Form, Score, Shortfall, StrikeCause, TieBreak, PASS_MARK,
};
pub use rule_set::{RuleSet, DECREE_300_FROM, PRE300_UNTIL};
pub use sitting::LanguageExemption;
