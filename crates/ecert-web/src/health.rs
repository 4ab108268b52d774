//! The health check that load balancers and the operator poll.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::AppState;

/// The health report.
#[derive(Debug, Serialize)]
pub struct Health {
    status: &'static str,
    database: &'static str,
}

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(Health {
                status: "ok",
                database: "ok",
            }),
        ),
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            let health = Health {
                status: "unavailable",
                database: "unreachable",
            };
            (StatusCode::SERVICE_UNAVAILABLE, Json(health))
        }
    }
}
