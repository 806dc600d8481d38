//! Finishing sittings: the candidate hands in and sees the result at once (VN-18), or the
//! server's clock closes the sitting at its end whether or not a page is open (VN-17).
//!
//! Hand-ins are queued and finished in batches by [`HandIns`], which the deadline closer uses
//! too: each sitting of a batch is re-read and locked, graded if it is to be finished now (on
//! every core, off the async workers), updated, and its audit entry chained in memory; one
//! commit for all.

use chrono::{DateTime, Utc};
use question_bank::blueprint::Blueprint;
use question_bank::paper::Paper;
use question_bank::scoring::ExamMarking;
use sea_orm::DatabaseTransaction;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::dto::SubmitResult;
use super::grade::{exam_marking, grade_loaded, Graded};
use super::papers::papers_of;
use crate::audit::{Action, Audited};
use crate::auth::extract::CandidateLogin;
use crate::entities::{answers, sessions, sittings};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::sitting::FinishRow;
use crate::rules::sitting::{finishing, phase, Finishing, SittingStatus};
use crate::services::exam::blueprint_of;
use crate::state::AppState;
use crate::write_queue::BatchWriter;

/// Hands in the sitting: queued and committed together with concurrent hand-ins; the result
/// is returned at once (VN-18).
#[tracing::instrument(level = "debug", skip_all, fields(sitting_id = who.sitting_id))]
pub async fn submit(state: &AppState, who: &CandidateLogin) -> AppResult<SubmitResult> {
    let request = FinishRequest {
        sitting_id: who.sitting_id,
        by: FinishBy::Candidate {
            login: who.login.clone(),
            ticket_no: who.ticket_no.clone(),
        },
    };
    let capacity = state.config.write_queue;
    let sitting = state
        .writes
        .hand_ins
        .queue_and_wait(capacity, || state.clone(), request)
        .await?;
    SubmitResult::stored_in(&sitting)
}

/// Closes every sitting whose time is up, whether or not a page is open (VN-17), in batches.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn close_due(state: &AppState) -> AppResult<usize> {
    let due = repo::sitting::due_for_closing(&state.db, state.now()).await?;
    for chunk in due.chunks(HandIns::MAX_BATCH) {
        let requests: Vec<FinishRequest> =
            chunk.iter().map(|s| FinishRequest::clock(s.id)).collect();
        for outcome in HandIns::write(state, &requests).await? {
            outcome?;
        }
    }
    Ok(due.len())
}

/// Closes one sitting whose time is up (a page found it so before the closer did).
pub(super) async fn close(
    state: &AppState,
    sitting: sittings::Model,
) -> AppResult<sittings::Model> {
    HandIns::write(state, &[FinishRequest::clock(sitting.id)])
        .await?
        .pop()
        .unwrap_or_else(|| Err(AppError::internal("no outcome")))
}

/// A request to finish one sitting.
pub(super) struct FinishRequest {
    sitting_id: i32,
    by: FinishBy,
}

impl FinishRequest {
    fn clock(sitting_id: i32) -> Self {
        FinishRequest {
            sitting_id,
            by: FinishBy::Clock,
        }
    }
}

/// Who asks for a sitting to be finished.
enum FinishBy {
    /// The candidate hands in (`POST /sitting/submit`): their login must still be live.
    Candidate { login: String, ticket_no: String },
    /// The server's clock: closes the sitting if its time is up and nobody has (VN-17).
    Clock,
}

/// Finishes batches of sittings (group commit of hand-ins and closings).
pub(super) struct HandIns;

impl BatchWriter for HandIns {
    type Job = FinishRequest;
    type Done = sittings::Model;
    type Context = AppState;
    const WHAT: &'static str = "submissions";
    const MAX_BATCH: usize = 256;

    /// Finishes a batch in one write transaction. Each request gets the sitting as it stands
    /// after the batch, or its own refusal; `Err` only when the database fails (nothing is
    /// finished).
    async fn write(
        state: &AppState,
        requests: &[FinishRequest],
    ) -> AppResult<Vec<AppResult<sittings::Model>>> {
        let w = Audited::begin_in_turn(state).await?;
        let now = w.now();
        let mut batch = Batch::read(w.txn(), requests).await?;
        // Every request is decided first; the sittings to finish are then graded all at once,
        // so the write lock is held for as short a time as possible.
        let (slots, finishing) = batch.decide(requests, now);
        let finishing = Arc::new(finishing);
        let graded = grade_all(state, w.txn(), &finishing, batch.exams).await?;
        let finished = store(&w, &finishing, graded, now).await?;
        w.commit().await?;
        Ok(answer(slots, &finishing, finished))
    }
}

/// What a batch reads inside its transaction: the sittings (locked) with their sessions,
/// exams, answers and papers.
struct Batch {
    sittings: HashMap<i32, sittings::Model>,
    sessions: HashMap<i32, sessions::Model>,
    /// Per exam, its blueprint and marking terms.
    exams: HashMap<i32, (Blueprint, ExamMarking)>,
    /// Per sitting, its answers in question order.
    answers: HashMap<i32, Vec<answers::Model>>,
    papers: HashMap<i32, AppResult<Paper>>,
}

impl Batch {
    async fn read(txn: &DatabaseTransaction, requests: &[FinishRequest]) -> AppResult<Batch> {
        let mut ids: Vec<i32> = requests.iter().map(|r| r.sitting_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let sittings = repo::sitting::batch::lock_sittings(txn, ids.clone()).await?;
        let session_ids: Vec<i32> = sittings.values().map(|s| s.session_id).collect();
        let sessions = repo::exam::sessions_by_id(txn, session_ids).await?;
        let exam_ids: Vec<i32> = sessions.values().map(|s| s.exam_id).collect();
        let mut exams = HashMap::new();
        for exam in repo::exam::exams_by_id(txn, exam_ids).await? {
            let marking = exam_marking(txn, exam.id).await?;
            exams.insert(exam.id, (blueprint_of(&exam)?, marking));
        }
        let mut answers: HashMap<i32, Vec<answers::Model>> = HashMap::new();
        for chunk in ids.chunks(500) {
            for a in repo::sitting::answers_of_many(txn, chunk.to_vec()).await? {
                answers.entry(a.sitting_id).or_default().push(a);
            }
        }
        for list in answers.values_mut() {
            list.sort_by_key(|a| a.item_no);
        }
        let papers = papers_of(txn, sittings.values()).await?;
        Ok(Batch {
            sittings,
            sessions,
            exams,
            answers,
            papers,
        })
    }

    /// Decides each request: its outcome now, or the sitting it finishes (asked twice in one
    /// batch, the second sees it finished by the first).
    fn decide(
        &mut self,
        requests: &[FinishRequest],
        now: DateTime<Utc>,
    ) -> (Vec<Slot>, Vec<ToFinish>) {
        let mut slots = Vec::with_capacity(requests.len());
        let mut finishing: Vec<ToFinish> = Vec::new();
        let mut index: HashMap<i32, usize> = HashMap::new();
        for request in requests {
            if let Some(&k) = index.get(&request.sitting_id) {
                if self.login_is_live(request) {
                    slots.push(Slot::Finish(k));
                    continue;
                }
            }
            let slot = match self.decide_one(request, now) {
                Ok(Some(f)) => {
                    index.insert(request.sitting_id, finishing.len());
                    finishing.push(f);
                    Slot::Finish(finishing.len() - 1)
                }
                Ok(None) => Slot::Done(Box::new(self.unchanged(request.sitting_id))),
                Err(e) => Slot::Done(Box::new(Err(e))),
            };
            slots.push(slot);
        }
        (slots, finishing)
    }

    /// Whether a request may act on its sitting: the clock always, a candidate only from the
    /// page of the sitting's live login.
    fn login_is_live(&self, request: &FinishRequest) -> bool {
        match &request.by {
            FinishBy::Clock => true,
            FinishBy::Candidate { login, .. } => self
                .sittings
                .get(&request.sitting_id)
                .is_some_and(|s| s.active_login.as_deref() == Some(login.as_str())),
        }
    }

    /// One request: `Some` sitting to finish, `None` when it stays as it is, or its refusal.
    fn decide_one(
        &mut self,
        request: &FinishRequest,
        now: DateTime<Utc>,
    ) -> AppResult<Option<ToFinish>> {
        let id = request.sitting_id;
        let Some(sitting) = self.sittings.get(&id) else {
            return Err(match request.by {
                FinishBy::Candidate { .. } => {
                    AppError::Unauthorized("this sitting no longer exists".into())
                }
                FinishBy::Clock => AppError::internal(format!("sitting {id} vanished")),
            });
        };
        if !self.login_is_live(request) {
            return Err(AppError::Unauthorized(
                "signed in on another computer: this page is locked".into(),
            ));
        }
        let session = self
            .sessions
            .get(&sitting.session_id)
            .ok_or_else(|| AppError::internal(format!("sitting {id} has no session")))?;
        let status = phase(sitting.status, session.starts_at, sitting.ends_at, now);
        let by_candidate = matches!(request.by, FinishBy::Candidate { .. });
        let (status, actor) = match (finishing(by_candidate, sitting.status, status), &request.by) {
            (Finishing::NotStarted, _) => {
                return Err(AppError::Locked("the exam has not started yet".into()))
            }
            // Only a candidate hands in.
            (Finishing::Nothing, _) | (Finishing::HandIn, FinishBy::Clock) => return Ok(None),
            (Finishing::HandIn, FinishBy::Candidate { ticket_no, .. }) => {
                (SittingStatus::Submitted, format!("candidate:{ticket_no}"))
            }
            (Finishing::CloseOnTime, _) => (SittingStatus::Closed, "system:clock".to_string()),
        };
        if !self.exams.contains_key(&session.exam_id) {
            return Err(AppError::internal(format!(
                "session {} has no exam",
                session.id
            )));
        }
        let paper = match self.papers.remove(&id) {
            Some(paper) => paper?,
            None => return Err(AppError::internal(format!("sitting {id} has no paper"))),
        };
        Ok(Some(ToFinish {
            sitting: sitting.clone(),
            exam_id: session.exam_id,
            paper,
            answers: self.answers.remove(&id).unwrap_or_default(),
            status,
            actor,
        }))
    }

    /// The sitting as it stands, for a request that changes nothing.
    fn unchanged(&self, id: i32) -> AppResult<sittings::Model> {
        self.sittings
            .get(&id)
            .cloned()
            .ok_or_else(|| AppError::internal(format!("sitting {id} vanished")))
    }
}

/// What a request of a batch gets.
enum Slot {
    Done(Box<AppResult<sittings::Model>>),
    /// The outcome of the `k`-th sitting finished.
    Finish(usize),
}

/// A sitting a batch finishes, with what grading it needs.
struct ToFinish {
    sitting: sittings::Model,
    exam_id: i32,
    paper: Paper,
    answers: Vec<answers::Model>,
    status: SittingStatus,
    actor: String,
}

/// Grades the sittings to finish on every core, off the async workers.
async fn grade_all(
    state: &AppState,
    txn: &DatabaseTransaction,
    finishing: &Arc<Vec<ToFinish>>,
    exams: HashMap<i32, (Blueprint, ExamMarking)>,
) -> AppResult<Vec<AppResult<Graded>>> {
    let versions: BTreeSet<i32> = finishing
        .iter()
        .flat_map(|f| f.paper.items().map(|i| i.version_id))
        .collect();
    let items = state
        .items
        .get_many(txn, versions.into_iter().collect())
        .await?;
    let (finishing, exams) = (finishing.clone(), Arc::new(exams));
    crate::parallel::blocking(move || {
        crate::parallel::parallel(&finishing[..], |f| {
            let (blueprint, marking) = &exams[&f.exam_id];
            Ok(grade_loaded(
                &f.sitting, &f.paper, blueprint, &items, marking, &f.answers,
            ))
        })
    })
    .await?
}

/// Stores the graded sittings with one statement per few hundred and chains their audit
/// entries; per sitting, as it now stands or why it could not be graded.
async fn store(
    w: &Audited<'_>,
    finishing: &[ToFinish],
    graded: Vec<AppResult<Graded>>,
    now: DateTime<Utc>,
) -> AppResult<Vec<AppResult<sittings::Model>>> {
    let mut rows: Vec<FinishRow> = Vec::with_capacity(finishing.len());
    let mut finished = Vec::with_capacity(finishing.len());
    for (f, graded) in finishing.iter().zip(graded) {
        let Graded {
            result,
            receipt,
            sheet,
        } = match graded {
            Ok(g) => g,
            Err(e) => {
                finished.push(Err(e));
                continue;
            }
        };
        let handed_in = f.status == SittingStatus::Submitted;
        let submitted = SubmitResult {
            sections: result.sections,
            passed: result.passed,
            receipt_sha256: receipt.clone(),
            submitted_at: now,
            closed_by: if handed_in { "candidate" } else { "clock" }.into(),
        };
        let json =
            serde_json::to_string(&submitted).map_err(|e| AppError::internal(e.to_string()))?;
        let sitting = sittings::Model {
            status: f.status,
            submitted_at: Some(now),
            result: Some(json.clone()),
            answer_sheet: Some(sheet.clone()),
            ..f.sitting.clone()
        };
        rows.push(FinishRow {
            sitting_id: sitting.id,
            status: f.status,
            result: json,
            sheet,
        });
        let action = if handed_in {
            Action::SittingSubmit
        } else {
            Action::SittingClose
        };
        w.record(
            &f.actor,
            action,
            sitting.id,
            serde_json::json!({"ticket_no": sitting.ticket_no, "receipt_sha256": receipt, "passed": submitted.passed}),
        );
        finished.push(Ok(sitting));
    }
    repo::sitting::finish_rows(w.txn(), &rows, now).await?;
    Ok(finished)
}

/// Each request's outcome, in request order.
fn answer(
    slots: Vec<Slot>,
    finishing: &[ToFinish],
    finished: Vec<AppResult<sittings::Model>>,
) -> Vec<AppResult<sittings::Model>> {
    slots
        .into_iter()
        .map(|slot| match slot {
            Slot::Done(outcome) => *outcome,
            Slot::Finish(k) => match &finished[k] {
                Ok(sitting) => Ok(sitting.clone()),
                Err(e) => Err(AppError::internal(format!(
                    "sitting {} could not be graded: {e}",
                    finishing[k].sitting.id
                ))),
            },
        })
        .collect()
}
