//! Automatic seat assignment, hand edits, admission tickets and seat lists (issue 5, acceptance
//! 5 and 7): capacity, everyone seated once, positions spread apart, ineligible never seated.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use server::auth::Role;
use std::collections::{HashMap, HashSet};
use tests::{Demo, TestApp};

/// A second round-1 exam over the demo seal, so all 30 demo candidates are still unseated for it.
async fn second_exam(app: &TestApp, d: &Demo, hr: &str) -> i64 {
    let topic = |t: &str| format!("Kiến thức chung/{t}");
    let r = app
        .post(
            &format!("/api/v1/rounds/{}/exams", d.round_id),
            Some(hr),
            &json!({"code": "V1-BU", "name": "Vòng 1 – thi bù", "stage": "round1", "duration_minutes": 30,
                    "sections": [{"code": "KTC", "name": "Kiến thức chung", "pass_ratio": "0.50", "cells": [
                        {"seal_id": d.seal_id, "topic": topic("Tin học văn phòng"), "difficulty": 1, "count": 2}]}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_i64().unwrap()
}

/// Application ids of the demo round for one position, ascending.
async fn applications_of(app: &TestApp, hr: &str, round_id: i32, position: &str) -> Vec<i64> {
    let r = app
        .get(
            &format!("/api/v1/rounds/{round_id}/applications?position_code={position}&limit=100"),
            Some(hr),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut ids: Vec<i64> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

async fn set_eligible(app: &TestApp, hr: &str, id: i64, eligible: bool) {
    let body = if eligible {
        json!({"eligible": true})
    } else {
        json!({"eligible": false, "reason": "Thiếu văn bằng theo yêu cầu"})
    };
    let r = app
        .post(
            &format!("/api/v1/applications/{id}/eligibility"),
            Some(hr),
            &body,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

fn sessions_body(seats: &[i64], starts_at: DateTime<Utc>, dry_run: bool) -> Value {
    let sessions: Vec<Value> = seats
        .iter()
        .enumerate()
        .map(|(i, n)| {
            json!({"code": format!("BU-{:02}", i + 1), "room": format!("Phòng máy {:02}", i + 1),
                   "seats": n, "starts_at": starts_at + Duration::hours(i as i64)})
        })
        .collect();
    json!({"sessions": sessions, "dry_run": dry_run})
}

async fn assign(app: &TestApp, hr: &str, exam_id: i64, body: &Value) -> tests::Resp {
    app.post(
        &format!("/api/v1/exams/{exam_id}/sessions/assign"),
        Some(hr),
        body,
    )
    .await
}

/// (application id, position code) by seat, per session.
fn seating(sessions: &Value) -> Vec<Vec<(i64, String)>> {
    sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let tickets = s["tickets"].as_array().unwrap();
            let seats: Vec<i64> = tickets
                .iter()
                .map(|t| t["seat"].as_i64().unwrap())
                .collect();
            assert_eq!(
                seats,
                (1..=tickets.len() as i64).collect::<Vec<_>>(),
                "seats by order"
            );
            tickets
                .iter()
                .map(|t| {
                    (
                        t["application_id"].as_i64().unwrap(),
                        t["position_code"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .collect()
}

/// The demo round with four CV-TCKT candidates found ineligible: 14 CV-TCKT and 12 CV-VP left.
async fn demo_with_four_ineligible(app: &TestApp) -> (Demo, String, i64, Vec<i64>) {
    let d = app.demo().await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    let exam = second_exam(app, &d, &hr).await;
    let tckt = applications_of(app, &hr, d.round_id, "CV-TCKT").await;
    let ineligible: Vec<i64> = tckt[..4].to_vec();
    for id in &ineligible {
        set_eligible(app, &hr, *id, false).await;
    }
    (d, hr, exam, ineligible)
}

#[tokio::test]
async fn every_eligible_candidate_gets_one_seat_rooms_stay_within_capacity_and_rivals_never_sit_side_by_side(
) {
    let app = TestApp::spawn().await;
    let (d, hr, exam, ineligible) = demo_with_four_ineligible(&app).await;
    let starts = app.state.now() + Duration::days(2);

    let r = assign(&app, &hr, exam, &sessions_body(&[20, 20], starts, false)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["dry_run"], false);
    assert_eq!(r.body["seated"], 26);
    let rooms = seating(&r.body["sessions"]);
    let mut seen = HashSet::new();
    for (room, session) in rooms.iter().zip(r.body["sessions"].as_array().unwrap()) {
        assert!(room.len() <= 20, "capacity");
        // 26 candidates over two rooms of 20 seats: 13 each, 7 CV-TCKT and 6 CV-VP.
        assert_eq!(room.len(), 13);
        assert_eq!(room.iter().filter(|(_, p)| p == "CV-TCKT").count(), 7);
        for pair in room.windows(2) {
            assert_ne!(
                pair[0].1, pair[1].1,
                "neighbours for the same position: {room:?}"
            );
        }
        for (id, _) in room {
            assert!(seen.insert(*id), "application {id} seated twice");
            assert!(!ineligible.contains(id), "ineligible {id} was seated");
        }
        assert!(session["id"].as_i64().is_some());
        assert!(
            session.get("access_code").is_none(),
            "HR does not see the code"
        );
        for t in session["tickets"].as_array().unwrap() {
            let ticket = t["ticket_no"].as_str().unwrap();
            assert_eq!(
                ticket,
                format!(
                    "{:04}{:03}",
                    session["id"].as_i64().unwrap(),
                    t["seat"].as_i64().unwrap()
                )
            );
            assert!(!t["full_name"].as_str().unwrap().is_empty());
        }
    }
    let eligible: HashSet<i64> = d
        .application_ids
        .iter()
        .map(|id| i64::from(*id))
        .filter(|id| !ineligible.contains(id))
        .collect();
    assert_eq!(seen, eligible);

    // Nobody is left to seat: a second run is refused and creates nothing.
    let body = json!({"sessions": [{"code": "BU-09", "room": "Phòng 9", "seats": 5, "starts_at": starts}]});
    let again = assign(&app, &hr, exam, &body).await;
    let p = again.problem(422);
    assert_eq!(p["errors"][0]["location"], "sessions");
    let listed = app
        .get(&format!("/api/v1/exams/{exam}/sessions"), Some(&hr))
        .await;
    assert_eq!(listed.body["total"], 2);
}

#[tokio::test]
async fn a_dry_run_shows_the_very_plan_that_is_then_written_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let (_d, hr, exam, _) = demo_with_four_ineligible(&app).await;
    let starts = app.state.now() + Duration::days(2);

    let dry = assign(&app, &hr, exam, &sessions_body(&[10, 10, 10], starts, true)).await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(dry.body["dry_run"], true);
    assert_eq!(dry.body["sessions"][0]["id"], Value::Null);
    assert_eq!(
        dry.body["sessions"][0]["tickets"][0]["ticket_no"],
        Value::Null
    );
    let listed = app
        .get(&format!("/api/v1/exams/{exam}/sessions"), Some(&hr))
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.body["total"], 0, "a dry run writes nothing");

    let real = assign(
        &app,
        &hr,
        exam,
        &sessions_body(&[10, 10, 10], starts, false),
    )
    .await;
    assert_eq!(real.status, 201, "{}", real.text);
    assert_eq!(
        seating(&dry.body["sessions"]),
        seating(&real.body["sessions"])
    );

    // The list shows the same sessions and tickets, by start.
    let listed = app
        .get(&format!("/api/v1/exams/{exam}/sessions"), Some(&hr))
        .await;
    assert_eq!(listed.body["total"], 3);
    assert_eq!(
        seating(&listed.body["items"]),
        seating(&real.body["sessions"])
    );
    assert_eq!(listed.body["items"][0]["seats"], 10);
    assert_eq!(listed.body["items"][0]["started"], false);
}

#[tokio::test]
async fn too_few_seats_are_refused_naming_the_shortfall_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    let exam = second_exam(&app, &d, &hr).await;
    let starts = app.state.now() + Duration::days(2);

    let r = assign(&app, &hr, exam, &sessions_body(&[12, 12], starts, false)).await;
    let p = r.problem(422);
    assert_eq!(p["errors"][0]["location"], "sessions");
    let message = p["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("30 eligible candidates but 24 seats: 6 seats short"),
        "{message}"
    );
    let listed = app
        .get(&format!("/api/v1/exams/{exam}/sessions"), Some(&hr))
        .await;
    assert_eq!(listed.body["total"], 0);
}

#[tokio::test]
async fn invalid_sessions_are_refused_field_by_field() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    let exam = second_exam(&app, &d, &hr).await;
    let past = app.state.now() - Duration::hours(1);
    let r = assign(
        &app,
        &hr,
        exam,
        &json!({"sessions": [
            {"code": "A", "room": "P1", "seats": 0, "starts_at": past},
            {"code": "A", "room": " ", "seats": 40, "starts_at": past + Duration::days(3)},
        ]}),
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
        vec![
            "sessions[0].seats",
            "sessions[0].starts_at",
            "sessions[1].code",
            "sessions[1].room"
        ]
    );
    let other = app.staff("giamthi9", &[Role::Supervisor]).await;
    let r = assign(
        &app,
        &other,
        exam,
        &sessions_body(&[40], d.starts_at + Duration::days(1), false),
    )
    .await;
    r.problem(403);
}

#[tokio::test]
async fn a_later_assignment_seats_only_the_candidates_still_without_a_seat() {
    let app = TestApp::spawn().await;
    let (_d, hr, exam, ineligible) = demo_with_four_ineligible(&app).await;
    let starts = app.state.now() + Duration::days(2);
    let first = assign(&app, &hr, exam, &sessions_body(&[30], starts, false)).await;
    assert_eq!(first.body["seated"], 26, "{}", first.text);

    // One of the refused is found eligible after all (a complaint upheld).
    set_eligible(&app, &hr, ineligible[0], true).await;
    let body = json!({"sessions": [{"code": "BU-09", "room": "Phòng 9", "seats": 3,
                                    "starts_at": starts + Duration::hours(3)}]});
    let second = assign(&app, &hr, exam, &body).await;
    assert_eq!(second.status, 201, "{}", second.text);
    let rooms = seating(&second.body["sessions"]);
    assert_eq!(rooms, vec![vec![(ineligible[0], "CV-TCKT".to_string())]]);
}

/// Assigns 26 candidates over two rooms of 20 (13 each, seats 14–20 free) and returns the list.
async fn two_rooms(app: &TestApp) -> (Demo, String, i64, Value) {
    let (d, hr, exam, _) = demo_with_four_ineligible(app).await;
    let starts = app.state.now() + Duration::days(2);
    let r = assign(app, &hr, exam, &sessions_body(&[20, 20], starts, false)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    (d, hr, exam, r.body["sessions"].clone())
}

async fn move_seat(app: &TestApp, hr: &str, sitting: i64, body: &Value) -> tests::Resp {
    app.put(&format!("/api/v1/sittings/{sitting}/seat"), Some(hr), body)
        .await
}

#[tokio::test]
async fn hr_moves_a_candidate_to_a_free_seat_of_another_session_and_the_ticket_number_stays() {
    let app = TestApp::spawn().await;
    let (_d, hr, exam, sessions) = two_rooms(&app).await;
    let from = &sessions[0];
    let to_id = sessions[1]["id"].as_i64().unwrap();
    let mover = &from["tickets"][2];
    let sitting = mover["sitting_id"].as_i64().unwrap();
    let ticket = mover["ticket_no"].as_str().unwrap().to_string();

    // Papers of the first session are built; the mover's is rebuilt for the new session.
    let built = app
        .post(
            &format!("/api/v1/sessions/{}/papers", from["id"]),
            Some(&hr),
            &json!({}),
        )
        .await;
    assert_eq!(built.status, 200, "{}", built.text);

    let r = move_seat(
        &app,
        &hr,
        sitting,
        &json!({"session_id": to_id, "seat": 20, "reason": "Thí sinh khuyết tật vận động, cần chỗ gần cửa"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["moved"]["ticket_no"], ticket.as_str());
    assert_eq!(r.body["moved"]["session_id"], to_id);
    assert_eq!(r.body["moved"]["seat"], 20);
    assert_eq!(r.body["swapped_with"], Value::Null);

    let sup = app.staff("giamthi9", &[Role::Supervisor]).await;
    let listed = app
        .get(&format!("/api/v1/exams/{exam}/sessions"), Some(&sup))
        .await;
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items[0]["tickets"].as_array().unwrap().len(), 12);
    let last = items[1]["tickets"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["seat"].as_i64(), last["ticket_no"].as_str()),
        (Some(20), Some(ticket.as_str()))
    );

    // The candidate signs in with the same ticket and the code of the new session only.
    let old_code = items[0]["access_code"].as_str().unwrap();
    let new_code = items[1]["access_code"].as_str().unwrap();
    let refused = app
        .post(
            "/api/v1/candidate/login",
            None,
            &json!({"ticket_no": ticket, "access_code": old_code, "pin": app.pin(&ticket)}),
        )
        .await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    let token = app.candidate(&ticket, new_code).await;
    let paper = app.get("/api/v1/sitting", Some(&token)).await;
    assert_eq!(paper.status, 200, "{}", paper.text);
    assert_eq!(
        paper.body["starts_at"]
            .as_str()
            .map(|s| s.parse::<DateTime<Utc>>().unwrap()),
        items[1]["starts_at"]
            .as_str()
            .map(|s| s.parse::<DateTime<Utc>>().unwrap())
    );

    // The move is in the audit log with its reason.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use server::entities::audit_log;
    let audited = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("sitting.seat"))
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].entity_id, sitting.to_string());
    assert!(audited[0].details.contains("cần chỗ gần cửa"));
}

#[tokio::test]
async fn moving_onto_an_occupied_seat_swaps_the_two_candidates() {
    let app = TestApp::spawn().await;
    let (_d, hr, exam, sessions) = two_rooms(&app).await;
    let room = &sessions[0];
    let a = &room["tickets"][0];
    let b = &room["tickets"][5];
    let r = move_seat(
        &app,
        &hr,
        a["sitting_id"].as_i64().unwrap(),
        &json!({"session_id": room["id"], "seat": 6, "reason": "Đổi chỗ theo đề nghị của thí sinh"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["swapped_with"]["sitting_id"], b["sitting_id"]);
    assert_eq!(r.body["swapped_with"]["seat"], 1);
    let listed = app
        .get(&format!("/api/v1/exams/{exam}/sessions"), Some(&hr))
        .await;
    let tickets = &listed.body["items"][0]["tickets"];
    assert_eq!(tickets[0]["application_id"], b["application_id"]);
    assert_eq!(tickets[0]["ticket_no"], b["ticket_no"]);
    assert_eq!(tickets[5]["application_id"], a["application_id"]);
    assert_eq!(tickets.as_array().unwrap().len(), 13);
}

#[tokio::test]
async fn seats_cannot_change_without_a_reason_outside_the_room_or_once_the_session_started() {
    let app = TestApp::spawn().await;
    let (d, hr, _exam, sessions) = two_rooms(&app).await;
    let room = &sessions[0];
    let sitting = room["tickets"][0]["sitting_id"].as_i64().unwrap();
    let r = move_seat(
        &app,
        &hr,
        sitting,
        &json!({"session_id": room["id"], "seat": 3, "reason": ""}),
    )
    .await;
    assert_eq!(r.problem(422)["errors"][0]["location"], "reason");
    let r = move_seat(
        &app,
        &hr,
        sitting,
        &json!({"session_id": room["id"], "seat": 21, "reason": "Đổi chỗ"}),
    )
    .await;
    assert_eq!(r.problem(422)["errors"][0]["location"], "seat");
    // The demo session belongs to another exam.
    let r = move_seat(
        &app,
        &hr,
        sitting,
        &json!({"session_id": d.session_id, "seat": 3, "reason": "Đổi chỗ"}),
    )
    .await;
    assert_eq!(r.problem(422)["errors"][0]["location"], "session_id");

    let starts: DateTime<Utc> = room["starts_at"].as_str().unwrap().parse().unwrap();
    app.move_clock_to(starts);
    // Staff tokens last an hour: sign in again on the day of the exam.
    let hr = app.staff("tochuc-ngay-thi", &[Role::Hr]).await;
    let r = move_seat(
        &app,
        &hr,
        sitting,
        &json!({"session_id": room["id"], "seat": 18, "reason": "Đổi chỗ"}),
    )
    .await;
    let p = r.problem(409);
    assert!(p["detail"].as_str().unwrap().contains("started"), "{p}");
    let listed = app
        .get(
            &format!("/api/v1/sessions/{}/seat-list?format=html", room["id"]),
            Some(&hr),
        )
        .await;
    assert_eq!(listed.text.matches("<td class=\"sign\"></td>").count(), 13);
}

#[tokio::test]
async fn admission_tickets_print_every_candidate_escaped_with_the_start_in_vietnam_time() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    let exam = second_exam(&app, &d, &hr).await;
    let r = app
        .post(
            &format!("/api/v1/rounds/{}/applications", d.round_id),
            Some(&hr),
            &json!({"full_name": "Đỗ \"Bé\" <Na> & Tí", "date_of_birth": "2001-02-03", "gender": "nữ",
                    "national_id": "031301999999", "position_code": "CV-VP"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    set_eligible(&app, &hr, r.body["id"].as_i64().unwrap(), true).await;
    // 2026-… 01:30 UTC is 08:30 in Hải Phòng.
    let starts: DateTime<Utc> = (app.state.now() + Duration::days(3))
        .date_naive()
        .and_hms_opt(1, 30, 0)
        .unwrap()
        .and_utc();
    let a = assign(&app, &hr, exam, &sessions_body(&[31], starts, false)).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let session = &a.body["sessions"][0];

    let r = app
        .get(
            &format!(
                "/api/v1/sessions/{}/admission-tickets?format=html",
                session["id"]
            ),
            Some(&hr),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.content_type.starts_with("text/html"),
        "{}",
        r.content_type
    );
    let html = &r.text;
    assert_eq!(html.matches("GIẤY BÁO DỰ THI</h1>").count(), 31);
    for t in session["tickets"].as_array().unwrap() {
        assert!(html.contains(t["ticket_no"].as_str().unwrap()));
        let name = t["full_name"].as_str().unwrap();
        if !name.contains('<') {
            assert!(html.contains(name), "{name}");
        }
    }
    assert!(html.contains("Đỗ &quot;Bé&quot; &lt;Na&gt; &amp; Tí"));
    assert!(!html.contains("<Na>"));
    assert!(html.contains("03/02/2001"));
    let local = (starts + Duration::hours(7))
        .format("08:30 ngày %d/%m/%Y")
        .to_string();
    assert!(html.contains(&local), "{local}");
    assert!(html.contains("@media print"));
    let round = app
        .get(&format!("/api/v1/rounds/{}", d.round_id), Some(&hr))
        .await;
    assert!(html.contains(round.body["name"].as_str().unwrap()));
    // The session code is read out in the room, never printed.
    let sup = app.staff("giamthi9", &[Role::Supervisor]).await;
    let listed = app
        .get(&format!("/api/v1/exams/{exam}/sessions"), Some(&sup))
        .await;
    let code = listed.body["items"][0]["access_code"].as_str().unwrap();
    assert!(!html.contains(code));

    let r = app
        .get(
            &format!(
                "/api/v1/sessions/{}/admission-tickets?format=pdf",
                session["id"]
            ),
            Some(&hr),
        )
        .await;
    assert_eq!(r.problem(422)["errors"][0]["location"], "format");
    let r = app
        .get(
            &format!(
                "/api/v1/sessions/{}/admission-tickets?format=html",
                session["id"]
            ),
            Some(&sup),
        )
        .await;
    r.problem(403);
}

#[tokio::test]
async fn the_seat_list_workbook_has_one_row_per_seat() {
    use calamine::{Data, Reader, Xlsx};
    let app = TestApp::spawn().await;
    let (_d, hr, _exam, sessions) = two_rooms(&app).await;
    let room = &sessions[1];
    let resp = app
        .client
        .get(app.url(&format!(
            "/api/v1/sessions/{}/seat-list?format=xlsx",
            room["id"]
        )))
        .bearer_auth(&hr)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let bytes = resp.bytes().await.unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range("Danh sách").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) => format!("{f}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    assert_eq!(rows[0][1], "Số báo danh");
    let tickets = room["tickets"].as_array().unwrap();
    assert_eq!(rows.len(), 1 + tickets.len());
    let by_ticket: HashMap<&str, &Value> = tickets
        .iter()
        .map(|t| (t["ticket_no"].as_str().unwrap(), t))
        .collect();
    for (i, row) in rows[1..].iter().enumerate() {
        assert_eq!(row[0], (i + 1).to_string());
        let t = by_ticket[row[1].as_str()];
        assert_eq!(row[2], t["full_name"].as_str().unwrap());
        assert!(row[4].starts_with(t["position_code"].as_str().unwrap()));
    }

    let sup = app.staff("giamthi9", &[Role::Supervisor]).await;
    let r = app
        .get(
            &format!("/api/v1/sessions/{}/seat-list?format=csv", room["id"]),
            Some(&sup),
        )
        .await;
    assert_eq!(r.problem(422)["errors"][0]["location"], "format");
}
