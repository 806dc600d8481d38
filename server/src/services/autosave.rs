//! Group commit of answer saves and submissions (issue 8): thousands of candidates saving every
//! few seconds share one write transaction per batch instead of one fsync each.
//!
//! A save request is checked and queued on a bounded channel; one writer task drains up to
//! [`MAX_BATCH`] queued saves, re-reads the sittings they touch inside one write transaction,
//! decides each save (login still live, sitting open by the server clock, question and answer
//! valid, `seq` newer), writes every accepted answer with one set-based upsert, commits, and only
//! then answers each request. Durability is unchanged: a 200 still means committed (DESIGN).
//! When the queue is full the request gets 503 with `Retry-After` instead of the queue growing.
//!
//! Submissions go the same way through their own queue: a batch of hand-ins is graded and
//! finished in one transaction with its audit entries chained in memory
//! ([`crate::services::sitting::finish_many`]), which the deadline closer uses too.
//!
//! What a save needs of a paper (per question its kind and option count) is kept in memory per
//! sitting ([`PaperShapes`]), so a save never parses the stored paper JSON; papers never change
//! once built, so the cache needs no invalidation.

use chrono::{DateTime, Utc};
use question_bank::paper::Paper;
use question_bank::{FieldError, ItemKind};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use tokio::sync::{mpsc, oneshot};

use crate::auth::extract::CandidateLogin;
use crate::entities::{answers, sessions, sittings};
use crate::error::{AppError, AppResult};
use crate::services::sitting::{finish_many, status_at, AnswerAck, AnswerRequest, Finisher};
use crate::state::AppState;

/// Saves waiting for the writer by default (`THITUYEN_WRITE_QUEUE`); beyond this, requests
/// are refused with 503.
pub const QUEUE_CAPACITY: usize = 4096;
/// Saves committed together in one transaction at most.
pub const MAX_BATCH: usize = 512;
/// Submissions (or closings) graded and committed together at most.
pub const MAX_SUBMIT_BATCH: usize = 256;
/// Sittings whose paper shape is kept; beyond this the cache starts afresh (it refills on use).
const MAX_SHAPES: usize = 200_000;

/// Per question number (index), its kind and number of options; `None` for a missing number.
#[derive(Debug)]
pub struct PaperShape(Vec<Option<(ItemKind, usize)>>);

impl PaperShape {
    pub fn of(paper: &Paper) -> PaperShape {
        let mut v = Vec::new();
        for item in paper.items() {
            let at = item.no as usize;
            if v.len() <= at {
                v.resize(at + 1, None);
            }
            v[at] = Some((item.kind, item.permutation.len()));
        }
        PaperShape(v)
    }

    pub fn question(&self, no: u32) -> Option<(ItemKind, usize)> {
        self.0.get(no as usize).copied().flatten()
    }
}

/// The paper shapes of the sittings seen so far, by sitting id.
#[derive(Default)]
pub struct PaperShapes {
    map: RwLock<HashMap<i32, Arc<PaperShape>>>,
}

impl PaperShapes {
    pub fn get(&self, sitting_id: i32) -> Option<Arc<PaperShape>> {
        self.map
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&sitting_id)
            .cloned()
    }

    pub fn remember(&self, sitting_id: i32, paper: &Paper) -> Arc<PaperShape> {
        let shape = Arc::new(PaperShape::of(paper));
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_SHAPES {
            map.clear();
        }
        map.insert(sitting_id, shape.clone());
        shape
    }

    /// The shape of a sitting's paper, read from the database when not yet known; `None` when
    /// the sitting does not exist or has no paper yet.
    pub async fn load<C: ConnectionTrait>(
        &self,
        conn: &C,
        sitting_id: i32,
    ) -> AppResult<Option<Arc<PaperShape>>> {
        if let Some(s) = self.get(sitting_id) {
            return Ok(Some(s));
        }
        let Some(sitting) = sittings::Entity::find_by_id(sitting_id).one(conn).await? else {
            return Ok(None);
        };
        match crate::services::sitting::papers_of(conn, [&sitting])
            .await?
            .remove(&sitting_id)
        {
            Some(paper) => Ok(Some(self.remember(sitting_id, &paper?))),
            None => Ok(None),
        }
    }
}

/// One queued save and where its outcome goes.
struct Job {
    sitting_id: i32,
    login: String,
    no: u32,
    req: AnswerRequest,
    reply: oneshot::Sender<AppResult<AnswerAck>>,
}

/// One queued submission.
struct SubmitJob {
    sitting_id: i32,
    who: Finisher,
    reply: oneshot::Sender<AppResult<sittings::Model>>,
}

/// One queued login: the sitting's new live login.
struct LoginJob {
    sitting_id: i32,
    login: String,
    reply: oneshot::Sender<AppResult<()>>,
}

/// The bounded queues in front of the answer, submission and login writers, and the answer
/// writer's paper shapes.
#[derive(Default)]
pub struct GroupCommit {
    tx: OnceLock<mpsc::Sender<Job>>,
    submit_tx: OnceLock<mpsc::Sender<SubmitJob>>,
    login_tx: OnceLock<mpsc::Sender<LoginJob>>,
    pub shapes: PaperShapes,
}

impl GroupCommit {
    fn login_sender(&self, state: &AppState) -> &mpsc::Sender<LoginJob> {
        self.login_tx.get_or_init(|| {
            let (tx, rx) = mpsc::channel(state.config.write_queue);
            tokio::spawn(run_login_writer(state.clone(), rx));
            tx
        })
    }

    fn submit_sender(&self, state: &AppState) -> &mpsc::Sender<SubmitJob> {
        self.submit_tx.get_or_init(|| {
            let (tx, rx) = mpsc::channel(state.config.write_queue);
            tokio::spawn(run_submit_writer(state.clone(), rx));
            tx
        })
    }

    /// The sender, starting the writer task on first use (inside the serving runtime).
    fn sender(&self, state: &AppState) -> &mpsc::Sender<Job> {
        self.tx.get_or_init(|| {
            let (tx, rx) = mpsc::channel(state.config.write_queue);
            tokio::spawn(run_writer(state.clone(), rx));
            tx
        })
    }

    /// Saves waiting for the writer right now.
    pub fn queued(&self) -> usize {
        self.tx
            .get()
            .map_or(0, |tx| tx.max_capacity() - tx.capacity())
    }
}

/// Queues one save and waits until its batch is committed (or refused).
pub async fn save(
    state: &AppState,
    who: &CandidateLogin,
    no: u32,
    req: AnswerRequest,
) -> AppResult<AnswerAck> {
    // Warm the shape outside the write transaction so the writer rarely reads a paper.
    state.writes.shapes.load(&state.db, who.sitting_id).await?;
    let (reply, outcome) = oneshot::channel();
    let job = Job {
        sitting_id: who.sitting_id,
        login: who.login.clone(),
        no,
        req,
        reply,
    };
    queue(state.writes.sender(state), job, outcome, "answers").await
}

/// Queues `job` (503 when the queue is full) and waits for its writer's answer.
async fn queue<J, T>(
    tx: &mpsc::Sender<J>,
    job: J,
    outcome: oneshot::Receiver<AppResult<T>>,
    what: &str,
) -> AppResult<T> {
    tx.try_send(job).map_err(|e| busy(e, what))?;
    outcome
        .await
        .map_err(|_| AppError::Internal(format!("the writer of {what} dropped a request")))?
}

fn busy<T>(e: mpsc::error::TrySendError<T>, what: &str) -> AppError {
    match e {
        mpsc::error::TrySendError::Full(_) => AppError::Unavailable {
            retry_after: 1,
            reason: format!("the server is saving many {what}: retry in a second"),
        },
        mpsc::error::TrySendError::Closed(_) => {
            AppError::Internal(format!("the writer of {what} has stopped"))
        }
    }
}

/// Queues one submission and waits until its batch is committed (or refused).
pub async fn submit(state: &AppState, who: &CandidateLogin) -> AppResult<sittings::Model> {
    let (reply, outcome) = oneshot::channel();
    let job = SubmitJob {
        sitting_id: who.sitting_id,
        who: Finisher::Candidate {
            login: who.login.clone(),
            ticket_no: who.ticket_no.clone(),
        },
        reply,
    };
    queue(
        state.writes.submit_sender(state),
        job,
        outcome,
        "submissions",
    )
    .await
}

/// Makes `login` the only live login of the sitting (a newer login locks older pages out),
/// committed with concurrent logins; returns once committed.
pub async fn record_login(state: &AppState, sitting_id: i32, login: &str) -> AppResult<()> {
    let (reply, outcome) = oneshot::channel();
    let job = LoginJob {
        sitting_id,
        login: login.to_string(),
        reply,
    };
    queue(state.writes.login_sender(state), job, outcome, "logins").await
}

async fn run_login_writer(state: AppState, mut rx: mpsc::Receiver<LoginJob>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::replace(&mut batch, Vec::with_capacity(MAX_BATCH));
        let now = state.now();
        let written = write_logins(&state, &jobs, now).await;
        if let Err(e) = &written {
            tracing::error!(error = ?e, logins = jobs.len(), "a batch of logins failed; none was recorded");
        }
        for job in jobs {
            let _ = job.reply.send(match &written {
                Ok(()) => Ok(()),
                Err(e) => Err(AppError::Internal(format!("login batch failed: {e}"))),
            });
        }
    }
}

async fn write_logins(state: &AppState, jobs: &[LoginJob], now: DateTime<Utc>) -> AppResult<()> {
    use sea_orm::sea_query::Func;
    let _turn = state.write_turn().await;
    let txn = crate::db::begin_write(&state.db).await?;
    for job in jobs {
        sittings::Entity::update_many()
            .col_expr(
                sittings::Column::ActiveLogin,
                Expr::value(Some(job.login.clone())),
            )
            .col_expr(
                sittings::Column::FirstLoginAt,
                Func::coalesce([
                    Expr::col(sittings::Column::FirstLoginAt),
                    Expr::value(Some(now)),
                ])
                .into(),
            )
            .col_expr(
                sittings::Column::LoginCount,
                Expr::col(sittings::Column::LoginCount).add(1),
            )
            .filter(sittings::Column::Id.eq(job.sitting_id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn run_submit_writer(state: AppState, mut rx: mpsc::Receiver<SubmitJob>) {
    let mut batch = Vec::with_capacity(MAX_SUBMIT_BATCH);
    while rx.recv_many(&mut batch, MAX_SUBMIT_BATCH).await > 0 {
        let jobs = std::mem::replace(&mut batch, Vec::with_capacity(MAX_SUBMIT_BATCH));
        let (requests, replies): (Vec<_>, Vec<_>) = jobs
            .into_iter()
            .map(|j| ((j.sitting_id, j.who), j.reply))
            .unzip();
        match finish_many(&state, &requests).await {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(outcome);
                }
            }
            Err(e) => {
                tracing::error!(error = ?e, submissions = replies.len(), "a batch of submissions failed; none was recorded");
                for reply in replies {
                    let _ = reply.send(Err(AppError::Internal(format!(
                        "submission batch failed: {e}"
                    ))));
                }
            }
        }
    }
}

async fn run_writer(state: AppState, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::replace(&mut batch, Vec::with_capacity(MAX_BATCH));
        commit_batch(&state, jobs).await;
    }
}

async fn commit_batch(state: &AppState, jobs: Vec<Job>) {
    let now = state.now();
    match decide_and_write(state, &jobs, now).await {
        Ok(outcomes) => {
            for (job, outcome) in jobs.into_iter().zip(outcomes) {
                let _ = job.reply.send(outcome);
            }
        }
        Err(e) => {
            tracing::error!(error = ?e, saves = jobs.len(), "an answer batch failed; nothing of it was saved");
            for job in jobs {
                let _ = job
                    .reply
                    .send(Err(AppError::Internal(format!("answer batch failed: {e}"))));
            }
        }
    }
}

/// An accepted answer, before the write.
struct Row {
    choices_json: String,
    text: Option<String>,
    seq: i64,
}

type SittingRow = (i32, i32, String, DateTime<Utc>, Option<String>);

/// Decides every save of the batch inside one write transaction and writes the accepted ones.
/// `Err` only for a failure of the database itself (then nothing of the batch is saved).
async fn decide_and_write(
    state: &AppState,
    jobs: &[Job],
    now: DateTime<Utc>,
) -> AppResult<Vec<AppResult<AnswerAck>>> {
    let _turn = state.write_turn().await;
    let txn = crate::db::begin_write(&state.db).await?;
    let mut ids: Vec<i32> = jobs.iter().map(|j| j.sitting_id).collect();
    ids.sort_unstable();
    ids.dedup();
    // FOR UPDATE on PostgreSQL: a submission of one of these sittings waits for this batch
    // (or this batch for it), so an acknowledged answer is always in the graded sheet.
    // SQLite's write lock, taken at BEGIN, already gives that.
    let rows: Vec<SittingRow> = sittings::Entity::find()
        .select_only()
        .columns([
            sittings::Column::Id,
            sittings::Column::SessionId,
            sittings::Column::Status,
            sittings::Column::EndsAt,
            sittings::Column::ActiveLogin,
        ])
        .filter(sittings::Column::Id.is_in(ids))
        .order_by_asc(sittings::Column::Id)
        .lock_exclusive()
        .into_tuple()
        .all(&txn)
        .await?;
    let mut session_ids: Vec<i32> = rows.iter().map(|r| r.1).collect();
    session_ids.sort_unstable();
    session_ids.dedup();
    let starts: HashMap<i32, DateTime<Utc>> = sessions::Entity::find()
        .select_only()
        .columns([sessions::Column::Id, sessions::Column::StartsAt])
        .filter(sessions::Column::Id.is_in(session_ids))
        .into_tuple::<(i32, DateTime<Utc>)>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let rows: HashMap<i32, SittingRow> = rows.into_iter().map(|r| (r.0, r)).collect();

    let mut outcomes: Vec<Option<AppResult<AnswerAck>>> = Vec::with_capacity(jobs.len());
    // Per (sitting, question): the newest accepted save and every job that depends on it.
    let mut pending: HashMap<(i32, u32), (Row, Vec<usize>)> = HashMap::new();
    for (i, job) in jobs.iter().enumerate() {
        let decided = match rows.get(&job.sitting_id) {
            None => Err(AppError::Unauthorized(
                "this sitting no longer exists".into(),
            )),
            Some((_, _, _, _, active)) if active.as_deref() != Some(job.login.as_str()) => Err(
                AppError::Unauthorized("signed in on another computer: this page is locked".into()),
            ),
            Some((id, session_id, status, ends_at, _)) => {
                let starts_at = starts
                    .get(session_id)
                    .copied()
                    .ok_or_else(|| AppError::Internal(format!("sitting {id} has no session")))?;
                match status_at(status, starts_at, *ends_at, now) {
                    "open" => accept(state, &txn, job).await,
                    "waiting" => Err(AppError::Locked("the exam has not started yet".into())),
                    _ => Err(AppError::Locked(
                        "the sitting is closed: answers can no longer change".into(),
                    )),
                }
            }
        };
        match decided {
            Err(e) => outcomes.push(Some(Err(e))),
            Ok(row) => {
                let key = (job.sitting_id, job.no);
                match pending.get_mut(&key) {
                    Some((newest, _)) if row.seq <= newest.seq => {
                        outcomes.push(Some(Err(stale(job.no, newest.seq, row.seq))));
                    }
                    Some((newest, deps)) => {
                        *newest = row;
                        deps.push(i);
                        outcomes.push(None);
                    }
                    None => {
                        pending.insert(key, (row, vec![i]));
                        outcomes.push(None);
                    }
                }
            }
        }
    }

    let written = upsert(&txn, &pending, now).await?;
    for (key, (newest, deps)) in &pending {
        // Not written: the stored answer is as new or newer than every save of this batch.
        let stored = if written.contains_key(key) {
            None
        } else {
            Some(stored_seq(&txn, key.0, key.1).await?.unwrap_or(newest.seq))
        };
        for &i in deps {
            let job = &jobs[i];
            outcomes[i] = Some(match stored {
                None => Ok(AnswerAck {
                    no: job.no,
                    seq: job.req.seq,
                    saved_at: now,
                }),
                Some(stored) => Err(stale(job.no, stored, job.req.seq)),
            });
        }
    }
    txn.commit().await?;
    Ok(outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Err(AppError::Internal("undecided save".into()))))
        .collect())
}

fn stale(no: u32, stored: i64, got: i64) -> AppError {
    AppError::Conflict(format!(
        "stale answer: question {no} already has seq {stored}, got {got}"
    ))
}

/// Checks one save against its paper; the answer as it will be stored.
async fn accept<C: ConnectionTrait>(state: &AppState, conn: &C, job: &Job) -> AppResult<Row> {
    let shape = state
        .writes
        .shapes
        .load(conn, job.sitting_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("sitting {} has no paper", job.sitting_id)))?;
    let choices = check_answer(&shape, job.no, &job.req)?;
    Ok(Row {
        choices_json: serde_json::to_string(&choices)
            .map_err(|e| AppError::Internal(e.to_string()))?,
        text: job.req.text.as_deref().map(question_bank::text::nfc),
        seq: job.req.seq,
    })
}

/// One statement for the whole batch: insert, or replace an answer whose stored `seq` is older.
/// Returns the (sitting, question) pairs actually written.
async fn upsert<C: ConnectionTrait>(
    conn: &C,
    pending: &HashMap<(i32, u32), (Row, Vec<usize>)>,
    now: DateTime<Utc>,
) -> AppResult<HashMap<(i32, u32), ()>> {
    let mut written = HashMap::new();
    if pending.is_empty() {
        return Ok(written);
    }
    let mut stmt = Query::insert();
    stmt.into_table(answers::Entity).columns([
        answers::Column::SittingId,
        answers::Column::ItemNo,
        answers::Column::Choices,
        answers::Column::Text,
        answers::Column::Seq,
        answers::Column::SavedAt,
    ]);
    for ((sitting_id, no), (row, _)) in pending {
        stmt.values_panic([
            (*sitting_id).into(),
            (*no as i32).into(),
            row.choices_json.clone().into(),
            row.text.clone().into(),
            row.seq.into(),
            now.into(),
        ]);
    }
    stmt.on_conflict(
        OnConflict::columns([answers::Column::SittingId, answers::Column::ItemNo])
            .update_columns([
                answers::Column::Choices,
                answers::Column::Text,
                answers::Column::Seq,
                answers::Column::SavedAt,
            ])
            .action_and_where(
                Expr::col((answers::Entity, answers::Column::Seq))
                    .lt(Expr::col((Alias::new("excluded"), answers::Column::Seq))),
            )
            .to_owned(),
    )
    .returning(Query::returning().columns([answers::Column::SittingId, answers::Column::ItemNo]));
    for r in conn.query_all(&stmt).await? {
        let sitting_id: i32 = r.try_get("", "sitting_id")?;
        let no: i32 = r.try_get("", "item_no")?;
        written.insert((sitting_id, no as u32), ());
    }
    Ok(written)
}

async fn stored_seq<C: ConnectionTrait>(
    conn: &C,
    sitting_id: i32,
    no: u32,
) -> AppResult<Option<i64>> {
    Ok(answers::Entity::find()
        .select_only()
        .column(answers::Column::Seq)
        .filter(answers::Column::SittingId.eq(sitting_id))
        .filter(answers::Column::ItemNo.eq(no as i32))
        .into_tuple()
        .one(conn)
        .await?)
}

/// Validates an answer against the question it answers; the normalised choices.
pub fn check_answer(shape: &PaperShape, no: u32, req: &AnswerRequest) -> AppResult<Vec<String>> {
    let (kind, options) = shape
        .question(no)
        .ok_or_else(|| AppError::NotFound(format!("the paper has no question {no}")))?;
    let mut errors = Vec::new();
    if req.seq < 1 {
        errors.push(FieldError::new(
            "seq",
            "a positive, increasing number per question",
        ));
    }
    let mut choices: Vec<String> = Vec::new();
    for (i, c) in req.choices.iter().enumerate() {
        let c = c.trim().to_uppercase();
        let ok = c.len() == 1
            && c.as_bytes()[0] >= b'A'
            && usize::from(c.as_bytes()[0] - b'A') < options;
        if !ok {
            errors.push(FieldError::new(
                format!("choices[{i}]"),
                format!(
                    "question {no} has options A to {}",
                    question_bank::Item::letter(options.saturating_sub(1))
                ),
            ));
        } else if !choices.contains(&c) {
            choices.push(c);
        }
    }
    choices.sort();
    match kind {
        ItemKind::Single | ItemKind::TrueFalse if choices.len() > 1 => {
            errors.push(FieldError::new("choices", "this question takes one choice"));
        }
        ItemKind::FillBlank if !req.choices.is_empty() => {
            errors.push(FieldError::new(
                "choices",
                "this question takes a typed answer in `text`",
            ));
        }
        ItemKind::FillBlank if req.text.as_deref().is_some_and(|t| t.chars().count() > 500) => {
            errors.push(FieldError::new("text", "at most 500 characters"));
        }
        _ => {}
    }
    if kind != ItemKind::FillBlank && req.text.is_some() {
        errors.push(FieldError::new(
            "text",
            "this question takes choices, not text",
        ));
    }
    if errors.is_empty() {
        Ok(choices)
    } else {
        Err(AppError::invalid("the answer is not valid", errors))
    }
}
