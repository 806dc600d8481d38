//! HR pages (role `hr`): the recruitment rounds (`/to-chuc`) and one round's workspace
//! (`/to-chuc/ky/:id`) with its dashboard, positions, applications, imports and sessions.
//! Every figure shown comes from the REST API; the rules (VN-8, VN-13, VN-30…) live on the server.

mod applications;
mod import;
mod plan;
mod sessions;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use crate::api::{self, describe};
use crate::components::TopBar;
use crate::i18n::{t, tr, use_lang, Lang};
use applications::ApplicationsSection;
use import::ImportSection;
use plan::{DashboardSection, PositionsSection};
use sessions::SessionsSection;

pub(crate) const RULE_SETS: [&str; 3] = ["vn-2025", "vn-2020", "vn-vc-2020"];

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Round {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub rule_set: String,
    pub one_application_per_candidate: bool,
    pub applications_open_on: Option<String>,
    pub round1_on: Option<String>,
    pub round2_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct List<T> {
    pub items: Vec<T>,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Agency {
    pub code: String,
    pub name: String,
    pub quota: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Position {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub grade: String,
    pub round2_form: String,
    pub quota: i32,
    pub agencies: Vec<Agency>,
}

/// What every section of a round needs: the round, the token, the positions, and a counter
/// bumped after each change so that every section reloads what it shows.
#[derive(Clone, Copy)]
pub(crate) struct RoundCtx {
    pub round_id: i32,
    pub token: RwSignal<Option<String>>,
    pub positions: RwSignal<Vec<Position>>,
    pub version: RwSignal<u32>,
}

impl RoundCtx {
    pub fn changed(&self) {
        self.version.update(|v| *v += 1);
    }
}

/// A message under a form: `Ok` in green, `Err` in red.
pub(crate) type Note = RwSignal<Option<Result<String, String>>>;

#[component]
pub(crate) fn NoteLine(note: Note, id: &'static str) -> impl IntoView {
    move || {
        note.get().map(|n| match n {
            Ok(m) => view! { <p class="ok" id=id>{m}</p> }.into_any(),
            Err(m) => view! { <p class="error" id=id>{m}</p> }.into_any(),
        })
    }
}

pub(crate) fn rule_set_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "vn-2025" => tr(lang, "hr.rules.vn-2025"),
        "vn-2020" => tr(lang, "hr.rules.vn-2020"),
        "vn-vc-2020" => tr(lang, "hr.rules.vn-vc-2020"),
        _ => "",
    }
}

/// Puts a string field into a JSON body only when it was filled in.
pub(crate) fn set_if(body: &mut serde_json::Value, key: &str, value: String) {
    let value = value.trim().to_string();
    if !value.is_empty() {
        body[key] = serde_json::Value::String(value);
    }
}

fn need_login() -> impl IntoView {
    view! { <p class="error">{t("home.need_login")}" "<a href="/">{t("login.title")}</a></p> }
}

/// `/to-chuc`: the rounds, and a form for a new one.
#[component]
pub fn RoundsPage() -> impl IntoView {
    let lang = use_lang();
    let token = RwSignal::new(None::<String>);
    let rounds = RwSignal::new(None::<List<Round>>);
    let note: Note = RwSignal::new(None);
    let version = RwSignal::new(0u32);
    let checked = RwSignal::new(false);

    Effect::new(move |_| {
        token.set(crate::session::staff_token());
        checked.set(true);
    });
    Effect::new(move |_| {
        version.track();
        let Some(tok) = token.get() else { return };
        spawn_local(async move {
            match api::get::<List<Round>>("/api/v1/rounds?limit=200", Some(&tok)).await {
                Ok(l) => rounds.set(Some(l)),
                Err(e) => note.set(Some(Err(describe(&e)))),
            }
        });
    });

    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let rule_set = RwSignal::new("vn-2025".to_string());
    let opens = RwSignal::new(String::new());
    let round1 = RwSignal::new(String::new());
    let round2 = RwSignal::new(String::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(tok) = token.get_untracked() else {
            return;
        };
        let mut body = serde_json::json!({
            "code": code.get_untracked().trim(),
            "name": name.get_untracked().trim(),
            "rule_set": rule_set.get_untracked(),
        });
        set_if(&mut body, "applications_open_on", opens.get_untracked());
        set_if(&mut body, "round1_on", round1.get_untracked());
        set_if(&mut body, "round2_on", round2.get_untracked());
        spawn_local(async move {
            match api::send_json::<_, Round>("POST", "/api/v1/rounds", &body, Some(&tok)).await {
                Ok(r) => {
                    note.set(Some(Ok(format!(
                        "{} {}",
                        tr(lang.get_untracked(), "hr.round_created"),
                        r.code
                    ))));
                    code.set(String::new());
                    name.set(String::new());
                    version.update(|v| *v += 1);
                }
                Err(e) => note.set(Some(Err(describe(&e)))),
            }
        });
    };

    view! {
        <TopBar/>
        <main class="wide hr">
            <p class="crumbs"><a href="/staff">{t("home.title")}</a></p>
            <h1>{t("hr.rounds")}</h1>
            <Show when=move || checked.get() && token.get().is_none()>{need_login()}</Show>
            <table id="rounds">
                <thead><tr>
                    <th>{t("hr.code")}</th><th>{t("hr.name")}</th><th>{t("hr.rule_set")}</th>
                    <th>{t("hr.opens")}</th><th>{t("hr.round1_on")}</th><th>{t("hr.round2_on")}</th>
                </tr></thead>
                <tbody>
                    {move || rounds.get().map(|l| l.items.into_iter().map(|r| view! {
                        <tr data-code=r.code.clone()>
                            <td><a href=format!("/to-chuc/ky/{}", r.id)>{r.code.clone()}</a></td>
                            <td>{r.name.clone()}</td>
                            <td>{move || rule_set_label(lang.get(), &r.rule_set)}</td>
                            <td>{r.applications_open_on.clone().unwrap_or_default()}</td>
                            <td>{r.round1_on.clone().unwrap_or_default()}</td>
                            <td>{r.round2_on.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view())}
                </tbody>
            </table>
            <form class="card grid-form" id="new-round" on:submit=create>
                <h2>{t("hr.new_round")}</h2>
                <label>{t("hr.code")}
                    <input type="text" id="round-code" required prop:value=move || code.get()
                        on:input=move |e| code.set(event_target_value(&e))/>
                </label>
                <label>{t("hr.name")}
                    <input type="text" id="round-name" required prop:value=move || name.get()
                        on:input=move |e| name.set(event_target_value(&e))/>
                </label>
                <label>{t("hr.rule_set")}
                    <select id="round-rule-set" on:change=move |e| rule_set.set(event_target_value(&e))>
                        {RULE_SETS.into_iter().map(|c| view! {
                            <option value=c selected=move || rule_set.get() == c>
                                {move || rule_set_label(lang.get(), c)}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <label>{t("hr.opens")}
                    <input type="date" id="round-opens" prop:value=move || opens.get()
                        on:input=move |e| opens.set(event_target_value(&e))/>
                </label>
                <label>{t("hr.round1_on")}
                    <input type="date" id="round-round1" prop:value=move || round1.get()
                        on:input=move |e| round1.set(event_target_value(&e))/>
                </label>
                <label>{t("hr.round2_on")}
                    <input type="date" id="round-round2" prop:value=move || round2.get()
                        on:input=move |e| round2.set(event_target_value(&e))/>
                </label>
                <button type="submit" class="primary" id="create-round">{t("hr.create")}</button>
                <NoteLine note id="round-note"/>
            </form>
        </main>
    }
}

/// What a publication returns: `{id, sha256, published_at, url}`.
#[derive(Debug, Clone, Deserialize)]
struct Published {
    sha256: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Dashboard,
    Positions,
    Applications,
    Import,
    Sessions,
}

impl Tab {
    const ALL: [Tab; 5] = [
        Tab::Dashboard,
        Tab::Positions,
        Tab::Applications,
        Tab::Import,
        Tab::Sessions,
    ];

    fn id(self) -> &'static str {
        match self {
            Tab::Dashboard => "tab-dashboard",
            Tab::Positions => "tab-positions",
            Tab::Applications => "tab-applications",
            Tab::Import => "tab-import",
            Tab::Sessions => "tab-sessions",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Dashboard => "hr.tab.dashboard",
            Tab::Positions => "hr.tab.positions",
            Tab::Applications => "hr.tab.applications",
            Tab::Import => "hr.tab.import",
            Tab::Sessions => "hr.tab.sessions",
        }
    }
}

/// `/to-chuc/ky/:id`: one round, section by section.
#[component]
pub fn RoundPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let round_id = params.with_untracked(|p| p.get("id").and_then(|s| s.parse::<i32>().ok()));
    let ctx = RoundCtx {
        round_id: round_id.unwrap_or(0),
        token: RwSignal::new(None),
        positions: RwSignal::new(Vec::new()),
        version: RwSignal::new(0),
    };
    let round = RwSignal::new(None::<Round>);
    let note: Note = RwSignal::new(None);
    let checked = RwSignal::new(false);
    let tab = RwSignal::new(Tab::Dashboard);

    Effect::new(move |_| {
        ctx.token.set(crate::session::staff_token());
        checked.set(true);
    });
    Effect::new(move |_| {
        ctx.version.track();
        let Some(tok) = ctx.token.get() else { return };
        let id = ctx.round_id;
        spawn_local(async move {
            match api::get::<Round>(&format!("/api/v1/rounds/{id}"), Some(&tok)).await {
                Ok(r) => round.set(Some(r)),
                Err(e) => note.set(Some(Err(describe(&e)))),
            }
            match api::get::<List<Position>>(&format!("/api/v1/rounds/{id}/positions"), Some(&tok))
                .await
            {
                Ok(l) => ctx.positions.set(l.items),
                Err(e) => note.set(Some(Err(describe(&e)))),
            }
        });
    });

    // HR publishes the round's results as they stand (the server refuses while a tie or a
    // mark waits for someone, VN-11, VN-26).
    let publish = move || {
        let Some(tok) = ctx.token.get_untracked() else {
            return;
        };
        let id = ctx.round_id;
        spawn_local(async move {
            let path = format!("/api/v1/rounds/{id}/publications");
            match api::send_json::<_, Published>("POST", &path, &serde_json::json!({}), Some(&tok))
                .await
            {
                Ok(p) => note.set(Some(Ok(format!(
                    "{} {}",
                    tr(lang.get_untracked(), "results.published_ok"),
                    p.sha256
                )))),
                Err(e) => note.set(Some(Err(describe(&e)))),
            }
        });
    };

    view! {
        <TopBar/>
        <main class="wide hr">
            <p class="crumbs"><a href="/staff">{t("home.title")}</a>" › "<a href="/to-chuc">{t("hr.rounds")}</a></p>
            <Show when=move || checked.get() && ctx.token.get().is_none()>{need_login()}</Show>
            {move || round.get().map(|r| view! {
                <h1 id="round-title">{r.code.clone()}" – "{r.name.clone()}</h1>
                <p class="round-links">
                    <a id="link-report" href=format!("/bao-cao/{}", r.id)>{t("report.title")}</a>" · "
                    <a id="link-results" href=format!("/ket-qua/{}", api::encode_query_value(&r.code))>{t("home.open_results")}</a>" · "
                    <button type="button" class="secondary small" id="publish-results" on:click=move |_| publish()>{t("results.publish")}</button>
                </p>
                <p class="muted">{move || tr(lang.get(), "hr.rule_set")}": "
                    <strong id="round-rule">{move || rule_set_label(lang.get(), &r.rule_set)}</strong>
                    {if r.one_application_per_candidate { " · " } else { "" }}
                    {move || if r.one_application_per_candidate { tr(lang.get(), "hr.one_application") } else { "" }}
                </p>
            })}
            <NoteLine note id="round-page-note"/>
            <nav class="tabs" role="tablist">
                {Tab::ALL.into_iter().map(|x| view! {
                    <button type="button" role="tab" id=x.id()
                        class=move || if tab.get() == x { "tab active" } else { "tab" }
                        on:click=move |_| tab.set(x)>{t(x.label())}</button>
                }).collect_view()}
            </nav>
            {move || match tab.get() {
                Tab::Dashboard => view! { <DashboardSection ctx/> }.into_any(),
                Tab::Positions => view! { <PositionsSection ctx/> }.into_any(),
                Tab::Applications => view! { <ApplicationsSection ctx/> }.into_any(),
                Tab::Import => view! { <ImportSection ctx/> }.into_any(),
                Tab::Sessions => view! { <SessionsSection ctx/> }.into_any(),
            }}
        </main>
    }
}
