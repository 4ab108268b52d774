//! ecert's web layer: one router for the holder portal, the verification pages and the
//! JSON API, with the security headers every response carries.

mod health;
mod security;

use axum::Router;
use axum::routing::get;
use ecert_store::Store;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
}

/// The whole application's routes.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/healthz", get(health::healthz))
        .with_state(state);
    security::with_headers(routes)
}

/// Serves the application on `listener` until `shutdown` resolves, letting requests in
/// flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
