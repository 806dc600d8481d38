//! Server-rendered pages (the browser suite checks hydration).

use tests::TestApp;

#[tokio::test]
async fn the_login_page_is_server_rendered_in_vietnamese_with_the_hydration_script() {
    let app = TestApp::spawn().await;
    let r = app.get("/", None).await;
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("text/html"));
    assert!(r.text.contains("Đăng nhập cán bộ"), "{}", r.text);
    assert!(r.text.contains("/pkg/thituyen.js"));
}

#[tokio::test]
async fn the_language_cookie_renders_english() {
    let app = TestApp::spawn().await;
    let r = app
        .send(
            app.client.get(app.url("/")).header("cookie", "lang=en"),
            None,
        )
        .await;
    assert!(r.text.contains("Staff sign-in"), "{}", r.text);
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page() {
    let app = TestApp::spawn().await;
    let r = app.get("/khong-co-trang-nay", None).await;
    assert_eq!(r.status, 404);
    assert!(r.text.contains("Không tìm thấy trang"));
}
