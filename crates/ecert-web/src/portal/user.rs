//! The home page, [用户中心] with its "我的证照" section, the details page behind [查看更多]
//! with [绑定证照], and phone binding.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use ecert_app::accounts::PhoneError;
use ecert_app::holders::{self, BindError};
use ecert_domain::{PhoneNumber, calendar};
use ecert_store::{StoredAccount, StoredRegistration};
use serde::Deserialize;

use super::session::{CarriesCsrf, Holder, Posted, Visitor};
use super::{Chrome, internal, page};
use crate::AppState;

/// How many certificates the "我的证照" section of the user centre shows before [查看更多].
const SECTION_LIMIT: usize = 3;

/// A certificate as the lists show it.
pub struct CertificateRow {
    /// Registration number.
    pub number: String,
    /// Holder's name.
    pub name: String,
    /// Status in Chinese.
    pub status: String,
    /// Last valid day of the registration.
    pub valid_until: String,
}

impl CertificateRow {
    pub(super) fn of(stored: &StoredRegistration) -> Self {
        let registration = &stored.registration;
        Self {
            number: registration.number.as_str().to_owned(),
            name: registration.name.as_str().to_owned(),
            status: registration.status.chinese().to_owned(),
            valid_until: calendar::chinese(registration.valid_until),
        }
    }
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    chrome: Chrome,
}

#[derive(Template)]
#[template(path = "portal/user.html")]
struct CentrePage {
    chrome: Chrome,
    username: String,
    name: String,
    masked_id: String,
    phone: Option<String>,
    authenticated: bool,
    certificates: Vec<CertificateRow>,
    more: bool,
}

#[derive(Template)]
#[template(path = "portal/more.html")]
struct MorePage {
    chrome: Chrome,
    certificates: Vec<CertificateRow>,
    number: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/phone.html")]
struct PhonePage {
    chrome: Chrome,
    bound: Option<String>,
    sent_to: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

/// `GET /`.
pub async fn home(State(state): State<AppState>, visitor: Visitor) -> Response {
    let session = match visitor.session_or_open(&state).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let user = match session.account_id() {
        Some(id) => match state.store.account(id).await {
            Ok(account) => account.map(|a| a.username),
            Err(error) => return internal(&error),
        },
        None => None,
    };
    let template = HomePage {
        chrome: Chrome::of(&session, user.as_deref()),
    };
    page(&state, &session, &template)
}

/// `GET /user`: [用户中心].
pub async fn centre(State(state): State<AppState>, holder: Holder) -> Response {
    let certificates = match holders::certificates(&state.store, &holder.account.account_id).await {
        Ok(found) => found,
        Err(error) => return internal(&error),
    };
    let account = &holder.account;
    let template = CentrePage {
        chrome: Chrome::of(&holder.session, Some(&account.username)),
        username: account.username.clone(),
        name: account.name.clone(),
        masked_id: ecert_domain::identifiers::mask(&account.id_number),
        phone: masked_phone(account),
        authenticated: holder.session.authenticated(),
        more: certificates.len() > SECTION_LIMIT,
        certificates: certificates
            .iter()
            .take(SECTION_LIMIT)
            .map(CertificateRow::of)
            .collect(),
    };
    page(&state, &holder.session, &template)
}

/// `GET /user/certificates/more`: [查看更多], every certificate and [绑定证照].
pub async fn more(State(state): State<AppState>, holder: Holder) -> Response {
    render_more(&state, &holder, String::new(), None, None).await
}

/// The [绑定证照] form.
#[derive(Debug, Deserialize)]
pub struct BindForm {
    csrf: String,
    number: String,
}

impl CarriesCsrf for BindForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /user/certificates/bind`: [绑定证照].
pub async fn bind(State(state): State<AppState>, posted: Posted<BindForm>) -> Response {
    let holder = match holder_of(&state, posted.session, posted.client).await {
        Ok(holder) => holder,
        Err(response) => return response,
    };
    let now = jiff::Timestamp::now();
    match holders::bind(&state.store, &holder.account, &posted.form.number, now).await {
        Ok(number) => {
            let notice = format!("绑定成功：注册号 {number}。请点击[查看详情]查看电子证书。");
            render_more(&state, &holder, String::new(), Some(notice), None).await
        }
        Err(BindError::Store(error)) => internal(&error),
        Err(refusal) => {
            render_more(
                &state,
                &holder,
                posted.form.number,
                None,
                Some(refusal.to_string()),
            )
            .await
        }
    }
}

async fn render_more(
    state: &AppState,
    holder: &Holder,
    number: String,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let certificates = match holders::certificates(&state.store, &holder.account.account_id).await {
        Ok(found) => found,
        Err(error) => return internal(&error),
    };
    let template = MorePage {
        chrome: Chrome::of(&holder.session, Some(&holder.account.username)),
        certificates: certificates.iter().map(CertificateRow::of).collect(),
        number,
        notice,
        error,
    };
    page(state, &holder.session, &template)
}

/// `?sent=1` after a code went out.
#[derive(Debug, Deserialize)]
pub struct PhoneQuery {
    sent: Option<String>,
}

/// `GET /user/phone`: bind a phone number.
pub async fn phone_page(
    State(state): State<AppState>,
    holder: Holder,
    Query(query): Query<PhoneQuery>,
) -> Response {
    let sent_to = match query.sent {
        Some(_) => match state.store.phone_code(&holder.account.account_id).await {
            Ok(code) => code
                .and_then(|code| PhoneNumber::parse(&code.phone).ok())
                .map(|phone| phone.masked()),
            Err(error) => return internal(&error),
        },
        None => None,
    };
    render_phone(&state, &holder, sent_to, None, None)
}

/// The phone number form.
#[derive(Debug, Deserialize)]
pub struct PhoneForm {
    csrf: String,
    phone: String,
}

impl CarriesCsrf for PhoneForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The code form.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    csrf: String,
    code: String,
}

impl CarriesCsrf for CodeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /user/phone/code`: sends a code.
pub async fn send_phone_code(State(state): State<AppState>, posted: Posted<PhoneForm>) -> Response {
    let holder = match holder_of(&state, posted.session, posted.client).await {
        Ok(holder) => holder,
        Err(response) => return response,
    };
    let sms = state.portal.sms.clone();
    let now = jiff::Timestamp::now();
    match state
        .portal
        .accounts
        .send_phone_code(&holder.account.account_id, &posted.form.phone, sms, now)
        .await
    {
        Ok(_) => Redirect::to("/user/phone?sent=1").into_response(),
        Err(PhoneError::Store(error)) => internal(&error),
        Err(refusal) => render_phone(&state, &holder, None, None, Some(refusal.to_string())),
    }
}

/// `POST /user/phone/confirm`: binds the number if the code is right.
pub async fn confirm_phone(State(state): State<AppState>, posted: Posted<CodeForm>) -> Response {
    let holder = match holder_of(&state, posted.session, posted.client).await {
        Ok(holder) => holder,
        Err(response) => return response,
    };
    let now = jiff::Timestamp::now();
    match state
        .portal
        .accounts
        .confirm_phone(&holder.account.account_id, &posted.form.code, now)
        .await
    {
        Ok(phone) => {
            let notice = format!("手机号码 {} 绑定成功。", phone.masked());
            let mut holder = holder;
            holder.account.phone = Some(phone.as_str().to_owned());
            render_phone(&state, &holder, None, Some(notice), None)
        }
        Err(PhoneError::Store(error)) => internal(&error),
        Err(refusal) => render_phone(
            &state,
            &holder,
            Some(String::new()),
            None,
            Some(refusal.to_string()),
        ),
    }
}

fn render_phone(
    state: &AppState,
    holder: &Holder,
    sent_to: Option<String>,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let template = PhonePage {
        chrome: Chrome::of(&holder.session, Some(&holder.account.username)),
        bound: masked_phone(&holder.account),
        sent_to,
        notice,
        error,
    };
    page(state, &holder.session, &template)
}

/// The holder behind a posted form; a form posted without login goes to the login page.
pub(super) async fn holder_of(
    state: &AppState,
    session: ecert_app::sessions::Session,
    client: String,
) -> Result<Holder, Response> {
    let account = match session.account_id() {
        Some(id) => state.store.account(id).await.map_err(|e| internal(&e))?,
        None => None,
    };
    let account = account.ok_or_else(|| Redirect::to("/login").into_response())?;
    Ok(Holder {
        session,
        account,
        client,
    })
}

fn masked_phone(account: &StoredAccount) -> Option<String> {
    account
        .phone
        .as_deref()
        .and_then(|phone| PhoneNumber::parse(phone).ok())
        .map(|phone| phone.masked())
}
