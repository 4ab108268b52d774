//! Login ([登录]), sign-up and logout.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use ecert_app::accounts::{LoginError, SignUp, SignUpError};
use ecert_app::sessions;
use serde::Deserialize;

use super::session::{self, CarriesCsrf, Posted, Visitor};
use super::{Chrome, internal, page};
use crate::AppState;

#[derive(Template)]
#[template(path = "portal/login.html")]
struct LoginPage {
    chrome: Chrome,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/signup.html")]
struct SignUpPage {
    chrome: Chrome,
    form: SignUpForm,
    error: Option<(String, String)>,
}

/// `?next=` on the login page.
#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    csrf: String,
    username: String,
    password: String,
    next: Option<String>,
}

impl CarriesCsrf for LoginForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The sign-up form.
#[derive(Debug, Default, Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_type: String,
    #[serde(default)]
    id_number: String,
}

impl CarriesCsrf for SignUpForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The logout form.
#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

impl CarriesCsrf for LogoutForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `GET /login`.
pub async fn login_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(next): Query<Next>,
) -> Response {
    let session = match visitor.session_or_open(&state).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let template = LoginPage {
        chrome: Chrome::of(&session, None),
        next: session::safe_next(next.next.as_deref()),
        username: String::new(),
        error: None,
    };
    page(&state, &session, &template)
}

/// `POST /login`: on success a new session id, then back where the holder was going.
pub async fn log_in(State(state): State<AppState>, posted: Posted<LoginForm>) -> Response {
    let Posted {
        session,
        client,
        form,
    } = posted;
    let now = jiff::Timestamp::now();
    let next = session::safe_next(form.next.as_deref());
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
                    session::with_session(&state, &renewed, Redirect::to(&next).into_response())
                }
                Err(error) => internal(&error),
            }
        }
        Err(LoginError::Store(error)) => internal(&error),
        Err(refusal) => {
            let template = LoginPage {
                chrome: Chrome::of(&session, None),
                next,
                username: form.username,
                error: Some(refusal.to_string()),
            };
            page(&state, &session, &template)
        }
    }
}

/// `GET /signup`.
pub async fn signup_page(State(state): State<AppState>, visitor: Visitor) -> Response {
    let session = match visitor.session_or_open(&state).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let template = SignUpPage {
        chrome: Chrome::of(&session, None),
        form: SignUpForm {
            id_type: "111".into(),
            ..SignUpForm::default()
        },
        error: None,
    };
    page(&state, &session, &template)
}

/// `POST /signup`: makes the account and logs it in.
pub async fn sign_up(State(state): State<AppState>, posted: Posted<SignUpForm>) -> Response {
    let Posted {
        session,
        client,
        mut form,
    } = posted;
    let now = jiff::Timestamp::now();
    let request = SignUp {
        username: form.username.clone(),
        password: std::mem::take(&mut form.password),
        name: form.name.clone(),
        id_type: form.id_type.clone(),
        id_number: form.id_number.clone(),
    };
    match state.portal.accounts.sign_up(&request, now).await {
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
                    session::with_session(&state, &renewed, Redirect::to("/user").into_response())
                }
                Err(error) => internal(&error),
            }
        }
        Err(SignUpError::Store(error)) => internal(&error),
        Err(refusal) => {
            let (field, message) = match &refusal {
                SignUpError::Invalid { field, message } => ((*field).to_owned(), message.clone()),
                other => (
                    "username".to_owned(),
                    other.to_string().replace("username: ", ""),
                ),
            };
            let template = SignUpPage {
                chrome: Chrome::of(&session, None),
                form,
                error: Some((field, message)),
            };
            page(&state, &session, &template)
        }
    }
}

/// `POST /logout`: the session ends on the server and the cookie is cleared.
pub async fn log_out(State(state): State<AppState>, posted: Posted<LogoutForm>) -> Response {
    if let Err(error) = sessions::log_out(&state.store, &posted.session).await {
        return internal(&error);
    }
    session::clear_session(&state, Redirect::to("/").into_response())
}
