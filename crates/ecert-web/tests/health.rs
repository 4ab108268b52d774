//! The router answers health checks and sets its security headers on every response.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use ecert_store::testing::TestDatabase;
use ecert_web::{AppState, router};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn get(db: &TestDatabase, path: &str) -> axum::response::Response {
    let app = router(AppState::new(db.store.clone()));
    app.oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn health_is_ok_while_the_database_answers() {
    let db = TestDatabase::new().await;
    let response = get(&db, "/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, r#"{"status":"ok","database":"ok"}"#);
}

#[tokio::test]
async fn health_is_unavailable_once_the_database_is_gone() {
    let db = TestDatabase::new().await;
    db.store.close().await;
    assert_eq!(
        get(&db, "/healthz").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn every_response_refuses_framing_even_a_not_found() {
    let db = TestDatabase::new().await;
    let response = get(&db, "/no-such-page").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
}
