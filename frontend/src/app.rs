//! The application shell and the only route table of the UI.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::i18n::{provide_lang, tr};
use crate::pages::{
    board::{BankListPage, BankPage},
    exam::ExamPage,
    home::StaffHome,
    hr::{RoundPage, RoundsPage},
    login::LoginPage,
    not_found::NotFound,
    reports::ReportPage,
    results::ResultsPage,
    supervisor::SupervisorPage,
};

const CSS: &str = include_str!("../style/main.css");

/// CSP sources of the inline style sheets in documents the server writes itself (print views),
/// provided by the server as context. Staff pages open those documents as blobs, and a blob
/// document runs under the policy of the page that made it, so the pages allow them too.
#[derive(Clone, Debug, Default)]
pub struct ServerStyles(pub std::sync::Arc<str>);

/// The pages' Content-Security-Policy. Scripts: the bundle from this server, the inline
/// hydration script by its nonce, and compiling the wasm; no `eval`. Style sheets: this
/// server's, the shell's by its nonce, and `server_styles`. `style=` attributes stay allowed:
/// pages set sizes and indents with them, and an attribute cannot run script.
pub fn page_policy(nonce: &str, server_styles: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}' {server_styles}; style-src-attr 'unsafe-inline'; \
         img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Sends [`page_policy`] with this response's nonce, the one `<HydrationScripts/>` and the
/// shell's `<style>` carry. Without a nonce the page gets the server's default policy, which
/// blocks its scripts: failing closed.
#[cfg(feature = "ssr")]
fn send_page_policy() {
    use http::header::CONTENT_SECURITY_POLICY;
    use http::HeaderValue;
    let (Some(nonce), Some(response)) =
        (use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let styles = use_context::<ServerStyles>().unwrap_or_default();
    if let Ok(policy) = HeaderValue::from_str(&page_policy(&nonce, &styles.0)) {
        response.insert_header(CONTENT_SECURITY_POLICY, policy);
    }
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    send_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="vi">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="data:,"/>
                <style nonce=use_nonce()>{CSS}</style>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = provide_lang();
    view! {
        <Title text=move || tr(lang.get(), "app.name")/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=LoginPage/>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/staff") view=StaffHome/>
                <Route path=path!("/thi") view=ExamPage/>
                <Route path=path!("/giam-thi") view=SupervisorPage/>
                <Route path=path!("/to-chuc") view=RoundsPage/>
                <Route path=path!("/to-chuc/ky/:id") view=RoundPage/>
                <Route path=path!("/ngan-hang") view=BankListPage/>
                <Route path=path!("/ngan-hang/:id") view=BankPage/>
                <Route path=path!("/ket-qua/:code") view=ResultsPage/>
                <Route path=path!("/bao-cao/:round_id") view=ReportPage/>
            </Routes>
        </Router>
    }
}
