//! An acknowledged answer is durable: it survives the server being killed (SIGKILL, no
//! shutdown of any kind) the instant after the acknowledgement.
#![allow(clippy::unwrap_used)] // a failed unwrap in a test is a failed test

use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn server(data_dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_server"));
    c.arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn");
    c
}

/// A running server, killed when dropped so a failing test leaves no process behind.
struct Running(Child);

impl Running {
    /// SIGKILL: no graceful shutdown, no flush.
    fn kill_hard(&mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start(data_dir: &std::path::Path, port: u16) -> Running {
    let child = Running(
        server(data_dir)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client
            .get(format!("http://127.0.0.1:{port}/api/health"))
            .send()
            .await
            .is_ok()
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not start");
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let mut req = client.request(method, url).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// A candidate in a 20-question sitting that has already started, on a demo database.
struct Sitting {
    token: String,
    /// Question number and kind.
    items: Vec<(u64, String)>,
}

async fn sitting_in_progress(client: &reqwest::Client, base: &str) -> Sitting {
    use reqwest::Method;

    // HR opens a 20-question session that has already started.
    let (_, login) = call(
        client,
        Method::POST,
        format!("{base}/api/v1/auth/login"),
        None,
        json!({"username": "tochuc", "password": "thituyen-demo"}),
    )
    .await;
    let hr = login["token"].as_str().unwrap().to_string();
    let cells: Vec<Value> = ["Tin học văn phòng", "Hiến pháp và bộ máy nhà nước"]
        .iter()
        .flat_map(|t| (1..=2).map(move |d| json!({"seal_id": 1, "topic": format!("Kiến thức chung/{t}"), "difficulty": d, "count": 5})))
        .collect();
    let (s, exam) = call(client, Method::POST, format!("{base}/api/v1/rounds/1/exams"), Some(&hr),
        json!({"code": "BEN", "name": "Độ bền", "stage": "round1", "duration_minutes": 30, "sections": [{"code": "KTC", "name": "KTC", "pass_ratio": "0.50", "cells": cells}]})).await;
    assert_eq!(s, 201, "{exam}");
    let starts = chrono::Utc::now() - chrono::Duration::seconds(5);
    let (s, session) = call(
        client,
        Method::POST,
        format!("{base}/api/v1/exams/{}/sessions", exam["id"]),
        Some(&hr),
        json!({"code": "CA-B", "room": "P1", "starts_at": starts, "application_ids": [1]}),
    )
    .await;
    assert_eq!(s, 201, "{session}");
    let ticket = session["tickets"][0]["ticket_no"]
        .as_str()
        .unwrap()
        .to_string();
    let code = session["access_code"].as_str().unwrap().to_string();
    let pin = session["tickets"][0]["pin"].as_str().unwrap().to_string();
    let (_, cand) = call(
        client,
        Method::POST,
        format!("{base}/api/v1/candidate/login"),
        None,
        json!({"ticket_no": ticket, "access_code": code, "pin": pin}),
    )
    .await;
    let token = cand["token"].as_str().unwrap().to_string();
    let (_, sitting) = call(
        client,
        Method::GET,
        format!("{base}/api/v1/sitting"),
        Some(&token),
        Value::Null,
    )
    .await;
    let items: Vec<(u64, String)> = sitting["sections"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["no"].as_u64().unwrap(),
                i["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(items.len(), 20);
    Sitting { token, items }
}

/// Saves an answer to question `no`; the status, or the transport error's kind.
async fn save(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    (no, kind): (u64, &str),
    seq: i64,
) -> Result<u16, reqwest::Error> {
    let body = if kind == "fill_blank" {
        json!({"text": format!("trả lời {seq}"), "seq": seq})
    } else {
        json!({"choices": ["A"], "seq": seq})
    };
    let resp = client
        .put(format!("{base}/api/v1/sitting/answers/{no}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    Ok(resp.status().as_u16())
}

/// The sitting as the candidate's page finds it afterwards, with the token it signed in with
/// (a second sign-in would wait for the supervisor).
async fn sitting_after(client: &reqwest::Client, base: &str, s: &Sitting) -> Value {
    call(
        client,
        reqwest::Method::GET,
        format!("{base}/api/v1/sitting"),
        Some(&s.token),
        Value::Null,
    )
    .await
    .1
}

/// A request refused at connect, or reset while its connection still waited in the listener's
/// backlog: when the listener closes, the kernel resets the connections the server had not yet
/// accepted, so the server never read those requests. A request the server read is answered.
fn never_reached_the_server(e: &reqwest::Error) -> bool {
    if e.is_connect() {
        return true;
    }
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::ConnectionReset;
        }
        source = inner.source();
    }
    false
}

fn assert_all_stored(after: &Value, acked: &std::collections::BTreeMap<u64, i64>) {
    for (no, seq) in acked {
        let stored = after["answers"][no.to_string()]["seq"].as_i64();
        assert!(
            stored.is_some_and(|s| s >= *seq),
            "question {no}: acknowledged seq {seq}, found {stored:?}"
        );
    }
}

fn demo_data_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("thituyen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(server(&dir)
        .args(["demo", "--no-serve"])
        .stdout(Stdio::null())
        .status()
        .unwrap()
        .success());
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_answer_survives_a_sigkill() {
    let dir = demo_data_dir("durability");
    let port = free_port();
    let mut child = start(&dir, port).await;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let sitting = sitting_in_progress(&client, &base).await;

    // Every question answered three times over, all in flight together.
    let mut tasks = Vec::new();
    for (no, kind) in sitting.items.clone() {
        for seq in 1..=3i64 {
            let (client, base, token) = (client.clone(), base.clone(), sitting.token.clone());
            let kind = kind.clone();
            tasks.push(tokio::spawn(async move {
                let status = save(&client, &base, &token, (no, &kind), seq).await;
                (no, seq, status.unwrap())
            }));
        }
    }
    let mut acked: std::collections::BTreeMap<u64, i64> = Default::default();
    for t in tasks {
        let (no, seq, status) = t.await.unwrap();
        assert!(status == 200 || status == 409, "unexpected {status}");
        if status == 200 {
            let e = acked.entry(no).or_default();
            *e = (*e).max(seq);
        }
    }
    child.kill_hard();
    assert_eq!(acked.len(), 20, "every question had an acknowledged answer");

    // The candidate's page keeps its token across the restart (signing in again would wait
    // for the supervisor: the sitting is live on this page).
    let mut child = start(&dir, port).await;
    let after = sitting_after(&client, &base, &sitting).await;
    assert_all_stored(&after, &acked);
    child.kill_hard();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A service manager stops the server with SIGTERM mid-exam: the server stops accepting, every
/// save it had already received is committed and answered, then it exits 0. No save is cut
/// off with a reset connection; a save sent after the listener closed is refused at connect,
/// which a candidate's page retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_answers_every_queued_save_before_exiting() {
    let dir = demo_data_dir("sigterm");
    let port = free_port();
    let mut child = start(&dir, port).await;
    let base = format!("http://127.0.0.1:{port}");
    let sitting = sitting_in_progress(&reqwest::Client::new(), &base).await;

    // Each save on its own connection, so none rides on a kept-alive connection the server
    // is closing; ten rounds over the twenty questions, all in flight together.
    let mut tasks = Vec::new();
    for seq in 1..=10i64 {
        for (no, kind) in sitting.items.clone() {
            let (base, token) = (base.clone(), sitting.token.clone());
            tasks.push(tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .pool_max_idle_per_host(0)
                    .build()
                    .unwrap();
                (
                    no,
                    seq,
                    save(&client, &base, &token, (no, &kind), seq).await,
                )
            }));
        }
    }
    tokio::time::sleep(Duration::from_millis(30)).await;
    let pid = child.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());

    let mut acked: std::collections::BTreeMap<u64, i64> = Default::default();
    let (mut answered, mut refused) = (0, 0);
    for t in tasks {
        let (no, seq, outcome) = t.await.unwrap();
        match outcome {
            Ok(status) => {
                assert!(status == 200 || status == 409, "unexpected {status}");
                answered += 1;
                if status == 200 {
                    let e = acked.entry(no).or_default();
                    *e = (*e).max(seq);
                }
            }
            Err(e) => {
                assert!(
                    never_reached_the_server(&e),
                    "a save was cut off, not refused: {e:?}"
                );
                refused += 1;
            }
        }
    }
    let exit = child.0.wait().unwrap();
    assert!(
        exit.success(),
        "the server exits 0 after draining: {exit:?}"
    );
    assert!(
        answered > 0,
        "saves were under way at SIGTERM ({refused} refused)"
    );

    let mut child = start(&dir, port).await;
    let after = sitting_after(&reqwest::Client::new(), &base, &sitting).await;
    assert_all_stored(&after, &acked);
    child.kill_hard();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Backed up while candidates keep saving, restored into a fresh data dir, served again: every
/// answer acknowledged before the backup began is there, the audit chain verifies, and the
/// backup's files are readable by their owner only.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_mid_exam_restores_every_acknowledged_answer() {
    let dir = demo_data_dir("backup");
    let port = free_port();
    let mut child = start(&dir, port).await;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let sitting = sitting_in_progress(&client, &base).await;

    let mut acked: std::collections::BTreeMap<u64, i64> = Default::default();
    for (no, kind) in &sitting.items {
        let status = save(&client, &base, &sitting.token, (*no, kind), 1).await;
        assert_eq!(status.unwrap(), 200);
        acked.insert(*no, 1);
    }
    // More saves in flight while the backup runs: the copy is consistent whatever it catches.
    let mut later = Vec::new();
    for (no, kind) in sitting.items.clone() {
        let (client, base, token) = (client.clone(), base.clone(), sitting.token.clone());
        later.push(tokio::spawn(async move {
            save(&client, &base, &token, (no, &kind), 2).await
        }));
    }
    let backups = dir.with_extension("backups");
    let out = server(&dir).arg("backup").arg(&backups).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for t in later {
        assert_eq!(t.await.unwrap().unwrap(), 200);
    }
    child.kill_hard();
    let made = std::fs::read_dir(&backups)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    {
        use std::os::unix::fs::PermissionsExt;
        for file in ["thituyen.db", "master.key"] {
            let mode = std::fs::metadata(made.join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file} is private");
        }
    }

    // A data dir in use is not overwritten by mistake.
    let refused = server(&dir).arg("restore").arg(&made).output().unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));

    let fresh = dir.with_extension("restored");
    let _ = std::fs::remove_dir_all(&fresh);
    let out = server(&fresh).arg("restore").arg(&made).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(fresh.join("master.key")).unwrap(),
        std::fs::read(dir.join("master.key")).unwrap(),
        "the signing key is restored with the database"
    );
    let verify = server(&fresh).args(["audit", "verify"]).output().unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );

    let mut child = start(&fresh, port).await;
    let after = sitting_after(&client, &base, &sitting).await;
    assert_all_stored(&after, &acked);
    child.kill_hard();
    for d in [&dir, &backups, &fresh] {
        let _ = std::fs::remove_dir_all(d);
    }
}
