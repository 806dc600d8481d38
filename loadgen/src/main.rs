//! `loadgen seed | run | spike`: see the library docs and `scripts/load.sh`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(about = "Load generator for thituyen (issue 8)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Seed N candidates, an exam and its sessions (papers pre-generated) into a running
    /// server seeded with the demo round; writes the plan as JSON.
    Seed {
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        base: String,
        #[arg(long, short)]
        n: usize,
        #[arg(long, default_value = "plan.json")]
        plan: PathBuf,
        #[arg(long, default_value = "tochuc")]
        username: String,
        #[arg(long, default_value = "thituyen-demo")]
        password: String,
        #[arg(long, default_value_t = 1)]
        round_id: i32,
        #[arg(long, default_value_t = 1)]
        seal_id: i32,
        #[arg(long, default_value = "CV-VP")]
        position: String,
        #[arg(long, default_value = "Kiến thức chung")]
        topic: String,
        /// The sessions start this many seconds after the server's now.
        #[arg(long, default_value_t = 120)]
        start_in: i64,
        #[arg(long, default_value_t = 3)]
        duration_minutes: u32,
    },
    /// Play the open-model scenario of a plan and print the figures.
    Run {
        #[arg(long, default_value = "plan.json")]
        plan: PathBuf,
        /// Login window W in seconds (fixed arrival rate N/W).
        #[arg(long, default_value_t = 60.0)]
        window: f64,
        /// Save interval S in seconds.
        #[arg(long, default_value_t = 5.0)]
        save_every: f64,
        #[arg(long, default_value_t = 0.2)]
        jitter: f64,
        /// Every candidate submits in the last this-many seconds before the deadline.
        #[arg(long, default_value_t = 10.0)]
        storm: f64,
        /// The server's database, for the lost-answer and closing checks.
        #[arg(long, env = "DATABASE_URL")]
        database_url: Option<String>,
        /// The server's process id, to sample its resident memory.
        #[arg(long)]
        server_pid: Option<u32>,
        #[arg(long, default_value_t = 20)]
        max_retries: u32,
        /// Also write the report as JSON here.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Fire COUNT logins of a plan at the same instant.
    Spike {
        #[arg(long, default_value = "plan.json")]
        plan: PathBuf,
        #[arg(long, default_value_t = 2000)]
        count: usize,
    },
}

fn read_plan(path: &PathBuf) -> loadgen::Result<loadgen::Plan> {
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

#[tokio::main]
async fn main() -> loadgen::Result<()> {
    match Cli::parse().command {
        Command::Seed {
            base,
            n,
            plan,
            username,
            password,
            round_id,
            seal_id,
            position,
            topic,
            start_in,
            duration_minutes,
        } => {
            let t = std::time::Instant::now();
            let p = loadgen::seed(&loadgen::SeedOptions {
                base,
                username,
                password,
                round_id,
                seal_id,
                position_code: position,
                topic,
                candidates: n,
                start_in_seconds: start_in,
                duration_minutes,
            })
            .await?;
            std::fs::write(&plan, serde_json::to_string(&p)?)?;
            println!(
                "seeded {} candidates (exam {}) in {:.1} s; starts {} ends {}; plan in {}",
                p.tickets.len(),
                p.exam_id,
                t.elapsed().as_secs_f64(),
                p.starts_at,
                p.ends_at,
                plan.display()
            );
        }
        Command::Run {
            plan,
            window,
            save_every,
            jitter,
            storm,
            database_url,
            server_pid,
            max_retries,
            json,
        } => {
            let p = read_plan(&plan)?;
            let r = loadgen::run(
                &p,
                &loadgen::RunOptions {
                    window: Duration::from_secs_f64(window),
                    save_every: Duration::from_secs_f64(save_every),
                    jitter,
                    storm: Duration::from_secs_f64(storm),
                    database_url,
                    server_pid,
                    max_retries,
                },
            )
            .await?;
            print!("{r}");
            if let Some(path) = json {
                std::fs::write(path, serde_json::to_string_pretty(&r)?)?;
            }
        }
        Command::Spike { plan, count } => {
            let p = read_plan(&plan)?;
            let r = loadgen::spike(&p, count).await?;
            print!("{r}");
            let max = r.endpoint("login").map_or(0.0, |e| e.max_ms);
            println!(
                "spike: {} logins at once, all answered within {:.0} ms; {} within 2 s",
                r.candidates,
                max,
                if max <= 2000.0 && r.errors() == 0 {
                    "all served"
                } else {
                    "NOT all served"
                }
            );
        }
    }
    Ok(())
}
