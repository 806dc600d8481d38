//! Seals: freezing the bank's approved items (VN-20) and checking that a seal still matches
//! the stored item versions (the server recomputes the SHA-256 root on every `GET`).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::model::problem_text;
use super::Board;
use crate::api::{self, SealCheck, SealView};
use crate::i18n::{t, tr, use_lang};

#[component]
pub fn SealPanel(board: Board) -> impl IntoView {
    let lang = use_lang();
    let seals = RwSignal::new(Vec::<SealView>::new());
    let sealed = RwSignal::new(None::<SealView>);
    let checks = RwSignal::new(std::collections::BTreeMap::<i32, SealCheck>::new());
    let message = RwSignal::new(None::<String>);

    let load = move || {
        let (Some(tok), Some(id)) = (board.token(), board.bank_id.get_untracked()) else {
            return;
        };
        spawn_local(async move {
            match api::get::<Vec<SealView>>(&format!("/api/v1/banks/{id}/seals"), Some(&tok)).await
            {
                Ok(s) => seals.set(s),
                Err(e) => message.set(Some(problem_text(&e))),
            }
        });
    };
    Effect::new(move |_| {
        board.token.track();
        load();
    });
    let seal = move |_| {
        let (Some(tok), Some(id)) = (board.token(), board.bank_id.get_untracked()) else {
            return;
        };
        spawn_local(async move {
            match api::send_json::<_, SealView>(
                "POST",
                &format!("/api/v1/banks/{id}/seals"),
                &serde_json::json!({}),
                Some(&tok),
            )
            .await
            {
                Ok(s) => {
                    message.set(None);
                    sealed.set(Some(s));
                    load();
                }
                Err(e) => message.set(Some(problem_text(&e))),
            }
        });
    };
    let check = move |seal_id: i32| {
        let Some(tok) = board.token() else {
            return;
        };
        spawn_local(async move {
            match api::get::<SealCheck>(&format!("/api/v1/seals/{seal_id}"), Some(&tok)).await {
                Ok(c) => checks.update(|m| {
                    m.insert(seal_id, c);
                }),
                Err(e) => message.set(Some(problem_text(&e))),
            }
        });
    };

    view! {
        <section id="seal-panel">
            <div class="card">
                <p class="muted">{t("seal.note")}</p>
                <button type="button" class="primary narrow-button" id="seal-bank" on:click=seal>{t("seal.create")}</button>
                {move || message.get().map(|m| view! { <p class="error" id="seal-message">{m}</p> })}
                {move || sealed.get().map(|s| view! {
                    <div class="seal-result" id="seal-result">
                        <p>{t("seal.root")}": " <code class="hash" id="seal-hash">{s.sha256.clone()}</code></p>
                        <p>{t("seal.items")}": " <strong id="seal-count">{s.item_count}</strong></p>
                    </div>
                })}
            </div>
            <table id="seals">
                <thead><tr><th>"#"</th><th>{t("seal.when")}</th><th>{t("seal.items")}</th><th>{t("seal.root")}</th><th>{t("seal.check")}</th></tr></thead>
                <tbody>
                    {move || seals.get().into_iter().map(|s| {
                        let id = s.id;
                        view! {
                            <tr data-seal=id.to_string()>
                                <td>{id}</td>
                                <td>{s.sealed_at.chars().take(19).collect::<String>().replace('T', " ")}</td>
                                <td>{s.item_count}</td>
                                <td><code class="hash">{s.sha256.clone()}</code></td>
                                <td>
                                    <button type="button" class="secondary small check-seal" on:click=move |_| check(id)>{t("seal.check")}</button>
                                    {move || checks.with(|m| m.get(&id).cloned()).map(|c| {
                                        let lang = lang.get();
                                        view! {
                                            <span class=if c.intact { "seal-verdict ok" } else { "seal-verdict error" }>
                                                {if c.intact { tr(lang, "seal.intact") } else { tr(lang, "seal.broken") }}
                                                " (" {c.found_items} "/" {c.item_count} ")"
                                            </span>
                                        }
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}
