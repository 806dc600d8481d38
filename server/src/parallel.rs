//! CPU-bound work off the async workers: grading and ranking thousands of candidates must not
//! stall the tokio threads that answer candidates' saves.

use crate::error::{AppError, AppResult};

/// Runs CPU-bound work off the async workers.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal_from("background task failed", e))
}

/// `f` over `inputs` on every core, results in input order; the first error wins.
pub fn parallel<I: Sync, O: Send>(
    inputs: &[I],
    f: impl Fn(&I) -> AppResult<O> + Sync,
) -> AppResult<Vec<O>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let size = inputs.len().div_ceil(threads).max(1);
    let parts: Vec<AppResult<Vec<O>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = inputs
            .chunks(size)
            .map(|chunk| scope.spawn(|| chunk.iter().map(&f).collect::<AppResult<Vec<O>>>()))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(AppError::internal("a worker thread panicked")))
            })
            .collect()
    });
    let mut out = Vec::with_capacity(inputs.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}
