//! The item editor: every field of an item, the server's problems shown under the field they
//! name, a live preview of the question exactly as the candidate's page shows it, and the
//! item's version history.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::model::{candidate_view, key_text, problem_text, Draft, KINDS};
use super::{difficulty_label, kind_label, status_label, Board, FieldErrors};
use crate::api::{self, CandidateItem, FieldError, ItemView, VersionSummary};
use crate::i18n::{t, tr, use_lang};

/// The question as the candidate sees it: the markup and classes of the exam page
/// (`pages/exam.rs`), fed with the same `CandidateItem` a paper gives the candidate's browser.
/// Options can be clicked to try the question; nothing is sent anywhere.
#[component]
pub fn CandidatePreview(item: Signal<CandidateItem>, id: String) -> impl IntoView {
    let lang = use_lang();
    let chosen = RwSignal::new(Vec::<String>::new());
    view! {
        <section class="question card preview" id=id>
            {move || {
                let item = item.get();
                let kind = item.kind.clone();
                let options = item.options.into_iter().map(|o| {
                    let key = o.key.clone();
                    let k2 = key.clone();
                    let many = kind == "multiple";
                    let selected = move || chosen.with(|c| c.contains(&k2));
                    view! {
                        <button type="button" class=move || if selected() { "option selected" } else { "option" }
                            data-key=key.clone()
                            on:click=move |_| {
                                let key = key.clone();
                                chosen.update(|c| {
                                    if c.contains(&key) { c.retain(|k| *k != key) }
                                    else if many { c.push(key) }
                                    else { *c = vec![key] }
                                })
                            }>
                            <span class="key">{o.key.clone()}</span>
                            <span class="text">{o.text.clone()}</span>
                        </button>
                    }
                }).collect_view();
                view! {
                    <h2>{move || tr(lang.get(), "exam.question")}" " {item.no}</h2>
                    <p class="stem">{item.stem.clone()}</p>
                    {if item.kind == "fill_blank" {
                        view! { <input type="text" class="fill" autocomplete="off" placeholder=move || tr(lang.get(), "exam.answer_here")/> }.into_any()
                    } else {
                        view! { <div class="options">{options}</div> }.into_any()
                    }}
                }
            }}
        </section>
    }
    .into_any()
}

#[component]
pub fn ItemEditor(board: Board, selected: RwSignal<Option<ItemView>>) -> impl IntoView {
    let lang = use_lang();
    let draft = RwSignal::new(Draft::default());
    let current = RwSignal::new(None::<ItemView>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let message = RwSignal::new(None::<String>);
    let versions = RwSignal::new(Vec::<VersionSummary>::new());
    let viewing = RwSignal::new(None::<ItemView>);
    let busy = RwSignal::new(false);

    // A row chosen in the table (or a saved item) becomes the editor's content.
    Effect::new(move |_| {
        let item = selected.get();
        errors.set(vec![]);
        message.set(None);
        viewing.set(None);
        versions.set(vec![]);
        draft.set(
            item.as_ref()
                .map(|i| Draft::from_content(&i.content))
                .unwrap_or_default(),
        );
        current.set(item.clone());
        let (Some(item), Some(tok)) = (item, board.token()) else {
            return;
        };
        spawn_local(async move {
            if let Ok(v) = api::get::<Vec<VersionSummary>>(
                &format!("/api/v1/items/{}/versions", item.id),
                Some(&tok),
            )
            .await
            {
                versions.set(v);
            }
        });
    });

    let preview = Signal::derive(move || draft.with(|d| candidate_view(1, &d.to_content())));

    let save = move |_| {
        let (Some(tok), Some(bank)) = (board.token(), board.bank_id.get_untracked()) else {
            return;
        };
        let body = draft.with_untracked(|d| d.to_content());
        let existing = current.with_untracked(|c| c.as_ref().map(|c| c.id));
        busy.set(true);
        spawn_local(async move {
            let r = match existing {
                Some(id) => {
                    api::send_json::<_, ItemView>(
                        "PUT",
                        &format!("/api/v1/items/{id}"),
                        &body,
                        Some(&tok),
                    )
                    .await
                }
                None => {
                    api::send_json::<_, ItemView>(
                        "POST",
                        &format!("/api/v1/banks/{bank}/items"),
                        &body,
                        Some(&tok),
                    )
                    .await
                }
            };
            busy.set(false);
            match r {
                Ok(v) => {
                    selected.set(Some(v));
                    message.set(Some(tr(lang.get_untracked(), "board.saved").to_string()));
                    board.touch();
                }
                Err(e) => {
                    message.set(Some(if e.errors.is_empty() {
                        problem_text(&e)
                    } else {
                        format!("{} {}", e.status, e.detail)
                    }));
                    errors.set(e.errors);
                }
            }
        });
    };
    let step = move |action: &'static str| {
        let (Some(tok), Some(id)) = (
            board.token(),
            current.with_untracked(|c| c.as_ref().map(|c| c.id)),
        ) else {
            return;
        };
        spawn_local(async move {
            match api::send_json::<_, ItemView>(
                "POST",
                &format!("/api/v1/items/{id}/{action}"),
                &serde_json::json!({}),
                Some(&tok),
            )
            .await
            {
                Ok(v) => {
                    selected.set(Some(v));
                    message.set(Some(tr(lang.get_untracked(), "board.done").to_string()));
                    board.touch();
                }
                Err(e) => message.set(Some(problem_text(&e))),
            }
        });
    };
    let show_version = move |v: i32| {
        let (Some(tok), Some(id)) = (
            board.token(),
            current.with_untracked(|c| c.as_ref().map(|c| c.id)),
        ) else {
            return;
        };
        spawn_local(async move {
            match api::get::<ItemView>(&format!("/api/v1/items/{id}/versions/{v}"), Some(&tok))
                .await
            {
                Ok(item) => viewing.set(Some(item)),
                Err(e) => message.set(Some(problem_text(&e))),
            }
        });
    };

    let is_fill = move || draft.with(|d| d.kind == "fill_blank");
    let status = move || current.with(|c| c.as_ref().map(|c| c.status.clone()));

    let form = view! {
                <div class="editor-form">
                    <label>{t("board.topic")}
                        <input type="text" id="ed-topic" placeholder="Kiến thức chung/Luật Cán bộ, công chức"
                            prop:value=move || draft.with(|d| d.topic.clone())
                            on:input=move |e| { let v = event_target_value(&e); draft.update(|d| d.topic = v) }/>
                        <FieldErrors errors=errors field="topic".to_string()/>
                    </label>
                    <div class="row3">
                        <label>{t("board.kind")}
                            <select id="ed-kind" prop:value=move || draft.with(|d| d.kind.clone())
                                on:change=move |e| { let v = event_target_value(&e); draft.update(|d| d.set_kind(&v)) }>
                                {KINDS.into_iter().map(|k| view! { <option value=k>{move || kind_label(lang.get(), k)}</option> }).collect_view()}
                            </select>
                            <FieldErrors errors=errors field="kind".to_string()/>
                        </label>
                        <label>{t("board.difficulty")}
                            <select id="ed-difficulty" prop:value=move || draft.with(|d| d.difficulty.to_string())
                                on:change=move |e| { let v = event_target_value(&e).parse().unwrap_or(1); draft.update(|d| d.difficulty = v) }>
                                {[1u8, 2, 3].into_iter().map(|d| view! { <option value=d.to_string()>{move || difficulty_label(lang.get(), d)}</option> }).collect_view()}
                            </select>
                            <FieldErrors errors=errors field="difficulty".to_string()/>
                        </label>
                        <label>{t("board.points")}
                            <input type="text" id="ed-points" inputmode="decimal"
                                prop:value=move || draft.with(|d| d.points.clone())
                                on:input=move |e| { let v = event_target_value(&e); draft.update(|d| d.points = v) }/>
                            <FieldErrors errors=errors field="points".to_string()/>
                        </label>
                    </div>
                    <label>{t("board.stem")}
                        <textarea id="ed-stem" rows="3"
                            prop:value=move || draft.with(|d| d.stem.clone())
                            on:input=move |e| { let v = event_target_value(&e); draft.update(|d| d.stem = v) }></textarea>
                        <FieldErrors errors=errors field="stem".to_string()/>
                    </label>
                    <Show when=is_fill fallback=move || view! {
                        <fieldset class="options-edit" id="ed-options">
                            <legend>{t("board.options")}</legend>
                            <For each=move || 0..draft.with(|d| d.options.len()) key=|i| *i let:i>
                                <div class="option-row" data-index=i.to_string()>
                                    <span class="key">{super::model::letter(i)}</span>
                                    <input type="text" class="option-text" id=format!("ed-option-{i}")
                                        prop:value=move || draft.with(|d| d.options.get(i).map(|o| o.text.clone()).unwrap_or_default())
                                        on:input=move |e| { let v = event_target_value(&e); draft.update(|d| if let Some(o) = d.options.get_mut(i) { o.text = v }) }/>
                                    <label class="correct">
                                        <input type="checkbox" class="option-correct" id=format!("ed-correct-{i}")
                                            prop:checked=move || draft.with(|d| d.options.get(i).is_some_and(|o| o.correct))
                                            on:change=move |e| { let c = event_target_checked(&e); draft.update(|d| d.set_correct(i, c)) }/>
                                        {t("board.correct")}
                                    </label>
                                    <button type="button" class="remove" title=move || tr(lang.get(), "board.remove_option")
                                        on:click=move |_| draft.update(|d| { if i < d.options.len() { d.options.remove(i); } })>"×"</button>
                                    <FieldErrors errors=errors field=format!("options[{i}].text")/>
                                </div>
                            </For>
                            <button type="button" class="secondary" id="ed-add-option"
                                on:click=move |_| draft.update(|d| d.options.push(crate::api::OptionView { text: String::new(), correct: false, fixed: false }))>
                                {t("board.add_option")}
                            </button>
                            <FieldErrors errors=errors field="options".to_string()/>
                        </fieldset>
                    }>
                        <label>{t("board.answers")}
                            <textarea id="ed-answers" rows="3"
                                prop:value=move || draft.with(|d| d.answers.clone())
                                on:input=move |e| { let v = event_target_value(&e); draft.update(|d| d.answers = v) }></textarea>
                            <FieldErrors errors=errors field="answer".to_string()/>
                        </label>
                    </Show>
                    <label>{t("board.explanation")}
                        <textarea id="ed-explanation" rows="2"
                            prop:value=move || draft.with(|d| d.explanation.clone())
                            on:input=move |e| { let v = event_target_value(&e); draft.update(|d| d.explanation = v) }></textarea>
                        <FieldErrors errors=errors field="explanation".to_string()/>
                    </label>
                    <label>{t("board.tags")}
                        <input type="text" id="ed-tags" placeholder=move || tr(lang.get(), "board.tags_hint")
                            prop:value=move || draft.with(|d| d.tags.clone())
                            on:input=move |e| { let v = event_target_value(&e); draft.update(|d| d.tags = v) }/>
                        <FieldErrors errors=errors field="tags".to_string()/>
                    </label>
                    <div class="actions">
                        <button type="button" class="primary" id="save-item" disabled=move || busy.get() on:click=save>
                            {move || if current.with(|c| c.is_some()) { tr(lang.get(), "board.save_version") } else { tr(lang.get(), "board.create_item") }}
                        </button>
                        <Show when=move || status().as_deref() == Some("draft")>
                            <button type="button" class="secondary" id="submit-item" on:click=move |_| step("submit")>{t("board.submit_review")}</button>
                        </Show>
                        <Show when=move || status().as_deref() == Some("approved")>
                            <button type="button" class="secondary" id="retire-item" on:click=move |_| step("retire")>{t("board.retire")}</button>
                        </Show>
                    </div>
                    {move || message.get().map(|m| view! { <p class="muted" id="editor-message" role="status">{m}</p> })}
                </div>
    }
    .into_any();

    let history = view! {
            <Show when=move || !versions.with(Vec::is_empty)>
                <h3>{t("board.versions")}</h3>
                <table id="versions">
                    <thead><tr><th>{t("board.version")}</th><th>{t("board.created")}</th><th>"SHA-256"</th><th></th></tr></thead>
                    <tbody>
                        {move || versions.get().into_iter().map(|v| {
                            let n = v.version;
                            view! {
                                <tr data-version=n.to_string()>
                                    <td>{n}{if v.current { " ●" } else { "" }}</td>
                                    <td>{v.created_at.chars().take(19).collect::<String>().replace('T', " ")}</td>
                                    <td><code>{v.sha256.chars().take(16).collect::<String>()}"…"</code></td>
                                    <td><button type="button" class="secondary small" on:click=move |_| show_version(n)>{t("board.view")}</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </Show>
            {move || viewing.get().map(|v| {
                let content = v.content.clone();
                let item = Signal::derive(move || candidate_view(1, &content));
                view! {
                    <div class="card old-version" id="version-view">
                        <h3>{t("board.version")}" " {v.version}</h3>
                        <div class="exam"><CandidatePreview item=item id="version-preview".to_string()/></div>
                        <p class="muted">{t("board.key")}": " {key_text(&v.content)}</p>
                        {v.content.explanation.clone().map(|e| view! { <p class="muted">{e}</p> })}
                    </div>
                }
            })}
    }
    .into_any();

    view! {
        <section class="card editor" id="item-editor">
            <h2>{move || match current.get() {
                Some(c) => format!("{} #{} · {} {} · {}", tr(lang.get(), "board.edit_item"), c.id, tr(lang.get(), "board.version"), c.version, status_label(lang.get(), &c.status)),
                None => tr(lang.get(), "board.new_item").to_string(),
            }}</h2>
            {move || current.get().and_then(|c| c.review_note.filter(|_| c.status == "draft")).map(|note| view! {
                <p class="error" id="review-note">{t("board.returned")}": " {note}</p>
            })}
            <div class="editor-grid">
                {form}
                <div class="editor-preview">
                    <h3>{t("board.preview")}</h3>
                    <p class="muted">{t("board.preview_note")}</p>
                    <div class="exam">
                        <CandidatePreview item=preview id="preview".to_string()/>
                    </div>
                    <p class="muted" id="preview-key">{t("board.key")}": " {move || draft.with(|d| key_text(&d.to_content()))}</p>
                </div>
            </div>
            {history}
        </section>
    }
    .into_any()
}
