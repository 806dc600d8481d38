//! thituyen server: configuration, authentication, the REST API, the leptos UI, and the CLI.
//!
//! The library exposes [`router`] and [`serve`] so tests bind port 0 and drive the real router.

// The server-rendered page tree (HR and board pages) nests deeper than the default limit of
// 128 when rustc checks that its futures are Send.
#![recursion_limit = "256"]

pub mod audit;
pub mod auth;
pub mod backup;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod download;
pub mod entities;
pub mod error;
pub mod http;
pub mod keys;
pub mod markup;
pub mod parallel;
pub mod publication;
pub mod repo;
pub mod reports;
pub mod rules;
pub mod seating;
pub mod secrets;
pub mod services;
pub mod state;
pub mod telemetry;
pub mod ui;
pub mod vietnam_time;
pub mod write_queue;

use axum::routing::any;
use axum::{middleware, Router};
use frontend::app::ServerStyles;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::future::Future;
use std::net::SocketAddr;
use tower_http::services::ServeDir;

pub use state::AppState;

/// The whole application: API, UI pages and the hydration bundle. Outermost first: the request
/// id, the request's span, the security headers, problem+json for axum's own errors, then each
/// route class's limits.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(frontend::app::App);
    let shell_options = state.leptos.clone();
    let pkg_dir = state.config.site_root.join("pkg");
    let server_styles = ServerStyles(http::headers::server_style_sources().into());
    let page_context = move || leptos::prelude::provide_context(server_styles.clone());
    Router::new()
        .merge(http::api_routes())
        .route("/api/{*rest}", any(http::unknown_api_route))
        .leptos_routes_with_context(&state, routes, page_context.clone(), move || {
            frontend::app::shell(shell_options.clone())
        })
        .nest_service("/pkg", ServeDir::new(pkg_dir))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(page_context, frontend::app::shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::limits::bound_request,
        ))
        .layer(middleware::from_fn(http::problem_for_bare_errors))
        .layer(middleware::from_fn(http::headers::security_headers))
        .layer(http::request_id::trace_layer())
        .layer(middleware::from_fn(http::request_id::assign))
        .with_state(state)
}

/// How long a shutdown waits for accepted writes after the last request was answered.
const DRAIN_LIMIT: std::time::Duration = std::time::Duration::from_secs(20);

/// Serves until `shutdown` resolves. Client addresses reach handlers for the login throttle.
///
/// Shutdown drains rather than drops: the listener stops accepting, every request already
/// received runs to its answer (a queued answer save waits for its batch's commit), then the
/// write queues are waited on until empty, so a job whose client went away is committed too.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let closer = tokio::spawn(close_sittings_on_time(state.clone()));
    let state_writes = state.writes.clone();
    let served = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    if !state_writes.drain(DRAIN_LIMIT).await {
        tracing::error!(
            unfinished = state_writes.unfinished(),
            "shutdown: writes still queued after the drain limit"
        );
    }
    closer.abort();
    served
}

/// Resolves at the first Ctrl-C (SIGINT) or SIGTERM, the signal a service manager
/// (systemd, a container runtime) sends to stop the server.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!(
        "shutting down: no new connections; finishing the requests and writes under way"
    );
}

/// VN-17: at `ends_at` the server closes each sitting itself, whether or not a page is open.
async fn close_sittings_on_time(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        if let Err(e) = services::sitting::finish::close_due(&state).await {
            tracing::error!(error = ?e, "closing sittings at their deadline failed");
        }
    }
}
