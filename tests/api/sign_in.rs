//! Who can open a sitting (issue 16, VN-21, VN-22, VN-23): only the candidate, with the PIN
//! printed on their own admission ticket; a second computer waits for the supervisor; a
//! finished sitting shows only its result, for a while; a session may be locked to the lab's
//! networks; the throttle fits a lab behind one address; and every sign-in is logged.

use chrono::Duration;
use serde_json::{json, Value};
use server::auth::Role;
use tests::{Resp, TestApp};

/// The PIN printed on the admission ticket of `ticket_no` in the session's printout.
fn pin_on_admission_ticket(html: &str, ticket_no: &str) -> Option<String> {
    let at = html.find(&format!("<td class=\"ticket-no\">{ticket_no}</td>"))?;
    let rest = &html[at..];
    let start = rest.find("<td class=\"pin\">")? + "<td class=\"pin\">".len();
    let end = rest[start..].find("</td>")?;
    Some(rest[start..start + end].to_string())
}

async fn login_as(app: &TestApp, body: &Value, user_agent: &str) -> Resp {
    let req = app
        .client
        .post(app.url("/api/v1/candidate/login"))
        .header("user-agent", user_agent)
        .json(body);
    app.send(req, None).await
}

/// The waiting page asks how its move stands.
async fn poll(app: &TestApp, id: i64, claim: &str) -> Resp {
    let path = format!("/api/v1/candidate/moves/{id}");
    app.post(&path, None, &json!({"claim": claim})).await
}

#[tokio::test]
async fn vn_21_sign_in_needs_the_pin_of_the_candidates_own_admission_ticket() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    let tickets = app
        .get_bytes(
            &format!("/api/v1/sessions/{}/admission-tickets", d.session_id),
            Some(&hr),
        )
        .await;
    let tickets = String::from_utf8(tickets.bytes).unwrap();
    let mine = pin_on_admission_ticket(&tickets, &d.tickets[0].1).expect("a PIN on my ticket");
    let neighbours = pin_on_admission_ticket(&tickets, &d.tickets[1].1).expect("on theirs");
    assert_eq!(mine.len(), 6);
    assert_ne!(mine, neighbours);
    // The room's seat list shows every ticket number, and no PIN.
    let list = app
        .get_bytes(
            &format!("/api/v1/sessions/{}/seat-list", d.session_id),
            Some(&hr),
        )
        .await;
    let list = String::from_utf8(list.bytes).unwrap();
    assert!(list.contains(d.tickets[0].1.as_str()));
    assert!(!list.contains(&mine) && !list.contains(&neighbours));

    // The neighbour knows the session code and my ticket number: not enough.
    let login = |pin: Option<&str>| json!({"ticket_no": d.tickets[0].1, "access_code": d.access_code, "pin": pin});
    for pin in [None, Some(neighbours.as_str()), Some("")] {
        let r = app.post("/api/v1/candidate/login", None, &login(pin)).await;
        assert!(r.problem(401)["detail"].as_str().unwrap().contains("PIN"));
    }
    let r = app
        .post("/api/v1/candidate/login", None, &login(Some(&mine)))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Only a keyed digest is stored.
    use sea_orm::EntityTrait;
    let stored = server::entities::sittings::Entity::find_by_id(d.tickets[0].0)
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    let digest = stored.pin_hash.unwrap();
    assert_eq!(digest.len(), 64);
    assert!(!digest.contains(&mine));
}

#[tokio::test]
async fn vn_21_a_supervisor_reissues_a_pin_with_a_reason_shown_once_and_audited() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    let supervisor = app.staff("giamthi2", &[Role::Supervisor]).await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    let (sitting, ticket) = (d.tickets[2].0, d.tickets[2].1.clone());
    let path = format!("/api/v1/sittings/{sitting}/pin");
    // Outsiders first: HR and a candidate may not; a reason is required.
    app.post(&path, Some(&hr), &json!({"reason": "mất giấy báo"}))
        .await
        .problem(403);
    let other = app.candidate(&d.tickets[3].1, &d.access_code).await;
    app.post(&path, Some(&other), &json!({"reason": "mất giấy báo"}))
        .await
        .problem(401);
    app.post(&path, Some(&supervisor), &json!({"reason": ""}))
        .await
        .problem(422);

    let r = app
        .post(
            &path,
            Some(&supervisor),
            &json!({"reason": "Thí sinh làm mất giấy báo dự thi"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let new_pin = r.body["pin"].as_str().unwrap().to_string();
    assert_eq!(new_pin.len(), 6);
    let old = app.candidate_login(&ticket, &d.access_code).await;
    if new_pin != app.pin(&ticket) {
        old.problem(401);
    }
    let ok = app
        .post(
            "/api/v1/candidate/login",
            None,
            &json!({"ticket_no": ticket, "access_code": d.access_code, "pin": new_pin}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    // The reprinted admission ticket no longer shows the old PIN.
    let tickets = app
        .get_bytes(
            &format!("/api/v1/sessions/{}/admission-tickets", d.session_id),
            Some(&hr),
        )
        .await;
    let tickets = String::from_utf8(tickets.bytes).unwrap();
    let printed = pin_on_admission_ticket(&tickets, &ticket).unwrap();
    assert!(printed.contains("cấp lại"), "{printed}");
    // Audited with its reason, never with the PIN.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let audited = server::entities::audit_log::Entity::find()
        .filter(server::entities::audit_log::Column::Action.eq("sitting.pin_reissue"))
        .one(app.db())
        .await
        .unwrap()
        .expect("audited");
    assert!(audited.details.contains("mất giấy báo"));
    assert!(!audited.details.contains(&new_pin));
}

#[tokio::test]
async fn every_way_of_seating_a_candidate_issues_a_pin() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    // A session from an explicit list of candidates: each ticket comes with its PIN.
    let exam = app
        .post(
            &format!("/api/v1/rounds/{}/exams", d.round_id),
            Some(&hr),
            &json!({"code": "V1-B", "name": "Thi bổ sung", "stage": "round1", "duration_minutes": 30,
                "sections": [{"code": "KTC", "name": "Kiến thức chung", "pass_ratio": "0.50", "cells": [
                    {"seal_id": d.seal_id, "topic": "Kiến thức chung/Tin học văn phòng", "difficulty": 1, "count": 2}]}]}),
        )
        .await;
    assert_eq!(exam.status, 201, "{}", exam.text);
    let s = app
        .post(
            &format!("/api/v1/exams/{}/sessions", exam.body["id"]),
            Some(&hr),
            &json!({"code": "CA-B", "room": "P5", "starts_at": "2030-01-01T08:00:00+07:00",
                    "application_ids": [d.application_ids[0], d.application_ids[1]]}),
        )
        .await;
    assert_eq!(s.status, 201, "{}", s.text);
    for t in s.body["tickets"].as_array().unwrap() {
        let ticket = t["ticket_no"].as_str().unwrap();
        assert_eq!(t["pin"].as_str(), Some(app.pin(ticket).as_str()));
    }
    // The demo's seating and a re-sitting (VN-23) too; no sitting is left without one.
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    let supervisor = app.staff("giamthi2", &[Role::Supervisor]).await;
    let r = app
        .post(
            &format!("/api/v1/sittings/{}/resittings", d.tickets[5].0),
            Some(&supervisor),
            &json!({"reason": "Máy 06 treo"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let new_ticket = r.body["ticket_no"].as_str().unwrap();
    assert_eq!(r.body["pin"].as_str(), Some(app.pin(new_ticket).as_str()));
    app.candidate(new_ticket, &d.access_code).await;
    use sea_orm::EntityTrait;
    let sittings = server::entities::sittings::Entity::find()
        .all(app.db())
        .await
        .unwrap();
    assert!(sittings.len() > 20);
    assert!(sittings.iter().all(|s| s.pin_hash.is_some()));
}

#[tokio::test]
async fn a_second_sign_in_waits_and_the_first_page_keeps_saving_until_the_supervisor_approves() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(3));
    let (sitting, ticket) = (d.tickets[4].0, d.tickets[4].1.clone());
    let body = json!({"ticket_no": ticket, "access_code": d.access_code, "pin": app.pin(&ticket)});
    let first = login_as(&app, &body, "Lab PC 07 (Firefox)").await;
    assert_eq!(first.status, 200, "{}", first.text);
    let first = first.body["token"].as_str().unwrap().to_string();
    // A choice question of this paper.
    let view = app.get("/api/v1/sitting", Some(&first)).await;
    let q = view.body["sections"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] != "fill_blank")
        .map(|i| i["no"].as_u64().unwrap())
        .unwrap();
    let answer = format!("/api/v1/sitting/answers/{q}");
    let save = |seq: i64| json!({"choices": ["A"], "seq": seq});
    let saved = app.put(&answer, Some(&first), &save(1)).await;
    assert_eq!(saved.status, 200, "{}", saved.text);

    // Someone signs in to the same sitting from elsewhere: they wait, the first page goes on.
    app.move_clock_to(d.starts_at + Duration::minutes(9));
    let waiting = login_as(&app, &body, "Lab PC 31 (Chromium)").await;
    assert_eq!(waiting.status, 202, "{}", waiting.text);
    assert_eq!(waiting.body["status"], "waiting_for_supervisor");
    assert!(waiting.body.get("token").is_none());
    let id = waiting.body["move_id"].as_i64().unwrap();
    let claim = waiting.body["claim"].as_str().unwrap().to_string();
    assert_eq!(poll(&app, id, &claim).await.status, 202);
    poll(&app, id, "not the claim").await.problem(404);
    let saved = app.put(&answer, Some(&first), &save(2)).await;
    assert_eq!(
        saved.status, 200,
        "the first page keeps saving: {}",
        saved.text
    );

    // The console lists the move with both computers.
    let supervisor = app.staff("giamthi2", &[Role::Supervisor]).await;
    let moves = app
        .get(
            &format!("/api/v1/sessions/{}/moves", d.session_id),
            Some(&supervisor),
        )
        .await;
    assert_eq!(moves.status, 200, "{}", moves.text);
    let m = &moves.body["items"][0];
    assert_eq!(m["id"], id);
    assert_eq!(m["sitting_id"], sitting);
    assert_eq!(m["current"]["user_agent"], "Lab PC 07 (Firefox)");
    assert_eq!(m["requested"]["user_agent"], "Lab PC 31 (Chromium)");
    assert_eq!(m["current"]["address"], "127.0.0.1");
    assert!(m["requested"]["at"].as_str().unwrap() > m["current"]["at"].as_str().unwrap());

    // Only a supervisor approves, and with a reason.
    let approve = format!("/api/v1/moves/{id}/approve");
    app.post(&approve, Some(&first), &json!({"reason": "tự cho phép"}))
        .await
        .problem(401);
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    app.post(&approve, Some(&hr), &json!({"reason": "máy hỏng"}))
        .await
        .problem(403);
    app.post(&approve, Some(&supervisor), &json!({"reason": ""}))
        .await
        .problem(422);
    let saved = app.put(&answer, Some(&first), &save(3)).await;
    assert_eq!(saved.status, 200, "still the first page's: {}", saved.text);
    let r = app
        .post(
            &approve,
            Some(&supervisor),
            &json!({"reason": "Máy 07 hỏng màn hình, chuyển sang máy 31"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.post(&approve, Some(&supervisor), &json!({"reason": "lần nữa"}))
        .await
        .problem(409);

    // Now the first page is locked, and the new one holds the sitting with every answer.
    let locked = app.put(&answer, Some(&first), &save(4)).await;
    assert!(
        locked.status == 401 || locked.status == 409,
        "{}",
        locked.text
    );
    let moved = poll(&app, id, &claim).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let second = moved.body["token"].as_str().unwrap();
    let resumed = app.get("/api/v1/sitting", Some(second)).await;
    assert_eq!(resumed.body["answers"][q.to_string()]["seq"], 3);
    let saved = app.put(&answer, Some(second), &save(4)).await;
    assert_eq!(saved.status, 200, "{}", saved.text);

    // Audited with both computers and the reason.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let audited = server::entities::audit_log::Entity::find()
        .filter(server::entities::audit_log::Column::Action.eq("sitting.device_move"))
        .one(app.db())
        .await
        .unwrap()
        .expect("audited");
    assert!(audited.details.contains("Lab PC 07") && audited.details.contains("Lab PC 31"));
    assert!(audited.details.contains("màn hình"));
    assert_eq!(
        app.get(
            &format!("/api/v1/sessions/{}/moves", d.session_id),
            Some(&supervisor)
        )
        .await
        .body["items"],
        json!([])
    );
}

#[tokio::test]
async fn after_hand_in_sign_in_gives_only_the_result_for_half_an_hour_then_nothing() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    let token = app.candidate(&d.tickets[8].1, &d.access_code).await;
    let done = app
        .post("/api/v1/sitting/submit", Some(&token), &json!({}))
        .await;
    assert_eq!(done.status, 200, "{}", done.text);

    // Handed in: signing in again shows the result, read only, without waiting.
    let again = app.candidate_login(&d.tickets[8].1, &d.access_code).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["read_only"], true);
    assert_eq!(again.body["status"], "submitted");
    let later = again.body["token"].as_str().unwrap();
    let view = app.get("/api/v1/sitting", Some(later)).await;
    assert_eq!(view.status, 200, "{}", view.text);
    assert!(view.body["result"].is_object(), "{}", view.text);
    app.put(
        "/api/v1/sitting/answers/1",
        Some(later),
        &json!({"choices": ["A"], "seq": 9}),
    )
    .await
    .problem(423);

    // A sitting closed by the clock, the same until 30 minutes after its end.
    let ends = d.starts_at + Duration::minutes(60);
    app.move_clock_to(ends + Duration::minutes(29));
    let closed = app.candidate_login(&d.tickets[9].1, &d.access_code).await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(closed.body["read_only"], true);

    // Then the session code opens nothing any more.
    app.move_clock_to(ends + Duration::minutes(31));
    for seat in [8, 9, 10] {
        let r = app
            .candidate_login(&d.tickets[seat].1, &d.access_code)
            .await;
        assert!(r.problem(403)["detail"].as_str().unwrap().contains("over"));
    }
}

#[tokio::test]
async fn a_lab_lock_refuses_sign_ins_from_elsewhere_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    let supervisor = app.staff("giamthi2", &[Role::Supervisor]).await;
    let path = format!("/api/v1/sessions/{}/lab-lock", d.session_id);
    // Bad networks are named, and nothing changes.
    let bad = app
        .put(
            &path,
            Some(&supervisor),
            &json!({"networks": ["10.9.9.0/24", "10.9.9.0/40", "phòng máy"]}),
        )
        .await;
    let problem = bad.problem(422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["field"]
                .as_str()
                .or(e["location"].as_str())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(fields, ["networks[1]", "networks[2]"], "{problem}");
    assert_eq!(
        app.get(&path, Some(&supervisor)).await.body["networks"],
        json!([])
    );
    let candidate = app.candidate(&d.tickets[0].1, &d.access_code).await;
    app.put(&path, Some(&candidate), &json!({"networks": []}))
        .await
        .problem(401);

    let r = app
        .put(
            &path,
            Some(&supervisor),
            &json!({"networks": ["10.9.9.0/24"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["networks"], json!(["10.9.9.0/24"]));
    // This test's client is 127.0.0.1, outside the lab; a forged header changes nothing,
    // since the peer is no trusted proxy.
    let refused = app.candidate_login(&d.tickets[1].1, &d.access_code).await;
    assert!(refused.problem(403)["detail"]
        .as_str()
        .unwrap()
        .contains("exam room"));
    let body = json!({"ticket_no": d.tickets[1].1, "access_code": d.access_code, "pin": app.pin(&d.tickets[1].1)});
    let forged = app
        .send(
            app.client
                .post(app.url("/api/v1/candidate/login"))
                .header("x-forwarded-for", "10.9.9.5")
                .json(&body),
            None,
        )
        .await;
    forged.problem(403);
    // Lifted, sign-in works again.
    app.put(&path, Some(&supervisor), &json!({"networks": []}))
        .await;
    assert_eq!(
        app.candidate_login(&d.tickets[1].1, &d.access_code)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_client() {
    let app = TestApp::spawn_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    let supervisor = app.staff("giamthi2", &[Role::Supervisor]).await;
    app.put(
        &format!("/api/v1/sessions/{}/lab-lock", d.session_id),
        Some(&supervisor),
        &json!({"networks": ["10.9.9.0/24"]}),
    )
    .await;
    let via = |ticket: &str, forwarded: &str| {
        let body =
            json!({"ticket_no": ticket, "access_code": d.access_code, "pin": app.pin(ticket)});
        app.send(
            app.client
                .post(app.url("/api/v1/candidate/login"))
                .header("x-forwarded-for", forwarded)
                .json(&body),
            None,
        )
    };
    assert_eq!(via(&d.tickets[0].1, "10.9.9.5").await.status, 200);
    via(&d.tickets[1].1, "10.9.9.5, 192.168.1.20")
        .await
        .problem(403);
    via(&d.tickets[1].1, "junk").await.problem(403);
    // The log names the lab computer, not the proxy.
    let log = app
        .get(
            &format!("/api/v1/sessions/{}/security-log", d.session_id),
            Some(&supervisor),
        )
        .await;
    let addresses: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["address"].as_str().unwrap())
        .collect();
    assert!(addresses.contains(&"10.9.9.5"), "{addresses:?}");
    assert!(addresses.contains(&"192.168.1.20"), "{addresses:?}");
}

#[tokio::test]
async fn six_wrong_tickets_from_one_lab_address_do_not_stop_a_correct_candidate() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    for n in 1..=6 {
        let r = app
            .post(
                "/api/v1/candidate/login",
                None,
                &json!({"ticket_no": format!("HP26-99{n:02}"), "access_code": d.access_code, "pin": "123456"}),
            )
            .await;
        r.problem(401);
    }
    assert_eq!(
        app.candidate_login(&d.tickets[0].1, &d.access_code)
            .await
            .status,
        200
    );
    // One ticket tried again and again is stopped, that ticket only.
    let wrong = json!({"ticket_no": d.tickets[1].1, "access_code": d.access_code, "pin": "x"});
    for _ in 0..5 {
        app.post("/api/v1/candidate/login", None, &wrong)
            .await
            .problem(401);
    }
    app.candidate_login(&d.tickets[1].1, &d.access_code)
        .await
        .problem(429);
    assert_eq!(
        app.candidate_login(&d.tickets[2].1, &d.access_code)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn every_sign_in_is_in_the_security_log_for_supervisors_and_admins() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    let admin = app.staff("quantri2", &[Role::Admin]).await;
    let supervisor = app.staff("giamthi2", &[Role::Supervisor]).await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    app.post(
        "/api/v1/auth/login",
        None,
        &json!({"username": "tochuc2", "password": "sai"}),
    )
    .await
    .problem(401);
    app.post(
        "/api/v1/candidate/login",
        None,
        &json!({"ticket_no": d.tickets[0].1, "access_code": d.access_code, "pin": "000000x"}),
    )
    .await
    .problem(401);
    let candidate = app.candidate(&d.tickets[0].1, &d.access_code).await;

    let all = app.get("/api/v1/security-log", Some(&admin)).await;
    assert_eq!(all.status, 200, "{}", all.text);
    let kinds: Vec<(String, String)> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap().into(),
                l["subject"].as_str().unwrap().into(),
            )
        })
        .collect();
    let ticket = format!("candidate:{}", d.tickets[0].1);
    for expected in [
        ("staff.login".to_string(), "staff:quantri2".to_string()),
        ("staff.login_failed".into(), "staff:tochuc2".into()),
        ("candidate.login_failed".into(), ticket.clone()),
        ("candidate.login".into(), ticket.clone()),
    ] {
        assert!(kinds.contains(&expected), "{expected:?} in {kinds:?}");
    }
    // The supervisor reads the session's own lines; others may not read the log.
    let session = app
        .get(
            &format!("/api/v1/sessions/{}/security-log", d.session_id),
            Some(&supervisor),
        )
        .await;
    assert_eq!(session.status, 200, "{}", session.text);
    assert!(session.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["session_id"] == d.session_id));
    assert!(!session.body["items"].as_array().unwrap().is_empty());
    app.get("/api/v1/security-log", Some(&supervisor))
        .await
        .problem(403);
    app.get(
        &format!("/api/v1/sessions/{}/security-log", d.session_id),
        Some(&hr),
    )
    .await
    .problem(403);
    app.get("/api/v1/security-log", Some(&candidate))
        .await
        .problem(401);
    app.get("/api/v1/security-log", None).await.problem(401);
}

#[tokio::test]
async fn two_first_sign_ins_at_the_same_moment_never_cut_one_off_silently() {
    // Ten pairs of sign-ins to ten fresh sittings, each pair sent at once: in every pair one
    // computer holds the sitting and keeps it; the other is refused (409) or told to wait
    // for the supervisor (202), never handed a second live token.
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(3));
    for (_, ticket) in d.tickets.iter().take(10) {
        let body =
            json!({"ticket_no": ticket, "access_code": d.access_code, "pin": app.pin(ticket)});
        let (a, b) = tokio::join!(
            login_as(&app, &body, "Lab PC 07 (Firefox)"),
            login_as(&app, &body, "Lab PC 31 (Chromium)")
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert!(
            statuses == [200, 202] || statuses == [200, 409],
            "{ticket}: {} / {}",
            a.text,
            b.text
        );
        let holder = if a.status == 200 { &a } else { &b };
        let token = holder.body["token"].as_str().unwrap();
        let view = app.get("/api/v1/sitting", Some(token)).await;
        assert_eq!(
            view.status, 200,
            "the computer that signed in keeps the sitting"
        );
    }
}
