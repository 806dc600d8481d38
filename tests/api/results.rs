//! Round-2 marks (VN-26, VN-28), ranking per position (VN-10 to VN-14) with the worked examples
//! (docs/rules.md), head decisions (VN-11) and publication of results, over the API.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use server::auth::Role;
use server::entities::{audit_log, exams, publications, sessions, sittings};
use tests::{Resp, TestApp};

pub(crate) struct Fixture {
    pub(crate) app: TestApp,
    pub(crate) hr: String,
    pub(crate) marker: String,
    pub(crate) chair: String,
    pub(crate) round_id: i64,
    pub(crate) round_code: String,
    next_id: u32,
}

impl Fixture {
    /// A round with no round-1 exam, and its HR, marker and chair.
    pub(crate) async fn new(code: &str) -> Fixture {
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
    pub(crate) async fn position(&self, code: &str, form: &str, quota: i64) {
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

    pub(crate) async fn candidate(&mut self, name: &str, position: &str, groups: &[&str]) -> i64 {
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

    pub(crate) async fn mark_as(
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
    pub(crate) async fn mark(&self, application_id: i64, component: &str, mark: &str) {
        let r = self
            .mark_as(&self.marker, application_id, component, &[mark, mark])
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "final");
    }

    pub(crate) async fn ranking(&self, position: &str) -> Value {
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

    pub(crate) async fn publish(&self, token: &str) -> Resp {
        self.app
            .post(
                &format!("/api/v1/rounds/{}/publications", self.round_id),
                Some(token),
                &json!({}),
            )
            .await
    }

    pub(crate) async fn head_decision(&self, token: &str, position: &str, ids: &[i64]) -> Resp {
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

pub(crate) fn entry(ranking: &Value, id: i64) -> &Value {
    ranking["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["application_id"] == id)
        .unwrap_or_else(|| panic!("no entry {id} in {ranking}"))
}

pub(crate) fn with_outcome(ranking: &Value, outcome: &str) -> Vec<i64> {
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
pub(crate) async fn round1_results(f: &Fixture, results: &[(i64, u32)]) {
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
            status: Set(server::rules::sitting::SittingStatus::Submitted),
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

// ---- VN-14: striking a winner off; the reserve list in order ------------------------------

impl Fixture {
    pub(crate) async fn strike_off(
        &self,
        token: &str,
        position: &str,
        id: i64,
        cause: &str,
    ) -> Resp {
        self.app
            .post(
                &format!(
                    "/api/v1/rounds/{}/positions/{position}/strike-offs",
                    self.round_id
                ),
                Some(token),
                &json!({"application_id": id, "cause": cause,
                        "reason": "Người trúng tuyển có đơn từ chối nhận công tác ngày 02/12/2026"}),
            )
            .await
    }
}

#[tokio::test]
async fn vn_14_a_winner_struck_off_gives_the_place_to_the_next_on_the_reserve_list() {
    let mut f = Fixture::new("VN14-2026").await;
    f.position("CV-14", "written", 2).await;
    let a = f.candidate("Nguyễn Văn An", "CV-14", &[]).await;
    let b = f
        .candidate("Trần Thị Bình", "CV-14", &["war_invalid"])
        .await;
    let c = f.candidate("Lê Văn Cường", "CV-14", &["war_invalid"]).await;
    let d = f
        .candidate("Phạm Thị Dung", "CV-14", &["military_service"])
        .await;
    let g = f.candidate("Vũ Thị Phương", "CV-14", &[]).await;
    for (id, mark) in [
        (a, "78.00"),
        (b, "72.00"),
        (c, "49.50"),
        (d, "75.00"),
        (g, "76.00"),
    ] {
        f.mark(id, "written", mark).await;
    }
    let before = f.ranking("CV-14").await;
    assert_eq!(with_outcome(&before, "winner"), vec![b, a]);
    assert_eq!(with_outcome(&before, "reserve"), vec![d, g]);

    // Only HR records it, only for a current winner, with a known cause and a reason.
    f.strike_off(&f.marker, "CV-14", b, "declined")
        .await
        .problem(403);
    f.strike_off(&f.chair, "CV-14", b, "declined")
        .await
        .problem(403);
    let r = f.strike_off(&f.hr, "CV-14", d, "declined").await;
    assert_eq!(locations(r.problem(422)), vec!["application_id"]);
    let r = f.strike_off(&f.hr, "CV-14", c, "declined").await;
    assert!(r.problem(422)["detail"]
        .as_str()
        .unwrap()
        .contains("ineligible"));
    let r = f.strike_off(&f.hr, "CV-14", b, "changed_mind").await;
    assert_eq!(locations(r.problem(422)), vec!["cause"]);
    assert_eq!(f.ranking("CV-14").await, before, "refusals change nothing");

    let r = f.strike_off(&f.hr, "CV-14", b, "declined").await;
    assert_eq!(r.status, 201, "{}", r.text);
    let after = r.body;
    assert_eq!(after["status"], "final");
    assert_eq!(with_outcome(&after, "winner"), vec![a, d]);
    assert_eq!(with_outcome(&after, "reserve"), vec![g]);
    assert_eq!(with_outcome(&after, "struck_off"), vec![b]);
    assert_eq!(with_outcome(&after, "ineligible"), vec![c]);
    let struck = entry(&after, b);
    assert!(struck["rank"].is_null());
    assert_eq!(struck["total"], "79.50");
    assert_eq!(
        struck["reason_en"],
        "struck off the winners: declined the post (total 79.50)"
    );
    assert_eq!(
        struck["reason"],
        "bị loại khỏi danh sách trúng tuyển: từ chối tuyển dụng (tổng 79.50)"
    );
    let promoted = entry(&after, d);
    assert_eq!(
        promoted["reason_en"],
        "winner from the reserve list in place of a struck-off winner (winner, placed at UBND: total 77.50 = 75.00 + priority 2.50)"
    );
    assert!(promoted["reason"]
        .as_str()
        .unwrap()
        .starts_with("trúng tuyển bổ sung theo danh sách dự bị"));
    assert_eq!(
        f.ranking("CV-14").await,
        after,
        "the ranking reads the strike-off"
    );

    // Once is enough; and the audit records who won before and after.
    f.strike_off(&f.hr, "CV-14", b, "declined")
        .await
        .problem(409);
    let audit = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("ranking.strike_off"))
        .all(f.app.db())
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    let details: Value = serde_json::from_str(&audit[0].details).unwrap();
    assert_eq!(details["winners_before"], json!([b, a]));
    assert_eq!(details["winners_after"], json!([a, d]));
    assert_eq!(details["cause"], "declined");

    // The promoted winner may drop out too: the next reserve follows.
    let r = f.strike_off(&f.hr, "CV-14", d, "no_dossier").await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(with_outcome(&r.body, "winner"), vec![a, g]);
    assert_eq!(with_outcome(&r.body, "reserve"), Vec::<i64>::new());
    assert_eq!(
        entry(&r.body, d)["reason_en"],
        "struck off the winners: did not complete the dossier in time (total 77.50)"
    );
}

// ---- VN-27: review of paper-written marks ----------------------------------------------

impl Fixture {
    /// Moves the clock to `at` and signs the staff in again (tokens last hours, not days).
    async fn later(&mut self, at: chrono::DateTime<Utc>) {
        self.app.move_clock_to(at);
        let mut tokens = Vec::new();
        for username in ["tochuc", "giamkhao", "chutich"] {
            let r = self
                .app
                .post(
                    "/api/v1/auth/login",
                    None,
                    &json!({"username": username, "password": "mat-khau-thu-nghiem"}),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            tokens.push(r.body["token"].as_str().unwrap().to_string());
        }
        self.chair = tokens.pop().unwrap();
        self.marker = tokens.pop().unwrap();
        self.hr = tokens.pop().unwrap();
    }

    async fn request_review(&self, token: &str, id: i64) -> Resp {
        self.app
            .post(
                &format!("/api/v1/rounds/{}/reviews", self.round_id),
                Some(token),
                &json!({"application_id": id, "reason": "Đề nghị phúc khảo bài thi viết"}),
            )
            .await
    }

    async fn review_marks(&self, token: &str, review_id: i64, marks: &[&str]) -> Resp {
        self.app
            .post(
                &format!("/api/v1/reviews/{review_id}/marks"),
                Some(token),
                &json!({"marks": marks}),
            )
            .await
    }

    async fn reviews(&self) -> Value {
        let r = self
            .app
            .get(
                &format!("/api/v1/rounds/{}/reviews", self.round_id),
                Some(&self.hr),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.body
    }
}

async fn audited(f: &Fixture, action: &str) -> Vec<Value> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .all(f.app.db())
        .await
        .unwrap()
        .iter()
        .map(|e| serde_json::from_str(&e.details).unwrap())
        .collect()
}

/// Position CV-27 (written on paper, quota 1): An 60.00 wins, Bình 58.00 is the reserve.
async fn review_fixture(code: &str) -> (Fixture, i64, i64) {
    let mut f = Fixture::new(code).await;
    f.position("CV-27", "written", 1).await;
    let a = f.candidate("Nguyễn Văn An", "CV-27", &[]).await;
    let b = f.candidate("Trần Thị Bình", "CV-27", &[]).await;
    f.mark(a, "written", "60.00").await;
    f.mark(b, "written", "58.00").await;
    (f, a, b)
}

#[tokio::test]
async fn vn_27_a_review_within_the_window_changes_the_official_mark_and_the_ranking() {
    let (mut f, a, b) = review_fixture("VN27-2026").await;
    // Before publication there is nothing to review.
    let r = f.request_review(&f.hr, b).await;
    assert!(r.problem(409)["detail"]
        .as_str()
        .unwrap()
        .contains("not published"));
    let published = f.publish(&f.hr).await;
    assert_eq!(published.status, 201, "{}", published.text);
    assert_eq!(with_outcome(&f.ranking("CV-27").await, "winner"), vec![a]);

    // Three days later (within 5 working days) HR records Bình's request.
    let now = f.app.state.now();
    f.later(now + chrono::Duration::days(3)).await;
    f.request_review(&f.marker, b).await.problem(403);
    let r = f.request_review(&f.hr, b).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["status"], "requested");
    assert_eq!(r.body["published_mark"], "58.00");
    let review_id = r.body["id"].as_i64().unwrap();
    f.request_review(&f.hr, b).await.problem(409);

    // Two reviewers differ: a third marks; two of three agree on 62.50, 4.50 above 58.00.
    f.review_marks(&f.hr, review_id, &["62.50", "62.50"])
        .await
        .problem(403);
    let r = f
        .review_marks(&f.marker, review_id, &["62.50", "63.00"])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "needs_third_reviewer");
    assert_eq!(with_outcome(&f.ranking("CV-27").await, "winner"), vec![a]);
    let r = f
        .review_marks(&f.marker, review_id, &["62.50", "63.00", "100.5"])
        .await;
    assert_eq!(locations(r.problem(422)), vec!["marks[2]"]);
    let r = f
        .review_marks(&f.marker, review_id, &["62.50", "63.00", "62.50"])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "applied");
    assert_eq!(r.body["official"], "62.50");
    assert_eq!(
        r.body["reason_en"],
        "review: 62.50 replaces the published 58.00 (less than 5 apart)"
    );

    // The official mark changed, and with it the ranking.
    let ranking = f.ranking("CV-27").await;
    assert_eq!(with_outcome(&ranking, "winner"), vec![b]);
    assert_eq!(with_outcome(&ranking, "reserve"), vec![a]);
    assert_eq!(entry(&ranking, b)["raw_score"], "62.50");
    f.review_marks(&f.marker, review_id, &["70.00", "70.00"])
        .await
        .problem(409);
    let marks = audited(&f, "review.marks").await;
    assert_eq!(marks.len(), 2);
    assert_eq!(marks[1]["official_before"], "58.00");
    assert_eq!(marks[1]["official_after"], "62.50");
    assert_eq!(audited(&f, "review.request").await.len(), 1);
    // A new publication publishes the change; the first stays readable as it was.
    let again = f.publish(&f.hr).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_ne!(again.body["sha256"], published.body["sha256"]);
}

#[tokio::test]
async fn vn_27_a_review_5_or_more_from_the_published_mark_waits_for_the_chair() {
    let (f, a, b) = review_fixture("VN27C-2026").await;
    assert_eq!(f.publish(&f.hr).await.status, 201);
    let r = f.request_review(&f.hr, b).await;
    let review_id = r.body["id"].as_i64().unwrap();
    let r = f
        .review_marks(&f.marker, review_id, &["66.00", "66.00"])
        .await;
    assert_eq!(r.body["status"], "needs_conference", "{}", r.text);
    assert!(r.body["official"].is_null());
    // Nothing changes before the chair decides.
    assert_eq!(with_outcome(&f.ranking("CV-27").await, "winner"), vec![a]);
    let path = format!("/api/v1/reviews/{review_id}/decision");
    let body = json!({"official": "64.00", "minutes": "Biên bản họp hội đồng số 12/BB-HĐTD"});
    f.app.post(&path, Some(&f.hr), &body).await.problem(403);
    let r = f.app.post(&path, Some(&f.chair), &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "applied");
    assert_eq!(r.body["official"], "64.00");
    assert_eq!(with_outcome(&f.ranking("CV-27").await, "winner"), vec![b]);
    f.app.post(&path, Some(&f.chair), &body).await.problem(409);
    assert_eq!(audited(&f, "review.decide").await.len(), 1);
}

#[tokio::test]
async fn vn_27_a_request_after_the_window_is_refused_naming_the_deadline_and_changes_nothing() {
    let (mut f, a, b) = review_fixture("VN27L-2026").await;
    let published = f.publish(&f.hr).await;
    assert_eq!(published.status, 201, "{}", published.text);
    let published_at: chrono::DateTime<Utc> = published.body["published_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let calendar = server::services::calendar::calendar(f.app.db())
        .await
        .unwrap();
    let deadline = server::services::round::deadlines::review_deadline(
        &calendar,
        server::vietnam_time::vietnam_today(published_at),
    );
    let before = f.ranking("CV-27").await;
    // Ten days on, more than 5 working days have passed whatever the weekday.
    f.later(published_at + chrono::Duration::days(10)).await;
    let r = f.request_review(&f.hr, b).await;
    let detail = r.problem(409)["detail"].as_str().unwrap().to_string();
    assert!(
        detail.contains(&format!("closed on {deadline}")),
        "{detail}"
    );
    assert!(detail.contains("VN-27"), "{detail}");
    assert_eq!(f.reviews().await["total"], 0);
    assert!(audited(&f, "review.request").await.is_empty());
    assert_eq!(f.ranking("CV-27").await, before);
    assert_eq!(with_outcome(&before, "winner"), vec![a]);
}

#[tokio::test]
async fn vn_27_only_paper_written_marks_are_reviewed() {
    let mut f = Fixture::new("VN27P-2026").await;
    f.position("CV-CBT", "written_cbt", 1).await;
    let a = f.candidate("Nguyễn Văn An", "CV-CBT", &[]).await;
    assert_eq!(f.publish(&f.hr).await.status, 201);
    let r = f.request_review(&f.hr, a).await;
    let problem = r.problem(422);
    assert_eq!(locations(problem), vec!["application_id"]);
    assert!(problem["detail"].as_str().unwrap().contains("VN-18"));
}
