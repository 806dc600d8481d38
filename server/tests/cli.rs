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
            "mat-khau-dai-hon",
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
            "mat-khau-dai-hon",
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
            "mat-khau-dai-hon",
            "--role",
            "boss",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role 'boss'"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn user_create_refuses_a_short_or_common_password() {
    let dir = std::env::temp_dir().join(format!("thituyen-cli-weak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for weak in ["ngan-qua", "Password1234", "QWERTYUIOP12"] {
        let out = server(
            &dir,
            &[
                "user",
                "create",
                "--username",
                "quantri",
                "--password",
                weak,
                "--role",
                "admin",
            ],
        );
        assert!(!out.status.success(), "{weak} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("password"), "{err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn the_master_secret_is_owner_only_a_shared_one_is_refused_and_rotation_replaces_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("thituyen-cli-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let migrate = server(&dir, &["migrate"]);
    assert!(migrate.status.success());
    let key = dir.join("master.key");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&key), 0o600);
    let first = std::fs::read_to_string(&key).unwrap();

    let rotated = server(&dir, &["keys", "rotate"]);
    assert!(rotated.status.success());
    assert!(String::from_utf8_lossy(&rotated.stdout).contains("no longer work"));
    assert_eq!(mode(&key), 0o600);
    assert_ne!(std::fs::read_to_string(&key).unwrap(), first);

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = server(&dir, &["migrate"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("chmod 600"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_refuses_a_database_it_did_not_create_unless_forced() {
    let dir = std::env::temp_dir().join(format!("thituyen-cli-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let created = server(
        &dir,
        &[
            "user",
            "create",
            "--username",
            "truongphong",
            "--password",
            "mat-khau-that-su-dai",
            "--role",
            "admin",
        ],
    );
    assert!(created.status.success());
    let refused = server(&dir, &["demo", "--no-serve"]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("truongphong") && err.contains("--force"),
        "{err}"
    );

    let forced = server(&dir, &["demo", "--no-serve", "--force"]);
    assert!(forced.status.success());
    assert!(String::from_utf8_lossy(&forced.stdout).contains("DEMO ONLY"));
    let _ = std::fs::remove_dir_all(&dir);
}
