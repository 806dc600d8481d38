//! The published results as a printable PDF: A4 landscape, one table per position starting on
//! a new page, the header row repeated on every page, and on every page the SHA-256 of the
//! canonical results and the audit-chain head, so a printout can be checked against the web.
//!
//! Vietnamese needs a real font: DejaVu Sans (Debian `fonts-dejavu-core`, licence in
//! `server/assets/fonts/`) is embedded as a CID TrueType font (Identity-H) holding only the
//! glyphs the document uses (the whole font is 740 KiB, 373 KiB compressed), with a ToUnicode map so the text can be searched and copied. Text is NFC-normalised first, so
//! every Vietnamese letter is one precomposed glyph of the font.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::OnceLock;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use ttf_parser::{Face, GlyphId};
use unicode_normalization::UnicodeNormalization;

use super::{outcome_vi, rank_text, PublicResults, PublishedPosition, RankingEntryView};
use crate::vietnam_time::vietnam_time;

static FONT_DATA: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FONT_NAME: &[u8] = b"DejaVuSans";
const FONT_RES: Name<'static> = Name(b"F1");

/// A4 landscape, in points.
const PAGE_W: f32 = 841.89;
const PAGE_H: f32 = 595.28;
const MARGIN: f32 = 36.0;
const BODY_SIZE: f32 = 8.5;
const LINE: f32 = 10.5;
/// Where the table may run down to: below it sit the two footer lines.
const TABLE_BOTTOM: f32 = MARGIN + 34.0;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font cannot be read: {0}")]
    Font(String),
    #[error("compressing the document: {0}")]
    Io(#[from] std::io::Error),
}

fn face() -> Result<&'static Face<'static>, PdfError> {
    static FACE: OnceLock<Result<Face<'static>, String>> = OnceLock::new();
    FACE.get_or_init(|| Face::parse(FONT_DATA, 0).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| PdfError::Font(e.clone()))
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, std::io::Error> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    e.write_all(data)?;
    e.finish()
}

/// Text set in the embedded font: glyph ids, widths and the glyphs used (for /W and ToUnicode).
/// Glyphs are numbered as in the subset embedded: in the order first shown, `.notdef` 0.
struct Typesetter {
    face: &'static Face<'static>,
    units: f32,
    /// The subset's glyph numbers, given as text is set.
    subset: subsetter::GlyphRemapper,
    /// By glyph number in the subset: the character and the glyph in the whole font.
    used: BTreeMap<u16, (char, GlyphId)>,
    /// Every text shown, in order: what a reader of the printout sees (checked by tests).
    shown: Vec<String>,
}

impl Typesetter {
    fn new() -> Result<Typesetter, PdfError> {
        let face = face()?;
        Ok(Typesetter {
            face,
            units: f32::from(face.units_per_em()),
            subset: subsetter::GlyphRemapper::new(),
            used: BTreeMap::new(),
            shown: Vec::new(),
        })
    }

    fn glyph(&self, c: char) -> GlyphId {
        self.face.glyph_index(c).unwrap_or(GlyphId(0))
    }

    fn advance(&self, g: GlyphId) -> f32 {
        f32::from(self.face.glyph_hor_advance(g).unwrap_or(0))
    }

    /// Width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        text.nfc().map(|c| self.advance(self.glyph(c))).sum::<f32>() * size / self.units
    }

    /// The bytes of a `Tj` string: two per glyph (Identity-H).
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.nfc() {
            let g = self.glyph(c);
            let cid = if g.0 == 0 {
                0
            } else {
                let cid = self.subset.remap(g.0);
                self.used.entry(cid).or_insert((c, g));
                cid
            };
            out.extend_from_slice(&cid.to_be_bytes());
        }
        out
    }

    fn show(&mut self, content: &mut Content, x: f32, y: f32, size: f32, text: &str) {
        let bytes = self.encode(text);
        self.shown.push(text.to_string());
        content.begin_text();
        content.set_font(FONT_RES, size);
        content.next_line(x, y);
        content.show(Str(&bytes));
        content.end_text();
    }

    /// Splits `text` into lines no wider than `max` (a word wider than a line is cut).
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, size) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A single word too wide for the column: cut it by characters.
            let mut piece = String::new();
            for c in word.nfc() {
                piece.push(c);
                if self.width(&piece, size) > max && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// One column of a position table: title, width, alignment and the cell text.
struct Column {
    title: &'static str,
    width: f32,
    right: bool,
    cell: fn(&RankingEntryView) -> String,
}

fn columns() -> [Column; 8] {
    [
        Column {
            title: "Hạng",
            width: 34.0,
            right: true,
            cell: rank_text,
        },
        Column {
            title: "Mã hồ sơ",
            width: 48.0,
            right: true,
            cell: |e| e.application_id.to_string(),
        },
        Column {
            title: "Họ và tên",
            width: 140.0,
            right: false,
            cell: |e| e.full_name.clone(),
        },
        Column {
            title: "Điểm thi",
            width: 48.0,
            right: true,
            cell: |e| e.raw_score.clone().unwrap_or_default(),
        },
        Column {
            title: "Ưu tiên",
            width: 44.0,
            right: true,
            cell: |e| e.priority_points.clone(),
        },
        Column {
            title: "Tổng điểm",
            width: 52.0,
            right: true,
            cell: |e| e.total.clone().unwrap_or_default(),
        },
        Column {
            title: "Kết quả",
            width: 112.0,
            right: false,
            cell: |e| match &e.agency {
                Some(a) if e.outcome == "winner" => format!("{} – {a}", outcome_vi(&e.outcome)),
                _ => outcome_vi(&e.outcome).to_string(),
            },
        },
        Column {
            title: "Lý do",
            width: PAGE_W - 2.0 * MARGIN - 478.0,
            right: false,
            cell: |e| e.reason.clone(),
        },
    ]
}

/// Lays the pages out; the footers (which need the page count) are added afterwards.
struct Layout<'a> {
    ts: Typesetter,
    pages: Vec<Content>,
    results: &'a PublicResults,
    y: f32,
}

impl Layout<'_> {
    fn page(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self, position: Option<&PublishedPosition>) {
        self.pages.push(Content::new());
        let r = self.results;
        let mut y = PAGE_H - MARGIN - 12.0;
        let title = format!("KẾT QUẢ THI TUYỂN – {}", r.round_name);
        let mut c = Content::new();
        self.ts.show(&mut c, MARGIN, y, 13.0, &title);
        y -= 16.0;
        let sub = format!(
            "Kỳ {} · Công bố số {} lúc {}",
            r.round,
            r.id,
            vietnam_time(r.published_at)
        );
        self.ts.show(&mut c, MARGIN, y, 8.5, &sub);
        if let Some(p) = position {
            y -= 16.0;
            let line = format!("Vị trí {} – {} · Chỉ tiêu: {}", p.code, p.name, p.quota);
            self.ts.show(&mut c, MARGIN, y, 11.0, &line);
        }
        *self.page() = c;
        self.y = y - 10.0;
    }

    fn table_header(&mut self, cols: &[Column]) {
        let top = self.y;
        let h = LINE + 6.0;
        let mut c = std::mem::replace(self.page(), Content::new());
        c.set_fill_rgb(0.9, 0.9, 0.9);
        c.rect(MARGIN, top - h, PAGE_W - 2.0 * MARGIN, h);
        c.fill_nonzero();
        c.set_fill_rgb(0.0, 0.0, 0.0);
        let mut x = MARGIN;
        for col in cols {
            self.ts
                .show(&mut c, x + 3.0, top - LINE - 1.0, BODY_SIZE, col.title);
            x += col.width;
        }
        *self.page() = c;
        self.y = top - h;
    }

    fn position(&mut self, p: &PublishedPosition) {
        let cols = columns();
        self.new_page(Some(p));
        self.table_header(&cols);
        if p.entries.is_empty() {
            let y = self.y - LINE - 2.0;
            let mut c = std::mem::replace(self.page(), Content::new());
            self.ts
                .show(&mut c, MARGIN + 3.0, y, BODY_SIZE, "Không có thí sinh.");
            *self.page() = c;
            return;
        }
        for e in &p.entries {
            let cells: Vec<Vec<String>> = cols
                .iter()
                .map(|col| self.ts.wrap(&(col.cell)(e), BODY_SIZE, col.width - 6.0))
                .collect();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1);
            let h = lines as f32 * LINE + 5.0;
            if self.y - h < TABLE_BOTTOM {
                self.new_page(Some(p));
                self.table_header(&cols);
            }
            let top = self.y;
            let mut c = std::mem::replace(self.page(), Content::new());
            let mut x = MARGIN;
            for (col, text) in cols.iter().zip(&cells) {
                for (i, line) in text.iter().enumerate() {
                    let tx = if col.right {
                        x + col.width - 3.0 - self.ts.width(line, BODY_SIZE)
                    } else {
                        x + 3.0
                    };
                    self.ts.show(
                        &mut c,
                        tx,
                        top - LINE * (i as f32 + 1.0) + 1.0,
                        BODY_SIZE,
                        line,
                    );
                }
                x += col.width;
            }
            c.set_line_width(0.4);
            c.move_to(MARGIN, top - h);
            c.line_to(PAGE_W - MARGIN, top - h);
            c.stroke();
            *self.page() = c;
            self.y = top - h;
        }
    }

    fn footers(&mut self) {
        let r = self.results;
        let total = self.pages.len();
        let hash = format!("SHA-256 của kết quả: {}", r.sha256);
        let head = format!("Đầu chuỗi nhật ký kiểm toán: {}", r.audit_head);
        let check = format!(
            "Đối chiếu: /api/v1/public/rounds/{}/publications/{}",
            r.round, r.id
        );
        for (i, page) in self.pages.iter_mut().enumerate() {
            let number = format!("Trang {} / {}", i + 1, total);
            self.ts.show(page, MARGIN, MARGIN + 12.0, 7.0, &hash);
            self.ts.show(page, MARGIN, MARGIN + 3.0, 7.0, &head);
            let w = self.ts.width(&check, 7.0);
            self.ts
                .show(page, PAGE_W - MARGIN - w, MARGIN + 12.0, 7.0, &check);
            let w = self.ts.width(&number, 7.0);
            self.ts
                .show(page, PAGE_W - MARGIN - w, MARGIN + 3.0, 7.0, &number);
        }
    }
}

/// The pages of the document, laid out, with the glyphs they use.
fn lay_out(r: &PublicResults) -> Result<(Typesetter, Vec<Content>), PdfError> {
    let mut layout = Layout {
        ts: Typesetter::new()?,
        pages: Vec::new(),
        results: r,
        y: 0.0,
    };
    if r.positions.is_empty() {
        layout.new_page(None);
    }
    for p in &r.positions {
        layout.position(p);
    }
    layout.footers();
    Ok((layout.ts, layout.pages))
}

/// The results as a PDF document.
pub fn results_pdf(r: &PublicResults) -> Result<Vec<u8>, PdfError> {
    let (ts, pages) = lay_out(r)?;

    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    // Fields are evaluated in the order written: the object numbers stay as they were.
    let font = FontRefs {
        type0: alloc(),
        cid: alloc(),
        descriptor: alloc(),
        font_file: alloc(),
        cmap: alloc(),
    };
    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_refs.iter().map(|(p, _)| *p))
        .count(i32::try_from(page_refs.len()).unwrap_or(i32::MAX));
    for ((page_ref, content_ref), content) in page_refs.iter().zip(pages) {
        let mut page = pdf.page(*page_ref);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(*content_ref);
        page.resources().fonts().pair(FONT_RES, font.type0);
        page.finish();
        let data = deflate(&content.finish())?;
        pdf.stream(*content_ref, &data).filter(Filter::FlateDecode);
    }

    pdf.document_info(info)
        .title(TextStr(&format!("Kết quả thi tuyển – {}", r.round_name)))
        .subject(TextStr(&format!(
            "SHA-256 {} audit-head {} publication {} round {}",
            r.sha256, r.audit_head, r.id, r.round
        )))
        .creator(TextStr("thituyen"));

    embed_font(&mut pdf, &ts, &font)?;
    Ok(pdf.finish())
}

/// The objects of the embedded font.
struct FontRefs {
    type0: Ref,
    cid: Ref,
    descriptor: Ref,
    font_file: Ref,
    cmap: Ref,
}

/// Embeds the font as a composite (Type0 over CIDFontType2) with the widths of the glyphs
/// used and a ToUnicode map, so the text can be searched and copied.
fn embed_font(pdf: &mut Pdf, ts: &Typesetter, refs: &FontRefs) -> Result<(), PdfError> {
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(refs.type0)
        .base_font(Name(FONT_NAME))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(refs.cid)
        .to_unicode(refs.cmap);
    let scale = 1000.0 / ts.units;
    {
        let mut font = pdf.cid_font(refs.cid);
        font.subtype(CidFontType::Type2)
            .base_font(Name(FONT_NAME))
            .system_info(system_info)
            .font_descriptor(refs.descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let mut widths = font.widths();
        for (cid, (_, glyph)) in &ts.used {
            widths.consecutive(*cid, [ts.advance(*glyph) * scale]);
        }
        widths.finish();
        font.finish();
    }
    let face = &ts.face;
    let bbox = face.global_bounding_box();
    pdf.font_descriptor(refs.descriptor)
        .name(Name(FONT_NAME))
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            f32::from(bbox.x_min) * scale,
            f32::from(bbox.y_min) * scale,
            f32::from(bbox.x_max) * scale,
            f32::from(bbox.y_max) * scale,
        ))
        .italic_angle(0.0)
        .ascent(f32::from(face.ascender()) * scale)
        .descent(f32::from(face.descender()) * scale)
        .cap_height(f32::from(face.capital_height().unwrap_or(face.ascender())) * scale)
        .stem_v(80.0)
        .font_file2(refs.font_file);
    let subset = subsetter::subset(FONT_DATA, 0, &ts.subset)
        .map_err(|e| PdfError::Font(format!("subsetting: {e:?}")))?;
    pdf.stream(refs.font_file, &deflate(&subset)?)
        .filter(Filter::FlateDecode)
        .pair(
            Name(b"Length1"),
            i32::try_from(subset.len()).unwrap_or(i32::MAX),
        );
    let mut cmap = UnicodeCmap::new(Name(b"DejaVuSans-UTF16"), system_info);
    for (cid, (c, _)) in &ts.used {
        cmap.pair(*cid, *c);
    }
    pdf.cmap(refs.cmap, &cmap.finish());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entry(rank: Option<u32>, name: &str, outcome: &str, reason: &str) -> RankingEntryView {
        RankingEntryView {
            application_id: 7,
            full_name: name.into(),
            raw_score: Some("78.00".into()),
            priority_points: "2.50".into(),
            total: Some("80.50".into()),
            rank,
            outcome: outcome.into(),
            agency: Some("STC".into()),
            reason: reason.into(),
            reason_en: String::new(),
        }
    }

    fn results(rows: usize) -> PublicResults {
        PublicResults {
            id: 3,
            round: "HP-2026".into(),
            round_name: "Thi tuyển công chức Hải Phòng năm 2026".into(),
            published_at: chrono::Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap(),
            sha256: "ab".repeat(32),
            audit_head: "cd".repeat(32),
            positions: vec![PublishedPosition {
                code: "CV-TCKT".into(),
                name: "Chuyên viên tài chính – kế toán".into(),
                quota: 2,
                status: "final".into(),
                entries: (0..rows)
                    .map(|i| entry(Some(i as u32 + 1), "Nguyễn Thị Thu Hường", "winner",
                        "Trúng tuyển: tổng điểm 80,50 trong chỉ tiêu, xếp vào cơ quan được đăng ký đầu tiên còn chỗ (VN-10, VN-13)"))
                    .collect(),
            }],
        }
    }

    #[test]
    fn vietnamese_letters_have_glyphs_in_the_embedded_font() {
        let ts = Typesetter::new().unwrap();
        for c in "ẮẰẲẴẶắằẳẵặƯưỨừỰựĐđỄễỘộ".chars() {
            assert_ne!(ts.glyph(c).0, 0, "{c}");
        }
        // Decomposed input (e + combining marks) is composed before lookup.
        let mut ts = Typesetter::new().unwrap();
        assert_eq!(ts.encode("e\u{0302}\u{0301}"), ts.encode("ế"));
        assert_eq!(ts.encode("ế").len(), 2);
    }

    #[test]
    fn long_text_wraps_within_the_column() {
        let ts = Typesetter::new().unwrap();
        let text =
            "Không đủ điều kiện trúng tuyển: điểm thi dưới 50 (VN-10), điểm ưu tiên không bù";
        let lines = ts.wrap(text, BODY_SIZE, 120.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| ts.width(l, BODY_SIZE) <= 120.0));
        assert_eq!(lines.join(" "), text);
        assert_eq!(ts.wrap("", BODY_SIZE, 50.0), vec![String::new()]);
    }

    #[test]
    fn the_document_embeds_the_font_and_carries_the_hash() {
        let pdf = results_pdf(&results(3)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/FontFile2"));
        assert!(text.contains("/DejaVuSans"));
        assert!(text.contains(&"ab".repeat(32)));
        assert!(text.contains(&"cd".repeat(32)));
        assert!(text.contains("/Count 1"));
    }

    /// Only the glyphs used are embedded: the whole font compressed is 373 KiB.
    #[test]
    fn the_font_embedded_holds_only_the_glyphs_used() {
        let small = results_pdf(&results(3)).unwrap();
        let large = results_pdf(&results(400)).unwrap();
        println!(
            "PDF of 3 rows: {} bytes; of 400 rows: {} bytes",
            small.len(),
            large.len()
        );
        assert!(small.len() < 60 * 1024, "{} bytes", small.len());
        assert!(large.len() < 200 * 1024, "{} bytes", large.len());
    }

    #[test]
    fn every_page_shows_the_hash_and_the_audit_head() {
        let (ts, pages) = lay_out(&results(120)).unwrap();
        let with = |needle: &str| ts.shown.iter().filter(|t| t.contains(needle)).count();
        assert_eq!(with(&"ab".repeat(32)), pages.len());
        assert_eq!(with(&"cd".repeat(32)), pages.len());
        assert_eq!(with("Nguyễn Thị Thu Hường"), 120);
        assert_eq!(with(&format!("Trang {} / {}", pages.len(), pages.len())), 1);
    }

    #[test]
    fn a_long_list_continues_on_further_pages() {
        let (_, pages) = lay_out(&results(3)).unwrap();
        assert_eq!(pages.len(), 1);
        let (_, pages) = lay_out(&results(120)).unwrap();
        assert!(pages.len() >= 5, "{} pages", pages.len());
    }
}
