//! Group commit (issue 8): thousands of requests that each write a little share one write
//! transaction per batch instead of one fsync each.
//!
//! A request is queued on a bounded channel and waits; one writer task drains up to
//! [`BatchWriter::MAX_BATCH`] queued jobs, writes them in one transaction, commits, and only
//! then answers each request: an answer still means committed (durability first). When
//! the queue is full the request is refused at once with 503 and `Retry-After` instead of the
//! queue growing. What a job is, and how a batch is decided and written, is the writer's.
//!
//! On SQLite the writers also take turns at its single write lock ([`WriteTurns`]).

use sea_orm::DatabaseTransaction;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tokio::sync::{mpsc, oneshot, Mutex, MutexGuard};
use tracing::Instrument;

use crate::error::{AppError, AppResult};

/// What one writer task writes, a batch at a time.
pub trait BatchWriter: 'static {
    /// What one request asks to write.
    type Job: Send + Sync + 'static;
    /// What a request gets back once its batch is committed.
    type Done: Send + 'static;
    /// What the writer task holds to write with (the application state).
    type Context: Send + Sync + 'static;
    /// The jobs, as messages name them ("the server is saving many answers").
    const WHAT: &'static str;
    /// Jobs written together at most.
    const MAX_BATCH: usize;

    /// Writes `jobs` in one transaction and commits: per job, in order, its own outcome; `Err`
    /// when the batch failed as a whole and nothing of it was written.
    fn write(
        cx: &Self::Context,
        jobs: &[Self::Job],
    ) -> impl Future<Output = AppResult<Vec<AppResult<Self::Done>>>> + Send;
}

/// A job and where its outcome goes.
struct Queued<W: BatchWriter> {
    job: W::Job,
    reply: oneshot::Sender<AppResult<W::Done>>,
}

/// The bounded queue in front of one writer task, started on first use (inside the serving
/// runtime).
pub struct WriteQueue<W: BatchWriter> {
    sender: OnceLock<mpsc::Sender<Queued<W>>>,
    /// Jobs queued or in the batch being written: a shutdown waits until none is left, so a
    /// job whose request went away is still committed before the process exits.
    unfinished: Arc<AtomicUsize>,
}

impl<W: BatchWriter> Default for WriteQueue<W> {
    fn default() -> Self {
        WriteQueue {
            sender: OnceLock::new(),
            unfinished: Arc::new(AtomicUsize::new(0)),
        }
    }
}

impl<W: BatchWriter> WriteQueue<W> {
    /// Queues `job` and waits until its batch is committed (or refused). The first call starts
    /// the writer with the context `cx` gives and a queue of `capacity` jobs.
    pub async fn queue_and_wait(
        &self,
        capacity: usize,
        cx: impl FnOnce() -> W::Context,
        job: W::Job,
    ) -> AppResult<W::Done> {
        let sender = self.sender.get_or_init(|| {
            let (tx, rx) = mpsc::channel(capacity.max(1));
            tokio::spawn(run::<W>(cx(), rx, self.unfinished.clone()));
            tx
        });
        let (reply, outcome) = oneshot::channel();
        // Counted before the send so the writer never finishes a job not yet counted.
        self.unfinished.fetch_add(1, Ordering::SeqCst);
        if let Err(e) = sender.try_send(Queued { job, reply }) {
            self.unfinished.fetch_sub(1, Ordering::SeqCst);
            return Err(busy::<W>(e));
        }
        outcome.await.map_err(|_| {
            AppError::internal(format!("the writer of {} dropped a request", W::WHAT))
        })?
    }

    /// Jobs waiting for the writer right now.
    pub fn queued(&self) -> usize {
        self.sender
            .get()
            .map_or(0, |tx| tx.max_capacity() - tx.capacity())
    }

    /// Jobs queued or being written right now; 0 once every accepted job is committed (or
    /// refused) and answered.
    pub fn unfinished(&self) -> usize {
        self.unfinished.load(Ordering::SeqCst)
    }
}

fn busy<W: BatchWriter>(e: mpsc::error::TrySendError<Queued<W>>) -> AppError {
    match e {
        mpsc::error::TrySendError::Full(_) => AppError::Unavailable {
            retry_after: 1,
            reason: format!("the server is saving many {}: retry in a second", W::WHAT),
        },
        mpsc::error::TrySendError::Closed(_) => {
            AppError::internal(format!("the writer of {} has stopped", W::WHAT))
        }
    }
}

/// The writer task: drains up to a batch, writes it, then answers each job of it.
async fn run<W: BatchWriter>(
    cx: W::Context,
    mut rx: mpsc::Receiver<Queued<W>>,
    unfinished: Arc<AtomicUsize>,
) {
    let mut batch = Vec::with_capacity(W::MAX_BATCH);
    while rx.recv_many(&mut batch, W::MAX_BATCH).await > 0 {
        let (jobs, replies): (Vec<W::Job>, Vec<_>) =
            batch.drain(..).map(|q| (q.job, q.reply)).unzip();
        // At DEBUG: free on the load path unless asked for. The writer records the commit's
        // own time ([`commit_timed`]); the whole batch's time is recorded here.
        let span = tracing::debug_span!(
            "write_batch",
            what = W::WHAT,
            jobs = jobs.len(),
            write_ms = tracing::field::Empty,
            commit_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let written = W::write(&cx, &jobs).instrument(span.clone()).await;
        span.record("write_ms", started.elapsed().as_secs_f64() * 1000.0);
        span.in_scope(|| tracing::debug!(ok = written.is_ok(), "batch written"));
        match written {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(outcome);
                }
            }
            Err(e) => {
                tracing::error!(error = ?e, what = W::WHAT, jobs = jobs.len(), "a write batch failed; nothing of it was written");
                for reply in replies {
                    let _ = reply.send(Err(AppError::internal(format!(
                        "the batch of {} failed: {e}",
                        W::WHAT
                    ))));
                }
            }
        }
        unfinished.fetch_sub(jobs.len(), Ordering::SeqCst);
    }
}

/// Commits a writer's transaction and records how long the commit took (the fsync) on the
/// batch's span.
pub async fn commit_timed(txn: DatabaseTransaction) -> Result<(), sea_orm::DbErr> {
    let started = Instant::now();
    let committed = txn.commit().await;
    tracing::Span::current().record("commit_ms", started.elapsed().as_secs_f64() * 1000.0);
    committed
}

/// Turns at SQLite's single write lock for the group-commit writers, first come first served,
/// taken before a write transaction begins. SQLite has one writer, and a transaction that finds
/// it taken polls with growing sleeps (up to 100 ms a time): under a hand-in storm the save
/// writer lost the race again and again (save p99 1.4 s at 10,000 candidates). PostgreSQL
/// writers lock rows, not the database: no turn there.
pub struct WriteTurns {
    turns: Option<Mutex<()>>,
}

impl WriteTurns {
    /// Turns for a database with a single writer (SQLite), or none.
    pub fn new(single_writer: bool) -> Self {
        WriteTurns {
            turns: single_writer.then(|| Mutex::new(())),
        }
    }

    /// Waits for this writer's turn; it lasts as long as the guard.
    pub async fn take(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.turns {
            Some(turns) => Some(turns.lock().await),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex as StdMutex};
    use tokio::sync::Semaphore;

    /// A writer that records each batch, commits only when the test lets it, and answers each
    /// job with its number and whether the batch was committed by then.
    struct Recorder;

    struct Log {
        batches: StdMutex<Vec<Vec<u32>>>,
        /// One permit per batch allowed to commit.
        commits: Semaphore,
        committed: AtomicBool,
    }

    fn held() -> (Arc<WriteQueue<Recorder>>, Arc<Log>) {
        let log = Log {
            batches: StdMutex::new(Vec::new()),
            commits: Semaphore::new(0),
            committed: AtomicBool::new(false),
        };
        (Arc::new(WriteQueue::default()), Arc::new(log))
    }

    impl BatchWriter for Recorder {
        type Job = u32;
        type Done = (u32, bool);
        type Context = Arc<Log>;
        const WHAT: &'static str = "numbers";
        const MAX_BATCH: usize = 3;

        async fn write(log: &Arc<Log>, jobs: &[u32]) -> AppResult<Vec<AppResult<(u32, bool)>>> {
            log.batches.lock().unwrap().push(jobs.to_vec());
            let permit = log.commits.acquire().await;
            permit
                .map_err(|e| AppError::internal(e.to_string()))?
                .forget();
            log.committed.store(true, Ordering::SeqCst);
            Ok(jobs
                .iter()
                .map(|&n| {
                    if n == 13 {
                        Err(AppError::Conflict("unlucky".into()))
                    } else {
                        Ok((n, log.committed.load(Ordering::SeqCst)))
                    }
                })
                .collect())
        }
    }

    fn spawn_job(
        queue: &Arc<WriteQueue<Recorder>>,
        log: &Arc<Log>,
        capacity: usize,
        n: u32,
    ) -> tokio::task::JoinHandle<AppResult<(u32, bool)>> {
        let (queue, log) = (queue.clone(), log.clone());
        tokio::spawn(async move { queue.queue_and_wait(capacity, || log, n).await })
    }

    async fn until(what: &str, mut done: impl FnMut() -> bool) {
        for _ in 0..2_500 {
            if done() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        panic!("timed out waiting until {what}");
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_with_retry_after() {
        let (queue, log) = held();
        // The writer takes the first job and is held before its commit; two more fill a
        // queue of two.
        let first = spawn_job(&queue, &log, 2, 1);
        until("the writer holds a batch", || {
            !log.batches.lock().unwrap().is_empty()
        })
        .await;
        let waiting = [spawn_job(&queue, &log, 2, 2), spawn_job(&queue, &log, 2, 3)];
        until("two jobs wait", || queue.queued() == 2).await;
        let refused = queue.queue_and_wait(2, || log.clone(), 4).await;
        match refused {
            Err(AppError::Unavailable {
                retry_after,
                reason,
            }) => {
                assert_eq!(retry_after, 1);
                assert_eq!(
                    reason,
                    "the server is saving many numbers: retry in a second"
                );
            }
            other => panic!("expected 503, got {other:?}"),
        }
        log.commits.add_permits(2);
        assert_eq!(first.await.unwrap().unwrap(), (1, true));
        for (job, n) in waiting.into_iter().zip([2, 3]) {
            assert_eq!(job.await.unwrap().unwrap(), (n, true));
        }
        assert_eq!(*log.batches.lock().unwrap(), vec![vec![1], vec![2, 3]]);
    }

    #[tokio::test]
    async fn a_batch_is_answered_only_after_its_commit() {
        let (queue, log) = held();
        let job = spawn_job(&queue, &log, 8, 7);
        until("the writer holds a batch", || {
            !log.batches.lock().unwrap().is_empty()
        })
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        assert!(!job.is_finished(), "answered before the commit");
        log.commits.add_permits(1);
        assert_eq!(job.await.unwrap().unwrap(), (7, true));
    }

    #[tokio::test]
    async fn jobs_keep_their_order_and_their_own_outcome() {
        let (queue, log) = held();
        let first = spawn_job(&queue, &log, 16, 0);
        until("the writer holds a batch", || {
            !log.batches.lock().unwrap().is_empty()
        })
        .await;
        // Queued one after the other while the writer is held: drained in that order, at most
        // MAX_BATCH at a time.
        let mut jobs = Vec::new();
        for n in [10, 11, 12, 13, 14] {
            jobs.push(spawn_job(&queue, &log, 16, n));
            until("the job is queued", || queue.queued() == jobs.len()).await;
        }
        log.commits.add_permits(3);
        first.await.unwrap().unwrap();
        let mut outcomes = Vec::new();
        for job in jobs {
            outcomes.push(
                job.await
                    .unwrap()
                    .map(|(n, _)| n)
                    .map_err(|e| e.to_string()),
            );
        }
        assert_eq!(
            outcomes,
            vec![Ok(10), Ok(11), Ok(12), Err("unlucky".to_string()), Ok(14)]
        );
        assert_eq!(
            *log.batches.lock().unwrap(),
            vec![vec![0], vec![10, 11, 12], vec![13, 14]]
        );
    }

    struct Failing;

    impl BatchWriter for Failing {
        type Job = u32;
        type Done = ();
        type Context = ();
        const WHAT: &'static str = "numbers";
        const MAX_BATCH: usize = 4;

        async fn write(_: &(), _: &[u32]) -> AppResult<Vec<AppResult<()>>> {
            Err(AppError::internal("disk full"))
        }
    }

    #[tokio::test]
    async fn a_failed_batch_fails_each_of_its_jobs() {
        let queue = WriteQueue::<Failing>::default();
        let e = queue.queue_and_wait(4, || (), 1).await.unwrap_err();
        assert!(
            matches!(&e, AppError::Internal(m) if m.to_string().contains("disk full")),
            "{e:?}"
        );
    }

    #[tokio::test]
    async fn only_a_single_writer_database_takes_turns() {
        assert!(WriteTurns::new(false).take().await.is_none());
        let turns = WriteTurns::new(true);
        let held = turns.take().await;
        assert!(held.is_some());
        let next = tokio::time::timeout(std::time::Duration::from_millis(20), turns.take()).await;
        assert!(next.is_err(), "the second writer waits for the first");
        drop(held);
        assert!(turns.take().await.is_some());
    }
}
