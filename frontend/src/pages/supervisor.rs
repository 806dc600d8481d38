//! Supervisor console: the live roster of a session and the supervisor's actions on it
//! (open the session code, late admission, extra time, re-sitting after a machine failure,
//! incidents, sanctions, a new PIN, approving the move of a sitting to another computer).
//! Every action carries a reason and is audited by the server.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;

use crate::api;
use crate::components::TopBar;
use crate::i18n::{t, tr, use_lang};

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct RosterEntry {
    sitting_id: i32,
    ticket_no: String,
    seat: i32,
    full_name: String,
    status: String,
    logged_in: bool,
    logins: i32,
    answered: u32,
    last_saved_at: Option<String>,
    remaining_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Monitor {
    session_id: i32,
    starts_at: String,
    opened_at: Option<String>,
    roster: Vec<RosterEntry>,
}

/// One computer of a move.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Device {
    address: String,
    user_agent: String,
    at: String,
}

/// A sitting asked for from another computer, waiting for the supervisor.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Move {
    id: i32,
    ticket_no: String,
    current: Option<Device>,
    requested: Device,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct MoveList {
    items: Vec<Move>,
}

fn device_text(d: &Device) -> String {
    format!("{} · {} · {}", d.address, d.at, d.user_agent)
}

#[derive(Debug, Clone, Deserialize)]
struct Opened {
    access_code: String,
}

fn status_label(code: &str, lang: crate::i18n::Lang) -> &'static str {
    match code {
        "waiting" => tr(lang, "status.waiting"),
        "open" => tr(lang, "status.open"),
        "submitted" => tr(lang, "status.submitted"),
        "closed" => tr(lang, "status.closed"),
        _ => tr(lang, "status.void"),
    }
}

fn mmss(seconds: i64) -> String {
    format!("{:02}:{:02}", seconds / 60, seconds % 60)
}

#[component]
pub fn SupervisorPage() -> impl IntoView {
    let lang = use_lang();
    let session_id = RwSignal::new(String::new());
    let monitor = RwSignal::new(None::<Monitor>);
    let code = RwSignal::new(None::<String>);
    let reason = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let token = RwSignal::new(None::<String>);
    let moves = RwSignal::new(Vec::<Move>::new());

    let load = move || {
        let (Some(tok), Ok(id)) = (
            token.get_untracked(),
            session_id.get_untracked().trim().parse::<i32>(),
        ) else {
            return;
        };
        spawn_local(async move {
            match api::get::<Monitor>(&format!("/api/v1/sessions/{id}/monitor"), Some(&tok)).await {
                Ok(m) => monitor.set(Some(m)),
                Err(e) => message.set(Some(format!("{} {}", e.status, e.detail))),
            }
            let path = format!("/api/v1/sessions/{id}/moves");
            if let Ok(list) = api::get::<MoveList>(&path, Some(&tok)).await {
                moves.set(list.items);
            }
        });
    };
    // Browser only: the staff token of this tab, and a refresh every 3 seconds.
    Effect::new(move |_| {
        token.set(crate::session::staff_token());
        set_interval(load, std::time::Duration::from_secs(3));
    });

    let act = move |path: String, body: serde_json::Value| {
        let Some(tok) = token.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match api::send_json::<_, serde_json::Value>("POST", &path, &body, Some(&tok)).await {
                Ok(v) => {
                    // A re-sitting answers with the new ticket (and its PIN) the candidate must
                    // use; a re-issued PIN is shown this once.
                    let ticket = v
                        .get("old_sitting_id")
                        .and(v.get("ticket_no"))
                        .and_then(|t| t.as_str())
                        .map(|t| format!("→ {t} "));
                    let pin = v
                        .get("pin")
                        .and_then(|p| p.as_str())
                        .map(|p| format!("PIN {p}"));
                    let note = match (ticket, pin) {
                        (None, None) => None,
                        (t, p) => Some(format!(
                            "{}{}",
                            t.unwrap_or_default(),
                            p.unwrap_or_default()
                        )),
                    };
                    message.set(Some(note.unwrap_or_else(|| "OK".into())));
                    load();
                }
                Err(e) => message.set(Some(format!(
                    "{} {} {}",
                    e.status,
                    e.detail,
                    e.errors
                        .iter()
                        .map(|x| format!("{}: {}", x.location, x.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                ))),
            }
        });
    };
    let open_code = move |_| {
        let (Some(tok), Ok(id)) = (
            token.get_untracked(),
            session_id.get_untracked().trim().parse::<i32>(),
        ) else {
            return;
        };
        spawn_local(async move {
            match api::send_json::<_, Opened>(
                "POST",
                &format!("/api/v1/sessions/{id}/open"),
                &serde_json::json!({}),
                Some(&tok),
            )
            .await
            {
                Ok(o) => code.set(Some(o.access_code)),
                Err(e) => message.set(Some(format!("{} {}", e.status, e.detail))),
            }
        });
    };

    view! {
        <TopBar/>
        <main class="wide">
            <h1>{t("sup.title")}</h1>
            <Show when=move || token.get().is_none()>
                <p class="error">{t("home.need_login")}" "<a href="/">{t("login.title")}</a></p>
            </Show>
            <div class="card sup-controls">
                <label>{t("sup.session")}
                    <input type="number" id="session-id" prop:value=move || session_id.get()
                        on:input=move |e| session_id.set(event_target_value(&e))/>
                </label>
                <button type="button" class="secondary" id="load-roster" on:click=move |_| load()>{t("sup.load")}</button>
                <button type="button" class="secondary" id="open-code" on:click=open_code>{t("sup.open_code")}</button>
                {move || code.get().map(|c| view! { <span class="clock big" id="shown-code">{c}</span> })}
                <label>{t("sup.reason")}
                    <input type="text" id="reason" prop:value=move || reason.get()
                        on:input=move |e| reason.set(event_target_value(&e))/>
                </label>
                {move || message.get().map(|m| view! { <p class="muted" id="sup-message">{m}</p> })}
            </div>
            <Show when=move || !moves.get().is_empty()>
                <h2>{t("sup.moves")}</h2>
                <table id="moves">
                    <thead><tr>
                        <th>{t("exam.ticket")}</th><th>{t("sup.move_from")}</th><th>{t("sup.move_to")}</th><th>{t("sup.actions")}</th>
                    </tr></thead>
                    <tbody>
                        {move || moves.get().into_iter().map(|m| {
                            let id = m.id;
                            let approve = move |_| {
                                let body = serde_json::json!({"reason": reason.get_untracked()});
                                act(format!("/api/v1/moves/{id}/approve"), body);
                            };
                            view! {
                                <tr data-move=id>
                                    <td>{m.ticket_no.clone()}</td>
                                    <td>{m.current.as_ref().map(device_text).unwrap_or_default()}</td>
                                    <td>{device_text(&m.requested)}</td>
                                    <td><button type="button" class="primary approve-move" on:click=approve>{t("sup.approve_move")}</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </Show>
            {move || monitor.get().map(|m| {
                let opened = m.opened_at.is_some();
                view! {
                    <p class="muted">{tr(lang.get(), "sup.starts")}": " {m.starts_at.clone()} " · "
                        {if opened { tr(lang.get(), "sup.opened") } else { "" }}</p>
                    <table id="roster">
                        <thead><tr>
                            <th>{t("sup.seat")}</th><th>{t("exam.ticket")}</th><th>{t("sup.name")}</th>
                            <th>{t("sup.status")}</th><th>{t("sup.logins")}</th><th>{t("sup.answered")}</th>
                            <th>{t("sup.last_save")}</th><th>{t("exam.remaining")}</th><th>{t("sup.actions")}</th>
                        </tr></thead>
                        <tbody>
                            {m.roster.into_iter().map(|r| {
                                let id = r.sitting_id;
                                // More than one login: the candidate moved, or someone else signed in.
                                let logins_class = if r.logins > 1 { "warn" } else { "" };
                                let session = m.session_id;
                                let with_reason = move |path: String, extra: serde_json::Value| {
                                    let mut body = extra;
                                    body["reason"] = serde_json::Value::String(reason.get_untracked());
                                    act(path, body);
                                };
                                view! {
                                    <tr data-ticket=r.ticket_no.clone()>
                                        <td>{r.seat}</td>
                                        <td>{r.ticket_no.clone()}</td>
                                        <td>{r.full_name.clone()}</td>
                                        <td class=format!("status {}", r.status)>{status_label(&r.status, lang.get_untracked())}{if r.logged_in { " ●" } else { "" }}</td>
                                        <td class=logins_class>{r.logins}</td>
                                        <td>{r.answered}</td>
                                        <td>{r.last_saved_at.clone().unwrap_or_default()}</td>
                                        <td>{mmss(r.remaining_seconds)}</td>
                                        <td class="row-actions">
                                            <button type="button" on:click=move |_| with_reason(format!("/api/v1/sittings/{id}/late-admissions"), serde_json::json!({}))>{t("sup.admit")}</button>
                                            <button type="button" on:click=move |_| with_reason(format!("/api/v1/sittings/{id}/extensions"), serde_json::json!({"minutes": 5}))>"+5'"</button>
                                            <button type="button" on:click=move |_| with_reason(format!("/api/v1/sittings/{id}/resittings"), serde_json::json!({}))>{t("sup.resit")}</button>
                                            <button type="button" on:click=move |_| {
                                                let note = reason.get_untracked();
                                                act(format!("/api/v1/sessions/{session}/incidents"), serde_json::json!({"sitting_id": id, "kind": "other", "note": note}));
                                            }>{t("sup.incident")}</button>
                                            <button type="button" on:click=move |_| with_reason(format!("/api/v1/sittings/{id}/pin"), serde_json::json!({}))>{t("sup.new_pin")}</button>
                                            <button type="button" on:click=move |_| with_reason(format!("/api/v1/sittings/{id}/sanctions"), serde_json::json!({"level": "reprimand"}))>{t("sup.reprimand")}</button>
                                            <button type="button" on:click=move |_| with_reason(format!("/api/v1/sittings/{id}/sanctions"), serde_json::json!({"level": "warning"}))>{t("sup.warning")}</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }
            })}
        </main>
    }
}
