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

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="vi">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="data:,"/>
                <style>{CSS}</style>
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
