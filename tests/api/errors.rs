use serde_json::json;
use tests::TestApp;

#[tokio::test]
async fn unknown_api_route_is_a_404_problem() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/v1/no-such-thing", None).await;
    let p = r.problem(404);
    assert!(p["detail"]
        .as_str()
        .unwrap()
        .contains("/api/v1/no-such-thing"));
}

#[tokio::test]
async fn malformed_json_is_a_400_problem_naming_the_syntax_error() {
    let app = TestApp::spawn().await;
    let r = app
        .post_raw(
            "/api/v1/auth/login",
            None,
            "application/json",
            b"{\"username\": ".to_vec(),
        )
        .await;
    let p = r.problem(400);
    assert!(
        p["detail"].as_str().unwrap().contains("malformed JSON"),
        "{p}"
    );
}

#[tokio::test]
async fn a_wrong_type_is_a_422_problem_located_at_the_field() {
    let app = TestApp::spawn().await;
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "hr", "password": 12345}),
        )
        .await;
    let p = r.problem(422);
    assert_eq!(p["errors"][0]["location"], "password", "{p}");
}

#[tokio::test]
async fn a_missing_content_type_is_a_400_problem() {
    let app = TestApp::spawn().await;
    let r = app
        .post_raw("/api/v1/auth/login", None, "text/plain", b"{}".to_vec())
        .await;
    r.problem(400);
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/v1/auth/login", None).await;
    r.problem(405);
}

#[tokio::test]
async fn openapi_document_is_generated_and_browsable() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/openapi.json", None).await;
    assert_eq!(r.status, 200);
    assert!(r.body["openapi"].as_str().unwrap().starts_with("3."));
    assert!(r.body["paths"]["/api/v1/auth/login"]["post"].is_object());
    let docs = app.get("/api/docs", None).await;
    assert_eq!(docs.status, 200);
    assert!(docs.content_type.starts_with("text/html"));
    assert!(docs.text.contains("/api/openapi.json"));
}
