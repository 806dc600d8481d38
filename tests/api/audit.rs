//! The audit chain.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use server::audit::{Action, Audited};
use server::auth::Role;
use server::entities::{audit_log, users};
use tests::TestApp;

async fn full_name(app: &TestApp, username: &str) -> String {
    users::Entity::find()
        .filter(users::Column::Username.eq(username))
        .one(app.db())
        .await
        .unwrap()
        .expect("the account")
        .full_name
}

#[tokio::test]
async fn the_chain_verifies_intact_after_changes() {
    let app = TestApp::spawn().await;
    let admin = app.staff("quantri", &[Role::Admin]).await;
    app.staff("tochuc", &[Role::Hr]).await;
    let r = app.get("/api/v1/audit/verify", Some(&admin)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["intact"], true);
    assert_eq!(r.body["entries"], 2);
    assert_eq!(r.body["head"].as_str().unwrap().len(), 64);
}

#[tokio::test]
async fn editing_one_row_in_the_database_breaks_verification_at_that_row() {
    let app = TestApp::spawn().await;
    let admin = app.staff("quantri", &[Role::Admin]).await;
    for name in ["tacgia", "kiemduyet", "tochuc"] {
        app.staff(name, &[Role::Author]).await;
    }
    app.db()
        .execute_unprepared("UPDATE audit_log SET actor = 'someone-else' WHERE id = 3")
        .await
        .unwrap();
    let r = app.get("/api/v1/audit/verify", Some(&admin)).await;
    assert_eq!(r.body["intact"], false);
    assert_eq!(r.body["first_broken"]["id"], 3);
    assert_eq!(r.body["entries"], 2, "entries before the broken one");
}

#[tokio::test]
async fn deleting_a_row_breaks_verification_at_the_gap() {
    let app = TestApp::spawn().await;
    let admin = app.staff("quantri", &[Role::Admin]).await;
    app.staff("tacgia", &[Role::Author]).await;
    app.staff("tochuc", &[Role::Hr]).await;
    app.db()
        .execute_unprepared("DELETE FROM audit_log WHERE id = 2")
        .await
        .unwrap();
    let r = app.get("/api/v1/audit/verify", Some(&admin)).await;
    assert_eq!(r.body["intact"], false);
    assert_eq!(r.body["first_broken"]["id"], 3);
}

#[tokio::test]
async fn audit_verification_is_for_admin_chair_and_hr_only() {
    let app = TestApp::spawn().await;
    let chair = app.staff("chutich", &[Role::Chair]).await;
    let author = app.staff("tacgia", &[Role::Author]).await;
    assert_eq!(
        app.get("/api/v1/audit/verify", Some(&chair)).await.status,
        200
    );
    app.get("/api/v1/audit/verify", Some(&author))
        .await
        .problem(403);
    app.get("/api/v1/audit/verify", None).await.problem(401);
}

/// A use case that fails after writing (an early `?`) drops its guard: its data and its entry
/// go together, and the lock is free for the next change.
#[tokio::test]
async fn a_change_dropped_before_its_commit_leaves_neither_its_data_nor_its_entry() {
    let app = TestApp::spawn().await;
    app.staff("tochuc", &[Role::Hr]).await;
    let before = full_name(&app, "tochuc").await;
    {
        let w = Audited::begin(&app.state).await.unwrap();
        w.txn()
            .execute_unprepared("UPDATE users SET full_name = 'Đã đổi' WHERE username = 'tochuc'")
            .await
            .unwrap();
        w.record(
            "quantri",
            Action::UserCreate,
            99,
            json!({"never": "stored"}),
        );
    }
    assert_eq!(full_name(&app, "tochuc").await, before);
    assert_eq!(audit_log::Entity::find().count(app.db()).await.unwrap(), 1);

    let w = Audited::begin(&app.state).await.unwrap();
    w.record("quantri", Action::UserCreate, 2, json!({}));
    w.commit().await.unwrap();
    let report = server::audit::verify(app.db()).await.unwrap();
    assert!(report.intact, "{:?}", report.first_broken);
    assert_eq!(report.entries, 2);
}

/// Changes made at the same moment take turns at the head of the chain: none forks it.
#[tokio::test]
async fn audited_changes_made_at_once_keep_one_unbroken_chain() {
    let app = TestApp::spawn().await;
    let admin = app.staff("quantri", &[Role::Admin]).await;
    let requests: Vec<_> = (0..8)
        .map(|i| {
            let body = json!({"username": format!("giamthi{i}"), "password": "mat-khau-dai",
                "full_name": format!("Giám thị {i}"), "roles": ["supervisor"]});
            let req = app
                .client
                .post(app.url("/api/v1/users"))
                .bearer_auth(&admin)
                .json(&body);
            tokio::spawn(async move { req.send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    let direct: Vec<_> = (0..8)
        .map(|i| {
            let state = app.state.clone();
            tokio::spawn(async move {
                let w = Audited::begin(&state).await.unwrap();
                w.record("quantri", Action::RoundUpdate, i, json!({"at_once": i}));
                w.commit().await.unwrap();
            })
        })
        .collect();
    for created in requests {
        assert_eq!(created.await.unwrap().unwrap(), 201);
    }
    for done in direct {
        done.await.unwrap();
    }
    let r = app.get("/api/v1/audit/verify", Some(&admin)).await;
    assert_eq!(r.body["intact"], true, "{}", r.text);
    assert_eq!(r.body["entries"], 1 + 8 + 8);
}
