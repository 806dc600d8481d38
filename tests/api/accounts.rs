//! Staff accounts and their tokens (README, "Staff accounts" and "Keys and rotation"): an
//! admin lists, disables, resets and re-roles accounts, every change is audited and ends the
//! account's sign-ins at once; sign-out revokes; idle tokens expire; each token kind has its
//! own key, and a rotation leaves old tokens worthless.

use chrono::Duration;
use serde_json::json;
use server::auth::Role;
use server::keys::Keys;
use tests::TestApp;

async fn id_of(app: &TestApp, admin: &str, username: &str) -> i64 {
    let list = app.get("/api/v1/users?limit=500", Some(admin)).await;
    assert_eq!(list.status, 200, "{}", list.text);
    list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn audited(app: &TestApp, action: &str) -> usize {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    use server::entities::audit_log;
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .count(app.db())
        .await
        .unwrap() as usize
}

async fn login(app: &TestApp, username: &str, password: &str) -> tests::Resp {
    app.post(
        "/api/v1/auth/login",
        None,
        &json!({"username": username, "password": password}),
    )
    .await
}

#[tokio::test]
async fn only_an_admin_lists_and_changes_accounts() {
    let app = TestApp::spawn().await;
    let admin = app.staff("quantri", &[Role::Admin]).await;
    let hr = app.staff("tochuc", &[Role::Hr]).await;
    let hr_id = id_of(&app, &admin, "tochuc").await;
    app.get("/api/v1/users", Some(&hr)).await.problem(403);
    app.get("/api/v1/users", None).await.problem(401);
    let path = format!("/api/v1/users/{hr_id}/roles");
    app.put(&path, Some(&hr), &json!({"roles": ["hr", "admin"]}))
        .await
        .problem(403);
    let path = format!("/api/v1/users/{hr_id}/password");
    app.put(
        &path,
        Some(&hr),
        &json!({"password": "mot-mat-khau-moi-dai"}),
    )
    .await
    .problem(403);
    let list = app.get("/api/v1/users", Some(&admin)).await;
    assert_eq!(list.body["total"], 2);
    assert_eq!(list.body["items"][1]["roles"], json!(["hr"]));
    assert_eq!(list.body["items"][1]["active"], true);
    assert!(!list.text.contains("argon2"), "no password hash is listed");
}

#[tokio::test]
async fn a_disabled_account_s_existing_token_gets_401_and_it_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let admin = app.staff("quantri", &[Role::Admin]).await;
    let hr = app.staff("tochuc", &[Role::Hr]).await;
    assert_eq!(app.get("/api/v1/me", Some(&hr)).await.status, 200);
    let hr_id = id_of(&app, &admin, "tochuc").await;

    let path = format!("/api/v1/users/{hr_id}/disable");
    let p = app.post(&path, Some(&admin), &json!({"reason": " "})).await;
    assert_eq!(p.problem(422)["errors"][0]["location"], "reason");
    assert_eq!(app.get("/api/v1/me", Some(&hr)).await.status, 200);

    let r = app
        .post(&path, Some(&admin), &json!({"reason": "chuyển công tác"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["active"], false);
    app.get("/api/v1/me", Some(&hr)).await.problem(401);
    login(&app, "tochuc", "mat-khau-thu-nghiem")
        .await
        .problem(401);
    assert_eq!(audited(&app, "user.disable").await, 1);

    let path = format!("/api/v1/users/{hr_id}/enable");
    let r = app
        .post(&path, Some(&admin), &json!({"reason": "trở lại"}))
        .await;
    assert_eq!(r.body["active"], true);
    assert_eq!(
        login(&app, "tochuc", "mat-khau-thu-nghiem").await.status,
        200
    );
    app.get("/api/v1/me", Some(&hr)).await.problem(401); // the old token stays dead
}

#[tokio::test]
async fn a_role_change_takes_effect_on_the_next_request() {
    let app = TestApp::spawn().await;
    let admin = app.staff("quantri", &[Role::Admin]).await;
    let hr = app.staff("tochuc", &[Role::Hr]).await;
    assert_eq!(app.get("/api/v1/rounds", Some(&hr)).await.status, 200);
    let hr_id = id_of(&app, &admin, "tochuc").await;
    let r = app
        .put(
            &format!("/api/v1/users/{hr_id}/roles"),
            Some(&admin),
            &json!({"roles": ["marker"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.get("/api/v1/rounds", Some(&hr)).await.problem(401);
    let again = login(&app, "tochuc", "mat-khau-thu-nghiem").await;
    assert_eq!(again.body["user"]["roles"], json!(["marker"]));
    let token = again.body["token"].as_str().unwrap();
    app.post(
        "/api/v1/rounds",
        Some(token),
        &json!({"code": "R1", "name": "x"}),
    )
    .await
    .problem(403);
    assert_eq!(audited(&app, "user.roles").await, 1);
}

#[tokio::test]
async fn sign_out_revokes_the_token() {
    let app = TestApp::spawn().await;
    let hr = app.staff("tochuc", &[Role::Hr]).await;
    let r = app.post("/api/v1/auth/logout", Some(&hr), &json!({})).await;
    assert_eq!(r.status, 204, "{}", r.text);
    app.get("/api/v1/me", Some(&hr)).await.problem(401);
    app.post("/api/v1/auth/refresh", Some(&hr), &json!({}))
        .await
        .problem(401);
    assert_eq!(audited(&app, "user.logout").await, 1);
}

#[tokio::test]
async fn a_password_reset_refuses_weak_passwords_and_ends_the_old_sign_in() {
    let app = TestApp::spawn().await;
    let admin = app.staff("quantri", &[Role::Admin]).await;
    let hr = app.staff("tochuc", &[Role::Hr]).await;
    let path = format!(
        "/api/v1/users/{}/password",
        id_of(&app, &admin, "tochuc").await
    );
    for weak in ["ngan", "12345678901", "Password1234", "QWERTYUIOP12"] {
        let p = app
            .put(&path, Some(&admin), &json!({"password": weak}))
            .await;
        assert_eq!(
            p.problem(422)["errors"][0]["location"],
            "password",
            "{weak}"
        );
    }
    assert_eq!(app.get("/api/v1/me", Some(&hr)).await.status, 200);
    let r = app
        .put(
            &path,
            Some(&admin),
            &json!({"password": "mật khẩu mới của tổ chức"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.get("/api/v1/me", Some(&hr)).await.problem(401);
    login(&app, "tochuc", "mat-khau-thu-nghiem")
        .await
        .problem(401);
    assert_eq!(
        login(&app, "tochuc", "mật khẩu mới của tổ chức")
            .await
            .status,
        200
    );
    assert_eq!(audited(&app, "user.password_reset").await, 1);
}

#[tokio::test]
async fn an_account_is_not_created_with_a_weak_password() {
    let app = TestApp::spawn().await;
    let admin = app.staff("quantri", &[Role::Admin]).await;
    for weak in ["mat-khau", "iloveyou1234", "ADMINISTRATOR"] {
        let p = app
            .post(
                "/api/v1/users",
                Some(&admin),
                &json!({"username": "giamthi", "password": weak, "roles": ["supervisor"]}),
            )
            .await;
        assert_eq!(
            p.problem(422)["errors"][0]["location"],
            "password",
            "{weak}"
        );
    }
    let list = app.get("/api/v1/users", Some(&admin)).await;
    assert_eq!(list.body["total"], 1, "nothing was created");
}

#[tokio::test]
async fn the_last_active_admin_cannot_lock_themselves_out() {
    let app = TestApp::spawn().await;
    let admin = app.staff("quantri", &[Role::Admin]).await;
    let me = id_of(&app, &admin, "quantri").await;
    let p = app
        .post(
            &format!("/api/v1/users/{me}/disable"),
            Some(&admin),
            &json!({"reason": "thử"}),
        )
        .await;
    assert!(p.problem(409)["detail"]
        .as_str()
        .unwrap()
        .contains("last active administrator"));
    app.put(
        &format!("/api/v1/users/{me}/roles"),
        Some(&admin),
        &json!({"roles": ["hr"]}),
    )
    .await
    .problem(409);
    assert_eq!(app.get("/api/v1/users", Some(&admin)).await.status, 200);

    // With a second active admin, the first may step down.
    app.staff("quantri2", &[Role::Admin]).await;
    let r = app
        .put(
            &format!("/api/v1/users/{me}/roles"),
            Some(&admin),
            &json!({"roles": ["hr"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn a_candidate_token_is_not_a_staff_token_and_a_staff_token_is_not_a_candidate_token() {
    let app = TestApp::spawn().await;
    let d = app.demo().await;
    let candidate = app.candidate(&d.tickets[0].1, &d.access_code).await;
    let hr = app.staff("tochuc2", &[Role::Hr]).await;
    assert_eq!(
        app.get("/api/v1/sitting", Some(&candidate)).await.status,
        200
    );
    app.get("/api/v1/me", Some(&candidate)).await.problem(401);
    app.get("/api/v1/rounds", Some(&candidate))
        .await
        .problem(401);
    app.get("/api/v1/sitting", Some(&hr)).await.problem(401);
    let keys = &app.state.config.keys;
    assert_ne!(keys.staff_jwt, keys.candidate_jwt);
    assert_ne!(keys.candidate_jwt, keys.candidate_codes);
}

#[tokio::test]
async fn after_a_rotation_a_token_signed_with_the_old_key_gets_401() {
    // The same account on a server before and after its master secret changed.
    let before =
        TestApp::spawn_with(|c| c.keys = Keys::derive(b"le-secret-cu-le-secret-cu-32-byte")).await;
    let old_token = before.staff("tochuc", &[Role::Hr]).await;
    assert_eq!(before.get("/api/v1/me", Some(&old_token)).await.status, 200);

    let after =
        TestApp::spawn_with(|c| c.keys = Keys::derive(b"le-secret-moi-le-secret-moi-32-b")).await;
    let new_token = after.staff("tochuc", &[Role::Hr]).await;
    assert_eq!(after.get("/api/v1/me", Some(&new_token)).await.status, 200);
    let p = after.get("/api/v1/me", Some(&old_token)).await;
    assert!(p.problem(401)["detail"]
        .as_str()
        .unwrap()
        .contains("invalid token"));
}

/// A staff token's expiry, and the token renewed in the response header, if any.
async fn use_token(app: &TestApp, token: &str) -> (u16, Option<String>) {
    let resp = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let renewed = resp
        .headers()
        .get("x-staff-token")
        .map(|v| v.to_str().unwrap().to_string());
    (resp.status().as_u16(), renewed)
}

#[tokio::test]
async fn an_idle_staff_token_expires_and_use_renews_it_up_to_the_absolute_limit() {
    let app = TestApp::spawn_with(|c| {
        c.staff_idle_minutes = 30;
        c.staff_token_minutes = 480;
    })
    .await;
    let first = app.staff("tochuc", &[Role::Hr]).await;
    assert_eq!(
        use_token(&app, &first).await,
        (200, None),
        "fresh: not renewed"
    );

    // Idle for 31 minutes: the token has expired.
    app.clock.advance(Duration::minutes(31));
    assert_eq!(use_token(&app, &first).await.0, 401);

    // Active every 20 minutes: each use hands back a renewed token, until 8 hours after
    // signing in, whatever the activity.
    let mut token = login(&app, "tochuc", "mat-khau-thu-nghiem").await.body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut minutes = 0;
    loop {
        app.clock.advance(Duration::minutes(20));
        minutes += 20;
        let (status, renewed) = use_token(&app, &token).await;
        if status == 401 {
            break;
        }
        assert_eq!(status, 200);
        token = renewed.expect("a used token is renewed");
        assert!(minutes <= 480, "still valid after {minutes} minutes");
    }
    assert!(minutes > 460, "expired early, after {minutes} minutes");
}
