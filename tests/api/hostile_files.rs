//! Hostile uploads to both importers, the bank's (`/banks/{id}/imports`) and the applications'
//! (`/rounds/{id}/applications/imports`), issue 16 item 7: each is refused with a 422 problem
//! naming the limit it breaks (and the file, and the entry, row or column where it applies),
//! and the server keeps serving throughout.

use serde_json::{json, Value};
use server::auth::Role;
use tests::{Resp, TestApp};

/// A zip deflating to 16 MiB of zeros, over a thousand times its size, in an entry named like a
/// worksheet (see fixtures/README.md).
const ZIP_BOMB: &[u8] = include_bytes!("fixtures/zip-bomb.zip");

/// One staff member who may use both importers, a bank and a round with a position.
struct Site {
    app: TestApp,
    token: String,
    bank: i64,
    round: i64,
}

async fn site_with(configure: impl FnOnce(&mut server::config::Config)) -> Site {
    let app = TestApp::spawn_with(configure).await;
    let token = app.staff("nhapfile", &[Role::Author, Role::Hr]).await;
    let r = app
        .post(
            "/api/v1/banks",
            Some(&token),
            &json!({"code": "KTC", "name": "Kiến thức chung"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let bank = r.body["id"].as_i64().unwrap();
    let r = app
        .post(
            "/api/v1/rounds",
            Some(&token),
            &json!({"code": "HP-2026", "name": "Kỳ thi tuyển công chức Hải Phòng 2026"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let round = r.body["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/rounds/{round}/positions"),
            Some(&token),
            &json!({"code": "CV-VP", "name": "Chuyên viên văn phòng", "grade": "chuyen_vien",
                    "round2_form": "written",
                    "agencies": [{"code": "VP", "name": "Văn phòng UBND", "quota": 2}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    Site {
        app,
        token,
        bank,
        round,
    }
}

async fn site() -> Site {
    site_with(|_| {}).await
}

impl Site {
    async fn bank_import(&self, format: &str, file_name: &str, body: Vec<u8>) -> Resp {
        self.app
            .post_raw(
                &format!(
                    "/api/v1/banks/{}/imports?format={format}&file_name={file_name}",
                    self.bank
                ),
                Some(&self.token),
                "application/octet-stream",
                body,
            )
            .await
    }

    async fn applications_import(&self, format: &str, body: Vec<u8>) -> Resp {
        self.app
            .post_raw(
                &format!(
                    "/api/v1/rounds/{}/applications/imports?format={format}",
                    self.round
                ),
                Some(&self.token),
                "application/octet-stream",
                body,
            )
            .await
    }

    /// The server answers, and both importers still take a good file.
    async fn still_serving(&self) {
        let health = self.app.get("/api/health", None).await;
        assert_eq!(health.status, 200, "{}", health.text);
        let bank_csv = "topic,difficulty,kind,stem,answer\n\
                        Kiến thức chung,1,fill_blank,Thủ đô là ___.,Hà Nội\n";
        let r = self
            .bank_import("csv", "bank.csv", bank_csv.as_bytes().to_vec())
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let applications = "full_name,date_of_birth,gender,national_id,position_code\n\
                            Nguyễn Văn An,1995-04-12,nam,031095001234,CV-VP\n";
        let r = self
            .applications_import("csv", applications.as_bytes().to_vec())
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
}

/// The single problem of a 422 answer: its location and message.
fn refused(r: &Resp) -> (String, String) {
    let problem: &Value = r.problem(422);
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "one problem: {problem}");
    (
        errors[0]["location"].as_str().unwrap().to_string(),
        errors[0]["message"].as_str().unwrap().to_string(),
    )
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zip of `files`, stored (not compressed).
fn stored_zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let (crc, size, offset) = (crc32(data), data.len() as u32, out.len() as u32);
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, 0, 0, 0, 0x21] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        for v in [20u16, 20, 0, 0, 0, 0x21] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name.len() as u16, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    let count = files.len().min(0xFFFF) as u16;
    for v in [0u16, 0, count, count] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A workbook whose first worksheet is `sheet` (its XML).
fn workbook(sheet: &str) -> Vec<u8> {
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let pkg = "http://schemas.openxmlformats.org/package/2006/relationships";
    let part = |name: &str, xml: String| (name.to_string(), xml.into_bytes());
    stored_zip(&[
        part(
            "_rels/.rels",
            format!(
                r#"<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        part(
            "xl/workbook.xml",
            format!(
                r#"<workbook xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        part(
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
        ),
        part("xl/worksheets/sheet1.xml", sheet.to_string()),
    ])
}

fn inline(reference: &str, text: &str) -> String {
    format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// The tester's file: a cell in A1 and one in XFD1048576, a few hundred bytes that used to
/// make the server lay out 2^34 cells and abort.
#[tokio::test]
async fn a_workbook_spanning_the_whole_sheet_is_refused_by_both_importers() {
    let s = site().await;
    let sheet = format!(
        r#"<worksheet><dimension ref="A1:XFD1048576"/><sheetData><row r="1">{}</row><row r="1048576">{}</row></sheetData></worksheet>"#,
        inline("A1", "topic"),
        inline("XFD1048576", "x")
    );
    let file = workbook(&sheet);
    assert!(file.len() < 2048);

    let (location, message) = refused(&s.bank_import("xlsx", "bank.xlsx", file.clone()).await);
    assert_eq!(location, "bank.xlsx: xl/worksheets/sheet1.xml, dimension");
    assert!(
        message.contains("A1:XFD1048576")
            && message.contains("over the limit of 100000 rows and 64 columns"),
        "{message}"
    );
    let (location, message) = refused(&s.applications_import("xlsx", file).await);
    assert_eq!(
        location,
        "applications.xlsx: xl/worksheets/sheet1.xml, dimension"
    );
    assert!(message.contains("over the limit of 50001 rows and 64 columns"));

    // Without the dimension, the far cell itself is refused, named.
    let sheet = sheet.replace(r#"<dimension ref="A1:XFD1048576"/>"#, "");
    let (location, message) = refused(&s.bank_import("xlsx", "bank.xlsx", workbook(&sheet)).await);
    assert_eq!(location, "bank.xlsx, row 1048576");
    assert!(
        message.contains("over the limit of 100000 rows"),
        "{message}"
    );
    let far_right = r#"<worksheet><sheetData><row r="1"><c r="XFD1"><v>1</v></c></row></sheetData></worksheet>"#;
    let (location, message) = refused(&s.applications_import("xlsx", workbook(far_right)).await);
    assert_eq!(location, "applications.xlsx, row 1, column 16384");
    assert!(message.starts_with("cell XFD1 is in column 16384, over the limit of 64 columns"));
    s.still_serving().await;
}

#[tokio::test]
async fn a_zip_bomb_is_refused_by_both_importers_before_it_is_inflated() {
    let s = site().await;
    let entry = "xl/worksheets/sheet1.xml";
    for (format, name) in [("xlsx", "bank.xlsx"), ("qti", "bank.zip")] {
        let (location, message) = refused(&s.bank_import(format, name, ZIP_BOMB.to_vec()).await);
        assert_eq!(location, format!("{name}: {entry}"));
        assert!(message.contains("more than 100 times its compressed size"));
    }
    let (location, message) = refused(&s.applications_import("xlsx", ZIP_BOMB.to_vec()).await);
    assert_eq!(location, format!("applications.xlsx: {entry}"));
    assert!(message.contains("zip bomb"), "{message}");
    s.still_serving().await;
}

#[tokio::test]
async fn a_zip_of_many_entries_is_refused_by_both_importers() {
    let s = site().await;
    let files: Vec<(String, Vec<u8>)> = (0..20_001)
        .map(|i| (format!("q{i}.xml"), Vec::new()))
        .collect();
    let file = stored_zip(&files);
    for (format, name) in [("xlsx", "bank.xlsx"), ("qti", "bank.zip")] {
        let (location, message) = refused(&s.bank_import(format, name, file.clone()).await);
        assert_eq!(location, name);
        assert_eq!(
            message,
            "the archive has 20001 entries, over the limit of 20000"
        );
    }
    let (location, message) = refused(&s.applications_import("xlsx", file).await);
    assert_eq!(location, "applications.xlsx");
    assert!(message.contains("over the limit of 20000"), "{message}");
    s.still_serving().await;
}

#[tokio::test]
async fn deeply_nested_xml_is_refused_by_both_importers() {
    let s = site().await;
    let moodle = format!("<quiz>{}", "<question>".repeat(100_000));
    let (location, message) = refused(
        &s.bank_import("moodle-xml", "bank.xml", moodle.into_bytes())
            .await,
    );
    assert_eq!(location, "bank.xml");
    assert_eq!(
        message,
        "elements nested deeper than 64 levels, over the limit"
    );
    let qti = format!("<assessmentItem>{}", "<div>".repeat(100_000));
    let (location, message) = refused(&s.bank_import("qti", "q1.xml", qti.into_bytes()).await);
    assert_eq!(location, "q1.xml");
    assert!(message.contains("deeper than 64 levels"));
    let sheet = format!("<worksheet>{}", "<a>".repeat(100_000));
    let (location, message) = refused(&s.applications_import("xlsx", workbook(&sheet)).await);
    assert_eq!(location, "applications.xlsx: xl/worksheets/sheet1.xml");
    assert!(message.contains("deeper than 64 levels"));
    s.still_serving().await;
}

/// Ten megabytes in one place: an XML text, a CSV cell, a worksheet cell. The upload limit is
/// raised so that the importers, not the body limit, answer.
#[tokio::test]
async fn a_ten_megabyte_text_or_cell_is_refused_by_both_importers() {
    let s = site_with(|c| c.max_upload_bytes = 32 * 1024 * 1024).await;
    let big = "x".repeat(10 * 1024 * 1024);

    let qti = format!("<assessmentItem><itemBody><p>{big}</p></itemBody></assessmentItem>");
    let (location, message) = refused(&s.bank_import("qti", "q1.xml", qti.into_bytes()).await);
    assert_eq!(location, "q1.xml");
    assert!(
        message.starts_with("a tag or a run of text is longer than 1048576 bytes, over the limit"),
        "{message}"
    );
    let moodle = format!("<quiz><question type=\"truefalse\" name=\"{big}\"/></quiz>");
    let (_, message) = refused(
        &s.bank_import("moodle-xml", "bank.xml", moodle.into_bytes())
            .await,
    );
    assert!(message.contains("over the limit of XML text"));

    let csv = format!("topic,stem\nKiến thức chung,\"{big}\"\n");
    let (location, message) = refused(&s.bank_import("csv", "bank.csv", csv.into_bytes()).await);
    assert_eq!(location, "bank.csv, row 2, column 2");
    assert!(message.contains("more than 10000 characters, over the limit of a cell"));
    let csv = format!("full_name,date_of_birth\n{big},1995-04-12\n");
    let (location, message) = refused(&s.applications_import("csv", csv.into_bytes()).await);
    assert_eq!(location, "applications.csv, row 2, column 1");
    assert!(message.contains("over the limit of a cell"));

    let sheet = format!(
        "<worksheet><sheetData><row r=\"2\">{}</row></sheetData></worksheet>",
        inline("C2", &big)
    );
    let (location, message) = refused(&s.bank_import("xlsx", "bank.xlsx", workbook(&sheet)).await);
    assert_eq!(location, "bank.xlsx, row 2, column 3");
    assert!(message.contains("over the limit of XML text"));
    let sheet = format!(
        "<worksheet><sheetData><row r=\"2\">{}</row></sheetData></worksheet>",
        inline("A2", &"x".repeat(10_001))
    );
    let (location, message) = refused(&s.applications_import("xlsx", workbook(&sheet)).await);
    assert_eq!(location, "applications.xlsx, row 2, column 1");
    assert!(message.contains("more than 10000 characters, over the limit of a cell"));
    s.still_serving().await;
}

#[tokio::test]
async fn a_csv_with_a_million_columns_is_refused_by_both_importers() {
    let s = site().await;
    let wide = "x,".repeat(1_000_000);
    let (location, message) = refused(
        &s.bank_import(
            "csv",
            "bank.csv",
            format!("topic,stem\n{wide}\n").into_bytes(),
        )
        .await,
    );
    assert_eq!(location, "bank.csv, row 2, column 65");
    assert!(message.contains("over the limit of 64 columns"));
    let (location, message) = refused(
        &s.applications_import("csv", format!("{wide}\n").into_bytes())
            .await,
    );
    assert_eq!(location, "applications.csv, row 1, column 65");
    assert!(message.contains("over the limit of 64 columns"));
    s.still_serving().await;
}

/// Hostile uploads in flight together: every one is answered, and so is everyone else.
#[tokio::test]
async fn the_server_keeps_serving_while_hostile_files_are_refused() {
    let s = site().await;
    let sheet = format!(
        r#"<worksheet><sheetData><row r="1">{}</row></sheetData></worksheet>"#,
        inline("XFD1", "x")
    );
    let whole_sheet = workbook(&sheet);
    // Two at once: the server runs at most two imports side by side (the third would be told
    // to retry), and answers everything else meanwhile.
    let (a, b, health) = tokio::join!(
        s.bank_import("xlsx", "bank.xlsx", whole_sheet.clone()),
        s.applications_import("xlsx", whole_sheet),
        s.app.get("/api/health", None),
    );
    let (c, health_again) = tokio::join!(
        s.bank_import("qti", "bank.zip", ZIP_BOMB.to_vec()),
        s.app.get("/api/health", None),
    );
    for r in [&a, &b, &c] {
        refused(r);
    }
    assert_eq!(health.status, 200);
    assert_eq!(health_again.status, 200);
    s.still_serving().await;
}
