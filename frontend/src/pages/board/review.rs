//! The review queue: items in review, each shown as the candidate will see it with its key,
//! to approve or to send back to the author with a reason. The server refuses a reviewer who
//! wrote any version of the item (VN-29); that refusal is shown as it comes.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::editor::CandidatePreview;
use super::model::{candidate_view, is_self_review, items_path, key_text, problem_text, Filters};
use super::{difficulty_label, kind_label, Board};
use crate::api::{self, ItemList, ItemView};
use crate::i18n::{t, tr, use_lang};

#[component]
pub fn ReviewQueue(board: Board) -> impl IntoView {
    let lang = use_lang();
    let queue = RwSignal::new(Vec::<ItemView>::new());
    let message = RwSignal::new(None::<(bool, String)>);

    Effect::new(move |_| {
        board.changed.track();
        let (Some(tok), Some(id)) = (board.token.get(), board.bank_id.get()) else {
            return;
        };
        let filters = Filters {
            status: "in_review".into(),
            ..Default::default()
        };
        spawn_local(async move {
            match api::get::<ItemList>(&items_path(id, &filters, 500), Some(&tok)).await {
                Ok(l) => queue.set(l.items),
                Err(e) => message.set(Some((false, problem_text(&e)))),
            }
        });
    });

    let decide = move |item: i32, version: i32, reject: Option<String>| {
        let Some(tok) = board.token() else {
            return;
        };
        spawn_local(async move {
            let r = match &reject {
                None => {
                    api::send_json::<_, ItemView>(
                        "POST",
                        &format!("/api/v1/items/{item}/approve?version={version}"),
                        &serde_json::json!({}),
                        Some(&tok),
                    )
                    .await
                }
                Some(reason) => {
                    api::send_json::<_, ItemView>(
                        "POST",
                        &format!("/api/v1/items/{item}/reject"),
                        &serde_json::json!({"reason": reason, "version": version}),
                        Some(&tok),
                    )
                    .await
                }
            };
            let lang = lang.get_untracked();
            match r {
                Ok(_) => {
                    let key = if reject.is_some() {
                        "board.rejected"
                    } else {
                        "board.approved"
                    };
                    message.set(Some((true, format!("#{item}: {}", tr(lang, key)))));
                    board.touch();
                }
                Err(e) if is_self_review(&e) => message.set(Some((
                    false,
                    format!("{} ({})", tr(lang, "board.self_review"), e.detail),
                ))),
                Err(e) => message.set(Some((false, problem_text(&e)))),
            }
        });
    };

    view! {
        <section id="review-queue">
            <p class="muted">{t("board.review_note")}</p>
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "ok" } else { "error" } id="review-message" role="status">{m}</p>
            })}
            <Show when=move || queue.with(Vec::is_empty)>
                <p class="muted" id="queue-empty">{t("board.queue_empty")}</p>
            </Show>
            {move || queue.get().into_iter().map(|item| {
                let lang = lang.get();
                let (id, version) = (item.id, item.version);
                let reason = RwSignal::new(String::new());
                let content = item.content.clone();
                let preview = Signal::derive(move || candidate_view(1, &content));
                view! {
                    <article class="card review-item" data-item=id.to_string()>
                        <p class="muted">"#"{id}" · "{item.content.topic.clone()}" · "{kind_label(lang, &item.content.kind)}
                            " · "{difficulty_label(lang, item.content.difficulty)}" · "{tr(lang, "board.version")}" "{version}
                            " · "{tr(lang, "board.points")}" "{item.content.points.clone()}</p>
                        <div class="exam"><CandidatePreview item=preview id=format!("review-preview-{id}")/></div>
                        <p><strong>{tr(lang, "board.key")}": "</strong>{key_text(&item.content)}</p>
                        {item.content.explanation.clone().map(|e| view! { <p class="muted">{e}</p> })}
                        <div class="review-actions">
                            <button type="button" class="primary approve" on:click=move |_| decide(id, version, None)>{t("board.approve")}</button>
                            <input type="text" class="reason" placeholder=move || tr(lang, "board.reason")
                                prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))/>
                            <button type="button" class="secondary reject" on:click=move |_| decide(id, version, Some(reason.get_untracked()))>{t("board.reject")}</button>
                        </div>
                    </article>
                }
            }).collect_view()}
        </section>
    }
    .into_any()
}
