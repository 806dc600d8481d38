//! Accounts, tokens and the role boundaries of the API (README, "Roles").

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;
use server::auth::Role;
use tests::TestApp;

#[tokio::test]
async fn login_returns_a_token_with_expiry_and_roles() {
    let app = TestApp::spawn().await;
    let token = app.staff("tochuc", &[Role::Hr]).await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["username"], "tochuc");
    assert_eq!(me.body["roles"], json!(["hr"]));

    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "tochuc", "password": "mat-khau-thu-nghiem"}),
        )
        .await;
    assert!(r.body["expires_at"].as_str().unwrap().contains('T'));
    assert_eq!(r.body["user"]["roles"], json!(["hr"]));
}

#[tokio::test]
async fn wrong_password_and_unknown_user_are_refused_alike() {
    let app = TestApp::spawn().await;
    app.staff("tochuc", &[Role::Hr]).await;
    let wrong = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "tochuc", "password": "sai"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "khong-co", "password": "sai"}),
        )
        .await;
    assert_eq!(wrong.problem(401)["detail"], unknown.problem(401)["detail"]);
}

#[tokio::test]
async fn repeated_failures_for_a_username_are_throttled() {
    let app = TestApp::spawn().await;
    app.staff("tochuc", &[Role::Hr]).await;
    for _ in 0..5 {
        let r = app
            .post(
                "/api/v1/auth/login",
                None,
                &json!({"username": "tochuc", "password": "sai"}),
            )
            .await;
        assert_eq!(r.status, 401);
    }
    // Even the right password waits until the window passes.
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "tochuc", "password": "mat-khau-thu-nghiem"}),
        )
        .await;
    r.problem(429);
    app.clock.advance(chrono::Duration::seconds(301));
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "tochuc", "password": "mat-khau-thu-nghiem"}),
        )
        .await;
    assert_eq!(r.status, 200);
}

fn claims(exp_offset: i64, roles: &[&str], kind: &str) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": "admin", "kind": kind, "id": 1, "roles": roles, "iat": now, "exp": now + exp_offset})
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    let app = TestApp::spawn().await;
    let forged = encode(
        &Header::new(Algorithm::HS256),
        &claims(600, &["admin"], "staff"),
        &EncodingKey::from_secret(b"not-the-server-key-not-the-server-key"),
    )
    .unwrap();
    app.get("/api/v1/me", Some(&forged)).await.problem(401);
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = TestApp::spawn().await;
    let expired = encode(
        &Header::new(Algorithm::HS256),
        &claims(-10, &["admin"], "staff"),
        &EncodingKey::from_secret(&app.state.config.keys.staff_jwt),
    )
    .unwrap();
    let p = app.get("/api/v1/me", Some(&expired)).await;
    assert!(p.problem(401)["detail"]
        .as_str()
        .unwrap()
        .contains("expired"));
}

#[tokio::test]
async fn a_staff_token_expires_by_the_server_clock() {
    let app = TestApp::spawn().await;
    let token = app.staff("tochuc", &[Role::Hr]).await;
    app.clock.advance(chrono::Duration::minutes(61));
    app.get("/api/v1/me", Some(&token)).await.problem(401);
}

#[tokio::test]
async fn an_unsigned_alg_none_token_is_refused() {
    let app = TestApp::spawn().await;
    use base64_url as b64;
    let header = b64(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64(claims(600, &["admin"], "staff").to_string().as_bytes());
    let token = format!("{header}.{payload}.");
    app.get("/api/v1/me", Some(&token)).await.problem(401);
}

fn base64_url(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[tokio::test]
async fn a_candidate_token_cannot_use_staff_routes() {
    let app = TestApp::spawn().await;
    let candidate = encode(
        &Header::new(Algorithm::HS256),
        &claims(600, &[], "candidate"),
        &EncodingKey::from_secret(&app.state.config.keys.candidate_jwt),
    )
    .unwrap();
    app.get("/api/v1/me", Some(&candidate)).await.problem(401);
}

#[tokio::test]
async fn a_well_signed_staff_token_without_the_account_s_version_is_refused() {
    let app = TestApp::spawn().await;
    app.staff("quantri", &[Role::Admin]).await;
    // Signed with the right key, but not issued by a sign-in: no token version.
    let made_up = encode(
        &Header::new(Algorithm::HS256),
        &claims(600, &["admin"], "staff"),
        &EncodingKey::from_secret(&app.state.config.keys.staff_jwt),
    )
    .unwrap();
    app.get("/api/v1/me", Some(&made_up)).await.problem(401);
}

#[tokio::test]
async fn no_token_is_a_401_problem() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/me", None).await.problem(401);
}

#[tokio::test]
async fn only_an_admin_creates_staff_accounts() {
    let app = TestApp::spawn().await;
    let admin = app.staff("quantri", &[Role::Admin]).await;
    let hr = app.staff("tochuc", &[Role::Hr]).await;
    let body = json!({"username": "giamthi1", "password": "mat-khau-dai", "full_name": "Giám thị 1", "roles": ["supervisor"]});
    app.post("/api/v1/users", Some(&hr), &body)
        .await
        .problem(403);
    let created = app.post("/api/v1/users", Some(&admin), &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["roles"], json!(["supervisor"]));
    app.post("/api/v1/users", Some(&admin), &body)
        .await
        .problem(409);
}

#[tokio::test]
async fn invalid_accounts_list_every_bad_field() {
    let app = TestApp::spawn().await;
    let admin = app.staff("quantri", &[Role::Admin]).await;
    let r = app
        .post(
            "/api/v1/users",
            Some(&admin),
            &json!({"username": "A B", "password": "ngan", "roles": []}),
        )
        .await;
    let p = r.problem(422);
    let locations: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["location"].as_str().unwrap())
        .collect();
    assert_eq!(locations, vec!["username", "password", "roles"]);
    let r = app
        .post(
            "/api/v1/users",
            Some(&admin),
            &json!({"username": "abc", "password": "mat-khau-dai", "roles": ["boss"]}),
        )
        .await;
    assert_eq!(
        r.problem(422)["errors"][0]["location"].as_str().unwrap(),
        "roles[0]"
    );
}
