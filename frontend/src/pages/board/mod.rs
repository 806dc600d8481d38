//! The exam board's pages (*Ban đề thi*): the list of banks, and one bank with its topic tree,
//! item table and editor, the review queue, imports and seals. Every rule is the server's
//! (VN-20, VN-24, VN-29); these pages show what it says, field by field.

mod editor;
mod import;
pub mod model;
mod review;
mod seals;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use crate::api::{self, BankView, FieldError, ItemList, ItemView, TopicCount};
use crate::components::TopBar;
use crate::i18n::{t, tr, use_lang, Lang};
use model::{items_path, problem_text, topic_tree, Filters, KINDS, PAGE, STATUSES};

pub fn kind_label(lang: Lang, kind: &str) -> &'static str {
    match kind {
        "single" => tr(lang, "kind.single"),
        "multiple" => tr(lang, "kind.multiple"),
        "true_false" => tr(lang, "kind.true_false"),
        _ => tr(lang, "kind.fill_blank"),
    }
}

pub fn status_label(lang: Lang, status: &str) -> &'static str {
    match status {
        "draft" => tr(lang, "item.draft"),
        "in_review" => tr(lang, "item.in_review"),
        "approved" => tr(lang, "item.approved"),
        _ => tr(lang, "item.retired"),
    }
}

pub fn difficulty_label(lang: Lang, level: u8) -> &'static str {
    match level {
        1 => tr(lang, "diff.1"),
        2 => tr(lang, "diff.2"),
        _ => tr(lang, "diff.3"),
    }
}

/// What every part of a bank's page shares: the staff token, the bank, and a counter bumped
/// whenever an item changes so the table and the queue reload.
#[derive(Clone, Copy)]
pub struct Board {
    pub token: RwSignal<Option<String>>,
    pub bank_id: Memo<Option<i32>>,
    pub changed: RwSignal<u32>,
}

impl Board {
    pub fn token(self) -> Option<String> {
        self.token.get_untracked()
    }
    pub fn touch(self) {
        self.changed.update(|n| *n += 1);
    }
}

/// The messages of `field` as a line under the input (nothing when it is fine).
#[component]
pub fn FieldErrors(errors: RwSignal<Vec<FieldError>>, field: String) -> impl IntoView {
    let f = field.clone();
    let messages = Memo::new(move |_| model::messages_for(&errors.get(), &f));
    view! {
        <Show when=move || !messages.with(Vec::is_empty)>
            <p class="field-error" data-field=field.clone()>{move || messages.get().join(" · ")}</p>
        </Show>
    }
}

#[component]
fn NeedLogin(token: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || token.get().is_none()>
            <p class="error">{t("home.need_login")}" "<a href="/">{t("login.title")}</a></p>
        </Show>
    }
}

// ---------------------------------------------------------------------------------------------
// /ngan-hang

#[component]
pub fn BankListPage() -> impl IntoView {
    let token = RwSignal::new(None::<String>);
    let banks = RwSignal::new(Vec::<BankView>::new());
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let message = RwSignal::new(None::<String>);

    let load = move || {
        let Some(tok) = token.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match api::get::<Vec<BankView>>("/api/v1/banks", Some(&tok)).await {
                Ok(b) => banks.set(b),
                Err(e) => message.set(Some(problem_text(&e))),
            }
        });
    };
    Effect::new(move |_| {
        token.set(crate::session::staff_token());
        load();
    });
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(tok) = token.get_untracked() else {
            return;
        };
        let body = serde_json::json!({"code": code.get_untracked().trim(), "name": name.get_untracked().trim()});
        spawn_local(async move {
            match api::send_json::<_, BankView>("POST", "/api/v1/banks", &body, Some(&tok)).await {
                Ok(_) => {
                    errors.set(vec![]);
                    message.set(None);
                    code.set(String::new());
                    name.set(String::new());
                    load();
                }
                Err(e) => {
                    message.set(Some(problem_text(&e)));
                    errors.set(e.errors);
                }
            }
        });
    };

    view! {
        <TopBar/>
        <main class="wide">
            <h1>{t("board.banks")}</h1>
            <NeedLogin token=token/>
            <table id="banks">
                <thead><tr><th>{t("board.code")}</th><th>{t("board.name")}</th><th>{t("board.items")}</th><th>{t("board.created")}</th></tr></thead>
                <tbody>
                    {move || banks.get().into_iter().map(|b| view! {
                        <tr data-bank=b.code.clone()>
                            <td><a href=format!("/ngan-hang/{}", b.id)>{b.code.clone()}</a></td>
                            <td>{b.name.clone()}</td>
                            <td>{b.item_count}</td>
                            <td>{b.created_at.chars().take(10).collect::<String>()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <form class="card inline-form" id="create-bank" on:submit=create>
                <h2>{t("board.new_bank")}</h2>
                <label>{t("board.code")}
                    <input type="text" id="bank-code" placeholder="KTC-2026" prop:value=move || code.get()
                        on:input=move |e| code.set(event_target_value(&e))/>
                    <FieldErrors errors=errors field="code".to_string()/>
                </label>
                <label>{t("board.name")}
                    <input type="text" id="bank-name" prop:value=move || name.get()
                        on:input=move |e| name.set(event_target_value(&e))/>
                    <FieldErrors errors=errors field="name".to_string()/>
                </label>
                <button type="submit" class="secondary" id="create-bank-submit">{t("board.create")}</button>
                {move || message.get().map(|m| view! { <p class="error" id="bank-message">{m}</p> })}
            </form>
        </main>
    }
}

// ---------------------------------------------------------------------------------------------
// /ngan-hang/:id

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Items,
    Review,
    Import,
    Seals,
}

#[component]
pub fn BankPage() -> impl IntoView {
    let params = use_params_map();
    let bank_id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse().ok())));
    let board = Board {
        token: RwSignal::new(None),
        bank_id,
        changed: RwSignal::new(0),
    };
    let bank = RwSignal::new(None::<BankView>);
    let tab = RwSignal::new(Tab::Items);
    Effect::new(move |_| {
        board.token.set(crate::session::staff_token());
        let (Some(tok), Some(id)) = (board.token.get_untracked(), bank_id.get()) else {
            return;
        };
        spawn_local(async move {
            if let Ok(b) = api::get::<BankView>(&format!("/api/v1/banks/{id}"), Some(&tok)).await {
                bank.set(Some(b));
            }
        });
    });
    let tab_button = move |which: Tab, id: &'static str, key: &'static str| {
        view! {
            <button type="button" id=id role="tab"
                class=move || if tab.get() == which { "tab active" } else { "tab" }
                aria-selected=move || (tab.get() == which).to_string()
                on:click=move |_| tab.set(which)>{t(key)}</button>
        }
    };

    view! {
        <TopBar/>
        <main class="wide board">
            <p><a href="/ngan-hang">{t("board.banks")}</a></p>
            <h1 id="bank-title">{move || bank.get().map(|b| format!("{} · {}", b.code, b.name)).unwrap_or_default()}</h1>
            <NeedLogin token=board.token/>
            <nav class="tabs" role="tablist">
                {tab_button(Tab::Items, "tab-items", "board.tab_items")}
                {tab_button(Tab::Review, "tab-review", "board.tab_review")}
                {tab_button(Tab::Import, "tab-import", "board.tab_import")}
                {tab_button(Tab::Seals, "tab-seals", "board.tab_seals")}
            </nav>
            {move || match tab.get() {
                Tab::Items => view! { <ItemsTab board=board/> }.into_any(),
                Tab::Review => view! { <review::ReviewQueue board=board/> }.into_any(),
                Tab::Import => view! { <import::ImportPanel board=board/> }.into_any(),
                Tab::Seals => view! { <seals::SealPanel board=board/> }.into_any(),
            }}
        </main>
    }
}

/// Topic tree, filters and search, the item table, and the editor of the chosen item.
#[component]
fn ItemsTab(board: Board) -> impl IntoView {
    let lang = use_lang();
    let filters = RwSignal::new(Filters::default());
    let topics = RwSignal::new(Vec::<TopicCount>::new());
    let list = RwSignal::new(None::<ItemList>);
    let message = RwSignal::new(None::<String>);
    let selected = RwSignal::new(None::<ItemView>);
    // Answers of older requests are dropped: the search box asks at every keystroke.
    let asked = StoredValue::new(0u32);

    Effect::new(move |_| {
        board.changed.track();
        let (Some(tok), Some(id)) = (board.token.get(), board.bank_id.get()) else {
            return;
        };
        spawn_local(async move {
            match api::get::<Vec<TopicCount>>(&format!("/api/v1/banks/{id}/topics"), Some(&tok))
                .await
            {
                Ok(t) => topics.set(t),
                Err(e) => message.set(Some(problem_text(&e))),
            }
        });
    });
    Effect::new(move |_| {
        board.changed.track();
        let f = filters.get();
        let (Some(tok), Some(id)) = (board.token.get(), board.bank_id.get()) else {
            return;
        };
        let n = asked.get_value() + 1;
        asked.set_value(n);
        spawn_local(async move {
            let r = api::get::<ItemList>(&items_path(id, &f, PAGE as u32), Some(&tok)).await;
            if asked.get_value() != n {
                return;
            }
            match r {
                Ok(l) => {
                    message.set(None);
                    list.set(Some(l));
                }
                Err(e) => message.set(Some(problem_text(&e))),
            }
        });
    });

    let set = move |edit: fn(&mut Filters, String)| {
        move |e: leptos::ev::Event| {
            let v = event_target_value(&e);
            filters.update(|f| {
                edit(f, v);
                f.offset = 0;
            });
        }
    };

    view! {
        <div class="items-layout">
            <aside class="card topic-tree" id="topic-tree">
                <h2>{t("board.topics")}</h2>
                <ul>
                    <li><button type="button" class=move || if filters.with(|f| f.topic.is_empty()) { "topic current" } else { "topic" }
                        on:click=move |_| filters.update(|f| f.topic.clear())>{t("board.all_topics")}</button></li>
                    {move || topic_tree(&topics.get()).into_iter().map(|n| {
                        let path = n.path.clone();
                        let here = n.path.clone();
                        view! {
                            <li style=format!("padding-left: {}rem", n.depth as f32 * 1.1) data-topic=n.path.clone()>
                                <button type="button" class=move || if filters.with(|f| f.topic == here) { "topic current" } else { "topic" }
                                    on:click=move |_| { let p = path.clone(); filters.update(|f| f.topic = p) }>
                                    {n.name.clone()}" "<span class="muted">"("{n.count}")"</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </aside>
            <section class="items-main">
                <div class="card filters">
                    <label class="search">{t("board.search")}
                        <input type="search" id="item-search" placeholder=move || tr(lang.get(), "board.search_hint")
                            prop:value=move || filters.with(|f| f.q.clone())
                            on:input=set(|f, v| f.q = v)/>
                    </label>
                    <label>{t("board.difficulty")}
                        <select id="filter-difficulty" on:change=set(|f, v| f.difficulty = v)>
                            <option value="">{t("board.any")}</option>
                            {[1u8, 2, 3].into_iter().map(|d| view! { <option value=d.to_string()>{move || difficulty_label(lang.get(), d)}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>{t("board.kind")}
                        <select id="filter-kind" on:change=set(|f, v| f.kind = v)>
                            <option value="">{t("board.any")}</option>
                            {KINDS.into_iter().map(|k| view! { <option value=k>{move || kind_label(lang.get(), k)}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>{t("board.status")}
                        <select id="filter-status" on:change=set(|f, v| f.status = v)>
                            <option value="">{t("board.any")}</option>
                            {STATUSES.into_iter().map(|s| view! { <option value=s>{move || status_label(lang.get(), s)}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="button" class="secondary" id="new-item" on:click=move |_| selected.set(None)>{t("board.new_item")}</button>
                </div>
                {move || message.get().map(|m| view! { <p class="error" id="items-message">{m}</p> })}
                <p class="muted" id="items-total">{move || list.get().map(|l| format!("{} {}", l.total, tr(lang.get(), "board.items_found"))).unwrap_or_default()}</p>
                <table id="items">
                    <thead><tr>
                        <th>"#"</th><th>{t("board.stem")}</th><th>{t("board.topic")}</th><th>{t("board.kind")}</th>
                        <th>{t("board.difficulty")}</th><th>{t("board.status")}</th><th>{t("board.version")}</th>
                    </tr></thead>
                    <tbody>
                        {move || list.get().map(|l| l.items.into_iter().map(|i| {
                            let lang = lang.get();
                            let id = i.id;
                            let row = i.clone();
                            view! {
                                <tr data-item=id.to_string() class=move || if selected.with(|s| s.as_ref().is_some_and(|s| s.id == id)) { "current" } else { "" }
                                    on:click=move |_| selected.set(Some(row.clone()))>
                                    <td>{id}</td>
                                    <td class="stem-cell">{i.content.stem.clone()}</td>
                                    <td class="muted">{i.content.topic.clone()}</td>
                                    <td>{kind_label(lang, &i.content.kind)}</td>
                                    <td>{difficulty_label(lang, i.content.difficulty)}</td>
                                    <td class=format!("item-status {}", i.status)>{status_label(lang, &i.status)}</td>
                                    <td>{i.version}</td>
                                </tr>
                            }
                        }).collect_view())}
                    </tbody>
                </table>
                {move || list.get().filter(|l| l.total > PAGE).map(|l| {
                    let from = filters.with(|f| f.offset);
                    let to = (from + PAGE).min(l.total);
                    view! {
                        <p class="pager">
                            <button type="button" class="secondary small" id="items-prev" disabled={from == 0}
                                on:click=move |_| filters.update(|f| f.offset = f.offset.saturating_sub(PAGE))>{t("board.prev_page")}</button>
                            <span id="items-range">{format!("{}–{to} / {}", from + 1, l.total)}</span>
                            <button type="button" class="secondary small" id="items-next" disabled={to >= l.total}
                                on:click=move |_| filters.update(|f| f.offset += PAGE)>{t("board.next_page")}</button>
                        </p>
                    }
                })}
            </section>
        </div>
        <editor::ItemEditor board=board selected=selected/>
    }
    .into_any()
}
