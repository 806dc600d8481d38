//! The published results as a workbook: a first sheet *Thông tin* with the round, the
//! publication, its SHA-256 and the audit-chain head, then one sheet per position (named by
//! its code) with one row per ranking entry, in the published order.

use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};
use std::collections::HashSet;
use std::str::FromStr;

use super::{outcome_vi, rank_text, PublicResults};
use crate::vietnam_time::vietnam_time;

/// The columns of a position sheet.
pub const COLUMNS: [&str; 10] = [
    "Hạng",
    "Mã hồ sơ",
    "Họ và tên",
    "Điểm thi",
    "Điểm ưu tiên",
    "Tổng điểm",
    "Kết quả",
    "Mã kết quả",
    "Cơ quan",
    "Lý do",
];

/// A sheet name Excel accepts (at most 31 characters, none of `[]:*?/\`), unique in the book.
fn sheet_name(code: &str, taken: &mut HashSet<String>) -> String {
    let base: String = code
        .chars()
        .map(|c| if "[]:*?/\\'".contains(c) { '-' } else { c })
        .take(28)
        .collect();
    let base = if base.trim().is_empty() {
        "Vi tri".to_string()
    } else {
        base
    };
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.to_lowercase()) {
        name = format!("{base}~{n}");
        n += 1;
    }
    name
}

/// Writes a decimal string as a number shown with 2 places, or an empty cell.
fn write_decimal(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    value: Option<&str>,
    format: &Format,
) -> Result<(), XlsxError> {
    match value.and_then(|v| f64::from_str(v).ok()) {
        Some(n) => sheet.write_number_with_format(row, col, n, format)?,
        None => sheet.write_string_with_format(row, col, "", format)?,
    };
    Ok(())
}

pub fn results_xlsx(r: &PublicResults) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let head = Format::new().set_bold().set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin);
    let score = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0.00");
    let mut taken = HashSet::new();
    taken.insert("thông tin".to_string());

    let info = workbook.add_worksheet();
    info.set_name("Thông tin")?;
    let rows: [(&str, String); 7] = [
        ("Kỳ tuyển dụng", r.round_name.clone()),
        ("Mã kỳ", r.round.clone()),
        ("Số công bố", r.id.to_string()),
        ("Công bố lúc", vietnam_time(r.published_at)),
        ("SHA-256 của kết quả", r.sha256.clone()),
        ("Đầu chuỗi nhật ký kiểm toán", r.audit_head.clone()),
        (
            "Đối chiếu tại",
            format!("/api/v1/public/rounds/{}/publications/{}", r.round, r.id),
        ),
    ];
    for (i, (k, v)) in rows.iter().enumerate() {
        info.write_string_with_format(i as u32, 0, *k, &head)?;
        info.write_string_with_format(i as u32, 1, v, &cell)?;
    }
    info.set_column_width(0, 30.0)?;
    info.set_column_width(1, 70.0)?;

    for p in &r.positions {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(&p.code, &mut taken))?;
        for (c, title) in COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *title, &head)?;
        }
        for (i, e) in p.entries.iter().enumerate() {
            let row = i as u32 + 1;
            match e.rank {
                Some(rank) => sheet.write_number_with_format(row, 0, f64::from(rank), &cell)?,
                None => sheet.write_string_with_format(row, 0, rank_text(e), &cell)?,
            };
            sheet.write_number_with_format(row, 1, e.application_id as f64, &cell)?;
            sheet.write_string_with_format(row, 2, &e.full_name, &cell)?;
            write_decimal(sheet, row, 3, e.raw_score.as_deref(), &score)?;
            write_decimal(sheet, row, 4, Some(&e.priority_points), &score)?;
            write_decimal(sheet, row, 5, e.total.as_deref(), &score)?;
            sheet.write_string_with_format(row, 6, outcome_vi(&e.outcome), &cell)?;
            sheet.write_string_with_format(row, 7, &e.outcome, &cell)?;
            sheet.write_string_with_format(row, 8, e.agency.as_deref().unwrap_or(""), &cell)?;
            sheet.write_string_with_format(row, 9, &e.reason, &cell)?;
        }
        for (c, width) in [6.0, 10.0, 28.0, 10.0, 12.0, 10.0, 26.0, 14.0, 12.0, 60.0]
            .into_iter()
            .enumerate()
        {
            sheet.set_column_width(c as u16, width)?;
        }
        // '&' starts a control code in page headers; a literal one is written '&&'.
        sheet.set_header(format!(
            "&C&B{}&B\n{} – {} (chỉ tiêu {})",
            r.round_name.replace('&', "&&"),
            p.code.replace('&', "&&"),
            p.name.replace('&', "&&"),
            p.quota
        ));
        sheet.set_footer(format!("&LSHA-256: {}&RTrang &P / &N", r.sha256));
        sheet.set_repeat_rows(0, 0)?;
        sheet.set_landscape();
        sheet.set_print_fit_to_pages(1, 0);
        sheet.set_paper_size(9); // A4
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut taken = HashSet::new();
        taken.insert("thông tin".to_string());
        assert_eq!(sheet_name("CV-01", &mut taken), "CV-01");
        assert_eq!(sheet_name("cv-01", &mut taken), "cv-01~2");
        assert_eq!(sheet_name("A/B:C", &mut taken), "A-B-C");
        assert_eq!(sheet_name("Thông tin", &mut taken), "Thông tin~2");
        assert!(sheet_name(&"X".repeat(40), &mut taken).chars().count() <= 31);
    }
}
