//! The decree applied exactly, over the API: the rule-set lock (VN-0), the two versions of
//! vn-2025 and their priority groups (VN-0 amended, VN-7, E10), replacement of struck-off
//! winners (VN-14 amended, E13) and the fraud bar (VN-16 amended, E14).

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use server::auth::Role;
use server::entities::audit_log;
use tests::{Resp, TestApp};

use crate::results::{entry, with_outcome, Fixture};

async fn patch(app: &TestApp, path: &str, token: &str, body: &Value) -> Resp {
    app.send(app.client.patch(app.url(path)).json(body), Some(token))
        .await
}

/// Sets the server clock to `at`, earlier or later than now.
fn set_clock(app: &TestApp, at: DateTime<Utc>) {
    app.clock.advance(at - app.state.now());
}

/// Noon in Vietnam on that day.
fn vietnam_noon(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, 5, 0, 0).unwrap()
}

fn locations(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["location"].as_str().unwrap().to_string())
        .collect()
}

async fn new_round(f: &Fixture, body: Value) -> Resp {
    f.app.post("/api/v1/rounds", Some(&f.hr), &body).await
}

/// A position shared by agencies X and Y, one place each (E8).
async fn shared_position(f: &Fixture, round_id: i64, code: &str) {
    let r = f
        .app
        .post(
            &format!("/api/v1/rounds/{round_id}/positions"),
            Some(&f.hr),
            &json!({"code": code, "name": "Chuyên viên dùng chung", "grade": "chuyen_vien",
                    "round2_form": "written",
                    "agencies": [{"code": "X", "name": "Sở X", "quota": 1},
                                 {"code": "Y", "name": "Sở Y", "quota": 1}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

/// An application with the given identity numbers and choices; the raw response.
async fn apply(f: &Fixture, round_id: i64, body: Value) -> Resp {
    let mut application = json!({"full_name": "Thí sinh", "date_of_birth": "1994-03-12",
                                 "gender": "nam", "national_id": "031094999999",
                                 "position_code": "CV-XY"});
    if let (Some(base), Some(extra)) = (application.as_object_mut(), body.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    f.app
        .post(
            &format!("/api/v1/rounds/{round_id}/applications"),
            Some(&f.hr),
            &application,
        )
        .await
}

async fn applied(f: &Fixture, round_id: i64, body: Value) -> i64 {
    let r = apply(f, round_id, body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_i64().unwrap()
}

// ---- VN-0: the lock -----------------------------------------------------------------------

#[tokio::test]
async fn vn_0_a_round_without_computer_sessions_locks_its_rules_at_the_first_mark() {
    let mut f = Fixture::new("VN0-2026").await;
    f.position("CV-0", "written", 1).await;
    let a = f.candidate("Nguyễn Văn An", "CV-0", &[]).await;
    let path = format!("/api/v1/rounds/{}", f.round_id);
    let r = patch(&f.app, &path, &f.hr, &json!({"rule_set": "vn-2020"})).await;
    assert_eq!(r.status, 200, "no session, no mark yet: {}", r.text);

    f.mark(a, "written", "70.00").await;
    for change in [
        json!({"rule_set": "vn-2025"}),
        json!({"plan_approved_on": "2026-09-01"}),
        json!({"recruiting_authority": "UBND thành phố Hải Phòng"}),
        json!({"one_application_per_candidate": false}),
    ] {
        let r = patch(&f.app, &path, &f.hr, &change).await;
        let detail = r.problem(409)["detail"].as_str().unwrap().to_string();
        assert!(
            detail.contains("VN-0") && detail.contains("mark"),
            "{detail}"
        );
    }
    let round = f.app.get(&path, Some(&f.hr)).await;
    assert_eq!(round.body["rule_set"], "vn-2020", "refusals change nothing");
    // What is not a rule may still change.
    let r = patch(&f.app, &path, &f.hr, &json!({"name": "Kỳ thi (đổi tên)"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

// ---- VN-0 amended, VN-7: two versions of vn-2025, E10 ------------------------------------

#[tokio::test]
async fn e10_priority_groups_follow_the_plan_approval_date_not_the_application() {
    let f = Fixture::new("E10-BASE").await;
    // Applications are made on 3 Aug 2026, after Decree 300/2026 took effect.
    set_clock(&f.app, vietnam_noon(2026, 8, 3));
    let r = new_round(
        &f,
        json!({"code": "E10-PRE", "name": "Kế hoạch duyệt 20/7/2026", "plan_approved_on": "2026-07-20"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["rule_set"], "vn-2025-pre300");
    assert_eq!(r.body["plan_approved_on"], "2026-07-20");
    let pre300 = r.body["id"].as_i64().unwrap();
    let r = new_round(
        &f,
        json!({"code": "E10-NEW", "name": "Kế hoạch duyệt 1/8/2026", "plan_approved_on": "2026-08-01"}),
    )
    .await;
    assert_eq!(r.body["rule_set"], "vn-2025");
    let amended = r.body["id"].as_i64().unwrap();

    let cases: [(&[&str], &str, &str); 3] = [
        (&["defence_worker_left_working_age"], "0.00", "2.50"),
        (
            &["defence_worker_left_working_age", "union_cadre_grassroots"],
            "1.50",
            "2.50",
        ),
        (&["child_of_war_invalid_type_b"], "5.00", "5.00"),
    ];
    for (round_id, column) in [(pre300, 1), (amended, 2)] {
        shared_position(&f, round_id, "CV-XY").await;
        for (k, (groups, under_pre300, under_vn_2025)) in cases.iter().enumerate() {
            let r = apply(
                &f,
                round_id,
                json!({"national_id": format!("03109400000{k}"), "priority_groups": groups}),
            )
            .await;
            assert_eq!(r.status, 201, "{}", r.text);
            let expected = if column == 1 {
                under_pre300
            } else {
                under_vn_2025
            };
            assert_eq!(r.body["priority_points"], *expected, "{groups:?}");
        }
    }
}

#[tokio::test]
async fn vn_0_the_version_of_vn_2025_is_not_a_choice() {
    let f = Fixture::new("VN0-BASE").await;
    set_clock(&f.app, vietnam_noon(2026, 9, 1));
    let r = new_round(
        &f,
        json!({"code": "SAI-1", "name": "Kỳ", "rule_set": "vn-2025", "plan_approved_on": "2026-07-20"}),
    )
    .await;
    assert_eq!(locations(r.problem(422)), vec!["rule_set"]);
    let r = new_round(
        &f,
        json!({"code": "SAI-2", "name": "Kỳ", "rule_set": "vn-2025-pre300", "plan_approved_on": "2026-08-01"}),
    )
    .await;
    assert_eq!(locations(r.problem(422)), vec!["rule_set"]);
    let r = new_round(
        &f,
        json!({"code": "SAI-3", "name": "Kỳ", "rule_set": "vn-2025-pre300"}),
    )
    .await;
    assert_eq!(locations(r.problem(422)), vec!["plan_approved_on"]);
    let listed = f.app.get("/api/v1/rounds", Some(&f.hr)).await;
    assert_eq!(listed.body["total"], 1, "nothing was created");
    // Other rule sets do not depend on the date.
    let r = new_round(
        &f,
        json!({"code": "VC-1", "name": "Viên chức", "rule_set": "vn-vc-2020", "plan_approved_on": "2026-07-20"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

#[tokio::test]
async fn vn_0_a_pre300_round_moves_to_vn_2025_on_1_february_2027_audited() {
    let mut f = Fixture::new("VN0-SW-BASE").await;
    set_clock(&f.app, vietnam_noon(2026, 9, 1));
    let r = new_round(
        &f,
        json!({"code": "SW-2026", "name": "Kế hoạch cũ", "plan_approved_on": "2026-07-20"}),
    )
    .await;
    let round_id = r.body["id"].as_i64().unwrap();
    f.round_id = round_id;
    f.position("CV-SW", "written", 1).await;
    let a = f.candidate("Nguyễn Văn An", "CV-SW", &[]).await;
    let b = f.candidate("Trần Văn Bình", "CV-SW", &[]).await;
    f.mark(a, "written", "80.00").await;
    f.mark(b, "written", "70.00").await;
    let path = format!("/api/v1/rounds/{round_id}");
    let r = patch(&f.app, &path, &f.hr, &json!({"rule_set": "vn-2025"})).await;
    r.problem(409);

    // VN-14: under Decree 170 as issued the place must be offered.
    let r = f
        .app
        .post(
            &format!("/api/v1/rounds/{round_id}/positions/CV-SW/strike-offs"),
            Some(&f.hr),
            &json!({"application_id": a, "cause": "declined", "reason": "Từ chối", "replace": false}),
        )
        .await;
    assert_eq!(locations(r.problem(422)), vec!["replace"]);

    set_clock(&f.app, vietnam_noon(2027, 2, 1));
    // Months later: a fresh sign-in.
    f.hr = f.app.staff("tochuc2027", &[Role::Hr]).await;
    let r = f
        .app
        .post(
            &format!("/api/v1/rounds/{round_id}/positions/CV-SW/strike-offs"),
            Some(&f.hr),
            &json!({"application_id": a, "cause": "declined", "reason": "Từ chối", "replace": false}),
        )
        .await;
    assert_eq!(
        r.status, 201,
        "under vn-2025 the agency may leave it empty: {}",
        r.text
    );
    assert!(with_outcome(&r.body, "winner").is_empty());
    assert_eq!(with_outcome(&r.body, "reserve"), vec![b]);
    let round = f.app.get(&path, Some(&f.hr)).await;
    assert_eq!(round.body["rule_set"], "vn-2025");
    let switches = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("round.rule_set_switch"))
        .all(f.app.db())
        .await
        .unwrap();
    assert_eq!(switches.len(), 1);
    assert_eq!(switches[0].entity_id, round_id.to_string());
    assert!(switches[0].details.contains("vn-2025-pre300"));
}

// ---- VN-14 amended: replacement, E13 -----------------------------------------------------

/// E8: U 85 [X, Y]; V 83 [X, Y]; W 81 [Y]; Z 79 [X] (and Z′ 79 [X] when asked).
async fn e8(f: &mut Fixture, with_z_prime: bool) -> Vec<i64> {
    shared_position(f, f.round_id, "CV-XY").await;
    let mut people = vec![
        ("U", "85.00", vec!["X", "Y"]),
        ("V", "83.00", vec!["X", "Y"]),
        ("W", "81.00", vec!["Y"]),
        ("Z", "79.00", vec!["X"]),
    ];
    if with_z_prime {
        people.push(("Z′", "79.00", vec!["X"]));
    }
    let mut ids = Vec::new();
    for (k, (name, mark, agencies)) in people.into_iter().enumerate() {
        let id = applied(
            f,
            f.round_id,
            json!({"full_name": name, "national_id": format!("03109410000{k}"),
                   "agency_preferences": agencies}),
        )
        .await;
        f.mark(id, "written", mark).await;
        ids.push(id);
    }
    ids
}

async fn strike(f: &Fixture, id: i64, replace: Option<bool>) -> Resp {
    let mut body = json!({"application_id": id, "cause": "no_dossier",
                          "reason": "Không hoàn thiện hồ sơ tuyển dụng đúng thời hạn"});
    if let Some(replace) = replace {
        body["replace"] = json!(replace);
    }
    f.app
        .post(
            &format!("/api/v1/rounds/{}/positions/CV-XY/strike-offs", f.round_id),
            Some(&f.hr),
            &body,
        )
        .await
}

#[tokio::test]
async fn e13_the_freed_place_goes_to_z_and_placed_winners_never_move() {
    let mut f = Fixture::new("E13-2026").await;
    let ids = e8(&mut f, false).await;
    let (u, v, w, z) = (ids[0], ids[1], ids[2], ids[3]);
    let before = f.ranking("CV-XY").await;
    assert_eq!(entry(&before, u)["agency"], "X");
    assert_eq!(entry(&before, v)["agency"], "Y");

    let r = strike(&f, u, None).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(with_outcome(&r.body, "winner"), vec![v, z]);
    assert_eq!(entry(&r.body, v)["agency"], "Y", "V stays at Y");
    assert_eq!(entry(&r.body, z)["agency"], "X");
    assert_eq!(with_outcome(&r.body, "reserve"), vec![w], "W listed only Y");
    assert_eq!(with_outcome(&r.body, "struck_off"), vec![u]);
    assert_eq!(
        f.ranking("CV-XY").await,
        r.body,
        "the ranking reads it back"
    );
}

#[tokio::test]
async fn e13_without_replacement_x_stays_empty() {
    let mut f = Fixture::new("E13-EMPTY").await;
    let ids = e8(&mut f, false).await;
    let (u, v, w, z) = (ids[0], ids[1], ids[2], ids[3]);
    let r = strike(&f, u, Some(false)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(with_outcome(&r.body, "winner"), vec![v]);
    assert_eq!(with_outcome(&r.body, "reserve"), vec![w, z]);
    let recorded = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("ranking.strike_off"))
        .one(f.app.db())
        .await
        .unwrap()
        .unwrap();
    assert!(
        recorded.details.contains("\"replaced\":false"),
        "{}",
        recorded.details
    );
}

#[tokio::test]
async fn e13_z_and_z_prime_equal_for_the_freed_place_wait_for_the_head() {
    let mut f = Fixture::new("E13-HEAD").await;
    let ids = e8(&mut f, true).await;
    let (u, v, z, z_prime) = (ids[0], ids[1], ids[3], ids[4]);
    let r = strike(&f, u, None).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["status"], "pending_head_decision");
    assert_eq!(with_outcome(&r.body, "tied_pending"), vec![z, z_prime]);
    assert_eq!(with_outcome(&r.body, "winner"), vec![v]);

    let r = f.head_decision(&f.chair, "CV-XY", &[z_prime]).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let after = f.ranking("CV-XY").await;
    assert_eq!(after["status"], "final");
    assert_eq!(with_outcome(&after, "winner"), vec![v, z_prime]);
    assert_eq!(entry(&after, z_prime)["agency"], "X");
}

// ---- VN-16 amended: the fraud bar, E14 ---------------------------------------------------

const W_ID: &str = "031090001234";
const W_OLD_ID: &str = "031000123";
const AUTHORITY: &str = "UBND thành phố Hải Phòng";

#[tokio::test]
async fn e14_a_false_diploma_bars_w_from_the_authoritys_next_round_only() {
    let f = Fixture::new("E14-R1").await;
    set_clock(&f.app, vietnam_noon(2026, 9, 10));
    let r1 = f.round_id;
    let r = patch(
        &f.app,
        &format!("/api/v1/rounds/{r1}"),
        &f.hr,
        &json!({"recruiting_authority": AUTHORITY}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    shared_position(&f, r1, "CV-XY").await;
    let w = applied(
        &f,
        r1,
        json!({"full_name": "W", "national_id": W_ID, "linked_national_id": W_OLD_ID}),
    )
    .await;
    let stored = f
        .app
        .get(&format!("/api/v1/applications/{w}"), Some(&f.hr))
        .await;
    assert_eq!(stored.body["linked_national_id"], W_OLD_ID);
    let s = applied(
        &f,
        r1,
        json!({"full_name": "S", "national_id": "031090005555"}),
    )
    .await;
    f.mark(w, "written", "90.00").await;
    f.mark(s, "written", "80.00").await;
    let r = f
        .app
        .post(
            &format!("/api/v1/rounds/{r1}/positions/CV-XY/strike-offs"),
            Some(&f.hr),
            &json!({"application_id": w, "cause": "invalid_documents",
                    "reason": "Bằng tốt nghiệp không hợp pháp (xác minh ngày 10/9/2026)"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // S declines: declining is not fraud.
    let r = f
        .app
        .post(
            &format!("/api/v1/rounds/{r1}/positions/CV-XY/strike-offs"),
            Some(&f.hr),
            &json!({"application_id": s, "cause": "declined", "reason": "Từ chối"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);

    let round = |code: &str, authority: &str| json!({"code": code, "name": format!("Kỳ {code}"), "recruiting_authority": authority});
    let other = new_round(&f, round("KHAC-R2", "UBND tỉnh khác")).await;
    let other = other.body["id"].as_i64().unwrap();
    let r2 = new_round(&f, round("E14-R2", AUTHORITY)).await;
    let r2 = r2.body["id"].as_i64().unwrap();
    shared_position(&f, r2, "CV-XY").await;
    shared_position(&f, other, "CV-XY").await;

    for identity in [
        json!({"national_id": W_ID}),
        json!({"national_id": W_OLD_ID}),
        json!({"national_id": "031090007777", "linked_national_id": W_OLD_ID}),
    ] {
        let r = apply(&f, r2, identity.clone()).await;
        let problem = r.problem(422);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .starts_with("barred_fraud"),
            "{identity}: {problem}"
        );
        assert_eq!(locations(problem), vec!["national_id"]);
    }
    let listed = f
        .app
        .get(&format!("/api/v1/rounds/{r2}/applications"), Some(&f.hr))
        .await;
    assert_eq!(listed.body["total"], 0, "refusals change nothing");
    // S, who only declined, applies; so does W to another authority.
    applied(&f, r2, json!({"national_id": "031090005555"})).await;
    applied(&f, other, json!({"national_id": W_ID})).await;

    // The bar reaches the next round only.
    let r3 = new_round(&f, round("E14-R3", AUTHORITY)).await;
    let r3 = r3.body["id"].as_i64().unwrap();
    shared_position(&f, r3, "CV-XY").await;
    applied(
        &f,
        r3,
        json!({"national_id": W_ID, "linked_national_id": W_OLD_ID}),
    )
    .await;
}

#[tokio::test]
async fn vn_16_a_linked_old_id_is_nine_digits_beside_a_twelve_digit_one() {
    let f = Fixture::new("VN16-LINK").await;
    shared_position(&f, f.round_id, "CV-XY").await;
    for (national_id, linked) in [("031090001234", "03100012"), ("031000123", "031000124")] {
        let r = apply(
            &f,
            f.round_id,
            json!({"national_id": national_id, "linked_national_id": linked}),
        )
        .await;
        assert_eq!(locations(r.problem(422)), vec!["linked_national_id"]);
    }
}
