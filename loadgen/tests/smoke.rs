//! Smoke run of the load generator (issue 8): 50 candidates through the real server, on SQLite,
//! or on PostgreSQL when `TEST_DATABASE_URL` is set. Figures are not asserted, only the outcome:
//! no errors, no acknowledged answer lost, every sitting closed in time.
#![allow(clippy::unwrap_used)]

use std::time::Duration;
use tests::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_candidates_sit_without_errors_or_lost_answers() {
    let app = TestApp::spawn().await;
    let demo = app.demo().await;
    let plan = loadgen::seed(&loadgen::SeedOptions {
        base: app.base.clone(),
        username: "tochuc".into(),
        password: server::demo::DEMO_PASSWORD.into(),
        round_id: demo.round_id,
        seal_id: demo.seal_id,
        position_code: "CV-VP".into(),
        topic: "Kiến thức chung".into(),
        candidates: 50,
        start_in_seconds: 0,
        duration_minutes: 1,
    })
    .await
    .unwrap();
    assert_eq!(plan.tickets.len(), 50);
    // A one-minute exam, of which the server's clock skips the first 45 s: the generator
    // schedules on the server's clock, so the run lasts about 15 s.
    app.clock.advance(chrono::Duration::seconds(45));
    let report = loadgen::run(
        &plan,
        &loadgen::RunOptions {
            window: Duration::from_secs(2),
            save_every: Duration::from_millis(700),
            jitter: 0.2,
            storm: Duration::from_secs(3),
            database_url: Some(app.state.config.database_url.clone()),
            server_pid: Some(std::process::id()),
            max_retries: 20,
        },
    )
    .await
    .unwrap();
    println!("{report}");
    assert_eq!(report.errors(), 0, "{report}");
    for name in ["login", "sitting fetch", "answer save", "submit"] {
        let e = report.endpoint(name).unwrap();
        assert!(e.requests >= 50, "{name}: {report}");
    }
    assert!(report.acked_answers >= 50 * 5, "{report}");
    assert_eq!(report.lost_answers, Some(0), "{report}");
    assert_eq!(report.sittings, 50);
    assert_eq!(report.sittings_left_open, Some(0), "{report}");
    assert_eq!(report.sittings_closed_late, Some(0), "{report}");
}
