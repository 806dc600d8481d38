//! Round-2 marks (VN-26, VN-28), ranking per position (VN-10 to VN-14) with the worked examples
//! of DOMAIN.md, head decisions (VN-11) and publication of results, over the API.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use server::auth::Role;
use server::entities::{audit_log, exams, publications, sessions, sittings};
use tests::{Resp, TestApp};

struct Fixture {
    app: TestApp,
    hr: String,
    marker: String,
    chair: String,
    round_id: i64,
    round_code: String,
    next_id: u32,
}

impl Fixture {
    /// A round with no round-1 exam, and its HR, marker and chair.
    async fn new(code: &str) -> Fixture {
        let app = TestApp::spawn().await;
        let hr = app.staff("tochuc", &[Role::Hr]).await;
        let marker = app.staff("giamkhao", &[Role::Marker]).await;
        let chair = app.staff("chutich", &[Role::Chair]).await;
        let r = app
            .post(
                "/api/v1/rounds",
                Some(&hr),
                &json!({"code": code, "name": "Kỳ thi tuyển công chức Hải Phòng 2026"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let round_id = r.body["id"].as_i64().unwrap();
        Fixture {
            app,
            hr,
            marker,
            chair,
            round_id,
            round_code: code.to_string(),
            next_id: 0,
        }
    }

    /// A position of grade chuyen_vien with one agency holding the whole quota.
    async fn position(&self, code: &str, form: &str, quota: i64) {
        let r = self
            .app
            .post(
                &format!("/api/v1/rounds/{}/positions", self.round_id),
                Some(&self.hr),
                &json!({"code": code, "name": format!("Chuyên viên {code}"), "grade": "chuyen_vien",
                        "round2_form": form,
                        "agencies": [{"code": "UBND", "name": "Ủy ban nhân dân", "quota": quota}]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }

    async fn candidate(&mut self, name: &str, position: &str, groups: &[&str]) -> i64 {
        self.next_id += 1;
        let r = self
            .app
            .post(
                &format!("/api/v1/rounds/{}/applications", self.round_id),
                Some(&self.hr),
                &json!({"full_name": name, "date_of_birth": "1994-03-12", "gender": "nữ",
                        "national_id": format!("031094{:06}", self.next_id),
                        "position_code": position, "priority_groups": groups}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body["id"].as_i64().unwrap()
    }

    async fn mark_as(
        &self,
        token: &str,
        application_id: i64,
        component: &str,
        marks: &[&str],
    ) -> Resp {
        self.app
            .post(
                &format!("/api/v1/rounds/{}/marks", self.round_id),
                Some(token),
                &json!({"application_id": application_id, "component": component, "marks": marks}),
            )
            .await
    }

    /// Enters marks that both markers agree on, and checks they are final.
    async fn mark(&self, application_id: i64, component: &str, mark: &str) {
        let r = self
            .mark_as(&self.marker, application_id, component, &[mark, mark])
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "final");
    }

    async fn ranking(&self, position: &str) -> Value {
        let r = self
            .app
            .get(
                &format!(
                    "/api/v1/rounds/{}/positions/{position}/ranking",
                    self.round_id
                ),
                Some(&self.hr),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.body
    }

    async fn publish(&self, token: &str) -> Resp {
        self.app
            .post(
                &format!("/api/v1/rounds/{}/publications", self.round_id),
                Some(token),
                &json!({}),
            )
            .await
    }

    async fn head_decision(&self, token: &str, position: &str, ids: &[i64]) -> Resp {
        self.app
            .post(
                &format!(
                    "/api/v1/rounds/{}/positions/{position}/head-decisions",
                    self.round_id
                ),
                Some(token),
                &json!({"application_ids": ids, "reason": "Thủ trưởng cơ quan quyết định theo kinh nghiệm công tác"}),
            )
            .await
    }
}

fn entry(ranking: &Value, id: i64) -> &Value {
    ranking["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["application_id"] == id)
        .unwrap_or_else(|| panic!("no entry {id} in {ranking}"))
}

fn with_outcome(ranking: &Value, outcome: &str) -> Vec<i64> {
    ranking["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["outcome"] == outcome)
        .map(|e| e["application_id"].as_i64().unwrap())
        .collect()
}

fn locations(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["location"].as_str().unwrap().to_string())
        .collect()
}

/// A round-1 exam of the round with one graded sitting per candidate: `passed` says whether
/// the candidate reached 30/60 (VN-1).
async fn round1_results(f: &Fixture, results: &[(i64, u32)]) {
    let now = Utc::now();
    let exam = exams::ActiveModel {
        round_id: Set(f.round_id as i32),
        code: Set("V1-KTC".into()),
        name: Set("Vòng 1 – Kiến thức chung".into()),
        stage: Set("round1".into()),
        duration_minutes: Set(60),
        blueprint: Set("{}".into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(f.app.db())
    .await
    .unwrap();
    let session = sessions::ActiveModel {
        exam_id: Set(exam.id),
        code: Set("CA-01".into()),
        room: Set("Phòng máy 01".into()),
        starts_at: Set(now),
        access_code: Set("ABC234".into()),
        secret: Set("00".repeat(32)),
        opened_at: Set(Some(now)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(f.app.db())
    .await
    .unwrap();
    for (seat, (application_id, correct)) in results.iter().enumerate() {
        let passed = *correct >= 30;
        let result = json!({
            "sections": [{"code": "KTC", "correct": correct.to_string(), "total": 60,
                          "score": format!("{correct}.00"), "max_score": "60.00", "passed": passed}],
            "passed": passed,
            "receipt_sha256": "0".repeat(64),
            "submitted_at": now,
            "closed_by": "candidate",
        });
        sittings::ActiveModel {
            session_id: Set(session.id),
            application_id: Set(*application_id as i32),
            ticket_no: Set(format!("SBD{seat:03}")),
            seat: Set(seat as i32 + 1),
            seed: Set("seed".into()),
            status: Set("submitted".into()),
            ends_at: Set(now),
            extra_minutes: Set(0),
            submitted_at: Set(Some(now)),
            result: Set(Some(result.to_string())),
            created_at: Set(now),
            late_admitted: Set(false),
            login_count: Set(1),
            ..Default::default()
        }
        .insert(f.app.db())
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn e1_winners_are_b_and_a_with_reserves_d_and_f() {
    let mut f = Fixture::new("E1-2026").await;
    f.position("CV-E1", "written", 2).await;
    let a = f.candidate("Nguyễn Văn An", "CV-E1", &[]).await;
    let b = f
        .candidate("Trần Thị Bình", "CV-E1", &["war_invalid"])
        .await;
    let c = f.candidate("Lê Văn Cường", "CV-E1", &["war_invalid"]).await;
    let d = f
        .candidate("Phạm Thị Dung", "CV-E1", &["military_service"])
        .await;
    let e = f.candidate("Hoàng Văn Em", "CV-E1", &[]).await;
    let g = f.candidate("Vũ Thị Phương", "CV-E1", &[]).await;
    // E answered 29/60 in round 1 (VN-1); everyone else passed.
    round1_results(&f, &[(a, 40), (b, 41), (c, 35), (d, 38), (e, 29), (g, 44)]).await;
    for (id, mark) in [
        (a, "78.00"),
        (b, "72.00"),
        (c, "49.50"),
        (d, "75.00"),
        (e, "90.00"),
        (g, "76.00"),
    ] {
        f.mark(id, "written", mark).await;
    }

    let ranking = f.ranking("CV-E1").await;
    assert_eq!(ranking["status"], "final");
    assert_eq!(ranking["quota"], 2);
    assert_eq!(with_outcome(&ranking, "winner"), vec![b, a]);
    assert_eq!(with_outcome(&ranking, "reserve"), vec![d, g]);
    assert_eq!(with_outcome(&ranking, "ineligible"), vec![c]);
    assert_eq!(with_outcome(&ranking, "failed_round1"), vec![e]);
    let winner_b = entry(&ranking, b);
    assert_eq!(winner_b["raw_score"], "72.00");
    assert_eq!(winner_b["priority_points"], "7.50");
    assert_eq!(winner_b["total"], "79.50");
    assert_eq!(winner_b["rank"], 1);
    assert_eq!(winner_b["full_name"], "Trần Thị Bình");
    assert_eq!(entry(&ranking, d)["total"], "77.50");
    let c_entry = entry(&ranking, c);
    assert_eq!(c_entry["raw_score"], "49.50");
    assert!(
        c_entry["total"].is_null(),
        "priority points never rescue a raw score below 50"
    );
    for e in ranking["entries"].as_array().unwrap() {
        assert!(!e["reason"].as_str().unwrap().is_empty(), "{e}");
        assert!(!e["reason_en"].as_str().unwrap().is_empty(), "{e}");
    }
}

#[tokio::test]
async fn e4_equal_totals_wait_for_the_head_and_a_decision_settles_them() {
    let mut f = Fixture::new("E4-2026").await;
    f.position("CV-E4", "written", 1).await;
    let m = f
        .candidate("Đỗ Văn Minh", "CV-E4", &["military_service"])
        .await;
    let n = f
        .candidate("Bùi Thị Ngọc", "CV-E4", &["youth_volunteer"])
        .await;
    f.mark(m, "written", "77.00").await;
    f.mark(n, "written", "77.00").await;

    let ranking = f.ranking("CV-E4").await;
    assert_eq!(ranking["status"], "pending_head_decision");
    let mut tied = with_outcome(&ranking, "tied_pending");
    tied.sort();
    assert_eq!(tied, vec![m, n]);

    // Only the chair records it, only tied candidates may be chosen, and a reason is required.
    f.head_decision(&f.hr, "CV-E4", &[m]).await.problem(403);
    let r = f.head_decision(&f.chair, "CV-E4", &[m + 1000]).await;
    assert_eq!(locations(r.problem(422)), vec!["application_ids[0]"]);
    let r = f
        .app
        .post(
            &format!(
                "/api/v1/rounds/{}/positions/CV-E4/head-decisions",
                f.round_id
            ),
            Some(&f.chair),
            &json!({"application_ids": [m], "reason": "  "}),
        )
        .await;
    assert_eq!(locations(r.problem(422)), vec!["reason"]);
    let r = f.head_decision(&f.chair, "CV-E4", &[m, n]).await;
    r.problem(422);

    let r = f.head_decision(&f.chair, "CV-E4", &[m]).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["status"], "final");
    assert_eq!(with_outcome(&r.body, "winner"), vec![m]);
    assert_eq!(with_outcome(&r.body, "reserve"), vec![n]);
    assert_eq!(f.ranking("CV-E4").await, r.body);

    // Nothing is pending any more: a second decision is refused.
    f.head_decision(&f.chair, "CV-E4", &[n]).await.problem(409);
    let audited = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("ranking.head_decision"))
        .all(f.app.db())
        .await
        .unwrap();
    assert_eq!(audited.len(), 1);
    assert!(audited[0].details.contains("kinh nghiệm"));
}

#[tokio::test]
async fn e5_combined_form_uses_rounded_composites() {
    let mut f = Fixture::new("E5-2026").await;
    f.position("CV-E5", "written_interview", 1).await;
    let p = f.candidate("Phan Văn Phúc", "CV-E5", &[]).await;
    let q = f.candidate("Quách Thị Quyên", "CV-E5", &[]).await;
    let r_ = f.candidate("Rơ Châm Rin", "CV-E5", &[]).await;
    let s = f.candidate("Sầm Văn Sơn", "CV-E5", &[]).await;
    let t = f.candidate("Tạ Thị Thu", "CV-E5", &[]).await;
    for (id, written, interview) in [
        (p, "80.00", Some("60.00")),
        (q, "70.00", Some("83.34")),
        (r_, "95.00", Some("45.00")),
        (s, "48.00", Some("100.00")),
        (t, "88.00", None),
    ] {
        f.mark(id, "written", written).await;
        if let Some(interview) = interview {
            f.mark(id, "interview", interview).await;
        }
    }

    let ranking = f.ranking("CV-E5").await;
    assert_eq!(ranking["status"], "final");
    assert_eq!(with_outcome(&ranking, "winner"), vec![p]);
    assert_eq!(with_outcome(&ranking, "reserve"), vec![q]);
    let mut ineligible = with_outcome(&ranking, "ineligible");
    ineligible.sort();
    assert_eq!(ineligible, vec![r_, s, t]);
    assert_eq!(entry(&ranking, p)["raw_score"], "74.00");
    // 0.7 × 70 + 0.3 × 83.34 = 74.002 → 74.00: an equal total, broken by the written part.
    assert_eq!(entry(&ranking, q)["raw_score"], "74.00");
    assert_eq!(entry(&ranking, s)["raw_score"], "63.60");
}

#[tokio::test]
async fn double_marking_far_apart_needs_a_third_marker() {
    let mut f = Fixture::new("DM-2026").await;
    f.position("CV-DM", "written", 1).await;
    let a = f.candidate("Nguyễn Văn An", "CV-DM", &[]).await;
    let b = f.candidate("Trần Thị Bình", "CV-DM", &[]).await;

    let r = f
        .mark_as(&f.marker, a, "written", &["62.00", "66.00"])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["official"], "64.00");
    assert_eq!(r.body["status"], "final");

    // 10 apart: a third marker, and meanwhile the part is not counted, nor guessed.
    let r = f
        .mark_as(&f.marker, b, "written", &["50.00", "60.00"])
        .await;
    assert_eq!(r.body["status"], "needs_third_marker", "{}", r.text);
    assert!(r.body["official"].is_null());
    let ranking = f.ranking("CV-DM").await;
    assert_eq!(ranking["unsettled_marks"][0]["application_id"], b);
    f.publish(&f.hr).await.problem(409);
    // the chair cannot settle what needs a third marker
    let settle =
        json!({"application_id": b, "component": "written", "official": "55.00", "reason": "x"});
    let path = format!("/api/v1/rounds/{}/marks/head-settlements", f.round_id);
    f.app
        .post(&path, Some(&f.chair), &settle)
        .await
        .problem(409);

    // The third mark agrees with the second: that mark stands (VN-26). The re-entry is audited.
    let r = f
        .mark_as(&f.chair, b, "written", &["50.00", "60.00", "60.00"])
        .await;
    assert_eq!(r.body["status"], "final", "{}", r.text);
    assert_eq!(r.body["official"], "60.00");
    let replaced = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("marks.replace"))
        .all(f.app.db())
        .await
        .unwrap();
    assert_eq!(replaced.len(), 1);

    // 5.5 apart: the head settles it, with a reason, and only the chair may record that.
    let r = f
        .mark_as(&f.marker, a, "written", &["60.00", "65.50"])
        .await;
    assert_eq!(r.body["status"], "needs_head");
    assert!(r.body["reason"].as_str().unwrap().contains("trưởng ban"));
    let settle = json!({"application_id": a, "component": "written", "official": "63.00",
                        "reason": "Trưởng ban chấm thi chấm lại"});
    f.app
        .post(&path, Some(&f.marker), &settle)
        .await
        .problem(403);
    let r = f.app.post(&path, Some(&f.chair), &settle).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["official"], "63.00");
    assert_eq!(r.body["head_settled"], true);

    let ranking = f.ranking("CV-DM").await;
    assert!(ranking["unsettled_marks"].as_array().unwrap().is_empty());
    assert_eq!(with_outcome(&ranking, "winner"), vec![a]);
    assert_eq!(entry(&ranking, a)["raw_score"], "63.00");

    let list = f
        .app
        .get(
            &format!("/api/v1/rounds/{}/marks?position_code=CV-DM", f.round_id),
            Some(&f.marker),
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["total"], 2);
}

#[tokio::test]
async fn marks_out_of_range_are_refused() {
    let mut f = Fixture::new("MR-2026").await;
    f.position("CV-MR", "written", 1).await;
    let a = f.candidate("Nguyễn Văn An", "CV-MR", &[]).await;

    let r = f
        .mark_as(&f.marker, a, "written", &["101.00", "62.005"])
        .await;
    assert_eq!(locations(r.problem(422)), vec!["marks[0]", "marks[1]"]);
    let r = f
        .mark_as(&f.marker, a, "written", &["-1", "sáu mươi"])
        .await;
    assert_eq!(locations(r.problem(422)), vec!["marks[0]", "marks[1]"]);
    let r = f.mark_as(&f.marker, a, "written", &["62.00"]).await;
    assert_eq!(locations(r.problem(422)), vec!["marks"]);
    let r = f.mark_as(&f.marker, a, "essay", &["62.00", "62.00"]).await;
    assert_eq!(locations(r.problem(422)), vec!["component"]);

    // An application of another round is refused.
    let other = f
        .app
        .post(
            "/api/v1/rounds",
            Some(&f.hr),
            &json!({"code": "KHAC-2026", "name": "Kỳ khác"}),
        )
        .await;
    let other_id = other.body["id"].as_i64().unwrap();
    let r = f
        .app
        .post(
            &format!("/api/v1/rounds/{other_id}/marks"),
            Some(&f.marker),
            &json!({"application_id": a, "component": "written", "marks": ["62.00", "62.00"]}),
        )
        .await;
    assert_eq!(locations(r.problem(422)), vec!["application_id"]);

    // A request that fails changes nothing; HR cannot enter marks.
    f.mark_as(&f.hr, a, "written", &["62.00", "62.00"])
        .await
        .problem(403);
    let list = f
        .app
        .get(
            &format!("/api/v1/rounds/{}/marks", f.round_id),
            Some(&f.marker),
        )
        .await;
    assert_eq!(list.body["total"], 0, "{}", list.text);
}

#[tokio::test]
async fn publication_is_hashed_and_public_without_login() {
    let mut f = Fixture::new("PB-2026").await;
    f.position("CV-PB", "written", 1).await;
    let a = f.candidate("Nguyễn Văn An", "CV-PB", &[]).await;
    let b = f.candidate("Trần Thị Bình", "CV-PB", &[]).await;
    f.mark(a, "written", "80.00").await;
    f.mark(b, "written", "70.00").await;
    let public = format!("/api/v1/public/rounds/{}/results", f.round_code);
    f.app.get(&public, None).await.problem(404);

    let r = f.publish(&f.hr).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let first = r.body.clone();
    let sha = first["sha256"].as_str().unwrap().to_string();
    assert_eq!(sha.len(), 64);
    assert_eq!(first["audit_head"].as_str().unwrap().len(), 64);

    let r = f.app.get(&public, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["sha256"], sha.as_str());
    assert_eq!(r.body["audit_head"], first["audit_head"]);
    assert_eq!(r.body["round"], f.round_code.as_str());
    let position = &r.body["positions"][0];
    assert_eq!(position["code"], "CV-PB");
    assert_eq!(position["quota"], 1);
    assert_eq!(with_outcome(position, "winner"), vec![a]);
    assert_eq!(entry(position, a)["total"], "80.00");

    // The hash is over the stored canonical document, and the document is what is shown.
    let stored = publications::Entity::find().all(f.app.db()).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        server::services::results::sha256_hex(&stored[0].document),
        sha
    );
    let document: Value = serde_json::from_str(&stored[0].document).unwrap();
    assert_eq!(document["positions"], r.body["positions"]);

    // A later change needs a new publication; the first stays readable and unchanged.
    f.mark(b, "written", "90.00").await;
    assert_eq!(f.app.get(&public, None).await.body["sha256"], sha.as_str());
    let second = f.publish(&f.hr).await;
    assert_eq!(second.status, 201, "{}", second.text);
    assert_ne!(second.body["sha256"], sha.as_str());
    let latest = f.app.get(&public, None).await;
    assert_eq!(
        with_outcome(&latest.body["positions"][0], "winner"),
        vec![b]
    );
    let old = f.app.get(first["url"].as_str().unwrap(), None).await;
    assert_eq!(old.status, 200, "{}", old.text);
    assert_eq!(old.body["sha256"], sha.as_str());
    assert_eq!(with_outcome(&old.body["positions"][0], "winner"), vec![a]);
}

#[tokio::test]
async fn publication_is_refused_while_a_tie_is_pending() {
    let mut f = Fixture::new("PT-2026").await;
    f.position("CV-PT", "written", 1).await;
    let m = f.candidate("Đỗ Văn Minh", "CV-PT", &[]).await;
    let n = f.candidate("Bùi Thị Ngọc", "CV-PT", &[]).await;
    f.mark(m, "written", "77.00").await;
    f.mark(n, "written", "77.00").await;

    let r = f.publish(&f.hr).await;
    assert!(r.problem(409)["detail"].as_str().unwrap().contains("CV-PT"));
    assert!(publications::Entity::find()
        .all(f.app.db())
        .await
        .unwrap()
        .is_empty());

    let r = f.head_decision(&f.chair, "CV-PT", &[n]).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(f.publish(&f.hr).await.status, 201);
}

#[tokio::test]
async fn only_hr_publishes_only_the_chair_decides_and_results_need_no_login() {
    let mut f = Fixture::new("RB-2026").await;
    f.position("CV-RB", "written", 1).await;
    let m = f.candidate("Đỗ Văn Minh", "CV-RB", &[]).await;
    let n = f.candidate("Bùi Thị Ngọc", "CV-RB", &[]).await;
    f.mark(m, "written", "77.00").await;
    f.mark(n, "written", "77.00").await;

    f.publish(&f.marker).await.problem(403);
    f.publish(&f.chair).await.problem(403);
    f.head_decision(&f.hr, "CV-RB", &[m]).await.problem(403);
    f.head_decision(&f.marker, "CV-RB", &[m]).await.problem(403);
    let ranking_path = format!("/api/v1/rounds/{}/positions/CV-RB/ranking", f.round_id);
    f.app.get(&ranking_path, Some(&f.marker)).await.problem(403);
    f.app.get(&ranking_path, None).await.problem(401);
    f.app.get(&ranking_path, Some(&f.chair)).await;

    assert_eq!(f.head_decision(&f.chair, "CV-RB", &[m]).await.status, 201);
    assert_eq!(f.publish(&f.hr).await.status, 201);
    let r = f
        .app
        .get(
            &format!("/api/v1/public/rounds/{}/results", f.round_code),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    f.app
        .get("/api/v1/public/rounds/KHONG-CO/results", None)
        .await
        .problem(404);
}
