//! Sessions (*ca thi*) of an exam: the automatic assignment of eligible candidates to sessions,
//! rooms and seats (previewed first), each session's tickets, and its print views.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

use super::{Note, NoteLine, RoundCtx};
use crate::api::{self, describe};
use crate::i18n::{t, tr, use_lang};

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Ticket {
    application_id: i32,
    #[serde(default)]
    sitting_id: Option<i32>,
    /// `None` in a preview: numbers are given when the sessions are created.
    ticket_no: Option<String>,
    seat: i32,
    full_name: String,
    position_code: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Session {
    #[serde(default)]
    id: Option<i32>,
    code: String,
    room: String,
    starts_at: String,
    /// Started or opened: seats can no longer change.
    #[serde(default)]
    started: bool,
    tickets: Vec<Ticket>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Exam {
    id: i32,
    code: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Exams {
    items: Vec<Exam>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Sessions {
    /// `sessions` from an assignment, `items` from the list of an exam's sessions.
    #[serde(alias = "items")]
    sessions: Vec<Session>,
}

/// One planned session of the assignment form.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct Plan {
    code: String,
    room: String,
    seats: u32,
    starts_at: String,
}

/// `YYYY-MM-DDTHH:MM` of a date-time field, read as Vietnamese time (UTC+7), in RFC 3339.
fn vietnam_rfc3339(local: &str) -> String {
    let local = local.trim();
    match local.len() {
        16 => format!("{local}:00+07:00"),
        _ => format!("{local}+07:00"),
    }
}

#[component]
pub(crate) fn SessionsSection(ctx: RoundCtx) -> impl IntoView {
    let lang = use_lang();
    let note: Note = RwSignal::new(None);
    let exam_id = RwSignal::new(String::new());
    let exams = RwSignal::new(Vec::<Exam>::new());
    let sessions = RwSignal::new(None::<Sessions>);
    let preview = RwSignal::new(false);
    let plans = RwSignal::new(vec![Plan {
        code: "CA1".into(),
        room: String::new(),
        seats: 30,
        starts_at: String::new(),
    }]);
    let rows = Memo::new(move |_| plans.with(Vec::len));

    let exam = move || exam_id.get_untracked().trim().parse::<i32>().ok();
    let load = move || {
        let (Some(tok), Some(id)) = (ctx.token.get_untracked(), exam()) else {
            return;
        };
        spawn_local(async move {
            match api::get::<Sessions>(&format!("/api/v1/exams/{id}/sessions"), Some(&tok)).await {
                Ok(s) => {
                    preview.set(false);
                    sessions.set(Some(s));
                }
                Err(e) => note.set(Some(Err(describe(&e)))),
            }
        });
    };
    let assign = move |dry_run: bool| {
        let (Some(tok), Some(id)) = (ctx.token.get_untracked(), exam()) else {
            return;
        };
        if let Some(p) =
            plans.with_untracked(|p| p.iter().find(|p| p.starts_at.trim().is_empty()).cloned())
        {
            note.set(Some(Err(format!(
                "{} {}",
                tr(lang.get_untracked(), "hr.starts_missing"),
                p.code
            ))));
            return;
        }
        let body = serde_json::json!({
            "sessions": plans.get_untracked().into_iter().map(|p| Plan {
                starts_at: vietnam_rfc3339(&p.starts_at),
                ..p
            }).collect::<Vec<_>>(),
            "dry_run": dry_run,
        });
        spawn_local(async move {
            match api::send_json::<_, Sessions>(
                "POST",
                &format!("/api/v1/exams/{id}/sessions/assign"),
                &body,
                Some(&tok),
            )
            .await
            {
                Ok(s) => {
                    let seated: usize = s.sessions.iter().map(|x| x.tickets.len()).sum();
                    let key = if dry_run {
                        "hr.assign_preview"
                    } else {
                        "hr.assigned"
                    };
                    note.set(Some(Ok(format!(
                        "{} {seated}",
                        tr(lang.get_untracked(), key)
                    ))));
                    preview.set(dry_run);
                    sessions.set(Some(s));
                    if !dry_run {
                        ctx.changed();
                    }
                }
                Err(e) => note.set(Some(Err(describe(&e)))),
            }
        });
    };
    // The round's exams; the first is chosen and its sessions shown.
    Effect::new(move |_| {
        ctx.version.track();
        let Some(tok) = ctx.token.get() else { return };
        let path = format!("/api/v1/rounds/{}/exams", ctx.round_id);
        spawn_local(async move {
            match api::get::<Exams>(&path, Some(&tok)).await {
                Ok(list) => {
                    let first = list.items.first().map(|e| e.id.to_string());
                    exams.set(list.items);
                    if exam_id.get_untracked().is_empty() {
                        if let Some(first) = first {
                            exam_id.set(first);
                            load();
                        }
                    }
                }
                Err(e) => note.set(Some(Err(describe(&e)))),
            }
        });
    });
    let print = move |path: String, download: Option<&'static str>| {
        let Some(tok) = ctx.token.get_untracked() else {
            return;
        };
        spawn_local(async move {
            if let Err(e) = api::open_with_token(&path, &tok, download).await {
                note.set(Some(Err(describe(&e))));
            }
        });
    };

    // A seat moved by hand (ticket number unchanged); the server refuses once a session started.
    let moving = RwSignal::new(None::<i32>);
    let move_to = RwSignal::new((String::new(), String::new(), String::new()));
    let move_seat = move |sitting_id: i32| {
        let Some(tok) = ctx.token.get_untracked() else {
            return;
        };
        let (session, seat, reason) = move_to.get_untracked();
        let (Ok(session_id), Ok(seat)) =
            (session.trim().parse::<i32>(), seat.trim().parse::<i32>())
        else {
            note.set(Some(Err(
                tr(lang.get_untracked(), "hr.move_fill").to_string()
            )));
            return;
        };
        let body = serde_json::json!({ "session_id": session_id, "seat": seat, "reason": reason });
        spawn_local(async move {
            match api::send_json::<_, serde_json::Value>(
                "PUT",
                &format!("/api/v1/sittings/{sitting_id}/seat"),
                &body,
                Some(&tok),
            )
            .await
            {
                Ok(_) => {
                    moving.set(None);
                    note.set(Some(Ok(tr(lang.get_untracked(), "hr.moved").to_string())));
                    load();
                }
                Err(e) => note.set(Some(Err(describe(&e)))),
            }
        });
    };

    view! {
        <section class="card" id="sessions">
            <div class="filters">
                <label>{t("hr.exam")}
                    <select id="exam-id" prop:value=move || exam_id.get()
                        on:change=move |e| { exam_id.set(event_target_value(&e)); load(); }>
                        {move || exams.get().into_iter().map(|x| {
                            let id = x.id.to_string();
                            view! { <option value=id.clone() selected=move || exam_id.get() == id>{format!("{} · {}", x.code, x.name)}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <button type="button" class="secondary" id="load-sessions" on:click=move |_| load()>{t("hr.load_sessions")}</button>
            </div>
            <form class="assign" id="assign-form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); assign(false); }>
                <h2>{t("hr.assign")}</h2>
                <p class="muted">{t("hr.assign_help")}</p>
                <table>
                    <thead><tr><th>{t("hr.session_code")}</th><th>{t("hr.room")}</th><th>{t("hr.seats")}</th><th>{t("hr.starts_at")}</th><th></th></tr></thead>
                    <tbody>
                        {move || (0..rows.get()).map(|i| {
                            let get = move |f: fn(&Plan) -> String| plans.with(|p| p.get(i).map(f).unwrap_or_default());
                            view! {
                                <tr class="plan-row">
                                    <td><input type="text" class="plan-code" prop:value=move || get(|p| p.code.clone())
                                        on:input=move |e| plans.update(|p| if let Some(x) = p.get_mut(i) { x.code = event_target_value(&e) })/></td>
                                    <td><input type="text" class="plan-room" prop:value=move || get(|p| p.room.clone())
                                        on:input=move |e| plans.update(|p| if let Some(x) = p.get_mut(i) { x.room = event_target_value(&e) })/></td>
                                    <td><input type="number" class="plan-seats" min="1" prop:value=move || get(|p| p.seats.to_string())
                                        on:input=move |e| plans.update(|p| if let Some(x) = p.get_mut(i) { x.seats = event_target_value(&e).trim().parse().unwrap_or(0) })/></td>
                                    <td><input type="datetime-local" class="plan-starts" prop:value=move || get(|p| p.starts_at.clone())
                                        on:input=move |e| plans.update(|p| if let Some(x) = p.get_mut(i) { x.starts_at = event_target_value(&e) })/></td>
                                    <td><button type="button" class="secondary small" on:click=move |_| plans.update(|p| { if p.len() > 1 { p.remove(i); } })>"×"</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <div class="import-controls">
                    <button type="button" class="secondary" id="add-session"
                        on:click=move |_| plans.update(|p| { let n = p.len() + 1; p.push(Plan { code: format!("CA{n}"), room: String::new(), seats: 30, starts_at: String::new() }) })>
                        {t("hr.add_session")}</button>
                    <button type="button" class="secondary" id="assign-preview" on:click=move |_| assign(true)>{t("hr.preview")}</button>
                    <button type="submit" class="secondary" id="assign-apply">{t("hr.assign_apply")}</button>
                </div>
            </form>
            <NoteLine note id="sessions-note"/>
            {move || sessions.get().map(|s| {
              let targets: Vec<(i32, String)> = s.sessions.iter()
                  .filter_map(|x| x.id.map(|id| (id, format!("{} · {}", x.code, x.room))))
                  .collect();
              s.sessions.into_iter().map(|x| {
                let id = x.id;
                let movable = !x.started;
                let targets = targets.clone();
                view! {
                    <div class="session" data-code=x.code.clone()>
                        <h3>{x.code.clone()}" · "{x.room.clone()}" · "{x.starts_at.clone()}
                            {move || if preview.get() { tr(lang.get(), "hr.not_saved") } else { "" }}</h3>
                        {id.map(|id| view! {
                            <p class="print-links">
                                <button type="button" class="secondary small" on:click=move |_| print(format!("/api/v1/sessions/{id}/admission-tickets?format=html"), None)>{t("hr.print_tickets")}</button>
                                <button type="button" class="secondary small" on:click=move |_| print(format!("/api/v1/sessions/{id}/seat-list?format=html"), None)>{t("hr.print_seats")}</button>
                                <button type="button" class="secondary small" on:click=move |_| print(format!("/api/v1/sessions/{id}/seat-list?format=xlsx"), Some("seat-list.xlsx"))>{t("hr.seats_xlsx")}</button>
                            </p>
                        })}
                        <table class="tickets">
                            <thead><tr><th>{t("sup.seat")}</th><th>{t("exam.ticket")}</th><th>{t("hr.full_name")}</th><th>{t("hr.position")}</th><th></th></tr></thead>
                            <tbody>
                                {x.tickets.into_iter().map(|tk| {
                                    let targets = targets.clone();
                                    let sitting = tk.sitting_id.filter(|_| movable);
                                    let current = id.map(|i| i.to_string()).unwrap_or_default();
                                    view! {
                                    <tr data-application=tk.application_id>
                                        <td>{tk.seat}</td><td>{tk.ticket_no.unwrap_or_else(|| "—".into())}</td><td>{tk.full_name}</td><td>{tk.position_code}</td>
                                        <td>{sitting.map(|sid| {
                                            let current = current.clone();
                                            view! {
                                            <button type="button" class="secondary small move-seat" on:click=move |_| {
                                                move_to.set((current.clone(), String::new(), String::new()));
                                                moving.set(Some(sid));
                                            }>{t("hr.move_seat")}</button>
                                            <Show when=move || moving.get() == Some(sid)>
                                                <div class="seat-move">
                                                    <select class="move-session" on:change=move |e| move_to.update(|m| m.0 = event_target_value(&e))>
                                                        {targets.iter().map(|(tid, label)| {
                                                            let sel = move_to.with_untracked(|m| m.0 == tid.to_string());
                                                            view! { <option value=tid.to_string() selected=sel>{label.clone()}</option> }
                                                        }).collect_view()}
                                                    </select>
                                                    <input type="number" class="move-seat-no" min="1" placeholder=move || tr(lang.get(), "sup.seat")
                                                        on:input=move |e| move_to.update(|m| m.1 = event_target_value(&e))/>
                                                    <input type="text" class="move-reason" placeholder=move || tr(lang.get(), "hr.move_reason")
                                                        on:input=move |e| move_to.update(|m| m.2 = event_target_value(&e))/>
                                                    <button type="button" class="small move-apply" on:click=move |_| move_seat(sid)>{t("hr.move_apply")}</button>
                                                </div>
                                            </Show>
                                        }})}</td>
                                    </tr>
                                }}).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
            }).collect_view()})}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::vietnam_rfc3339;

    #[test]
    fn a_session_start_is_read_in_vietnam_time() {
        assert_eq!(
            vietnam_rfc3339("2026-12-01T08:00"),
            "2026-12-01T08:00:00+07:00"
        );
    }
}
