//! The working-day calendar (VN-32): the operator enters each year's notice of days off and
//! swapped working days, and the round's deadlines (VN-30) are counted on it.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use server::auth::Role;
use tests::TestApp;

/// The Government's notice for 2027 as an operator would enter it: Tết from Friday 5 to
/// Thursday 11 February, the Hùng Kings' day on Friday 16 April.
fn notice_2027() -> Value {
    json!({
        "days_off": ["2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-04-16"],
        "working_weekend_days": [],
        "source": "Thông báo 6150/TB-BNV (mẫu)"
    })
}

async fn round_opening(app: &TestApp, hr: &str, code: &str, opens: &str) -> i64 {
    let r = app
        .post(
            "/api/v1/rounds",
            Some(hr),
            &json!({"code": code, "name": "Kỳ thi", "applications_open_on": opens}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_i64().unwrap()
}

async fn due(app: &TestApp, hr: &str, round: i64, code: &str) -> Value {
    let d = app
        .get(&format!("/api/v1/rounds/{round}/dashboard"), Some(hr))
        .await;
    assert_eq!(d.status, 200, "{}", d.text);
    d.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == code)
        .unwrap_or_else(|| panic!("no deadline {code}"))
        .clone()
}

#[tokio::test]
async fn vn_32_a_notice_entered_for_2027_moves_a_deadline_off_tet() {
    let app = TestApp::spawn().await;
    let admin = app.staff("quantri", &[Role::Admin]).await;
    let hr = app.staff("tochuc", &[Role::Hr]).await;
    // Applications open Wednesday 6 January 2027: they close 30 days later, on Friday
    // 5 February, the first day of Tết.
    let round = round_opening(&app, &hr, "HP-2027", "2027-01-06").await;
    let close = due(&app, &hr, round, "applications_close").await;
    assert_eq!(close["due_on"], "2027-02-05");
    assert_eq!(
        close["holidays_known"], false,
        "without the 2027 notice the page must warn"
    );

    let r = app
        .put("/api/v1/calendar/2027", Some(&admin), &notice_2027())
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["origin"], "entered");
    assert_eq!(r.body["entered_by"], "staff:quantri");

    // Tết runs to Thursday 11 February: the period ends on Friday 12 February.
    let close = due(&app, &hr, round, "applications_close").await;
    assert_eq!(close["due_on"], "2027-02-12");
    assert_eq!(close["holidays_known"], true);

    let list = app.get("/api/v1/calendar", Some(&hr)).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let years: Vec<(i64, String)> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["year"].as_i64().unwrap(),
                n["origin"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        years,
        [(2026, "shipped".to_string()), (2027, "entered".to_string())]
    );
}

#[tokio::test]
async fn vn_32_only_the_administrator_enters_a_notice_and_it_is_audited() {
    let app = TestApp::spawn().await;
    let admin = app.staff("quantri", &[Role::Admin]).await;
    let hr = app.staff("tochuc", &[Role::Hr]).await;
    app.put("/api/v1/calendar/2027", Some(&hr), &notice_2027())
        .await
        .problem(403);
    app.put("/api/v1/calendar/2027", None, &notice_2027())
        .await
        .problem(401);
    app.get("/api/v1/calendar", None).await.problem(401);

    let r = app
        .put("/api/v1/calendar/2027", Some(&admin), &notice_2027())
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let log = app.get("/api/v1/audit/verify", Some(&admin)).await;
    assert_eq!(log.status, 200, "{}", log.text);
    assert_eq!(log.body["intact"], true);
    let entries = server::entities::audit_log::Entity::find()
        .filter(server::entities::audit_log::Column::Action.eq("calendar.notice"))
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "staff:quantri");
    assert_eq!(entries[0].entity_id, "2027");
}

#[tokio::test]
async fn vn_32_a_wrong_notice_is_refused_naming_each_date_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.staff("quantri", &[Role::Admin]).await;
    let r = app
        .put(
            "/api/v1/calendar/2027",
            Some(&admin),
            &json!({
                "days_off": ["2027-02-05", "2026-02-09", "2027-02-06"],
                "working_weekend_days": ["2027-02-22"],
                "source": " "
            }),
        )
        .await;
    let problem = r.problem(422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["location"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "days_off[1]",
            "days_off[2]",
            "working_weekend_days[0]",
            "source"
        ]
    );
    let r = app
        .put(
            "/api/v1/calendar/2027",
            Some(&admin),
            &json!({"days_off": ["not a date"], "source": "x"}),
        )
        .await;
    r.problem(422);
    let list = app.get("/api/v1/calendar", Some(&admin)).await;
    assert!(list
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["origin"] == "shipped"));
}
