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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_answer_survives_a_sigkill() {
    let dir = std::env::temp_dir().join(format!("thituyen-durability-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(server(&dir)
        .args(["demo", "--no-serve"])
        .stdout(Stdio::null())
        .status()
        .unwrap()
        .success());
    let port = free_port();
    let mut child = start(&dir, port).await;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    use reqwest::Method;

    // HR opens a 20-question session that has already started.
    let (_, login) = call(
        &client,
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
    let (s, exam) = call(&client, Method::POST, format!("{base}/api/v1/rounds/1/exams"), Some(&hr),
        json!({"code": "BEN", "name": "Độ bền", "stage": "round1", "duration_minutes": 30, "sections": [{"code": "KTC", "name": "KTC", "pass_ratio": "0.50", "cells": cells}]})).await;
    assert_eq!(s, 201, "{exam}");
    let starts = chrono::Utc::now() - chrono::Duration::seconds(5);
    let (s, session) = call(
        &client,
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
        &client,
        Method::POST,
        format!("{base}/api/v1/candidate/login"),
        None,
        json!({"ticket_no": ticket, "access_code": code, "pin": pin}),
    )
    .await;
    let token = cand["token"].as_str().unwrap().to_string();
    let (_, sitting) = call(
        &client,
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

    // Every question answered three times over, all in flight together.
    let mut tasks = Vec::new();
    for (no, kind) in items.clone() {
        for seq in 1..=3i64 {
            let (client, base, token, kind) =
                (client.clone(), base.clone(), token.clone(), kind.clone());
            tasks.push(tokio::spawn(async move {
                let body = if kind == "fill_blank" {
                    json!({"text": format!("trả lời {seq}"), "seq": seq})
                } else {
                    json!({"choices": ["A"], "seq": seq})
                };
                let (status, _) = call(
                    &client,
                    Method::PUT,
                    format!("{base}/api/v1/sitting/answers/{no}"),
                    Some(&token),
                    body,
                )
                .await;
                (no, seq, status)
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
    let (_, after) = call(
        &client,
        Method::GET,
        format!("{base}/api/v1/sitting"),
        Some(&token),
        Value::Null,
    )
    .await;
    for (no, seq) in &acked {
        let stored = after["answers"][no.to_string()]["seq"].as_i64();
        assert!(
            stored.is_some_and(|s| s >= *seq),
            "question {no}: acknowledged seq {seq}, found {stored:?}"
        );
    }
    child.kill_hard();
    let _ = std::fs::remove_dir_all(&dir);
}
