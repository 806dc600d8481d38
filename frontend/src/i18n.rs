//! Vietnamese-first translations. The language lives in a cookie so the server renders the
//! page in the language the browser will hydrate it in.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn from_cookie_header(cookies: &str) -> Lang {
        cookies
            .split(';')
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == "lang")
            .map(|(_, v)| if v.trim() == "en" { Lang::En } else { Lang::Vi })
            .unwrap_or(Lang::Vi)
    }
}

/// The language of this request (server) or of this page (browser).
pub fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| {
                p.headers
                    .get(http::header::COOKIE)
                    .and_then(|v| v.to_str().ok())
                    .map(Lang::from_cookie_header)
            })
            .unwrap_or(Lang::Vi)
    }
    #[cfg(not(feature = "ssr"))]
    {
        crate::session::cookies()
            .map(|c| Lang::from_cookie_header(&c))
            .unwrap_or(Lang::Vi)
    }
}

pub fn provide_lang() -> RwSignal<Lang> {
    let lang = RwSignal::new(initial_lang());
    provide_context(lang);
    lang
}

pub fn use_lang() -> RwSignal<Lang> {
    use_context::<RwSignal<Lang>>().unwrap_or_else(|| RwSignal::new(Lang::Vi))
}

/// Translation of `key` in `lang`; an unknown key shows itself so a gap is visible, not blank.
pub fn tr(lang: Lang, key: &'static str) -> &'static str {
    let (vi, en) = match key {
        "app.name" => ("Thi tuyển công chức", "Civil-service recruitment exams"),
        "app.tagline" => (
            "Nền tảng thi tuyển công chức trên máy vi tính",
            "Computer-based civil-service recruitment platform",
        ),
        "lang.switch" => ("English", "Tiếng Việt"),
        "login.title" => ("Đăng nhập cán bộ", "Staff sign-in"),
        "login.username" => ("Tên đăng nhập", "Username"),
        "login.password" => ("Mật khẩu", "Password"),
        "login.submit" => ("Đăng nhập", "Sign in"),
        "login.busy" => ("Đang đăng nhập…", "Signing in…"),
        "login.failed" => (
            "Sai tên đăng nhập hoặc mật khẩu.",
            "Wrong username or password.",
        ),
        "login.throttled" => (
            "Quá nhiều lần thử. Vui lòng đợi rồi thử lại.",
            "Too many attempts. Please wait and try again.",
        ),
        "login.candidate_hint" => (
            "Thí sinh: đăng nhập tại máy thi bằng số báo danh và mã ca thi.",
            "Candidates: sign in at the exam computer with your ticket number and session code.",
        ),
        "error.network" => ("Không kết nối được máy chủ.", "Cannot reach the server."),
        "home.title" => ("Trang làm việc", "Workspace"),
        "home.signed_in_as" => ("Đăng nhập với tài khoản", "Signed in as"),
        "home.roles" => ("Vai trò", "Roles"),
        "home.can_do" => ("Bạn có thể", "You can"),
        "home.logout" => ("Đăng xuất", "Sign out"),
        "home.loading" => ("Đang tải…", "Loading…"),
        "home.need_login" => (
            "Phiên làm việc đã hết. Vui lòng đăng nhập lại.",
            "Your session has ended. Please sign in again.",
        ),
        "role.admin" => ("Quản trị hệ thống", "Administrator"),
        "role.author" => ("Ra đề (soạn câu hỏi)", "Item author"),
        "role.reviewer" => ("Phản biện, duyệt câu hỏi", "Item reviewer"),
        "role.hr" => ("Tổ chức cán bộ (nhân sự)", "HR officer"),
        "role.supervisor" => ("Giám thị", "Supervisor"),
        "role.marker" => ("Chấm thi", "Marker"),
        "role.chair" => ("Chủ tịch Hội đồng", "Council chair"),
        "cap.admin" => (
            "Tạo tài khoản cán bộ, phân quyền, kiểm tra nhật ký kiểm toán",
            "Create staff accounts, grant roles, verify the audit log",
        ),
        "cap.author" => (
            "Soạn câu hỏi, nhập ngân hàng câu hỏi từ Excel, CSV, Moodle XML, GIFT, QTI",
            "Write items, import banks from Excel, CSV, Moodle XML, GIFT, QTI",
        ),
        "cap.reviewer" => (
            "Phản biện và duyệt câu hỏi của người khác, niêm phong ngân hàng",
            "Review and approve others' items, seal banks",
        ),
        "cap.hr" => (
            "Quản lý kỳ tuyển dụng, vị trí, chỉ tiêu, hồ sơ, ca thi; công bố kết quả",
            "Run rounds, positions, quotas, applications, sessions; publish results",
        ),
        "cap.supervisor" => (
            "Mở ca thi, theo dõi thí sinh, ghi sự cố, cho thi lại, gia hạn giờ",
            "Open sessions, monitor candidates, record incidents, grant re-sittings and extra time",
        ),
        "cap.marker" => (
            "Nhập điểm chấm vòng 2 (chấm hai vòng độc lập, phỏng vấn)",
            "Enter round-2 marks (double marking, interview panels)",
        ),
        "cap.chair" => (
            "Quyết định khi đồng điểm, hủy câu hỏi lỗi, phúc khảo",
            "Decide ties, void defective items, settle reviews",
        ),
        "exam.title" => ("Thi trắc nghiệm trên máy vi tính", "Computer-based test"),
        "exam.ticket" => ("Số báo danh", "Ticket number"),
        "exam.code" => ("Mã ca thi", "Session code"),
        "exam.pin" => (
            "Mã PIN (nếu có trên giấy báo dự thi)",
            "PIN (if printed on your admission ticket)",
        ),
        "exam.enter" => ("Vào thi", "Enter"),
        "exam.login_failed" => (
            "Số báo danh hoặc mã ca thi không đúng.",
            "Wrong ticket number or session code.",
        ),
        "exam.late" => (
            "Bạn đến muộn quá thời gian cho phép. Vui lòng báo giám thị.",
            "You are later than allowed. Please call the supervisor.",
        ),
        "exam.waiting" => ("Ca thi sẽ bắt đầu sau", "The session starts in"),
        "exam.waiting_note" => (
            "Đồng hồ do máy chủ tính; bài thi tự hiện khi đến giờ.",
            "The server keeps the time; the paper appears at the start.",
        ),
        "exam.remaining" => ("Thời gian còn lại", "Time left"),
        "exam.question" => ("Câu", "Question"),
        "exam.prev" => ("← Câu trước", "← Previous"),
        "exam.next" => ("Câu sau →", "Next →"),
        "exam.flag" => ("Đánh dấu xem lại", "Flag for review"),
        "exam.unflag" => ("Bỏ đánh dấu", "Remove flag"),
        "exam.answer_here" => ("Nhập câu trả lời", "Type your answer"),
        "exam.saved" => ("Đã lưu", "Saved"),
        "exam.saving" => ("Đang lưu…", "Saving…"),
        "exam.unsaved" => ("Chưa lưu được – đang thử lại", "Not saved yet – retrying"),
        "exam.all_saved" => (
            "Mọi câu trả lời đã được lưu trên máy chủ",
            "Every answer is saved on the server",
        ),
        "exam.map" => ("Bản đồ câu hỏi", "Question map"),
        "exam.legend" => (
            "Xanh: đã trả lời · Trắng: chưa trả lời · Vàng: đánh dấu",
            "Green: answered · White: unanswered · Yellow: flagged",
        ),
        "exam.font" => ("Cỡ chữ", "Text size"),
        "exam.submit" => ("Nộp bài", "Submit"),
        "exam.confirm_title" => ("Xác nhận nộp bài", "Confirm submission"),
        "exam.confirm_unanswered" => ("Các câu chưa trả lời:", "Unanswered questions:"),
        "exam.confirm_all" => (
            "Bạn đã trả lời tất cả các câu.",
            "You have answered every question.",
        ),
        "exam.confirm_yes" => ("Nộp bài", "Submit now"),
        "exam.confirm_no" => ("Quay lại làm bài", "Back to the test"),
        "exam.result" => ("Kết quả", "Result"),
        "exam.correct" => ("Số câu đúng", "Correct answers"),
        "exam.score" => ("Điểm", "Score"),
        "exam.passed" => ("ĐẠT", "PASSED"),
        "exam.failed" => ("KHÔNG ĐẠT", "NOT PASSED"),
        "exam.receipt" => (
            "Mã xác nhận bài làm (SHA-256)",
            "Answer-sheet receipt (SHA-256)",
        ),
        "exam.closed_by_clock" => (
            "Hết giờ: hệ thống đã tự nộp bài.",
            "Time is up: the system submitted your answers.",
        ),
        "exam.locked" => (
            "Bạn đã đăng nhập trên máy khác. Trang này đã bị khóa.",
            "You signed in on another computer. This page is locked.",
        ),
        "exam.leave_warning" => (
            "Còn câu trả lời chưa lưu.",
            "Some answers are not saved yet.",
        ),
        "exam.keys" => (
            "Phím tắt: ←/→ chuyển câu, A–D hoặc 1–4 chọn đáp án, F đánh dấu",
            "Keys: ←/→ move, A–D or 1–4 choose, F flag",
        ),
        "sup.title" => ("Giám thị: theo dõi ca thi", "Supervisor: session console"),
        "sup.session" => ("Mã số ca thi", "Session number"),
        "sup.load" => ("Xem danh sách", "Show roster"),
        "sup.open_code" => ("Công bố mã ca thi", "Open the session code"),
        "sup.reason" => (
            "Lý do (bắt buộc, được ghi vào nhật ký)",
            "Reason (required, kept in the audit log)",
        ),
        "sup.starts" => ("Giờ bắt đầu", "Starts at"),
        "sup.opened" => ("đã công bố mã", "code opened"),
        "sup.seat" => ("Chỗ", "Seat"),
        "sup.name" => ("Họ và tên", "Full name"),
        "sup.status" => ("Trạng thái", "Status"),
        "sup.logins" => ("Lần đăng nhập", "Logins"),
        "sup.answered" => ("Đã trả lời", "Answered"),
        "sup.last_save" => ("Lưu gần nhất", "Last save"),
        "sup.actions" => ("Xử lý", "Actions"),
        "sup.admit" => ("Cho vào muộn", "Admit late"),
        "sup.resit" => ("Thi lại (hỏng máy)", "Re-sit (machine failure)"),
        "sup.incident" => ("Ghi sự cố", "Record incident"),
        "sup.reprimand" => ("Khiển trách", "Reprimand"),
        "sup.warning" => ("Cảnh cáo", "Warning"),
        "status.waiting" => ("chờ giờ thi", "waiting"),
        "status.open" => ("đang thi", "sitting"),
        "status.submitted" => ("đã nộp bài", "submitted"),
        "status.closed" => ("hết giờ", "closed"),
        "status.void" => ("hủy (thi lại)", "void (re-sat)"),
        "notfound.title" => ("Không tìm thấy trang", "Page not found"),
        "notfound.back" => ("Về trang đăng nhập", "Back to sign-in"),
        _ => (key, key),
    };
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// Reactive translation for use in views: `{t("login.title")}`.
pub fn t(key: &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || tr(lang.get(), key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_is_the_default_language() {
        assert_eq!(Lang::from_cookie_header(""), Lang::Vi);
        assert_eq!(Lang::from_cookie_header("a=1; lang=en"), Lang::En);
        assert_eq!(tr(Lang::Vi, "login.submit"), "Đăng nhập");
    }
}
