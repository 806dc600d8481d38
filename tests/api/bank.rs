//! Question banks (issue 3): authoring, review (VN-29), versions, search, import/export and
//! seals, through the REST API.

use serde_json::{json, Value};
use server::auth::Role;
use tests::TestApp;

const HEADER: &str =
    "topic,difficulty,kind,stem,option_a,option_b,option_c,option_d,correct,answer,points,explanation";

/// An exam board: an author, a reviewer and one bank.
struct Board {
    app: TestApp,
    author: String,
    reviewer: String,
    bank: i64,
}

async fn board() -> Board {
    let app = TestApp::spawn().await;
    let author = app.staff("tacgia", &[Role::Author]).await;
    let reviewer = app.staff("phanbien", &[Role::Reviewer]).await;
    let bank = create_bank(&app, &author, "KTC").await;
    Board {
        app,
        author,
        reviewer,
        bank,
    }
}

async fn create_bank(app: &TestApp, token: &str, code: &str) -> i64 {
    let r = app
        .post(
            "/api/v1/banks",
            Some(token),
            &json!({"code": code, "name": "Ngân hàng câu hỏi Kiến thức chung"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_i64().unwrap()
}

async fn user_id(app: &TestApp, token: &str) -> i64 {
    app.get("/api/v1/me", Some(token)).await.body["id"]
        .as_i64()
        .unwrap()
}

fn single(topic: &str, difficulty: u8, stem: &str) -> Value {
    json!({
        "topic": topic,
        "difficulty": difficulty,
        "kind": "single",
        "stem": stem,
        "options": [
            {"text": "Quốc hội", "correct": true},
            {"text": "Chính phủ", "correct": false},
            {"text": "Chủ tịch nước", "correct": false},
            {"text": "Tòa án nhân dân tối cao", "correct": false}
        ]
    })
}

fn true_false(topic: &str, stem: &str) -> Value {
    json!({
        "topic": topic, "difficulty": 1, "kind": "true_false", "stem": stem,
        "options": [{"text": "Đúng", "correct": true}, {"text": "Sai", "correct": false}]
    })
}

/// One item of each kind, with explanation, tags, fixed options and points.
fn one_of_each_kind() -> Vec<Value> {
    vec![
        json!({
            "topic": "Kiến thức chung/Hiến pháp", "difficulty": 1, "kind": "single",
            "stem": "Hiến pháp hiện hành được Quốc hội thông qua năm nào?",
            "options": [
                {"text": "1992", "correct": false}, {"text": "2001", "correct": false},
                {"text": "2013", "correct": true}, {"text": "2015", "correct": false}
            ],
            "points": "1.00",
            "explanation": "Quốc hội khóa XIII thông qua ngày 28/11/2013."
        }),
        json!({
            "topic": "Kiến thức chung/Hiến pháp", "difficulty": 2, "kind": "true_false",
            "stem": "Quốc hội là cơ quan quyền lực nhà nước cao nhất.",
            "options": [{"text": "Đúng", "correct": true}, {"text": "Sai", "correct": false}],
            "points": "0.50", "tags": ["Điều 69"]
        }),
        json!({
            "topic": "Tư duy/Toán", "difficulty": 3, "kind": "multiple",
            "stem": "Những số nào sau đây là số nguyên tố?",
            "options": [
                {"text": "2", "correct": true}, {"text": "4", "correct": false},
                {"text": "7", "correct": true},
                {"text": "Cả A và C đều đúng & <không> sai", "correct": false, "fixed": true}
            ],
            "points": "2.00"
        }),
        json!({
            "topic": "Kiến thức chung/Hiến pháp", "difficulty": 1, "kind": "fill_blank",
            "stem": "Thủ đô của nước Cộng hòa xã hội chủ nghĩa Việt Nam là ___.",
            "answer": ["Hà Nội", "Thành phố Hà Nội"], "points": "1.25",
            "explanation": "Điều 13 Hiến pháp năm 2013."
        }),
    ]
}

/// The item fields of the API, as a response carries them (to compare content only).
fn content(item: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for key in [
        "topic",
        "difficulty",
        "kind",
        "stem",
        "options",
        "answer",
        "points",
        "explanation",
        "tags",
    ] {
        out.insert(key.to_string(), item[key].clone());
    }
    Value::Object(out)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A CSV file in the documented layout, one line per row of fields.
fn csv(rows: &[[&str; 12]]) -> Vec<u8> {
    let mut out = format!("{HEADER}\n");
    for row in rows {
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out.into_bytes()
}

const LUAT_ROW: [&str; 12] = [
    "Kiến thức chung/Luật Cán bộ, công chức",
    "2",
    "single",
    "Theo Luật Cán bộ, công chức, công chức được tuyển dụng thông qua hình thức nào?",
    "Thi tuyển hoặc xét tuyển",
    "Bầu cử",
    "Phê chuẩn",
    "Bổ nhiệm",
    "A",
    "",
    "1.00",
    "",
];

const TIN_HOC_ROW: [&str; 12] = [
    "Tin học",
    "1",
    "true_false",
    "Microsoft Word là phần mềm soạn thảo văn bản.",
    "",
    "",
    "",
    "",
    "A",
    "",
    "",
    "",
];

impl Board {
    async fn create(&self, item: &Value) -> Value {
        let r = self
            .app
            .post(
                &format!("/api/v1/banks/{}/items", self.bank),
                Some(&self.author),
                item,
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body
    }

    async fn step(&self, item: &Value, step: &str, token: &str) -> tests::Resp {
        self.app
            .post(
                &format!("/api/v1/items/{}/{step}", item["id"]),
                Some(token),
                &json!({}),
            )
            .await
    }

    /// Written by the author, submitted, approved by the reviewer.
    async fn approved(&self, item: &Value) -> Value {
        let created = self.create(item).await;
        assert_eq!(
            self.step(&created, "submit", &self.author).await.status,
            200
        );
        let r = self.step(&created, "approve", &self.reviewer).await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.body
    }

    async fn reject(&self, item: &Value, reason: &str) -> tests::Resp {
        self.app
            .post(
                &format!("/api/v1/items/{}/reject", item["id"]),
                Some(&self.reviewer),
                &json!({ "reason": reason }),
            )
            .await
    }

    async fn list(&self, query: &str) -> tests::Resp {
        self.app
            .get(
                &format!("/api/v1/banks/{}/items?{query}", self.bank),
                Some(&self.author),
            )
            .await
    }

    async fn import(&self, query: &str, token: &str, body: Vec<u8>) -> tests::Resp {
        self.app
            .post_raw(
                &format!("/api/v1/banks/{}/imports?{query}", self.bank),
                Some(token),
                "application/octet-stream",
                body,
            )
            .await
    }

    async fn total(&self) -> u64 {
        self.list("").await.body["total"].as_u64().unwrap()
    }
}

// ---------------------------------------------------------------------------------------------
// Authoring and review

#[tokio::test]
async fn an_author_creates_a_draft_item() {
    let b = board().await;
    let mut body = single(
        "Kiến thức chung/Luật Cán bộ, công chức",
        2,
        "Cơ quan nào thông qua Luật Cán bộ, công chức?",
    );
    body["explanation"] = json!("Điều 84 Hiến pháp năm 2013.");
    body["tags"] = json!(["luật"]);
    let item = b.create(&body).await;
    assert_eq!(item["status"], "draft");
    assert_eq!(item["version"], 1);
    assert_eq!(item["bank_id"], b.bank);
    assert_eq!(item["author_id"], user_id(&b.app, &b.author).await);
    assert_eq!(item["reviewed_by"], Value::Null);
    assert_eq!(item["points"], "1.00", "points default to a 2-place string");
    assert_eq!(item["stem"], body["stem"]);
    assert_eq!(item["options"][0]["correct"], true);
    assert_eq!(item["explanation"], "Điều 84 Hiến pháp năm 2013.");
    assert_eq!(item["tags"], json!(["luật"]));
    assert_eq!(item["sha256"].as_str().unwrap().len(), 64);

    let got = b
        .app
        .get(&format!("/api/v1/items/{}", item["id"]), Some(&b.author))
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, item);
}

#[tokio::test]
async fn an_invalid_item_is_refused_with_every_problem() {
    let b = board().await;
    let r = b
        .app
        .post(
            &format!("/api/v1/banks/{}/items", b.bank),
            Some(&b.author),
            &json!({
                "topic": "Kiến thức chung", "difficulty": 2, "kind": "single", "stem": "Câu hỏi?",
                "options": [
                    {"text": "A", "correct": true}, {"text": "", "correct": false},
                    {"text": "B", "correct": true}, {"text": " a ", "correct": false}
                ]
            }),
        )
        .await;
    let problem = r.problem(422);
    let locations: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["location"].as_str().unwrap())
        .collect();
    assert!(locations.contains(&"options[1].text"), "{locations:?}");
    assert!(locations.contains(&"options[3].text"), "{locations:?}");
    assert!(locations.contains(&"options"), "two correct options");

    let r = b
        .app
        .post(
            &format!("/api/v1/banks/{}/items", b.bank),
            Some(&b.author),
            &json!({"topic": "T", "difficulty": 5, "kind": "fill_blank", "stem": "x", "answer": "y"}),
        )
        .await;
    assert_eq!(r.problem(422)["errors"][0]["location"], "difficulty");
    assert_eq!(b.total().await, 0, "nothing was written");
}

#[tokio::test]
async fn the_same_question_cannot_be_written_twice_in_a_bank() {
    let b = board().await;
    let first = b.create(&single("A", 1, "Câu hỏi trùng?")).await;
    let r = b
        .app
        .post(
            &format!("/api/v1/banks/{}/items", b.bank),
            Some(&b.author),
            &single("B", 2, "  câu HỎI trùng? "),
        )
        .await;
    let problem = r.problem(422);
    assert_eq!(problem["errors"][0]["location"], "stem");
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains(&format!("item {}", first["id"])));
}

#[tokio::test]
async fn a_reviewer_cannot_approve_their_own_item() {
    let b = board().await;
    let both = b
        .app
        .staff("tacgia-phanbien", &[Role::Author, Role::Reviewer])
        .await;
    let r = b
        .app
        .post(
            &format!("/api/v1/banks/{}/items", b.bank),
            Some(&both),
            &single("Kiến thức chung", 1, "Ai viết câu này?"),
        )
        .await;
    assert_eq!(r.status, 201);
    let item = r.body;
    assert_eq!(b.step(&item, "submit", &both).await.status, 200);

    let r = b.step(&item, "approve", &both).await;
    assert!(
        r.problem(403)["detail"].as_str().unwrap().contains("VN-29"),
        "{}",
        r.text
    );
    let r = b
        .app
        .post(
            &format!("/api/v1/items/{}/reject", item["id"]),
            Some(&both),
            &json!({"reason": "tự duyệt"}),
        )
        .await;
    r.problem(403);

    // Another reviewer may.
    let r = b.step(&item, "approve", &b.reviewer).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "approved");
    assert_eq!(r.body["reviewed_by"], user_id(&b.app, &b.reviewer).await);
}

#[tokio::test]
async fn a_reviewer_who_edited_an_item_cannot_approve_it() {
    let b = board().await;
    let editor = b
        .app
        .staff("bientap", &[Role::Author, Role::Reviewer])
        .await;
    let item = b.create(&single("A", 1, "Câu hỏi gốc?")).await;
    let r = b
        .app
        .put(
            &format!("/api/v1/items/{}", item["id"]),
            Some(&editor),
            &single("A", 1, "Câu hỏi đã sửa?"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(b.step(&item, "submit", &b.author).await.status, 200);
    b.step(&item, "approve", &editor).await.problem(403);
}

#[tokio::test]
async fn review_follows_the_lifecycle_and_rejection_carries_the_reason() {
    let b = board().await;
    let item = b.create(&single("A", 1, "Câu hỏi cần duyệt?")).await;
    // Not submitted yet.
    b.step(&item, "approve", &b.reviewer).await.problem(409);

    assert_eq!(
        b.step(&item, "submit", &b.author).await.body["status"],
        "in_review"
    );
    b.step(&item, "submit", &b.author).await.problem(409);

    assert_eq!(
        b.reject(&item, "  ").await.problem(422)["errors"][0]["location"],
        "reason"
    );
    let r = b.reject(&item, "Phương án B chưa chính xác").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["review_note"], "Phương án B chưa chính xác");

    assert_eq!(b.step(&item, "submit", &b.author).await.status, 200);
    // Naming a version other than the current one (what the reviewer read) is refused.
    let approved = b
        .app
        .post(
            &format!("/api/v1/items/{}/approve?version=2", item["id"]),
            Some(&b.reviewer),
            &json!({}),
        )
        .await;
    approved.problem(409);
    let approved = b
        .app
        .post(
            &format!("/api/v1/items/{}/approve?version=1", item["id"]),
            Some(&b.reviewer),
            &json!({}),
        )
        .await;
    assert_eq!(approved.body["status"], "approved", "{}", approved.text);
    assert_eq!(approved.body["review_note"], Value::Null);
}

#[tokio::test]
async fn editing_creates_a_new_version_and_the_old_one_stays_readable() {
    let b = board().await;
    let v1 = b.approved(&single("A", 1, "Phiên bản một?")).await;
    let id = &v1["id"];

    let r = b
        .app
        .put(
            &format!("/api/v1/items/{id}"),
            Some(&b.author),
            &single("A", 2, "Phiên bản hai?"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["id"], *id);
    assert_eq!(r.body["version"], 2);
    assert_eq!(
        r.body["status"], "draft",
        "a changed question is reviewed again"
    );
    assert_eq!(r.body["reviewed_by"], Value::Null);
    assert_ne!(r.body["sha256"], v1["sha256"]);

    let old = b
        .app
        .get(&format!("/api/v1/items/{id}/versions/1"), Some(&b.reviewer))
        .await;
    assert_eq!(old.status, 200);
    assert_eq!(old.body["stem"], "Phiên bản một?");
    assert_eq!(old.body["difficulty"], 1);
    assert_eq!(old.body["version"], 1);
    assert_eq!(old.body["current_version"], 2);
    assert_eq!(old.body["sha256"], v1["sha256"]);

    let current = b
        .app
        .get(&format!("/api/v1/items/{id}"), Some(&b.reviewer))
        .await;
    assert_eq!(current.body["stem"], "Phiên bản hai?");

    let versions = b
        .app
        .get(&format!("/api/v1/items/{id}/versions"), Some(&b.author))
        .await;
    assert_eq!(versions.body.as_array().unwrap().len(), 2);
    assert_eq!(versions.body[1]["current"], true);

    b.app
        .get(&format!("/api/v1/items/{id}/versions/3"), Some(&b.author))
        .await
        .problem(404);
}

#[tokio::test]
async fn a_retired_item_cannot_be_edited() {
    let b = board().await;
    let item = b.approved(&single("A", 1, "Câu hỏi cũ?")).await;
    b.step(&item, "retire", &b.author).await.problem(403);
    let r = b.step(&item, "retire", &b.reviewer).await;
    assert_eq!(r.body["status"], "retired", "{}", r.text);
    b.step(&item, "retire", &b.reviewer).await.problem(409);
    b.app
        .put(
            &format!("/api/v1/items/{}", item["id"]),
            Some(&b.author),
            &single("A", 1, "Câu hỏi mới?"),
        )
        .await
        .problem(409);
}

#[tokio::test]
async fn unknown_banks_items_and_seals_are_404() {
    let b = board().await;
    b.app
        .post(
            "/api/v1/banks/999/items",
            Some(&b.author),
            &single("A", 1, "x"),
        )
        .await
        .problem(404);
    b.app
        .get("/api/v1/banks/999/items", Some(&b.author))
        .await
        .problem(404);
    b.app
        .get("/api/v1/items/999", Some(&b.author))
        .await
        .problem(404);
    b.app
        .post("/api/v1/items/999/approve", Some(&b.reviewer), &json!({}))
        .await
        .problem(404);
    b.app
        .get("/api/v1/seals/999", Some(&b.author))
        .await
        .problem(404);
}

// ---------------------------------------------------------------------------------------------
// Finding items

#[tokio::test]
async fn search_ignores_diacritics() {
    let b = board().await;
    b.create(&single(
        "Kiến thức chung",
        1,
        "Luật Cán bộ, công chức được Quốc hội thông qua năm nào?",
    ))
    .await;
    b.create(&single(
        "Kiến thức chung",
        1,
        "Hiến pháp năm 2013 có bao nhiêu chương?",
    ))
    .await;

    for q in [
        "luat%20can%20bo",
        "LU%E1%BA%ACT%20C%C3%81N%20B%E1%BB%98",
        "can%20%20bo",
    ] {
        let r = b.list(&format!("q={q}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["total"], 1, "q={q}");
        assert!(r.body["items"][0]["stem"]
            .as_str()
            .unwrap()
            .starts_with("Luật Cán bộ"));
    }
    assert_eq!(b.list("q=hien%20phap").await.body["total"], 1);
    assert_eq!(b.list("q=%25").await.body["total"], 0, "% is a literal");
    assert_eq!(b.list("q=quoc%20hoi").await.body["total"], 2, "options too");
}

#[tokio::test]
async fn filters_by_topic_difficulty_kind_status() {
    let b = board().await;
    let law = b
        .create(&single(
            "Kiến thức chung/Luật Cán bộ, công chức",
            1,
            "Câu 1?",
        ))
        .await;
    b.create(&single("Kiến thức chung/Hiến pháp", 2, "Câu 2?"))
        .await;
    b.create(&true_false("Kiến thức chung", "Câu 3.")).await;
    b.create(&single("Kiến thức chung mở rộng", 3, "Câu 4?"))
        .await;
    b.create(&true_false("Tin học", "Câu 5.")).await;
    b.create(&true_false("Tin học/Word", "Câu 6.")).await;
    b.step(&law, "submit", &b.author).await;

    let b = &b;
    let total = |query: &'static str| async move { b.list(query).await.body["total"].clone() };
    assert_eq!(total("").await, 6);
    assert_eq!(
        total("topic=Ki%E1%BA%BFn%20th%E1%BB%A9c%20chung").await,
        3,
        "a topic and its subtopics, not a mere string prefix"
    );
    assert_eq!(
        total("topic=Ki%E1%BA%BFn%20th%E1%BB%A9c%20chung/Hi%E1%BA%BFn%20ph%C3%A1p").await,
        1
    );
    assert_eq!(total("difficulty=1").await, 4);
    assert_eq!(total("kind=true_false").await, 3);
    assert_eq!(total("topic=Tin%20h%E1%BB%8Dc").await, 2);
    assert_eq!(
        total("topic=tin%20h%E1%BB%8Dc").await,
        0,
        "topics are case-sensitive"
    );
    assert_eq!(total("status=in_review").await, 1);
    assert_eq!(total("status=draft&kind=single").await, 2);
    assert_eq!(
        total("topic=Ki%E1%BA%BFn%20th%E1%BB%A9c%20chung&kind=single&difficulty=2").await,
        1
    );

    let page = b.list("limit=2&offset=1").await;
    assert_eq!(page.body["total"], 6);
    assert_eq!(page.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(page.body["items"][0]["stem"], "Câu 2?");

    let bad = b.list("difficulty=4&kind=essay&status=done").await;
    let locations: Vec<&str> = bad.problem(422)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["location"].as_str().unwrap())
        .collect();
    assert_eq!(locations, vec!["difficulty", "kind", "status"]);

    let topics = b
        .app
        .get(
            &format!("/api/v1/banks/{}/topics", b.bank),
            Some(&b.reviewer),
        )
        .await;
    assert_eq!(topics.body.as_array().unwrap().len(), 6);
}

// ---------------------------------------------------------------------------------------------
// Import and export

#[tokio::test]
async fn csv_import_is_all_or_nothing_with_row_errors() {
    let b = board().await;
    let bad = include_bytes!("../../question-bank/tests/fixtures/bad-bank.csv").to_vec();
    let r = b
        .import("format=csv&file_name=bad-bank.csv", &b.author, bad)
        .await;
    let problem = r.problem(422);
    let locations: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["location"].as_str().unwrap())
        .collect();
    for row in ["row 2", "row 3", "row 4"] {
        assert!(
            locations
                .iter()
                .any(|l| l.starts_with(&format!("bad-bank.csv, {row}"))),
            "{row} in {locations:?}"
        );
    }
    assert!(
        !locations.iter().any(|l| l.contains("row 5")),
        "row 5 is valid"
    );
    assert_eq!(b.total().await, 0, "the valid row was not imported either");
}

#[tokio::test]
async fn the_file_name_comes_from_content_disposition() {
    let b = board().await;
    let r = b
        .app
        .send(
            b.app
                .client
                .post(
                    b.app
                        .url(&format!("/api/v1/banks/{}/imports?format=csv", b.bank)),
                )
                .header("content-disposition", "attachment; filename=\"de-thi.csv\"")
                .body(b"topic,nope\n".to_vec()),
            Some(&b.author),
        )
        .await;
    assert!(r.problem(422)["errors"][0]["location"]
        .as_str()
        .unwrap()
        .starts_with("de-thi.csv"));
    let r = b
        .import("format=csv", &b.author, b"topic,nope\n".to_vec())
        .await;
    assert!(r.problem(422)["errors"][0]["location"]
        .as_str()
        .unwrap()
        .starts_with("upload.csv"));
    b.import("format=docx", &b.author, vec![])
        .await
        .problem(422);
    b.import("", &b.author, vec![]).await.problem(422);
}

#[tokio::test]
async fn importing_an_existing_item_reports_a_duplicate() {
    let b = board().await;
    let file = csv(&[LUAT_ROW, TIN_HOC_ROW]);
    let r = b
        .import("format=csv&file_name=bank.csv", &b.author, file.clone())
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["imported"], 2);
    assert_eq!(r.body["status"], "draft");
    let first_id = r.body["item_ids"][0].clone();

    let again = csv(&[TIN_HOC_ROW, LUAT_ROW]);
    let r = b
        .import("format=csv&file_name=bank2.csv", &b.author, again.clone())
        .await;
    let problem = r.problem(422);
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
    assert_eq!(problem["errors"][1]["location"], "bank2.csv, item 2");
    assert!(problem["errors"][1]["message"]
        .as_str()
        .unwrap()
        .contains(&format!("item {first_id}")));
    assert_eq!(b.total().await, 2, "not silently doubled");

    // The preview lists them too, and writes nothing.
    let preview = b
        .import(
            "format=csv&file_name=bank2.csv&dry_run=true",
            &b.author,
            again,
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.text);
    assert_eq!(preview.body["valid"], false);
    assert_eq!(preview.body["duplicates"].as_array().unwrap().len(), 2);
    assert_eq!(preview.body["duplicates"][1]["item_id"], first_id);
    assert_eq!(preview.body["items"][1]["duplicate_of"], first_id);
    assert_eq!(b.total().await, 2);
}

#[tokio::test]
async fn a_dry_run_previews_without_writing() {
    let b = board().await;
    let r = b
        .import(
            "format=csv&dry_run=true",
            &b.author,
            csv(&[LUAT_ROW, TIN_HOC_ROW]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["valid"], true);
    assert_eq!(r.body["errors"], json!([]));
    assert_eq!(r.body["items"][0]["topic"], LUAT_ROW[0]);
    assert_eq!(r.body["items"][0]["location"], "upload.csv, item 1");
    assert_eq!(r.body["items"][1]["options"][0]["text"], "Đúng");

    let bad = include_bytes!("../../question-bank/tests/fixtures/bad-bank.csv").to_vec();
    let r = b.import("format=csv&dry_run=true", &b.author, bad).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["valid"], false);
    assert!(r.body["errors"].as_array().unwrap().len() >= 3);
    assert_eq!(b.total().await, 0);
}

/// Decomposed (NFD) Vietnamese, as some editors save it: the letters of [`LUAT_ROW`], each
/// base letter followed by its combining marks in canonical order.
fn nfd(s: &str) -> String {
    const TABLE: [(char, &str); 20] = [
        ('ế', "e\u{302}\u{301}"),
        ('ứ', "u\u{31b}\u{301}"),
        ('ậ', "a\u{323}\u{302}"),
        ('á', "a\u{301}"),
        ('ộ', "o\u{323}\u{302}"),
        ('ô', "o\u{302}"),
        ('ư', "u\u{31b}"),
        ('ợ', "o\u{31b}\u{323}"),
        ('ể', "e\u{302}\u{309}"),
        ('ụ', "u\u{323}"),
        ('ì', "i\u{300}"),
        ('à', "a\u{300}"),
        ('ặ', "a\u{323}\u{306}"),
        ('é', "e\u{301}"),
        ('ầ', "a\u{302}\u{300}"),
        ('ử', "u\u{31b}\u{309}"),
        ('ê', "e\u{302}"),
        ('ẩ', "a\u{302}\u{309}"),
        ('ổ', "o\u{302}\u{309}"),
        ('ệ', "e\u{323}\u{302}"),
    ];
    s.chars()
        .map(|c| match TABLE.iter().find(|(p, _)| *p == c) {
            Some((_, d)) => d.to_string(),
            None => c.to_string(),
        })
        .collect()
}

#[tokio::test]
async fn nfd_and_nfc_imports_are_the_same_item() {
    let b = board().await;
    let nfc_file = csv(&[LUAT_ROW]);
    let nfd_text = nfd(std::str::from_utf8(&nfc_file).unwrap());
    assert_ne!(nfd_text.as_bytes(), &nfc_file[..], "really decomposed");

    let r = b
        .import(
            "format=csv&file_name=nfd.csv",
            &b.author,
            nfd_text.clone().into_bytes(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let item = b
        .app
        .get(
            &format!("/api/v1/items/{}", r.body["item_ids"][0]),
            Some(&b.author),
        )
        .await;
    assert_eq!(
        item.body["stem"], LUAT_ROW[3],
        "stored precomposed, byte for byte"
    );
    assert_eq!(item.body["topic"], LUAT_ROW[0]);
    assert_eq!(item.body["options"][0]["text"], LUAT_ROW[4]);

    let r = b
        .import("format=csv&file_name=nfc.csv", &b.author, nfc_file)
        .await;
    assert_eq!(r.problem(422)["errors"][0]["location"], "nfc.csv, item 1");
    assert_eq!(b.total().await, 1);
}

#[tokio::test]
async fn moodle_xml_import_turns_categories_into_topics() {
    let b = board().await;
    let file = include_bytes!("../../question-bank/tests/fixtures/moodle-sample.xml").to_vec();
    let r = b.import("format=moodle-xml", &b.author, file).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["imported"], 4);
    let topics = b
        .app
        .get(&format!("/api/v1/banks/{}/topics", b.bank), Some(&b.author))
        .await;
    let names: Vec<&str> = topics
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["topic"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["Kiến thức chung/Luật Cán bộ, công chức", "Tin học"]
    );
    let law = b.list("topic=Ki%E1%BA%BFn%20th%E1%BB%A9c%20chung").await;
    assert_eq!(law.body["total"], 2);
    assert_eq!(law.body["items"][0]["points"], "2.00");
}

#[tokio::test]
async fn entity_bomb_is_refused() {
    let b = board().await;
    for (fixture, format) in [
        (
            &include_bytes!("../../question-bank/tests/fixtures/billion-laughs.xml")[..],
            "moodle-xml",
        ),
        (
            &include_bytes!("../../question-bank/tests/fixtures/xxe.xml")[..],
            "moodle-xml",
        ),
        (
            &include_bytes!("../../question-bank/tests/fixtures/billion-laughs.xml")[..],
            "qti",
        ),
    ] {
        let r = b
            .import(
                &format!("format={format}&file_name=evil.xml"),
                &b.author,
                fixture.to_vec(),
            )
            .await;
        let problem = r.problem(422);
        assert_eq!(problem["errors"][0]["location"], "evil.xml");
        assert!(problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("entity"));
    }
    assert_eq!(b.total().await, 0);
}

#[tokio::test]
async fn oversized_upload_is_refused() {
    let b = board().await;
    let limit = b.app.state.config.max_upload_bytes;
    let mut file = csv(&[LUAT_ROW]);
    file.resize(limit + 1, b'\n');
    let r = b.import("format=csv", &b.author, file).await;
    r.problem(413);
    assert_eq!(b.total().await, 0);
}

#[tokio::test]
async fn export_then_import_round_trips() {
    let b = board().await;
    for item in one_of_each_kind() {
        b.create(&item).await;
    }
    let by_stem = |items: &Value| {
        let mut v: Vec<Value> = items.as_array().unwrap().iter().map(content).collect();
        v.sort_by_key(|i| i["stem"].as_str().unwrap().to_string());
        v
    };
    // Stems a spreadsheet would read as formulas survive the round trip (escaped in CSV).
    b.create(&single(
        "Kiến thức chung",
        2,
        "=SUM(1;2) là công thức hay câu hỏi?",
    ))
    .await;
    b.create(&single("Kiến thức chung", 2, "-Ai ban hành Hiến pháp?"))
        .await;
    let original = by_stem(&b.list("").await.body["items"]);
    assert_eq!(original.len(), 6);

    for (format, content_type, extension) in [
        ("csv", "text/csv", ".csv"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
        ),
        ("moodle-xml", "application/xml", ".xml"),
        ("qti", "application/zip", ".zip"),
        ("gift", "text/plain", ".gift.txt"),
    ] {
        let resp = b
            .app
            .client
            .get(b.app.url(&format!(
                "/api/v1/banks/{}/export?format={format}&reason=sao-luu",
                b.bank
            )))
            .bearer_auth(&b.author)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{format}");
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        assert!(header("content-type").starts_with(content_type), "{format}");
        let disposition = header("content-disposition");
        assert!(
            disposition.starts_with("attachment; filename=\"KTC")
                && disposition.ends_with(&format!("{extension}\"")),
            "{format}: {disposition}"
        );
        let bytes = resp.bytes().await.unwrap().to_vec();

        // Import into another bank of the same server.
        let target = create_bank(&b.app, &b.author, &format!("RT-{format}")).await;
        let r = b
            .app
            .post_raw(
                &format!("/api/v1/banks/{target}/imports?format={format}"),
                Some(&b.author),
                "application/octet-stream",
                bytes,
            )
            .await;
        assert_eq!(r.status, 201, "{format}: {}", r.text);
        let back = by_stem(
            &b.app
                .get(&format!("/api/v1/banks/{target}/items"), Some(&b.author))
                .await
                .body["items"],
        );
        assert_eq!(back, original, "round trip through {format}");
    }
}

#[tokio::test]
async fn templates_download_and_import() {
    let b = board().await;
    for (format, content_type) in [
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats"),
    ] {
        let resp = b
            .app
            .client
            .get(b.app.url(&format!("/api/v1/banks/templates/{format}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with(content_type), "{ct}");
        assert!(resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
        let bytes = resp.bytes().await.unwrap().to_vec();
        let r = b
            .import(&format!("format={format}&dry_run=true"), &b.author, bytes)
            .await;
        assert_eq!(r.body["valid"], true, "{format}: {}", r.text);
    }
    b.app
        .get("/api/v1/banks/templates/docx", None)
        .await
        .problem(404);
}

#[tokio::test]
async fn import_with_approve_names_the_author_and_respects_vn29() {
    let b = board().await;
    let file = csv(&[LUAT_ROW, TIN_HOC_ROW]);
    // An author cannot approve.
    b.import(
        "format=csv&approve=true&author=tacgia",
        &b.author,
        file.clone(),
    )
    .await
    .problem(403);
    // The reviewer must say who wrote the file…
    let r = b
        .import("format=csv&approve=true", &b.reviewer, file.clone())
        .await;
    let problem = r.problem(422);
    assert_eq!(problem["errors"][0]["location"], "author");
    assert!(problem["detail"].as_str().unwrap().contains("VN-29"));
    // …and it cannot be themselves.
    let both = b
        .app
        .staff("tacgia-phanbien", &[Role::Author, Role::Reviewer])
        .await;
    b.import(
        "format=csv&approve=true&author=tacgia-phanbien",
        &both,
        file.clone(),
    )
    .await
    .problem(403);
    b.import(
        "format=csv&approve=true&author=khong-co",
        &b.reviewer,
        file.clone(),
    )
    .await
    .problem(422);
    assert_eq!(b.total().await, 0);

    let r = b
        .import("format=csv&approve=true&author=tacgia", &b.reviewer, file)
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["status"], "approved");
    let items = b.list("status=approved").await;
    assert_eq!(items.body["total"], 2);
    let author = user_id(&b.app, &b.author).await;
    let reviewer = user_id(&b.app, &b.reviewer).await;
    for item in items.body["items"].as_array().unwrap() {
        assert_eq!(item["author_id"], author);
        assert_eq!(item["reviewed_by"], reviewer);
    }
}

// ---------------------------------------------------------------------------------------------
// Seals

#[tokio::test]
async fn sealing_freezes_approved_items_and_get_recomputes_intact() {
    let b = board().await;
    let url = format!("/api/v1/banks/{}/seals", b.bank);
    b.create(&single("A", 1, "Chưa duyệt?")).await;
    let r = b.app.post(&url, Some(&b.reviewer), &json!({})).await;
    assert!(r.problem(422)["detail"]
        .as_str()
        .unwrap()
        .contains("no approved item"));

    let first = b.approved(&single("A", 1, "Đã duyệt một?")).await;
    b.approved(&true_false("B", "Đã duyệt hai.")).await;
    let seal = b.app.post(&url, Some(&b.reviewer), &json!({})).await;
    assert_eq!(seal.status, 201, "{}", seal.text);
    assert_eq!(seal.body["item_count"], 2);
    let sha = seal.body["sha256"].as_str().unwrap().to_string();
    assert_eq!(sha.len(), 64);
    assert!(seal.body["sealed_at"].as_str().unwrap().contains('T'));

    let seal_url = format!("/api/v1/seals/{}", seal.body["id"]);
    let check = b.app.get(&seal_url, Some(&b.author)).await;
    assert_eq!(check.status, 200, "{}", check.text);
    assert_eq!(check.body["intact"], true);
    assert_eq!(check.body["recomputed_sha256"], sha.as_str());
    assert_eq!(check.body["bank_id"], b.bank);

    // Editing a sealed item makes a new version: the seal keeps the old one and still holds.
    let r = b
        .app
        .put(
            &format!("/api/v1/items/{}", first["id"]),
            Some(&b.author),
            &single("A", 1, "Đã sửa sau khi niêm phong?"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        b.app.get(&seal_url, Some(&b.author)).await.body["intact"],
        true
    );

    // A new seal takes only what is approved now.
    let second = b.app.post(&url, Some(&b.reviewer), &json!({})).await;
    assert_eq!(second.body["item_count"], 1);
    assert_ne!(second.body["sha256"], sha.as_str());
    let seals = b.app.get(&url, Some(&b.author)).await;
    assert_eq!(seals.body.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn tampering_with_a_sealed_version_breaks_the_seal() {
    use sea_orm::ConnectionTrait;
    let b = board().await;
    b.approved(&single("A", 1, "Cơ quan nào ban hành Hiến pháp?"))
        .await;
    let seal = b
        .app
        .post(
            &format!("/api/v1/banks/{}/seals", b.bank),
            Some(&b.reviewer),
            &json!({}),
        )
        .await;
    let seal_url = format!("/api/v1/seals/{}", seal.body["id"]);
    assert_eq!(
        b.app.get(&seal_url, Some(&b.author)).await.body["intact"],
        true
    );

    // Someone with database access moves the key.
    b.app
        .db()
        .execute_unprepared(
            "UPDATE item_versions SET content = REPLACE(REPLACE(REPLACE(content, \
             '\"correct\":true', '\"correct\":X'), '\"correct\":false', '\"correct\":true'), \
             '\"correct\":X', '\"correct\":false')",
        )
        .await
        .unwrap();
    let check = b.app.get(&seal_url, Some(&b.author)).await;
    assert_eq!(check.status, 200);
    assert_eq!(check.body["intact"], false);
    assert_ne!(check.body["recomputed_sha256"], check.body["sha256"]);
    // And such a bank is not sealed again.
    b.app
        .post(
            &format!("/api/v1/banks/{}/seals", b.bank),
            Some(&b.reviewer),
            &json!({}),
        )
        .await
        .problem(409);
}

// ---------------------------------------------------------------------------------------------
// Role boundaries and audit

#[tokio::test]
async fn roles_bound_who_writes_reviews_and_seals() {
    let b = board().await;
    let hr = b.app.staff("tochuc", &[Role::Hr]).await;
    let items = format!("/api/v1/banks/{}/items", b.bank);

    b.app
        .post(&items, Some(&hr), &single("A", 1, "x?"))
        .await
        .problem(403);
    b.app.get(&items, Some(&hr)).await.problem(403);
    b.app
        .post(&items, None, &single("A", 1, "x?"))
        .await
        .problem(401);
    b.app.get(&items, None).await.problem(401);
    b.app
        .post(&items, Some("not-a-token"), &single("A", 1, "x?"))
        .await
        .problem(401);
    b.app
        .post(
            "/api/v1/banks",
            Some(&hr),
            &json!({"code": "X", "name": "X"}),
        )
        .await
        .problem(403);
    b.import("format=csv", &hr, csv(&[LUAT_ROW]))
        .await
        .problem(403);
    b.app
        .get(
            &format!("/api/v1/banks/{}/export?format=csv", b.bank),
            Some(&hr),
        )
        .await
        .problem(403);

    let item = b.create(&single("A", 1, "Ai được duyệt?")).await;
    b.step(&item, "submit", &b.reviewer).await.problem(403);
    b.step(&item, "submit", &b.author).await;
    b.step(&item, "approve", &b.author).await.problem(403);
    b.step(&item, "approve", &b.reviewer).await;

    let seals = format!("/api/v1/banks/{}/seals", b.bank);
    b.app
        .post(&seals, Some(&b.author), &json!({}))
        .await
        .problem(403);
    b.app.post(&seals, None, &json!({})).await.problem(401);
    // Banks and seals carry no key: HR (who builds exams) may read them.
    assert_eq!(b.app.get("/api/v1/banks", Some(&hr)).await.status, 200);
    let seal = b.app.post(&seals, Some(&b.reviewer), &json!({})).await;
    assert_eq!(
        b.app
            .get(&format!("/api/v1/seals/{}", seal.body["id"]), Some(&hr))
            .await
            .body["intact"],
        true
    );
}

#[tokio::test]
async fn every_bank_change_is_audited_in_an_intact_chain() {
    use sea_orm::{ConnectionTrait, Statement};
    let b = board().await;
    let item = b.approved(&single("A", 1, "Có ghi nhật ký?")).await;
    b.app
        .put(
            &format!("/api/v1/items/{}", item["id"]),
            Some(&b.author),
            &single("A", 2, "Có ghi nhật ký không?"),
        )
        .await;
    b.import("format=csv", &b.author, csv(&[LUAT_ROW])).await;
    b.app
        .post(
            &format!("/api/v1/banks/{}/seals", b.bank),
            Some(&b.reviewer),
            &json!({}),
        )
        .await
        .problem(422); // nothing approved now: a refusal changes nothing and is not logged
    let rows = b
        .app
        .db()
        .query_all_raw(Statement::from_string(
            b.app.db().get_database_backend(),
            "SELECT action FROM audit_log ORDER BY id",
        ))
        .await
        .unwrap();
    let actions: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "action").unwrap())
        .filter(|a| a.starts_with("bank.") || a.starts_with("item."))
        .collect();
    assert_eq!(
        actions,
        vec![
            "bank.create",
            "item.create",
            "item.submit",
            "item.approve",
            "item.update",
            "bank.import"
        ]
    );
    let admin = b.app.staff("quantri", &[Role::Admin]).await;
    let verify = b.app.get("/api/v1/audit/verify", Some(&admin)).await;
    assert_eq!(verify.body["intact"], true, "{}", verify.text);
}

#[tokio::test]
async fn the_bank_endpoints_are_in_the_openapi_document() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/openapi.json", None).await.body;
    for (path, method) in [
        ("/api/v1/banks", "post"),
        ("/api/v1/banks/{bank_id}/items", "post"),
        ("/api/v1/banks/{bank_id}/items", "get"),
        ("/api/v1/items/{item_id}", "put"),
        ("/api/v1/items/{item_id}/versions/{version}", "get"),
        ("/api/v1/items/{item_id}/approve", "post"),
        ("/api/v1/banks/{bank_id}/imports", "post"),
        ("/api/v1/banks/{bank_id}/export", "get"),
        ("/api/v1/banks/{bank_id}/seals", "post"),
        ("/api/v1/seals/{seal_id}", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is documented"
        );
    }
    assert!(doc["components"]["schemas"]["ItemView"].is_object());
}

#[tokio::test]
async fn an_empty_bank_exports_in_every_format() {
    let b = board().await;
    for format in ["csv", "xlsx", "moodle-xml", "qti", "gift"] {
        let r = b
            .app
            .get(
                &format!(
                    "/api/v1/banks/{}/export?format={format}&reason=sao-luu",
                    b.bank
                ),
                Some(&b.reviewer),
            )
            .await;
        assert_eq!(r.status, 200, "{format}: {}", r.text);
    }
    b.app
        .get(
            &format!("/api/v1/banks/{}/export?format=docx&reason=sao-luu", b.bank),
            Some(&b.reviewer),
        )
        .await
        .problem(422);
}
