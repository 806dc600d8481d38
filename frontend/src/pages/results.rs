//! `/ket-qua/:code`: a round's published results for everyone, without signing in: per position
//! the ranked list with the outcome in words and its reason, the SHA-256 of the canonical
//! results and the audit-chain head (to check a printout against), the workbook and the PDF,
//! and every earlier publication, each readable as it was (`?cong-bo=<id>`).
//! The figures come from the public REST API; nothing is computed here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::Deserialize;

use crate::api::{self, describe, encode_query_value};
use crate::components::TopBar;
use crate::i18n::{t, tr, use_lang, Lang};

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Entry {
    pub application_id: i64,
    pub full_name: String,
    pub raw_score: Option<String>,
    pub priority_points: String,
    pub total: Option<String>,
    pub rank: Option<u32>,
    pub outcome: String,
    pub agency: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub reason_en: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct PublishedPosition {
    pub code: String,
    pub name: String,
    pub quota: u32,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct PublicResults {
    pub id: i32,
    pub round: String,
    pub round_name: String,
    pub published_at: String,
    pub sha256: String,
    pub audit_head: String,
    pub positions: Vec<PublishedPosition>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct PublicationSummary {
    pub id: i32,
    pub sha256: String,
    pub published_at: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct PublicationList {
    pub items: Vec<PublicationSummary>,
}

#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    NotPublished,
    Failed(String),
    Ready(PublicResults),
}

pub(crate) fn outcome_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "winner" => tr(lang, "outcome.winner"),
        "tied_pending" => tr(lang, "outcome.tied_pending"),
        "reserve" => tr(lang, "outcome.reserve"),
        "struck_off" => tr(lang, "outcome.struck_off"),
        "ineligible" => tr(lang, "outcome.ineligible"),
        "failed_round1" => tr(lang, "outcome.failed_round1"),
        _ => "",
    }
}

/// `2026-12-03T08:00:00Z` → `2026-12-03 08:00 UTC`: the server's time, as stored.
pub(crate) fn short_time(rfc3339: &str) -> String {
    match rfc3339.get(..16) {
        Some(s) => format!("{} UTC", s.replace('T', " ")),
        None => rfc3339.to_string(),
    }
}

#[component]
pub fn ResultsPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let code = Memo::new(move |_| params.with(|p| p.get("code").unwrap_or_default()));
    let chosen =
        Memo::new(move |_| query.with(|q| q.get("cong-bo").and_then(|s| s.parse::<i32>().ok())));
    let state = RwSignal::new(Load::Loading);
    let history = RwSignal::new(None::<PublicationList>);

    // Runs in the browser: the public API needs no token.
    Effect::new(move |_| {
        let code = encode_query_value(&code.get());
        let chosen = chosen.get();
        spawn_local(async move {
            let path = match chosen {
                Some(id) => format!("/api/v1/public/rounds/{code}/publications/{id}"),
                None => format!("/api/v1/public/rounds/{code}/results"),
            };
            match api::get::<PublicResults>(&path, None).await {
                Ok(r) => state.set(Load::Ready(r)),
                Err(e) if e.status == 404 => state.set(Load::NotPublished),
                Err(e) => state.set(Load::Failed(describe(&e))),
            }
            let list = format!("/api/v1/public/rounds/{code}/publications?limit=500");
            if let Ok(l) = api::get::<PublicationList>(&list, None).await {
                history.set(Some(l));
            }
        });
    });

    view! {
        <TopBar/>
        <main class="wide results">
            <h1 id="results-title">{t("results.title")}</h1>
            {move || match state.get() {
                Load::Loading => view! { <p class="muted">{t("home.loading")}</p> }.into_any(),
                Load::NotPublished => view! {
                    <p class="card notice" id="not-published">{t("results.not_published")}</p>
                }.into_any(),
                Load::Failed(m) => view! { <p class="error">{m}</p> }.into_any(),
                Load::Ready(r) => view! { <Published r=r lang=lang.get() history/> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn Published(
    r: PublicResults,
    lang: Lang,
    history: RwSignal<Option<PublicationList>>,
) -> impl IntoView {
    let code_q = encode_query_value(&r.round);
    let base = format!("/api/v1/public/rounds/{code_q}/publications/{}", r.id);
    let xlsx = format!("{base}?format=xlsx");
    let pdf = format!("{base}?format=pdf");
    let this_id = r.id;
    let round_code = r.round.clone();
    let latest = move || {
        history.with(|h| {
            h.as_ref()
                .and_then(|h| h.items.first().map(|p| p.id == this_id))
                .unwrap_or(true)
        })
    };
    view! {
        <h2 id="round-name">{r.round_name.clone()}" ("{r.round.clone()}")"</h2>
        <p class="muted" id="published-at">
            {tr(lang, "results.publication")}" "{r.id}" · "{tr(lang, "results.published_at")}" "
            {short_time(&r.published_at)}
        </p>
        {move || (!latest()).then(|| view! {
            <p class="card notice" id="earlier-note">{tr(lang, "results.earlier")}" "
                <a href=format!("/ket-qua/{}", round_code)>{tr(lang, "results.see_latest")}</a></p>
        })}
        <section class="card verify" id="verify">
            <p>{tr(lang, "results.sha256")}": "<code class="hash" id="sha256">{r.sha256.clone()}</code></p>
            <p>{tr(lang, "results.audit_head")}": "<code class="hash" id="audit-head">{r.audit_head.clone()}</code></p>
            <p class="muted">{tr(lang, "results.verify_note")}</p>
            <p class="downloads">
                <a class="button-link" id="download-xlsx" href=xlsx download="">{tr(lang, "results.download_xlsx")}</a>" "
                <a class="button-link" id="download-pdf" href=pdf target="_blank">{tr(lang, "results.download_pdf")}</a>
            </p>
        </section>
        {r.positions.into_iter().map(|p| view! { <PositionTable p lang/> }).collect_view()}
        <section id="history">
            <h2>{tr(lang, "results.history")}</h2>
            <table id="publications">
                <thead><tr>
                    <th>{tr(lang, "results.publication")}</th>
                    <th>{tr(lang, "results.published_at")}</th>
                    <th>"SHA-256"</th>
                    <th></th>
                </tr></thead>
                <tbody>
                    {move || history.get().map(|h| h.items.into_iter().map(|p| {
                        let href = format!("/ket-qua/{}?cong-bo={}", code_q, p.id);
                        let current = p.id == this_id;
                        view! {
                            <tr data-id=p.id.to_string() class={if current { "current" } else { "" }}>
                                <td>{p.id}</td>
                                <td>{short_time(&p.published_at)}</td>
                                <td><code class="hash">{p.sha256.clone()}</code></td>
                                <td>{if current {
                                    view! { <strong>{tr(lang, "results.shown")}</strong> }.into_any()
                                } else {
                                    view! { <a class="open-publication" href=href>{tr(lang, "results.open")}</a> }.into_any()
                                }}</td>
                            </tr>
                        }
                    }).collect_view())}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn PositionTable(p: PublishedPosition, lang: Lang) -> impl IntoView {
    view! {
        <section class="position" data-code=p.code.clone()>
            <h3>{p.code.clone()}" – "{p.name.clone()}
                <span class="muted">" · "{tr(lang, "hr.quota")}": "{p.quota}</span></h3>
            <table class="results-table">
                <thead><tr>
                    <th class="num">{tr(lang, "results.rank")}</th>
                    <th>{tr(lang, "results.candidate")}</th>
                    <th class="num">{tr(lang, "results.score")}</th>
                    <th class="num">{tr(lang, "results.priority")}</th>
                    <th class="num">{tr(lang, "results.total")}</th>
                    <th>{tr(lang, "results.outcome")}</th>
                    <th>{tr(lang, "results.reason")}</th>
                </tr></thead>
                <tbody>
                    {p.entries.into_iter().map(|e| {
                        let reason = if lang == Lang::En && !e.reason_en.is_empty() {
                            e.reason_en.clone()
                        } else {
                            e.reason.clone()
                        };
                        view! {
                            <tr data-id=e.application_id.to_string() data-outcome=e.outcome.clone() class=format!("outcome-{}", e.outcome)>
                                <td class="num rank">{e.rank.map(|r| r.to_string()).unwrap_or_default()}</td>
                                <td class="name">{e.full_name.clone()}
                                    <span class="muted">" #"{e.application_id}</span></td>
                                <td class="num">{e.raw_score.clone().unwrap_or_default()}</td>
                                <td class="num">{e.priority_points.clone()}</td>
                                <td class="num total">{e.total.clone().unwrap_or_default()}</td>
                                <td class="outcome">{outcome_label(lang, &e.outcome)}
                                    {e.agency.clone().filter(|_| e.outcome == "winner").map(|a| format!(" – {a}"))}</td>
                                <td class="reason">{reason}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
