//! Benchmarks of the question bank (issue 3 item 8, issue 4 item 6): figures, not tests.
//!
//! ```text
//! cargo run --release -p question-bank --example bench -- all
//! ```
//!
//! `all` prints the machine, then runs every step in a fresh child process of this binary
//! (`bench gen DIR`, `bench import-xlsx FILE`, `bench import-moodle FILE`, `bench seal`,
//! `bench papers`), so that each step's peak memory (`VmHWM` of `/proc/self/status`, read at the
//! end of the step) is its own and not that of the steps before it. Each step prints one line
//! per measurement. Steps can also be run alone.
//!
//! The bank is synthetic but deterministic: 20,000 Vietnamese items over 8 topics × 3
//! difficulties (about 85 % single choice A–D, 10 % true/false, 5 % fill-in), drawn by a
//! SplitMix64 generator from a fixed seed, so every run benchmarks byte-identical files.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use question_bank::assembly::{pool_size, Assembler, PoolItem};
use question_bank::format::{self, Format, ImportLimits};
use question_bank::seal::{seal_root, SealEntry};

mod bank;
mod topics;

use bank::{bank, blueprint};

/// Items in the synthetic bank.
const BANK_ITEMS: usize = 20_000;
/// Candidates (tickets) papers are generated for.
const CANDIDATES: usize = 10_000;
/// Seed of the bank generator ("thituyen" in ASCII).
const BANK_SEED: u64 = 0x7468_6974_7579_656e;
/// Session secret the per-ticket seeds are derived from.
const SESSION_SECRET: &[u8] = b"benchmark session secret HP-2026-CA1, fixed for reproducibility";
/// The server's default upload limit (`THITUYEN_MAX_UPLOAD_BYTES`, server/src/config.rs).
const SERVER_MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;
/// The server's item limit per import (`MAX_IMPORT_ITEMS`, server/src/services/bank.rs).
const SERVER_MAX_IMPORT_ITEMS: usize = 50_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    match (arg(0), arg(1)) {
        (Some("all") | None, _) => all(),
        (Some("gen"), Some(dir)) => gen(Path::new(dir)),
        (Some("import-xlsx"), Some(file)) => import(Format::Xlsx, Path::new(file)),
        (Some("import-moodle"), Some(file)) => import(Format::MoodleXml, Path::new(file)),
        (Some("seal"), _) => seal(),
        (Some("papers"), _) => papers(),
        _ => {
            eprintln!(
                "usage: bench [all | gen DIR | import-xlsx FILE | import-moodle FILE | seal | papers]"
            );
            std::process::exit(2);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Driver

fn all() {
    println!("# thituyen question-bank benchmark");
    println!("{}", machine());
    println!(
        "bank: {BANK_ITEMS} synthetic items (seed {BANK_SEED:#x}); papers: {CANDIDATES} tickets"
    );
    println!(
        "each step runs in its own child process; peak = VmHWM at the end of the step, \
         before = VmRSS just before the timed part"
    );
    let dir = std::env::temp_dir().join(format!("thituyen-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the benchmark's temporary directory");
    let xlsx = dir.join("bank.xlsx");
    let moodle = dir.join("bank.xml");
    let steps: Vec<Vec<String>> = vec![
        vec!["gen".into(), path_arg(&dir)],
        vec!["import-xlsx".into(), path_arg(&xlsx)],
        vec!["import-moodle".into(), path_arg(&moodle)],
        vec!["seal".into()],
        vec!["papers".into()],
    ];
    let exe = std::env::current_exe().expect("path of the running benchmark binary");
    let mut failed = false;
    for step in &steps {
        let status = Command::new(&exe)
            .args(step)
            .status()
            .expect("start a benchmark step");
        if !status.success() {
            eprintln!("step `{}` failed: {status}", step.join(" "));
            failed = true;
            break;
        }
    }
    std::fs::remove_dir_all(&dir).expect("remove the benchmark's temporary directory");
    if failed {
        std::process::exit(1);
    }
}

fn path_arg(p: &Path) -> String {
    p.to_str()
        .expect("the temporary directory path is UTF-8")
        .to_string()
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown", |(_, v)| v.trim());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_mib = status_kib(&meminfo, "MemTotal:").map_or(0.0, |k| k as f64 / 1024.0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!(
        "machine: nproc={cpus}, cpu=\"{model}\", memory={mem_mib:.0} MiB, linux {}",
        kernel.trim()
    )
}

// ---------------------------------------------------------------------------------------------
// Memory and time

/// A `kB` field of a `/proc` status file, in KiB.
fn status_kib(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

fn proc_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status_kib(&status, field).expect("field present in /proc/self/status") as f64 / 1024.0
}

/// Resident set size now, in MiB.
fn rss_mib() -> f64 {
    proc_mib("VmRSS:")
}

/// Peak resident set size of this process so far, in MiB.
fn peak_mib() -> f64 {
    proc_mib("VmHWM:")
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn millis(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn mib(bytes: usize) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

// ---------------------------------------------------------------------------------------------
// Steps

/// Generate the bank and write it as xlsx and Moodle XML for the import steps.
fn gen(dir: &Path) {
    let t = Instant::now();
    let items = bank();
    let generated = t.elapsed();
    println!(
        "gen            items={} time={} (generate + validate)",
        items.len(),
        secs(generated)
    );
    for (format, name) in [(Format::Xlsx, "bank.xlsx"), (Format::MoodleXml, "bank.xml")] {
        let t = Instant::now();
        let bytes = format::export(format, &items).expect("export the synthetic bank");
        let took = t.elapsed();
        let path: PathBuf = dir.join(name);
        std::fs::write(&path, &bytes).expect("write the exported bank");
        println!(
            "export-{:<8} items={} file={} ({} bytes) time={}",
            format.code(),
            items.len(),
            mib(bytes.len()),
            bytes.len(),
            secs(took)
        );
    }
    println!("gen+export     peak={:.1} MiB", peak_mib());
}

/// Import one exported file: only `format::import` is timed.
fn import(format: Format, file: &Path) {
    let bytes = std::fs::read(file).expect("read the exported bank (run `bench gen DIR` first)");
    let limits = ImportLimits {
        // Above the server's 32 MiB default so the figure exists whatever the file size; the
        // output says whether the file fits the server's default.
        max_bytes: 1024 * 1024 * 1024,
        max_items: SERVER_MAX_IMPORT_ITEMS,
        ..ImportLimits::default()
    };
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("bank");
    let before = rss_mib();
    let t = Instant::now();
    let imported = format::import(format, name, &bytes, &limits);
    let took = t.elapsed();
    let peak = peak_mib();
    let imported = match imported {
        Ok(items) => items,
        Err(e) => {
            eprintln!("import of {name} failed: {e:?}");
            std::process::exit(1);
        }
    };
    let label = match format {
        Format::Xlsx => "import-xlsx",
        _ => "import-moodle",
    };
    println!(
        "{label:<14} items={} file={} time={} peak={peak:.1} MiB (before={before:.1} MiB) \
         per-item={:.1} µs fits-server-32MiB-limit={}",
        imported.len(),
        mib(bytes.len()),
        secs(took),
        took.as_secs_f64() * 1e6 / imported.len().max(1) as f64,
        bytes.len() <= SERVER_MAX_UPLOAD_BYTES
    );
    // Not timed: the round trip must give back the generated bank exactly.
    let equal = imported == bank();
    println!("{label:<14} round-trip-equal={equal}");
    if !equal {
        std::process::exit(1);
    }
}

/// The pure part of sealing: `item_sha256` of every item (via `SealEntry::new`) and the root.
fn seal() {
    let items = bank();
    let before = rss_mib();
    let t = Instant::now();
    let entries: Vec<SealEntry> = items
        .iter()
        .enumerate()
        .map(|(i, item)| SealEntry::new(id(i), 1, item))
        .collect();
    let hashed = t.elapsed();
    let root = seal_root(&entries);
    let took = t.elapsed();
    let peak = peak_mib();
    println!(
        "seal           items={} time={} (item_sha256 {} + seal_root {}) peak={peak:.1} MiB \
         (before={before:.1} MiB) root={root}",
        entries.len(),
        secs(took),
        secs(hashed),
        secs(took - hashed)
    );
}

/// Papers for `CANDIDATES` tickets from a 20,000-item seal, one after the other as the server
/// does (`POST /api/v1/sessions/{id}/papers`): the pool prepared once ([`Assembler::new`]),
/// then per ticket a draw and the canonical JSON + SHA-256.
fn papers() {
    let items = bank();
    let blueprint = blueprint();
    let pool: Vec<PoolItem> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| PoolItem::new(1, id(i), id(i), item))
        .collect();
    // Exam creation's VN-20 check (pool ≥ 3 × count per cell); not timed.
    blueprint
        .check_pool(|seal, topic, d| pool_size(&pool, seal, topic, d))
        .expect("the synthetic pool satisfies VN-20");
    let per_paper = usize::try_from(blueprint.item_count()).expect("item count fits usize");

    let mut assemble_times = Vec::with_capacity(CANDIDATES);
    let mut hash_times = Vec::with_capacity(CANDIDATES);
    let mut hashes = HashSet::with_capacity(CANDIDATES);
    let before = rss_mib();
    let t = Instant::now();
    let assembler = Assembler::new(&blueprint, &pool).expect("a valid blueprint and pool");
    let prepared = t.elapsed();
    for n in 1..=CANDIDATES {
        let ticket = format!("HP2026-{n:05}");
        let t0 = Instant::now();
        let paper = assembler
            .for_ticket(SESSION_SECRET, &ticket)
            .expect("assemble a paper");
        let t1 = Instant::now();
        let sha = paper.sha256();
        let t2 = Instant::now();
        assert_eq!(
            paper.item_count(),
            per_paper,
            "every paper holds the blueprint"
        );
        assemble_times.push(t1 - t0);
        hash_times.push(t2 - t1);
        hashes.insert(sha);
    }
    let total = t.elapsed();
    let peak = peak_mib();
    let (a_mean, a_p50, a_p99, a_max) = stats(&mut assemble_times);
    let (h_mean, _, h_p99, _) = stats(&mut hash_times);
    println!(
        "papers         candidates={CANDIDATES} pool={} items/paper={per_paper} total={} \
         per-paper={} peak={peak:.1} MiB (before={before:.1} MiB) distinct-hashes={}",
        pool.len(),
        secs(total),
        millis(total / CANDIDATES as u32),
        hashes.len()
    );
    println!("papers         Assembler::new (once) {}", millis(prepared));
    println!(
        "papers         draw per ticket mean={} p50={} p99={} max={}",
        millis(a_mean),
        millis(a_p50),
        millis(a_p99),
        millis(a_max)
    );
    println!(
        "papers         canonical JSON + SHA-256 mean={} p99={}",
        millis(h_mean),
        millis(h_p99)
    );
}

/// Mean, p50, p99 and max (nearest-rank percentiles).
fn stats(times: &mut [Duration]) -> (Duration, Duration, Duration, Duration) {
    times.sort_unstable();
    let n = times.len();
    let sum: Duration = times.iter().sum();
    let rank = |p: f64| times[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
    (sum / n as u32, rank(0.50), rank(0.99), times[n - 1])
}

fn id(i: usize) -> i32 {
    i32::try_from(i + 1).expect("item ids fit i32")
}
