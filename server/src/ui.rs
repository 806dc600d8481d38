//! Wiring of the leptos UI into axum: server-side rendering of the `frontend` routes and the
//! hydration bundle under `/pkg` (built by `scripts/build-wasm.sh`).

use leptos::config::LeptosOptions;
use std::path::Path;

/// The name wasm-bindgen gives the bundle: `pkg/thituyen.js` and `pkg/thituyen_bg.wasm`.
pub const OUTPUT_NAME: &str = "thituyen";

pub fn leptos_options(site_root: &Path) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg")
        .build()
}
