//! ecert's web layer: one router for the holder portal, the verification pages and the
//! JSON API, with the security headers every response carries.

mod health;
mod rate_limit;
mod security;
mod verify;

use axum::Router;
use axum::http::header;
use axum::middleware;
use axum::routing::get;
use ecert_store::Store;

pub use rate_limit::RateLimit;
pub use verify::VerificationView;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The limit on verification requests per client.
    pub verification_limit: RateLimit,
}

impl AppState {
    /// State with the default verification limit: 20 requests a second per client, bursts
    /// of 40 (a bidding platform checking a batch), far above a person scanning codes.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            verification_limit: RateLimit::new(20, 40),
        }
    }
}

/// The whole application's routes.
pub fn router(state: AppState) -> Router {
    let verification = Router::new()
        .route("/v/{payload}", get(verify::page))
        .route("/api/v1/verify", get(verify::api))
        .route_layer(middleware::from_fn_with_state(
            state.verification_limit.clone(),
            rate_limit::limit,
        ));
    let routes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/v1/trust-list", get(verify::trust_list))
        .route("/static/ecert.css", get(stylesheet))
        .merge(verification)
        .with_state(state);
    security::with_headers(routes)
}

async fn stylesheet() -> ([(header::HeaderName, &'static str); 2], &'static str) {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/ecert.css"),
    )
}

/// Serves the application on `listener` until `shutdown` resolves, letting requests in
/// flight finish. Client addresses are kept for the per-client rate limits.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
