//! Use cases. Each takes the state and plain inputs, enforces the rules (calling the pure
//! domain in `question_bank` and `rules`), writes through `repo`, and audits.

pub mod auth;
pub mod bank;
pub mod calendar;
pub mod disclosure;
pub mod exam;
pub mod fields;
pub mod grading;
pub mod lookup;
pub mod paging;
pub mod reports;
pub mod results;
pub mod reviews;
pub mod round;
pub mod seating;
pub mod sign_in;
pub mod sitting;
pub mod users;
pub mod voiding;
