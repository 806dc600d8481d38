//! Published results as documents (issue 7, item 6): the list of publications, the workbook
//! and the printable PDF of the latest and of every earlier publication; and the round's
//! report with its charts (item 7), checked against the worked example E1 (docs/rules.md).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;
use server::auth::Role;

use crate::results::{round1_results, with_outcome, Fixture};

/// A published round: quota 2, three candidates (one with priority points, VN-7).
async fn published(code: &str) -> (Fixture, [i64; 3]) {
    let mut f = Fixture::new(code).await;
    f.position("CV-XB", "written", 2).await;
    let a = f.candidate("Nguyễn Thị Hường", "CV-XB", &[]).await;
    let b = f
        .candidate("Trần Văn Đức", "CV-XB", &["military_service"])
        .await;
    let c = f.candidate("Lê Thị Ánh Tuyết", "CV-XB", &[]).await;
    f.mark(a, "written", "81.50").await;
    f.mark(b, "written", "72.00").await;
    f.mark(c, "written", "48.00").await;
    let r = f.publish(&f.hr).await;
    assert_eq!(r.status, 201, "{}", r.text);
    (f, [a, b, c])
}

fn cell(c: &Data) -> String {
    match c {
        Data::Float(f) => format!("{f}"),
        other => other.to_string(),
    }
}

fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(|r| r.iter().map(cell).collect()).collect()
}

/// The value next to `label` on the *Thông tin* sheet.
fn info(rows: &[Vec<String>], label: &str) -> String {
    rows.iter()
        .find(|r| r[0] == label)
        .unwrap_or_else(|| panic!("no {label} in {rows:?}"))[1]
        .clone()
}

/// A decimal string as the workbook shows it as a number ("81.50" is 81.5).
fn as_number(v: &Value) -> String {
    v.as_str()
        .map(|s| format!("{}", s.parse::<f64>().unwrap()))
        .unwrap_or_default()
}

#[tokio::test]
async fn the_workbook_holds_the_rows_of_the_json_and_the_hashes() {
    let (f, [a, b, c]) = published("XL-2026").await;
    let path = format!("/api/v1/public/rounds/{}/results", f.round_code);
    let json = f.app.get(&path, None).await;
    assert_eq!(json.status, 200, "{}", json.text);
    assert_eq!(
        with_outcome(&json.body["positions"][0], "winner"),
        vec![a, b]
    );

    let x = f.app.get_bytes(&format!("{path}?format=xlsx"), None).await;
    assert_eq!(x.status, 200);
    assert_eq!(
        x.content_type,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let id = json.body["id"].as_i64().unwrap();
    assert_eq!(
        x.disposition,
        format!("attachment; filename=\"ket-qua-XL-2026-{id}.xlsx\"")
    );

    let about = sheet(&x.bytes, "Thông tin");
    assert_eq!(
        info(&about, "SHA-256 của kết quả"),
        json.body["sha256"].as_str().unwrap()
    );
    assert_eq!(
        info(&about, "Đầu chuỗi nhật ký kiểm toán"),
        json.body["audit_head"].as_str().unwrap()
    );
    assert_eq!(info(&about, "Mã kỳ"), "XL-2026");

    let rows = sheet(&x.bytes, "CV-XB");
    assert_eq!(rows[0][0], "Hạng");
    assert_eq!(rows[0][9], "Lý do");
    let entries = json.body["positions"][0]["entries"].as_array().unwrap();
    assert_eq!(rows.len(), 1 + entries.len());
    assert_eq!(entries.len(), 3);
    for (row, e) in rows[1..].iter().zip(entries) {
        let rank = e["rank"]
            .as_u64()
            .map(|r| r.to_string())
            .unwrap_or_default();
        assert_eq!(row[0], rank, "{e}");
        assert_eq!(row[1], e["application_id"].to_string());
        assert_eq!(row[2], e["full_name"].as_str().unwrap());
        assert_eq!(row[3], as_number(&e["raw_score"]));
        assert_eq!(row[4], as_number(&e["priority_points"]));
        assert_eq!(row[5], as_number(&e["total"]));
        assert_eq!(row[7], e["outcome"].as_str().unwrap());
        assert_eq!(row[9], e["reason"].as_str().unwrap());
    }
    // Spot checks against the known ranking: B has 72.00 + 2.50 (VN-7), C is below 50 (VN-10).
    let row_b = rows.iter().find(|r| r[1] == b.to_string()).unwrap();
    assert_eq!((row_b[4].as_str(), row_b[5].as_str()), ("2.5", "74.5"));
    assert_eq!(row_b[6], "Trúng tuyển");
    let row_c = rows.iter().find(|r| r[1] == c.to_string()).unwrap();
    assert_eq!(row_c[7], "ineligible");
    assert_eq!(
        row_c[5], "",
        "priority points never rescue a raw score below 50"
    );
}

#[tokio::test]
async fn the_pdf_embeds_the_font_and_carries_the_hashes() {
    let (f, _) = published("PD-2026").await;
    let path = format!("/api/v1/public/rounds/{}/results", f.round_code);
    let json = f.app.get(&path, None).await.body;
    let pdf = f.app.get_bytes(&format!("{path}?format=pdf"), None).await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.content_type, "application/pdf");
    let id = json["id"].as_i64().unwrap();
    assert_eq!(
        pdf.disposition,
        format!("inline; filename=\"ket-qua-PD-2026-{id}.pdf\"")
    );
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf.bytes);
    assert!(text.contains("/FontFile2"), "the font is embedded");
    assert!(text.contains("/BaseFont") && text.contains("/DejaVuSans"));
    assert!(text.contains("/ToUnicode"));
    assert!(text.contains(json["sha256"].as_str().unwrap()));
    assert!(text.contains(json["audit_head"].as_str().unwrap()));
    assert!(text.trim_end().ends_with("%%EOF"));

    let bad = f.app.get(&format!("{path}?format=docx"), None).await;
    assert_eq!(bad.problem(422)["errors"][0]["location"], "format");
}

#[tokio::test]
async fn a_change_after_publication_needs_a_new_one_and_the_old_stays_readable_in_every_format() {
    let mut f = Fixture::new("LS-2026").await;
    let list_path = format!("/api/v1/public/rounds/{}/publications", f.round_code);
    let r = f.app.get(&list_path, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["total"], 0);
    f.app
        .get(
            &format!("/api/v1/public/rounds/{}/results?format=pdf", f.round_code),
            None,
        )
        .await
        .problem(404);
    f.app
        .get("/api/v1/public/rounds/KHONG-CO/publications", None)
        .await
        .problem(404);

    f.position("CV-LS", "written", 1).await;
    let a = f.candidate("Nguyễn Văn An", "CV-LS", &[]).await;
    let b = f.candidate("Trần Thị Bình", "CV-LS", &[]).await;
    f.mark(a, "written", "80.00").await;
    f.mark(b, "written", "70.00").await;
    let first = f.publish(&f.hr).await.body;
    f.mark(b, "written", "90.00").await;
    let second = f.publish(&f.hr).await.body;
    assert_ne!(first["sha256"], second["sha256"]);

    let list = f.app.get(&list_path, None).await.body;
    assert_eq!(list["total"], 2);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items[0]["id"], second["id"], "newest first");
    assert_eq!(items[1]["id"], first["id"]);
    assert_eq!(items[1]["sha256"], first["sha256"]);
    assert_eq!(items[1]["audit_head"], first["audit_head"]);
    assert_eq!(items[1]["url"], first["url"]);
    assert!(items[1]["published_at"].is_string());
    assert!(
        items[0]["audit_head"] != items[1]["audit_head"],
        "the chain moved on"
    );

    // The first publication, read after the second, is what it was.
    let old_url = first["url"].as_str().unwrap();
    let old = f.app.get(old_url, None).await.body;
    assert_eq!(old["sha256"], first["sha256"]);
    assert_eq!(with_outcome(&old["positions"][0], "winner"), vec![a]);
    let old_xlsx = f
        .app
        .get_bytes(&format!("{old_url}?format=xlsx"), None)
        .await;
    assert_eq!(old_xlsx.status, 200);
    let about = sheet(&old_xlsx.bytes, "Thông tin");
    assert_eq!(
        info(&about, "SHA-256 của kết quả"),
        first["sha256"].as_str().unwrap()
    );
    let old_pdf = f
        .app
        .get_bytes(&format!("{old_url}?format=pdf"), None)
        .await;
    let text = String::from_utf8_lossy(&old_pdf.bytes);
    assert!(text.contains(first["sha256"].as_str().unwrap()));
    assert!(!text.contains(second["sha256"].as_str().unwrap()));
    let new_pdf = f
        .app
        .get_bytes(
            &format!("/api/v1/public/rounds/{}/results?format=pdf", f.round_code),
            None,
        )
        .await;
    assert!(String::from_utf8_lossy(&new_pdf.bytes).contains(second["sha256"].as_str().unwrap()));
}

// ---- reports (item 7) ---------------------------------------------------------------------

#[tokio::test]
async fn the_report_of_e1_has_the_known_figures_and_charts() {
    let mut f = Fixture::new("BC-2026").await;
    f.position("CV-E1", "written", 2).await;
    f.position("CV-K", "written", 1).await;
    let a = f.candidate("Nguyễn Văn An", "CV-E1", &[]).await;
    let b = f
        .candidate("Trần Thị Bình", "CV-E1", &["war_invalid"])
        .await;
    let c = f.candidate("Lê Văn Cường", "CV-E1", &["war_invalid"]).await;
    let d = f
        .candidate("Phạm Thị Dung", "CV-E1", &["military_service"])
        .await;
    let e = f.candidate("Hoàng Văn Em", "CV-E1", &[]).await;
    let g = f.candidate("Vũ Thị Phương", "CV-E1", &[]).await;
    let k = f.candidate("Đinh Văn Khải", "CV-K", &[]).await;
    // E1: round 1 with 40, 41, 35, 38, 29 and 44 of 60; K did not sit.
    round1_results(&f, &[(a, 40), (b, 41), (c, 35), (d, 38), (e, 29), (g, 44)]).await;
    for (id, mark) in [
        (a, "78.00"),
        (b, "72.00"),
        (c, "49.50"),
        (d, "75.00"),
        (e, "90.00"),
        (g, "76.00"),
    ] {
        f.mark(id, "written", mark).await;
    }
    let _ = k;

    let path = format!("/api/v1/rounds/{}/reports", f.round_id);
    let r = f.app.get(&path, Some(&f.hr)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let report = &r.body;
    assert_eq!(report["round_code"], "BC-2026");

    let exam = &report["exams"][0];
    assert_eq!(exam["graded"], 6);
    assert_eq!(exam["passed"], 5);
    assert_eq!(exam["pass_rate"], "83.33");
    let counts: Vec<u64> = exam["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .collect();
    // 29/60 = 48.3 %, 35 = 58.3 %, 38/40/41 = 63.3–68.3 %, 44 = 73.3 %.
    assert_eq!(counts, vec![0, 0, 0, 0, 1, 1, 3, 1, 0, 0]);
    assert_eq!(exam["histogram"][6]["from"], 60);
    assert_eq!(exam["histogram"][6]["to"], 70);
    assert_eq!(exam["sections"][0]["code"], "KTC");
    assert_eq!(exam["sections"][0]["sat"], 6);
    assert_eq!(exam["sections"][0]["passed"], 5);
    assert_eq!(exam["sections"][0]["pass_rate"], "83.33");

    let positions = report["positions"].as_array().unwrap();
    let e1 = positions.iter().find(|p| p["code"] == "CV-E1").unwrap();
    assert_eq!(e1["applicants"], 6);
    assert_eq!(e1["winners"], 2, "B and A (E1)");
    assert_eq!(e1["quota"], 2);
    assert_eq!(e1["competition_ratio"], "3.00");
    let ck = positions.iter().find(|p| p["code"] == "CV-K").unwrap();
    assert_eq!(
        (ck["applicants"].as_u64(), ck["winners"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(ck["competition_ratio"], "1.00");
    assert_eq!(report["totals"]["applicants"], 7);
    assert_eq!(report["totals"]["quota"], 3);
    assert_eq!(report["totals"]["winners"], 2);
    assert_eq!(report["totals"]["competition_ratio"], "2.33");

    let charts = report["charts"].as_array().unwrap();
    let ids: Vec<&str> = charts.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        vec!["chart-histogram-0", "chart-pass-rates", "chart-positions"]
    );
    for chart in charts {
        let svg = chart["svg"].as_str().unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        assert!(svg.contains("role=\"img\"") && svg.contains("<title"));
    }
    assert!(charts[0]["svg"]
        .as_str()
        .unwrap()
        .contains("data-from=\"60\" data-count=\"3\""));
    assert!(charts[1]["svg"].as_str().unwrap().contains("83.33 % (5/6)"));
    assert!(charts[0]["title"].as_str().unwrap().starts_with("Phổ điểm"));
    let en = f.app.get(&format!("{path}?lang=en"), Some(&f.hr)).await;
    assert!(en.body["charts"][0]["title"]
        .as_str()
        .unwrap()
        .starts_with("Score distribution"));
}

#[tokio::test]
async fn reports_are_for_hr_the_chair_and_the_administrator() {
    let f = Fixture::new("BQ-2026").await;
    let path = format!("/api/v1/rounds/{}/reports", f.round_id);
    f.app.get(&path, None).await.problem(401);
    f.app.get(&path, Some(&f.marker)).await.problem(403);
    assert_eq!(f.app.get(&path, Some(&f.chair)).await.status, 200);
    let admin = f.app.staff("quantri", &[Role::Admin]).await;
    let r = f.app.get(&path, Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["exams"], Value::Array(vec![]));
    assert_eq!(r.body["totals"]["competition_ratio"], "0.00");
    f.app
        .get("/api/v1/rounds/999999/reports", Some(&f.hr))
        .await
        .problem(404);
}

#[tokio::test]
async fn the_documents_the_history_and_the_report_are_in_the_openapi_document() {
    let app = tests::TestApp::spawn().await;
    let doc = app.get("/api/openapi.json", None).await.body;
    for path in [
        "/api/v1/public/rounds/{round_code}/results",
        "/api/v1/public/rounds/{round_code}/publications",
        "/api/v1/public/rounds/{round_code}/publications/{id}",
        "/api/v1/rounds/{round_id}/reports",
    ] {
        assert!(
            doc["paths"][path]["get"].is_object(),
            "{path} is documented"
        );
    }
    let results = &doc["paths"]["/api/v1/public/rounds/{round_code}/results"]["get"];
    let names: Vec<&str> = results["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"format"), "{names:?}");
    let content = &results["responses"]["200"]["content"];
    assert!(content["application/pdf"].is_object(), "{content}");
    assert!(content["application/json"].is_object());
}

// ---- publication day (issue 19, item 6) ---------------------------------------------------

/// A GET with `If-None-Match`: status, `ETag`, `Cache-Control`, body length.
async fn get_if_none_match(
    f: &Fixture,
    path: &str,
    tag: Option<&str>,
) -> (u16, String, String, usize) {
    let mut req = reqwest::Client::new().get(f.app.url(path));
    if let Some(tag) = tag {
        req = req.header("If-None-Match", tag);
    }
    let resp = req.send().await.expect("request");
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (etag, cache) = (header("etag"), header("cache-control"));
    let status = resp.status().as_u16();
    let len = resp.bytes().await.map(|b| b.len()).unwrap_or(0);
    (status, etag, cache, len)
}

/// The documents are made once, at publication, and stored: read twice they are the same
/// bytes, their `ETag` is their SHA-256, and a reader who holds them gets 304 with no body.
#[tokio::test]
async fn a_publications_documents_are_stored_once_and_served_with_their_sha256_as_etag() {
    use sea_orm::EntityTrait;
    use sha2::{Digest, Sha256};
    let (f, _) = published("ET-2026").await;
    let stored = server::entities::publication_documents::Entity::find()
        .all(f.app.db())
        .await
        .unwrap();
    let mut formats: Vec<&str> = stored.iter().map(|d| d.format.as_str()).collect();
    formats.sort_unstable();
    assert_eq!(
        formats,
        ["pdf", "xlsx"],
        "made at publication, before any read"
    );

    let latest = format!("/api/v1/public/rounds/{}/results", f.round_code);
    let id = f.app.get(&latest, None).await.body["id"].as_i64().unwrap();
    let by_id = format!("/api/v1/public/rounds/{}/publications/{id}", f.round_code);
    for format in ["pdf", "xlsx"] {
        let first = f
            .app
            .get_bytes(&format!("{latest}?format={format}"), None)
            .await;
        let again = f
            .app
            .get_bytes(&format!("{by_id}?format={format}"), None)
            .await;
        assert_eq!(first.bytes, again.bytes, "{format}: the same stored bytes");
        let sha = hex::encode(Sha256::digest(&first.bytes));
        let row = stored.iter().find(|d| d.format == format).unwrap();
        assert_eq!(row.sha256, sha);

        let (status, etag, cache, _) =
            get_if_none_match(&f, &format!("{latest}?format={format}"), None).await;
        assert_eq!(status, 200);
        assert_eq!(etag, format!("\"{sha}\""));
        assert_eq!(
            cache, "public, no-cache",
            "the latest may change: revalidated"
        );
        let (status, etag_again, _, len) =
            get_if_none_match(&f, &format!("{latest}?format={format}"), Some(&etag)).await;
        assert_eq!((status, len), (304, 0), "{format}: held, not sent again");
        assert_eq!(etag_again, etag);
        let (status, _, cache, _) =
            get_if_none_match(&f, &format!("{by_id}?format={format}"), Some(&etag)).await;
        assert_eq!(status, 304);
        assert_eq!(
            cache, "public, max-age=31536000, immutable",
            "a publication never changes"
        );
        let (status, _, _, len) =
            get_if_none_match(&f, &format!("{by_id}?format={format}"), Some("\"stale\"")).await;
        assert_eq!(status, 200, "a stale tag gets the document");
        assert_eq!(len, first.bytes.len());
    }

    let (status, etag, _, _) = get_if_none_match(&f, &latest, None).await;
    assert_eq!(status, 200);
    let (status, _, _, len) = get_if_none_match(&f, &latest, Some(&etag)).await;
    assert_eq!((status, len), (304, 0), "the JSON too");
}
