//! Who saw the answer keys and who took which file out (README, "Disclosures"): every staff
//! read of an item with its key and every export is in the audit log with who and why; a bank
//! export, which holds every key, needs a reason.

use serde_json::{json, Value};
use server::auth::Role;
use sha2::{Digest, Sha256};
use tests::TestApp;

async fn entries(app: &TestApp, action: &str) -> Vec<Value> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use server::entities::audit_log;
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .order_by_asc(audit_log::Column::Id)
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            json!({"actor": e.actor, "entity_id": e.entity_id,
                   "details": serde_json::from_str::<Value>(&e.details).unwrap()})
        })
        .collect()
}

/// A bank holding one item whose stem a spreadsheet would run as a formula.
async fn bank_with_item(app: &TestApp, author: &str) -> (i64, i64) {
    let bank = app
        .post(
            "/api/v1/banks",
            Some(author),
            &json!({"code": "KTC", "name": "Kiến thức chung"}),
        )
        .await;
    let bank = bank.body["id"].as_i64().unwrap();
    let item = app
        .post(
            &format!("/api/v1/banks/{bank}/items"),
            Some(author),
            &json!({
                "topic": "Kiến thức chung", "difficulty": 1, "kind": "single",
                "stem": "=HYPERLINK(\"http://example.invalid\";\"Bấm vào đây\")",
                "options": [
                    {"text": "-5", "correct": true},
                    {"text": "@SUM(A1)", "correct": false}
                ]
            }),
        )
        .await;
    assert_eq!(item.status, 201, "{}", item.text);
    (bank, item.body["id"].as_i64().unwrap())
}

#[tokio::test]
async fn a_bank_export_without_a_reason_is_refused_and_leaves_no_file() {
    let app = TestApp::spawn().await;
    let author = app.staff("tacgia", &[Role::Author]).await;
    let (bank, _) = bank_with_item(&app, &author).await;
    for query in [
        "format=csv",
        "format=csv&reason=",
        "format=xlsx&reason=%20%20",
    ] {
        let r = app
            .get(
                &format!("/api/v1/banks/{bank}/export?{query}"),
                Some(&author),
            )
            .await;
        assert_eq!(r.problem(422)["errors"][0]["location"], "reason", "{query}");
    }
    assert!(entries(&app, "bank.export").await.is_empty());
}

#[tokio::test]
async fn every_bank_export_is_audited_with_who_why_and_the_file_hash() {
    let app = TestApp::spawn().await;
    let author = app.staff("tacgia", &[Role::Author]).await;
    let (bank, _) = bank_with_item(&app, &author).await;
    let file = app
        .get_bytes(
            &format!("/api/v1/banks/{bank}/export?format=csv&reason=sao%20l%C6%B0u%20cu%E1%BB%91i%20k%E1%BB%B3"),
            Some(&author),
        )
        .await;
    assert_eq!(file.status, 200);
    let logged = entries(&app, "bank.export").await;
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["actor"], "staff:tacgia");
    assert_eq!(logged[0]["entity_id"], bank.to_string());
    assert_eq!(logged[0]["details"]["reason"], "sao lưu cuối kỳ");
    assert_eq!(
        logged[0]["details"]["file"]["sha256"],
        hex::encode(Sha256::digest(&file.bytes))
    );
}

#[tokio::test]
async fn exported_csv_cells_never_start_a_formula_and_import_back_unchanged() {
    let app = TestApp::spawn().await;
    let author = app.staff("tacgia", &[Role::Author]).await;
    let (bank, item) = bank_with_item(&app, &author).await;
    let file = app
        .get_bytes(
            &format!("/api/v1/banks/{bank}/export?format=csv&reason=kiem-tra"),
            Some(&author),
        )
        .await;
    let text = String::from_utf8(file.bytes.clone()).unwrap();
    let mut reader =
        csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell starts a formula: {cell:?}"
            );
        }
    }
    assert!(text.contains("'=HYPERLINK") && text.contains(",'-5,") && text.contains(",'@SUM(A1),"));

    let copy = app
        .post(
            "/api/v1/banks",
            Some(&author),
            &json!({"code": "KTC-2", "name": "Bản sao"}),
        )
        .await;
    let copy = copy.body["id"].as_i64().unwrap();
    let r = app
        .post_raw(
            &format!("/api/v1/banks/{copy}/imports?format=csv"),
            Some(&author),
            "text/csv",
            file.bytes,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let original = app
        .get(&format!("/api/v1/items/{item}"), Some(&author))
        .await;
    let imported = app
        .get(&format!("/api/v1/banks/{copy}/items"), Some(&author))
        .await;
    assert_eq!(imported.body["items"][0]["stem"], original.body["stem"]);
    assert_eq!(
        imported.body["items"][0]["options"],
        original.body["options"]
    );
}

#[tokio::test]
async fn staff_reads_of_answer_keys_are_audited_with_who_and_why() {
    let app = TestApp::spawn().await;
    let author = app.staff("tacgia", &[Role::Author]).await;
    let reviewer = app.staff("phanbien", &[Role::Reviewer]).await;
    let (bank, item) = bank_with_item(&app, &author).await;
    let r = app
        .get(
            &format!("/api/v1/items/{item}?purpose=ph%E1%BA%A3n%20bi%E1%BB%87n"),
            Some(&reviewer),
        )
        .await;
    assert_eq!(r.status, 200);
    app.get(&format!("/api/v1/items/{item}/versions/1"), Some(&author))
        .await;
    let reads = entries(&app, "item.read").await;
    assert_eq!(reads.len(), 2);
    assert_eq!(reads[0]["actor"], "staff:phanbien");
    assert_eq!(reads[0]["details"]["reason"], "phản biện");
    assert_eq!(reads[1]["actor"], "staff:tacgia");
    assert_eq!(reads[1]["details"]["reason"], Value::Null);

    app.get(&format!("/api/v1/banks/{bank}/items"), Some(&reviewer))
        .await;
    let pages = entries(&app, "bank.items_read").await;
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0]["details"]["items"], json!([item]));

    // A refused read shows nothing and records nothing.
    let hr = app.staff("tochuc", &[Role::Hr]).await;
    app.get(&format!("/api/v1/items/{item}"), Some(&hr))
        .await
        .problem(403);
    assert_eq!(entries(&app, "item.read").await.len(), 2);
}

#[tokio::test]
async fn printouts_and_exports_of_a_session_are_audited() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    let seats = app
        .get_bytes(
            &format!(
                "/api/v1/sessions/{}/seat-list?format=xlsx&purpose=ph%C3%B2ng%20thi",
                d.session_id
            ),
            Some(&hr),
        )
        .await;
    assert_eq!(seats.status, 200);
    let tickets = app
        .get_bytes(
            &format!("/api/v1/sessions/{}/admission-tickets", d.session_id),
            Some(&hr),
        )
        .await;
    assert_eq!(tickets.status, 200);
    let seat_list = entries(&app, "session.seat_list").await;
    assert_eq!(seat_list.len(), 1);
    assert_eq!(seat_list[0]["actor"], "staff:tochuc2");
    assert_eq!(seat_list[0]["details"]["reason"], "phòng thi");
    assert_eq!(
        seat_list[0]["details"]["file"]["sha256"],
        hex::encode(Sha256::digest(&seats.bytes))
    );
    assert_eq!(entries(&app, "session.admission_tickets").await.len(), 1);
}
