//! Staff sign-in.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::components::TopBar;
use crate::i18n::{t, tr, use_lang};

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<&'static str>);
    let navigate = use_navigate();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            match crate::api::login(username.get_untracked(), password.get_untracked()).await {
                Ok(resp) => {
                    crate::session::set_staff_token(&resp.token);
                    navigate("/staff", Default::default());
                }
                Err(e) => {
                    error.set(Some(match e.status {
                        0 => "error.network",
                        429 => "login.throttled",
                        _ => "login.failed",
                    }));
                }
            }
            busy.set(false);
        });
    };

    view! {
        <TopBar/>
        <main class="narrow">
            <h1>{t("login.title")}</h1>
            <p class="muted">{t("app.tagline")}</p>
            <form class="card" on:submit=submit id="login-form">
                <label>
                    {t("login.username")}
                    <input type="text" name="username" id="username" autocomplete="username" required
                        prop:value=move || username.get()
                        on:input=move |ev| username.set(event_target_value(&ev))/>
                </label>
                <label>
                    {t("login.password")}
                    <input type="password" name="password" id="password" autocomplete="current-password" required
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))/>
                </label>
                <Show when=move || error.get().is_some()>
                    <p class="error" role="alert" id="login-error">
                        {move || error.get().map(|k| tr(lang.get(), k))}
                    </p>
                </Show>
                <button type="submit" class="primary" id="login-submit" disabled=move || busy.get()>
                    {move || if busy.get() { tr(lang.get(), "login.busy") } else { tr(lang.get(), "login.submit") }}
                </button>
            </form>
            <p class="muted">{t("login.candidate_hint")}</p>
        </main>
    }
}
