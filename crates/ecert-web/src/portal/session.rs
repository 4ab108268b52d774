//! The session cookie, the visitor and holder extractors, and the checks every POST passes:
//! a checked Origin and the session's CSRF token.

use std::fmt::Write as _;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ecert_app::sessions::{self, Session};
use ecert_store::StoredAccount;
use serde::de::DeserializeOwned;

use crate::AppState;

/// The cookie's name; `__Host-` makes browsers refuse it unless Secure, on this host, path /.
fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-ecert" } else { "ecert" }
}

/// Whoever sent the request: their live session, if any, and their address.
pub struct Visitor {
    /// The live session the cookie names.
    pub session: Option<Session>,
    /// The client address, as the throttles and the app's approval screen see it.
    pub client: String,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let client = client_address(parts);
        let name = cookie_name(state.portal.secure_cookies);
        let session = match cookie(&parts.headers, name) {
            Some(id) => sessions::find(&state.store, &id, jiff::Timestamp::now())
                .await
                .map_err(|error| super::internal(&error))?,
            None => None,
        };
        Ok(Self { session, client })
    }
}

impl Visitor {
    /// The visitor's session, opening an anonymous one when there is none (for a form's
    /// CSRF token).
    pub async fn session_or_open(self, state: &AppState) -> Result<Session, Response> {
        match self.session {
            Some(session) => Ok(session),
            None => sessions::open(&state.store, &self.client, jiff::Timestamp::now())
                .await
                .map_err(|error| super::internal(&error)),
        }
    }
}

/// A logged-in holder; anyone else is sent to the login page and brought back after.
pub struct Holder {
    /// Their session.
    pub session: Session,
    /// Their account.
    pub account: StoredAccount,
    /// Their address.
    pub client: String,
}

impl FromRequestParts<AppState> for Holder {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        let to_login = || {
            let next = parts.uri.path();
            let login = if next.starts_with("/app") {
                "/app"
            } else {
                "/login"
            };
            Redirect::to(&format!("{login}?next={}", encode_path(next))).into_response()
        };
        let Some(session) = visitor.session else {
            return Err(to_login());
        };
        let Some(account_id) = session.account_id() else {
            return Err(to_login());
        };
        let account = state
            .store
            .account(account_id)
            .await
            .map_err(|error| super::internal(&error))?
            .ok_or_else(to_login)?;
        Ok(Self {
            session,
            account,
            client: visitor.client,
        })
    }
}

/// A form posted from one of our pages: same origin, and carrying the session's token.
pub struct Posted<T> {
    /// The session that posted it.
    pub session: Session,
    /// The client address.
    pub client: String,
    /// The form's fields.
    pub form: T,
}

/// Fields every posted form carries.
pub trait CarriesCsrf {
    /// The token the page put in the form.
    fn csrf(&self) -> &str;
}

impl<T> FromRequest<AppState> for Posted<T>
where
    T: DeserializeOwned + CarriesCsrf + Send,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        if !same_origin(&parts.headers) {
            return Err(forbidden());
        }
        let visitor = Visitor::from_request_parts(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let axum::Form(form) = axum::Form::<T>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let session = visitor
            .session
            .filter(|session| session.accepts_csrf(form.csrf()))
            .ok_or_else(forbidden)?;
        Ok(Self {
            session,
            client: visitor.client,
            form,
        })
    }
}

/// JSON posted by our own scripts: same origin, the token in `X-CSRF-Token`.
pub struct PostedJson<T> {
    /// The logged-in holder.
    pub holder: Holder,
    /// The body.
    pub body: T,
}

impl<T> FromRequest<AppState> for PostedJson<T>
where
    T: DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        if !same_origin(&parts.headers) {
            return Err(forbidden());
        }
        let holder = Holder::from_request_parts(&mut parts, state)
            .await
            .map_err(|_| StatusCode::UNAUTHORIZED.into_response())?;
        let token = parts
            .headers
            .get("x-csrf-token")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        if !holder.session.accepts_csrf(token) {
            return Err(forbidden());
        }
        let request = Request::from_parts(parts, body);
        let axum::Json(body) = axum::Json::<T>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self { holder, body })
    }
}

/// Whether a request comes from our own pages: browsers send Origin on every POST, so
/// another site's form or script is refused.
///
/// Under our `Referrer-Policy: no-referrer` browsers send `Origin: null` even for our own
/// forms; then the Fetch Metadata header they also send decides, as a page on another site
/// (a sandboxed frame included) is never `same-origin`.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let origin = origin.to_str().unwrap_or_default();
    let ours = [format!("http://{host}"), format!("https://{host}")];
    let same_origin = headers
        .get("sec-fetch-site")
        .is_some_and(|site| site == "same-origin");
    let ours =
        ours.iter().any(|candidate| candidate == origin) || (origin == "null" && same_origin);
    if !ours {
        tracing::info!(origin, "cross-site request refused");
    }
    ours
}

fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        "页面已过期或请求来源不正确，请返回后刷新页面再试",
    )
        .into_response()
}

/// Adds the session cookie to `response` when the session is new or renewed.
pub fn with_session(state: &AppState, session: &Session, mut response: Response) -> Response {
    if let Some(id) = &session.new_id {
        let secure = state.portal.secure_cookies;
        let cookie = format!(
            "{}={id}; Path=/; HttpOnly; SameSite=Lax{}",
            cookie_name(secure),
            if secure { "; Secure" } else { "" }
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// Tells the browser to forget the session cookie.
pub fn clear_session(state: &AppState, mut response: Response) -> Response {
    let secure = state.portal.secure_cookies;
    let cookie = format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

fn client_address(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string())
}

/// A same-site path for `next=`: anything else becomes the home page, so the login page
/// cannot send a holder off to another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn encode_path(path: &str) -> String {
    path.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '/' | '-' | '_' | '.' => c.to_string(),
            other => {
                let mut buffer = [0; 4];
                other
                    .encode_utf8(&mut buffer)
                    .bytes()
                    .fold(String::new(), |mut encoded, b| {
                        let _ = write!(encoded, "%{b:02X}");
                        encoded
                    })
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths_stay_on_this_site() {
        assert_eq!(safe_next(Some("/user/certificates")), "/user/certificates");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; ecert=xyz; b=2"),
        );
        assert_eq!(cookie(&headers, "ecert").as_deref(), Some("xyz"));
        assert_eq!(cookie(&headers, "__Host-ecert"), None);
    }
}
