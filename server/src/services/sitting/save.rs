//! Answer saves (issue 8): each is checked and queued, and the answer writer commits up to
//! [`AnswerWriter::MAX_BATCH`] saves per write transaction. It re-reads the sittings the batch
//! touches, decides each save (login still live, sitting open by the server clock, question
//! and answer valid, `seq` newer than the stored one and than earlier saves of the batch),
//! writes every accepted answer with one set-based upsert, commits, and only then answers each
//! request: a 200 still means committed.
//!
//! What a save needs of a paper (per question its kind and option count) is kept in memory per
//! sitting ([`PaperShapes`]), so a save never parses the stored paper; papers never change
//! once built, so the cache needs no invalidation.

use chrono::{DateTime, Utc};
use question_bank::paper::Paper;
use question_bank::{FieldError, ItemKind};
use sea_orm::ConnectionTrait;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use super::dto::{AnswerAck, AnswerRequest};
use super::papers::papers_of;
use crate::auth::extract::CandidateLogin;
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::sitting::answers::AnswerRow;
use crate::repo::sitting::batch::SaveTarget;
use crate::rules::sitting::{phase, Phase};
use crate::state::AppState;
use crate::write_queue::BatchWriter;

/// Sittings whose paper shape is kept; beyond this the cache starts afresh (it refills on use).
const MAX_SHAPES: usize = 200_000;

/// Saves one answer. It is acknowledged only once committed (durability first);
/// concurrent saves are committed together.
#[tracing::instrument(level = "debug", skip_all, fields(sitting_id = who.sitting_id))]
pub async fn save_answer(
    state: &AppState,
    who: &CandidateLogin,
    no: u32,
    req: AnswerRequest,
) -> AppResult<AnswerAck> {
    // Warm the shape outside the write transaction so the writer rarely reads a paper.
    state.writes.shapes.load(&state.db, who.sitting_id).await?;
    let job = Save {
        sitting_id: who.sitting_id,
        login: who.login.clone(),
        no,
        req,
    };
    let capacity = state.config.write_queue;
    state
        .writes
        .saves
        .queue_and_wait(capacity, || state.clone(), job)
        .await
}

/// One queued save.
pub(super) struct Save {
    sitting_id: i32,
    login: String,
    no: u32,
    req: AnswerRequest,
}

/// Decides and writes batches of saves.
pub(super) struct AnswerWriter;

impl BatchWriter for AnswerWriter {
    type Job = Save;
    type Done = AnswerAck;
    type Context = AppState;
    const WHAT: &'static str = "answers";
    const MAX_BATCH: usize = 512;

    /// Decides every save of the batch inside one write transaction and writes the accepted
    /// ones. `Err` only for a failure of the database itself (then nothing of the batch is
    /// saved).
    async fn write(state: &AppState, saves: &[Save]) -> AppResult<Vec<AppResult<AnswerAck>>> {
        let now = state.now();
        let _turn = state.write_turns.take().await;
        let txn = crate::db::begin_write(&state.db).await?;
        let targets = Targets::lock(&txn, saves).await?;
        let mut decisions = Decisions::with_capacity(saves.len());
        for save in saves {
            let decided = match targets.admit(save, now)? {
                Ok(()) => accept(state, &txn, save).await,
                Err(refused) => Err(refused),
            };
            decisions.add(save, decided);
        }
        let newest = decisions.newest.iter().map(|(key, (row, _))| (*key, row));
        let written = repo::sitting::answers::upsert_newer(&txn, newest, now).await?;
        let outcomes = decisions.settle(&txn, saves, &written, now).await?;
        crate::write_queue::commit_timed(txn).await?;
        Ok(outcomes)
    }
}

/// The sittings a batch of saves touches, locked for the batch, and their sessions' starts.
struct Targets {
    sittings: HashMap<i32, SaveTarget>,
    starts: HashMap<i32, DateTime<Utc>>,
}

impl Targets {
    async fn lock<C: ConnectionTrait>(conn: &C, saves: &[Save]) -> AppResult<Targets> {
        let mut ids: Vec<i32> = saves.iter().map(|s| s.sitting_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let sittings = repo::sitting::batch::lock_save_targets(conn, ids).await?;
        let mut session_ids: Vec<i32> = sittings.iter().map(|s| s.session_id).collect();
        session_ids.sort_unstable();
        session_ids.dedup();
        let starts = repo::sitting::batch::session_starts(conn, session_ids).await?;
        let sittings = sittings.into_iter().map(|s| (s.id, s)).collect();
        Ok(Targets { sittings, starts })
    }

    /// Whether the save may be written now: `Ok(Err(_))` refuses this save alone; `Err` is a
    /// fault of the stored data, which fails the batch.
    fn admit(&self, save: &Save, now: DateTime<Utc>) -> AppResult<Result<(), AppError>> {
        let Some(sitting) = self.sittings.get(&save.sitting_id) else {
            return Ok(Err(AppError::Unauthorized(
                "this sitting no longer exists".into(),
            )));
        };
        if sitting.active_login.as_deref() != Some(save.login.as_str()) {
            return Ok(Err(AppError::Unauthorized(
                "signed in on another computer: this page is locked".into(),
            )));
        }
        let starts_at = self
            .starts
            .get(&sitting.session_id)
            .copied()
            .ok_or_else(|| AppError::internal(format!("sitting {} has no session", sitting.id)))?;
        Ok(
            match phase(sitting.status, starts_at, sitting.ends_at, now) {
                Phase::Open => Ok(()),
                Phase::Waiting => Err(AppError::Locked("the exam has not started yet".into())),
                Phase::Closed | Phase::Submitted | Phase::Void => Err(AppError::Locked(
                    "the sitting is closed: answers can no longer change".into(),
                )),
            },
        )
    }
}

/// Checks one save against its paper; the answer as it will be stored.
async fn accept<C: ConnectionTrait>(
    state: &AppState,
    conn: &C,
    save: &Save,
) -> AppResult<AnswerRow> {
    let shape = state
        .writes
        .shapes
        .load(conn, save.sitting_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("sitting {} has no paper", save.sitting_id)))?;
    let choices = check_answer(&shape, save.no, &save.req)?;
    Ok(AnswerRow {
        choices_json: serde_json::to_string(&choices)
            .map_err(|e| AppError::internal(e.to_string()))?,
        text: save.req.text.as_deref().map(question_bank::text::nfc),
        seq: save.req.seq,
    })
}

/// A batch's decisions: per save, in order, its outcome once known; per (sitting, question)
/// the newest accepted save and the saves that wait on its write.
struct Decisions {
    outcomes: Vec<Option<AppResult<AnswerAck>>>,
    newest: HashMap<(i32, u32), (AnswerRow, Vec<usize>)>,
}

impl Decisions {
    fn with_capacity(saves: usize) -> Self {
        Decisions {
            outcomes: Vec::with_capacity(saves),
            newest: HashMap::new(),
        }
    }

    /// Records the next save of the batch: refused, stale against an earlier save of the same
    /// question, or the newest so far.
    fn add(&mut self, save: &Save, decided: AppResult<AnswerRow>) {
        let i = self.outcomes.len();
        let key = (save.sitting_id, save.no);
        let outcome = match decided {
            Err(refused) => Some(Err(refused)),
            Ok(row) => match self.newest.get_mut(&key) {
                Some((newest, _)) if row.seq <= newest.seq => {
                    Some(Err(stale(save.no, newest.seq, row.seq)))
                }
                Some((newest, waiting)) => {
                    *newest = row;
                    waiting.push(i);
                    None
                }
                None => {
                    self.newest.insert(key, (row, vec![i]));
                    None
                }
            },
        };
        self.outcomes.push(outcome);
    }

    /// Every save's outcome once the upsert wrote `written`: acknowledged, or stale when the
    /// stored answer is as new or newer than every save of this batch.
    async fn settle<C: ConnectionTrait>(
        mut self,
        conn: &C,
        saves: &[Save],
        written: &HashSet<(i32, u32)>,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<AppResult<AnswerAck>>> {
        for (key, (newest, waiting)) in &self.newest {
            let stored = if written.contains(key) {
                None
            } else {
                let seq = repo::sitting::answers::stored_seq(conn, key.0, key.1).await?;
                Some(seq.unwrap_or(newest.seq))
            };
            for &i in waiting {
                let save = &saves[i];
                self.outcomes[i] = Some(match stored {
                    None => Ok(AnswerAck {
                        no: save.no,
                        seq: save.req.seq,
                        saved_at: now,
                    }),
                    Some(stored) => Err(stale(save.no, stored, save.req.seq)),
                });
            }
        }
        Ok(self
            .outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err(AppError::internal("undecided save"))))
            .collect())
    }
}

fn stale(no: u32, stored: i64, got: i64) -> AppError {
    AppError::Conflict(format!(
        "stale answer: question {no} already has seq {stored}, got {got}"
    ))
}

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
        let Some(sitting) = repo::sitting::find(conn, sitting_id).await? else {
            return Ok(None);
        };
        match papers_of(conn, [&sitting]).await?.remove(&sitting_id) {
            Some(paper) => Ok(Some(self.remember(sitting_id, &paper?))),
            None => Ok(None),
        }
    }
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
    let choices = check_choices(no, options, &req.choices, &mut errors);
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

/// The chosen letters, upper case, sorted and without repeats; each one that names no option
/// of the question is an error.
fn check_choices(
    no: u32,
    options: usize,
    given: &[String],
    errors: &mut Vec<FieldError>,
) -> Vec<String> {
    let mut choices: Vec<String> = Vec::new();
    for (i, c) in given.iter().enumerate() {
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
    choices
}
