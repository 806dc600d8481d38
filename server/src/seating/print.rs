//! What HR prints for a session: one admission ticket (*giấy báo dự thi*) per candidate and the
//! room's seat list (*danh sách thí sinh theo phòng thi*) as HTML for the browser's print dialog,
//! and the seat list as an xlsx workbook. Pure: data in, bytes out.
//!
//! Times are printed in Vietnam time (UTC+7), dates as dd/mm/yyyy; every value from the
//! database is HTML-escaped. The session access code is never printed (VN-21); a candidate's
//! PIN is printed on that candidate's admission ticket only, never on the room's seat list.

use chrono::{DateTime, NaiveDate, Utc};
use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};
use std::fmt::Write;

use crate::markup::escape;
use crate::vietnam_time::{vietnam_date, vietnam_time};

/// One seat of a printed list or admission ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedSeat {
    pub seat: i32,
    pub ticket_no: String,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub position_code: String,
    pub position_name: String,
    /// The PIN issued with the ticket; `None` once a supervisor re-issued it (the new one was
    /// given to the candidate in the room).
    pub pin: Option<String>,
}

/// Everything printed for one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedSession {
    pub round_name: String,
    pub exam_name: String,
    pub session_code: String,
    pub room: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    /// Minutes after the start a candidate may still be admitted (VN-22).
    pub late_minutes: i64,
    /// By seat.
    pub seats: Vec<PrintedSeat>,
}

fn position(seat: &PrintedSeat) -> String {
    if seat.position_name.is_empty() {
        seat.position_code.clone()
    } else {
        format!("{} – {}", seat.position_code, seat.position_name)
    }
}

pub const STYLE: &str = r#"
*{box-sizing:border-box}
body{font-family:"Times New Roman",Times,serif;font-size:13pt;color:#000;margin:0;background:#eee}
.page{background:#fff;width:210mm;min-height:148mm;margin:8mm auto;padding:12mm 16mm}
.nation{text-align:center;font-weight:bold;line-height:1.35}
.nation small{display:block;font-weight:normal;text-decoration:underline}
h1{text-align:center;font-size:18pt;margin:8mm 0 2mm}
.sub{text-align:center;margin:0 0 6mm}
table.fields{border-collapse:collapse;width:100%}
table.fields th{text-align:left;font-weight:normal;width:38%;padding:1.5mm 0;vertical-align:top}
table.fields td{font-weight:bold;padding:1.5mm 0}
.ticket-no{font-size:20pt;letter-spacing:1px}
.notes{margin-top:6mm;font-size:11.5pt}
.notes ol{margin:1mm 0 0;padding-left:6mm}
table.list{border-collapse:collapse;width:100%;font-size:12pt}
table.list th,table.list td{border:1px solid #000;padding:1.5mm 2mm;text-align:left}
table.list thead{display:table-header-group}
table.list td.sign{width:28mm}
table.list tr{page-break-inside:avoid;break-inside:avoid}
.signatures{display:flex;justify-content:space-around;margin-top:10mm;text-align:center}
.signatures div{width:40%}
@media print{
  body{background:#fff}
  .page{margin:0;width:auto;min-height:0;padding:10mm 14mm;page-break-after:always;break-after:page}
  .page:last-child{page-break-after:auto;break-after:auto}
}
"#;

fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

const NATION: &str = "<div class=\"nation\">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\
    <small>Độc lập – Tự do – Hạnh phúc</small></div>\n";

/// One admission ticket per candidate, one printed page each.
pub fn admission_tickets_html(s: &PrintedSession) -> String {
    let mut body = String::new();
    for seat in &s.seats {
        let _ = write!(
            body,
            "<section class=\"page ticket\">\n{NATION}<h1>GIẤY BÁO DỰ THI</h1>\n\
             <p class=\"sub\">{round}<br>{exam}</p>\n<table class=\"fields\">\n\
             <tr><th>Họ và tên:</th><td class=\"name\">{name}</td></tr>\n\
             <tr><th>Ngày sinh:</th><td>{dob}</td></tr>\n\
             <tr><th>Số báo danh:</th><td class=\"ticket-no\">{ticket}</td></tr>\n\
             <tr><th>Mã PIN cá nhân:</th><td class=\"pin\">{pin}</td></tr>\n\
             <tr><th>Vị trí dự tuyển:</th><td>{position}</td></tr>\n\
             <tr><th>Ca thi:</th><td>{code}</td></tr>\n\
             <tr><th>Phòng thi:</th><td>{room}</td></tr>\n\
             <tr><th>Số ghế:</th><td>{seat_no}</td></tr>\n\
             <tr><th>Thời gian bắt đầu:</th><td>{time}</td></tr>\n\
             <tr><th>Thời gian làm bài:</th><td>{minutes} phút</td></tr>\n\
             </table>\n<div class=\"notes\"><strong>Lưu ý thí sinh:</strong><ol>\n\
             <li>Có mặt tại phòng thi trước giờ bắt đầu ít nhất 30 phút; mang theo giấy báo dự thi \
             này và căn cước (hoặc giấy tờ tùy thân có ảnh).</li>\n\
             <li>Đến muộn quá {late} phút sau giờ bắt đầu chỉ được vào phòng thi khi giám thị cho phép.</li>\n\
             <li>Đăng nhập bằng số báo danh, mã ca thi và mã PIN cá nhân in trên giấy này; mã ca thi \
             do giám thị công bố tại phòng thi khi bắt đầu ca thi. Không cho người khác biết mã PIN.</li>\n\
             <li>Không mang điện thoại, thiết bị thu phát, tài liệu vào phòng thi; ngồi đúng số ghế.</li>\n\
             </ol></div>\n</section>\n",
            round = escape(&s.round_name),
            exam = escape(&s.exam_name),
            name = escape(&seat.full_name),
            dob = vietnam_date(seat.date_of_birth),
            ticket = escape(&seat.ticket_no),
            pin = seat.pin.as_deref().map_or_else(
                || "đã cấp lại – hỏi giám thị".to_string(),
                escape
            ),
            position = escape(&position(seat)),
            code = escape(&s.session_code),
            room = escape(&s.room),
            seat_no = seat.seat,
            time = vietnam_time(s.starts_at),
            minutes = s.duration_minutes,
            late = s.late_minutes,
        );
    }
    if s.seats.is_empty() {
        body.push_str("<section class=\"page\"><p>Ca thi chưa có thí sinh.</p></section>\n");
    }
    document(
        &format!("Giấy báo dự thi – {} – {}", s.session_code, s.room),
        &body,
    )
}

/// The room's list: seat, ticket, name, date of birth, position and a column to sign.
pub fn seat_list_html(s: &PrintedSession) -> String {
    let mut rows = String::new();
    for seat in &s.seats {
        let _ = writeln!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"sign\"></td></tr>",
            seat.seat,
            escape(&seat.ticket_no),
            escape(&seat.full_name),
            vietnam_date(seat.date_of_birth),
            escape(&position(seat)),
        );
    }
    let body = format!(
        "<section class=\"page list\">\n{NATION}<h1>DANH SÁCH THÍ SINH THEO PHÒNG THI</h1>\n\
         <p class=\"sub\">{round}<br>{exam}<br>Ca thi: {code} · Phòng thi: {room}<br>\
         Bắt đầu: {time} · {minutes} phút</p>\n\
         <table class=\"list\">\n<thead><tr><th>Số ghế</th><th>Số báo danh</th><th>Họ và tên</th>\
         <th>Ngày sinh</th><th>Vị trí dự tuyển</th><th>Chữ ký</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n\
         <p>Số thí sinh: {count}. Có mặt: ……… Vắng: ………</p>\n\
         <div class=\"signatures\"><div>GIÁM THỊ 1<br><em>(ký, ghi rõ họ tên)</em></div>\
         <div>GIÁM THỊ 2<br><em>(ký, ghi rõ họ tên)</em></div></div>\n</section>\n",
        round = escape(&s.round_name),
        exam = escape(&s.exam_name),
        code = escape(&s.session_code),
        room = escape(&s.room),
        time = vietnam_time(s.starts_at),
        minutes = s.duration_minutes,
        count = s.seats.len(),
    );
    document(
        &format!("Danh sách phòng thi – {} – {}", s.session_code, s.room),
        &body,
    )
}

/// The column headers of the xlsx seat list (row 1); one row per seat follows.
pub const SEAT_LIST_COLUMNS: [&str; 6] = [
    "Số ghế",
    "Số báo danh",
    "Họ và tên",
    "Ngày sinh",
    "Vị trí dự tuyển",
    "Chữ ký",
];

/// The seat list as a workbook: column headers on row 1 (repeated on every printed page), one
/// row per seat; round, session, room and start in the printed page header.
pub fn seat_list_xlsx(s: &PrintedSession) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Danh sách")?;
    let head = Format::new().set_bold().set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin);
    for (c, title) in SEAT_LIST_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *title, &head)?;
    }
    for (r, seat) in s.seats.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_number_with_format(r, 0, f64::from(seat.seat), &cell)?;
        sheet.write_string_with_format(r, 1, &seat.ticket_no, &cell)?;
        sheet.write_string_with_format(r, 2, &seat.full_name, &cell)?;
        sheet.write_string_with_format(r, 3, vietnam_date(seat.date_of_birth), &cell)?;
        sheet.write_string_with_format(r, 4, position(seat), &cell)?;
        sheet.write_string_with_format(r, 5, "", &cell)?;
    }
    for (c, width) in [8.0, 14.0, 30.0, 12.0, 36.0, 18.0].into_iter().enumerate() {
        sheet.set_column_width(c as u16, width)?;
    }
    // '&' starts a control code in page headers; a literal one is written '&&'.
    let header = format!(
        "&C&B{}&B\n{} – Ca thi {} – {}\n{}",
        s.round_name.replace('&', "&&"),
        s.exam_name.replace('&', "&&"),
        s.session_code.replace('&', "&&"),
        s.room.replace('&', "&&"),
        vietnam_time(s.starts_at).replace('&', "&&"),
    );
    sheet.set_header(&header);
    sheet.set_footer("&CTrang &P / &N");
    sheet.set_repeat_rows(0, 0)?;
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_paper_size(9); // A4
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn session() -> PrintedSession {
        PrintedSession {
            round_name: "Tuyển dụng công chức 2026 <Hải Phòng>".into(),
            exam_name: "Vòng 1 & Kiến thức chung".into(),
            session_code: "CA-02".into(),
            room: "Phòng 3".into(),
            starts_at: Utc.with_ymd_and_hms(2026, 6, 15, 0, 30, 0).unwrap(),
            duration_minutes: 60,
            late_minutes: 10,
            seats: vec![
                PrintedSeat {
                    seat: 1,
                    ticket_no: "0002001".into(),
                    full_name: "Nguyễn Thị \"Lan\" <b>".into(),
                    date_of_birth: NaiveDate::from_ymd_opt(1998, 3, 9).unwrap(),
                    position_code: "KT".into(),
                    position_name: "Kế toán".into(),
                    pin: Some("314159".into()),
                },
                PrintedSeat {
                    seat: 2,
                    ticket_no: "0002002".into(),
                    full_name: "Trần Văn Bình".into(),
                    date_of_birth: NaiveDate::from_ymd_opt(2000, 12, 31).unwrap(),
                    position_code: "VP".into(),
                    position_name: String::new(),
                    pin: None,
                },
            ],
        }
    }

    #[test]
    fn admission_tickets_escape_names_and_break_the_page_per_ticket() {
        let html = admission_tickets_html(&session());
        assert_eq!(html.matches("GIẤY BÁO DỰ THI</h1>").count(), 2);
        assert!(html.contains("Nguyễn Thị &quot;Lan&quot; &lt;b&gt;"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;Hải Phòng&gt;"));
        assert!(html.contains("Vòng 1 &amp; Kiến thức chung"));
        assert!(html.contains("09/03/1998"));
        assert!(html.contains("07:30 ngày 15/06/2026"));
        assert!(html.contains("KT – Kế toán"));
        assert!(html.contains("page-break-after:always"));
        assert!(html.contains("quá 10 phút"));
        assert!(html.contains("<td class=\"pin\">314159</td>"));
        assert!(html.contains("đã cấp lại – hỏi giám thị"));
    }

    #[test]
    fn the_seat_list_has_a_row_and_a_signature_cell_per_seat() {
        let html = seat_list_html(&session());
        assert_eq!(html.matches("<td class=\"sign\"></td>").count(), 2);
        assert!(
            html.contains("<td>0002002</td><td>Trần Văn Bình</td><td>31/12/2000</td><td>VP</td>")
        );
        assert!(html.contains("Số thí sinh: 2."));
        assert!(
            !html.contains("314159"),
            "a PIN is never on the room's list"
        );
    }

    #[test]
    fn the_seat_list_workbook_reads_back_row_by_row() {
        use calamine::{Data, Reader, Xlsx};
        let bytes = seat_list_xlsx(&session()).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Danh sách").unwrap();
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Float(f) => format!("{f}"),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[0][..5],
            SEAT_LIST_COLUMNS[..5]
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()[..]
        );
        assert_eq!(
            rows[1][..4],
            ["1", "0002001", "Nguyễn Thị \"Lan\" <b>", "09/03/1998"]
        );
        assert_eq!(rows[2][4], "VP");
    }
}
