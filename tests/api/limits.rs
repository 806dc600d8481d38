//! What one request may ask of the server (issue 16 item 6): a candidate request carries at
//! most 8 KiB, a staff request 64 KiB, only an import a file (up to the upload limit); a few
//! imports run at once and the next is told when to come back.

use chrono::Duration;
use serde_json::json;
use server::auth::Role;
use tests::TestApp;

/// A JSON answer padded with an ignored field to exactly `size` bytes.
fn answer_of_size(size: usize) -> Vec<u8> {
    let bare = json!({"choices": ["A"], "seq": 1, "note": ""}).to_string();
    let padded = json!({"choices": ["A"], "seq": 1, "note": "x".repeat(size - bare.len())});
    let bytes = padded.to_string().into_bytes();
    assert_eq!(bytes.len(), size);
    bytes
}

async fn put_json(app: &TestApp, path: &str, token: &str, body: Vec<u8>) -> tests::Resp {
    app.send(
        app.client
            .put(app.url(path))
            .header("content-type", "application/json")
            .body(body),
        Some(token),
    )
    .await
}

/// A signed-in candidate of the demo session, once it has started.
async fn candidate_in_session(app: &TestApp) -> String {
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    app.candidate(&d.tickets[0].1, &d.access_code).await
}

#[tokio::test]
async fn a_candidate_request_carries_at_most_8_kib() {
    let app = TestApp::spawn().await;
    let token = candidate_in_session(&app).await;
    let path = "/api/v1/sitting/answers/1";

    let r = put_json(&app, path, &token, answer_of_size(8 * 1024 + 1)).await;
    let problem = r.problem(413);
    assert!(
        problem["detail"].as_str().unwrap().contains("8192 bytes"),
        "the answer names the limit: {}",
        r.text
    );

    let r = put_json(&app, path, &token, answer_of_size(8 * 1024)).await;
    assert_ne!(r.status, 413, "8 KiB is within the limit: {}", r.text);
}

#[tokio::test]
async fn a_body_sent_without_its_length_is_held_to_the_same_limit() {
    let app = TestApp::spawn().await;
    let token = candidate_in_session(&app).await;
    let status = chunked_put(
        &app,
        "/api/v1/sitting/answers/1",
        &token,
        answer_of_size(8 * 1024 + 1),
    )
    .await;
    assert_eq!(status, 413);
    let status = chunked_put(
        &app,
        "/api/v1/sitting/answers/1",
        &token,
        answer_of_size(200),
    )
    .await;
    assert_ne!(status, 413);
}

/// Sends `body` in HTTP/1.1 chunks (no Content-Length) and returns the status answered.
async fn chunked_put(app: &TestApp, path: &str, token: &str, body: Vec<u8>) -> u16 {
    use std::io::{Read, Write};
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut request = format!(
        "PUT {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(1000) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.write_all(&request).unwrap();
        let mut answer = Vec::new();
        // The server may close before reading the rest: keep what arrived.
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap();
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"))
}

#[tokio::test]
async fn a_staff_request_carries_at_most_64_kib() {
    let app = TestApp::spawn().await;
    let hr = app.staff("tochuc", &[Role::Hr]).await;
    let round = |name: String| json!({"code": "VC-2027", "name": name});

    let r = app
        .post("/api/v1/rounds", Some(&hr), &round("x".repeat(70 * 1024)))
        .await;
    assert!(r.problem(413)["detail"]
        .as_str()
        .unwrap()
        .contains("65536 bytes"));

    let r = app
        .post("/api/v1/rounds", Some(&hr), &round("x".repeat(60 * 1024)))
        .await;
    assert_ne!(r.status, 413, "60 KiB is within the limit: {}", r.text);
}

const BANK_HEADER: &str =
    "topic,difficulty,kind,stem,option_a,option_b,option_c,option_d,correct,answer,points,explanation";

/// A bank with an author; returns (author token, bank id).
async fn bank(app: &TestApp) -> (String, i64) {
    let author = app.staff("tacgia", &[Role::Author]).await;
    let r = app
        .post(
            "/api/v1/banks",
            Some(&author),
            &json!({"code": "KTC", "name": "Kiến thức chung"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    (author, r.body["id"].as_i64().unwrap())
}

/// A CSV file of `rows` distinct questions.
fn questions_csv(rows: usize) -> Vec<u8> {
    let mut out = format!("{BANK_HEADER}\n");
    for i in 0..rows {
        out.push_str(&format!(
            "Kiến thức chung/Luật Cán bộ công chức,2,single,Câu hỏi số {i} về quyền và nghĩa vụ của công chức theo quy định hiện hành là gì?,Phương án đúng,Phương án sai một,Phương án sai hai,Phương án sai ba,A,,1.00,\n"
        ));
    }
    out.into_bytes()
}

async fn import(app: &TestApp, bank: i64, token: &str, file: Vec<u8>) -> tests::Resp {
    app.post_raw(
        &format!("/api/v1/banks/{bank}/imports?format=csv&dry_run=true"),
        Some(token),
        "text/csv",
        file,
    )
    .await
}

#[tokio::test]
async fn an_import_of_5_mib_is_read_whole() {
    let app = TestApp::spawn().await;
    let (author, bank) = bank(&app).await;
    let row_len = questions_csv(1).len() - BANK_HEADER.len() - 1;
    let file = questions_csv((5 * 1024 * 1024) / row_len + 1);
    assert!(file.len() > 5 * 1024 * 1024);
    let r = import(&app, bank, &author, file).await;
    assert_eq!(
        r.status,
        200,
        "the preview of every question: {}",
        &r.text[..r.text.len().min(500)]
    );
}

#[tokio::test]
async fn an_import_beyond_the_running_ones_is_told_to_come_back() {
    let app = TestApp::spawn().await;
    let (author, bank) = bank(&app).await;
    assert_eq!(app.state.config.limits.concurrent_imports, 2);
    // Two imports running: hold both slots as they would.
    let running = [
        app.state.imports.try_acquire(),
        app.state.imports.try_acquire(),
    ];
    assert!(running.iter().all(Option::is_some));

    let r = import(&app, bank, &author, questions_csv(1)).await;
    r.problem(503);
    let retry = app
        .client
        .post(app.url(&format!("/api/v1/banks/{bank}/imports?format=csv")))
        .bearer_auth(&author)
        .body(questions_csv(1))
        .send()
        .await
        .unwrap();
    assert_eq!(retry.status(), 503);
    assert!(retry.headers().contains_key("retry-after"));

    drop(running);
    let r = import(&app, bank, &author, questions_csv(1)).await;
    assert_eq!(r.status, 200, "a slot is free again: {}", r.text);
}

#[tokio::test]
async fn a_staff_form_is_not_held_back_by_running_imports() {
    let app = TestApp::spawn().await;
    let (author, _bank) = bank(&app).await;
    let _running = [
        app.state.imports.try_acquire(),
        app.state.imports.try_acquire(),
    ];
    let r = app
        .post(
            "/api/v1/banks",
            Some(&author),
            &json!({"code": "CN", "name": "Chuyên ngành"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}
