//! The command line operators rely on (README, "Command line").
#![allow(clippy::unwrap_used)] // a failed unwrap in a test helper is a failed test

use sea_orm::{ConnectionTrait, Database};
use std::process::Command;

fn server(data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run server")
}

#[tokio::test]
async fn audit_verify_exits_0_when_intact_and_1_with_the_broken_entry() {
    let dir = std::env::temp_dir().join(format!("thituyen-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = server(
        &dir,
        &[
            "user",
            "create",
            "--username",
            "quantri",
            "--password",
            "mat-khau-dai",
            "--role",
            "admin",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    server(
        &dir,
        &[
            "user",
            "create",
            "--username",
            "tochuc",
            "--password",
            "mat-khau-dai",
            "--role",
            "hr",
        ],
    );

    let ok = server(&dir, &["audit", "verify"]);
    assert_eq!(ok.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("intact: 2 entries"));

    let url = server::config::sqlite_url(&dir.join("thituyen.db"));
    let db = Database::connect(url.as_str()).await.unwrap();
    db.execute_unprepared("UPDATE audit_log SET details = '{}' WHERE id = 2")
        .await
        .unwrap();
    db.close().await.unwrap();

    let broken = server(&dir, &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stdout).contains("BROKEN at entry 2"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unknown_role_is_refused_by_the_command_line() {
    let dir = std::env::temp_dir().join(format!("thituyen-cli-role-{}", std::process::id()));
    let out = server(
        &dir,
        &[
            "user",
            "create",
            "--username",
            "abc",
            "--password",
            "mat-khau-dai",
            "--role",
            "boss",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role 'boss'"));
    let _ = std::fs::remove_dir_all(&dir);
}
