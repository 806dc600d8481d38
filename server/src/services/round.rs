//! Recruitment rounds for HR, along their seams:
//! - `rounds`: the round and its rule set (VN-0), the one-application rule (VN-16) and its
//!   dates;
//! - `positions`: positions with the quotas of the agencies sharing them (VN-13);
//! - `check`, `applications` and `bulk_import`: applications (Form 01) checked the same
//!   way one by one or from a file, with their priority points (VN-7 to VN-9), eligibility
//!   and unproven claims;
//! - `dashboard` and `deadlines`: the round's figures and the deadlines of VN-30.
//!
//! Every change is audited in the transaction that makes it, through `audit::Audited`.

mod applications;
mod bulk_import;
mod check;
mod dashboard;
pub mod deadlines;
mod fraud_bar;
pub mod import;
mod positions;
mod rounds;

pub use applications::{
    create_application, decide_eligibility, get_application, list_applications,
    mark_claim_unproven, ApplicationList, ApplicationQuery, ApplicationView, EligibilityDecision,
    UnprovenClaim,
};
pub use bulk_import::{import_applications, ImportPreviewRow, ImportReport};
pub use check::NewApplication;
pub use dashboard::{dashboard, Dashboard, PositionStats};
pub use positions::{
    create_position, list_positions, AgencyView, Grade, NewAgency, NewPosition, PositionList,
    PositionView,
};
pub use rounds::{
    create_round, get_round, list_rounds, switch_rule_set_when_due, update_round, NewRound,
    RoundList, RoundPatch, RoundView,
};
