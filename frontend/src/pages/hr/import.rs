//! Bulk import of applications from CSV or xlsx: the file is first sent as a dry run, the page
//! shows every row as it would be stored (or every row-level error), and only then may HR apply
//! it. The server imports all rows or none.

use leptos::html::Input;
use leptos::prelude::*;
use serde::Deserialize;

use super::RoundCtx;
use crate::api::{ApiError, FieldError};
use crate::i18n::{t, tr, use_lang};

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct PreviewRow {
    row: usize,
    full_name: String,
    date_of_birth: String,
    gender: String,
    national_id: String,
    position_code: String,
    agency_preferences: Vec<String>,
    priority_groups: Vec<String>,
    exemptions: Vec<String>,
    priority_points: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct ImportReport {
    dry_run: bool,
    imported: usize,
    preview: Vec<PreviewRow>,
}

// Built only in the browser, where the file is sent.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone)]
enum Outcome {
    Preview(ImportReport),
    Imported(usize),
    Refused(ApiError),
}

/// The `format` the server expects, from the file's name.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn format_of(name: &str) -> &'static str {
    if name.to_ascii_lowercase().ends_with(".xlsx") {
        "xlsx"
    } else {
        "csv"
    }
}

#[component]
pub(crate) fn ImportSection(ctx: RoundCtx) -> impl IntoView {
    let lang = use_lang();
    let file_input = NodeRef::<Input>::new();
    let outcome = RwSignal::new(None::<Outcome>);
    // Applying is offered only after a clean preview of the file now chosen.
    let previewed = RwSignal::new(false);
    let busy = RwSignal::new(false);

    let send = move |dry_run: bool| {
        let Some(tok) = ctx.token.get_untracked() else {
            return;
        };
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = file_input
                .get_untracked()
                .and_then(|i| i.files())
                .and_then(|f| f.get(0))
            else {
                outcome.set(Some(Outcome::Refused(ApiError {
                    status: 0,
                    detail: tr(lang.get_untracked(), "hr.choose_file").into(),
                    errors: vec![],
                })));
                return;
            };
            let path = format!(
                "/api/v1/rounds/{}/applications/imports?format={}&dry_run={dry_run}",
                ctx.round_id,
                format_of(&file.name())
            );
            busy.set(true);
            leptos::task::spawn_local(async move {
                let r = crate::api::post_file::<ImportReport>(&path, file, &tok).await;
                busy.set(false);
                match r {
                    Ok(report) if report.dry_run => {
                        previewed.set(true);
                        outcome.set(Some(Outcome::Preview(report)));
                    }
                    Ok(report) => {
                        previewed.set(false);
                        outcome.set(Some(Outcome::Imported(report.imported)));
                        ctx.changed();
                    }
                    Err(e) => {
                        previewed.set(false);
                        outcome.set(Some(Outcome::Refused(e)));
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (tok, dry_run, file_input, busy, previewed, outcome, lang);
        }
    };

    view! {
        <section class="card" id="import">
            <p>{t("hr.import_help")}" "
                <a href="/api/v1/rounds/templates/applications.csv" download="applications.csv" id="template-link">{t("hr.template")}</a>
            </p>
            <div class="import-controls">
                <input type="file" id="import-file" accept=".csv,.xlsx,text/csv" node_ref=file_input
                    on:change=move |_| { previewed.set(false); outcome.set(None); }/>
                <button type="button" class="secondary" id="import-preview" disabled=move || busy.get()
                    on:click=move |_| send(true)>{t("hr.preview")}</button>
                <button type="button" class="secondary" id="import-apply" disabled=move || busy.get() || !previewed.get()
                    on:click=move |_| send(false)>{t("hr.apply_import")}</button>
            </div>
            {move || outcome.get().map(|o| match o {
                Outcome::Preview(r) => view! {
                    <p class="ok" id="import-summary">{move || tr(lang.get(), "hr.would_import")}" " <strong>{r.imported}</strong></p>
                    <table id="import-preview-rows">
                        <thead><tr>
                            <th>{t("hr.row")}</th><th>{t("hr.full_name")}</th><th>{t("hr.dob")}</th><th>{t("hr.gender")}</th>
                            <th>{t("hr.national_id")}</th><th>{t("hr.position")}</th><th>{t("hr.preferences")}</th>
                            <th>{t("hr.priority")}</th><th>{t("hr.exemptions")}</th><th class="num">{t("hr.points")}</th>
                        </tr></thead>
                        <tbody>
                            {r.preview.into_iter().map(|p| view! {
                                <tr>
                                    <td>{p.row}</td><td>{p.full_name}</td><td>{p.date_of_birth}</td><td>{p.gender}</td>
                                    <td>{p.national_id}</td><td>{p.position_code}</td><td>{p.agency_preferences.join(" › ")}</td>
                                    <td>{p.priority_groups.join(", ")}</td><td>{p.exemptions.join(", ")}</td>
                                    <td class="num">{p.priority_points}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
                Outcome::Imported(n) => view! {
                    <p class="ok" id="import-summary">{move || tr(lang.get(), "hr.imported")}" " <strong>{n}</strong></p>
                }.into_any(),
                Outcome::Refused(e) => view! {
                    <p class="error" id="import-refused">{move || tr(lang.get(), "hr.import_refused")}" " {e.detail.clone()}</p>
                    <ul id="import-errors" class="errors">
                        {e.errors.into_iter().map(|FieldError { location, message }| view! {
                            <li><strong>{location}</strong>": " {message}</li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::format_of;

    #[test]
    fn the_format_follows_the_file_name() {
        assert_eq!(format_of("ho-so.XLSX"), "xlsx");
        assert_eq!(format_of("applications.csv"), "csv");
    }
}
