use leptos::prelude::*;

use crate::components::TopBar;
use crate::i18n::t;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <TopBar/>
        <main class="narrow">
            <h1>{t("notfound.title")}</h1>
            <a href="/">{t("notfound.back")}</a>
        </main>
    }
}
