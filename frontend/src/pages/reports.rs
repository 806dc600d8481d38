//! `/bao-cao/:round_id` (hr, chair, admin): the round's report — the charts drawn as inline SVG
//! by the server (score distribution per exam, pass rate per section, applicants and winners
//! per position) and the tables behind them (competition ratio, pass rates). Print-friendly:
//! the print stylesheet hides the navigation and keeps each chart on one page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use serde::Deserialize;

use crate::api::{self, describe};
use crate::components::TopBar;
use crate::i18n::{t, tr, use_lang, Lang};

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct SectionRate {
    code: String,
    sat: u64,
    passed: u64,
    pass_rate: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct ExamFigures {
    code: String,
    name: String,
    graded: u64,
    passed: u64,
    pass_rate: String,
    sections: Vec<SectionRate>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct PositionFigures {
    code: String,
    name: String,
    quota: u32,
    applicants: u64,
    eligible: u64,
    winners: u64,
    competition_ratio: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Chart {
    id: String,
    title: String,
    svg: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct RoundReport {
    round_code: String,
    round_name: String,
    exams: Vec<ExamFigures>,
    positions: Vec<PositionFigures>,
    totals: PositionFigures,
    charts: Vec<Chart>,
}

fn print_page() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

#[component]
pub fn ReportPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let round_id = params.with_untracked(|p| {
        p.get("round_id")
            .and_then(|s| s.parse::<i32>().ok())
            .unwrap_or(0)
    });
    let token = RwSignal::new(None::<String>);
    let checked = RwSignal::new(false);
    let report = RwSignal::new(None::<RoundReport>);
    let error = RwSignal::new(None::<String>);

    Effect::new(move |_| {
        token.set(crate::session::staff_token());
        checked.set(true);
    });
    // The charts' texts are drawn on the server in the page's language: fetch again on a switch.
    Effect::new(move |_| {
        let code = lang.get().code();
        let Some(tok) = token.get() else { return };
        spawn_local(async move {
            let path = format!("/api/v1/rounds/{round_id}/reports?lang={code}");
            match api::get::<RoundReport>(&path, Some(&tok)).await {
                Ok(r) => {
                    error.set(None);
                    report.set(Some(r));
                }
                Err(e) => error.set(Some(describe(&e))),
            }
        });
    });

    view! {
        <TopBar/>
        <main class="wide report">
            <p class="crumbs no-print"><a href="/staff">{t("home.title")}</a>" › "
                <a href="/to-chuc">{t("hr.rounds")}</a>" › "
                <a href=format!("/to-chuc/ky/{round_id}")>{t("report.round")}</a></p>
            <h1 id="report-title">{t("report.title")}</h1>
            <Show when=move || checked.get() && token.get().is_none()>
                <p class="error">{t("home.need_login")}" "<a href="/">{t("login.title")}</a></p>
            </Show>
            {move || error.get().map(|m| view! { <p class="error" id="report-error">{m}</p> })}
            {move || report.get().map(|r| view! { <ReportBody r lang=lang.get()/> })}
        </main>
    }
}

#[component]
fn ReportBody(r: RoundReport, lang: Lang) -> impl IntoView {
    let results_href = format!("/ket-qua/{}", api::encode_query_value(&r.round_code));
    view! {
        <p id="report-round"><strong>{r.round_code.clone()}</strong>" – "{r.round_name.clone()}</p>
        <p class="no-print">
            <button type="button" class="secondary narrow-button" id="print-report" on:click=|_| print_page()>
                {tr(lang, "report.print")}</button>" "
            <a id="report-results-link" href=results_href>{tr(lang, "report.published")}</a>
        </p>
        <section class="charts">
            {r.charts.into_iter().map(|c| view! {
                <figure class="chart-box" data-chart=c.id.clone()>
                    <div class="chart-svg" inner_html=c.svg></div>
                    <figcaption class="muted">{c.title}</figcaption>
                </figure>
            }).collect_view()}
        </section>
        <h2>{tr(lang, "report.ratio_title")}</h2>
        <table id="ratio-table">
            <thead><tr>
                <th>{tr(lang, "hr.code")}</th><th>{tr(lang, "hr.name")}</th>
                <th class="num">{tr(lang, "hr.quota")}</th>
                <th class="num">{tr(lang, "report.applicants")}</th>
                <th class="num">{tr(lang, "hr.eligible")}</th>
                <th class="num">{tr(lang, "report.winners")}</th>
                <th class="num">{tr(lang, "hr.ratio")}</th>
            </tr></thead>
            <tbody>
                {r.positions.into_iter().map(|p| view! {
                    <tr data-code=p.code.clone()>
                        <td>{p.code.clone()}</td><td>{p.name.clone()}</td>
                        <td class="num">{p.quota}</td>
                        <td class="num applicants">{p.applicants}</td>
                        <td class="num">{p.eligible}</td>
                        <td class="num winners">{p.winners}</td>
                        <td class="num ratio">{p.competition_ratio.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
            <tfoot><tr id="ratio-totals">
                <th colspan="2">{tr(lang, "report.all_positions")}</th>
                <th class="num">{r.totals.quota}</th>
                <th class="num">{r.totals.applicants}</th>
                <th class="num">{r.totals.eligible}</th>
                <th class="num">{r.totals.winners}</th>
                <th class="num ratio">{r.totals.competition_ratio.clone()}</th>
            </tr></tfoot>
        </table>
        <h2>{tr(lang, "report.pass_title")}</h2>
        {if r.exams.is_empty() {
            view! { <p class="muted" id="no-exams">{tr(lang, "report.no_exams")}</p> }.into_any()
        } else {
            view! {
                <table id="pass-table">
                    <thead><tr>
                        <th>{tr(lang, "report.exam")}</th><th>{tr(lang, "report.section")}</th>
                        <th class="num">{tr(lang, "report.sat")}</th>
                        <th class="num">{tr(lang, "report.passed")}</th>
                        <th class="num">{tr(lang, "report.pass_rate")}</th>
                    </tr></thead>
                    <tbody>
                        {r.exams.into_iter().flat_map(|e| {
                            let mut rows = vec![view! {
                                <tr class="exam-row" data-exam=e.code.clone()>
                                    <td><strong>{e.code.clone()}</strong>" – "{e.name.clone()}</td>
                                    <td>{tr(lang, "report.whole_paper")}</td>
                                    <td class="num">{e.graded}</td><td class="num">{e.passed}</td>
                                    <td class="num">{format!("{} %", e.pass_rate)}</td>
                                </tr>
                            }.into_any()];
                            rows.extend(e.sections.into_iter().map(|s| view! {
                                <tr data-section=s.code.clone()>
                                    <td></td><td>{s.code.clone()}</td>
                                    <td class="num">{s.sat}</td><td class="num">{s.passed}</td>
                                    <td class="num">{format!("{} %", s.pass_rate)}</td>
                                </tr>
                            }.into_any()));
                            rows
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}
