//! Sitting the exam, and supervising it.
//!
//! - [`login`]: the candidate signs in with ticket and session code (VN-21), in time (VN-22);
//! - [`view`]: the paper without its key, the answers saved so far, the result once graded;
//! - [`save`]: answers, guarded by per-question sequence numbers;
//! - [`finish`]: handing in with an immediate result (VN-18) and closing at the deadline
//!   (VN-17), both graded by [`grade`];
//! - [`supervise`] and [`incidents`]: the session console: roster, session code, extensions,
//!   late admissions, re-sittings (VN-23), sanctions (VN-25), the minutes.
//!
//! A sitting's status comes from the server clock ([`crate::rules::sitting::phase`]): before
//! the scheduled start it is `waiting`, then `open` until `ends_at` (the clock runs whether or
//! not the candidate has signed in), then `closed`; `submitted` once the candidate hands in.
//!
//! The live path carries thousands of candidates at once: answer saves, logins and hand-ins
//! are each committed in batches by a group-commit writer ([`crate::write_queue`]); what each
//! writer decides and writes is in its module, and [`Writers`] holds their queues.

pub mod dto;
pub mod finish;
pub mod grade;
pub mod incidents;
pub mod login;
pub mod papers;
pub mod save;
pub mod supervise;
pub mod view;

use sea_orm::ConnectionTrait;

use crate::entities::{exams, sessions, sittings};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::write_queue::WriteQueue;

/// VN-22, under the name `services::seating` calls it by.
pub use crate::rules::sitting::late_limit;

/// The sitting path's group-commit queues, and the paper shapes the answer writer checks
/// saves against.
#[derive(Default)]
pub struct Writers {
    saves: WriteQueue<save::AnswerWriter>,
    logins: WriteQueue<login::LoginWriter>,
    hand_ins: WriteQueue<finish::HandIns>,
    pub(crate) security_log: WriteQueue<crate::services::sign_in::log::LogWriter>,
    pub shapes: save::PaperShapes,
}

impl Writers {
    /// Saves, logins and hand-ins accepted but not yet committed and answered.
    pub fn unfinished(&self) -> usize {
        self.saves.unfinished() + self.logins.unfinished() + self.hand_ins.unfinished()
    }

    /// Waits until every accepted job is committed and answered, at most `limit`; whether the
    /// queues are empty at the end. Called at shutdown, after the listener stopped accepting.
    pub async fn drain(&self, limit: std::time::Duration) -> bool {
        let until = tokio::time::Instant::now() + limit;
        while self.unfinished() > 0 {
            if tokio::time::Instant::now() >= until {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        true
    }
}

/// The session a sitting belongs to (a sitting cannot exist without one).
async fn session_of<C: ConnectionTrait>(
    conn: &C,
    sitting: &sittings::Model,
) -> AppResult<sessions::Model> {
    repo::exam::find_session(conn, sitting.session_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("sitting {} has no session", sitting.id)))
}

/// The exam a session belongs to.
async fn exam_of<C: ConnectionTrait>(
    conn: &C,
    session: &sessions::Model,
) -> AppResult<exams::Model> {
    repo::exam::find_exam(conn, session.exam_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("session {} has no exam", session.id)))
}

/// A supervisor's decision states its reason: it is kept in the audit log.
pub(crate) fn require_reason(reason: &str) -> AppResult<()> {
    if reason.trim().chars().count() < 3 {
        return Err(AppError::field(
            "reason",
            "a reason is required (it is kept in the audit log)",
        ));
    }
    Ok(())
}
