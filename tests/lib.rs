//! Test harness: each test gets the real router on a free port, backed by a fresh database —
//! a new SQLite file, or a new PostgreSQL database when `TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used)] // the harness serves tests: a failed unwrap is a failed test

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::Value;
use server::auth::Role;
use server::clock::TestClock;
use server::config::{sqlite_url, Config};
use server::state::AppState;
use std::path::PathBuf;
use std::sync::Arc;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub clock: Arc<TestClock>,
    pub dir: PathBuf,
}

/// A response kept as bytes (workbooks, PDF), with the headers that describe it.
pub struct RawResp {
    pub status: u16,
    pub content_type: String,
    pub disposition: String,
    pub bytes: Vec<u8>,
}

pub struct Resp {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
    pub text: String,
}

fn unique_name() -> String {
    use rand::RngExt;
    let n: u64 = rand::rng().random();
    format!("{n:016x}")
}

/// A fresh database URL for one test.
async fn fresh_database(dir: &std::path::Path) -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let admin = Database::connect(admin_url.as_str())
                .await
                .expect("connect to TEST_DATABASE_URL");
            let base_name = admin_url.rsplit('/').next().unwrap_or("test").to_string();
            let name = format!("{base_name}_t{}", unique_name());
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            let prefix = admin_url
                .rsplit_once('/')
                .map(|(p, _)| p)
                .unwrap_or(&admin_url);
            format!("{prefix}/{name}")
        }
        _ => sqlite_url(&dir.join("test.db")),
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// [`TestApp::spawn`] with some settings changed first.
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> TestApp {
        let dir = std::env::temp_dir().join(format!("thituyen-test-{}", unique_name()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = fresh_database(&dir).await;
        let mut config = Config::for_tests(url, dir.clone());
        configure(&mut config);
        let db = server::db::connect(&config).await.expect("connect");
        server::db::migrate(&db).await.expect("migrate");
        let clock = Arc::new(TestClock::default());
        let state = AppState::with_clock(db, config, clock.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let serving = state.clone();
        tokio::spawn(async move {
            let _ = server::serve(listener, serving, std::future::pending()).await;
        });
        TestApp {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            state,
            clock,
            dir,
        }
    }

    /// The paper stored for a sitting, read from its canonical JSON (what was hashed).
    pub async fn stored_paper(&self, sitting_id: i32) -> question_bank::paper::Paper {
        use sea_orm::EntityTrait;
        let row = server::entities::sitting_papers::Entity::find_by_id(sitting_id)
            .one(self.db())
            .await
            .expect("the database answers")
            .expect("the sitting has a paper");
        serde_json::from_str(&row.paper).expect("a stored paper is valid JSON")
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Creates a staff account holding `roles` and returns a signed-in token.
    pub async fn staff(&self, username: &str, roles: &[Role]) -> String {
        let password = "mat-khau-thu-nghiem";
        server::services::users::create_user(
            &self.state,
            "test",
            server::services::users::NewUser {
                username: username.to_string(),
                password: password.to_string(),
                full_name: format!("Cán bộ {username}"),
                roles: roles.to_vec(),
            },
        )
        .await
        .expect("create staff user");
        let r = self
            .post(
                "/api/v1/auth/login",
                None,
                &serde_json::json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(r.status, 200, "login: {}", r.text);
        r.body["token"].as_str().expect("token").to_string()
    }

    pub async fn send(&self, req: reqwest::RequestBuilder, token: Option<&str>) -> Resp {
        let req = match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            content_type,
            body,
            text,
        }
    }

    pub async fn get_bytes(&self, path: &str, token: Option<&str>) -> RawResp {
        let req = self.client.get(self.url(path));
        let req = match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let resp = req.send().await.expect("request");
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let (content_type, disposition) = (header("content-type"), header("content-disposition"));
        RawResp {
            status: resp.status().as_u16(),
            content_type,
            disposition,
            bytes: resp.bytes().await.unwrap_or_default().to_vec(),
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(self.client.get(self.url(path)), token).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        self.send(self.client.post(self.url(path)).json(body), token)
            .await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        self.send(self.client.put(self.url(path)).json(body), token)
            .await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Resp {
        self.send(
            self.client
                .post(self.url(path))
                .header("content-type", content_type)
                .body(body),
            token,
        )
        .await
    }
}

impl Resp {
    /// Asserts an RFC 9457 problem with this status, and returns it.
    pub fn problem(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "body: {}", self.text);
        assert!(
            self.content_type.starts_with("application/problem+json"),
            "content type {} for {}",
            self.content_type,
            self.text
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
        assert!(self.body["errors"].is_array());
        &self.body
    }
}

/// Handles on the demo round, for tests that need a sealed bank, candidates and a session.
pub struct Demo {
    pub round_id: i32,
    pub exam_id: i32,
    pub seal_id: i32,
    pub session_id: i32,
    pub access_code: String,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    /// (sitting id, ticket number), by seat.
    pub tickets: Vec<(i32, String)>,
    pub application_ids: Vec<i32>,
}

impl TestApp {
    /// Seeds the demo round (session starting a few minutes ahead) and returns its handles.
    pub async fn demo(&self) -> Demo {
        use sea_orm::{EntityTrait, QueryOrder};
        use server::entities::{applications, exams, seals, sessions, sittings};
        server::demo::seed(&self.state, true)
            .await
            .expect("demo seed");
        let db = self.db();
        let exam = exams::Entity::find().one(db).await.unwrap().expect("exam");
        let session = sessions::Entity::find()
            .one(db)
            .await
            .unwrap()
            .expect("session");
        let seal = seals::Entity::find().one(db).await.unwrap().expect("seal");
        let tickets = sittings::Entity::find()
            .order_by_asc(sittings::Column::Seat)
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|s| (s.id, s.ticket_no))
            .collect();
        let application_ids = applications::Entity::find()
            .order_by_asc(applications::Column::Id)
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        Demo {
            round_id: exam.round_id,
            exam_id: exam.id,
            seal_id: seal.id,
            session_id: session.id,
            access_code: session.access_code,
            starts_at: session.starts_at,
            tickets,
            application_ids,
        }
    }

    /// Moves the server clock to `at` (forward only).
    pub fn move_clock_to(&self, at: chrono::DateTime<chrono::Utc>) {
        let now = self.state.now();
        if at > now {
            self.clock.advance(at - now);
        }
    }

    /// The PIN issued with a ticket, as its admission ticket prints it.
    pub fn pin(&self, ticket_no: &str) -> String {
        self.state.issue_pin(ticket_no).0
    }

    /// A candidate's sign-in request, with the PIN of their admission ticket.
    pub async fn candidate_login(&self, ticket_no: &str, access_code: &str) -> Resp {
        let body = serde_json::json!({
            "ticket_no": ticket_no, "access_code": access_code, "pin": self.pin(ticket_no),
        });
        self.post("/api/v1/candidate/login", None, &body).await
    }

    /// Signs a live sitting in on another computer: the sign-in waits, the supervisor approves
    /// the move, the waiting page polls and gets its token.
    pub async fn move_to_another_computer(
        &self,
        ticket_no: &str,
        access_code: &str,
        supervisor: &str,
    ) -> String {
        let waiting = self.candidate_login(ticket_no, access_code).await;
        assert_eq!(
            waiting.status, 202,
            "a second sign-in waits: {}",
            waiting.text
        );
        let id = waiting.body["move_id"].as_i64().expect("move id");
        let approved = self
            .post(
                &format!("/api/v1/moves/{id}/approve"),
                Some(supervisor),
                &serde_json::json!({"reason": "máy hỏng, chuyển sang máy khác"}),
            )
            .await;
        assert_eq!(approved.status, 200, "approve: {}", approved.text);
        let polled = self
            .post(
                &format!("/api/v1/candidate/moves/{id}"),
                None,
                &serde_json::json!({"claim": waiting.body["claim"]}),
            )
            .await;
        assert_eq!(polled.status, 200, "poll: {}", polled.text);
        polled.body["token"].as_str().expect("token").to_string()
    }

    /// Signs a candidate in; returns the token.
    pub async fn candidate(&self, ticket_no: &str, access_code: &str) -> String {
        let r = self.candidate_login(ticket_no, access_code).await;
        assert_eq!(r.status, 200, "candidate login: {}", r.text);
        r.body["token"].as_str().expect("token").to_string()
    }
}
