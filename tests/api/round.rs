//! Recruitment rounds for HR: rule sets (VN-0), positions and quotas (VN-13), applications
//! with priority points (VN-7 to VN-9) and the one-application rule (VN-16), imports,
//! eligibility and the dashboard (VN-30).

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use server::auth::Role;
use server::entities::{audit_log, exams, sessions};
use tests::{Resp, TestApp};

async fn hr(app: &TestApp) -> String {
    app.staff("tochuc", &[Role::Hr]).await
}

async fn patch(app: &TestApp, path: &str, token: &str, body: &Value) -> Resp {
    app.send(app.client.patch(app.url(path)).json(body), Some(token))
        .await
}

/// Creates a round and returns its id.
async fn round(app: &TestApp, token: &str, body: Value) -> i64 {
    let r = app.post("/api/v1/rounds", Some(token), &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_i64().unwrap()
}

async fn hp_round(app: &TestApp, token: &str) -> i64 {
    round(
        app,
        token,
        json!({"code": "HP-2026", "name": "Kỳ thi tuyển công chức Hải Phòng 2026"}),
    )
    .await
}

/// The positions of the demo plan: CV-TCKT shared by STC (2) and SXD (1), CV-VP with one agency.
async fn plan(app: &TestApp, token: &str, round_id: i64) {
    for body in [
        json!({"code": "CV-TCKT", "name": "Chuyên viên tài chính – kế toán", "grade": "chuyen_vien",
               "round2_form": "written_interview",
               "agencies": [{"code": "STC", "name": "Sở Tài chính", "quota": 2},
                            {"code": "SXD", "name": "Sở Xây dựng", "quota": 1}]}),
        json!({"code": "CV-VP", "name": "Chuyên viên hành chính – văn phòng", "grade": "chuyen_vien",
               "round2_form": "written",
               "agencies": [{"code": "VP-UBND", "name": "Văn phòng UBND thành phố", "quota": 2}]}),
    ] {
        let r = app
            .post(
                &format!("/api/v1/rounds/{round_id}/positions"),
                Some(token),
                &body,
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
}

fn applicant(national_id: &str, position_code: &str) -> Value {
    json!({
        "full_name": "Nguyễn Thị Lan",
        "date_of_birth": "1994-03-12",
        "gender": "nữ",
        "national_id": national_id,
        "position_code": position_code,
    })
}

async fn apply(app: &TestApp, token: &str, round_id: i64, body: &Value) -> Resp {
    app.post(
        &format!("/api/v1/rounds/{round_id}/applications"),
        Some(token),
        body,
    )
    .await
}

fn locations(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["location"].as_str().unwrap().to_string())
        .collect()
}

async fn application_total(app: &TestApp, token: &str, round_id: i64) -> i64 {
    let r = app
        .get(
            &format!("/api/v1/rounds/{round_id}/applications"),
            Some(token),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["total"].as_i64().unwrap()
}

#[tokio::test]
async fn the_rule_set_defaults_to_vn_2025() {
    let app = TestApp::spawn().await;
    let token = hr(&app).await;
    let id = hp_round(&app, &token).await;
    let r = app.get(&format!("/api/v1/rounds/{id}"), Some(&token)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["rule_set"], "vn-2025");
    assert_eq!(r.body["one_application_per_candidate"], true);
    assert_eq!(r.body["name"], "Kỳ thi tuyển công chức Hải Phòng 2026");
    let legacy = round(
        &app,
        &token,
        json!({"code": "HP-2024", "name": "Kỳ cũ", "rule_set": "vn-2020"}),
    )
    .await;
    let list = app.get("/api/v1/rounds", Some(&token)).await;
    assert_eq!(list.body["total"], 2);
    assert_eq!(list.body["items"][0]["id"], legacy);
    assert_eq!(list.body["items"][0]["rule_set"], "vn-2020");
    // A round code is unique.
    let again = app
        .post(
            "/api/v1/rounds",
            Some(&token),
            &json!({"code": "HP-2026", "name": "x"}),
        )
        .await;
    again.problem(409);
}

#[tokio::test]
async fn an_unknown_rule_set_is_refused() {
    let app = TestApp::spawn().await;
    let token = hr(&app).await;
    let r = app
        .post(
            "/api/v1/rounds",
            Some(&token),
            &json!({"code": "HP-2026", "name": "Kỳ thi", "rule_set": "vn-2019"}),
        )
        .await;
    let p = r.problem(422);
    assert_eq!(locations(p), vec!["rule_set"]);
    assert!(p["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("vn-2019"));
    let list = app.get("/api/v1/rounds", Some(&token)).await;
    assert_eq!(list.body["total"], 0);
}

#[tokio::test]
async fn a_shared_position_has_the_sum_of_its_agency_quotas() {
    let app = TestApp::spawn().await;
    let token = hr(&app).await;
    let id = hp_round(&app, &token).await;
    plan(&app, &token, id).await;
    let list = app
        .get(&format!("/api/v1/rounds/{id}/positions"), Some(&token))
        .await;
    assert_eq!(list.body["total"], 2);
    let shared = &list.body["items"][0];
    assert_eq!(shared["code"], "CV-TCKT");
    assert_eq!(shared["quota"], 3);
    assert_eq!(shared["round2_form"], "written_interview");
    assert_eq!(shared["agencies"][1]["code"], "SXD");
    assert_eq!(shared["agencies"][1]["quota"], 1);

    let path = format!("/api/v1/rounds/{id}/positions");
    let duplicate = app
        .post(
            &path,
            Some(&token),
            &json!({"code": "CV-TCKT", "name": "x", "grade": "can_su", "round2_form": "written",
                    "agencies": [{"code": "A", "name": "A", "quota": 1}]}),
        )
        .await;
    duplicate.problem(409);
    let bad = app
        .post(
            &path,
            Some(&token),
            &json!({"code": "CV-KH", "name": "Kế hoạch", "grade": "giam_doc", "round2_form": "oral",
                    "agencies": [{"code": "A", "name": "A", "quota": 0},
                                 {"code": "A", "name": "B", "quota": 1}]}),
        )
        .await;
    assert_eq!(
        locations(bad.problem(422)),
        vec![
            "grade",
            "round2_form",
            "agencies[0].quota",
            "agencies[1].code"
        ]
    );
    let list = app.get(&path, Some(&token)).await;
    assert_eq!(list.body["total"], 2, "a refused position changes nothing");
}

#[tokio::test]
async fn one_application_per_candidate_per_round() {
    let app = TestApp::spawn().await;
    let token = hr(&app).await;
    let id = hp_round(&app, &token).await;
    plan(&app, &token, id).await;
    let first = apply(&app, &token, id, &applicant("031194012874", "CV-TCKT")).await;
    assert_eq!(first.status, 201, "{}", first.text);
    // Another position does not help: one application per round (VN-16).
    let second = apply(&app, &token, id, &applicant("031194012874", "CV-VP")).await;
    assert!(second.problem(409)["detail"]
        .as_str()
        .unwrap()
        .contains("031194012874"));
    assert_eq!(application_total(&app, &token, id).await, 1);

    // A round that turns the setting off takes both.
    let open = round(
        &app,
        &token,
        json!({"code": "VC-2026", "name": "Tuyển viên chức", "rule_set": "vn-vc-2020",
               "one_application_per_candidate": false}),
    )
    .await;
    plan(&app, &token, open).await;
    for position in ["CV-TCKT", "CV-VP"] {
        let r = apply(&app, &token, open, &applicant("031194012874", position)).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    // Turning it back on with a candidate applying twice is refused.
    let on = patch(
        &app,
        &format!("/api/v1/rounds/{open}"),
        &token,
        &json!({"one_application_per_candidate": true}),
    )
    .await;
    on.problem(409);
}

#[tokio::test]
async fn agency_preferences_must_belong_to_the_position() {
    let app = TestApp::spawn().await;
    let token = hr(&app).await;
    let id = hp_round(&app, &token).await;
    plan(&app, &token, id).await;
    let mut body = applicant("031194012874", "CV-TCKT");
    body["agency_preferences"] = json!(["SXD", "VP-UBND"]);
    let r = apply(&app, &token, id, &body).await;
    let p = r.problem(422);
    assert_eq!(locations(p), vec!["agency_preferences[1]"]);
    assert!(p["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("VP-UBND"));

    body["agency_preferences"] = json!(["SXD", "STC"]);
    let r = apply(&app, &token, id, &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["agency_preferences"], json!(["SXD", "STC"]));

    // None listed: every agency of the position, in the order of the plan.
    let r = apply(&app, &token, id, &applicant("031090492388", "CV-TCKT")).await;
    assert_eq!(r.body["agency_preferences"], json!(["STC", "SXD"]));

    // Fields are checked together and located.
    let r = apply(
        &app,
        &token,
        id,
        &json!({"full_name": " ", "date_of_birth": "31/02/1990", "gender": "x",
                "national_id": "12AB", "position_code": "CV-XX"}),
    )
    .await;
    assert_eq!(
        locations(r.problem(422)),
        vec![
            "full_name",
            "date_of_birth",
            "gender",
            "national_id",
            "position_code"
        ]
    );
}

#[tokio::test]
async fn priority_points_are_the_highest_group_only() {
    let app = TestApp::spawn().await;
    let token = hr(&app).await;
    let id = hp_round(&app, &token).await;
    plan(&app, &token, id).await;
    // E2: ethnic minority (5) + military service (2.5) + union cadre (1.5) → 5, never 9.
    let mut body = applicant("031194012874", "CV-VP");
    body["priority_groups"] = json!(["ethnic_minority", "military_service", "union_cadre"]);
    let r = apply(&app, &token, id, &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.body["id"].as_i64().unwrap() > 0);
    assert_eq!(r.body["priority_points"], "5.00");
    assert_eq!(r.body["priority_group"], "ethnic_minority");

    let r = apply(&app, &token, id, &applicant("031090492388", "CV-VP")).await;
    assert_eq!(r.body["priority_points"], "0.00");

    let mut body = applicant("031088801087", "CV-VP");
    body["priority_groups"] = json!(["hero", "veteran"]);
    let r = apply(&app, &token, id, &body).await;
    assert_eq!(locations(r.problem(422)), vec!["priority_groups[1]"]);
}

#[tokio::test]
async fn an_unproven_claim_drops_its_points() {
    let app = TestApp::spawn().await;
    let token = hr(&app).await;
    let id = hp_round(&app, &token).await;
    plan(&app, &token, id).await;
    let mut body = applicant("031194012874", "CV-VP");
    body["priority_groups"] = json!(["war_invalid", "youth_volunteer"]);
    let r = apply(&app, &token, id, &body).await;
    assert_eq!(r.body["priority_points"], "7.50");
    let app_id = r.body["id"].as_i64().unwrap();
    let path = format!("/api/v1/applications/{app_id}/priority-claims/unproven");

    // VN-9: no certificate for the war-invalid claim → the next highest counts.
    let r = app
        .post(
            &path,
            Some(&token),
            &json!({"group": "war_invalid", "reason": "Không nộp giấy chứng nhận thương binh"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["priority_points"], "2.50");
    assert_eq!(r.body["priority_group"], "youth_volunteer");
    assert_eq!(r.body["unproven_groups"], json!(["war_invalid"]));
    let stored = app
        .get(&format!("/api/v1/applications/{app_id}"), Some(&token))
        .await;
    assert_eq!(stored.body["priority_points"], "2.50");

    let again = app
        .post(
            &path,
            Some(&token),
            &json!({"group": "war_invalid", "reason": "lần hai"}),
        )
        .await;
    again.problem(409);
    let unclaimed = app
        .post(
            &path,
            Some(&token),
            &json!({"group": "hero", "reason": "không có"}),
        )
        .await;
    assert_eq!(locations(unclaimed.problem(422)), vec!["group"]);

    let audited = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("application.priority_unproven"))
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(audited.len(), 1);
    assert!(audited[0].details.contains("Không nộp giấy chứng nhận"));
    let report = server::audit::verify(app.db()).await.unwrap();
    assert!(report.intact);
}

const HEADER: &str = "full_name,date_of_birth,gender,national_id,position_code,agency_preferences,priority_groups,exemptions";

#[tokio::test]
async fn bad_csv_lists_every_row_error_and_imports_nothing() {
    let app = TestApp::spawn().await;
    let token = hr(&app).await;
    let id = hp_round(&app, &token).await;
    plan(&app, &token, id).await;
    let existing = apply(&app, &token, id, &applicant("031188000001", "CV-VP")).await;
    assert_eq!(existing.status, 201);
    let csv = format!(
        "{HEADER}\n\
         Trần Văn Hùng,1990-07-25,nam,031090492388,CV-TCKT,SXD|STC,military_service,\n\
         Lê Thị Thu Hà,1996-11-02,nữ,031196117858,CV-XX,,,\n\
         Phạm Minh Tuấn,1988-01-19,nam,031088801087,CV-TCKT,VP-UBND,,\n\
         Đỗ Văn Nam,19/13/1990,ông,031090000001,CV-VP,,hero|veteran,\n\
         Trần Văn Hùng,1990-07-25,nam,031090492388,CV-VP,,,\n\
         \n\
         Ngô Thị Mai,1992-05-05,nữ,031188000001,CV-VP,,,\n\
         Vũ Văn Long,1991-01-01,nam,031091000001,CV-VP,,,toeic\n"
    );
    let r = app
        .post_raw(
            &format!("/api/v1/rounds/{id}/applications/imports?format=csv"),
            Some(&token),
            "text/csv",
            csv.into_bytes(),
        )
        .await;
    let p = r.problem(422);
    assert_eq!(
        locations(p),
        vec![
            "applications.csv, row 3, column position_code",
            "applications.csv, row 4, column agency_preferences",
            "applications.csv, row 5, column date_of_birth",
            "applications.csv, row 5, column gender",
            "applications.csv, row 5, column priority_groups",
            "applications.csv, row 6, column national_id",
            "applications.csv, row 8, column national_id",
            "applications.csv, row 9, column exemptions",
        ]
    );
    assert_eq!(
        p["errors"][0]["message"],
        "no position 'CV-XX' in this round"
    );
    assert!(p["errors"][5]["message"]
        .as_str()
        .unwrap()
        .contains("row 2 of this file"));
    assert!(p["errors"][6]["message"]
        .as_str()
        .unwrap()
        .contains("already applied"));
    assert_eq!(
        application_total(&app, &token, id).await,
        1,
        "nothing imported"
    );

    // A wrong header is reported on its own.
    let r = app
        .post_raw(
            &format!("/api/v1/rounds/{id}/applications/imports?format=csv"),
            Some(&token),
            "text/csv",
            b"ho_ten,ngay_sinh\nA,B\n".to_vec(),
        )
        .await;
    let p = r.problem(422);
    assert_eq!(locations(p)[0], "applications.csv, row 1, column 1", "{p}");
}

#[tokio::test]
async fn the_template_imports_after_a_preview() {
    let app = TestApp::spawn().await;
    let token = hr(&app).await;
    let id = hp_round(&app, &token).await;
    plan(&app, &token, id).await;
    let template = app
        .get("/api/v1/rounds/templates/applications.csv", None)
        .await;
    assert_eq!(template.status, 200);
    assert!(template.content_type.starts_with("text/csv"));
    assert!(template.text.contains(HEADER));
    let doc = app.get("/api/openapi.json", None).await;
    for path in [
        "/api/v1/rounds/{round_id}/applications/imports",
        "/api/v1/rounds/templates/applications.csv",
        "/api/v1/applications/{application_id}/priority-claims/unproven",
    ] {
        assert!(doc.body["paths"][path].is_object(), "{path} documented");
    }

    let path = format!("/api/v1/rounds/{id}/applications/imports?format=csv");
    let preview = app
        .post_raw(
            &format!("{path}&dry_run=true"),
            Some(&token),
            "text/csv",
            template.text.clone().into_bytes(),
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.text);
    assert_eq!(preview.body["dry_run"], true);
    assert_eq!(preview.body["imported"], 2);
    assert_eq!(preview.body["preview"][0]["row"], 2);
    assert_eq!(preview.body["preview"][0]["priority_points"], "2.50");
    assert_eq!(
        preview.body["preview"][1]["agency_preferences"],
        json!(["VP-UBND"])
    );
    assert_eq!(
        application_total(&app, &token, id).await,
        0,
        "a dry run stores nothing"
    );

    let r = app
        .post_raw(&path, Some(&token), "text/csv", template.text.into_bytes())
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["imported"], 2);
    assert_eq!(r.body["application_ids"].as_array().unwrap().len(), 2);

    // Found by name without diacritics, and by position.
    let found = app
        .get(
            &format!("/api/v1/rounds/{id}/applications?q=tran%20thi"),
            Some(&token),
        )
        .await;
    assert_eq!(found.body["total"], 1);
    assert_eq!(found.body["items"][0]["full_name"], "Trần Thị Bình");
    assert_eq!(found.body["items"][0]["priority_points"], "5.00");
    let by_position = app
        .get(
            &format!("/api/v1/rounds/{id}/applications?position_code=CV-TCKT&limit=1"),
            Some(&token),
        )
        .await;
    assert_eq!(by_position.body["total"], 1);
    assert_eq!(
        by_position.body["items"][0]["agency_preferences"],
        json!(["STC", "SXD"])
    );
}

// --- a minimal xlsx writer (stored zip + inline strings): the tests crate has no xlsx library.

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn stored_zip(files: &[(&str, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, content) in files {
        let data = content.as_bytes();
        let crc = crc32(data);
        let offset = out.len() as u32;
        let size = data.len() as u32;
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, 0, 0, 0, 0x21] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        for v in [20u16, 20, 0, 0, 0, 0x21] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name.len() as u16, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, files.len() as u16, files.len() as u16] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A workbook whose first sheet holds `rows`; a cell starting with `#` is written as a number.
fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let pkg = "http://schemas.openxmlformats.org/package/2006/relationships";
    let mut sheet =
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>"#);
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, value) in row.iter().enumerate() {
            let at = format!("{}{}", (b'A' + c as u8) as char, r + 1);
            match value.strip_prefix('#') {
                Some(n) => sheet.push_str(&format!(r#"<c r="{at}"><v>{n}</v></c>"#)),
                None => sheet.push_str(&format!(
                    r#"<c r="{at}" t="inlineStr"><is><t>{value}</t></is></c>"#
                )),
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    stored_zip(&[
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#
                .to_string(),
        ),
        (
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Hồ sơ" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
}

#[tokio::test]
async fn an_xlsx_import_works() {
    let app = TestApp::spawn().await;
    let token = hr(&app).await;
    let id = hp_round(&app, &token).await;
    plan(&app, &token, id).await;
    let header: Vec<&str> = HEADER.split(',').collect();
    let path = format!("/api/v1/rounds/{id}/applications/imports?format=xlsx");
    let good = xlsx(&[
        header.clone(),
        vec![
            "Hoàng Văn Đức",
            "1993-09-09",
            "nam",
            "031093000777",
            "CV-TCKT",
            "SXD",
            "officer|union_cadre",
            "",
        ],
        vec!["Bùi Thị Hoa", "1997-02-14", "nữ", "031197000888", "CV-VP"],
    ]);
    let r = app
        .post_raw(
            &path,
            Some(&token),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            good,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["imported"], 2);
    let first = r.body["application_ids"][0].as_i64().unwrap();
    let stored = app
        .get(&format!("/api/v1/applications/{first}"), Some(&token))
        .await;
    assert_eq!(stored.body["full_name"], "Hoàng Văn Đức");
    assert_eq!(stored.body["agency_preferences"], json!(["SXD"]));
    assert_eq!(stored.body["priority_points"], "5.00");

    // A national id typed as a number loses its leading zero: reported, with the fix.
    let bad = xlsx(&[
        header,
        vec!["Lý Thị Hạnh", "1995-05-05", "nữ", "#31195000999", "CV-VP"],
    ]);
    let r = app
        .post_raw(&path, Some(&token), "application/octet-stream", bad)
        .await;
    let p = r.problem(422);
    assert_eq!(
        locations(p),
        vec!["applications.xlsx, row 2, column national_id"]
    );
    assert!(p["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("format the column as Text"));

    let r = app
        .post_raw(&path, Some(&token), "text/csv", b"not a workbook".to_vec())
        .await;
    assert_eq!(locations(r.problem(422)), vec!["applications.xlsx"]);
    assert_eq!(application_total(&app, &token, id).await, 2);
}

#[tokio::test]
async fn eligibility_needs_a_reason_when_refused() {
    let app = TestApp::spawn().await;
    let token = hr(&app).await;
    let id = hp_round(&app, &token).await;
    plan(&app, &token, id).await;
    let a = apply(&app, &token, id, &applicant("031194012874", "CV-VP")).await;
    let b = apply(&app, &token, id, &applicant("031090492388", "CV-VP")).await;
    assert_eq!(a.body["eligible"], Value::Null, "not checked yet");
    let (a, b) = (
        a.body["id"].as_i64().unwrap(),
        b.body["id"].as_i64().unwrap(),
    );

    let r = app
        .post(
            &format!("/api/v1/applications/{a}/eligibility"),
            Some(&token),
            &json!({"eligible": false}),
        )
        .await;
    assert_eq!(locations(r.problem(422)), vec!["reason"]);
    let reason = "Văn bằng không phù hợp yêu cầu vị trí việc làm";
    let r = app
        .post(
            &format!("/api/v1/applications/{a}/eligibility"),
            Some(&token),
            &json!({"eligible": false, "reason": reason}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["eligible"], false);
    assert_eq!(r.body["eligibility_reason"], reason);
    let r = app
        .post(
            &format!("/api/v1/applications/{b}/eligibility"),
            Some(&token),
            &json!({"eligible": true}),
        )
        .await;
    assert_eq!(r.body["eligible"], true);

    // The ineligible are listed with their reasons.
    let refused = app
        .get(
            &format!("/api/v1/rounds/{id}/applications?eligible=false"),
            Some(&token),
        )
        .await;
    assert_eq!(refused.body["total"], 1);
    assert_eq!(refused.body["items"][0]["id"], a);
    assert_eq!(refused.body["items"][0]["eligibility_reason"], reason);

    let missing = app
        .post(
            "/api/v1/applications/9999/eligibility",
            Some(&token),
            &json!({"eligible": true}),
        )
        .await;
    missing.problem(404);
}

#[tokio::test]
async fn dashboard_shows_competition_ratio_and_deadlines() {
    let app = TestApp::spawn().await;
    let token = hr(&app).await;
    let id = round(
        &app,
        &token,
        json!({"code": "HP-2026", "name": "Kỳ thi", "applications_open_on": "2026-03-02"}),
    )
    .await;
    plan(&app, &token, id).await;
    for nid in [
        "031000000001",
        "031000000002",
        "031000000003",
        "031000000004",
    ] {
        let r = apply(&app, &token, id, &applicant(nid, "CV-TCKT")).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let r = apply(&app, &token, id, &applicant("031000000005", "CV-VP")).await;
    let vp = r.body["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/applications/{vp}/eligibility"),
        Some(&token),
        &json!({"eligible": true}),
    )
    .await;

    let d = app
        .get(&format!("/api/v1/rounds/{id}/dashboard"), Some(&token))
        .await;
    assert_eq!(d.status, 200, "{}", d.text);
    assert_eq!(d.body["applications"], 5);
    assert_eq!(d.body["eligible"], 1);
    assert_eq!(d.body["pending"], 4);
    let tckt = &d.body["positions"][0];
    assert_eq!(tckt["code"], "CV-TCKT");
    assert_eq!(tckt["quota"], 3);
    assert_eq!(tckt["applications"], 4);
    assert_eq!(tckt["competition_ratio"], "1.33");
    let vp_stats = &d.body["positions"][1];
    assert_eq!(vp_stats["competition_ratio"], "0.50");
    assert_eq!(vp_stats["eligible"], 1);

    let due = |code: &str| {
        d.body["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["code"] == code)
            .unwrap_or_else(|| panic!("no deadline {code}"))
            .clone()
    };
    assert_eq!(due("applications_close")["due_on"], "2026-04-01");
    assert_eq!(due("eligible_list")["due_on"], "2026-04-16");
    // VN-32: round 1 due on Friday 1 May, a holiday, is due on Monday 4 May (E11).
    assert_eq!(due("round1")["due_on"], "2026-05-04");
    assert_eq!(due("round2")["due_on"], "2026-05-14");
    assert_eq!(due("results_approved")["due_on"], "2026-05-28");
    assert_eq!(due("results_approved")["working_days"], true);
    assert_eq!(due("recruitment_decision")["due_on"], "2026-06-19");
    assert_eq!(due("recruitment_decision")["holidays_known"], true);

    // Recording the day of round 1 moves the later deadlines to count from it.
    let r = patch(
        &app,
        &format!("/api/v1/rounds/{id}"),
        &token,
        &json!({"round1_on": "2026-04-18"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let d = app
        .get(&format!("/api/v1/rounds/{id}/dashboard"), Some(&token))
        .await;
    let round2 = d.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "round2")
        .unwrap()
        .clone();
    assert_eq!(round2["due_on"], "2026-04-28");
    assert_eq!(round2["estimated"], false);
}

#[tokio::test]
async fn only_hr_manages_rounds() {
    let app = TestApp::spawn().await;
    let author = app.staff("tacgia", &[Role::Author]).await;
    let chair = app.staff("chutich", &[Role::Chair]).await;
    let token = hr(&app).await;
    let body = json!({"code": "HP-2026", "name": "Kỳ thi"});
    app.post("/api/v1/rounds", Some(&author), &body)
        .await
        .problem(403);
    app.post("/api/v1/rounds", None, &body).await.problem(401);
    app.post("/api/v1/rounds", Some(&chair), &body)
        .await
        .problem(403);
    let id = round(&app, &token, body).await;
    plan(&app, &token, id).await;
    // The chair reads; the author does not.
    let r = app
        .get(&format!("/api/v1/rounds/{id}/dashboard"), Some(&chair))
        .await;
    assert_eq!(r.status, 200);
    app.get(&format!("/api/v1/rounds/{id}/applications"), Some(&author))
        .await
        .problem(403);
    apply(&app, &chair, id, &applicant("031194012874", "CV-VP"))
        .await
        .problem(403);
    app.get("/api/v1/rounds/9999", Some(&token))
        .await
        .problem(404);
}

#[tokio::test]
async fn the_rule_set_cannot_change_once_the_first_session_has_started() {
    let app = TestApp::spawn().await;
    let token = hr(&app).await;
    let id = hp_round(&app, &token).await;
    let now = Utc::now();
    let exam = exams::ActiveModel {
        round_id: Set(id as i32),
        code: Set("V1-KTC".into()),
        name: Set("Vòng 1 – Kiến thức chung".into()),
        stage: Set("round1".into()),
        duration_minutes: Set(60),
        blueprint: Set("{}".into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .unwrap();
    sessions::ActiveModel {
        exam_id: Set(exam.id),
        code: Set("CA-01".into()),
        room: Set("Phòng máy 01".into()),
        starts_at: Set(now + Duration::minutes(10)),
        access_code: Set("ABC234".into()),
        secret: Set("00".repeat(32)),
        opened_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .unwrap();

    let path = format!("/api/v1/rounds/{id}");
    let r = patch(&app, &path, &token, &json!({"rule_set": "vn-2020"})).await;
    assert_eq!(r.status, 200, "before the session starts: {}", r.text);
    assert_eq!(r.body["rule_set"], "vn-2020");

    app.clock.advance(Duration::minutes(11));
    let r = patch(&app, &path, &token, &json!({"rule_set": "vn-2025"})).await;
    assert!(r.problem(409)["detail"].as_str().unwrap().contains("VN-0"));
    let r = patch(
        &app,
        &path,
        &token,
        &json!({"one_application_per_candidate": false}),
    )
    .await;
    r.problem(409);
    // What is not a rule may still change.
    let r = patch(&app, &path, &token, &json!({"name": "Kỳ thi (đổi tên)"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["rule_set"], "vn-2020");
    let bad = patch(&app, &path, &token, &json!({"rule_set": "vn-2030"})).await;
    assert_eq!(locations(bad.problem(422)), vec!["rule_set"]);
}
