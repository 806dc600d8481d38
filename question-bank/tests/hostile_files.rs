//! Hostile files against every importer (issue 16 item 7): each is refused with a problem naming
//! the limit it breaks, and no import, hostile or random, panics or allocates more than
//! [`MEMORY_BOUND`] over its input. A test binary of its own, so that its global allocator
//! (`peak_alloc`, a counting wrapper around `System`) counts the bytes held at once; the
//! tests take turns ([`serial`]) so that each reads only its own allocations.
#![allow(clippy::unwrap_used)] // a failed unwrap in a test is a failed test

use std::io::{Cursor, Read, Write};
use std::sync::{Mutex, MutexGuard};

use peak_alloc::PeakAlloc;
use proptest::prelude::*;
use question_bank::format::{self, read_table, Format, ImportLimits, TableFormat};
use question_bank::{BankError, Difficulty, Item, ItemKind, ItemOption};
use rust_decimal::Decimal;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

/// What an import may allocate beyond the file it reads, with the default limits.
const MEMORY_BOUND: usize = 64 * 1024 * 1024;

/// One test at a time: the allocator's counts are for the whole process.
fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Run `f` and return its result with the most it had allocated at once.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let out = f();
    let peak = ALLOCATOR.peak_usage().saturating_sub(base);
    (out, peak)
}

/// Every importer over `bytes`: the five bank formats and the table reader of the server's
/// applications import (CSV and Excel). None may panic (a panic fails the test) or allocate
/// more than the bound.
fn every_importer(bytes: &[u8]) {
    let limits = ImportLimits::default();
    for f in Format::ALL {
        let (_, peak) = peak_of(|| format::import(f, "file", bytes, &limits));
        assert!(
            peak <= MEMORY_BOUND + bytes.len(),
            "{f} allocated {peak} bytes for {} bytes of input",
            bytes.len()
        );
    }
    for t in [TableFormat::Csv, TableFormat::Xlsx] {
        let (_, peak) = peak_of(|| {
            let mut rows = 0usize;
            let r = read_table(t, "file", bytes, &limits, &|| false, &mut |_, _| rows += 1);
            (r, rows)
        });
        assert!(
            peak <= MEMORY_BOUND + bytes.len(),
            "{t:?} allocated {peak} bytes"
        );
    }
}

/// The only problem of a refused import.
fn refusal(result: Result<Vec<Item>, BankError>) -> (String, String) {
    let err = result.unwrap_err();
    assert_eq!(err.errors().len(), 1, "one problem: {:?}", err.errors());
    let e = &err.errors()[0];
    (e.location.clone(), e.message.clone())
}

/// Import with the default limits, checking the memory bound; the result.
fn import(format: Format, name: &str, bytes: &[u8]) -> Result<Vec<Item>, BankError> {
    let (result, peak) = peak_of(|| format::import(format, name, bytes, &ImportLimits::default()));
    assert!(
        peak <= MEMORY_BOUND + bytes.len(),
        "{format} allocated {peak} bytes for {} bytes of input",
        bytes.len()
    );
    result
}

fn zip(entries: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let method = if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(entries.iter().any(|(_, d)| d.len() > u32::MAX as usize / 2));
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

/// A workbook whose first sheet is `sheet` (the worksheet XML) and whose shared strings are
/// `strings` (the sst XML), in the parts Excel writes.
fn workbook(sheet: &[u8], strings: Option<&[u8]>) -> Vec<u8> {
    workbook_zipped(sheet, strings, true)
}

/// [`workbook`], its parts stored rather than deflated when `deflate` is false (so that a
/// repetitive part is not refused for its compression ratio first).
fn workbook_zipped(sheet: &[u8], strings: Option<&[u8]>, deflate: bool) -> Vec<u8> {
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let pkg = "http://schemas.openxmlformats.org/package/2006/relationships";
    let root_rels = format!(
        r#"<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
    );
    let book = format!(
        r#"<workbook xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#
    );
    let book_rels = format!(
        r#"<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
    );
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("_rels/.rels", root_rels.as_bytes()),
        ("xl/workbook.xml", book.as_bytes()),
        ("xl/_rels/workbook.xml.rels", book_rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    if let Some(strings) = strings {
        entries.push(("xl/sharedStrings.xml", strings));
    }
    zip(&entries, deflate)
}

fn sheet_of(rows: &str) -> Vec<u8> {
    format!("<worksheet><sheetData>{rows}</sheetData></worksheet>").into_bytes()
}

fn items() -> Vec<Item> {
    let option = |text: &str, correct: bool| ItemOption {
        text: text.into(),
        correct,
        fixed: false,
    };
    vec![
        Item {
            topic: "Kiến thức chung/Hiến pháp".into(),
            difficulty: Difficulty::new(1).unwrap(),
            kind: ItemKind::Single,
            stem: "Hiến pháp hiện hành được Quốc hội thông qua năm nào?".into(),
            options: vec![option("1992", false), option("2013", true)],
            answer: vec![],
            points: Decimal::new(100, 2),
            explanation: Some("Ngày 28/11/2013.".into()),
            tags: vec!["Điều 69".into()],
        },
        Item {
            topic: "Tư duy".into(),
            difficulty: Difficulty::new(3).unwrap(),
            kind: ItemKind::FillBlank,
            stem: "Thủ đô là ___.".into(),
            options: vec![],
            answer: vec!["Hà Nội".into()],
            points: Decimal::new(50, 2),
            explanation: None,
            tags: vec![],
        },
    ]
}

/// Valid files of every format the importers read, small enough to mutate quickly.
fn samples() -> Vec<Vec<u8>> {
    let items = items();
    let mut out: Vec<Vec<u8>> = Format::ALL
        .iter()
        .map(|f| format::export(*f, &items).unwrap())
        .collect();
    out.push(include_bytes!("fixtures/qti-choice-item.xml").to_vec());
    out.push(include_bytes!("fixtures/moodle-sample.xml").to_vec());
    out.push(include_bytes!("fixtures/gift-sample.txt").to_vec());
    let applications = "full_name,date_of_birth,gender,national_id,position_code,\
                        agency_preferences,priority_groups,exemptions\n\
                        Nguyễn Văn An,1995-04-12,nam,031095001234,CV-TCKT,STC|SXD,,\n";
    out.push(applications.as_bytes().to_vec());
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in applications.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            sheet.write_string(r as u32, c as u16, cell).unwrap();
        }
    }
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    sheet
        .write_number_with_format(1, 1, 34_714.0, &date)
        .unwrap();
    out.push(book.save_to_buffer().unwrap());
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Repeat(usize, usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
        (
            any::<usize>(),
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 1..16),
                proptest::sample::select(vec![
                    b"<".to_vec(),
                    b">".to_vec(),
                    b"</".to_vec(),
                    b"\"".to_vec(),
                    b",".to_vec(),
                    b"\n".to_vec(),
                    b"{".to_vec(),
                    b"}".to_vec(),
                    b"&amp;".to_vec(),
                    b"<a>".to_vec(),
                    b"<c r=\"XFD1048576\"><v>1</v></c>".to_vec(),
                    b"<row r=\"1048576\">".to_vec(),
                    b"<dimension ref=\"A1:XFD1048576\"/>".to_vec(),
                    b"<!DOCTYPE a [<!ENTITY b \"c\">]>".to_vec(),
                    b"t=\"s\"".to_vec(),
                    b"s=\"99999\"".to_vec(),
                ]),
            ]
        )
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), 1usize..64).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (any::<usize>(), 1usize..64, 1usize..64).prop_map(|(at, n, k)| Mutation::Repeat(at, n, k)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len().max(1);
    match m {
        Mutation::Flip(at, b) => {
            if !bytes.is_empty() {
                bytes[at % len] ^= b | 1;
            }
        }
        Mutation::Insert(at, new) => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, new.iter().copied());
        }
        Mutation::Delete(at, n) => {
            let at = at % len;
            let end = (at + n).min(bytes.len());
            if at < end {
                bytes.drain(at..end);
            }
        }
        Mutation::Repeat(at, n, k) => {
            let at = at % len;
            let end = (at + n).min(bytes.len());
            if at < end {
                let piece = bytes[at..end].to_vec();
                for _ in 0..*k {
                    bytes.splice(end..end, piece.iter().copied());
                }
            }
        }
        Mutation::Truncate(at) => bytes.truncate(at % len),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic_nor_exceed_the_memory_bound(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
        prefix in proptest::sample::select(vec![&b""[..], b"PK\x03\x04", b"<quiz>", b"topic,"]),
    ) {
        let _turn = serial();
        let mut input = prefix.to_vec();
        input.extend(bytes);
        every_importer(&input);
    }

    #[test]
    fn mutated_valid_files_never_panic_nor_exceed_the_memory_bound(
        which in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let _turn = serial();
        let samples = samples();
        let mut bytes = samples[which % samples.len()].clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        every_importer(&bytes);
    }

    /// Mutating a zip's bytes mostly breaks its checksums; mutating a part inside it and
    /// zipping it again reaches the workbook and package readers.
    #[test]
    fn mutated_parts_of_zipped_files_never_panic_nor_exceed_the_memory_bound(
        which in any::<usize>(),
        entry in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..6),
        deflate in any::<bool>(),
    ) {
        let _turn = serial();
        let zipped: Vec<Vec<u8>> = samples()
            .into_iter()
            .filter(|s| s.starts_with(b"PK"))
            .collect();
        let mut entries = unzip(&zipped[which % zipped.len()]);
        let target = entry % entries.len();
        for m in &mutations {
            apply(&mut entries[target].1, m);
        }
        let refs: Vec<(&str, &[u8])> =
            entries.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
        every_importer(&zip(&refs, deflate));
    }
}

// ---------------------------------------------------------------------------------------------
// Workbooks

/// The tester's file: one cell in A1 and one in XFD1048576. It used to abort the server.
#[test]
fn a_workbook_spanning_the_whole_sheet_is_refused_by_its_declared_dimension() {
    let _turn = serial();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "topic").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    assert!(bytes.len() < 16 * 1024, "a small file");
    let (location, message) = refusal(import(Format::Xlsx, "bank.xlsx", &bytes));
    assert_eq!(location, "bank.xlsx: xl/worksheets/sheet1.xml, dimension");
    assert!(message.contains("A1:XFD1048576"), "{message}");
    assert!(message.contains("over the limit of 100000 rows and 64 columns"));
}

#[test]
fn a_cell_far_right_is_refused_by_its_position_whatever_the_dimension_says() {
    let _turn = serial();
    let sheet = sheet_of(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>topic</t></is></c><c r="XFD1"><v>1</v></c></row>"#,
    );
    let with_small_dimension = String::from_utf8(sheet.clone())
        .unwrap()
        .replace("<worksheet>", r#"<worksheet><dimension ref="A1:B2"/>"#);
    for sheet in [sheet, with_small_dimension.into_bytes()] {
        let (location, message) =
            refusal(import(Format::Xlsx, "bank.xlsx", &workbook(&sheet, None)));
        assert_eq!(location, "bank.xlsx, row 1, column 16384");
        assert!(message.starts_with("cell XFD1 is in column 16384, over the limit of 64"));
    }
}

#[test]
fn a_cell_far_down_is_refused_by_its_row() {
    let _turn = serial();
    let sheet = sheet_of(r#"<row r="1048576"><c r="A1048576"><v>1</v></c></row>"#);
    let (location, message) = refusal(import(Format::Xlsx, "bank.xlsx", &workbook(&sheet, None)));
    assert_eq!(location, "bank.xlsx, row 1048576");
    assert!(
        message.contains("over the limit of 100000 rows"),
        "{message}"
    );
}

/// Within the limits but as sparse as they allow: 100,000 rows of one cell in column 64.
/// Rows are read one at a time, so the memory stays that of one row.
#[test]
fn a_sparse_sheet_within_the_limits_is_read_in_bounded_memory() {
    let _turn = serial();
    let mut rows = String::new();
    for r in 1..=100_000 {
        rows.push_str(&format!(
            r#"<row r="{r}"><c r="BL{r}"><v>{r}</v></c></row>"#
        ));
    }
    let bytes = workbook(&sheet_of(&rows), None);
    let (result, peak) = peak_of(|| {
        let mut seen = 0usize;
        let r = read_table(
            TableFormat::Xlsx,
            "a.xlsx",
            &bytes,
            &ImportLimits::default(),
            &|| false,
            &mut |_, cells| {
                assert_eq!(cells.len(), 64);
                seen += 1;
            },
        );
        (r, seen)
    });
    assert_eq!(result, (Ok(()), 100_000));
    assert!(peak < 4 * 1024 * 1024, "{peak} bytes");
}

#[test]
fn a_ten_megabyte_cell_is_refused_inline_or_shared() {
    let _turn = serial();
    let big = "x".repeat(10 * 1024 * 1024);
    let inline = sheet_of(&format!(
        r#"<row r="2"><c r="C2" t="inlineStr"><is><t>{big}</t></is></c></row>"#
    ));
    let stored = workbook_zipped(&inline, None, false);
    let (location, message) = refusal(import(Format::Xlsx, "bank.xlsx", &stored));
    assert_eq!(location, "bank.xlsx, row 2, column 3");
    assert!(message.contains("over the limit of XML text"), "{message}");
    let (location, message) = refusal(import(Format::Xlsx, "bank.xlsx", &workbook(&inline, None)));
    assert_eq!(location, "bank.xlsx: xl/worksheets/sheet1.xml");
    assert!(message.contains("times its compressed size"), "{message}");
    let long = "x".repeat(10_001);
    let inline = sheet_of(&format!(
        r#"<row r="2"><c r="C2" t="inlineStr"><is><t>{long}</t></is></c></row>"#
    ));
    let (location, message) = refusal(import(Format::Xlsx, "bank.xlsx", &workbook(&inline, None)));
    assert_eq!(location, "bank.xlsx, row 2, column 3");
    assert!(message.contains("more than 10000 characters, over the limit of a cell"));

    let shared = sheet_of(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
    let sst = format!("<sst><si><t>{long}</t></si></sst>");
    let bytes = workbook(&shared, Some(sst.as_bytes()));
    let (location, message) = refusal(import(Format::Xlsx, "bank.xlsx", &bytes));
    assert_eq!(location, "bank.xlsx: xl/sharedStrings.xml, string 1");
    assert!(message.contains("over the limit of a cell"), "{message}");
}

#[test]
fn a_shared_string_referred_to_a_million_times_is_not_copied_a_million_times() {
    let _turn = serial();
    let long = "x".repeat(10_000);
    let sst = format!("<sst><si><t>{long}</t></si></sst>");
    let mut rows = String::new();
    for r in 1..=50_000 {
        rows.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#
        ));
    }
    let bytes = workbook(&sheet_of(&rows), Some(sst.as_bytes()));
    let (result, peak) = peak_of(|| {
        read_table(
            TableFormat::Xlsx,
            "a.xlsx",
            &bytes,
            &ImportLimits::default(),
            &|| false,
            &mut |_, _| {},
        )
    });
    assert_eq!(result, Ok(()));
    assert!(peak < 4 * 1024 * 1024, "{peak} bytes");
}

// ---------------------------------------------------------------------------------------------
// Zip containers

#[test]
fn a_zip_bomb_is_refused_by_its_ratio_before_inflating() {
    let _turn = serial();
    let zeros = vec![0u8; 16 * 1024 * 1024];
    for (format, entry) in [
        (Format::Xlsx, "xl/worksheets/sheet1.xml"),
        (Format::Qti, "imsmanifest.xml"),
    ] {
        let bytes = zip(&[(entry, &zeros)], true);
        assert!(bytes.len() < 64 * 1024);
        let err = import(format, "bomb.zip", &bytes).unwrap_err();
        let e = &err.errors()[0];
        assert_eq!(e.location, format!("bomb.zip: {entry}"));
        assert!(e
            .message
            .contains("more than 100 times its compressed size"));
    }
}

/// Headers can lie: declared sizes patched down to 100 bytes. The zip reader stops at the
/// declared size and the inflated bytes are counted as they come (ratio and total), so reading
/// stops early either way. (The bomb is the first part each reader opens.)
#[test]
fn a_zip_bomb_with_lying_headers_is_refused_while_inflating() {
    let _turn = serial();
    let zeros = vec![0u8; 16 * 1024 * 1024];
    for (format, entry) in [
        (Format::Xlsx, "_rels/.rels"),
        (Format::Qti, "imsmanifest.xml"),
    ] {
        let mut bytes = zip(&[(entry, &zeros)], true);
        for (sig, offset) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
            let at = bytes.windows(4).position(|w| w == sig).unwrap();
            bytes[at + offset..at + offset + 4].copy_from_slice(&100u32.to_le_bytes());
        }
        let (location, message) = refusal(import(format, "bomb.zip", &bytes));
        assert_eq!(location, format!("bomb.zip: {entry}"), "{message}");
        assert!(
            message.contains("larger than its declared uncompressed size")
                || message.contains("100 times its compressed size"),
            "{message}"
        );
    }
}

#[test]
fn a_zip_of_many_entries_is_refused_by_their_count() {
    let _turn = serial();
    let names: Vec<String> = (0..20_001).map(|i| format!("items/q{i}.xml")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    let bytes = zip(&entries, false);
    for format in [Format::Xlsx, Format::Qti] {
        let (location, message) = refusal(import(format, "many.zip", &bytes));
        assert_eq!(location, "many.zip");
        assert_eq!(
            message,
            "the archive has 20001 entries, over the limit of 20000"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// XML

#[test]
fn deeply_nested_xml_is_refused_at_the_depth_limit() {
    let _turn = serial();
    let deep = format!("<quiz>{}", "<a>".repeat(100_000));
    let (location, message) = refusal(import(Format::MoodleXml, "bank.xml", deep.as_bytes()));
    assert_eq!(location, "bank.xml");
    assert_eq!(
        message,
        "elements nested deeper than 64 levels, over the limit"
    );
    let item = format!("<assessmentItem>{}", "<div>".repeat(100_000));
    let (_, message) = refusal(import(Format::Qti, "q.xml", item.as_bytes()));
    assert!(message.contains("deeper than 64"));
    let sheet = format!("<worksheet>{}", "<a>".repeat(100_000));
    let bytes = workbook_zipped(sheet.as_bytes(), None, false);
    let (location, message) = refusal(import(Format::Xlsx, "bank.xlsx", &bytes));
    assert_eq!(location, "bank.xlsx: xl/worksheets/sheet1.xml");
    assert_eq!(
        message,
        "elements nested deeper than 64 levels, over the limit"
    );
}

#[test]
fn a_very_long_text_or_tag_is_refused_at_the_text_limit() {
    let _turn = serial();
    let text = format!(
        "<quiz><question type=\"shortanswer\"><questiontext><text>{}</text></questiontext></question></quiz>",
        "x".repeat(10 * 1024 * 1024)
    );
    let (location, message) = refusal(import(Format::MoodleXml, "bank.xml", text.as_bytes()));
    assert_eq!(location, "bank.xml");
    assert!(
        message.starts_with("a tag or a run of text is longer than 1048576 bytes, over the limit"),
        "{message}"
    );
    let tag = format!(
        "<assessmentItem title=\"{}\"/>",
        "x".repeat(10 * 1024 * 1024)
    );
    let (_, message) = refusal(import(Format::Qti, "q.xml", tag.as_bytes()));
    assert!(message.contains("over the limit of XML text"));
}

/// Small elements, millions of them: the tree is refused when it would pass its memory limit.
#[test]
fn a_document_of_millions_of_elements_is_refused_at_the_parsed_memory_limit() {
    let _turn = serial();
    let many = format!("<quiz>{}</quiz>", "<x/>".repeat(4_000_000));
    let (location, message) = refusal(import(Format::MoodleXml, "bank.xml", many.as_bytes()));
    assert_eq!(location, "bank.xml");
    assert!(message.contains("the limit for parsed data"), "{message}");
}

/// A long Moodle file is read question by question: its questions' trees are never all held.
#[test]
fn a_long_moodle_file_is_read_question_by_question() {
    let _turn = serial();
    let mut items = Vec::new();
    for i in 0..5_000 {
        let mut item = items_of_kind(i);
        item.stem = format!("Câu hỏi số {i}: {}", "nội dung ".repeat(40));
        items.push(item);
    }
    let bytes = format::export(Format::MoodleXml, &items).unwrap();
    let limits = ImportLimits {
        max_parsed_bytes: 256 * 1024,
        ..ImportLimits::default()
    };
    let (read, peak) = peak_of(|| format::import(Format::MoodleXml, "bank.xml", &bytes, &limits));
    assert_eq!(read.unwrap().len(), 5_000);
    assert!(
        peak < 3 * bytes.len(),
        "{peak} bytes for {} bytes",
        bytes.len()
    );
}

fn items_of_kind(i: usize) -> Item {
    items()[i % 2].clone()
}

#[test]
fn entity_declarations_are_refused() {
    let _turn = serial();
    let bomb = include_bytes!("fixtures/billion-laughs.xml");
    let (_, message) = refusal(import(Format::MoodleXml, "bank.xml", bomb));
    assert_eq!(message, "DOCTYPE with entity declarations is not accepted");
}

#[test]
fn a_manifest_of_more_items_than_entries_is_refused() {
    let _turn = serial();
    let resource = r#"<resource identifier="r" type="imsqti_item_xmlv2p1" href="q.xml"/>"#;
    let manifest = format!(
        "<manifest><resources>{}</resources></manifest>",
        resource.repeat(20_001)
    );
    let bytes = zip(&[("imsmanifest.xml", manifest.as_bytes())], false);
    let (location, message) = refusal(import(Format::Qti, "p.zip", &bytes));
    assert_eq!(location, "p.zip: imsmanifest.xml");
    assert!(message.contains("more than 20000 items"), "{message}");
}

// ---------------------------------------------------------------------------------------------
// Text formats

#[test]
fn a_csv_with_a_million_columns_is_refused_at_the_column_limit() {
    let _turn = serial();
    let csv = format!("topic,stem\n{}\n", "x,".repeat(1_000_000));
    let (location, message) = refusal(import(Format::Csv, "bank.csv", csv.as_bytes()));
    assert_eq!(location, "bank.csv, row 2, column 65");
    assert!(message.contains("over the limit of 64 columns"));
}

#[test]
fn a_ten_megabyte_csv_cell_is_refused_at_the_cell_limit() {
    let _turn = serial();
    let csv = format!("topic,stem\nA,\"{}\"\n", "x".repeat(10 * 1024 * 1024));
    let (location, message) = refusal(import(Format::Csv, "bank.csv", csv.as_bytes()));
    assert_eq!(location, "bank.csv, row 2, column 2");
    assert!(message.contains("more than 10000 characters, over the limit of a cell"));
}

#[test]
fn a_gift_question_without_end_is_refused_at_the_text_limit() {
    let _turn = serial();
    let gift = format!("::q:: {}{{=a ~b}}", "x".repeat(10 * 1024 * 1024));
    let (location, message) = refusal(import(Format::Gift, "bank.gift", gift.as_bytes()));
    assert_eq!(location, "bank.gift, line 1");
    assert!(
        message.contains("longer than 1048576 bytes, over the limit"),
        "{message}"
    );
    let answers = format!("Q? {{={}}}", "~a".repeat(100_000));
    let err = import(Format::Gift, "bank.gift", answers.as_bytes()).unwrap_err();
    assert!(err.errors()[0].message.contains("more than 64 answers"));
}

#[test]
fn script_heavy_html_in_a_gift_file_is_converted_in_bounded_time() {
    let _turn = serial();
    let gift = format!("[html]{}Q? {{=a ~b}}", "<script>x</script>".repeat(50_000));
    let started = std::time::Instant::now();
    let _ = import(Format::Gift, "bank.gift", gift.as_bytes());
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

/// A question text of a million `&`: as XML references, then as HTML text to convert.
#[test]
fn ampersand_heavy_text_is_read_in_bounded_time() {
    let _turn = serial();
    let moodle = format!(
        "<quiz><question type=\"shortanswer\"><questiontext format=\"html\"><text>{}</text>\
         </questiontext><answer fraction=\"100\"><text>a</text></answer></question></quiz>",
        "&amp;".repeat(1_000_000)
    );
    let started = std::time::Instant::now();
    let _ = import(Format::MoodleXml, "bank.xml", moodle.as_bytes());
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let gift = format!("[html]{} {{=a}}", "&".repeat(1_000_000));
    let started = std::time::Instant::now();
    let _ = import(Format::Gift, "bank.gift", gift.as_bytes());
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
