//! The app (`/app`, mobile web): log in, make a device key, read the portal's QR code or
//! type its code, see what is being approved, pass face verification, approve.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use ecert_app::accounts::LoginError;
use ecert_app::realname::{self, DeviceJwk, RealNameError};
use ecert_app::sessions;
use serde::{Deserialize, Serialize};

use super::session::{self, CarriesCsrf, Posted, PostedJson, Visitor};
use super::{internal, page};
use crate::AppState;

/// The largest camera frame the app sends for face verification.
const MAX_FACE_IMAGE: usize = 2 * 1024 * 1024;

#[derive(Template)]
#[template(path = "portal/app.html")]
struct AppPage {
    csrf: String,
    username: Option<String>,
    face_notice: Option<&'static str>,
    error: Option<String>,
}

/// `GET /app`: the login form, or the approval screen for a logged-in holder.
pub async fn page_of(state: &AppState, visitor: Visitor, error: Option<String>) -> Response {
    let session = match visitor.session_or_open(state).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let username = match session.account_id() {
        Some(id) => match state.store.account(id).await {
            Ok(account) => account.map(|a| a.username),
            Err(error) => return internal(&error),
        },
        None => None,
    };
    let template = AppPage {
        csrf: session.stored.csrf_token.clone(),
        username,
        face_notice: state.portal.face.notice(),
        error,
    };
    page(state, &session, &template)
}

/// `GET /app`.
pub async fn show(State(state): State<AppState>, visitor: Visitor) -> Response {
    page_of(&state, visitor, None).await
}

/// The app's login form.
#[derive(Debug, Deserialize)]
pub struct AppLoginForm {
    csrf: String,
    username: String,
    password: String,
}

impl CarriesCsrf for AppLoginForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /app/login`: the same accounts and throttles as the portal.
pub async fn log_in(State(state): State<AppState>, posted: Posted<AppLoginForm>) -> Response {
    let Posted {
        session,
        client,
        form,
    } = posted;
    let now = jiff::Timestamp::now();
    match state
        .portal
        .accounts
        .log_in(&form.username, &form.password, &client, now)
        .await
    {
        Ok(account) => {
            match sessions::log_in(
                &state.store,
                Some(&session),
                &account.account_id,
                &client,
                now,
            )
            .await
            {
                Ok(renewed) => {
                    session::with_session(&state, &renewed, Redirect::to("/app").into_response())
                }
                Err(error) => internal(&error),
            }
        }
        Err(LoginError::Store(error)) => internal(&error),
        Err(refusal) => {
            let visitor = Visitor {
                session: Some(session),
                client,
            };
            page_of(&state, visitor, Some(refusal.to_string())).await
        }
    }
}

/// A new device's public key.
#[derive(Debug, Deserialize)]
pub struct DeviceRequest {
    public_key: DeviceJwk,
}

/// The id the app keeps beside its key.
#[derive(Debug, Serialize)]
pub struct DeviceAnswer {
    device_id: String,
}

/// `POST /app/device`: keeps the public half of a key the browser made non-extractable.
pub async fn register_device(
    State(state): State<AppState>,
    posted: PostedJson<DeviceRequest>,
) -> Response {
    let account_id = &posted.holder.account.account_id;
    let now = jiff::Timestamp::now();
    match realname::register_device(&state.store, account_id, &posted.body.public_key, now).await {
        Ok(device_id) => Json(DeviceAnswer { device_id }).into_response(),
        Err(error) => refusal(error),
    }
}

/// A code read from the portal.
#[derive(Debug, Deserialize)]
pub struct CodeRequest {
    code: String,
}

/// What the holder approves.
#[derive(Debug, Serialize)]
pub struct ApprovalAnswer {
    username: String,
    action: String,
    client_address: String,
    asked_at: String,
    expires_at: String,
    face_checked: bool,
}

/// `POST /app/challenge`: what approving this code would allow, and for whom.
pub async fn describe(State(state): State<AppState>, posted: PostedJson<CodeRequest>) -> Response {
    let account_id = &posted.holder.account.account_id;
    let now = jiff::Timestamp::now();
    match realname::describe(&state.store, account_id, &posted.body.code, now).await {
        Ok(request) => Json(ApprovalAnswer {
            username: request.username,
            action: request.action,
            client_address: request.client_address,
            asked_at: ecert_app::local_time(request.asked_at),
            expires_at: ecert_app::local_time(request.expires_at),
            face_checked: request.face_checked,
        })
        .into_response(),
        Err(error) => refusal(error),
    }
}

/// A camera frame for face verification.
#[derive(Debug, Deserialize)]
pub struct FaceRequest {
    code: String,
    /// The frame as base64 (empty when the device has no camera).
    #[serde(default)]
    image: String,
}

/// `POST /app/face`: face verification through the configured provider.
pub async fn face(State(state): State<AppState>, posted: PostedJson<FaceRequest>) -> Response {
    let image = match base64::engine::general_purpose::STANDARD.decode(&posted.body.image) {
        Ok(image) if image.len() <= MAX_FACE_IMAGE => image,
        _ => return message(StatusCode::BAD_REQUEST, "照片无法读取，请重新拍摄"),
    };
    let face = state.portal.face.clone();
    let account_id = &posted.holder.account.account_id;
    let now = jiff::Timestamp::now();
    match realname::check_face(
        &state.store,
        face,
        account_id,
        &posted.body.code,
        image,
        now,
    )
    .await
    {
        Ok(()) => Json(serde_json::json!({ "passed": true })).into_response(),
        Err(error) => refusal(error),
    }
}

/// The device's signature of the code.
#[derive(Debug, Deserialize)]
pub struct ApproveRequest {
    code: String,
    device_id: String,
    signature: String,
}

/// `POST /app/approve`: the approval, signed with the device key.
pub async fn approve(
    State(state): State<AppState>,
    posted: PostedJson<ApproveRequest>,
) -> Response {
    let body = &posted.body;
    let account_id = &posted.holder.account.account_id;
    let now = jiff::Timestamp::now();
    match realname::approve(
        &state.store,
        account_id,
        &body.code,
        &body.device_id,
        &body.signature,
        now,
    )
    .await
    {
        Ok(()) => Json(serde_json::json!({ "approved": true })).into_response(),
        Err(error) => refusal(error),
    }
}

fn refusal(error: RealNameError) -> Response {
    match error {
        RealNameError::Store(error) => internal(&error),
        RealNameError::Provider(_) => message(StatusCode::SERVICE_UNAVAILABLE, &error.to_string()),
        other => message(StatusCode::UNPROCESSABLE_ENTITY, &other.to_string()),
    }
}

fn message(status: StatusCode, text: &str) -> Response {
    (status, Json(serde_json::json!({ "error": text }))).into_response()
}
