//! The `server` command line: serve, migrate, demo, bench, audit verify, user create.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::auth::Role;
use crate::config::Config;
use crate::error::AppResult;
use crate::state::AppState;

#[derive(Parser, Debug)]
#[command(
    name = "server",
    version,
    about = "thituyen: computer-based civil-service recruitment exams"
)]
pub struct Cli {
    /// Directory of the embedded SQLite database and the generated signing key.
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run migrations, then serve the API and the UI.
    Serve {
        #[arg(long, env = "THITUYEN_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
    },
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Seed the demo round (idempotent), print the accounts, and serve.
    Demo {
        #[arg(long, env = "THITUYEN_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Seed and exit without serving.
        #[arg(long)]
        no_serve: bool,
        /// Seed even a database holding accounts, rounds or banks the demo did not create.
        #[arg(long)]
        force: bool,
    },
    /// Audit-log commands.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Staff account commands.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Key commands (README, "Keys and rotation").
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Back up the database (and the data dir's signing key) into a new directory under DIR,
    /// while the server keeps serving; on PostgreSQL run (or print) pg_dump.
    Backup { dir: PathBuf },
    /// Put a backup made by `server backup` in place as the data dir (the server stopped).
    Restore {
        /// The backup's directory (or its thituyen.db).
        from: PathBuf,
        /// Replace the database and key of a data dir that is not empty.
        #[arg(long)]
        force: bool,
    },
    /// Benchmarks (docs/benchmarks.md); they write a whole round into the database: use a
    /// fresh one.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Seed N candidates with 60 answers each, then time grading them again from the database
    /// and ranking every position (issue 8, offline throughput).
    Offline {
        #[arg(long, default_value_t = 100_000)]
        candidates: usize,
        /// Papers whose pre-generation is timed on its own.
        #[arg(long, default_value_t = 10_000)]
        papers: usize,
        /// Time again on a database this benchmark already seeded (no new seed).
        #[arg(long)]
        again: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Recompute the hash chain; exit 0 when intact, 1 at the first broken entry.
    Verify,
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Replace the master secret in the data directory with a new random one (mode 0600).
    /// Every staff and candidate token and every issued candidate code stop working.
    Rotate,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        #[arg(long = "role", required = true)]
        roles: Vec<Role>,
        #[arg(long, default_value = "")]
        full_name: String,
    },
}

pub fn main() -> ExitCode {
    crate::telemetry::init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            // Name each refused field (a weak password says why), as the API's problem does.
            if let crate::error::AppError::Invalid { errors, .. } = &e {
                for field in errors {
                    eprintln!("  {}: {}", field.location, field.message);
                }
            }
            ExitCode::FAILURE
        }
    }
}

async fn open(data_dir: Option<PathBuf>) -> AppResult<AppState> {
    let config = Config::from_env(data_dir)?;
    let db = crate::db::connect(&config).await?;
    crate::db::migrate(&db).await?;
    Ok(AppState::new(db, config))
}

async fn run(cli: Cli) -> AppResult<ExitCode> {
    match cli.command {
        Command::Serve { addr } => {
            let state = open(cli.data_dir).await?;
            serve_on(addr, state).await?;
        }
        Command::Migrate => {
            open(cli.data_dir).await?;
            println!("database schema is up to date");
        }
        Command::Demo {
            addr,
            no_serve,
            force,
        } => {
            let state = open(cli.data_dir).await?;
            let report = crate::demo::seed(&state, force).await?;
            println!("{report}");
            if !no_serve {
                serve_on(addr, state).await?;
            }
        }
        Command::Backup { dir } => back_up(cli.data_dir, &dir).await?,
        Command::Restore { from, force } => restore(cli.data_dir, &from, force)?,
        Command::Bench {
            command:
                BenchCommand::Offline {
                    candidates,
                    papers,
                    again,
                },
        } => {
            let state = open(cli.data_dir).await?;
            let options = crate::bench::OfflineOptions {
                candidates,
                papers,
                again,
            };
            println!("{}", crate::bench::offline(&state, &options).await?);
        }
        Command::Keys {
            command: KeysCommand::Rotate,
        } => {
            return rotate_keys(cli.data_dir);
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let state = open(cli.data_dir).await?;
            return verify_audit(&state).await;
        }
        Command::User {
            command:
                UserCommand::Create {
                    username,
                    password,
                    roles,
                    full_name,
                },
        } => {
            let state = open(cli.data_dir).await?;
            let user = crate::services::users::create_user(
                &state,
                "cli",
                crate::services::users::NewUser {
                    username,
                    password,
                    full_name,
                    roles,
                },
            )
            .await?;
            println!(
                "created user {} (id {}) with roles {:?}",
                user.username, user.id, user.roles
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A master secret set in the environment is rotated by changing the environment, not here.
fn rotate_keys(data_dir: Option<PathBuf>) -> AppResult<ExitCode> {
    for name in ["THITUYEN_MASTER_SECRET", "THITUYEN_JWT_SECRET"] {
        if std::env::var(name).is_ok_and(|v| !v.trim().is_empty()) {
            eprintln!("{name} is set: the master secret comes from the environment; set a new value there instead");
            return Ok(ExitCode::FAILURE);
        }
    }
    let data_dir = data_dir
        .or_else(|| std::env::var_os("THITUYEN_DATA_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("data"));
    let path = crate::keys::rotate_master(&data_dir)?;
    println!(
        "new master secret written to {} (mode 0600). Restart the server: every staff and \
         candidate token and every candidate code issued before no longer work.",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Opens the database without migrating it: a backup copies what is there.
async fn back_up(data_dir: Option<PathBuf>, dir: &std::path::Path) -> AppResult<()> {
    let config = Config::from_env(data_dir)?;
    let db = crate::db::connect(&config).await?;
    let made = crate::backup::backup(&config, &db, dir, chrono::Utc::now()).await?;
    println!("{made}");
    Ok(())
}

/// Reads no configuration: that would make a signing key in the data dir being restored.
fn restore(data_dir: Option<PathBuf>, from: &std::path::Path, force: bool) -> AppResult<()> {
    let data_dir = data_dir
        .or_else(|| std::env::var_os("THITUYEN_DATA_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("data"));
    println!("{}", crate::backup::restore(from, &data_dir, force)?);
    Ok(())
}

/// Exit status 1 when the chain is broken, so scripts can act on it.
async fn verify_audit(state: &AppState) -> AppResult<ExitCode> {
    let report = crate::audit::verify(&state.db).await?;
    Ok(match report.first_broken {
        None => {
            println!(
                "audit chain intact: {} entries, head {}",
                report.entries, report.head
            );
            ExitCode::SUCCESS
        }
        Some(b) => {
            println!(
                "audit chain BROKEN at entry {} ({}): {}",
                b.id, b.action, b.reason
            );
            ExitCode::from(1)
        }
    })
}

async fn serve_on(addr: SocketAddr, state: AppState) -> AppResult<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| crate::error::AppError::internal(format!("cannot listen on {addr}: {e}")))?;
    let pkg = state
        .config
        .site_root
        .join("pkg")
        .join(format!("{}.js", crate::ui::OUTPUT_NAME));
    if !pkg.exists() {
        tracing::warn!(
            "no hydration bundle at {}: pages render but stay static (run scripts/build-wasm.sh)",
            pkg.display()
        );
    }
    println!("thituyen listening on http://{addr}  (API docs: http://{addr}/api/docs)");
    crate::serve(listener, state, crate::shutdown_signal())
        .await
        .map_err(|e| crate::error::AppError::internal(format!("server stopped: {e}")))
}
