//! The demo round a newcomer sees after `server demo`.

use sea_orm::{ConnectionTrait, Statement};
use tests::TestApp;

async fn count(app: &TestApp, sql: &str) -> i64 {
    let backend = app.db().get_database_backend();
    let row = app
        .db()
        .query_one_raw(Statement::from_string(backend, sql.to_string()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn the_demo_round_is_ready_to_sit_and_seeding_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    let report = server::demo::seed(&app.state).await.unwrap();
    assert!(
        report.contains("quantri") && report.contains("mã ca thi"),
        "{report}"
    );

    assert!(count(&app, "SELECT COUNT(*) FROM items WHERE status = 'approved'").await >= 200);
    assert!(count(&app, "SELECT COUNT(DISTINCT topic) FROM items").await >= 3);
    assert_eq!(
        count(&app, "SELECT COUNT(DISTINCT difficulty) FROM items").await,
        3
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM seals").await, 1);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM positions WHERE quota > 0").await,
        2
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM applications").await, 30);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM sittings WHERE paper_sha256 IS NOT NULL"
        )
        .await,
        30
    );
    assert_eq!(
        count(&app, "SELECT COUNT(DISTINCT paper_sha256) FROM sittings").await,
        30,
        "every paper differs"
    );

    let session = app
        .db()
        .query_one_raw(Statement::from_string(
            app.db().get_database_backend(),
            "SELECT starts_at FROM sessions".to_string(),
        ))
        .await
        .unwrap()
        .unwrap();
    let starts_at: chrono::DateTime<chrono::Utc> = session.try_get_by_index(0).unwrap();
    let ahead = starts_at - app.state.now();
    assert!(ahead > chrono::Duration::minutes(1) && ahead <= chrono::Duration::minutes(5));

    server::demo::seed(&app.state).await.unwrap();
    assert_eq!(count(&app, "SELECT COUNT(*) FROM applications").await, 30);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users").await, 7);
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            &serde_json::json!({"username": "tochuc", "password": server::demo::DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(login.status, 200);
    let verify = app
        .get(
            "/api/v1/audit/verify",
            Some(login.body["token"].as_str().unwrap()),
        )
        .await;
    assert_eq!(verify.body["intact"], true);
}

/// Issue 8: papers moved out of the sittings' rows (migration 61) keep every byte, and moving
/// them back (its `down`) restores the column as it was.
#[tokio::test]
async fn papers_move_to_their_own_table_and_back_unchanged() {
    use migrations::{Migrator, MigratorTrait};
    let app = TestApp::spawn().await;
    server::demo::seed(&app.state).await.unwrap();
    let hashes = "SELECT COUNT(*) FROM sittings s JOIN sitting_papers p ON p.sitting_id = s.id";
    assert_eq!(count(&app, hashes).await, 30, "every paper has its row");
    let ids: Vec<i32> = {
        let backend = app.db().get_database_backend();
        app.db()
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id FROM sittings ORDER BY id".to_string(),
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get_by_index(0).unwrap())
            .collect()
    };
    let mut before = Vec::new();
    for id in &ids {
        before.push(app.stored_paper(*id).await);
    }
    // The paper's canonical JSON is what its published hash covers: it must survive the move.
    for (id, paper) in ids.iter().zip(&before) {
        let sha = count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM sittings WHERE id = {id} AND paper_sha256 = '{}'",
                paper.sha256()
            ),
        )
        .await;
        assert_eq!(
            sha, 1,
            "sitting {id}: the stored JSON hashes to the published hash"
        );
    }

    // Back to before the papers moved: that migration and every later one.
    let later = Migrator::migrations()
        .iter()
        .rev()
        .take_while(|m| m.name() != "m20261204_000061_move_sitting_papers")
        .count();
    Migrator::down(app.db(), Some(later as u32 + 1))
        .await
        .unwrap();
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM sittings WHERE paper IS NOT NULL"
        )
        .await,
        30,
        "moved back into the sittings"
    );
    Migrator::up(app.db(), None).await.unwrap();
    for (id, paper) in ids.iter().zip(&before) {
        assert_eq!(&app.stored_paper(*id).await, paper, "sitting {id}");
    }
}
