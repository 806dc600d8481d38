//! Pieces shared by pages.

use leptos::prelude::*;

use crate::i18n::{t, use_lang, Lang};

/// Switches between Vietnamese and English; remembered in a cookie for the server render.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let lang = use_lang();
    let label = t("lang.switch");
    let toggle = move |_| {
        let next = if lang.get_untracked() == Lang::Vi {
            Lang::En
        } else {
            Lang::Vi
        };
        crate::session::set_cookie(&format!(
            "lang={}; path=/; max-age=31536000; samesite=lax",
            next.code()
        ));
        lang.set(next);
    };
    view! {
        <button type="button" class="lang-switch" id="lang-switch" on:click=toggle>
            {label}
        </button>
    }
}

#[component]
pub fn TopBar() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="/">{t("app.name")}</a>
            <LangSwitch/>
        </header>
    }
}
