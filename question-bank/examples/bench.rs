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
use question_bank::blueprint::Blueprint;
use question_bank::format::{self, Format, ImportLimits};
use question_bank::seal::{seal_root, SealEntry};
use question_bank::{Difficulty, Item, ItemKind, ItemOption};
use rust_decimal::Decimal;

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

// ---------------------------------------------------------------------------------------------
// The synthetic bank

/// SplitMix64: tiny, seeded, and the same on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform-enough index in `0..n` for synthetic data (`n` is small).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }

    /// `k` distinct indices of `0..n`.
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        for i in 0..k {
            let j = i + self.below(n - i);
            all.swap(i, j);
        }
        all.truncate(k);
        all
    }
}

struct Topic {
    path: &'static str,
    /// Legal basis quoted in stems.
    source: &'static str,
    subjects: &'static [&'static str],
    answers: &'static [&'static str],
    statements: &'static [&'static str],
    blanks: &'static [(&'static str, &'static str)],
}

const AUTHORITIES: &[&str] = &[
    "Quốc hội",
    "Chính phủ",
    "Thủ tướng Chính phủ",
    "Bộ trưởng Bộ Nội vụ",
    "Ủy ban nhân dân cấp tỉnh",
    "Chủ tịch Ủy ban nhân dân cấp tỉnh",
    "Hội đồng nhân dân cấp tỉnh",
    "Người đứng đầu cơ quan sử dụng công chức",
    "Người đứng đầu đơn vị sự nghiệp công lập",
    "Ủy ban Thường vụ Quốc hội",
    "Chủ tịch nước",
    "Bộ trưởng Bộ Tài chính",
];

const TOPICS: &[Topic] = &[
    Topic {
        path: "Kiến thức chung/Luật Cán bộ, công chức",
        source: "Luật Cán bộ, công chức năm 2008 (sửa đổi, bổ sung năm 2019)",
        subjects: &[
            "việc tuyển dụng công chức",
            "thời gian tập sự của công chức loại C",
            "hình thức kỷ luật cảnh cáo đối với công chức",
            "việc nâng ngạch công chức",
            "đánh giá, xếp loại chất lượng công chức",
            "nghĩa vụ của cán bộ, công chức đối với Nhân dân",
            "những việc cán bộ, công chức không được làm",
            "chế độ thôi việc của công chức",
            "điều động, luân chuyển cán bộ",
            "quyền của công chức về tiền lương",
            "thời hiệu xử lý kỷ luật",
            "biệt phái công chức",
            "bổ nhiệm công chức lãnh đạo, quản lý",
            "tiếp nhận người có kinh nghiệm vào làm công chức",
        ],
        answers: &[
            "Người đứng đầu cơ quan sử dụng công chức",
            "Cơ quan quản lý công chức",
            "Hội đồng tuyển dụng",
            "Bộ trưởng Bộ Nội vụ",
            "06 tháng",
            "12 tháng",
            "24 tháng",
            "05 năm",
            "Khiển trách",
            "Hạ bậc lương",
            "Giáng chức",
            "Buộc thôi việc",
            "Thi tuyển hoặc xét tuyển",
            "Hoàn thành xuất sắc nhiệm vụ",
        ],
        statements: &[
            "công chức được tuyển dụng thông qua thi tuyển hoặc xét tuyển",
            "cán bộ là công dân Việt Nam được bầu cử, phê chuẩn, bổ nhiệm giữ chức vụ theo nhiệm kỳ",
            "công chức bị kỷ luật cảnh cáo thì không được nâng lương trong thời hạn 12 tháng",
            "công chức được hưởng chế độ nghỉ hằng năm theo quy định của pháp luật về lao động",
            "cán bộ, công chức được thành lập doanh nghiệp tư nhân",
            "thời hiệu xử lý kỷ luật đối với vi phạm ít nghiêm trọng là 02 năm",
        ],
        blanks: &[
            ("Người được tuyển dụng vào công chức phải thực hiện chế độ ___.", "tập sự"),
            ("Công chức được phân loại theo ___ được bổ nhiệm.", "ngạch"),
            ("Cán bộ, công chức phải trung thành với ___.", "Đảng Cộng sản Việt Nam"),
        ],
    },
    Topic {
        path: "Kiến thức chung/Luật Viên chức",
        source: "Luật Viên chức năm 2010 (sửa đổi, bổ sung năm 2019)",
        subjects: &[
            "hợp đồng làm việc xác định thời hạn",
            "chức danh nghề nghiệp của viên chức",
            "thời gian tập sự của viên chức",
            "thay đổi chức danh nghề nghiệp",
            "đơn phương chấm dứt hợp đồng làm việc",
            "đánh giá viên chức hằng năm",
            "biệt phái viên chức",
            "quyền của viên chức về hoạt động kinh doanh",
            "nghĩa vụ của viên chức quản lý",
            "xét tuyển viên chức",
            "hình thức kỷ luật đối với viên chức",
            "đơn vị sự nghiệp công lập được giao quyền tự chủ",
        ],
        answers: &[
            "Từ đủ 12 tháng đến 60 tháng",
            "Không quá 36 tháng",
            "Từ 03 tháng đến 12 tháng",
            "Người đứng đầu đơn vị sự nghiệp công lập",
            "Cơ quan có thẩm quyền quản lý đơn vị sự nghiệp",
            "Hội đồng quản lý",
            "Khiển trách",
            "Cảnh cáo",
            "Cách chức",
            "Buộc thôi việc",
            "Thi tuyển hoặc xét tuyển",
            "Hoàn thành tốt nhiệm vụ",
            "45 ngày",
        ],
        statements: &[
            "viên chức được tuyển dụng theo hình thức thi tuyển hoặc xét tuyển",
            "viên chức được ký hợp đồng vụ, việc với cơ quan, tổ chức khác khi pháp luật không cấm",
            "hợp đồng làm việc không xác định thời hạn áp dụng cho mọi người mới được tuyển dụng",
            "viên chức quản lý bị kỷ luật cách chức thì bị chấm dứt hợp đồng làm việc",
            "đơn vị sự nghiệp công lập có tư cách pháp nhân",
        ],
        blanks: &[
            ("Viên chức làm việc theo chế độ ___ tại đơn vị sự nghiệp công lập.", "hợp đồng làm việc"),
            ("Tên gọi thể hiện trình độ, năng lực chuyên môn của viên chức là ___.", "chức danh nghề nghiệp"),
        ],
    },
    Topic {
        path: "Kiến thức chung/Hiến pháp năm 2013",
        source: "Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam năm 2013",
        subjects: &[
            "quyền lập hiến, quyền lập pháp",
            "nhiệm kỳ của Quốc hội",
            "quyền con người, quyền công dân",
            "việc ban hành pháp lệnh",
            "chức năng của Chính phủ",
            "vị trí của Mặt trận Tổ quốc Việt Nam",
            "tổ chức đơn vị hành chính",
            "chế độ chính trị",
            "Kiểm toán nhà nước",
            "Hội đồng bầu cử quốc gia",
            "nguyên tắc tổ chức bộ máy nhà nước",
            "việc sửa đổi Hiến pháp",
        ],
        answers: &[
            "Quốc hội",
            "Chính phủ",
            "Chủ tịch nước",
            "Ủy ban Thường vụ Quốc hội",
            "Tòa án nhân dân",
            "Viện kiểm sát nhân dân",
            "05 năm",
            "04 năm",
            "Ít nhất hai phần ba tổng số đại biểu Quốc hội",
            "Quá nửa tổng số đại biểu Quốc hội",
            "Nhân dân",
            "Kiểm toán nhà nước",
        ],
        statements: &[
            "Quốc hội là cơ quan duy nhất có quyền lập hiến, quyền lập pháp",
            "Chính phủ là cơ quan hành chính nhà nước cao nhất",
            "nhiệm kỳ của mỗi khóa Quốc hội là 04 năm",
            "Tòa án nhân dân là cơ quan xét xử, thực hiện quyền tư pháp",
            "quyền con người chỉ có thể bị hạn chế theo quy định của luật",
        ],
        blanks: &[
            ("Nước Cộng hòa xã hội chủ nghĩa Việt Nam là nhà nước pháp quyền xã hội chủ nghĩa của ___, do ___, vì ___.", "Nhân dân"),
            ("Thủ đô của nước Cộng hòa xã hội chủ nghĩa Việt Nam là ___.", "Hà Nội"),
        ],
    },
    Topic {
        path: "Kiến thức chung/Tổ chức chính quyền địa phương",
        source: "Luật Tổ chức chính quyền địa phương năm 2015 (sửa đổi, bổ sung năm 2019)",
        subjects: &[
            "cơ cấu tổ chức của Hội đồng nhân dân tỉnh",
            "số lượng Phó Chủ tịch Ủy ban nhân dân xã",
            "kỳ họp thường lệ của Hội đồng nhân dân",
            "nhiệm vụ của Thường trực Hội đồng nhân dân",
            "phân quyền, phân cấp cho chính quyền địa phương",
            "chất vấn tại kỳ họp Hội đồng nhân dân",
            "lấy phiếu tín nhiệm",
            "các ban của Hội đồng nhân dân huyện",
            "đơn vị hành chính - kinh tế đặc biệt",
            "ủy quyền cho Ủy ban nhân dân cấp dưới",
        ],
        answers: &[
            "Ít nhất hai kỳ họp mỗi năm",
            "Ít nhất một kỳ họp mỗi năm",
            "Hội đồng nhân dân cùng cấp",
            "Thường trực Hội đồng nhân dân",
            "Chủ tịch Ủy ban nhân dân",
            "Ban Pháp chế",
            "Ban Kinh tế - ngân sách",
            "Ban Văn hóa - xã hội",
            "Không quá 02 người",
            "Không quá 03 người",
            "Ủy ban nhân dân cấp tỉnh",
            "Chính phủ",
        ],
        statements: &[
            "chính quyền địa phương ở tỉnh gồm Hội đồng nhân dân và Ủy ban nhân dân tỉnh",
            "Hội đồng nhân dân xã thành lập Ban Pháp chế và Ban Kinh tế - xã hội",
            "Ủy ban nhân dân là cơ quan chấp hành của Hội đồng nhân dân",
            "Hội đồng nhân dân họp thường lệ mỗi năm ít nhất một kỳ",
        ],
        blanks: &[
            ("Ủy ban nhân dân do ___ cùng cấp bầu.", "Hội đồng nhân dân"),
            ("Cơ quan quyền lực nhà nước ở địa phương là ___.", "Hội đồng nhân dân"),
        ],
    },
    Topic {
        path: "Kiến thức chung/Phòng, chống tham nhũng",
        source: "Luật Phòng, chống tham nhũng năm 2018",
        subjects: &[
            "kê khai tài sản, thu nhập",
            "xung đột lợi ích",
            "tặng quà và nhận quà tặng",
            "chuyển đổi vị trí công tác",
            "công khai, minh bạch trong hoạt động của cơ quan",
            "trách nhiệm của người đứng đầu khi để xảy ra tham nhũng",
            "kiểm soát tài sản, thu nhập",
            "tố cáo hành vi tham nhũng",
            "thời hạn kê khai hằng năm",
            "hành vi tham nhũng trong khu vực ngoài nhà nước",
        ],
        answers: &[
            "Trước ngày 31 tháng 12",
            "Trước ngày 31 tháng 3",
            "Từ đủ 02 năm đến 05 năm",
            "Từ đủ 01 năm đến 03 năm",
            "Thanh tra Chính phủ",
            "Cơ quan kiểm soát tài sản, thu nhập",
            "Người đứng đầu cơ quan, tổ chức",
            "Ủy ban Kiểm tra Trung ương",
            "Nhận hối lộ",
            "Tham ô tài sản",
            "Lạm quyền trong khi thi hành nhiệm vụ",
            "Công khai bản kê khai",
        ],
        statements: &[
            "tham ô tài sản là một hành vi tham nhũng",
            "người có nghĩa vụ kê khai phải kê khai lần đầu, hằng năm và bổ sung",
            "cán bộ được nhận quà tặng dưới mọi hình thức từ đối tượng mình giải quyết công việc",
            "chuyển đổi vị trí công tác là một biện pháp phòng ngừa tham nhũng",
        ],
        blanks: &[
            ("Hành vi lợi dụng chức vụ, quyền hạn vì vụ lợi gọi là ___.", "tham nhũng"),
            ("Bản kê khai tài sản, thu nhập phải được ___ tại cơ quan, tổ chức nơi người đó làm việc.", "công khai"),
        ],
    },
    Topic {
        path: "Tin học/Tin học văn phòng",
        source: "Chuẩn kỹ năng sử dụng công nghệ thông tin cơ bản (Thông tư 03/2014/TT-BTTTT)",
        subjects: &[
            "định dạng đoạn văn trong Microsoft Word",
            "hàm SUMIF trong Microsoft Excel",
            "địa chỉ ô tuyệt đối trong Excel",
            "trình chiếu PowerPoint",
            "thư điện tử công vụ",
            "sao lưu dữ liệu",
            "phím tắt lưu tệp",
            "bảo mật mật khẩu",
            "hàm VLOOKUP",
            "ngắt trang trong văn bản",
        ],
        answers: &[
            "Ctrl + S",
            "Ctrl + Enter",
            "Ctrl + Z",
            "F5",
            "$A$1",
            "A$1",
            "=SUMIF(A1:A10;\">5\")",
            "=VLOOKUP(A2;B:C;2;0)",
            "Home → Paragraph",
            "Insert → Page Break",
            "Định dạng .pdf",
            "Định dạng .docx",
        ],
        statements: &[
            "tổ hợp phím Ctrl + C dùng để sao chép",
            "trong Excel, địa chỉ $A$1 là địa chỉ tương đối",
            "phím F5 trình chiếu PowerPoint từ trang đầu tiên",
            "mật khẩu mạnh nên có chữ hoa, chữ thường, chữ số và ký tự đặc biệt",
        ],
        blanks: &[
            ("Phần mở rộng mặc định của tệp Microsoft Excel 2016 là ___.", ".xlsx"),
            ("Tổ hợp phím hoàn tác thao tác vừa thực hiện là ___.", "Ctrl + Z"),
        ],
    },
    Topic {
        path: "Chuyên ngành/Quản lý tài chính công",
        source: "Luật Ngân sách nhà nước năm 2015",
        subjects: &[
            "năm ngân sách",
            "dự phòng ngân sách nhà nước",
            "quỹ dự trữ tài chính",
            "quyết toán ngân sách địa phương",
            "chi đầu tư phát triển",
            "bội chi ngân sách trung ương",
            "thẩm quyền quyết định dự toán ngân sách",
            "công khai ngân sách",
            "kiểm soát chi qua Kho bạc Nhà nước",
        ],
        answers: &[
            "Từ ngày 01 tháng 01 đến ngày 31 tháng 12",
            "Từ 2 % đến 4 % tổng chi",
            "Từ 1 % đến 3 % tổng chi",
            "Quốc hội",
            "Hội đồng nhân dân cấp tỉnh",
            "Kho bạc Nhà nước",
            "Bộ Tài chính",
            "Kiểm toán nhà nước",
            "Chính phủ",
            "Ủy ban nhân dân cấp xã",
        ],
        statements: &[
            "năm ngân sách bắt đầu từ ngày 01 tháng 01 và kết thúc vào ngày 31 tháng 12 năm dương lịch",
            "ngân sách địa phương được phép bội chi cho chi thường xuyên",
            "Kho bạc Nhà nước kiểm soát các khoản chi ngân sách",
        ],
        blanks: &[
            ("Quốc hội quyết định dự toán ngân sách ___.", "nhà nước"),
            ("Khoản dự phòng ngân sách dùng để chi ___.", "các nhiệm vụ cấp bách phát sinh"),
        ],
    },
    Topic {
        path: "Chuyên ngành/Thủ tục hành chính",
        source: "Nghị định 61/2018/NĐ-CP về cơ chế một cửa, một cửa liên thông",
        subjects: &[
            "bộ phận tiếp nhận và trả kết quả",
            "thời hạn giải quyết thủ tục hành chính",
            "dịch vụ công trực tuyến toàn trình",
            "đánh giá việc giải quyết thủ tục hành chính",
            "tiếp nhận hồ sơ qua dịch vụ bưu chính công ích",
            "xin lỗi người dân khi trễ hẹn",
            "cơ chế một cửa liên thông",
            "số hóa hồ sơ, kết quả giải quyết",
        ],
        answers: &[
            "Bộ phận Một cửa",
            "Văn phòng Ủy ban nhân dân cấp tỉnh",
            "Cổng Dịch vụ công quốc gia",
            "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            "Không quá 01 ngày làm việc",
            "Không quá 03 ngày làm việc",
            "Văn phòng Chính phủ",
            "Người đứng đầu cơ quan có thẩm quyền",
            "Dịch vụ bưu chính công ích",
            "Chủ tịch Ủy ban nhân dân cấp xã",
        ],
        statements: &[
            "hồ sơ quá hạn giải quyết phải có văn bản xin lỗi tổ chức, cá nhân",
            "công chức Bộ phận Một cửa được yêu cầu bổ sung hồ sơ nhiều lần",
            "kết quả giải quyết thủ tục hành chính có thể trả qua dịch vụ bưu chính công ích",
        ],
        blanks: &[
            ("Cơ chế một cửa được thực hiện tại ___ tiếp nhận và trả kết quả.", "Bộ phận"),
            ("Cổng thông tin tập trung dịch vụ công trực tuyến toàn quốc là Cổng Dịch vụ công ___.", "quốc gia"),
        ],
    },
];

/// Topics the benchmark blueprint draws from (the five "Kiến thức chung" topics).
const BLUEPRINT_TOPICS: usize = 5;

fn single_stem(rng: &mut SplitMix64, topic: &Topic, level: u8) -> String {
    let subject = rng.pick(topic.subjects);
    let dieu = 1 + rng.below(120);
    let khoan = 1 + rng.below(5);
    let who = rng.pick(AUTHORITIES);
    match (level, rng.below(3)) {
        (1, 0) => format!(
            "Theo {}, cơ quan, người có thẩm quyền quyết định {subject} là ai?",
            topic.source
        ),
        (1, 1) => format!(
            "Khoản {khoan} Điều {dieu} {} quy định nội dung nào về {subject}?",
            topic.source
        ),
        (1, _) => format!(
            "Theo quy định tại Điều {dieu} {}, {subject} được thực hiện như thế nào?",
            topic.source
        ),
        (2, 0) => format!(
            "Căn cứ khoản {khoan} Điều {dieu} {}, khi xem xét {subject}, phương án nào sau \
             đây là đúng?",
            topic.source
        ),
        (2, 1) => format!(
            "Theo {}, trường hợp {who} đề nghị về {subject} thì thời hạn hoặc thẩm quyền giải \
             quyết được xác định thế nào (Điều {dieu})?",
            topic.source
        ),
        (2, _) => format!(
            "Nội dung nào sau đây về {subject} không đúng với quy định tại Điều {dieu} {}?",
            topic.source
        ),
        (_, 0) => format!(
            "Tình huống: ông Nguyễn Văn A đang công tác tại cơ quan thuộc {who}. Căn cứ \
             khoản {khoan} Điều {dieu} {}, việc giải quyết {subject} đối với ông A thuộc \
             thẩm quyền hoặc phải đáp ứng điều kiện nào?",
            topic.source
        ),
        (_, 1) => format!(
            "Tình huống: bà Trần Thị B đề nghị {who} xem xét {subject}. Theo {} (Điều \
             {dieu}, khoản {khoan}), phương án xử lý nào sau đây là đúng?",
            topic.source
        ),
        (_, _) => format!(
            "Theo {}, nhận định nào sau đây về {subject} là chính xác nhất khi đối chiếu với \
             khoản {khoan} Điều {dieu}?",
            topic.source
        ),
    }
}

fn make_item(rng: &mut SplitMix64, topic: &Topic, level: u8) -> Item {
    let roll = rng.below(100);
    let kind = match roll {
        0..=84 => ItemKind::Single,
        85..=94 => ItemKind::TrueFalse,
        _ => ItemKind::FillBlank,
    };
    let source = topic.source;
    let dieu = 1 + rng.below(120);
    let (stem, options, answer) = match kind {
        ItemKind::Single => {
            let stem = single_stem(rng, topic, level);
            let with_all = rng.below(20) == 0;
            let drawn = rng.distinct(topic.answers.len(), if with_all { 3 } else { 4 });
            let key = rng.below(4);
            let mut options: Vec<ItemOption> = drawn
                .iter()
                .enumerate()
                .map(|(i, &a)| ItemOption {
                    text: topic.answers[a].to_string(),
                    correct: i == key,
                    fixed: false,
                })
                .collect();
            if with_all {
                options.push(ItemOption {
                    text: "Tất cả các phương án trên".into(),
                    correct: key == 3,
                    fixed: true,
                });
            }
            (stem, options, Vec::new())
        }
        ItemKind::TrueFalse => {
            let statement = rng.pick(topic.statements);
            let stem =
                format!("Theo {source} (Điều {dieu}), {statement}. Nhận định trên đúng hay sai?");
            let true_is_correct = rng.below(2) == 0;
            let options = ["Đúng", "Sai"]
                .iter()
                .enumerate()
                .map(|(i, t)| ItemOption {
                    text: (*t).to_string(),
                    correct: (i == 0) == true_is_correct,
                    fixed: false,
                })
                .collect();
            (stem, options, Vec::new())
        }
        _ => {
            let (text, accepted) = topic.blanks[rng.below(topic.blanks.len())];
            let stem = format!("Điền vào chỗ trống (Điều {dieu} {source}): {text}");
            (stem, Vec::new(), vec![accepted.to_string()])
        }
    };
    let explanation = (rng.below(10) < 3)
        .then(|| format!("Căn cứ khoản {} Điều {dieu} {source}.", 1 + rng.below(5)));
    let tags = match rng.below(10) {
        0 => vec!["đề 2025".to_string()],
        1 => vec!["ôn tập".to_string(), "cấp xã".to_string()],
        _ => Vec::new(),
    };
    let points = if rng.below(10) == 0 {
        Decimal::new(50, 2)
    } else {
        Decimal::new(100, 2)
    };
    Item {
        topic: topic.path.to_string(),
        difficulty: Difficulty::new(level).expect("levels are 1 to 3"),
        kind,
        stem,
        options,
        answer,
        points,
        explanation,
        tags,
    }
    .validate()
    .expect("synthetic items are valid")
}

/// The deterministic 20,000-item bank, grouped by topic as a board's file usually is; the same
/// question (folded stem and options) never appears twice, since import refuses duplicates.
fn bank() -> Vec<Item> {
    let mut rng = SplitMix64(BANK_SEED);
    let mut seen = HashSet::with_capacity(BANK_ITEMS);
    let mut items = Vec::with_capacity(BANK_ITEMS);
    for (t, topic) in TOPICS.iter().enumerate() {
        let share = BANK_ITEMS / TOPICS.len() + usize::from(t < BANK_ITEMS % TOPICS.len());
        let mut made = 0;
        while made < share {
            let level = 1 + (made % 3) as u8;
            let item = make_item(&mut rng, topic, level);
            if seen.insert(item.duplicate_key()) {
                items.push(item);
                made += 1;
            }
        }
    }
    items
}

/// 60 questions: 5 topics × 3 difficulties × 4 items, one section, seal 1.
fn blueprint() -> Blueprint {
    let cells: Vec<serde_json::Value> = TOPICS[..BLUEPRINT_TOPICS]
        .iter()
        .flat_map(|t| {
            (1..=3).map(move |d| {
                serde_json::json!({"seal_id": 1, "topic": t.path, "difficulty": d, "count": 4})
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({"sections": [{
        "code": "KTC",
        "name": "Kiến thức chung",
        "duration_minutes": 60,
        "pass_ratio": "0.50",
        "cells": cells,
    }]}))
    .expect("the benchmark blueprint deserialises")
}
