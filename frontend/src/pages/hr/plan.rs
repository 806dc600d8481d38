//! The round's plan: the dashboard (applications per position, competition ratio, VN-30
//! deadlines) and the positions with their agencies and quotas (VN-13).

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;

use super::{Agency, Note, NoteLine, Position, Round, RoundCtx};
use crate::api::{self, describe};
use crate::i18n::{t, tr, use_lang, Lang};

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct PositionStats {
    code: String,
    name: String,
    quota: i32,
    applications: u64,
    eligible: u64,
    ineligible: u64,
    competition_ratio: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Deadline {
    code: String,
    rule: String,
    due_on: Option<String>,
    working_days: bool,
    estimated: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Dashboard {
    round: Round,
    today: String,
    applications: u64,
    eligible: u64,
    ineligible: u64,
    pending: u64,
    positions: Vec<PositionStats>,
    deadlines: Vec<Deadline>,
}

fn deadline_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "applications_close" => tr(lang, "hr.dl.applications_close"),
        "eligible_list" => tr(lang, "hr.dl.eligible_list"),
        "round1" => tr(lang, "hr.dl.round1"),
        "round2" => tr(lang, "hr.dl.round2"),
        "results_approved" => tr(lang, "hr.dl.results_approved"),
        "winners_published" => tr(lang, "hr.dl.winners_published"),
        "dossier" => tr(lang, "hr.dl.dossier"),
        "recruitment_decision" => tr(lang, "hr.dl.recruitment_decision"),
        _ => "",
    }
}

pub(crate) fn form_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "written" => tr(lang, "hr.form.written"),
        "written_cbt" => tr(lang, "hr.form.written_cbt"),
        "written_interview" => tr(lang, "hr.form.written_interview"),
        _ => "",
    }
}

pub(crate) fn grade_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "chuyen_vien" => tr(lang, "hr.grade.chuyen_vien"),
        "can_su" => tr(lang, "hr.grade.can_su"),
        "nhan_vien" => tr(lang, "hr.grade.nhan_vien"),
        "chuyen_vien_chinh" => tr(lang, "hr.grade.chuyen_vien_chinh"),
        "chuyen_vien_cao_cap" => tr(lang, "hr.grade.chuyen_vien_cao_cap"),
        _ => "",
    }
}

const GRADES: [&str; 5] = [
    "chuyen_vien",
    "can_su",
    "nhan_vien",
    "chuyen_vien_chinh",
    "chuyen_vien_cao_cap",
];
const FORMS: [&str; 3] = ["written", "written_cbt", "written_interview"];

#[component]
pub(crate) fn DashboardSection(ctx: RoundCtx) -> impl IntoView {
    let lang = use_lang();
    let dash = RwSignal::new(None::<Dashboard>);
    let note: Note = RwSignal::new(None);
    Effect::new(move |_| {
        ctx.version.track();
        let Some(tok) = ctx.token.get() else { return };
        let id = ctx.round_id;
        spawn_local(async move {
            match api::get::<Dashboard>(&format!("/api/v1/rounds/{id}/dashboard"), Some(&tok)).await
            {
                Ok(d) => dash.set(Some(d)),
                Err(e) => note.set(Some(Err(describe(&e)))),
            }
        });
    });
    view! {
        <section class="card" id="dashboard">
            <NoteLine note id="dashboard-note"/>
            {move || dash.get().map(|d| {
                let today = d.today.clone();
                view! {
                    <p class="totals" id="totals">
                        {t("hr.applications")}": " <strong>{d.applications}</strong>" · "
                        {t("hr.eligible")}": " <strong>{d.eligible}</strong>" · "
                        {t("hr.ineligible")}": " <strong>{d.ineligible}</strong>" · "
                        {t("hr.pending")}": " <strong>{d.pending}</strong>" · "
                        {t("hr.today")}": " {d.today.clone()}
                    </p>
                    <h2>{t("hr.per_position")}</h2>
                    <table id="position-stats">
                        <thead><tr>
                            <th>{t("hr.code")}</th><th>{t("hr.name")}</th><th class="num">{t("hr.quota")}</th>
                            <th class="num">{t("hr.applications")}</th><th class="num">{t("hr.eligible")}</th>
                            <th class="num">{t("hr.ineligible")}</th><th class="num">{t("hr.ratio")}</th>
                        </tr></thead>
                        <tbody>
                            {d.positions.into_iter().map(|p| view! {
                                <tr data-code=p.code.clone()>
                                    <td>{p.code.clone()}</td><td>{p.name.clone()}</td>
                                    <td class="num">{p.quota}</td><td class="num">{p.applications}</td>
                                    <td class="num">{p.eligible}</td><td class="num">{p.ineligible}</td>
                                    <td class="num ratio">{p.competition_ratio.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <h2>{t("hr.deadlines")}</h2>
                    <p class="muted">{t("hr.deadlines_note")}</p>
                    <table id="deadlines">
                        <thead><tr>
                            <th>{t("hr.step")}</th><th>{t("hr.due_on")}</th><th>{t("hr.counting")}</th>
                        </tr></thead>
                        <tbody>
                            {d.deadlines.into_iter().map(|x| {
                                let overdue = x.due_on.as_deref().is_some_and(|due| due < today.as_str());
                                let code = x.code.clone();
                                view! {
                                    <tr data-code=x.code.clone() class=if overdue { "overdue" } else { "" }>
                                        <td title=x.rule.clone()>{move || deadline_label(lang.get(), &code)}</td>
                                        <td>{x.due_on.clone().unwrap_or_else(|| "—".into())}
                                            {move || if x.estimated { tr(lang.get(), "hr.estimated") } else { "" }}</td>
                                        <td>{move || if x.working_days { tr(lang.get(), "hr.working_days") } else { tr(lang.get(), "hr.calendar_days") }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }
            })}
        </section>
    }
}

#[component]
pub(crate) fn PositionsSection(ctx: RoundCtx) -> impl IntoView {
    let lang = use_lang();
    let note: Note = RwSignal::new(None);
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let grade = RwSignal::new("chuyen_vien".to_string());
    let form = RwSignal::new("written".to_string());
    let agencies = RwSignal::new(vec![Agency {
        code: String::new(),
        name: String::new(),
        quota: 1,
    }]);
    // Rows are redrawn when one is added or removed, not on every keystroke.
    let rows = Memo::new(move |_| agencies.with(Vec::len));

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(tok) = ctx.token.get_untracked() else {
            return;
        };
        let body = serde_json::json!({
            "code": code.get_untracked().trim(),
            "name": name.get_untracked().trim(),
            "grade": grade.get_untracked(),
            "round2_form": form.get_untracked(),
            "agencies": agencies.get_untracked(),
        });
        let id = ctx.round_id;
        spawn_local(async move {
            match api::send_json::<_, Position>(
                "POST",
                &format!("/api/v1/rounds/{id}/positions"),
                &body,
                Some(&tok),
            )
            .await
            {
                Ok(p) => {
                    note.set(Some(Ok(format!(
                        "{} {} ({} {})",
                        tr(lang.get_untracked(), "hr.position_created"),
                        p.code,
                        tr(lang.get_untracked(), "hr.quota"),
                        p.quota
                    ))));
                    code.set(String::new());
                    name.set(String::new());
                    agencies.set(vec![Agency {
                        code: String::new(),
                        name: String::new(),
                        quota: 1,
                    }]);
                    ctx.changed();
                }
                Err(e) => note.set(Some(Err(describe(&e)))),
            }
        });
    };

    view! {
        <section class="card" id="positions">
            <table id="position-list">
                <thead><tr>
                    <th>{t("hr.code")}</th><th>{t("hr.name")}</th><th>{t("hr.grade")}</th>
                    <th>{t("hr.round2_form")}</th><th>{t("hr.agencies")}</th><th class="num">{t("hr.quota")}</th>
                </tr></thead>
                <tbody>
                    {move || ctx.positions.get().into_iter().map(|p| {
                        let (g, f) = (p.grade.clone(), p.round2_form.clone());
                        view! {
                            <tr data-code=p.code.clone()>
                                <td>{p.code.clone()}</td><td>{p.name.clone()}</td>
                                <td>{move || grade_label(lang.get(), &g)}</td>
                                <td>{move || form_label(lang.get(), &f)}</td>
                                <td>{p.agencies.iter().map(|a| format!("{} ({}): {}", a.name, a.code, a.quota)).collect::<Vec<_>>().join("; ")}</td>
                                <td class="num quota">{p.quota}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <form class="grid-form" id="new-position" on:submit=create>
                <h2>{t("hr.new_position")}</h2>
                <label>{t("hr.code")}
                    <input type="text" id="position-code" required prop:value=move || code.get()
                        on:input=move |e| code.set(event_target_value(&e))/>
                </label>
                <label>{t("hr.name")}
                    <input type="text" id="position-name" required prop:value=move || name.get()
                        on:input=move |e| name.set(event_target_value(&e))/>
                </label>
                <label>{t("hr.grade")}
                    <select id="position-grade" on:change=move |e| grade.set(event_target_value(&e))>
                        {GRADES.into_iter().map(|c| view! {
                            <option value=c selected=move || grade.get() == c>{move || grade_label(lang.get(), c)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>{t("hr.round2_form")}
                    <select id="position-form" on:change=move |e| form.set(event_target_value(&e))>
                        {FORMS.into_iter().map(|c| view! {
                            <option value=c selected=move || form.get() == c>{move || form_label(lang.get(), c)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <fieldset class="agencies wide-field">
                    <legend>{t("hr.agencies_quota")}</legend>
                    {move || (0..rows.get()).map(|i| {
                        let get = move |f: fn(&Agency) -> String| agencies.with(|a| a.get(i).map(f).unwrap_or_default());
                        view! {
                            <div class="agency-row" data-index=i>
                                <input type="text" class="agency-code" placeholder=move || tr(lang.get(), "hr.agency_code")
                                    prop:value=move || get(|a| a.code.clone())
                                    on:input=move |e| agencies.update(|a| if let Some(x) = a.get_mut(i) { x.code = event_target_value(&e) })/>
                                <input type="text" class="agency-name" placeholder=move || tr(lang.get(), "hr.agency_name")
                                    prop:value=move || get(|a| a.name.clone())
                                    on:input=move |e| agencies.update(|a| if let Some(x) = a.get_mut(i) { x.name = event_target_value(&e) })/>
                                <input type="number" class="agency-quota" min="1"
                                    prop:value=move || get(|a| a.quota.to_string())
                                    on:input=move |e| agencies.update(|a| if let Some(x) = a.get_mut(i) { x.quota = event_target_value(&e).trim().parse().unwrap_or(0) })/>
                                <button type="button" class="secondary small" on:click=move |_| agencies.update(|a| { if a.len() > 1 { a.remove(i); } })>"×"</button>
                            </div>
                        }
                    }).collect_view()}
                    <button type="button" class="secondary" id="add-agency"
                        on:click=move |_| agencies.update(|a| a.push(Agency { code: String::new(), name: String::new(), quota: 1 }))>
                        {t("hr.add_agency")}
                    </button>
                    <p class="muted">{t("hr.quota_sum")}": " <strong id="quota-sum">{move || agencies.with(|a| a.iter().map(|x| x.quota).sum::<i64>())}</strong></p>
                </fieldset>
                <button type="submit" class="primary" id="create-position">{t("hr.create")}</button>
                <NoteLine note id="position-note"/>
            </form>
        </section>
    }
}
