//! Exams over sealed banks, sessions and tickets, pre-generated papers (issue 4, VN-20).

use serde_json::json;
use server::auth::Role;
use tests::TestApp;

fn blueprint(seal_id: i32, count: u32) -> serde_json::Value {
    json!([{"code": "KTC", "name": "Kiến thức chung", "pass_ratio": "0.50", "cells": [
        {"seal_id": seal_id, "topic": "Kiến thức chung/Tin học văn phòng", "difficulty": 1, "count": count},
        {"seal_id": seal_id, "topic": "Kiến thức chung/Luật Cán bộ, công chức", "difficulty": 3, "count": count},
    ]}])
}

#[tokio::test]
async fn an_exam_draws_from_a_seal_with_three_times_the_questions_it_needs() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    let r = app
        .post(
            &format!("/api/v1/rounds/{}/exams", d.round_id),
            Some(&hr),
            &json!({"code": "V1-B", "name": "Vòng 1 – ca bù", "stage": "round1", "duration_minutes": 30, "sections": blueprint(d.seal_id, 4)}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["item_count"], 8);
    assert_eq!(r.body["sections"][0]["pass_ratio"], "0.50");
}

#[tokio::test]
async fn vn_20_an_exam_whose_pool_is_short_lists_every_short_cell() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    let r = app
        .post(
            &format!("/api/v1/rounds/{}/exams", d.round_id),
            Some(&hr),
            &json!({"code": "V1-X", "name": "Quá nhiều câu", "stage": "round1", "duration_minutes": 60, "sections": blueprint(d.seal_id, 10)}),
        )
        .await;
    let p = r.problem(422);
    let locations: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["location"].as_str().unwrap())
        .collect();
    assert_eq!(
        locations,
        vec!["sections[0].cells[0]", "sections[0].cells[1]"],
        "{p}"
    );
    assert!(p["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("VN-20"));
}

#[tokio::test]
async fn an_exam_naming_an_unknown_seal_or_stage_is_refused() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    let r = app
        .post(
            &format!("/api/v1/rounds/{}/exams", d.round_id),
            Some(&hr),
            &json!({"code": "V1-Y", "name": "Sai", "stage": "round9", "duration_minutes": 60, "sections": blueprint(9999, 1)}),
        )
        .await;
    let p = r.problem(422);
    let text = p.to_string();
    assert!(
        text.contains("stage") && text.contains("no seal 9999"),
        "{text}"
    );
}

#[tokio::test]
async fn only_hr_creates_exams_and_sessions() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let supervisor = app.staff("giamthi2", &[Role::Supervisor]).await;
    let body = json!({"code": "V1-Z", "name": "Z", "stage": "round1", "duration_minutes": 30, "sections": blueprint(d.seal_id, 1)});
    app.post(
        &format!("/api/v1/rounds/{}/exams", d.round_id),
        Some(&supervisor),
        &body,
    )
    .await
    .problem(403);
    let session = json!({"code": "CA-09", "room": "P9", "starts_at": "2030-01-01T08:00:00+07:00", "application_ids": [d.application_ids[0]]});
    app.post(
        &format!("/api/v1/exams/{}/sessions", d.exam_id),
        Some(&supervisor),
        &session,
    )
    .await
    .problem(403);
}

#[tokio::test]
async fn a_session_gives_tickets_and_papers_are_pre_generated_reproducibly() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    let exam = app
        .post(
            &format!("/api/v1/rounds/{}/exams", d.round_id),
            Some(&hr),
            &json!({"code": "V1-B", "name": "Ca bù", "stage": "round1", "duration_minutes": 30, "sections": blueprint(d.seal_id, 4)}),
        )
        .await;
    let exam_id = exam.body["id"].as_i64().unwrap();
    let ids = &d.application_ids[..3];
    let s = app
        .post(
            &format!("/api/v1/exams/{exam_id}/sessions"),
            Some(&hr),
            &json!({"code": "CA-02", "room": "Phòng máy 02", "starts_at": "2030-01-01T08:00:00+07:00", "application_ids": ids}),
        )
        .await;
    assert_eq!(s.status, 201, "{}", s.text);
    let tickets = s.body["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 3);
    assert_eq!(tickets[2]["seat"], 3);
    assert_eq!(s.body["access_code"].as_str().unwrap().len(), 6);
    assert_eq!(s.body["ends_at"], "2030-01-01T01:30:00Z");

    let session_id = s.body["id"].as_i64().unwrap();
    let first = app
        .post(
            &format!("/api/v1/sessions/{session_id}/papers"),
            Some(&hr),
            &json!({}),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let hashes: Vec<&str> = first.body["papers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sha256"].as_str().unwrap())
        .collect();
    assert_eq!(hashes.len(), 3);
    assert!(
        hashes[0] != hashes[1] && hashes[1] != hashes[2],
        "each candidate gets a different paper"
    );
    let again = app
        .post(
            &format!("/api/v1/sessions/{session_id}/papers"),
            Some(&hr),
            &json!({}),
        )
        .await;
    assert_eq!(first.body, again.body, "papers are built once and kept");

    // A candidate already seated for this exam cannot be given a second seat.
    let dup = app
        .post(
            &format!("/api/v1/exams/{exam_id}/sessions"),
            Some(&hr),
            &json!({"code": "CA-03", "room": "P3", "starts_at": "2030-01-01T08:00:00+07:00", "application_ids": [ids[0]]}),
        )
        .await;
    assert!(dup.problem(422).to_string().contains("already has a seat"));
}

#[tokio::test]
async fn a_session_can_give_each_candidate_a_pin_checked_at_login() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    let exam = app
        .post(
            &format!("/api/v1/rounds/{}/exams", d.round_id),
            Some(&hr),
            &json!({"code": "V1-PIN", "name": "Ca có PIN", "stage": "round1", "duration_minutes": 30, "sections": blueprint(d.seal_id, 1)}),
        )
        .await;
    let s = app
        .post(
            &format!("/api/v1/exams/{}/sessions", exam.body["id"]),
            Some(&hr),
            &json!({"code": "CA-P", "room": "P5", "starts_at": "2030-01-01T08:00:00+07:00", "application_ids": [d.application_ids[0]], "require_pin": true}),
        )
        .await;
    assert_eq!(s.status, 201, "{}", s.text);
    let ticket = s.body["tickets"][0]["ticket_no"]
        .as_str()
        .unwrap()
        .to_string();
    let pin = s.body["tickets"][0]["pin"].as_str().unwrap().to_string();
    assert_eq!(pin.len(), 6);
    let code = s.body["access_code"].as_str().unwrap().to_string();
    let login = |pin: Option<&str>| json!({"ticket_no": ticket, "access_code": code, "pin": pin});
    app.post("/api/v1/candidate/login", None, &login(None))
        .await
        .problem(401);
    let wrong = if pin == "000000" { "111111" } else { "000000" };
    app.post("/api/v1/candidate/login", None, &login(Some(wrong)))
        .await
        .problem(401);
    let ok = app
        .post("/api/v1/candidate/login", None, &login(Some(&pin)))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    // Only a keyed hash is kept.
    use sea_orm::EntityTrait;
    let stored = server::entities::sittings::Entity::find_by_id(
        ok.body["sitting_id"].as_i64().unwrap() as i32,
    )
    .one(app.db())
    .await
    .unwrap()
    .unwrap()
    .pin_hash
    .unwrap();
    assert_eq!(stored.len(), 64);
    assert!(!stored.contains(&pin));
}

#[tokio::test]
async fn supervisor_and_hr_actions_are_refused_to_other_roles_and_garbage_changes_nothing() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let author = app.staff("tacgia2", &[Role::Author]).await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    let sitting = d.tickets[0].0;
    let reason = json!({"reason": "lý do đủ dài"});
    app.get(&format!("/api/v1/exams/{}", d.exam_id), Some(&author))
        .await
        .problem(403);
    app.post(
        &format!("/api/v1/sessions/{}/papers", d.session_id),
        Some(&author),
        &json!({}),
    )
    .await
    .problem(403);
    app.post(
        &format!("/api/v1/sessions/{}/open", d.session_id),
        Some(&hr),
        &json!({}),
    )
    .await
    .problem(403);
    app.post(
        &format!("/api/v1/sittings/{sitting}/late-admissions"),
        Some(&hr),
        &reason,
    )
    .await
    .problem(403);
    app.post(
        &format!("/api/v1/sittings/{sitting}/resittings"),
        Some(&hr),
        &reason,
    )
    .await
    .problem(403);
    app.post(
        &format!("/api/v1/sittings/{sitting}/sanctions"),
        Some(&author),
        &json!({"level": "warning", "reason": "lý do đủ dài"}),
    )
    .await
    .problem(403);

    // Garbage: unknown candidates, a missing reason, a wrong type. Nothing is created.
    let supervisor = app.staff("giamthi2", &[Role::Supervisor]).await;
    let r = app
        .post(
            &format!("/api/v1/exams/{}/sessions", d.exam_id),
            Some(&hr),
            &json!({"code": "CA-X", "room": "P", "starts_at": "2030-01-01T08:00:00Z", "application_ids": [99999]}),
        )
        .await;
    assert_eq!(
        r.problem(422)["errors"][0]["location"],
        "application_ids[0]"
    );
    app.post(
        &format!("/api/v1/sittings/{sitting}/resittings"),
        Some(&supervisor),
        &json!({"reason": ""}),
    )
    .await
    .problem(422);
    app.post(
        &format!("/api/v1/sittings/{sitting}/late-admissions"),
        Some(&supervisor),
        &json!({"reason": 5}),
    )
    .await
    .problem(422);
    let m = app
        .get(
            &format!("/api/v1/sessions/{}/monitor", d.session_id),
            Some(&supervisor),
        )
        .await;
    assert_eq!(m.body["roster"].as_array().unwrap().len(), 30);
    assert!(m.body["roster"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["late_admitted"] == false));
}
