//! Load generator for thituyen (issue 8). It drives the real HTTP API of a running server the
//! way candidates do: log in, fetch the paper, save an answer every few seconds, submit at the
//! deadline; then checks in the database that every acknowledged answer is there and that every
//! sitting was closed in time.
//!
//! - [`seed`] prepares an exam through the staff API (applications, exam, sessions of at most
//!   999 seats, pre-generated papers) and returns a [`Plan`].
//! - [`run`] plays the scenario: open-model arrivals at a fixed rate (candidate *i* logs in at
//!   `start + i·W/N` whatever the server's state), saves every `S` seconds ± jitter, and the
//!   submission storm in the last `storm` seconds before the deadline.
//! - [`spike`] fires many logins at the same instant.
//!
//! Times are scheduled on the server's clock (read from `/api/health`), so a test may move the
//! server clock and the generator follows.

pub mod report;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

pub use report::{EndpointReport, Report};

/// What a run needs to know about the seeded exam.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    pub base: String,
    pub exam_id: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub tickets: Vec<Ticket>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ticket {
    pub ticket_no: String,
    pub access_code: String,
    /// The candidate's PIN, as the session's creation gave it for the admission ticket.
    pub pin: String,
}

#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub base: String,
    pub username: String,
    pub password: String,
    pub round_id: i32,
    pub seal_id: i32,
    pub position_code: String,
    /// Topic of the sealed bank drawn from: 20 items of each difficulty (60 questions).
    pub topic: String,
    pub candidates: usize,
    /// Sessions start this many seconds after the server's now.
    pub start_in_seconds: i64,
    pub duration_minutes: u32,
}

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T> = std::result::Result<T, Error>;

fn client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_idle_timeout(Duration::from_secs(90))
        .build()?)
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Option<(String, Vec<u8>)>,
) -> Result<Value> {
    let mut req = client.request(method.clone(), &url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some((content_type, bytes)) = body {
        req = req.header("content-type", content_type).body(bytes);
    }
    let resp = req.send().await?;
    let status = resp.status();
    let text = resp.text().await?;
    if !status.is_success() {
        return Err(format!("{method} {url}: {status}: {}", truncate(&text, 400)).into());
    }
    Ok(serde_json::from_str(&text)?)
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn json_body(v: &Value) -> Option<(String, Vec<u8>)> {
    Some(("application/json".into(), v.to_string().into_bytes()))
}

/// The server's clock minus this machine's, read from `/api/health`.
pub async fn clock_offset(base: &str) -> Result<chrono::Duration> {
    let c = client()?;
    let before = Utc::now();
    let v = call(
        &c,
        reqwest::Method::GET,
        format!("{base}/api/health"),
        None,
        None,
    )
    .await?;
    let after = Utc::now();
    let server: DateTime<Utc> = serde_json::from_value(v["server_now"].clone())?;
    Ok(server - (before + (after - before) / 2))
}

/// Seeds candidates, an exam and its sessions with pre-generated papers through the staff API.
pub async fn seed(o: &SeedOptions) -> Result<Plan> {
    let c = client()?;
    let base = o.base.trim_end_matches('/').to_string();
    let login = call(
        &c,
        reqwest::Method::POST,
        format!("{base}/api/v1/auth/login"),
        None,
        json_body(&json!({"username": o.username, "password": o.password})),
    )
    .await?;
    let token = login["token"].as_str().ok_or("no staff token")?.to_string();
    let mut csv = String::from("full_name,date_of_birth,gender,national_id,position_code,agency_preferences,priority_groups,exemptions\n");
    for i in 0..o.candidates {
        csv.push_str(&format!(
            "Thí sinh tải {i},1990-01-01,nam,079{i:09},{},,,\n",
            o.position_code
        ));
    }
    let imported = call(
        &c,
        reqwest::Method::POST,
        format!(
            "{base}/api/v1/rounds/{}/applications/imports?format=csv",
            o.round_id
        ),
        Some(&token),
        Some(("text/csv".into(), csv.into_bytes())),
    )
    .await?;
    let ids: Vec<i64> = serde_json::from_value(imported["application_ids"].clone())?;
    let code = format!("LOAD{}", Utc::now().timestamp() % 100_000);
    let cells: Vec<Value> = (1..=3)
        .map(|d| json!({"seal_id": o.seal_id, "topic": o.topic, "difficulty": d, "count": 20}))
        .collect();
    let exam = call(
        &c,
        reqwest::Method::POST,
        format!("{base}/api/v1/rounds/{}/exams", o.round_id),
        Some(&token),
        json_body(&json!({
            "code": code, "name": "Bài thi tải", "stage": "round1",
            "duration_minutes": o.duration_minutes,
            "sections": [{"code": "KTC", "name": "Kiến thức chung", "pass_ratio": "0.50", "cells": cells}],
        })),
    )
    .await?;
    let exam_id = exam["id"].as_i64().ok_or("no exam id")? as i32;
    let starts_at =
        Utc::now() + clock_offset(&base).await? + chrono::Duration::seconds(o.start_in_seconds);
    let mut tickets = Vec::with_capacity(ids.len());
    let mut ends_at = starts_at;
    for (k, chunk) in ids.chunks(999).enumerate() {
        let session = call(
            &c,
            reqwest::Method::POST,
            format!("{base}/api/v1/exams/{exam_id}/sessions"),
            Some(&token),
            json_body(
                &json!({"code": format!("{code}-{k}"), "room": format!("P{k}"),
                "starts_at": starts_at, "application_ids": chunk}),
            ),
        )
        .await?;
        let sid = session["id"].as_i64().ok_or("no session id")?;
        ends_at = serde_json::from_value(session["ends_at"].clone())?;
        let access_code = session["access_code"]
            .as_str()
            .ok_or("no access code")?
            .to_string();
        for t in session["tickets"].as_array().ok_or("no tickets")? {
            tickets.push(Ticket {
                ticket_no: t["ticket_no"].as_str().ok_or("no ticket_no")?.to_string(),
                access_code: access_code.clone(),
                pin: t["pin"].as_str().ok_or("no pin")?.to_string(),
            });
        }
        call(
            &c,
            reqwest::Method::POST,
            format!("{base}/api/v1/sessions/{sid}/papers"),
            Some(&token),
            json_body(&json!({})),
        )
        .await?;
    }
    Ok(Plan {
        base,
        exam_id,
        starts_at,
        ends_at,
        tickets,
    })
}

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Logins are spread evenly over this window (open model: fixed arrival rate).
    pub window: Duration,
    /// Mean interval between two saves of one candidate.
    pub save_every: Duration,
    /// Relative jitter of that interval (0.2 = ± 20 %).
    pub jitter: f64,
    /// Every candidate submits within this many seconds before the deadline.
    pub storm: Duration,
    /// For the lost-answer and closing checks; without it they are skipped.
    pub database_url: Option<String>,
    /// Server process to sample the resident memory of.
    pub server_pid: Option<u32>,
    /// Retries of a request refused with 503 (back-pressure) before it counts as an error.
    pub max_retries: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Endpoint {
    Login,
    Fetch,
    Save,
    Submit,
}

#[derive(Default)]
struct Samples {
    latencies_ms: Vec<f64>,
    errors: u64,
    unavailable: u64,
}

/// (sitting, question) → (newest acknowledged seq, its choices, its text).
type Acked = HashMap<(i32, u32), (i64, Vec<String>, Option<String>)>;

#[derive(Default)]
struct Shared {
    samples: HashMap<Endpoint, Samples>,
    acked: Acked,
    acked_count: u64,
    first_errors: Vec<String>,
}

struct Ctx {
    client: reqwest::Client,
    base: String,
    shared: Mutex<Shared>,
    max_retries: u32,
}

impl Ctx {
    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn error(&self, ep: Endpoint, msg: String) {
        let mut s = self.lock();
        s.samples.entry(ep).or_default().errors += 1;
        if s.first_errors.len() < 10 {
            s.first_errors.push(msg);
        }
    }

    /// One API call, retried after `Retry-After` when refused with 503; latency of each attempt
    /// is recorded. `None` when it failed (counted as an error).
    async fn request(
        &self,
        ep: Endpoint,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Option<Value> {
        let url = format!("{}{}", self.base, path);
        for _ in 0..=self.max_retries {
            let mut req = self.client.request(method.clone(), &url);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            if let Some(b) = body {
                req = req
                    .header("content-type", "application/json")
                    .body(b.to_string());
            }
            let start = Instant::now();
            let sent = req.send().await;
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    self.error(ep, format!("{ep:?} {path}: {e}"));
                    return None;
                }
            };
            let status = resp.status();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(1);
            let text = resp.text().await.unwrap_or_default();
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            {
                let mut s = self.lock();
                let e = s.samples.entry(ep).or_default();
                e.latencies_ms.push(ms);
                if status.as_u16() == 503 {
                    e.unavailable += 1;
                }
            }
            if status.as_u16() == 503 {
                tokio::time::sleep(Duration::from_secs(retry_after)).await;
                continue;
            }
            if !status.is_success() {
                self.error(
                    ep,
                    format!("{ep:?} {path}: {status}: {}", truncate(&text, 300)),
                );
                return None;
            }
            return match serde_json::from_str(&text) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.error(ep, format!("{ep:?} {path}: unreadable body: {e}"));
                    None
                }
            };
        }
        self.error(ep, format!("{ep:?} {path}: still 503 after retries"));
        None
    }
}

/// SplitMix64: a small deterministic generator, one per candidate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A question as the candidate's page shows it.
struct Question {
    no: u32,
    kind: String,
    options: usize,
}

fn questions_of(sitting: &Value) -> Vec<Question> {
    let mut out = Vec::new();
    for s in sitting["sections"].as_array().into_iter().flatten() {
        for i in s["items"].as_array().into_iter().flatten() {
            out.push(Question {
                no: i["no"].as_u64().unwrap_or(0) as u32,
                kind: i["kind"].as_str().unwrap_or("").to_string(),
                options: i["options"].as_array().map_or(0, |o| o.len()),
            });
        }
    }
    out
}

fn answer_for(q: &Question, rng: &mut Rng) -> (Vec<String>, Option<String>) {
    let letter = |i: usize| ((b'A' + i as u8) as char).to_string();
    match q.kind.as_str() {
        "fill_blank" => (vec![], Some(format!("đáp án {}", rng.below(100)))),
        "multiple" => {
            let a = rng.below(q.options);
            let b = rng.below(q.options);
            let mut v = vec![letter(a), letter(b)];
            v.sort();
            v.dedup();
            (v, None)
        }
        _ => (vec![letter(rng.below(q.options))], None),
    }
}

fn to_instant(at: DateTime<Utc>, offset: chrono::Duration, now: Instant) -> Instant {
    // `at` is server time; this machine's time is server time minus the offset.
    let local = at - offset;
    let delta = local - Utc::now();
    match delta.to_std() {
        Ok(d) => now + d,
        Err(_) => now,
    }
}

async fn candidate(
    ctx: Arc<Ctx>,
    ticket: Ticket,
    arrival: Instant,
    submit_at: Instant,
    save_every: Duration,
    jitter: f64,
    mut rng: Rng,
) {
    tokio::time::sleep_until(arrival).await;
    let Some(login) = ctx
        .request(
            Endpoint::Login,
            reqwest::Method::POST,
            "/api/v1/candidate/login",
            None,
            Some(&json!({"ticket_no": ticket.ticket_no, "access_code": ticket.access_code, "pin": ticket.pin})),
        )
        .await
    else {
        return;
    };
    let (Some(token), Some(sitting_id)) = (login["token"].as_str(), login["sitting_id"].as_i64())
    else {
        ctx.error(Endpoint::Login, "login without token".into());
        return;
    };
    let sitting_id = sitting_id as i32;
    let Some(sitting) = ctx
        .request(
            Endpoint::Fetch,
            reqwest::Method::GET,
            "/api/v1/sitting",
            Some(token),
            None,
        )
        .await
    else {
        return;
    };
    let questions = questions_of(&sitting);
    let mut seqs: HashMap<u32, i64> = HashMap::new();
    let interval =
        |rng: &mut Rng| save_every.mul_f64((1.0 + jitter * (2.0 * rng.unit() - 1.0)).max(0.05));
    let mut next = Instant::now() + interval(&mut rng);
    while !questions.is_empty() && next < submit_at {
        tokio::time::sleep_until(next).await;
        let q = &questions[rng.below(questions.len())];
        let seq = {
            let s = seqs.entry(q.no).or_insert(0);
            *s += 1;
            *s
        };
        let (choices, text) = answer_for(q, &mut rng);
        let body = match &text {
            Some(t) => json!({"text": t, "seq": seq}),
            None => json!({"choices": choices, "seq": seq}),
        };
        if let Some(ack) = ctx
            .request(
                Endpoint::Save,
                reqwest::Method::PUT,
                &format!("/api/v1/sitting/answers/{}", q.no),
                Some(token),
                Some(&body),
            )
            .await
        {
            if ack["seq"].as_i64() == Some(seq) {
                let mut s = ctx.lock();
                s.acked_count += 1;
                let e = s
                    .acked
                    .entry((sitting_id, q.no))
                    .or_insert((0, vec![], None));
                if seq > e.0 {
                    *e = (seq, choices, text);
                }
            } else {
                ctx.error(Endpoint::Save, format!("ack for another seq: {ack}"));
            }
        }
        next += interval(&mut rng);
        let now = Instant::now();
        if next < now {
            next = now;
        }
    }
    tokio::time::sleep_until(submit_at).await;
    ctx.request(
        Endpoint::Submit,
        reqwest::Method::POST,
        "/api/v1/sitting/submit",
        Some(token),
        None,
    )
    .await;
}

/// Samples the resident memory of a process (VmRSS, kB) until stopped; returns the maximum.
fn rss_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Plays the scenario against the plan's server and checks the outcome in the database.
pub async fn run(plan: &Plan, o: &RunOptions) -> Result<Report> {
    let offset = clock_offset(&plan.base).await?;
    let ctx = Arc::new(Ctx {
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .pool_idle_timeout(Duration::from_secs(90))
            .build()?,
        base: plan.base.clone(),
        shared: Mutex::new(Shared::default()),
        max_retries: o.max_retries,
    });
    let now = Instant::now();
    let server_now = Utc::now() + offset;
    let start = to_instant(plan.starts_at.max(server_now), offset, now);
    let deadline = to_instant(plan.ends_at, offset, now);
    let n = plan.tickets.len().max(1);
    let sampler = o.server_pid.map(|pid| {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let s = stop.clone();
        let handle = tokio::spawn(async move {
            let mut max = 0;
            while !s.load(std::sync::atomic::Ordering::Relaxed) {
                max = max.max(rss_kb(pid, "VmRSS:").unwrap_or(0));
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            max
        });
        (stop, handle)
    });
    let mut tasks = Vec::with_capacity(n);
    for (i, t) in plan.tickets.iter().enumerate() {
        let mut rng = Rng(0x5EED ^ (i as u64).wrapping_mul(0x9E37_79B9));
        let arrival = start + o.window.mul_f64(i as f64 / n as f64);
        let storm = o.storm.as_secs_f64().max(1.0);
        let before = 0.5 + (storm - 0.5) * rng.unit();
        let submit_at = deadline
            .checked_sub(Duration::from_secs_f64(before))
            .unwrap_or(deadline);
        tasks.push(tokio::spawn(candidate(
            ctx.clone(),
            t.clone(),
            arrival,
            submit_at,
            o.save_every,
            o.jitter,
            rng,
        )));
    }
    for t in tasks {
        t.await?;
    }
    let run_seconds = start.elapsed().as_secs_f64();
    let mut report = Report::default();
    if let Some((stop, handle)) = sampler {
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        report.server_rss_max_kb = Some(handle.await?);
        report.server_hwm_kb = o.server_pid.and_then(|p| rss_kb(p, "VmHWM:"));
    }
    let shared = std::mem::take(&mut *ctx.lock());
    report.candidates = plan.tickets.len();
    report.run_seconds = run_seconds;
    report.acked_answers = shared.acked_count;
    report.first_errors = shared.first_errors;
    for (ep, s) in shared.samples {
        report.endpoints.push(EndpointReport::from_samples(
            ep,
            s.latencies_ms,
            s.errors,
            s.unavailable,
        ));
    }
    report.endpoints.sort_by_key(|e| e.order);
    if let Some(url) = &o.database_url {
        // Give the server's closer (every second) time to close a sitting left open.
        let settle = to_instant(
            plan.ends_at + chrono::Duration::seconds(6),
            offset,
            Instant::now(),
        );
        tokio::time::sleep_until(settle).await;
        check(url, plan, &shared.acked, &mut report).await?;
    }
    Ok(report)
}

/// Lost answers (acknowledged but not stored as acknowledged) and sittings closed late.
async fn check(url: &str, plan: &Plan, acked: &Acked, report: &mut Report) -> Result<()> {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let db = Database::connect(url).await?;
    let backend = db.get_database_backend();
    let sittings = db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT s.id, s.status, s.ends_at, s.submitted_at FROM sittings s \
                 JOIN sessions se ON se.id = s.session_id WHERE se.exam_id = {}",
                plan.exam_id
            ),
        ))
        .await?;
    let mut ids = Vec::new();
    let (mut open, mut late) = (0u64, 0u64);
    let mut max_lag = f64::NEG_INFINITY;
    for r in &sittings {
        let id: i32 = r.try_get("", "id")?;
        ids.push(id);
        let status: String = r.try_get("", "status")?;
        let ends_at: DateTime<Utc> = r.try_get("", "ends_at")?;
        let submitted_at: Option<DateTime<Utc>> = r.try_get("", "submitted_at")?;
        match (status.as_str(), submitted_at) {
            ("submitted" | "closed", Some(at)) => {
                let lag = (at - ends_at).num_milliseconds() as f64 / 1000.0;
                max_lag = max_lag.max(lag);
                if lag > 5.0 {
                    late += 1;
                }
            }
            _ => open += 1,
        }
    }
    report.sittings = sittings.len();
    report.sittings_left_open = Some(open);
    report.sittings_closed_late = Some(late);
    report.max_close_lag_seconds = Some(max_lag);
    let mut stored: HashMap<(i32, u32), (i64, String, Option<String>)> = HashMap::new();
    for chunk in ids.chunks(500) {
        let list: Vec<String> = chunk.iter().map(|i| i.to_string()).collect();
        for r in db
            .query_all_raw(Statement::from_string(
                backend,
                format!(
                    "SELECT sitting_id, item_no, seq, choices, text FROM answers WHERE sitting_id IN ({})",
                    list.join(",")
                ),
            ))
            .await?
        {
            let sid: i32 = r.try_get("", "sitting_id")?;
            let no: i32 = r.try_get("", "item_no")?;
            stored.insert(
                (sid, no as u32),
                (r.try_get("", "seq")?, r.try_get("", "choices")?, r.try_get("", "text")?),
            );
        }
    }
    let mut lost = 0u64;
    for (key, (seq, choices, text)) in acked {
        let ok = match stored.get(key) {
            Some((s, _, _)) if s > seq => true,
            Some((s, c, t)) if s == seq => {
                serde_json::from_str::<Vec<String>>(c).ok().as_ref() == Some(choices) && t == text
            }
            _ => false,
        };
        if !ok {
            lost += 1;
        }
    }
    report.lost_answers = Some(lost);
    report.checked_answers = Some(acked.len() as u64);
    Ok(())
}

/// Fires `count` logins at the same instant (one second from now).
pub async fn spike(plan: &Plan, count: usize) -> Result<Report> {
    let ctx = Arc::new(Ctx {
        client: client()?,
        base: plan.base.clone(),
        shared: Mutex::new(Shared::default()),
        max_retries: 0,
    });
    let at = Instant::now() + Duration::from_secs(1);
    let mut tasks = Vec::new();
    for t in plan.tickets.iter().take(count).cloned() {
        let ctx = ctx.clone();
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(at).await;
            ctx.request(
                Endpoint::Login,
                reqwest::Method::POST,
                "/api/v1/candidate/login",
                None,
                Some(
                    &json!({"ticket_no": t.ticket_no, "access_code": t.access_code, "pin": t.pin}),
                ),
            )
            .await;
        }));
    }
    for t in tasks {
        t.await?;
    }
    let run_seconds = at.elapsed().as_secs_f64();
    let shared = std::mem::take(&mut *ctx.lock());
    let mut report = Report {
        candidates: count.min(plan.tickets.len()),
        run_seconds,
        first_errors: shared.first_errors,
        ..Default::default()
    };
    for (ep, s) in shared.samples {
        report.endpoints.push(EndpointReport::from_samples(
            ep,
            s.latencies_ms,
            s.errors,
            s.unavailable,
        ));
    }
    Ok(report)
}
