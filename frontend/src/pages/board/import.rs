//! Import: choose the format and the file, see the preview (what would be imported, the
//! questions already in the bank, and every problem by file, row and column), then apply.
//! The server checks everything again on apply; an import is all or nothing.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::model::problem_text;
use super::{kind_label, Board};
use crate::api::{self, encode_query_value, FieldError, ImportPreview, ImportResult};
use crate::i18n::{t, tr, use_lang};

const FORMATS: [(&str, &str); 5] = [
    ("csv", "CSV (.csv)"),
    ("xlsx", "Excel (.xlsx)"),
    ("moodle-xml", "Moodle XML (.xml)"),
    ("gift", "GIFT (.txt, .gift)"),
    ("qti", "QTI 2.1 (.xml, .zip)"),
];

#[component]
pub fn ImportPanel(board: Board) -> impl IntoView {
    let lang = use_lang();
    let format = RwSignal::new("csv".to_string());
    let preview = RwSignal::new(None::<ImportPreview>);
    // The file the preview was made from: apply sends exactly these bytes.
    let file = StoredValue::new(None::<(String, Vec<u8>)>);
    let result = RwSignal::new(None::<ImportResult>);
    let refused = RwSignal::new(Vec::<FieldError>::new());
    let message = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let path = move |name: &str, dry_run: bool| -> Option<String> {
        let bank = board.bank_id.get_untracked()?;
        Some(format!(
            "/api/v1/banks/{bank}/imports?format={}&file_name={}&dry_run={dry_run}",
            encode_query_value(&format.get_untracked()),
            encode_query_value(name)
        ))
    };

    let check = move |_| {
        let Some(tok) = board.token() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            preview.set(None);
            result.set(None);
            refused.set(vec![]);
            message.set(None);
            let Some((name, bytes)) = api::chosen_file("import-file").await else {
                message.set(Some(tr(lang.get_untracked(), "import.no_file").to_string()));
                busy.set(false);
                return;
            };
            file.set_value(Some((name.clone(), bytes.clone())));
            if let Some(p) = path(&name, true) {
                match api::post_bytes::<ImportPreview>(&p, bytes, Some(&tok)).await {
                    Ok(pre) => preview.set(Some(pre)),
                    Err(e) => {
                        message.set(Some(problem_text(&e)));
                    }
                }
            }
            busy.set(false);
        });
    };
    let apply = move |_| {
        let (Some(tok), Some((name, bytes))) = (board.token(), file.get_value()) else {
            return;
        };
        let Some(p) = path(&name, false) else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            match api::post_bytes::<ImportResult>(&p, bytes, Some(&tok)).await {
                Ok(r) => {
                    result.set(Some(r));
                    preview.set(None);
                    board.touch();
                }
                Err(e) => {
                    message.set(Some(format!("{} {}", e.status, e.detail)));
                    refused.set(e.errors);
                }
            }
            busy.set(false);
        });
    };

    let error_table = move |errors: Vec<FieldError>| {
        view! {
            <table id="import-errors" class="errors">
                <thead><tr><th>{t("import.where")}</th><th>{t("import.problem")}</th></tr></thead>
                <tbody>
                    {errors.into_iter().map(|e| view! {
                        <tr><td class="where">{e.location}</td><td>{e.message}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    };

    view! {
        <section id="import-panel">
            <div class="card import-controls">
                <label>{t("import.format")}
                    <select id="import-format" prop:value=move || format.get()
                        on:change=move |e| format.set(event_target_value(&e))>
                        {FORMATS.into_iter().map(|(code, label)| view! { <option value=code>{label}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t("import.file")}
                    <input type="file" id="import-file" accept=".csv,.xlsx,.xml,.txt,.gift,.zip"/>
                </label>
                <button type="button" class="secondary" id="import-check" disabled=move || busy.get() on:click=check>{t("import.check")}</button>
                <p class="muted">{t("import.templates")}": "
                    <a href="/api/v1/banks/templates/csv">"CSV"</a>" · "
                    <a href="/api/v1/banks/templates/xlsx">"Excel"</a>
                </p>
            </div>
            {move || message.get().map(|m| view! { <p class="error" id="import-message">{m}</p> })}
            {move || result.get().map(|r| view! {
                <p class="ok" id="import-result">{format!("{} {} ({})", tr(lang.get(), "import.imported"), r.imported, r.status)}</p>
            })}
            <Show when=move || !refused.with(Vec::is_empty)>
                {move || error_table(refused.get())}
            </Show>
            {move || preview.get().map(|p| {
                let lang = lang.get();
                let valid = p.valid;
                let summary = format!(
                    "{}: {} · {}: {} · {}: {}",
                    tr(lang, "import.items"), p.items.len(),
                    tr(lang, "import.duplicates"), p.duplicates.len(),
                    tr(lang, "import.errors"), p.errors.len(),
                );
                view! {
                    <div class="card" id="import-preview">
                        <p class=if valid { "ok" } else { "error" } id="import-verdict">
                            {if valid { tr(lang, "import.valid") } else { tr(lang, "import.invalid") }}
                        </p>
                        <p id="import-summary">{summary}</p>
                        {(!p.errors.is_empty()).then(|| error_table(p.errors.clone()))}
                        {(!p.duplicates.is_empty()).then(|| view! {
                            <h3>{tr(lang, "import.duplicates")}</h3>
                            <table id="import-duplicates">
                                <thead><tr><th>{tr(lang, "import.where")}</th><th>{tr(lang, "import.same_as")}</th><th>{tr(lang, "board.stem")}</th></tr></thead>
                                <tbody>{p.duplicates.iter().map(|d| view! {
                                    <tr><td>{d.location.clone()}</td><td>"#"{d.item_id}</td><td>{d.stem.clone()}</td></tr>
                                }).collect_view()}</tbody>
                            </table>
                        })}
                        <h3>{tr(lang, "import.items")}</h3>
                        <table id="import-items">
                            <thead><tr><th>{tr(lang, "import.where")}</th><th>{tr(lang, "board.topic")}</th><th>{tr(lang, "board.kind")}</th><th>{tr(lang, "board.stem")}</th></tr></thead>
                            <tbody>{p.items.iter().map(|i| view! {
                                <tr class=if i.duplicate_of.is_some() { "duplicate" } else { "" }>
                                    <td>{i.location.clone()}</td><td>{i.content.topic.clone()}</td>
                                    <td>{kind_label(lang, &i.content.kind)}</td><td>{i.content.stem.clone()}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                        <button type="button" class="primary" id="import-apply" disabled=move || !valid || busy.get() on:click=apply>
                            {tr(lang, "import.apply")}
                        </button>
                    </div>
                }
            })}
        </section>
    }
    .into_any()
}
