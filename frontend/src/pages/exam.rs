//! The candidate's exam page on a lab computer.
//!
//! Everything lives on the server (VN-19): the page keeps its token and answers in memory only,
//! so a reload or another computer means signing in again and getting every acknowledged
//! answer back. The remaining time is counted from the server's `ends_at` and `server_now`,
//! never from the lab computer's clock. Each change is sent at once with a per-question
//! sequence number and retried until the server acknowledges it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::{BTreeMap, BTreeSet};

use crate::api::{self, CandidateItem, SavedAnswer, SittingView, SubmitResult};
use crate::components::TopBar;
use crate::i18n::{t, tr, use_lang, Lang};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SaveState {
    Saved,
    Saving,
    /// Sending failed; a retry is scheduled.
    Failed,
}

#[derive(Clone, PartialEq, Debug)]
struct Local {
    answer: SavedAnswer,
    state: SaveState,
}

/// The page's state: every field is a signal, so the struct is `Copy` into closures.
#[derive(Clone, Copy)]
struct Exam {
    token: RwSignal<Option<String>>,
    view: RwSignal<Option<SittingView>>,
    answers: RwSignal<BTreeMap<u32, Local>>,
    flagged: RwSignal<BTreeSet<u32>>,
    current: RwSignal<u32>,
    /// Server clock minus the lab computer's clock, in milliseconds.
    offset_ms: RwSignal<f64>,
    now_ms: RwSignal<f64>,
    last_load_ms: RwSignal<f64>,
    locked: RwSignal<bool>,
    confirm: RwSignal<bool>,
    font_px: RwSignal<u32>,
}

impl Exam {
    fn new() -> Self {
        Exam {
            token: RwSignal::new(None),
            view: RwSignal::new(None),
            answers: RwSignal::new(BTreeMap::new()),
            flagged: RwSignal::new(BTreeSet::new()),
            current: RwSignal::new(1),
            offset_ms: RwSignal::new(0.0),
            now_ms: RwSignal::new(0.0),
            last_load_ms: RwSignal::new(0.0),
            locked: RwSignal::new(false),
            confirm: RwSignal::new(false),
            font_px: RwSignal::new(20),
        }
    }

    fn server_now(self) -> f64 {
        self.now_ms.get() + self.offset_ms.get()
    }

    fn items(self) -> Vec<CandidateItem> {
        self.view
            .get()
            .map(|v| v.sections.into_iter().flat_map(|s| s.items).collect())
            .unwrap_or_default()
    }

    fn answered(self, no: u32) -> bool {
        self.answers.with(|a| {
            a.get(&no).is_some_and(|l| {
                !l.answer.choices.is_empty()
                    || l.answer
                        .text
                        .as_deref()
                        .is_some_and(|t| !t.trim().is_empty())
            })
        })
    }

    fn pending(self) -> bool {
        self.answers
            .with_untracked(|a| a.values().any(|l| l.state != SaveState::Saved))
    }

    /// Fetches the sitting and merges it with what this page has not yet had acknowledged.
    fn load(self) {
        let Some(token) = self.token.get_untracked() else {
            return;
        };
        self.last_load_ms.set(api::local_now_ms());
        spawn_local(async move {
            match api::sitting(&token).await {
                Ok(v) => self.apply(v),
                Err(e) if e.status == 401 => self.locked.set(true),
                Err(_) => {}
            }
        });
    }

    fn apply(self, v: SittingView) {
        self.offset_ms
            .set(api::parse_ms(&v.server_now) - api::local_now_ms());
        self.answers.update(|local| {
            for (no, server) in &v.answers {
                let Ok(no) = no.parse::<u32>() else { continue };
                let newer_here = local.get(&no).is_some_and(|l| l.answer.seq > server.seq);
                if !newer_here {
                    local.insert(
                        no,
                        Local {
                            answer: server.clone(),
                            state: SaveState::Saved,
                        },
                    );
                }
            }
        });
        self.view.set(Some(v));
    }

    /// Records a change of question `no` and sends it at once.
    fn change(self, no: u32, edit: impl FnOnce(&mut SavedAnswer)) {
        let mut seq = 0;
        self.answers.update(|a| {
            let entry = a.entry(no).or_insert(Local {
                answer: SavedAnswer {
                    choices: vec![],
                    text: None,
                    seq: 0,
                },
                state: SaveState::Saving,
            });
            edit(&mut entry.answer);
            entry.answer.seq += 1;
            entry.state = SaveState::Saving;
            seq = entry.answer.seq;
        });
        spawn_local(self.send(no, seq));
    }

    /// Sends the answer of `no` as of `seq`, retrying until acknowledged or superseded.
    async fn send(self, no: u32, seq: i64) {
        let mut backoff = 500;
        loop {
            let Some(token) = self.token.get_untracked() else {
                return;
            };
            let Some(answer) = self.answers.with_untracked(|a| {
                a.get(&no)
                    .filter(|l| l.answer.seq == seq)
                    .map(|l| l.answer.clone())
            }) else {
                return; // a newer change of this question is being sent instead
            };
            match api::put_answer(&token, no, &answer).await {
                Ok(_) => {
                    self.set_state(no, seq, SaveState::Saved);
                    return;
                }
                // A newer answer is on the server (another tab): adopt the server's.
                Err(e) if e.status == 409 => {
                    self.answers.update(|a| {
                        a.remove(&no);
                    });
                    self.load();
                    return;
                }
                Err(e) if e.status == 401 => {
                    self.locked.set(true);
                    return;
                }
                Err(e) if e.status == 423 => {
                    self.load();
                    return;
                }
                Err(_) => {
                    self.set_state(no, seq, SaveState::Failed);
                    api::sleep_ms(backoff).await;
                    backoff = (backoff * 2).min(5000);
                }
            }
        }
    }

    fn set_state(self, no: u32, seq: i64, state: SaveState) {
        self.answers.update(|a| {
            if let Some(l) = a.get_mut(&no).filter(|l| l.answer.seq == seq) {
                l.state = state;
            }
        });
    }

    fn choose(self, no: u32, kind: &str, key: String) {
        let multiple = kind == "multiple";
        self.change(no, move |a| {
            if multiple {
                if let Some(i) = a.choices.iter().position(|c| *c == key) {
                    a.choices.remove(i);
                } else {
                    a.choices.push(key);
                    a.choices.sort();
                }
            } else {
                a.choices = vec![key];
            }
        });
    }

    fn go(self, delta: i64) {
        let count = self.items().len() as i64;
        let next = (i64::from(self.current.get_untracked()) + delta).clamp(1, count.max(1));
        self.current.set(next as u32);
    }
}

fn clock_text(ms: f64) -> String {
    let total = (ms / 1000.0).ceil().max(0.0) as i64;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

#[component]
pub fn ExamPage() -> impl IntoView {
    let ex = Exam::new();
    let lang = use_lang();

    // Browser only: the clock tick, the phase changes it triggers, leave warning, keyboard.
    Effect::new(move |_| {
        ex.now_ms.set(api::local_now_ms());
        set_interval(
            move || {
                let now = api::local_now_ms();
                ex.now_ms.set(now);
                let Some(v) = ex.view.get_untracked() else {
                    return;
                };
                let server = now + ex.offset_ms.get_untracked();
                let due = match v.status.as_str() {
                    "waiting" => server >= api::parse_ms(&v.starts_at),
                    "open" => server >= api::parse_ms(&v.ends_at) + 500.0,
                    _ => false,
                };
                if due && now - ex.last_load_ms.get_untracked() > 2000.0 {
                    ex.load();
                }
            },
            std::time::Duration::from_millis(250),
        );
        let warn = window_event_listener(leptos::ev::beforeunload, move |e| {
            if ex.pending() {
                e.prevent_default();
                e.set_return_value(tr(lang.get_untracked(), "exam.leave_warning"));
            }
        });
        let keys = window_event_listener(leptos::ev::keydown, move |e| on_key(ex, e));
        // The listeners live as long as the page.
        std::mem::forget(warn);
        std::mem::forget(keys);
    });

    view! {
        <TopBar/>
        <main class="exam" style=move || format!("font-size: {}px", ex.font_px.get())>
            {move || {
                if ex.locked.get() {
                    view! { <p class="error big" id="locked">{t("exam.locked")}</p> }.into_any()
                } else if ex.token.get().is_none() {
                    view! { <CandidateLogin ex=ex/> }.into_any()
                } else {
                    match ex.view.get() {
                        None => view! { <p class="muted">{t("home.loading")}</p> }.into_any(),
                        Some(v) if v.result.is_some() || v.status == "submitted" || v.status == "closed" => {
                            view! { <ResultView result=v.result.clone() lang=lang.get()/> }.into_any()
                        }
                        Some(v) if v.status == "waiting" => {
                            let starts = api::parse_ms(&v.starts_at);
                            view! {
                                <section class="card waiting" id="waiting">
                                    <h1>{t("exam.waiting")}</h1>
                                    <p class="clock big" id="countdown">{move || clock_text(starts - ex.server_now())}</p>
                                    <p class="muted">{t("exam.waiting_note")}</p>
                                </section>
                            }.into_any()
                        }
                        Some(_) => view! { <Sitting ex=ex/> }.into_any(),
                    }
                }
            }}
        </main>
    }
}

fn on_key(ex: Exam, e: leptos::ev::KeyboardEvent) {
    let typing = e
        .target()
        .and_then(|t| {
            use leptos::wasm_bindgen::JsCast;
            t.dyn_into::<leptos::web_sys::HtmlElement>().ok()
        })
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA"));
    let open = ex
        .view
        .with_untracked(|v| v.as_ref().is_some_and(|v| v.status == "open"));
    if typing || !open || ex.confirm.get_untracked() || ex.locked.get_untracked() {
        return;
    }
    let key = e.key();
    let no = ex.current.get_untracked();
    let item = ex.view.with_untracked(|v| {
        v.as_ref().and_then(|v| {
            v.sections
                .iter()
                .flat_map(|s| s.items.iter())
                .find(|i| i.no == no)
                .cloned()
        })
    });
    match key.as_str() {
        "ArrowRight" => ex.go(1),
        "ArrowLeft" => ex.go(-1),
        "f" | "F" => ex.flagged.update(|f| {
            if !f.remove(&no) {
                f.insert(no);
            }
        }),
        k => {
            let Some(item) = item else { return };
            let index = match k {
                "a" | "A" | "1" => Some(0),
                "b" | "B" | "2" => Some(1),
                "c" | "C" | "3" => Some(2),
                "d" | "D" | "4" => Some(3),
                _ => None,
            };
            if let Some(option) = index.and_then(|i| item.options.get(i)) {
                ex.choose(no, &item.kind, option.key.clone());
            }
        }
    }
}

#[component]
fn CandidateLogin(ex: Exam) -> impl IntoView {
    let lang = use_lang();
    let ticket = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let waiting = RwSignal::new(false);
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let pin = Some(pin.get_untracked()).filter(|p| !p.trim().is_empty());
            let mut answer =
                api::candidate_login(ticket.get_untracked(), code.get_untracked(), pin).await;
            // Another computer holds the sitting: wait for the supervisor's approval.
            while let Ok(api::SignIn::Waiting(m)) = &answer {
                waiting.set(true);
                api::sleep_ms(3000).await;
                answer = api::poll_move(m).await;
            }
            waiting.set(false);
            match answer {
                Ok(api::SignIn::SignedIn(r)) => {
                    ex.locked.set(false);
                    ex.token.set(Some(r.token));
                    ex.load();
                }
                Ok(api::SignIn::Waiting(_)) => {}
                Err(e) => error.set(Some(match e.status {
                    0 => tr(lang.get_untracked(), "error.network").to_string(),
                    403 => format!("{} {}", tr(lang.get_untracked(), "exam.refused"), e.detail),
                    429 => tr(lang.get_untracked(), "login.throttled").to_string(),
                    _ => tr(lang.get_untracked(), "exam.login_failed").to_string(),
                })),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="narrow">
            <h1>{t("exam.title")}</h1>
            <form class="card" id="candidate-login" on:submit=submit>
                <label>{t("exam.ticket")}
                    <input type="text" id="ticket" inputmode="numeric" autocomplete="off" required
                        prop:value=move || ticket.get() on:input=move |e| ticket.set(event_target_value(&e))/>
                </label>
                <label>{t("exam.code")}
                    <input type="text" id="access-code" autocomplete="off" required
                        prop:value=move || code.get() on:input=move |e| code.set(event_target_value(&e))/>
                </label>
                <label>{t("exam.pin")}
                    <input type="password" id="pin" inputmode="numeric" autocomplete="off" required
                        prop:value=move || pin.get() on:input=move |e| pin.set(event_target_value(&e))/>
                </label>
                <Show when=move || error.get().is_some()>
                    <p class="error" role="alert" id="candidate-error">{move || error.get()}</p>
                </Show>
                <Show when=move || waiting.get()>
                    <p class="notice" role="status" id="move-waiting">{t("exam.move_waiting")}</p>
                </Show>
                <button type="submit" class="primary" id="enter" disabled=move || busy.get()>{t("exam.enter")}</button>
            </form>
        </section>
    }
}

#[component]
fn Sitting(ex: Exam) -> impl IntoView {
    let lang = use_lang();
    let remaining = move || {
        ex.view
            .with(|v| v.as_ref().map(|v| api::parse_ms(&v.ends_at)))
            .map(|end| clock_text(end - ex.server_now()))
            .unwrap_or_default()
    };
    let save_summary = move || {
        let (saving, failed) = ex.answers.with(|a| {
            (
                a.values().filter(|l| l.state == SaveState::Saving).count(),
                a.values().filter(|l| l.state == SaveState::Failed).count(),
            )
        });
        let l = lang.get();
        if failed > 0 {
            ("unsaved", tr(l, "exam.unsaved"))
        } else if saving > 0 {
            ("saving", tr(l, "exam.saving"))
        } else {
            ("saved", tr(l, "exam.all_saved"))
        }
    };
    let ticket = move || {
        ex.view
            .with(|v| v.as_ref().map(|v| v.ticket_no.clone()).unwrap_or_default())
    };
    view! {
        <div class="exam-bar">
            <span>{t("exam.ticket")}": " <strong id="exam-ticket">{ticket}</strong></span>
            <span class="clock" id="clock" title=t("exam.remaining")>{remaining}</span>
            <span id="save-state" class=move || format!("save {}", save_summary().0)>{move || save_summary().1}</span>
            <span class="font">
                {t("exam.font")}" "
                <button type="button" id="font-smaller" on:click=move |_| ex.font_px.update(|f| *f = (*f).saturating_sub(2).max(14))>"A−"</button>
                <button type="button" id="font-larger" on:click=move |_| ex.font_px.update(|f| *f = (*f + 2).min(32))>"A+"</button>
            </span>
            <button type="button" class="primary submit" id="submit" on:click=move |_| ex.confirm.set(true)>{t("exam.submit")}</button>
        </div>
        <div class="exam-body">
            <Question ex=ex/>
            <QuestionMap ex=ex/>
        </div>
        <p class="muted keys">{t("exam.keys")}</p>
        <Show when=move || ex.confirm.get()>
            <ConfirmSubmit ex=ex/>
        </Show>
    }
}

#[component]
fn Question(ex: Exam) -> impl IntoView {
    let lang = use_lang();
    let item = move || {
        let no = ex.current.get();
        ex.items().into_iter().find(|i| i.no == no)
    };
    view! {
        <section class="question card">
            {move || item().map(|item| {
                let no = item.no;
                let kind = item.kind.clone();
                let state = move || ex.answers.with(|a| a.get(&no).map(|l| l.state));
                let flagged = move || ex.flagged.with(|f| f.contains(&no));
                let options = item.options.clone().into_iter().map(|o| {
                    let key = o.key.clone();
                    let kind = kind.clone();
                    let selected = {
                        let key = key.clone();
                        Memo::new(move |_| ex.answers.with(|a| a.get(&no).is_some_and(|l| l.answer.choices.contains(&key))))
                    };
                    view! {
                        <button type="button" class=move || if selected.get() { "option selected" } else { "option" }
                            data-key=key.clone() aria-pressed=move || selected.get().to_string()
                            on:click=move |_| ex.choose(no, &kind, key.clone())>
                            <span class="key">{o.key.clone()}</span>
                            <span class="text">{o.text.clone()}</span>
                        </button>
                    }
                }).collect_view();
                let text_value = move || ex.answers.with(|a| a.get(&no).and_then(|l| l.answer.text.clone()).unwrap_or_default());
                view! {
                    <h2>{move || tr(lang.get(), "exam.question")}" " {no}</h2>
                    <p class="stem" id="q-stem">{item.stem.clone()}</p>
                    {if item.kind == "fill_blank" {
                        view! {
                            <input type="text" class="fill" id="fill-answer" autocomplete="off"
                                placeholder=move || tr(lang.get(), "exam.answer_here")
                                prop:value=text_value
                                on:input=move |e| {
                                    let text = event_target_value(&e);
                                    ex.change(no, move |a| a.text = Some(text));
                                }/>
                        }.into_any()
                    } else {
                        view! { <div class="options">{options}</div> }.into_any()
                    }}
                    <p class="item-state" id="item-state">{move || match state() {
                        Some(SaveState::Saved) => tr(lang.get(), "exam.saved"),
                        Some(SaveState::Saving) => tr(lang.get(), "exam.saving"),
                        Some(SaveState::Failed) => tr(lang.get(), "exam.unsaved"),
                        None => "",
                    }}</p>
                    <div class="nav">
                        <button type="button" class="secondary" id="prev" on:click=move |_| ex.go(-1)>{move || tr(lang.get(), "exam.prev")}</button>
                        <button type="button" class="secondary" id="flag" on:click=move |_| ex.flagged.update(|f| { if !f.remove(&no) { f.insert(no); } })>
                            {move || if flagged() { tr(lang.get(), "exam.unflag") } else { tr(lang.get(), "exam.flag") }}
                        </button>
                        <button type="button" class="secondary" id="next" on:click=move |_| ex.go(1)>{move || tr(lang.get(), "exam.next")}</button>
                    </div>
                }
            })}
        </section>
    }
}

#[component]
fn QuestionMap(ex: Exam) -> impl IntoView {
    view! {
        <nav class="map card" aria-label=t("exam.map")>
            <h3>{t("exam.map")}</h3>
            <div class="map-grid">
                {move || ex.items().into_iter().map(|item| {
                    let no = item.no;
                    let class = move || {
                        let mut c = String::from("cell");
                        if ex.answered(no) { c.push_str(" answered"); }
                        if ex.flagged.with(|f| f.contains(&no)) { c.push_str(" flagged"); }
                        if ex.current.get() == no { c.push_str(" current"); }
                        c
                    };
                    view! {
                        <button type="button" class=class id=format!("map-{no}") on:click=move |_| ex.current.set(no)>{no}</button>
                    }
                }).collect_view()}
            </div>
            <p class="muted legend">{t("exam.legend")}</p>
        </nav>
    }
}

#[component]
fn ConfirmSubmit(ex: Exam) -> impl IntoView {
    let unanswered = move || {
        ex.items()
            .into_iter()
            .map(|i| i.no)
            .filter(|no| !ex.answered(*no))
            .map(|no| no.to_string())
            .collect::<Vec<_>>()
    };
    let submit = move |_| {
        let Some(token) = ex.token.get_untracked() else {
            return;
        };
        spawn_local(async move {
            // Unsent answers first: what the candidate sees answered is what is graded.
            for _ in 0..40 {
                if !ex.pending() {
                    break;
                }
                api::sleep_ms(250).await;
            }
            match api::submit(&token).await {
                Ok(result) => {
                    ex.confirm.set(false);
                    ex.view.update(|v| {
                        if let Some(v) = v {
                            v.status = "submitted".into();
                            v.result = Some(result);
                        }
                    });
                }
                Err(e) if e.status == 401 => ex.locked.set(true),
                Err(_) => ex.load(),
            }
        });
    };
    view! {
        <div class="dialog" role="dialog" aria-modal="true" id="confirm">
            <div class="card">
                <h2>{t("exam.confirm_title")}</h2>
                {move || {
                    let missing = unanswered();
                    if missing.is_empty() {
                        view! { <p>{t("exam.confirm_all")}</p> }.into_any()
                    } else {
                        view! { <p>{t("exam.confirm_unanswered")} " " <strong id="unanswered">{missing.join(", ")}</strong></p> }.into_any()
                    }
                }}
                <div class="nav">
                    <button type="button" class="secondary" id="confirm-no" on:click=move |_| ex.confirm.set(false)>{t("exam.confirm_no")}</button>
                    <button type="button" class="primary" id="confirm-yes" on:click=submit>{t("exam.confirm_yes")}</button>
                </div>
            </div>
        </div>
    }
}

#[component]
fn ResultView(result: Option<SubmitResult>, lang: Lang) -> impl IntoView {
    let Some(r) = result else {
        return view! { <p class="muted">{tr(lang, "home.loading")}</p> }.into_any();
    };
    view! {
        <section class="card result" id="result">
            <h1>{tr(lang, "exam.result")}</h1>
            {(r.closed_by == "clock").then(|| view! { <p class="muted">{tr(lang, "exam.closed_by_clock")}</p> })}
            <table>
                <thead><tr><th></th><th>{tr(lang, "exam.correct")}</th><th>{tr(lang, "exam.score")}</th><th></th></tr></thead>
                <tbody>
                    {r.sections.iter().map(|s| view! {
                        <tr>
                            <td>{s.code.clone()}</td>
                            <td class="correct">{format!("{}/{}", s.correct, s.total)}</td>
                            <td>{s.score.clone()}</td>
                            <td>{tr(lang, if s.passed { "exam.passed" } else { "exam.failed" })}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class=if r.passed { "verdict pass" } else { "verdict fail" } id="verdict">
                {tr(lang, if r.passed { "exam.passed" } else { "exam.failed" })}
            </p>
            <p class="muted">{tr(lang, "exam.receipt")}": " <code id="receipt">{r.receipt_sha256.clone()}</code></p>
        </section>
    }
    .into_any()
}
