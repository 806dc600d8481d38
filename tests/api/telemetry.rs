//! Every answer names its request, so a failure a user reports can be found in the log; a
//! failure's cause stays in the log.

use sea_orm::ConnectionTrait;
use server::auth::Role;
use tests::TestApp;

fn request_id(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_each_request_its_own() {
    let app = TestApp::spawn().await;
    let mut seen = Vec::new();
    for path in ["/api/health", "/api/v1/no-such-thing", "/api/v1/me"] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        let id = request_id(&resp);
        assert!(
            (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric()),
            "{path}: {id:?}"
        );
        seen.push(id);
    }
    seen.dedup();
    assert_eq!(seen.len(), 3, "{seen:?}");
}

#[tokio::test]
async fn a_request_id_given_by_the_client_is_echoed() {
    let app = TestApp::spawn().await;
    let given = "4b1d6e0c-2f3a-4a5b-9c8d-7e6f5a4b3c2d";
    let resp = app
        .client
        .get(app.url("/api/health"))
        .header("x-request-id", given)
        .send()
        .await
        .unwrap();
    assert_eq!(request_id(&resp), given);
}

#[tokio::test]
async fn an_unfit_request_id_is_replaced_not_echoed() {
    let app = TestApp::spawn().await;
    let long = "a".repeat(65);
    for given in ["two words", "<script>", long.as_str()] {
        let resp = app
            .client
            .get(app.url("/api/health"))
            .header("x-request-id", given)
            .send()
            .await
            .unwrap();
        let id = request_id(&resp);
        assert!(
            !id.is_empty() && id != given,
            "{given:?} came back as {id:?}"
        );
    }
}

/// Unreadable stored data is the server's fault: 500, the cause in the log only, and the id
/// to quote in the body.
#[tokio::test]
async fn an_internal_error_names_its_request_but_not_its_cause() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    app.db()
        .execute_unprepared(&format!(
            "UPDATE exams SET blueprint = '{{\"sections\": \"secret-table-name\"' WHERE id = {}",
            d.exam_id
        ))
        .await
        .unwrap();
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/exams/{}", d.exam_id)))
        .bearer_auth(&hr)
        .header("x-request-id", "support-ticket-42")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 500);
    assert_eq!(request_id(&resp), "support-ticket-42");
    let text = resp.text().await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["title"], "internal error");
    assert_eq!(body["request_id"], "support-ticket-42");
    for cause in ["blueprint", "secret-table-name", "EOF", "expected", "line"] {
        assert!(
            !text.contains(cause),
            "the body shows its cause ({cause}): {text}"
        );
    }
}
