//! Staff home: who is signed in and what each of their roles lets them do.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use serde::Deserialize;

use crate::api::UserView;
use crate::components::TopBar;
use crate::i18n::{t, tr, use_lang, Lang};

fn role_key(role: &str) -> (&'static str, &'static str) {
    match role {
        "admin" => ("role.admin", "cap.admin"),
        "author" => ("role.author", "cap.author"),
        "reviewer" => ("role.reviewer", "cap.reviewer"),
        "hr" => ("role.hr", "cap.hr"),
        "supervisor" => ("role.supervisor", "cap.supervisor"),
        "marker" => ("role.marker", "cap.marker"),
        "chair" => ("role.chair", "cap.chair"),
        _ => ("", ""),
    }
}

/// The page where a role does its work, when it has one yet.
fn page_of(role: &str) -> Option<(&'static str, &'static str)> {
    match role {
        "hr" => Some(("/to-chuc", "home.go.hr")),
        "supervisor" => Some(("/giam-thi", "home.go.supervisor")),
        _ => None,
    }
}

#[derive(Clone)]
enum Load {
    Loading,
    Ready(UserView),
    SignedOut,
}

#[component]
pub fn StaffHome() -> impl IntoView {
    let lang = use_lang();
    let state = RwSignal::new(Load::Loading);
    // Runs in the browser only: the token lives in this tab's sessionStorage.
    Effect::new(move |_| {
        let Some(token) = crate::session::staff_token() else {
            state.set(Load::SignedOut);
            return;
        };
        spawn_local(async move {
            match crate::api::me(&token).await {
                Ok(user) => state.set(Load::Ready(user)),
                Err(_) => {
                    crate::session::clear_staff_token();
                    state.set(Load::SignedOut);
                }
            }
        });
    });
    let navigate = use_navigate();
    let logout = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            // Ends the sign-in on the server too; the tab forgets the token either way.
            if let Some(token) = crate::session::staff_token() {
                let _ = crate::api::logout(&token).await;
            }
            crate::session::clear_staff_token();
            navigate("/", Default::default());
        });
    };

    view! {
        <TopBar/>
        <main class="wide">
            <h1>{t("home.title")}</h1>
            {move || match state.get() {
                Load::Loading => view! { <p class="muted">{t("home.loading")}</p> }.into_any(),
                Load::SignedOut => view! {
                    <p class="error">{t("home.need_login")}</p>
                    <a href="/">{t("login.title")}</a>
                }.into_any(),
                Load::Ready(user) => view! { <UserCard user=user lang=lang.get()/> }.into_any(),
            }}
            <button type="button" class="secondary" id="logout" on:click=logout>{t("home.logout")}</button>
        </main>
    }
}

#[component]
fn UserCard(user: UserView, lang: Lang) -> impl IntoView {
    let roles = user.roles.clone();
    // The exam board (authors and reviewers) works in the question banks.
    let board = roles.iter().any(|r| r == "author" || r == "reviewer");
    // Those who may read a round's report (HR, the chair, the administrator).
    let reports = roles
        .iter()
        .any(|r| r == "hr" || r == "chair" || r == "admin");
    view! {
        <section class="card" id="user-card">
            <p>{tr(lang, "home.signed_in_as")} " " <strong id="signed-in-user">{user.username.clone()}</strong></p>
            <h2>{tr(lang, "home.can_do")}</h2>
            <ul class="capabilities">
                {roles.into_iter().map(|r| {
                    let (role, cap) = role_key(&r);
                    view! {
                        <li data-role=r.clone()>
                            <strong>{tr(lang, role)}</strong>": " {tr(lang, cap)}
                            {page_of(&r).map(|(href, key)| view! { " " <a class="go" href=href>{tr(lang, key)}" →"</a> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {board.then(|| view! {
                <p><a href="/ngan-hang" id="link-banks" class="button-link">{tr(lang, "board.open")}</a></p>
            })}
        </section>
        {reports.then(|| view! { <RoundLinks lang/> })}
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct RoundRef {
    id: i32,
    code: String,
    name: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct RoundRefs {
    items: Vec<RoundRef>,
}

/// Every round with its report and its published results (HR, the chair, the administrator).
#[component]
fn RoundLinks(lang: Lang) -> impl IntoView {
    let rounds = RwSignal::new(Vec::<RoundRef>::new());
    Effect::new(move |_| {
        let Some(token) = crate::session::staff_token() else {
            return;
        };
        spawn_local(async move {
            if let Ok(l) =
                crate::api::get::<RoundRefs>("/api/v1/rounds?limit=200", Some(&token)).await
            {
                rounds.set(l.items);
            }
        });
    });
    view! {
        <section class="card" id="round-links">
            <h2>{tr(lang, "home.results_reports")}</h2>
            <ul>
                {move || rounds.get().into_iter().map(|r| view! {
                    <li data-code=r.code.clone()>
                        <strong>{r.code.clone()}</strong>" – "{r.name.clone()}" · "
                        <a class="report-link" href=format!("/bao-cao/{}", r.id)>{tr(lang, "home.open_report")}</a>" · "
                        <a class="results-link" href=format!("/ket-qua/{}", crate::api::encode_query_value(&r.code))>
                            {tr(lang, "home.open_results")}</a>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
