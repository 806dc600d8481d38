//! Voiding a defective question by the council chair (VN-24): every candidate given it gets its
//! point, every graded sitting holding it is graded again in one transaction, audited with the
//! before and after; voiding twice changes nothing more.

use std::collections::BTreeSet;

use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use server::auth::Role;
use server::entities::{applications, audit_log, item_versions, positions, sittings};
use tests::{Demo, TestApp};

/// One question of a sitting's paper with what answers it right (the test plays an examiner).
struct Question {
    no: u32,
    item_id: i32,
    text: String,
    letters: Vec<char>,
}

async fn paper_of(app: &TestApp, sitting_id: i32) -> Vec<Question> {
    let paper = app.stored_paper(sitting_id).await;
    let mut out = Vec::new();
    for p in paper.items() {
        let v = item_versions::Entity::find_by_id(p.version_id)
            .one(app.db())
            .await
            .unwrap()
            .unwrap();
        let item: question_bank::Item = serde_json::from_str(&v.content).unwrap();
        let key = question_bank::paper::answer_key(p, &item).unwrap();
        out.push(Question {
            no: p.no,
            item_id: p.item_id,
            text: item.answer.first().cloned().unwrap_or_default(),
            letters: key.correct_letters(),
        });
    }
    out
}

/// Signs in at `seat`, answers right exactly the questions `right` accepts, the others wrongly,
/// and hands in; returns the submit response body.
async fn sit(
    app: &TestApp,
    d: &Demo,
    seat: usize,
    mut right: impl FnMut(&Question) -> bool,
) -> Value {
    let token = app.candidate(&d.tickets[seat].1, &d.access_code).await;
    for q in paper_of(app, d.tickets[seat].0).await {
        let good = right(&q);
        let body = if q.letters.is_empty() {
            json!({"text": if good { q.text.clone() } else { "sai".to_string() }, "seq": 1})
        } else if good {
            json!({"choices": q.letters.iter().map(|c| c.to_string()).collect::<Vec<_>>(), "seq": 1})
        } else {
            let wrong = ['A', 'B', 'C', 'D']
                .into_iter()
                .find(|c| !q.letters.contains(c))
                .unwrap();
            json!({"choices": [wrong.to_string()], "seq": 1})
        };
        let r = app
            .put(
                &format!("/api/v1/sitting/answers/{}", q.no),
                Some(&token),
                &body,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = app
        .post("/api/v1/sitting/submit", Some(&token), &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

async fn stored_result(app: &TestApp, sitting_id: i32) -> Value {
    let s = sittings::Entity::find_by_id(sitting_id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    serde_json::from_str(&s.result.unwrap()).unwrap()
}

/// Changes a stored sitting directly, as damage or an older version of the server would have
/// left it (the API offers no way to).
async fn alter_sitting(
    app: &TestApp,
    sitting_id: i32,
    change: impl FnOnce(&mut sittings::ActiveModel),
) {
    let s = sittings::Entity::find_by_id(sitting_id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    let mut a: sittings::ActiveModel = s.into();
    change(&mut a);
    sea_orm::ActiveModelTrait::update(a, app.db())
        .await
        .unwrap();
}

async fn outcome_in_ranking(app: &TestApp, hr: &str, d: &Demo, seat: usize) -> String {
    let sitting = sittings::Entity::find_by_id(d.tickets[seat].0)
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    let application = applications::Entity::find_by_id(sitting.application_id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    let position = positions::Entity::find_by_id(application.position_id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    let r = app
        .get(
            &format!(
                "/api/v1/rounds/{}/positions/{}/ranking",
                d.round_id, position.code
            ),
            Some(hr),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["application_id"] == application.id)
        .map(|e| e["outcome"].as_str().unwrap().to_string())
        .unwrap()
}

/// An item on both seats' papers.
async fn shared_item(app: &TestApp, d: &Demo, a: usize, b: usize) -> i32 {
    let first: BTreeSet<i32> = paper_of(app, d.tickets[a].0)
        .await
        .iter()
        .map(|q| q.item_id)
        .collect();
    paper_of(app, d.tickets[b].0)
        .await
        .iter()
        .map(|q| q.item_id)
        .find(|id| first.contains(id))
        .expect("two 60-question papers drawn from 250 items share an item")
}

async fn void_audits(app: &TestApp) -> usize {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("exam.void_item"))
        .all(app.db())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn chair_voiding_an_item_gives_every_candidate_given_it_its_point_once() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let chair = app.staff("chutich-vn24", &[Role::Chair]).await;
    let hr = app.staff("tochuc-vn24", &[Role::Hr]).await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    let defective = shared_item(&app, &d, 0, 1).await;

    // Seat 0 answers 29 of 60 right but the defective one wrongly: fails by one (VN-1).
    let mut counted = 0;
    let failing = sit(&app, &d, 0, |q| {
        let good = q.item_id != defective && counted < 29;
        if good {
            counted += 1;
        }
        good
    });
    let failing = failing.await;
    assert_eq!(failing["sections"][0]["correct"], "29");
    assert_eq!(failing["passed"], false);
    // Seat 1 answers the defective one right among 35.
    let mut counted = 0;
    let right = sit(&app, &d, 1, |q| {
        let good = q.item_id == defective || counted < 34;
        if good && q.item_id != defective {
            counted += 1;
        }
        good
    })
    .await;
    assert_eq!(right["sections"][0]["correct"], "35");
    assert_eq!(
        outcome_in_ranking(&app, &hr, &d, 0).await,
        "failed_round1",
        "before the void"
    );

    let r = app
        .post(
            &format!("/api/v1/exams/{}/voided-items", d.exam_id),
            Some(&chair),
            &json!({"item_id": defective, "version": 1,
                    "reason": "Câu hỏi có hai phương án đúng do sai sót khi soạn đề"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["created"], true);
    assert_eq!(r.body["voided"]["item_id"], defective);
    assert_eq!(r.body["voided"]["versions"], json!([1]));
    let regraded = r.body["regraded"].as_array().unwrap();
    let zero = regraded
        .iter()
        .find(|g| g["sitting_id"] == d.tickets[0].0)
        .unwrap();
    assert_eq!(
        (zero["passed_before"].clone(), zero["passed_after"].clone()),
        (json!(false), json!(true))
    );
    assert_eq!(zero["before"][0]["correct"], "29");
    assert_eq!(zero["after"][0]["correct"], "30");

    // VN-24: the failing candidate gets the point and now passes round 1 (30/60)...
    let zero = stored_result(&app, d.tickets[0].0).await;
    assert_eq!(zero["sections"][0]["correct"], "30");
    assert_eq!(zero["passed"], true);
    assert_eq!(
        zero["receipt_sha256"], failing["receipt_sha256"],
        "the answers did not change"
    );
    // ...and the one who answered it right keeps one point for it, not two.
    let one = stored_result(&app, d.tickets[1].0).await;
    assert_eq!(one["sections"][0]["correct"], "35");
    // The ranking reads the stored results: round 1 is no longer held against seat 0.
    assert_ne!(outcome_in_ranking(&app, &hr, &d, 0).await, "failed_round1");
    assert_eq!(void_audits(&app).await, 1);
    let entry = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("exam.void_item"))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    let details: Value = serde_json::from_str(&entry.details).unwrap();
    assert_eq!(details["newly_passed"], 1);
    assert!(
        details["regraded"][0]["before"].is_array() && details["regraded"][0]["after"].is_array()
    );

    // Voiding again changes nothing more.
    let again = app
        .post(
            &format!("/api/v1/exams/{}/voided-items", d.exam_id),
            Some(&chair),
            &json!({"item_id": defective, "reason": "Nhắc lại"}),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["created"], false);
    assert_eq!(again.body["regraded"], json!([]));
    assert_eq!(stored_result(&app, d.tickets[0].0).await, zero);
    assert_eq!(stored_result(&app, d.tickets[1].0).await, one);
    assert_eq!(void_audits(&app).await, 1);

    let list = app
        .get(
            &format!("/api/v1/exams/{}/voided-items", d.exam_id),
            Some(&hr),
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["item_id"], defective);
}

#[tokio::test]
async fn a_candidate_handing_in_after_the_void_is_graded_with_it() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let chair = app.staff("chutich-vn24", &[Role::Chair]).await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    let paper = paper_of(&app, d.tickets[2].0).await;
    let defective = paper[0].item_id;
    let r = app
        .post(
            &format!("/api/v1/exams/{}/voided-items", d.exam_id),
            Some(&chair),
            &json!({"item_id": defective, "reason": "Đáp án sai"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["regraded"], json!([]), "nobody had handed in");
    // Everything answered wrongly: only the voided question scores.
    let result = sit(&app, &d, 2, |_| false).await;
    assert_eq!(result["sections"][0]["correct"], "1");
}

#[tokio::test]
async fn only_the_chair_voids_and_only_items_given_in_the_exam() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let chair = app.staff("chutich-vn24", &[Role::Chair]).await;
    let path = format!("/api/v1/exams/{}/voided-items", d.exam_id);
    let item = paper_of(&app, d.tickets[0].0).await[0].item_id;
    for roles in [
        &[Role::Hr][..],
        &[Role::Supervisor],
        &[Role::Admin],
        &[Role::Reviewer],
    ] {
        let name = format!("u{}", roles[0].code());
        let token = app.staff(&name, roles).await;
        app.post(
            &path,
            Some(&token),
            &json!({"item_id": item, "reason": "x"}),
        )
        .await
        .problem(403);
    }
    let absent = app
        .post(
            &path,
            Some(&chair),
            &json!({"item_id": 987_654, "reason": "Không có"}),
        )
        .await;
    assert_eq!(absent.problem(422)["errors"][0]["location"], "item_id");
    let wrong_version = app
        .post(
            &path,
            Some(&chair),
            &json!({"item_id": item, "version": 7, "reason": "Sai"}),
        )
        .await;
    assert_eq!(
        wrong_version.problem(422)["errors"][0]["location"],
        "version"
    );
    let no_reason = app
        .post(
            &path,
            Some(&chair),
            &json!({"item_id": item, "reason": "  "}),
        )
        .await;
    assert_eq!(no_reason.problem(422)["errors"][0]["location"], "reason");
    app.post(
        "/api/v1/exams/999999/voided-items",
        Some(&chair),
        &json!({"item_id": item, "reason": "x"}),
    )
    .await
    .problem(404);
    assert_eq!(void_audits(&app).await, 0);
    let list = app.get(&path, Some(&chair)).await;
    assert_eq!(list.body["total"], 0, "nothing was voided");
}

/// The bank index of the option that `sit` marks when it answers question `no` of the sitting
/// wrongly (the first of A–D that is not correct on that paper).
async fn original_of_wrong_answer(app: &TestApp, sitting_id: i32, no: u32) -> usize {
    let paper = app.stored_paper(sitting_id).await;
    let q = paper_of(app, sitting_id)
        .await
        .into_iter()
        .find(|q| q.no == no)
        .unwrap();
    let wrong = ['A', 'B', 'C', 'D']
        .into_iter()
        .position(|c| !q.letters.contains(&c))
        .unwrap();
    let item = paper.items().find(|i| i.no == no).unwrap();
    usize::from(item.permutation[wrong])
}

#[tokio::test]
async fn when_two_options_are_both_correct_either_scores_in_every_candidates_lettering() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let chair = app.staff("chutich-vn24b", &[Role::Chair]).await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    // A single-choice question on both seats' papers.
    let first: BTreeSet<i32> = paper_of(&app, d.tickets[0].0)
        .await
        .iter()
        .filter(|q| q.letters.len() == 1)
        .map(|q| q.item_id)
        .collect();
    let shared = paper_of(&app, d.tickets[1].0)
        .await
        .into_iter()
        .find(|q| q.letters.len() == 1 && first.contains(&q.item_id))
        .expect("two papers share a single-choice item");
    let q0 = paper_of(&app, d.tickets[0].0)
        .await
        .into_iter()
        .find(|q| q.item_id == shared.item_id)
        .unwrap();
    // Seat 0 picks another option of that question, and 29 other right answers: fails by one.
    let mut counted = 0;
    let failing = sit(&app, &d, 0, |q| {
        let good = q.item_id != shared.item_id && counted < 29;
        if good {
            counted += 1;
        }
        good
    })
    .await;
    assert_eq!(failing["sections"][0]["correct"], "29");
    let also = original_of_wrong_answer(&app, d.tickets[0].0, q0.no).await;
    let also_letter = char::from(b'A' + also as u8).to_string();
    // Seat 1 answers it with the official option among 35.
    let mut counted = 0;
    let right = sit(&app, &d, 1, |q| {
        let good = q.item_id == shared.item_id || counted < 34;
        if good && q.item_id != shared.item_id {
            counted += 1;
        }
        good
    })
    .await;
    assert_eq!(right["sections"][0]["correct"], "35");

    let path = format!("/api/v1/exams/{}/voided-items", d.exam_id);
    let out_of_range = app
        .post(
            &path,
            Some(&chair),
            &json!({"item_id": shared.item_id, "also_correct": ["H"], "reason": "Sai"}),
        )
        .await;
    assert_eq!(
        out_of_range.problem(422)["errors"][0]["location"],
        "also_correct"
    );
    let not_a_letter = app
        .post(
            &path,
            Some(&chair),
            &json!({"item_id": shared.item_id, "also_correct": ["AB"], "reason": "Sai"}),
        )
        .await;
    assert_eq!(
        not_a_letter.problem(422)["errors"][0]["location"],
        "also_correct[0]"
    );

    let r = app
        .post(
            &path,
            Some(&chair),
            &json!({"item_id": shared.item_id, "also_correct": [also_letter],
                    "reason": "Phương án này cũng đúng theo luật hiện hành"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["voided"]["also_correct"], json!([also_letter]));
    // Seat 0's option is now accepted (in its own lettering): 30 of 60, passes.
    let zero = stored_result(&app, d.tickets[0].0).await;
    assert_eq!(zero["sections"][0]["correct"], "30");
    assert_eq!(zero["passed"], true);
    // The official option still scores, once.
    assert_eq!(
        stored_result(&app, d.tickets[1].0).await["sections"][0]["correct"],
        "35"
    );
    let audits = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("exam.accept_option"))
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(audits.len(), 1);

    // The same correction again changes nothing; a different one for the item is refused.
    let again = app
        .post(
            &path,
            Some(&chair),
            &json!({"item_id": shared.item_id, "also_correct": [also_letter.to_lowercase()], "reason": "Nhắc lại"}),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["created"], false);
    app.post(
        &path,
        Some(&chair),
        &json!({"item_id": shared.item_id, "reason": "Huỷ câu hỏi"}),
    )
    .await
    .problem(409);
    assert_eq!(void_audits(&app).await, 0);
}

#[tokio::test]
async fn the_correction_endpoints_are_in_the_openapi_document() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/openapi.json", None).await.body;
    for (path, method) in [
        ("/api/v1/exams/{exam_id}/voided-items", "post"),
        ("/api/v1/exams/{exam_id}/voided-items", "get"),
        (
            "/api/v1/rounds/{round_id}/positions/{code}/strike-offs",
            "post",
        ),
        ("/api/v1/rounds/{round_id}/reviews", "post"),
        ("/api/v1/rounds/{round_id}/reviews", "get"),
        ("/api/v1/reviews/{review_id}/marks", "post"),
        ("/api/v1/reviews/{review_id}/decision", "post"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
}

/// The whole-exam regrade (issue 8: grading from the database in bulk) marks exactly as the
/// hand-in and the chair's per-sitting regrade do: after a void recorded through the API it
/// finds nothing to change; a stored result that drifted is put back; typed answers count.
#[tokio::test]
async fn the_whole_exam_regrade_agrees_with_grading_at_hand_in_and_after_a_void() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let chair = app.staff("chutich-bulk", &[Role::Chair]).await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    let defective = shared_item(&app, &d, 0, 1).await;
    let mut n = 0;
    sit(&app, &d, 0, |_| {
        n += 1;
        n % 2 == 0
    })
    .await;
    sit(&app, &d, 1, |q| q.item_id != defective).await;
    let mut n = 0;
    sit(&app, &d, 2, |_| {
        n += 1;
        n % 3 != 0
    })
    .await;

    let bulk = server::services::grading::regrade_exam(&app.state, "test", d.exam_id)
        .await
        .unwrap();
    assert_eq!(
        (bulk.sittings, bulk.changed),
        (3, 0),
        "hand-in grading agrees"
    );
    assert_eq!(
        bulk.answers,
        3 * 60,
        "every saved answer is read, typed ones too"
    );

    let r = app
        .post(
            &format!("/api/v1/exams/{}/voided-items", d.exam_id),
            Some(&chair),
            &json!({"item_id": defective, "version": 1, "reason": "Câu hỏi có hai phương án đúng"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let after_void = stored_result(&app, d.tickets[1].0).await;
    let bulk = server::services::grading::regrade_exam(&app.state, "test", d.exam_id)
        .await
        .unwrap();
    assert_eq!(
        bulk.changed, 0,
        "the chair's regrade and the bulk one agree"
    );

    // A result that no longer matches the answers is graded back.
    let mut drifted = after_void.clone();
    drifted["sections"][0]["correct"] = json!("0");
    drifted["passed"] = json!(false);
    alter_sitting(&app, d.tickets[1].0, |a| {
        a.result = sea_orm::Set(Some(drifted.to_string()))
    })
    .await;
    let bulk = server::services::grading::regrade_exam(&app.state, "test", d.exam_id)
        .await
        .unwrap();
    assert_eq!(bulk.changed, 1);
    assert_eq!(stored_result(&app, d.tickets[1].0).await, after_void);
    let regrades = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("exam.regrade"))
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(regrades.len(), 3, "each regrade is audited");
}

/// The whole-exam regrade reads each sitting's compact paper and the compact answer sheet kept
/// at hand-in. Both decode to what was graded; a sitting stored before they were kept (both
/// absent) is graded from its paper's JSON and its answer rows, with the same marks.
#[tokio::test]
async fn the_whole_exam_regrade_reads_compact_forms_and_falls_back_without_them() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    app.move_clock_to(d.starts_at + Duration::minutes(1));
    for seat in 0..3 {
        let mut n = 0;
        sit(&app, &d, seat, |_| {
            n += 1;
            n % (seat + 2) != 0
        })
        .await;
    }
    for seat in 0..3 {
        let s = sittings::Entity::find_by_id(d.tickets[seat].0)
            .one(app.db())
            .await
            .unwrap()
            .unwrap();
        let paper = app.stored_paper(s.id).await;
        let compact =
            question_bank::compact::paper_from_compact(s.paper_compact.as_deref().unwrap())
                .unwrap();
        assert_eq!(compact, paper, "the compact paper is the paper");
        let sheet =
            question_bank::compact::sheet_from_compact(s.answer_sheet.as_deref().unwrap()).unwrap();
        assert_eq!(
            sheet.len(),
            60,
            "the sheet kept at hand-in holds every answer"
        );
    }
    let results: Vec<Value> = [
        stored_result(&app, d.tickets[0].0).await,
        stored_result(&app, d.tickets[1].0).await,
        stored_result(&app, d.tickets[2].0).await,
    ]
    .into();

    // Seat 0 as if stored before the compact forms, seat 1 without its sheet only; both
    // results drifted, so the regrade must grade them back from what is left.
    for (seat, clear_paper) in [(0, true), (1, false)] {
        let mut drifted = results[seat].clone();
        drifted["sections"][0]["correct"] = json!("0");
        alter_sitting(&app, d.tickets[seat].0, |a| {
            a.result = sea_orm::Set(Some(drifted.to_string()));
            a.answer_sheet = sea_orm::Set(None);
            if clear_paper {
                a.paper_compact = sea_orm::Set(None);
            }
        })
        .await;
    }
    let bulk = server::services::grading::regrade_exam(&app.state, "test", d.exam_id)
        .await
        .unwrap();
    assert_eq!((bulk.sittings, bulk.changed), (3, 2));
    assert_eq!(bulk.answers, 3 * 60);
    for (ticket, result) in d.tickets.iter().zip(&results) {
        assert_eq!(&stored_result(&app, ticket.0).await, result);
    }

    // A damaged compact sheet is reported with its sitting, and nothing is written.
    alter_sitting(&app, d.tickets[2].0, |a| {
        a.answer_sheet = sea_orm::Set(Some("s1;x:A".into()))
    })
    .await;
    let e = server::services::grading::regrade_exam(&app.state, "test", d.exam_id)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("sitting {}", d.tickets[2].0)) && e.contains("'x'"),
        "{e}"
    );
    assert_eq!(stored_result(&app, d.tickets[2].0).await, results[2]);
}
