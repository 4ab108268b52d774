//! ecert's web layer: one router for the holder portal, the verification pages and the
//! JSON API, with the security headers every response carries.

mod health;
pub mod portal;
mod rate_limit;
mod security;
mod verify;

use axum::Router;
use axum::http::header;
use axum::middleware;
use axum::routing::get;
use ecert_app::downloads::Downloads;
use ecert_app::keys::TrustCache;
use ecert_store::Store;

pub use portal::Portal;
pub use rate_limit::RateLimit;
pub use verify::VerificationView;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The published keys, as verification reads them.
    pub trust: TrustCache,
    /// The limit on verification requests per client.
    pub verification_limit: RateLimit,
    /// Accounts, providers and cookie settings of the holder portal.
    pub portal: Portal,
    /// The download queue; None where this server only verifies.
    pub downloads: Option<Downloads>,
}

impl AppState {
    /// State with the default verification limit: 20 requests a second per client, bursts
    /// of 40 (a bidding platform checking a batch), far above a person scanning codes.
    /// The portal uses the development providers and serves no downloads until
    /// [`AppState::with_portal`] and [`AppState::with_downloads`] say otherwise.
    pub fn new(store: Store) -> Self {
        Self {
            portal: Portal::development(store.clone(), "http://127.0.0.1:8080"),
            store,
            trust: TrustCache::default(),
            verification_limit: RateLimit::new(20, 40),
            downloads: None,
        }
    }

    /// The same state with `portal`.
    #[must_use]
    pub fn with_portal(self, portal: Portal) -> Self {
        Self { portal, ..self }
    }

    /// The same state serving downloads from `downloads`.
    #[must_use]
    pub fn with_downloads(self, downloads: Downloads) -> Self {
        Self {
            downloads: Some(downloads),
            ..self
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
        .route("/static/portal.js", get(portal_script))
        .route("/static/app.js", get(app_script))
        .merge(verification)
        .merge(portal::routes())
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

async fn portal_script() -> ([(header::HeaderName, &'static str); 2], &'static str) {
    script(include_str!("../static/portal.js"))
}

async fn app_script() -> ([(header::HeaderName, &'static str); 2], &'static str) {
    script(include_str!("../static/app.js"))
}

fn script(text: &'static str) -> ([(header::HeaderName, &'static str); 2], &'static str) {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        text,
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
