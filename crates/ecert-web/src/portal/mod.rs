//! The holder portal (server-rendered, Chinese, usable without JavaScript where it can be)
//! and the app at `/app` that approves real-name authentication from a phone.
//!
//! Both paths of the user guide run through these pages with the guide's labels:
//! [登录] → [用户中心] → [我的证照] (QR + face) → [证照加注] → [加注] → "加注成功！" → [pdf 下载] /
//! [OFD 下载] → [确定]; and [用户中心] → "我的证照" → [查看更多] / [绑定证照] → [查看详情] (QR + face)
//! → "证照相关服务" → [证照加注服务] → the same endorsement page.

mod app;
mod auth;
mod certificates;
mod qr;
mod realname;
mod session;
mod user;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use ecert_app::accounts::Accounts;
use ecert_app::providers::{DevelopmentFace, DevelopmentSms, FaceVerifier, SmsProvider};
use ecert_domain::PasswordPolicy;
use ecert_store::Store;

use crate::AppState;

pub use session::{Holder, Visitor};

/// What the portal needs beyond the store.
#[derive(Clone)]
pub struct Portal {
    /// Sign-up and login.
    pub accounts: Accounts,
    /// Sends phone-binding codes.
    pub sms: Arc<dyn SmsProvider>,
    /// Checks faces during real-name authentication.
    pub face: Arc<dyn FaceVerifier>,
    /// The base URL the app's QR codes point at.
    pub public_url: String,
    /// Whether cookies are marked Secure (anything but local development over HTTP).
    pub secure_cookies: bool,
}

impl Portal {
    /// A portal for development: the providers that check nothing, cookies without Secure
    /// unless `public_url` is HTTPS.
    pub fn development(store: Store, public_url: &str) -> Self {
        Self {
            accounts: Accounts::new(store, PasswordPolicy::Standard),
            sms: Arc::new(DevelopmentSms),
            face: Arc::new(DevelopmentFace),
            public_url: public_url.trim_end_matches('/').to_owned(),
            secure_cookies: public_url.starts_with("https://"),
        }
    }
}

/// The portal's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(user::home))
        .route("/login", get(auth::login_page).post(auth::log_in))
        .route("/signup", get(auth::signup_page).post(auth::sign_up))
        .route("/logout", post(auth::log_out))
        .route("/user", get(user::centre))
        .route("/user/phone", get(user::phone_page))
        .route("/user/phone/code", post(user::send_phone_code))
        .route("/user/phone/confirm", post(user::confirm_phone))
        .route("/user/certificates/more", get(user::more))
        .route("/user/certificates/bind", post(user::bind))
        .route("/user/certificates", get(certificates::manage))
        .route("/user/certificates/{number}", get(certificates::detail))
        .route(
            "/user/certificates/{number}/endorse",
            get(certificates::endorse_page).post(certificates::endorse),
        )
        .route(
            "/user/certificates/{number}/downloads",
            post(certificates::request_download),
        )
        .route("/user/downloads/{job}", get(certificates::download_page))
        .route(
            "/user/downloads/{job}/state",
            get(certificates::download_state),
        )
        .route(
            "/user/downloads/{job}/file",
            get(certificates::download_file),
        )
        .route("/user/realname/state", get(realname::state))
        .route("/user/realname/complete", post(realname::complete))
        .route("/app", get(app::show))
        .route("/app/login", post(app::log_in))
        .route("/app/device", post(app::register_device))
        .route("/app/challenge", post(app::describe))
        .route("/app/face", post(app::face))
        .route("/app/approve", post(app::approve))
}

/// What every portal page shows in its top bar, and the token its forms carry.
pub struct Chrome {
    /// The logged-in username.
    pub user: Option<String>,
    /// The session's CSRF token.
    pub csrf: String,
}

impl Chrome {
    fn of(session: &ecert_app::sessions::Session, user: Option<&str>) -> Self {
        Self {
            user: user.map(str::to_owned),
            csrf: session.stored.csrf_token.clone(),
        }
    }
}

/// Renders a page, with the session cookie when the session is new.
fn page(
    state: &AppState,
    session: &ecert_app::sessions::Session,
    template: &impl Template,
) -> Response {
    match template.render() {
        Ok(html) => session::with_session(state, session, Html(html).into_response()),
        Err(error) => internal(&error),
    }
}

/// Logs the failure once, here, and tells the holder nothing of the inside.
fn internal(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "portal request failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "服务暂时不可用，请稍后再试",
    )
        .into_response()
}

/// The answer for anything that is not the holder's: the same as for what does not exist.
fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "未找到").into_response()
}
