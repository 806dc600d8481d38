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
            "Mã PIN (in trên giấy báo dự thi)",
            "PIN (printed on your admission ticket)",
        ),
        "exam.move_waiting" => (
            "Bài thi đang mở trên một máy khác. Vui lòng báo giám thị để được chuyển sang máy này; \
             trang sẽ tự vào thi khi giám thị đồng ý.",
            "This sitting is open on another computer. Ask the supervisor to move it to this \
             computer; this page goes on as soon as it is approved.",
        ),
        "exam.refused" => ("Không thể vào thi:", "Sign-in refused:"),
        "exam.enter" => ("Vào thi", "Enter"),
        "exam.login_failed" => (
            "Số báo danh, mã ca thi hoặc mã PIN không đúng.",
            "Wrong ticket number, session code or PIN.",
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
        "sup.moves" => (
            "Đăng nhập từ máy khác, chờ giám thị duyệt",
            "Sign-ins from another computer, waiting for approval",
        ),
        "sup.move_from" => ("Máy đang làm bài", "Computer in use"),
        "sup.move_to" => ("Máy mới", "New computer"),
        "sup.approve_move" => ("Cho chuyển máy", "Approve the move"),
        "sup.new_pin" => ("Cấp lại PIN", "New PIN"),
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
        "home.go.hr" => ("Mở trang kỳ tuyển dụng", "Open recruitment rounds"),
        "home.go.supervisor" => ("Mở bàn giám thị", "Open the supervisor console"),
        "hr.rounds" => ("Kỳ tuyển dụng", "Recruitment rounds"),
        "hr.new_round" => ("Tạo kỳ tuyển dụng", "New recruitment round"),
        "hr.round_created" => ("Đã tạo kỳ tuyển dụng", "Round created:"),
        "hr.code" => ("Mã", "Code"),
        "hr.name" => ("Tên", "Name"),
        "hr.rule_set" => ("Bộ quy định áp dụng", "Rule set"),
        "hr.rules.vn-2025" => (
            "Nghị định 170/2025 (công chức, mặc định)",
            "Decree 170/2025 (civil servants, default)",
        ),
        "hr.rules.vn-2020" => (
            "Nghị định 138/2020 (công chức, quy định cũ)",
            "Decree 138/2020 (civil servants, former rules)",
        ),
        "hr.rules.vn-vc-2020" => (
            "Nghị định 115/2020 (viên chức)",
            "Decree 115/2020 (public employees)",
        ),
        "hr.one_application" => (
            "mỗi thí sinh chỉ nộp một phiếu đăng ký",
            "one application per candidate",
        ),
        "hr.opens" => ("Ngày bắt đầu nhận phiếu", "Applications open on"),
        "hr.round1_on" => ("Ngày thi vòng 1", "Round 1 on"),
        "hr.round2_on" => ("Ngày thi vòng 2", "Round 2 on"),
        "hr.create" => ("Tạo", "Create"),
        "hr.tab.dashboard" => ("Tổng quan", "Dashboard"),
        "hr.tab.positions" => ("Vị trí việc làm", "Positions"),
        "hr.tab.applications" => ("Phiếu đăng ký", "Applications"),
        "hr.tab.import" => ("Nhập từ tệp", "Import"),
        "hr.tab.sessions" => ("Ca thi", "Sessions"),
        "hr.applications" => ("Số phiếu đăng ký", "Applications"),
        "hr.eligible" => ("Đủ điều kiện", "Eligible"),
        "hr.ineligible" => ("Không đủ điều kiện", "Ineligible"),
        "hr.pending" => ("Chưa xét", "Not checked"),
        "hr.today" => ("Hôm nay", "Today"),
        "hr.per_position" => ("Theo vị trí việc làm", "Per position"),
        "hr.quota" => ("Chỉ tiêu", "Quota"),
        "hr.ratio" => ("Tỷ lệ chọi", "Competition ratio"),
        "hr.deadlines" => ("Các mốc thời hạn", "Deadlines"),
        "hr.deadlines_note" => (
            "Tính từ các ngày của kỳ tuyển dụng; mốc “ước tính” tính từ mốc trước khi chưa có ngày thực tế.",
            "Counted from the round's dates; an “estimated” date counts from the previous deadline while the real date is not recorded.",
        ),
        "hr.step" => ("Bước", "Step"),
        "hr.due_on" => ("Hạn chót", "Due on"),
        "hr.counting" => ("Cách tính", "Counted in"),
        "hr.estimated" => (" (ước tính)", " (estimated)"),
        "hr.working_days" => ("ngày làm việc", "working days"),
        "hr.calendar_days" => ("ngày", "calendar days"),
        "hr.dl.applications_close" => (
            "Kết thúc nhận phiếu đăng ký (30 ngày)",
            "Applications close (30 days)",
        ),
        "hr.dl.eligible_list" => (
            "Danh sách đủ điều kiện dự tuyển (15 ngày, 30 ngày nếu từ 500 thí sinh)",
            "List of eligible candidates (15 days, 30 with 500 applicants or more)",
        ),
        "hr.dl.round1" => (
            "Thi vòng 1 (trong 30 ngày sau khi hết hạn nhận phiếu)",
            "Round 1 (within 30 days of closing)",
        ),
        "hr.dl.round2" => (
            "Thi vòng 2 (trong 10 ngày sau vòng 1)",
            "Round 2 (within 10 days of round 1)",
        ),
        "hr.dl.results_approved" => (
            "Chấm thi và phê duyệt kết quả (5 + 5 ngày làm việc)",
            "Results marked and approved (5 + 5 working days)",
        ),
        "hr.dl.winners_published" => (
            "Thông báo người trúng tuyển (2 ngày làm việc)",
            "Winners published (2 working days)",
        ),
        "hr.dl.dossier" => (
            "Người trúng tuyển hoàn thiện hồ sơ (15 ngày)",
            "Winners complete their dossier (15 days)",
        ),
        "hr.dl.recruitment_decision" => (
            "Quyết định tuyển dụng (3 ngày làm việc)",
            "Recruitment decision (3 working days)",
        ),
        "hr.grade" => ("Ngạch", "Grade"),
        "hr.grade.chuyen_vien" => ("Chuyên viên", "Officer (chuyên viên)"),
        "hr.grade.can_su" => ("Cán sự", "Junior officer (cán sự)"),
        "hr.grade.nhan_vien" => ("Nhân viên", "Staff (nhân viên)"),
        "hr.grade.chuyen_vien_chinh" => ("Chuyên viên chính", "Principal officer"),
        "hr.grade.chuyen_vien_cao_cap" => ("Chuyên viên cao cấp", "Senior officer"),
        "hr.round2_form" => ("Hình thức thi vòng 2", "Round-2 form"),
        "hr.form.written" => ("Viết", "Written"),
        "hr.form.written_cbt" => ("Viết trên máy vi tính", "Written, on computer"),
        "hr.form.written_interview" => ("Viết và phỏng vấn", "Written and interview"),
        "hr.agencies" => ("Cơ quan sử dụng", "Employing agencies"),
        "hr.agencies_quota" => (
            "Cơ quan sử dụng và chỉ tiêu (chỉ tiêu của vị trí là tổng)",
            "Employing agencies and quotas (the position's quota is the sum)",
        ),
        "hr.agency_code" => ("Mã cơ quan", "Agency code"),
        "hr.agency_name" => ("Tên cơ quan", "Agency name"),
        "hr.add_agency" => ("+ Thêm cơ quan", "+ Add an agency"),
        "hr.quota_sum" => ("Tổng chỉ tiêu", "Total quota"),
        "hr.new_position" => ("Thêm vị trí việc làm", "New position"),
        "hr.position_created" => ("Đã thêm vị trí", "Position created:"),
        "hr.search" => ("Tìm theo tên hoặc số CCCD", "Search by name or ID number"),
        "hr.position" => ("Vị trí", "Position"),
        "hr.all" => ("Tất cả", "All"),
        "hr.eligibility" => ("Điều kiện dự tuyển", "Eligibility"),
        "hr.shown" => ("Đang hiển thị", "Showing"),
        "hr.full_name" => ("Họ và tên", "Full name"),
        "hr.dob" => ("Ngày sinh", "Date of birth"),
        "hr.gender" => ("Giới tính", "Gender"),
        "hr.male" => ("Nam", "Male"),
        "hr.female" => ("Nữ", "Female"),
        "hr.national_id" => ("Số CCCD/CMND", "National ID"),
        "hr.preferences" => ("Nguyện vọng", "Preferences"),
        "hr.preferences_hint" => (
            "Nguyện vọng cơ quan (bấm theo thứ tự ưu tiên, bấm lại để bỏ)",
            "Agency preferences (click in order of preference, click again to remove)",
        ),
        "hr.all_agencies" => (
            "Không chọn: tất cả cơ quan theo thứ tự trong kế hoạch",
            "None chosen: every agency, in plan order",
        ),
        "hr.priority" => ("Đối tượng ưu tiên", "Priority claims"),
        "hr.priority_groups" => (
            "Đối tượng ưu tiên (chỉ tính đối tượng cao nhất)",
            "Priority groups (only the highest counts)",
        ),
        "hr.exemptions" => ("Miễn thi ngoại ngữ", "Language exemptions"),
        "hr.points" => ("Điểm ưu tiên", "Priority points"),
        "hr.decide" => ("Xét duyệt", "Decision"),
        "hr.reason" => ("Lý do", "Reason"),
        "hr.mark_eligible" => ("Đủ điều kiện", "Eligible"),
        "hr.mark_ineligible" => ("Không đủ điều kiện", "Ineligible"),
        "hr.marked_eligible" => ("Đã xác nhận đủ điều kiện", "Marked eligible"),
        "hr.marked_ineligible" => ("Đã ghi không đủ điều kiện", "Marked ineligible"),
        "hr.mark_unproven" => (
            "Không có giấy tờ chứng minh: bỏ điểm ưu tiên này (ghi lý do)",
            "No proof: drop this claim's points (give a reason)",
        ),
        "hr.unproven_short" => ("✗ không chứng minh", "✗ unproven"),
        "hr.claim_unproven" => (
            "Đã ghi đối tượng ưu tiên không được chứng minh",
            "Priority claim marked unproven",
        ),
        "hr.new_application" => ("Thêm phiếu đăng ký (Mẫu 01)", "New application (Form 01)"),
        "hr.application_created" => ("Đã thêm phiếu đăng ký", "Application added"),
        "hr.ineligible_list" => (
            "Danh sách không đủ điều kiện dự tuyển",
            "Ineligible candidates",
        ),
        "hr.import_help" => (
            "Chọn tệp CSV hoặc Excel (.xlsx) theo mẫu, xem trước, rồi mới nhập. Tệp có lỗi thì không dòng nào được nhập.",
            "Choose a CSV or Excel (.xlsx) file in the template's layout, preview it, then import. A file with any error imports nothing.",
        ),
        "hr.template" => ("Tải tệp mẫu (CSV)", "Download the template (CSV)"),
        "hr.choose_file" => ("Chưa chọn tệp.", "No file chosen."),
        "hr.preview" => ("Xem trước", "Preview"),
        "hr.apply_import" => ("Nhập dữ liệu", "Import"),
        "hr.would_import" => ("Số phiếu sẽ được nhập:", "Applications that would be imported:"),
        "hr.imported" => ("Đã nhập số phiếu:", "Applications imported:"),
        "hr.import_refused" => (
            "Tệp có lỗi, không dòng nào được nhập.",
            "The file has errors; nothing was imported.",
        ),
        "hr.row" => ("Dòng", "Row"),
        "hr.exam" => ("Bài thi", "Exam"),
        "hr.load_sessions" => ("Xem các ca thi", "Show sessions"),
        "hr.assign" => ("Xếp ca, phòng, chỗ ngồi tự động", "Automatic assignment to sessions and seats"),
        "hr.assign_help" => (
            "Thí sinh đủ điều kiện được chia vào các ca theo sức chứa phòng; thí sinh cùng vị trí được xếp cách xa nhau. Giờ theo giờ Việt Nam.",
            "Eligible candidates are spread over the sessions within each room's capacity; candidates for the same position are seated apart. Times are Vietnam time.",
        ),
        "hr.session_code" => ("Mã ca", "Session code"),
        "hr.room" => ("Phòng thi", "Room"),
        "hr.seats" => ("Số chỗ", "Seats"),
        "hr.starts_at" => ("Giờ bắt đầu", "Starts at"),
        "hr.add_session" => ("+ Thêm ca thi", "+ Add a session"),
        "hr.assign_apply" => ("Xếp và lưu", "Assign and save"),
        "hr.assign_preview" => ("Xem trước: số thí sinh được xếp", "Preview: candidates seated"),
        "hr.assigned" => ("Đã xếp số thí sinh", "Candidates seated"),
        "hr.not_saved" => (" (xem trước, chưa lưu)", " (preview, not saved)"),
        "hr.print_tickets" => ("In giấy báo dự thi", "Print admission tickets"),
        "hr.print_seats" => ("In danh sách phòng thi", "Print the room list"),
        "hr.seats_xlsx" => ("Tải danh sách (xlsx)", "Download the list (xlsx)"),
        "hr.move_seat" => ("Đổi chỗ", "Move"),
        "hr.starts_missing" => ("Chưa nhập giờ bắt đầu của ca", "No start time for session"),
        "hr.move_reason" => ("Lý do", "Reason"),
        "hr.move_apply" => ("Chuyển", "Apply"),
        "hr.move_fill" => ("Chọn ca thi và nhập số ghế", "Choose a session and a seat number"),
        "hr.moved" => ("Đã đổi chỗ; số báo danh giữ nguyên", "Seat moved; the ticket number is unchanged"),
        "board.open" => ("Ngân hàng câu hỏi", "Question banks"),
        "board.banks" => ("Ngân hàng câu hỏi", "Question banks"),
        "board.code" => ("Mã", "Code"),
        "board.name" => ("Tên", "Name"),
        "board.items" => ("Số câu hỏi", "Items"),
        "board.created" => ("Ngày tạo", "Created"),
        "board.new_bank" => ("Tạo ngân hàng mới", "New bank"),
        "board.create" => ("Tạo", "Create"),
        "board.tab_items" => ("Câu hỏi", "Items"),
        "board.tab_review" => ("Hàng chờ duyệt", "Review queue"),
        "board.tab_import" => ("Nhập từ tệp", "Import"),
        "board.tab_seals" => ("Niêm phong", "Seals"),
        "board.topics" => ("Chủ đề", "Topics"),
        "board.all_topics" => ("Tất cả chủ đề", "All topics"),
        "board.search" => ("Tìm kiếm", "Search"),
        "board.search_hint" => (
            "Gõ có dấu hoặc không dấu, ví dụ: luat can bo",
            "With or without diacritics, e.g. luat can bo",
        ),
        "board.difficulty" => ("Độ khó", "Difficulty"),
        "board.any" => ("Tất cả", "Any"),
        "board.kind" => ("Loại câu hỏi", "Kind"),
        "board.status" => ("Trạng thái", "Status"),
        "board.new_item" => ("Soạn câu hỏi mới", "New item"),
        "board.items_found" => ("câu hỏi", "items"),
        "board.prev_page" => ("‹ Trang trước", "‹ Previous"),
        "board.next_page" => ("Trang sau ›", "Next ›"),
        "board.stem" => ("Nội dung câu hỏi", "Question"),
        "board.topic" => ("Chủ đề", "Topic"),
        "board.version" => ("Phiên bản", "Version"),
        "board.saved" => ("Đã lưu.", "Saved."),
        "board.done" => ("Đã thực hiện.", "Done."),
        "board.edit_item" => ("Câu hỏi", "Item"),
        "board.returned" => ("Bị trả lại", "Sent back"),
        "board.points" => ("Điểm", "Points"),
        "board.options" => ("Phương án trả lời", "Options"),
        "board.correct" => ("Đúng", "Correct"),
        "board.remove_option" => ("Xóa phương án", "Remove option"),
        "board.add_option" => ("Thêm phương án", "Add option"),
        "board.answers" => (
            "Đáp án được chấp nhận (mỗi dòng một đáp án)",
            "Accepted answers (one per line)",
        ),
        "board.explanation" => ("Giải thích", "Explanation"),
        "board.tags" => ("Nhãn", "Tags"),
        "board.tags_hint" => ("cách nhau bằng dấu phẩy", "separated by commas"),
        "board.save_version" => ("Lưu phiên bản mới", "Save as a new version"),
        "board.create_item" => ("Lưu câu hỏi", "Save item"),
        "board.submit_review" => ("Gửi duyệt", "Submit for review"),
        "board.retire" => ("Ngừng sử dụng", "Retire"),
        "board.preview" => ("Thí sinh sẽ thấy", "What the candidate sees"),
        "board.preview_note" => (
            "Xem trước trực tiếp, đúng như trang thi của thí sinh (không hiện đáp án).",
            "Live preview, exactly as on the candidate's exam page (no key shown).",
        ),
        "board.key" => ("Đáp án", "Key"),
        "board.versions" => ("Lịch sử phiên bản", "Version history"),
        "board.view" => ("Xem", "View"),
        "board.approved" => ("đã duyệt", "approved"),
        "board.rejected" => ("đã trả lại cho người soạn", "sent back to the author"),
        "board.self_review" => (
            "Không được duyệt câu hỏi do chính mình soạn (VN-29)",
            "You may not review an item you wrote (VN-29)",
        ),
        "board.review_note" => (
            "Người duyệt không được là người soạn câu hỏi. Khi trả lại phải ghi lý do.",
            "The reviewer must not be the author. Sending an item back needs a reason.",
        ),
        "board.queue_empty" => (
            "Không có câu hỏi chờ duyệt.",
            "No item is waiting for review.",
        ),
        "board.approve" => ("Duyệt", "Approve"),
        "board.reason" => ("Lý do trả lại", "Reason for sending back"),
        "board.reject" => ("Trả lại", "Send back"),
        "kind.single" => ("Một đáp án đúng", "Single choice"),
        "kind.multiple" => ("Nhiều đáp án đúng", "Multiple choice"),
        "kind.true_false" => ("Đúng / Sai", "True / false"),
        "kind.fill_blank" => ("Điền vào chỗ trống", "Fill in the blank"),
        "item.draft" => ("Bản nháp", "Draft"),
        "item.in_review" => ("Chờ duyệt", "In review"),
        "item.approved" => ("Đã duyệt", "Approved"),
        "item.retired" => ("Ngừng sử dụng", "Retired"),
        "diff.1" => ("Dễ", "Easy"),
        "diff.2" => ("Trung bình", "Medium"),
        "diff.3" => ("Khó", "Hard"),
        "import.format" => ("Định dạng", "Format"),
        "import.file" => ("Tệp", "File"),
        "import.check" => ("Kiểm tra (xem trước)", "Check (preview)"),
        "import.no_file" => ("Chưa chọn tệp.", "No file chosen."),
        "import.templates" => ("Tệp mẫu", "Templates"),
        "import.where" => ("Vị trí", "Where"),
        "import.problem" => ("Lỗi", "Problem"),
        "import.items" => ("Câu hỏi đọc được", "Questions read"),
        "import.duplicates" => ("Trùng với ngân hàng", "Already in the bank"),
        "import.errors" => ("Lỗi", "Errors"),
        "import.same_as" => ("Trùng câu", "Same as"),
        "import.valid" => (
            "Tệp hợp lệ: có thể nhập.",
            "The file is valid: it can be imported.",
        ),
        "import.invalid" => (
            "Tệp có lỗi: chưa nhập câu nào. Sửa các lỗi dưới đây rồi kiểm tra lại.",
            "The file has errors: nothing is imported. Fix them and check again.",
        ),
        "import.apply" => ("Nhập vào ngân hàng", "Import into the bank"),
        "import.imported" => ("Đã nhập số câu:", "Items imported:"),
        "seal.note" => (
            "Niêm phong cố định các câu hỏi đã duyệt; đề thi chỉ lấy câu hỏi từ bản niêm phong.",
            "A seal freezes the approved items; exams draw only from seals.",
        ),
        "seal.create" => ("Niêm phong ngân hàng", "Seal the bank"),
        "seal.root" => ("Mã băm SHA-256", "SHA-256 root"),
        "seal.items" => ("Số câu hỏi", "Items"),
        "seal.when" => ("Thời điểm", "Sealed at"),
        "seal.check" => ("Kiểm tra", "Check"),
        "seal.intact" => ("Còn nguyên vẹn", "Still matches"),
        "seal.broken" => ("KHÔNG khớp", "DOES NOT match"),
        "results.title" => ("Kết quả thi tuyển", "Recruitment results"),
        "results.not_published" => (
            "Kỳ tuyển dụng này chưa công bố kết quả.",
            "No results have been published for this round yet.",
        ),
        "results.publication" => ("Lần công bố số", "Publication no."),
        "results.published_at" => ("Công bố lúc", "Published at"),
        "results.earlier" => (
            "Đây là một lần công bố trước; kết quả đã được công bố lại sau đó.",
            "This is an earlier publication; the results were published again since.",
        ),
        "results.see_latest" => ("Xem lần công bố mới nhất", "See the latest publication"),
        "results.sha256" => ("Mã băm SHA-256 của kết quả", "SHA-256 of the results"),
        "results.audit_head" => (
            "Đầu chuỗi nhật ký kiểm toán",
            "Audit-chain head",
        ),
        "results.verify_note" => (
            "Bản in (PDF) ghi cùng hai mã này ở cuối mỗi trang: đối chiếu để kiểm tra bản in đúng với kết quả công bố.",
            "The printout (PDF) carries these two codes at the foot of every page: compare them to check it matches the published results.",
        ),
        "results.download_xlsx" => ("Tải bảng tính (xlsx)", "Download the workbook (xlsx)"),
        "results.download_pdf" => ("Bản in (PDF)", "Printable PDF"),
        "results.history" => ("Các lần công bố", "Publications"),
        "results.shown" => ("đang xem", "shown"),
        "results.open" => ("Xem", "Open"),
        "results.rank" => ("Thứ hạng", "Rank"),
        "results.candidate" => ("Thí sinh (mã hồ sơ)", "Candidate (application no.)"),
        "results.score" => ("Điểm thi", "Score"),
        "results.priority" => ("Điểm ưu tiên", "Priority points"),
        "results.total" => ("Tổng điểm", "Total"),
        "results.outcome" => ("Kết quả", "Outcome"),
        "results.reason" => ("Lý do", "Reason"),
        "results.publish" => ("Công bố kết quả", "Publish the results"),
        "results.published_ok" => ("Đã công bố. SHA-256:", "Published. SHA-256:"),
        "outcome.winner" => ("Trúng tuyển", "Winner"),
        "outcome.tied_pending" => ("Chờ Thủ trưởng quyết định", "Awaiting the head's decision"),
        "outcome.reserve" => ("Không trúng tuyển (dự bị)", "Not selected (reserve)"),
        "outcome.struck_off" => ("Bị hủy kết quả trúng tuyển", "Struck off"),
        "outcome.ineligible" => ("Không đủ điều kiện trúng tuyển", "Not eligible"),
        "outcome.failed_round1" => ("Không đạt vòng 1", "Failed round 1"),
        "report.title" => ("Báo cáo thống kê kỳ tuyển dụng", "Round report"),
        "report.round" => ("Kỳ tuyển dụng", "Round"),
        "report.print" => ("In báo cáo", "Print the report"),
        "report.published" => ("Kết quả đã công bố", "Published results"),
        "report.ratio_title" => (
            "Thí sinh, người trúng tuyển và tỷ lệ chọi theo vị trí",
            "Applicants, winners and competition ratio per position",
        ),
        "report.applicants" => ("Đăng ký", "Applicants"),
        "report.winners" => ("Trúng tuyển", "Winners"),
        "report.all_positions" => ("Toàn kỳ", "Whole round"),
        "report.pass_title" => ("Tỷ lệ đạt theo bài thi và phần thi", "Pass rate per exam and section"),
        "report.no_exams" => ("Kỳ này chưa có bài thi trên máy.", "This round has no computer exam yet."),
        "report.exam" => ("Bài thi", "Exam"),
        "report.section" => ("Phần thi", "Section"),
        "report.whole_paper" => ("Cả bài", "Whole paper"),
        "report.sat" => ("Số bài", "Papers"),
        "report.passed" => ("Đạt", "Passed"),
        "report.pass_rate" => ("Tỷ lệ đạt", "Pass rate"),
        "home.results_reports" => ("Kết quả và báo cáo", "Results and reports"),
        "home.open_report" => ("Báo cáo", "Report"),
        "home.open_results" => ("Kết quả công bố", "Published results"),
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
