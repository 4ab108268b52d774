//! The portal's side of real-name authentication: the QR code panel, the state the page
//! polls, and completing it (a new session id, authenticated).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use ecert_app::realname::{self, ChallengeState, RealNameError};
use serde::{Deserialize, Serialize};

use super::session::{self, CarriesCsrf, Holder, Posted};
use super::{internal, qr};
use crate::AppState;

/// What the panel shows while the session is not authenticated.
pub struct RealNamePanel {
    /// The QR code as inline SVG.
    pub qr_svg: String,
    /// The code in groups, for typing into the app.
    pub code: String,
    /// Where the page returns after authentication.
    pub next: String,
    /// The minutes the code lasts.
    pub minutes: i64,
    /// A message from a failed completion.
    pub error: Option<String>,
}

/// A new code for the holder's session, drawn as the panel.
pub(super) async fn panel(
    state: &AppState,
    holder: &Holder,
    next: &str,
    error: Option<String>,
) -> Result<RealNamePanel, Response> {
    let code = realname::start(&state.store, &holder.session, jiff::Timestamp::now())
        .await
        .map_err(|e| internal(&e))?;
    // The code rides in the fragment: the app reads it, and it never reaches a server log.
    let link = format!("{}/app#code={code}", state.portal.public_url);
    let qr_svg = qr::svg(&link, "实名身份认证二维码").unwrap_or_default();
    Ok(RealNamePanel {
        qr_svg,
        code: realname::grouped(&code),
        next: next.to_owned(),
        minutes: realname::CHALLENGE_LIFETIME.as_mins(),
        error,
    })
}

/// The JSON the page polls.
#[derive(Debug, Serialize)]
pub struct StateAnswer {
    state: &'static str,
}

/// `GET /user/realname/state`: where this session's code stands. Another session sees only
/// its own codes.
pub async fn state(State(state): State<AppState>, holder: Holder) -> Response {
    match realname::state(&state.store, &holder.session, jiff::Timestamp::now()).await {
        Ok(current) => Json(StateAnswer {
            state: if holder.session.authenticated() {
                "authenticated"
            } else {
                current.as_str()
            },
        })
        .into_response(),
        Err(error) => internal(&error),
    }
}

/// The completion form.
#[derive(Debug, Deserialize)]
pub struct CompleteForm {
    csrf: String,
    next: Option<String>,
}

impl CarriesCsrf for CompleteForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /user/realname/complete`: uses the approval; the session id is renewed.
pub async fn complete(State(state): State<AppState>, posted: Posted<CompleteForm>) -> Response {
    let next = session::safe_next(posted.form.next.as_deref());
    let now = jiff::Timestamp::now();
    match realname::complete(&state.store, &posted.session, now).await {
        Ok(renewed) => session::with_session(&state, &renewed, Redirect::to(&next).into_response()),
        Err(RealNameError::Store(error)) => internal(&error),
        Err(refusal) => {
            let current = realname::state(&state.store, &posted.session, now)
                .await
                .unwrap_or(ChallengeState::None);
            tracing::info!(state = current.as_str(), reason = %refusal, "real-name completion refused");
            let separator = if next.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{next}{separator}realname=pending")).into_response()
        }
    }
}
