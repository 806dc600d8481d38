//! thituyen UI: leptos pages rendered on the server and hydrated in the browser.
//! Every user-facing string goes through `i18n` (Vietnamese by default, English available).

#![recursion_limit = "256"] // leptos view types nest deeply on the larger pages

pub mod api;
pub mod app;
pub mod components;
pub mod i18n;
pub mod pages;
pub mod session;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets tests (and curious operators) see that the page is live, not just rendered.
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
