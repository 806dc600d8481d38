//! Applications (Form 01): the searchable table, a form for one application with its agency
//! preferences and priority groups, eligibility with a reason, unproven priority claims (VN-9)
//! and the list of the ineligible with their reasons.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;

use super::{List, Note, NoteLine, RoundCtx};
use crate::api::{self, describe};
use crate::i18n::{t, tr, use_lang};

/// Priority groups of VN-7 (docs/rules.md), highest first, as the server knows them.
pub(crate) const PRIORITY_GROUPS: [&str; 17] = [
    "hero",
    "labour_hero",
    "war_invalid",
    "war_invalid_b",
    "ethnic_minority",
    "officer",
    "demobilised_soldier",
    "cipher_staff",
    "reserve_officer",
    "martyr_child",
    "war_invalid_child",
    "hero_child",
    "military_service",
    "police_service",
    "youth_volunteer",
    "defence_worker",
    "union_cadre",
];
const EXEMPTIONS: [&str; 3] = [
    "language_degree",
    "studied_in_language",
    "ethnic_minority_language",
];
const PAGE: u64 = 50;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Application {
    pub id: i32,
    pub position_code: String,
    pub full_name: String,
    pub date_of_birth: String,
    pub gender: String,
    pub national_id: String,
    pub agency_preferences: Vec<String>,
    pub priority_groups: Vec<String>,
    pub unproven_groups: Vec<String>,
    pub exemptions: Vec<String>,
    pub priority_points: String,
    pub priority_group: Option<String>,
    pub eligible: Option<bool>,
    pub eligibility_reason: Option<String>,
}

/// The query string of the applications list.
fn query(q: &str, position: &str, eligible: &str, offset: u64) -> String {
    let mut out = format!("limit={PAGE}&offset={offset}");
    for (k, v) in [
        ("q", q.trim()),
        ("position_code", position),
        ("eligible", eligible),
    ] {
        if !v.is_empty() {
            out.push_str(&format!("&{k}={}", encode(v)));
        }
    }
    out
}

/// Percent-encoding of a query value (names carry Vietnamese letters).
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub(crate) fn ApplicationsSection(ctx: RoundCtx) -> impl IntoView {
    let lang = use_lang();
    let note: Note = RwSignal::new(None);
    let q = RwSignal::new(String::new());
    let position = RwSignal::new(String::new());
    let eligible = RwSignal::new(String::new());
    let offset = RwSignal::new(0u64);
    let list = RwSignal::new(None::<List<Application>>);
    let ineligible = RwSignal::new(None::<List<Application>>);

    Effect::new(move |_| {
        ctx.version.track();
        let path = format!(
            "/api/v1/rounds/{}/applications?{}",
            ctx.round_id,
            query(&q.get(), &position.get(), &eligible.get(), offset.get())
        );
        let Some(tok) = ctx.token.get() else { return };
        spawn_local(async move {
            match api::get::<List<Application>>(&path, Some(&tok)).await {
                Ok(l) => list.set(Some(l)),
                Err(e) => note.set(Some(Err(describe(&e)))),
            }
        });
    });
    Effect::new(move |_| {
        ctx.version.track();
        let Some(tok) = ctx.token.get() else { return };
        let path = format!(
            "/api/v1/rounds/{}/applications?eligible=false&limit=500",
            ctx.round_id
        );
        spawn_local(async move {
            match api::get::<List<Application>>(&path, Some(&tok)).await {
                Ok(l) => ineligible.set(Some(l)),
                Err(e) => note.set(Some(Err(describe(&e)))),
            }
        });
    });

    let post = move |path: String, body: serde_json::Value, done: &'static str| {
        let Some(tok) = ctx.token.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match api::send_json::<_, Application>("POST", &path, &body, Some(&tok)).await {
                Ok(a) => {
                    note.set(Some(Ok(format!(
                        "{}: {} ({} {})",
                        tr(lang.get_untracked(), done),
                        a.full_name,
                        tr(lang.get_untracked(), "hr.points"),
                        a.priority_points
                    ))));
                    ctx.changed();
                }
                Err(e) => note.set(Some(Err(describe(&e)))),
            }
        });
    };

    view! {
        <section class="card" id="applications">
            <div class="filters">
                <label>{t("hr.search")}
                    <input type="text" id="app-search" prop:value=move || q.get()
                        on:change=move |e| { offset.set(0); q.set(event_target_value(&e)); }/>
                </label>
                <label>{t("hr.position")}
                    <select id="app-position" on:change=move |e| { offset.set(0); position.set(event_target_value(&e)); }>
                        <option value="">{t("hr.all")}</option>
                        {move || ctx.positions.get().into_iter().map(|p| view! {
                            <option value=p.code.clone()>{p.code.clone()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>{t("hr.eligibility")}
                    <select id="app-eligible" on:change=move |e| { offset.set(0); eligible.set(event_target_value(&e)); }>
                        <option value="">{t("hr.all")}</option>
                        <option value="true">{t("hr.eligible")}</option>
                        <option value="false">{t("hr.ineligible")}</option>
                        <option value="pending">{t("hr.pending")}</option>
                    </select>
                </label>
            </div>
            <NoteLine note id="app-note"/>
            {move || list.get().map(|l| {
                let total = l.total;
                view! {
                    <p class="muted" id="app-total">{t("hr.shown")}" " {l.items.len()}" / " {total}
                        <button type="button" class="secondary small" disabled=move || offset.get() == 0
                            on:click=move |_| offset.update(|o| *o = o.saturating_sub(PAGE))>"‹"</button>
                        <button type="button" class="secondary small" disabled=move || offset.get() + PAGE >= total
                            on:click=move |_| offset.update(|o| *o += PAGE)>"›"</button>
                    </p>
                    <table id="application-list">
                        <thead><tr>
                            <th>{t("hr.full_name")}</th><th>{t("hr.dob")}</th><th>{t("hr.national_id")}</th>
                            <th>{t("hr.position")}</th><th>{t("hr.preferences")}</th><th>{t("hr.priority")}</th>
                            <th class="num">{t("hr.points")}</th><th>{t("hr.eligibility")}</th><th>{t("hr.decide")}</th>
                        </tr></thead>
                        <tbody>
                            {l.items.into_iter().map(|a| view! { <ApplicationRow a post/> }).collect_view()}
                        </tbody>
                    </table>
                }
            })}
            <NewApplicationForm ctx/>
            <h2>{t("hr.ineligible_list")}</h2>
            <table id="ineligible-list">
                <thead><tr>
                    <th>{t("hr.full_name")}</th><th>{t("hr.national_id")}</th><th>{t("hr.position")}</th><th>{t("hr.reason")}</th>
                </tr></thead>
                <tbody>
                    {move || ineligible.get().map(|l| l.items.into_iter().map(|a| view! {
                        <tr data-id=a.id>
                            <td>{a.full_name.clone()}</td><td>{a.national_id.clone()}</td>
                            <td>{a.position_code.clone()}</td><td class="reason">{a.eligibility_reason.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view())}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn ApplicationRow<F>(a: Application, post: F) -> impl IntoView
where
    F: Fn(String, serde_json::Value, &'static str) + Copy + Send + Sync + 'static,
{
    let lang = use_lang();
    let reason = RwSignal::new(String::new());
    let id = a.id;
    let status = a.eligible;
    let claims = a
        .priority_groups
        .iter()
        .map(|g| (g.clone(), a.unproven_groups.contains(g)))
        .collect::<Vec<_>>();
    view! {
        <tr data-id=id data-national-id=a.national_id.clone()>
            <td class="name">{a.full_name.clone()}</td>
            <td>{a.date_of_birth.clone()}</td>
            <td>{a.national_id.clone()}</td>
            <td>{a.position_code.clone()}</td>
            <td>{a.agency_preferences.join(" › ")}</td>
            <td class="claims">
                {claims.into_iter().map(|(g, unproven)| {
                    let group = g.clone();
                    view! {
                        <span class=if unproven { "claim unproven" } else { "claim" }>{g.clone()}
                            {(!unproven).then(|| view! {
                                <button type="button" class="link unprove" title=move || tr(lang.get(), "hr.mark_unproven")
                                    on:click=move |_| post(
                                        format!("/api/v1/applications/{id}/priority-claims/unproven"),
                                        serde_json::json!({"group": group.clone(), "reason": reason.get_untracked()}),
                                        "hr.claim_unproven",
                                    )>{t("hr.unproven_short")}</button>
                            })}
                        </span>
                    }
                }).collect_view()}
            </td>
            <td class="num points">{a.priority_points.clone()}</td>
            <td class="eligibility">
                {move || match status {
                    Some(true) => tr(lang.get(), "hr.eligible").to_string(),
                    Some(false) => format!("{}: {}", tr(lang.get(), "hr.ineligible"), a.eligibility_reason.clone().unwrap_or_default()),
                    None => tr(lang.get(), "hr.pending").to_string(),
                }}
            </td>
            <td class="row-actions">
                <input type="text" class="reason" placeholder=move || tr(lang.get(), "hr.reason")
                    prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))/>
                <button type="button" class="secondary small mark-eligible"
                    on:click=move |_| post(
                        format!("/api/v1/applications/{id}/eligibility"),
                        serde_json::json!({"eligible": true}),
                        "hr.marked_eligible",
                    )>{t("hr.mark_eligible")}</button>
                <button type="button" class="secondary small mark-ineligible"
                    on:click=move |_| post(
                        format!("/api/v1/applications/{id}/eligibility"),
                        serde_json::json!({"eligible": false, "reason": reason.get_untracked()}),
                        "hr.marked_ineligible",
                    )>{t("hr.mark_ineligible")}</button>
            </td>
        </tr>
    }
}

#[component]
fn NewApplicationForm(ctx: RoundCtx) -> impl IntoView {
    let lang = use_lang();
    let note: Note = RwSignal::new(None);
    let full_name = RwSignal::new(String::new());
    let dob = RwSignal::new(String::new());
    let gender = RwSignal::new("male".to_string());
    let national_id = RwSignal::new(String::new());
    let position = RwSignal::new(String::new());
    let prefs = RwSignal::new(Vec::<String>::new());
    let groups = RwSignal::new(Vec::<String>::new());
    let exemptions = RwSignal::new(Vec::<String>::new());
    let agencies = move || {
        let code = position.get();
        ctx.positions
            .get()
            .into_iter()
            .find(|p| p.code == code)
            .map(|p| p.agencies)
            .unwrap_or_default()
    };
    let toggle = |list: RwSignal<Vec<String>>, code: String| {
        list.update(|l| match l.iter().position(|x| *x == code) {
            Some(i) => {
                l.remove(i);
            }
            None => l.push(code),
        })
    };

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(tok) = ctx.token.get_untracked() else {
            return;
        };
        let body = serde_json::json!({
            "full_name": full_name.get_untracked().trim(),
            "date_of_birth": dob.get_untracked(),
            "gender": gender.get_untracked(),
            "national_id": national_id.get_untracked().trim(),
            "position_code": position.get_untracked(),
            "agency_preferences": prefs.get_untracked(),
            "priority_groups": groups.get_untracked(),
            "exemptions": exemptions.get_untracked(),
        });
        let id = ctx.round_id;
        spawn_local(async move {
            match api::send_json::<_, Application>(
                "POST",
                &format!("/api/v1/rounds/{id}/applications"),
                &body,
                Some(&tok),
            )
            .await
            {
                Ok(a) => {
                    note.set(Some(Ok(format!(
                        "{}: {} ({} {})",
                        tr(lang.get_untracked(), "hr.application_created"),
                        a.full_name,
                        tr(lang.get_untracked(), "hr.points"),
                        a.priority_points
                    ))));
                    full_name.set(String::new());
                    national_id.set(String::new());
                    prefs.set(Vec::new());
                    groups.set(Vec::new());
                    exemptions.set(Vec::new());
                    ctx.changed();
                }
                Err(e) => note.set(Some(Err(describe(&e)))),
            }
        });
    };

    view! {
        <form class="grid-form" id="new-application" on:submit=create>
            <h2>{t("hr.new_application")}</h2>
            <label>{t("hr.full_name")}
                <input type="text" id="app-full-name" required prop:value=move || full_name.get()
                    on:input=move |e| full_name.set(event_target_value(&e))/>
            </label>
            <label>{t("hr.dob")}
                <input type="date" id="app-dob" required prop:value=move || dob.get()
                    on:input=move |e| dob.set(event_target_value(&e))/>
            </label>
            <label>{t("hr.gender")}
                <select id="app-gender" on:change=move |e| gender.set(event_target_value(&e))>
                    <option value="male">{t("hr.male")}</option>
                    <option value="female">{t("hr.female")}</option>
                </select>
            </label>
            <label>{t("hr.national_id")}
                <input type="text" id="app-national-id" required inputmode="numeric" prop:value=move || national_id.get()
                    on:input=move |e| national_id.set(event_target_value(&e))/>
            </label>
            <label>{t("hr.position")}
                <select id="app-new-position" on:change=move |e| { prefs.set(Vec::new()); position.set(event_target_value(&e)); }>
                    <option value="">"—"</option>
                    {move || ctx.positions.get().into_iter().map(|p| view! {
                        <option value=p.code.clone()>{format!("{} – {}", p.code, p.name)}</option>
                    }).collect_view()}
                </select>
            </label>
            <fieldset class="wide-field" id="app-preferences">
                <legend>{t("hr.preferences_hint")}</legend>
                {move || agencies().into_iter().map(|a| {
                    let code = a.code.clone();
                    let rank = {
                        let code = a.code.clone();
                        move || prefs.with(|p| p.iter().position(|x| *x == code).map(|i| format!("{}. ", i + 1)).unwrap_or_default())
                    };
                    view! {
                        <button type="button" class="secondary small pref" data-code=a.code.clone()
                            on:click=move |_| toggle(prefs, code.clone())>{rank}{format!("{} ({})", a.name, a.code)}</button>
                    }
                }).collect_view()}
                <p class="muted">{move || prefs.with(|p| if p.is_empty() { tr(lang.get(), "hr.all_agencies").to_string() } else { p.join(" › ") })}</p>
            </fieldset>
            <fieldset class="wide-field checks" id="app-groups">
                <legend>{t("hr.priority_groups")}</legend>
                {PRIORITY_GROUPS.into_iter().map(|g| view! {
                    <label class="check"><input type="checkbox" value=g prop:checked=move || groups.with(|l| l.iter().any(|x| x == g))
                        on:change=move |_| toggle(groups, g.to_string())/>{g}</label>
                }).collect_view()}
            </fieldset>
            <fieldset class="wide-field checks" id="app-exemptions">
                <legend>{t("hr.exemptions")}</legend>
                {EXEMPTIONS.into_iter().map(|g| view! {
                    <label class="check"><input type="checkbox" value=g prop:checked=move || exemptions.with(|l| l.iter().any(|x| x == g))
                        on:change=move |_| toggle(exemptions, g.to_string())/>{g}</label>
                }).collect_view()}
            </fieldset>
            <button type="submit" class="primary" id="create-application">{t("hr.create")}</button>
            <NoteLine note id="application-note"/>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_query_encodes_vietnamese_names_and_skips_empty_filters() {
        assert_eq!(query("", "", "", 0), "limit=50&offset=0");
        assert_eq!(
            query(" Hà ", "CV-VP", "false", 50),
            "limit=50&offset=50&q=H%C3%A0&position_code=CV-VP&eligible=false"
        );
    }
}
