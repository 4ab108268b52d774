//! The holder portal's security checks through the real router and a real database:
//! session fixation, CSRF and Origin, framing, other holders' ids, replayed and foreign
//! real-name challenges.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine as _;
use ecert_app::accounts::Accounts;
use ecert_app::downloads::Downloads;
use ecert_app::realname::approval_statement;
use ecert_app::{IssuerSettings, demo, keys};
use ecert_domain::PasswordPolicy;
use ecert_sign::{Algorithm, Kek};
use ecert_store::testing::TestDatabase;
use ecert_web::{AppState, Portal, router};
use http_body_util::BodyExt;
use jiff::{SignedDuration, Timestamp};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use tower::ServiceExt;

const ORIGIN: &str = "http://127.0.0.1:8080";

struct Fixture {
    db: TestDatabase,
    _seed: tempfile::TempDir,
    _files: tempfile::TempDir,
    downloads: Downloads,
    app: Router,
}

async fn fixture() -> Fixture {
    let db = TestDatabase::new().await;
    let seed = tempfile::tempdir().unwrap();
    let kek = Kek::from_slice(&[9; 32]).unwrap();
    let now = Timestamp::now();
    for algorithm in [Algorithm::Es256, Algorithm::Sm2Sm3] {
        let made = now - SignedDuration::from_hours(1);
        keys::generate(&db.store, &kek, algorithm, made)
            .await
            .unwrap();
    }
    let settings = IssuerSettings::development();
    let seeded = demo::seed(&db.store, &settings, seed.path(), 2, now)
        .await
        .unwrap();
    let accounts = Accounts::new(db.store.clone(), PasswordPolicy::Standard);
    demo::seed_holders(
        &db.store,
        &accounts,
        &settings,
        seed.path(),
        seeded.valid_from,
        now,
    )
    .await
    .unwrap();
    let files = tempfile::tempdir().unwrap();
    let downloads = Downloads::new(
        db.store.clone(),
        Arc::new(kek),
        ORIGIN,
        files.path().to_path_buf(),
    )
    .unwrap();
    let state = AppState::new(db.store.clone())
        .with_portal(Portal::development(db.store.clone(), ORIGIN))
        .with_downloads(downloads.clone());
    Fixture {
        app: router(state),
        db,
        _seed: seed,
        _files: files,
        downloads,
    }
}

/// An answer, read whole.
struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Answer {
    fn location(&self) -> &str {
        self.headers[header::LOCATION].to_str().unwrap()
    }

    /// The token the app's scripts send, from the page's `data-csrf`.
    fn data_csrf(&self) -> String {
        let start = self.body.find("data-csrf=\"").unwrap() + "data-csrf=\"".len();
        self.body[start..].split('"').next().unwrap().to_owned()
    }

    /// The value of the form field `name` on the page.
    fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} field"))
            + marker.len();
        self.body[start..].split('"').next().unwrap().to_owned()
    }
}

/// One browser: a cookie jar of one cookie, as the portal sets only one.
struct Browser {
    app: Router,
    cookie: Option<String>,
}

impl Browser {
    fn new(f: &Fixture) -> Self {
        Self {
            app: f.app.clone(),
            cookie: None,
        }
    }

    async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> Answer {
        let request = match &self.cookie {
            Some(cookie) => request.header(header::COOKIE, cookie.as_str()),
            None => request,
        };
        let response = self
            .app
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        if let Some(set) = response.headers().get(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_owned();
            self.cookie = (!pair.ends_with('=')).then_some(pair);
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&mut self, path: &str) -> Answer {
        self.send(Request::get(path), Body::empty()).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        self.post_from(path, fields, ORIGIN).await
    }

    async fn post_from(&mut self, path: &str, fields: &[(&str, &str)], origin: &str) -> Answer {
        let body = fields
            .iter()
            .map(|(key, value)| format!("{key}={}", encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        let request = Request::post(path)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(request, Body::from(body)).await
    }

    async fn post_json(&mut self, path: &str, csrf: &str, body: &serde_json::Value) -> Answer {
        let request = Request::post(path)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::ORIGIN, ORIGIN)
            .header("x-csrf-token", csrf)
            .header(header::CONTENT_TYPE, "application/json");
        self.send(request, Body::from(body.to_string())).await
    }

    /// Logs in on the portal; returns the cookie before and after.
    async fn log_in(&mut self, username: &str) -> (String, String) {
        let form = self.get("/login").await;
        let before = self.cookie.clone().unwrap();
        let csrf = form.field("csrf");
        let answer = self
            .post(
                "/login",
                &[
                    ("csrf", &csrf),
                    ("username", username),
                    ("password", demo::PASSWORD),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        (before, self.cookie.clone().unwrap())
    }
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The phone: logs in to the app as `username`, registers a device key, and approves `code`.
async fn approve_in_app(f: &Fixture, username: &str, code: &str) -> Answer {
    let mut phone = Browser::new(f);
    let form = phone.get("/app").await;
    let csrf = form.field("csrf");
    let login = phone
        .post(
            "/app/login",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", demo::PASSWORD),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    let csrf = phone.get("/app").await.data_csrf();

    let key = SigningKey::from_slice(&[7; 32]).unwrap();
    let point = key.verifying_key().to_sec1_point(false);
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let jwk = serde_json::json!({
        "kty": "EC", "crv": "P-256", "x": b64(&point.as_bytes()[1..33]), "y": b64(&point.as_bytes()[33..]),
    });
    let device = phone
        .post_json(
            "/app/device",
            &csrf,
            &serde_json::json!({ "public_key": jwk }),
        )
        .await;
    assert_eq!(device.status, StatusCode::OK, "{}", device.body);
    let device_id = serde_json::from_str::<serde_json::Value>(&device.body).unwrap()["device_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let described = phone
        .post_json(
            "/app/challenge",
            &csrf,
            &serde_json::json!({ "code": code }),
        )
        .await;
    if described.status != StatusCode::OK {
        return described;
    }
    assert!(
        described.body.contains(username),
        "the app shows the account: {}",
        described.body
    );
    let face = serde_json::json!({ "code": code, "image": "" });
    let checked = phone.post_json("/app/face", &csrf, &face).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    let signature: Signature = key.sign(approval_statement(code).as_bytes());
    let approval = serde_json::json!({
        "code": code, "device_id": device_id, "signature": b64(&signature.to_bytes()),
    });
    phone.post_json("/app/approve", &csrf, &approval).await
}

/// The real-name code the portal page shows.
fn shown_code(page: &Answer) -> String {
    let start = page.body.find("id=\"realname-code\">").unwrap() + "id=\"realname-code\">".len();
    page.body[start..]
        .split('<')
        .next()
        .unwrap()
        .replace(' ', "")
}

/// Logs `username` in and passes real-name authentication; returns the browser.
async fn authenticated(f: &Fixture, username: &str) -> Browser {
    let mut portal = Browser::new(f);
    portal.log_in(username).await;
    let page = portal.get("/user/certificates").await;
    let code = shown_code(&page);
    let approved = approve_in_app(f, username, &code).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let csrf = page.field("csrf");
    let done = portal
        .post(
            "/user/realname/complete",
            &[("csrf", &csrf), ("next", "/user/certificates")],
        )
        .await;
    assert_eq!(done.location(), "/user/certificates");
    portal
}

#[tokio::test]
async fn login_and_real_name_authentication_each_renew_the_session_and_end_the_old_one() {
    let f = fixture().await;
    let mut portal = Browser::new(&f);
    let (anonymous, logged_in) = portal.log_in("demo").await;
    assert_ne!(anonymous, logged_in, "a new session id at login");
    let mut attacker = Browser {
        app: f.app.clone(),
        cookie: Some(anonymous),
    };
    let planted = attacker.get("/user").await;
    assert_eq!(
        planted.status,
        StatusCode::SEE_OTHER,
        "the pre-login id is dead"
    );

    let page = portal.get("/user/certificates").await;
    assert!(page.body.contains("实名身份认证"));
    let code = shown_code(&page);
    assert_eq!(code.len(), 26, "128 random bits in base32");

    let foreign = approve_in_app(&f, "demo-nophone", &code).await;
    assert_eq!(
        foreign.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another account's app"
    );
    assert!(foreign.body.contains("二维码无效"), "{}", foreign.body);

    let approved = approve_in_app(&f, "demo", &code).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let replayed = approve_in_app(&f, "demo", &code).await;
    assert!(replayed.body.contains("二维码已使用"), "{}", replayed.body);

    let mut other_session = Browser::new(&f);
    other_session.log_in("demo").await;
    let csrf = other_session.get("/user/certificates").await.field("csrf");
    let stolen = other_session
        .post(
            "/user/realname/complete",
            &[("csrf", &csrf), ("next", "/user/certificates")],
        )
        .await;
    assert!(
        stolen.location().contains("realname=pending"),
        "another session of the same account"
    );

    let csrf = page.field("csrf");
    let done = portal
        .post(
            "/user/realname/complete",
            &[("csrf", &csrf), ("next", "/user/certificates")],
        )
        .await;
    assert_eq!(done.location(), "/user/certificates");
    assert_ne!(
        portal.cookie.as_deref(),
        Some(logged_in.as_str()),
        "renewed after real-name"
    );
    let listed = portal.get("/user/certificates").await;
    assert!(listed.body.contains("电子证照管理"), "{}", listed.body);
    let mut old = Browser {
        app: f.app.clone(),
        cookie: Some(logged_in),
    };
    assert_eq!(
        old.get("/user").await.status,
        StatusCode::SEE_OTHER,
        "the old id is dead"
    );

    let csrf = listed.field("csrf");
    let again = portal
        .post(
            "/user/realname/complete",
            &[("csrf", &csrf), ("next", "/user/certificates")],
        )
        .await;
    assert!(
        again.location().contains("realname=pending"),
        "a used challenge is used up"
    );
}

#[tokio::test]
async fn state_changing_requests_need_the_session_token_and_our_origin() {
    let f = fixture().await;
    let mut portal = authenticated(&f, "demo").await;
    let page = portal.get("/user/certificates").await;
    let csrf = page.field("csrf");
    let number =
        f.db.store
            .account_by_username("demo")
            .await
            .unwrap()
            .unwrap();
    let number =
        f.db.store
            .registrations_of_account(&number.account_id)
            .await
            .unwrap()[0]
            .clone();
    let endorse = format!("/user/certificates/{number}/endorse");

    let forged = portal.post(&endorse, &[("csrf", "not-the-token")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let cross_site = portal
        .post_from(&endorse, &[("csrf", &csrf)], "http://evil.example")
        .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
    let missing = portal.post(&endorse, &[]).await;
    assert!(missing.status.is_client_error(), "{}", missing.status);
    assert!(
        f.db.store
            .latest_endorsement(&number)
            .await
            .unwrap()
            .is_none(),
        "nothing endorsed"
    );

    let endorsed = portal.post(&endorse, &[("csrf", &csrf)]).await;
    assert_eq!(endorsed.location(), format!("{endorse}?endorsed=new"));
    let shown = portal.get(endorsed.location()).await;
    assert!(shown.body.contains("加注成功！"));
    let logout = portal
        .post_from("/logout", &[("csrf", &csrf)], "http://evil.example")
        .await;
    assert_eq!(
        logout.status,
        StatusCode::FORBIDDEN,
        "even logout needs our origin"
    );
}

#[tokio::test]
async fn another_holders_certificates_jobs_and_files_answer_404() {
    let f = fixture().await;
    let mut owner = authenticated(&f, "demo").await;
    let csrf = owner.get("/user/certificates").await.field("csrf");
    let account =
        f.db.store
            .account_by_username("demo")
            .await
            .unwrap()
            .unwrap();
    let number =
        f.db.store
            .registrations_of_account(&account.account_id)
            .await
            .unwrap()[0]
            .clone();
    owner
        .post(
            &format!("/user/certificates/{number}/endorse"),
            &[("csrf", &csrf)],
        )
        .await;
    let requested = owner
        .post(
            &format!("/user/certificates/{number}/downloads"),
            &[("csrf", &csrf), ("format", "pdf")],
        )
        .await;
    let job_page = requested.location().to_owned();
    assert!(job_page.starts_with("/user/downloads/"), "{job_page}");
    let worker = f.downloads.worker();
    while worker.work_once(Timestamp::now()).await.unwrap() {}
    let state = owner.get(&format!("{job_page}/state")).await;
    assert!(state.body.contains("\"ready\""), "{}", state.body);
    let file = owner.get(&format!("{job_page}/file")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.headers[header::CONTENT_TYPE], "application/pdf");

    let mut stranger = authenticated(&f, "demo-nophone").await;
    let stranger_csrf = stranger.get("/user/certificates").await.field("csrf");
    for path in [
        format!("/user/certificates/{number}"),
        format!("/user/certificates/{number}/endorse"),
        job_page.clone(),
        format!("{job_page}/state"),
        format!("{job_page}/file"),
        "/user/downloads/no-such-job/file".to_owned(),
    ] {
        let answer = stranger.get(&path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
    }
    let endorse = stranger
        .post(
            &format!("/user/certificates/{number}/endorse"),
            &[("csrf", &stranger_csrf)],
        )
        .await;
    assert_eq!(endorse.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_portal_page_refuses_framing_and_sets_a_strict_policy() {
    let f = fixture().await;
    let mut portal = Browser::new(&f);
    portal.log_in("demo").await;
    for path in [
        "/",
        "/login",
        "/signup",
        "/user",
        "/user/certificates",
        "/user/phone",
        "/app",
    ] {
        let answer = portal.get(path).await;
        let policy = answer.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(policy.contains("script-src 'self'"), "{path}: {policy}");
        assert_eq!(answer.headers[header::X_FRAME_OPTIONS], "DENY", "{path}");
    }
    let cookie = {
        let fresh = Browser::new(&f);
        let request = Request::get("/login");
        let response = fresh
            .app
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        response.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}
