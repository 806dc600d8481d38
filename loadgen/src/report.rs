//! What a run measured, and its printout.

use serde::Serialize;
use std::fmt;

use crate::Endpoint;

#[derive(Debug, Clone, Serialize)]
pub struct EndpointReport {
    pub name: &'static str,
    #[serde(skip)]
    pub order: u8,
    /// HTTP attempts answered (including 503 refusals, which are retried).
    pub requests: usize,
    pub errors: u64,
    /// 503 answers (back-pressure), each followed by a retry.
    pub unavailable: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl EndpointReport {
    pub(crate) fn from_samples(
        ep: Endpoint,
        mut ms: Vec<f64>,
        errors: u64,
        unavailable: u64,
    ) -> EndpointReport {
        ms.sort_by(f64::total_cmp);
        let (name, order) = match ep {
            Endpoint::Login => ("login", 0),
            Endpoint::Fetch => ("sitting fetch", 1),
            Endpoint::Save => ("answer save", 2),
            Endpoint::Submit => ("submit", 3),
        };
        EndpointReport {
            name,
            order,
            requests: ms.len(),
            errors,
            unavailable,
            p50_ms: percentile(&ms, 50.0),
            p95_ms: percentile(&ms, 95.0),
            p99_ms: percentile(&ms, 99.0),
            max_ms: ms.last().copied().unwrap_or(0.0),
        }
    }
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct Report {
    pub candidates: usize,
    /// From the first arrival to the last submission.
    pub run_seconds: f64,
    pub endpoints: Vec<EndpointReport>,
    pub acked_answers: u64,
    /// Distinct (sitting, question) pairs acknowledged and looked up in the database.
    pub checked_answers: Option<u64>,
    pub lost_answers: Option<u64>,
    pub sittings: usize,
    pub sittings_left_open: Option<u64>,
    pub sittings_closed_late: Option<u64>,
    pub max_close_lag_seconds: Option<f64>,
    pub server_rss_max_kb: Option<u64>,
    pub server_hwm_kb: Option<u64>,
    pub first_errors: Vec<String>,
}

impl Report {
    pub fn errors(&self) -> u64 {
        self.endpoints.iter().map(|e| e.errors).sum()
    }

    pub fn requests(&self) -> usize {
        self.endpoints.iter().map(|e| e.requests).sum()
    }

    pub fn endpoint(&self, name: &str) -> Option<&EndpointReport> {
        self.endpoints.iter().find(|e| e.name == name)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "candidates {}  run {:.1} s  requests {}  throughput {:.0} req/s  errors {}",
            self.candidates,
            self.run_seconds,
            self.requests(),
            self.requests() as f64 / self.run_seconds.max(0.001),
            self.errors()
        )?;
        writeln!(
            f,
            "{:<14} {:>8} {:>7} {:>6} {:>9} {:>9} {:>9} {:>9}",
            "endpoint", "requests", "errors", "503", "p50 ms", "p95 ms", "p99 ms", "max ms"
        )?;
        for e in &self.endpoints {
            writeln!(
                f,
                "{:<14} {:>8} {:>7} {:>6} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
                e.name, e.requests, e.errors, e.unavailable, e.p50_ms, e.p95_ms, e.p99_ms, e.max_ms
            )?;
        }
        writeln!(f, "acknowledged answers {}", self.acked_answers)?;
        match (self.lost_answers, self.checked_answers) {
            (Some(lost), Some(checked)) => writeln!(
                f,
                "lost answers {lost} (of {checked} acknowledged question answers checked in the database)"
            )?,
            _ => writeln!(f, "lost answers: not checked (no --database-url)")?,
        }
        if let (Some(open), Some(late), Some(lag)) = (
            self.sittings_left_open,
            self.sittings_closed_late,
            self.max_close_lag_seconds,
        ) {
            writeln!(
                f,
                "sittings {}: left open {open}, closed more than 5 s after the deadline {late}, the last one {lag:+.1} s from it",
                self.sittings
            )?;
        }
        if let Some(rss) = self.server_rss_max_kb {
            writeln!(
                f,
                "server RSS max {:.1} MiB (VmHWM {:.1} MiB)",
                rss as f64 / 1024.0,
                self.server_hwm_kb.unwrap_or(0) as f64 / 1024.0
            )?;
        }
        for e in &self.first_errors {
            writeln!(f, "error: {e}")?;
        }
        Ok(())
    }
}
