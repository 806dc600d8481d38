//! The audit chain.

use sea_orm::ConnectionTrait;
use server::auth::Role;
use tests::TestApp;

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
