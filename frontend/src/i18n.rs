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
