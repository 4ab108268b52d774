//! The verification page a certificate's QR code opens, its JSON twin, and the trust list.

mod view;

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use ecert_app::verification;
use serde::Deserialize;

use crate::AppState;

pub use view::VerificationView;

/// `GET /v/{payload}`: the page, in Chinese, for a phone that scanned the QR code.
pub async fn page(State(state): State<AppState>, Path(payload): Path<String>) -> Response {
    match verification::verify(&state.store, &state.trust, &payload, jiff::Timestamp::now()).await {
        Ok(outcome) => {
            let view = VerificationView::of(&outcome, jiff::Timestamp::now());
            match view::VerificationPage::of(&view).render() {
                Ok(html) => Html(html).into_response(),
                Err(error) => internal(&error),
            }
        }
        Err(error) => internal(&error),
    }
}

/// The query of `GET /api/v1/verify`.
#[derive(Debug, Deserialize)]
pub struct VerifyQuery {
    /// The verification URL or the payload alone.
    payload: String,
}

/// `GET /api/v1/verify?payload=...`: the same verdict as the page, as JSON.
pub async fn api(State(state): State<AppState>, Query(query): Query<VerifyQuery>) -> Response {
    match verification::verify(
        &state.store,
        &state.trust,
        &query.payload,
        jiff::Timestamp::now(),
    )
    .await
    {
        Ok(outcome) => Json(VerificationView::of(&outcome, jiff::Timestamp::now())).into_response(),
        Err(error) => internal(&error),
    }
}

/// `GET /api/v1/trust-list`: every signing key as a JWK Set, retired ones included.
pub async fn trust_list(State(state): State<AppState>) -> Response {
    match state.trust.current(&state.store).await {
        Ok(trust) => (
            [(header::CONTENT_TYPE, "application/jwk-set+json")],
            trust.to_json(),
        )
            .into_response(),
        Err(error) => internal(&error),
    }
}

/// Logs the failure once, here, and tells the client nothing of the inside.
fn internal(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "verification failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "服务暂时不可用，请稍后再试",
    )
        .into_response()
}
