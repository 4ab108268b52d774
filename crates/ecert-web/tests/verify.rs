//! The verification page, its JSON twin and the trust list, through the real router.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use ecert_app::certificates::Renderer;
use ecert_app::{IssuerSettings, demo, keys};
use ecert_sign::{Algorithm, Kek, payload_url, sign_payload};
use ecert_store::testing::TestDatabase;
use ecert_web::{AppState, RateLimit, router};
use http_body_util::BodyExt;
use jiff::{SignedDuration, Timestamp};
use tower::ServiceExt;

fn kek() -> Kek {
    Kek::from_slice(&[3; 32]).unwrap()
}

struct Fixture {
    db: TestDatabase,
    seed_folder: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let past = Timestamp::now() - SignedDuration::from_hours(24 * 400);
    keys::generate(&db.store, &kek(), Algorithm::Es256, past)
        .await
        .unwrap();
    demo::seed(
        &db.store,
        &IssuerSettings::development(),
        folder.path(),
        2,
        Timestamp::now(),
    )
    .await
    .unwrap();
    Fixture {
        db,
        seed_folder: folder,
    }
}

/// A signed payload URL for the first registration, endorsed on `first_day`, signed at `at`.
async fn payload(f: &Fixture, first_day: jiff::civil::Date, at: Timestamp) -> String {
    let number = f.db.store.registration_numbers().await.unwrap().remove(0);
    let renderer = Renderer::new("https://v.example").unwrap();
    let certificate = renderer
        .prepare(&f.db.store, &number, first_day)
        .await
        .unwrap();
    let signer = keys::active_signer(&f.db.store, &kek(), Algorithm::Es256, at)
        .await
        .unwrap();
    let claims = certificate.claims(at);
    payload_url(
        "https://v.example",
        &sign_payload(&claims, &signer).unwrap(),
    )
}

async fn get(state: AppState, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = router(state)
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let body = String::from_utf8(body.collect().await.unwrap().to_bytes().to_vec()).unwrap();
    (parts.status, parts.headers, body)
}

fn path_of(url: &str) -> String {
    url.split_once("https://v.example").unwrap().1.to_owned()
}

fn today() -> jiff::civil::Date {
    ecert_domain::calendar::day_of(Timestamp::now())
}

#[tokio::test]
async fn a_fresh_certificate_shows_genuine_and_in_force_with_only_the_allowed_facts() {
    let f = fixture().await;
    let url = payload(&f, today(), Timestamp::now()).await;
    let (status, headers, html) = get(AppState::new(f.db.store.clone()), &path_of(&url)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("真实有效") && html.contains("在使用有效期内"),
        "{html}"
    );
    for label in [
        "姓名",
        "身份证件号码",
        "注册号",
        "聘用单位",
        "注册有效期",
        "使用有效期",
    ] {
        assert!(html.contains(&format!("<dt>{label}</dt>")), "{label}");
    }
    assert_eq!(
        html.matches("<dt>").count(),
        6,
        "nothing more personal than the six facts"
    );
    assert!(html.contains("********"), "the ID number is masked");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
}

#[tokio::test]
async fn an_altered_payload_is_not_genuine_and_says_why() {
    let f = fixture().await;
    let url = payload(&f, today(), Timestamp::now()).await;
    let mut altered = path_of(&url);
    let last = altered.pop().unwrap();
    altered.push(if last == 'A' { 'B' } else { 'A' });
    let (_, _, html) = get(AppState::new(f.db.store.clone()), &altered).await;
    assert!(html.contains("无法确认为真实证书"), "{html}");
    assert!(
        !html.contains("<dt>"),
        "no facts from an unverified payload"
    );
}

#[tokio::test]
async fn an_ended_usage_period_is_genuine_but_not_in_force_in_json_too() {
    let f = fixture().await;
    let long_ago = Timestamp::now() - SignedDuration::from_hours(24 * 200);
    let url = payload(&f, ecert_domain::calendar::day_of(long_ago), long_ago).await;
    let uri = format!(
        "/api/v1/verify?payload={}",
        path_of(&url).trim_start_matches("/v/")
    );
    let (status, _, json) = get(AppState::new(f.db.store.clone()), &uri).await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["genuine"], true);
    assert_eq!(json["in_force"], false);
    assert_eq!(json["reasons"][0]["code"], "usage_period_ended");
}

#[tokio::test]
async fn the_trust_list_publishes_every_key_as_a_jwk_set() {
    let f = fixture().await;
    keys::rotate(&f.db.store, &kek(), Algorithm::Es256, Timestamp::now())
        .await
        .unwrap();
    let (status, headers, body) =
        get(AppState::new(f.db.store.clone()), "/api/v1/trust-list").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/jwk-set+json");
    let set: serde_json::Value = serde_json::from_str(&body).unwrap();
    let keys = set["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "the retired key stays published");
    assert!(
        keys.iter()
            .all(|k| k["x5c"].is_array() && k["kid"].is_string())
    );
}

#[tokio::test]
async fn a_client_over_its_quota_gets_429_with_retry_after() {
    let f = fixture().await;
    let state = AppState {
        verification_limit: RateLimit::new(1, 2),
        ..AppState::new(f.db.store.clone())
    };
    let app = router(state);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let request = Request::get("/api/v1/verify?payload=AAAA")
            .body(Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        statuses.push((
            response.status(),
            response.headers().get("retry-after").cloned(),
        ));
    }
    assert_eq!(statuses[0].0, StatusCode::OK);
    assert_eq!(statuses[1].0, StatusCode::OK);
    assert_eq!(statuses[2].0, StatusCode::TOO_MANY_REQUESTS);
    assert!(statuses[2].1.is_some());
}

#[tokio::test]
async fn a_revoked_registration_turns_a_genuine_payload_not_in_force() {
    let f = fixture().await;
    let url = payload(&f, today(), Timestamp::now()).await;
    let folder = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(f.seed_folder.path().join("registrations.csv")).unwrap();
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    lines[1] = lines[1].replace(",01", ",07");
    let file = folder.path().join("revoked.csv");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let settings = IssuerSettings::development();
    let progress = ecert_app::NoProgress;
    ecert_app::import::import_registrations(
        &f.db.store,
        &file,
        &settings,
        Timestamp::now(),
        &progress,
    )
    .await
    .unwrap();

    let (_, _, html) = get(AppState::new(f.db.store.clone()), &path_of(&url)).await;
    assert!(
        html.contains("证书真实，但当前不在有效状态") && html.contains("撤销"),
        "{html}"
    );
}

#[tokio::test]
async fn a_key_made_after_the_trust_list_was_read_verifies_at_once() {
    let f = fixture().await;
    let state = AppState::new(f.db.store.clone());
    let json_of = |url: &str| {
        format!(
            "/api/v1/verify?payload={}",
            path_of(url).trim_start_matches("/v/")
        )
    };
    let before = payload(&f, today(), Timestamp::now()).await;
    let (_, _, first) = get(state.clone(), &json_of(&before)).await;
    assert!(first.contains(r#""genuine":true"#), "{first}");

    // Another process (`ecert keys rotate`) makes the key that signs from now on.
    keys::rotate(&f.db.store, &kek(), Algorithm::Es256, Timestamp::now())
        .await
        .unwrap();
    let after = payload(&f, today(), Timestamp::now()).await;
    let (_, _, second) = get(state.clone(), &json_of(&after)).await;
    assert!(second.contains(r#""genuine":true"#), "{second}");
    let (_, _, old) = get(state, &json_of(&before)).await;
    assert!(old.contains(r#""genuine":true"#), "{old}");
}
