//! Sitting the exam (issue 6): the server clock rules (VN-17), answers are saved in order and
//! never lost, one live login per sitting, immediate result (VN-18), and no key ever reaches a
//! candidate.

use chrono::Duration;
use serde_json::{json, Value};
use server::auth::Role;
use tests::TestApp;

fn first_choice_answer() -> Value {
    json!({"choices": ["A"], "seq": 1})
}

/// Every field that would reveal a key to a candidate: an option's correctness flag, accepted
/// answers, explanations, the option permutation or which bank item was drawn. (A result's
/// `correct` is a count of right answers, a string, and is part of the contract.)
fn assert_no_key(v: &Value) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let leaks = [
                    "accepted",
                    "answer",
                    "explanation",
                    "permutation",
                    "version_id",
                    "item_id",
                    "seed",
                ]
                .contains(&k.as_str())
                    || (k == "correct" && v.is_boolean());
                assert!(!leaks, "candidate response exposes `{k}`: {v}");
                assert_no_key(v);
            }
        }
        Value::Array(a) => a.iter().for_each(assert_no_key),
        _ => {}
    }
}

/// The number of a question of the given kind on the candidate's paper.
fn question_of_kind(sitting: &Value, kind: &str) -> u64 {
    sitting["sections"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == kind)
        .map(|i| i["no"].as_u64().unwrap())
        .unwrap_or_else(|| panic!("no {kind} question on the paper"))
}

/// The first question answered by choosing (papers are random: question 1 may be fill-in).
async fn choice_no(app: &TestApp, token: &str) -> u64 {
    let s = app.get("/api/v1/sitting", Some(token)).await;
    s.body["sections"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] != "fill_blank")
        .map(|i| i["no"].as_u64().unwrap())
        .unwrap()
}

#[tokio::test]
async fn before_the_start_the_candidate_waits_and_cannot_answer() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let token = app.candidate(&d.tickets[0].1, &d.access_code).await;
    let s = app.get("/api/v1/sitting", Some(&token)).await;
    assert_eq!(s.body["status"], "waiting");
    assert_eq!(
        s.body["sections"],
        json!([]),
        "no question is shown before the start"
    );
    assert!(s.body["server_now"].is_string());
    app.put(
        "/api/v1/sitting/answers/1",
        Some(&token),
        &first_choice_answer(),
    )
    .await
    .problem(423);
}

#[tokio::test]
async fn vn_17_the_clock_runs_from_the_scheduled_start_without_login() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    // The candidate arrives 8 minutes late (within the 10 minutes of VN-22 for a 60-minute test).
    app.move_clock_to(d.starts_at + Duration::minutes(8));
    let token = app.candidate(&d.tickets[1].1, &d.access_code).await;
    let s = app.get("/api/v1/sitting", Some(&token)).await;
    assert_eq!(s.body["status"], "open");
    let ends_at: chrono::DateTime<chrono::Utc> =
        s.body["ends_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        ends_at,
        d.starts_at + Duration::minutes(60),
        "late arrival does not extend the end"
    );
}

#[tokio::test]
async fn vn_22_arriving_after_the_limit_needs_a_supervisor() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(11));
    let r = app.candidate_login(&d.tickets[2].1, &d.access_code).await;
    assert!(r.problem(403)["detail"].as_str().unwrap().contains("VN-22"));
    let supervisor = app.staff("giamthi2", &[Role::Supervisor]).await;
    let admitted = app
        .post(
            &format!("/api/v1/sittings/{}/late-admissions", d.tickets[2].0),
            Some(&supervisor),
            &json!({"reason": "Chủ tịch Hội đồng cho phép: tắc đường"}),
        )
        .await;
    assert_eq!(admitted.status, 200, "{}", admitted.text);
    app.candidate(&d.tickets[2].1, &d.access_code).await;
}

#[tokio::test]
async fn a_wrong_session_code_or_ticket_is_refused() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let r = app
        .post(
            "/api/v1/candidate/login",
            None,
            &json!({"ticket_no": d.tickets[0].1, "access_code": "ZZZZZZ"}),
        )
        .await;
    r.problem(401);
    let r = app
        .post(
            "/api/v1/candidate/login",
            None,
            &json!({"ticket_no": "9999999", "access_code": d.access_code}),
        )
        .await;
    r.problem(401);
}

#[tokio::test]
async fn answers_are_saved_in_sequence_and_a_stale_write_gets_409() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::seconds(5));
    let token = app.candidate(&d.tickets[0].1, &d.access_code).await;
    let q = question_of_kind(
        &app.get("/api/v1/sitting", Some(&token)).await.body,
        "single",
    );
    let ok = app
        .put(
            &format!("/api/v1/sitting/answers/{q}"),
            Some(&token),
            &json!({"choices": ["B"], "seq": 2}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["seq"], 2);
    assert!(ok.body["saved_at"].is_string());
    // An older write arriving late (another tab, a retry) never overwrites the newer answer.
    app.put(
        &format!("/api/v1/sitting/answers/{q}"),
        Some(&token),
        &json!({"choices": ["C"], "seq": 1}),
    )
    .await
    .problem(409);
    app.put(
        &format!("/api/v1/sitting/answers/{q}"),
        Some(&token),
        &json!({"choices": ["C"], "seq": 2}),
    )
    .await
    .problem(409);
    let s = app.get("/api/v1/sitting", Some(&token)).await;
    assert_eq!(s.body["answers"][q.to_string()]["choices"], json!(["B"]));
    assert_eq!(s.body["answers"][q.to_string()]["seq"], 2);
}

#[tokio::test]
async fn malformed_answers_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::seconds(5));
    let token = app.candidate(&d.tickets[0].1, &d.access_code).await;
    let s = app.get("/api/v1/sitting", Some(&token)).await;
    let single = question_of_kind(&s.body, "single");
    let r = app
        .put(
            &format!("/api/v1/sitting/answers/{single}"),
            Some(&token),
            &json!({"choices": ["E"], "seq": 1}),
        )
        .await;
    assert_eq!(r.problem(422)["errors"][0]["location"], "choices[0]");
    app.put(
        &format!("/api/v1/sitting/answers/{single}"),
        Some(&token),
        &json!({"choices": ["A", "B"], "seq": 1}),
    )
    .await
    .problem(422);
    app.put(
        "/api/v1/sitting/answers/999",
        Some(&token),
        &json!({"choices": ["A"], "seq": 1}),
    )
    .await
    .problem(404);
    app.put(
        &format!("/api/v1/sitting/answers/{single}"),
        Some(&token),
        &json!({"choices": "A", "seq": 1}),
    )
    .await
    .problem(422);
    let after = app.get("/api/v1/sitting", Some(&token)).await;
    assert_eq!(after.body["answers"], json!({}));
}

#[tokio::test]
async fn resuming_on_another_computer_after_the_supervisors_approval_finds_every_answer_and_locks_the_first_page(
) {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(2));
    let first = app.candidate(&d.tickets[0].1, &d.access_code).await;
    let q = choice_no(&app, &first).await;
    let s = app.get("/api/v1/sitting", Some(&first)).await;
    let fill = question_of_kind(&s.body, "fill_blank");
    app.put(
        &format!("/api/v1/sitting/answers/{q}"),
        Some(&first),
        &json!({"choices": ["A"], "seq": 1}),
    )
    .await;
    app.put(
        &format!("/api/v1/sitting/answers/{fill}"),
        Some(&first),
        &json!({"text": "Hải Phòng", "seq": 1}),
    )
    .await;

    app.move_clock_to(d.starts_at + Duration::minutes(7));
    let supervisor = app.staff("giamthi2", &[Role::Supervisor]).await;
    let second = app
        .move_to_another_computer(&d.tickets[0].1, &d.access_code, &supervisor)
        .await;
    let resumed = app.get("/api/v1/sitting", Some(&second)).await;
    assert_eq!(
        resumed.body["answers"][q.to_string()]["choices"],
        json!(["A"])
    );
    assert_eq!(
        resumed.body["answers"][fill.to_string()]["text"],
        "Hải Phòng"
    );
    assert_eq!(
        resumed.body["ends_at"], s.body["ends_at"],
        "the same end time"
    );
    assert_eq!(
        resumed.body["sections"], s.body["sections"],
        "the same paper"
    );

    // The first computer's page is now locked out.
    let locked = app
        .put(
            "/api/v1/sitting/answers/2",
            Some(&first),
            &json!({"choices": ["A"], "seq": 1}),
        )
        .await;
    assert!(locked.problem(401)["detail"]
        .as_str()
        .unwrap()
        .contains("another computer"));

    // And the supervisor sees the second login.
    let m = app
        .get(
            &format!("/api/v1/sessions/{}/monitor", d.session_id),
            Some(&supervisor),
        )
        .await;
    let me = m.body["roster"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ticket_no"] == d.tickets[0].1.as_str())
        .unwrap();
    assert_eq!(me["logins"], 2);
    assert_eq!(me["answered"], 2);
    assert_eq!(me["status"], "open");
    let remaining = me["remaining_seconds"].as_i64().unwrap();
    assert!((53 * 60 - 5..=53 * 60).contains(&remaining), "{remaining}");
}

#[tokio::test]
async fn submitting_shows_the_result_at_once_with_a_receipt() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    let token = app.candidate(&d.tickets[3].1, &d.access_code).await;
    for no in 1..=5 {
        app.put(
            &format!("/api/v1/sitting/answers/{no}"),
            Some(&token),
            &json!({"choices": ["A"], "seq": 1}),
        )
        .await;
    }
    let r = app
        .post("/api/v1/sitting/submit", Some(&token), &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["sections"][0]["code"], "KTC");
    assert_eq!(r.body["sections"][0]["total"], 60);
    assert_eq!(r.body["passed"], false, "at most 5 of 60 right");
    assert_eq!(r.body["receipt_sha256"].as_str().unwrap().len(), 64);
    assert_no_key(&r.body);
    // After submission nothing changes and submitting again returns the same result.
    app.put(
        "/api/v1/sitting/answers/6",
        Some(&token),
        &json!({"choices": ["A"], "seq": 1}),
    )
    .await
    .problem(423);
    let again = app
        .post("/api/v1/sitting/submit", Some(&token), &json!({}))
        .await;
    assert_eq!(again.body, r.body);
}

#[tokio::test]
async fn at_the_deadline_the_server_closes_the_sitting_itself_and_later_saves_get_423() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    let token = app.candidate(&d.tickets[4].1, &d.access_code).await;
    let q = choice_no(&app, &token).await;
    app.put(
        &format!("/api/v1/sitting/answers/{q}"),
        Some(&token),
        &json!({"choices": ["A"], "seq": 1}),
    )
    .await;
    app.move_clock_to(d.starts_at + Duration::minutes(60) + Duration::seconds(1));
    // No client call: the server's closer grades every sitting whose time is up.
    let mut closed = 0;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        closed = server::entities::sittings::Entity::find()
            .filter(server::entities::sittings::Column::Status.eq("closed"))
            .count(app.db())
            .await
            .unwrap();
        if closed == 30 {
            break;
        }
    }
    assert_eq!(
        closed, 30,
        "every sitting, logged in or not, is closed and graded"
    );
    let stored: Option<String> = {
        use sea_orm::EntityTrait;
        server::entities::sittings::Entity::find_by_id(d.tickets[29].0)
            .one(app.db())
            .await
            .unwrap()
            .unwrap()
            .result
    };
    assert!(stored.unwrap().contains("\"closed_by\":\"clock\""));
    app.put(
        "/api/v1/sitting/answers/2",
        Some(&token),
        &json!({"choices": ["A"], "seq": 1}),
    )
    .await
    .problem(423);
    let s = app.get("/api/v1/sitting", Some(&token)).await;
    assert_eq!(s.body["status"], "closed");
    assert!(s.body["result"]["receipt_sha256"].is_string());
}

#[tokio::test]
async fn an_extension_moves_ends_at_and_is_audited() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let token = app.candidate(&d.tickets[5].1, &d.access_code).await;
    let supervisor = app.staff("giamthi2", &[Role::Supervisor]).await;
    let r = app
        .post(
            &format!("/api/v1/sittings/{}/extensions", d.tickets[5].0),
            Some(&supervisor),
            &json!({"minutes": 7, "reason": "Máy hỏng, chuyển máy (VN-23)"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ends_at: chrono::DateTime<chrono::Utc> =
        r.body["ends_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(ends_at, d.starts_at + Duration::minutes(67));
    app.post(
        &format!("/api/v1/sittings/{}/extensions", d.tickets[5].0),
        Some(&supervisor),
        &json!({"minutes": 7, "reason": ""}),
    )
    .await
    .problem(422);
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    app.post(
        &format!("/api/v1/sittings/{}/extensions", d.tickets[5].0),
        Some(&hr),
        &json!({"minutes": 5, "reason": "không được"}),
    )
    .await
    .problem(403);
    // The extended candidate can still answer after the others' deadline.
    app.move_clock_to(d.starts_at + Duration::minutes(62));
    let q = choice_no(&app, &token).await;
    let ok = app
        .put(
            &format!("/api/v1/sitting/answers/{q}"),
            Some(&token),
            &first_choice_answer(),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let chair = app.staff("chutich2", &[Role::Chair]).await; // staff tokens from before have expired
    let audit = app.get("/api/v1/audit/verify", Some(&chair)).await;
    assert_eq!(audit.body["intact"], true);
}

#[tokio::test]
async fn no_candidate_response_ever_contains_an_answer_key() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let login = app.candidate_login(&d.tickets[6].1, &d.access_code).await;
    assert_no_key(&login.body);
    let token = login.body["token"].as_str().unwrap().to_string();
    assert_no_key(&app.get("/api/v1/sitting", Some(&token)).await.body);
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    let q = choice_no(&app, &token).await;
    let s = app.get("/api/v1/sitting", Some(&token)).await;
    assert_eq!(s.body["sections"][0]["items"].as_array().unwrap().len(), 60);
    assert_no_key(&s.body);
    let ack = app
        .put(
            &format!("/api/v1/sitting/answers/{q}"),
            Some(&token),
            &first_choice_answer(),
        )
        .await;
    assert_no_key(&ack.body);
    assert_no_key(
        &app.post("/api/v1/sitting/submit", Some(&token), &json!({}))
            .await
            .body,
    );
}

#[tokio::test]
async fn a_staff_token_cannot_sit_and_a_candidate_token_cannot_supervise() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    // Each kind of token is signed with its own key: the other kind does not even verify.
    app.get("/api/v1/sitting", Some(&hr)).await.problem(401);
    let token = app.candidate(&d.tickets[0].1, &d.access_code).await;
    app.get(
        &format!("/api/v1/sessions/{}/monitor", d.session_id),
        Some(&token),
    )
    .await
    .problem(401);
    app.get("/api/v1/sitting", None).await.problem(401);
}

// ---- incidents, re-sittings (VN-23), sanctions (VN-25) -------------------------------

/// The letters that answer each question of a sitting's paper correctly, read from the
/// database (the test plays an examiner who knows the key).
async fn keys_of(app: &TestApp, sitting_id: i32) -> Vec<(u32, String, Vec<char>)> {
    use sea_orm::EntityTrait;
    let paper = app.stored_paper(sitting_id).await;
    let mut out = Vec::new();
    for p in paper.items() {
        let v = server::entities::item_versions::Entity::find_by_id(p.version_id)
            .one(app.db())
            .await
            .unwrap()
            .unwrap();
        let item: question_bank::Item = serde_json::from_str(&v.content).unwrap();
        let key = question_bank::paper::answer_key(p, &item).unwrap();
        let text = item.answer.first().cloned().unwrap_or_default();
        out.push((p.no, text, key.correct_letters()));
    }
    out
}

/// Answers `right` questions correctly and the rest wrongly; returns the token.
async fn sit_with_correct_answers(
    app: &TestApp,
    d: &tests::Demo,
    seat: usize,
    right: usize,
) -> String {
    let token = app.candidate(&d.tickets[seat].1, &d.access_code).await;
    for (i, (no, text, letters)) in keys_of(app, d.tickets[seat].0)
        .await
        .into_iter()
        .enumerate()
    {
        let good = i < right;
        let body = if letters.is_empty() {
            json!({"text": if good { text } else { "sai".to_string() }, "seq": 1})
        } else {
            let wrong = ['A', 'B', 'C', 'D']
                .into_iter()
                .find(|c| !letters.contains(c))
                .unwrap();
            let choices: Vec<String> = if good {
                letters.iter().map(|c| c.to_string()).collect()
            } else {
                vec![wrong.to_string()]
            };
            json!({"choices": choices, "seq": 1})
        };
        let r = app
            .put(
                &format!("/api/v1/sitting/answers/{no}"),
                Some(&token),
                &body,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    token
}

#[tokio::test]
async fn e7_a_reprimand_keeps_three_quarters_and_a_warning_half_of_the_correct_answers() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    let supervisor = app.staff("giamthi2", &[Role::Supervisor]).await;
    for (seat, level, correct, passed) in
        [(10, "reprimand", "30", true), (11, "warning", "20", false)]
    {
        let token = sit_with_correct_answers(&app, &d, seat, 40).await;
        let r = app
            .post("/api/v1/sitting/submit", Some(&token), &json!({}))
            .await;
        assert_eq!(r.body["sections"][0]["correct"], "40", "{}", r.text);
        assert_eq!(r.body["passed"], true);
        let s = app
            .post(
                &format!("/api/v1/sittings/{}/sanctions", d.tickets[seat].0),
                Some(&supervisor),
                &json!({"level": level, "reason": "Sử dụng tài liệu (VN-25)"}),
            )
            .await;
        assert_eq!(s.status, 200, "{}", s.text);
        let after = app.get("/api/v1/sitting", Some(&token)).await;
        let kept = after.body["result"]["sections"][0]["correct"]
            .as_str()
            .unwrap();
        assert_eq!(kept, correct, "{level}");
        assert_eq!(after.body["result"]["passed"], passed, "{level}");
    }
    let bad = app
        .post(
            &format!("/api/v1/sittings/{}/sanctions", d.tickets[12].0),
            Some(&supervisor),
            &json!({"level": "fine", "reason": "không có"}),
        )
        .await;
    assert_eq!(bad.problem(422)["errors"][0]["location"], "level");
}

#[tokio::test]
async fn vn_23_a_machine_failure_gives_a_fresh_sitting_with_the_full_time() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    let old = app.candidate(&d.tickets[7].1, &d.access_code).await;
    app.put(
        "/api/v1/sitting/answers/1",
        Some(&old),
        &first_choice_answer(),
    )
    .await;
    app.move_clock_to(d.starts_at + Duration::minutes(20));
    let supervisor = app.staff("giamthi2", &[Role::Supervisor]).await;
    let r = app
        .post(
            &format!("/api/v1/sittings/{}/resittings", d.tickets[7].0),
            Some(&supervisor),
            &json!({"reason": "Máy 08 treo, chuyển sang máy 31"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let ticket = r.body["ticket_no"].as_str().unwrap().to_string();
    let ends_at: chrono::DateTime<chrono::Utc> =
        r.body["ends_at"].as_str().unwrap().parse().unwrap();
    assert!(
        ends_at >= d.starts_at + Duration::minutes(79),
        "the full 60 minutes from now"
    );

    // The old sitting is void and takes no more answers; the new one starts empty.
    app.put(
        "/api/v1/sitting/answers/2",
        Some(&old),
        &first_choice_answer(),
    )
    .await
    .problem(423);
    let new = app.candidate(&ticket, &d.access_code).await;
    let s = app.get("/api/v1/sitting", Some(&new)).await;
    assert_eq!(s.body["status"], "open");
    assert_eq!(s.body["answers"], json!({}));
    let incidents = app
        .get(
            &format!("/api/v1/sessions/{}/incidents", d.session_id),
            Some(&supervisor),
        )
        .await;
    assert_eq!(incidents.body[0]["kind"], "machine_failure");
    assert_eq!(incidents.body[0]["sitting_id"], d.tickets[7].0);
    // A finished or replaced sitting cannot be re-sat again.
    app.post(
        &format!("/api/v1/sittings/{}/resittings", d.tickets[7].0),
        Some(&supervisor),
        &json!({"reason": "lần nữa"}),
    )
    .await
    .problem(409);
}

#[tokio::test]
async fn incidents_are_recorded_by_supervisors_with_a_known_kind() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let supervisor = app.staff("giamthi2", &[Role::Supervisor]).await;
    let path = format!("/api/v1/sessions/{}/incidents", d.session_id);
    let r = app.post(&path, Some(&supervisor), &json!({"sitting_id": d.tickets[0].0, "kind": "misconduct", "note": "Mang điện thoại vào phòng thi"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    app.post(
        &path,
        Some(&supervisor),
        &json!({"kind": "party", "note": "không hợp lệ"}),
    )
    .await
    .problem(422);
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    app.post(
        &path,
        Some(&hr),
        &json!({"kind": "other", "note": "không được ghi"}),
    )
    .await
    .problem(403);
    assert_eq!(
        app.get(&path, Some(&hr))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// Sends PUTs all at once (each on its own task) and returns (question, seq, status) per request.
async fn put_concurrently(
    app: &TestApp,
    saves: Vec<(String, u64, i64, Value)>,
) -> Vec<(u64, i64, u16)> {
    let mut set = tokio::task::JoinSet::new();
    for (token, no, seq, body) in saves {
        let req = app
            .client
            .put(app.url(&format!("/api/v1/sitting/answers/{no}")))
            .bearer_auth(token)
            .json(&body);
        set.spawn(async move { (no, seq, req.send().await.unwrap().status().as_u16()) });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        out.push(r.unwrap());
    }
    out
}

#[tokio::test]
async fn concurrent_saves_of_many_candidates_all_land() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::seconds(5));
    let mut saves = Vec::new();
    let mut expected = Vec::new();
    for (_, ticket) in d.tickets.iter().take(6) {
        let token = app.candidate(ticket, &d.access_code).await;
        let s = app.get("/api/v1/sitting", Some(&token)).await;
        let mut nos = Vec::new();
        for item in s.body["sections"][0]["items"].as_array().unwrap() {
            let no = item["no"].as_u64().unwrap();
            let body = if item["kind"] == "fill_blank" {
                json!({"text": format!("trả lời {no}"), "seq": 1})
            } else {
                json!({"choices": ["A"], "seq": 1})
            };
            saves.push((token.clone(), no, 1, body));
            nos.push(no);
        }
        expected.push((token, nos));
    }
    let total = saves.len();
    let results = put_concurrently(&app, saves).await;
    assert_eq!(results.len(), total);
    assert!(
        results.iter().all(|r| r.2 == 200),
        "every save acknowledged: {:?}",
        results.iter().filter(|r| r.2 != 200).collect::<Vec<_>>()
    );
    for (token, nos) in expected {
        let s = app.get("/api/v1/sitting", Some(&token)).await;
        let answers = s.body["answers"].as_object().unwrap();
        assert_eq!(
            answers.len(),
            nos.len(),
            "every acknowledged answer is stored"
        );
        for no in nos {
            assert_eq!(answers[&no.to_string()]["seq"], 1);
        }
    }
}

#[tokio::test]
async fn concurrent_saves_of_one_question_keep_the_newest_seq() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::seconds(5));
    let token = app.candidate(&d.tickets[0].1, &d.access_code).await;
    let q = choice_no(&app, &token).await;
    let saves = (1..=40)
        .map(|seq| {
            let letter = ["A", "B"][(seq % 2) as usize];
            (
                token.clone(),
                q,
                seq,
                json!({"choices": [letter], "seq": seq}),
            )
        })
        .collect();
    let results = put_concurrently(&app, saves).await;
    // Each save is either acknowledged or refused as stale, never lost or failed; the newest
    // can never be stale.
    assert!(
        results.iter().all(|r| r.2 == 200 || r.2 == 409),
        "{results:?}"
    );
    assert!(
        results.iter().any(|r| r.1 == 40 && r.2 == 200),
        "{results:?}"
    );
    let s = app.get("/api/v1/sitting", Some(&token)).await;
    assert_eq!(s.body["answers"][q.to_string()]["seq"], 40);
    assert_eq!(s.body["answers"][q.to_string()]["choices"], json!(["A"]));
}

/// Issue 8: when the save queue is full the server refuses at once with 503 and
/// `Retry-After` instead of letting the queue grow; every save it accepted is committed, and a
/// refused save goes through when retried.
#[tokio::test]
async fn a_full_save_queue_answers_503_with_retry_after_and_loses_nothing() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn_with(|c| c.write_queue = 1).await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::seconds(5));
    let (sitting_id, ticket) = d.tickets[0].clone();
    let token = app.candidate(&ticket, &d.access_code).await;
    let s = app.get("/api/v1/sitting", Some(&token)).await;
    let nos: Vec<u64> = s.body["sections"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "single")
        .map(|i| i["no"].as_u64().unwrap())
        .take(8)
        .collect();
    assert_eq!(nos.len(), 8, "the demo paper has single-choice questions");

    // Hold the sitting's row (and, on SQLite, the write lock): the writer takes the first save
    // and waits behind us, one more fills the queue, the rest must be refused.
    let blocker = server::db::begin_write(app.db()).await.unwrap();
    blocker
        .execute_unprepared(&format!(
            "UPDATE sittings SET login_count = login_count WHERE id = {sitting_id}"
        ))
        .await
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for &no in &nos {
        let req = app
            .client
            .put(app.url(&format!("/api/v1/sitting/answers/{no}")))
            .bearer_auth(&token)
            .json(&json!({"choices": ["B"], "seq": 1}));
        let tx = tx.clone();
        tokio::spawn(async move {
            let r = req.send().await.unwrap();
            let retry = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            tx.send((no, r.status().as_u16(), retry)).unwrap();
        });
    }
    drop(tx);
    // Refusals come back while the writer is held; accepted saves cannot.
    let mut refused = Vec::new();
    let first = tokio::time::timeout(std::time::Duration::from_secs(8), rx.recv())
        .await
        .expect("a full queue answers at once")
        .unwrap();
    refused.push(first);
    while let Ok(Some(r)) =
        tokio::time::timeout(std::time::Duration::from_millis(700), rx.recv()).await
    {
        refused.push(r);
    }
    assert!(
        refused
            .iter()
            .all(|(_, status, retry)| *status == 503 && retry.as_deref() == Some("1")),
        "while the writer is held only refusals come back, with Retry-After: {refused:?}"
    );
    assert!(
        refused.len() >= 8 - 3,
        "at most two saves wait: {refused:?}"
    );
    blocker.rollback().await.unwrap();
    let mut accepted = Vec::new();
    while let Some(r) = rx.recv().await {
        accepted.push(r);
    }
    assert!(!accepted.is_empty());
    assert!(
        accepted.iter().all(|(_, status, _)| *status == 200),
        "queued saves are committed once the writer goes on: {accepted:?}"
    );
    // The refused saves succeed when retried.
    for (no, _, _) in &refused {
        let r = app
            .put(
                &format!("/api/v1/sitting/answers/{no}"),
                Some(&token),
                &json!({"choices": ["B"], "seq": 1}),
            )
            .await;
        assert_eq!(r.status, 200, "retry of {no}: {}", r.text);
    }
    let s = app.get("/api/v1/sitting", Some(&token)).await;
    let answers = s.body["answers"].as_object().unwrap();
    for no in nos {
        assert_eq!(
            answers[&no.to_string()]["choices"],
            json!(["B"]),
            "question {no}"
        );
    }
}
