//! Certificate pages behind real-name authentication: [我的证照] (电子证照管理), [查看详情]
//! with "证照相关服务", the endorsement page ([证照加注] → [加注] → "加注成功！"), and
//! downloads ([pdf 下载] / [OFD 下载] → [确定] → the file once its job is done).

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ecert_app::certificates::FileFormat;
use ecert_app::downloads::{DownloadError, JobView, Progress};
use ecert_app::endorsements::{self, EndorseError};
use ecert_app::holders;
use ecert_domain::{Endorsement, EndorsementRefusal, calendar};
use ecert_store::StoredRegistration;
use serde::{Deserialize, Serialize};

use super::realname::{RealNamePanel, panel};
use super::session::{CarriesCsrf, Holder, Posted};
use super::user::{CertificateRow, holder_of};
use super::{Chrome, internal, not_found, page};
use crate::AppState;

/// The printed fields of a certificate, as the holder's pages show them.
pub struct CertificateCard {
    number: String,
    name: String,
    gender: String,
    birth_date: String,
    masked_id: String,
    employer: String,
    seal_number: String,
    validity: String,
    status: String,
    version: String,
    usage: Option<String>,
}

impl CertificateCard {
    fn of(stored: &StoredRegistration, usage: Option<ecert_domain::UsagePeriod>) -> Self {
        let r = &stored.registration;
        Self {
            number: r.number.as_str().to_owned(),
            name: r.name.as_str().to_owned(),
            gender: r.gender.chinese().to_owned(),
            birth_date: calendar::chinese(r.birth_date),
            masked_id: r.id.masked(),
            employer: r.employer_name.clone(),
            seal_number: r.seal_number.as_str().to_owned(),
            validity: format!(
                "{}至{}",
                calendar::chinese(r.valid_from),
                calendar::chinese(r.valid_until)
            ),
            status: r.status.chinese().to_owned(),
            version: stored
                .current_version
                .as_ref()
                .map_or_else(|| "—".to_owned(), |v| format!("第{}版", v.number)),
            usage: usage.map(|period| {
                format!(
                    "{}至{}",
                    calendar::chinese(period.first_day),
                    calendar::chinese(period.last_day)
                )
            }),
        }
    }
}

/// A refusal as the endorsement page shows it: the guide's message, the remedy, and where
/// to go about it.
pub struct RefusalView {
    message: String,
    remedy: String,
    link: Option<(&'static str, &'static str)>,
}

impl RefusalView {
    fn of(refusal: &EndorsementRefusal) -> Self {
        Self {
            message: refusal.message(),
            remedy: refusal.remedy(),
            link: match refusal {
                EndorsementRefusal::PhoneNotBound => Some(("/user/phone", "绑定手机号")),
                _ => None,
            },
        }
    }
}

#[derive(Template)]
#[template(path = "portal/manage.html")]
struct ManagePage {
    chrome: Chrome,
    realname: Option<RealNamePanel>,
    certificates: Vec<CertificateRow>,
}

#[derive(Template)]
#[template(path = "portal/detail.html")]
struct DetailPage {
    chrome: Chrome,
    realname: Option<RealNamePanel>,
    card: CertificateCard,
}

#[derive(Template)]
#[template(path = "portal/endorse.html")]
struct EndorsePage {
    chrome: Chrome,
    realname: Option<RealNamePanel>,
    card: CertificateCard,
    dialog: String,
    done: Option<String>,
    refusal: Option<RefusalView>,
    formats: [(&'static str, &'static str); 2],
}

#[derive(Template)]
#[template(path = "portal/download.html")]
struct DownloadPage {
    chrome: Chrome,
    id: String,
    number: String,
    version: u16,
    format: &'static str,
    period: String,
    progress: String,
    working: bool,
    download_name: Option<String>,
}

/// `GET /user/certificates`: [我的证照]; after real-name authentication, 电子证照管理.
pub async fn manage(State(state): State<AppState>, holder: Holder) -> Response {
    let realname = match realname_gate(&state, &holder, "/user/certificates").await {
        Ok(gate) => gate,
        Err(response) => return response,
    };
    let certificates = match holders::certificates(&state.store, &holder.account.account_id).await {
        Ok(found) => found.iter().map(CertificateRow::of).collect(),
        Err(error) => return internal(&error),
    };
    let template = ManagePage {
        chrome: chrome(&holder),
        realname,
        certificates,
    };
    page(&state, &holder.session, &template)
}

/// `GET /user/certificates/{number}`: [查看详情].
pub async fn detail(
    State(state): State<AppState>,
    holder: Holder,
    Path(number): Path<String>,
) -> Response {
    let stored = match own_certificate(&state, &holder, &number).await {
        Ok(stored) => stored,
        Err(response) => return response,
    };
    let next = format!("/user/certificates/{}", stored.registration.number);
    let realname = match realname_gate(&state, &holder, &next).await {
        Ok(gate) => gate,
        Err(response) => return response,
    };
    let usage = match running(&state, &stored).await {
        Ok(usage) => usage,
        Err(response) => return response,
    };
    let template = DetailPage {
        chrome: chrome(&holder),
        realname,
        card: CertificateCard::of(&stored, usage),
    };
    page(&state, &holder.session, &template)
}

/// `?dialog=` (a dialog opened without JavaScript) and `?endorsed=` after an endorsement.
#[derive(Debug, Default, Deserialize)]
pub struct EndorseQuery {
    dialog: Option<String>,
    endorsed: Option<String>,
}

/// `GET /user/certificates/{number}/endorse`: the endorsement page.
pub async fn endorse_page(
    State(state): State<AppState>,
    holder: Holder,
    Path(number): Path<String>,
    Query(query): Query<EndorseQuery>,
) -> Response {
    let done = match query.endorsed.as_deref() {
        Some("new") => Some("加注成功！".to_owned()),
        Some("running") => Some("加注成功！当前使用有效期内无须重新加注，可直接下载。".to_owned()),
        _ => None,
    };
    render_endorse(
        &state,
        &holder,
        &number,
        query.dialog.unwrap_or_default(),
        done,
        None,
    )
    .await
}

/// Forms that carry only the token.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    csrf: String,
}

impl CarriesCsrf for TokenForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /user/certificates/{number}/endorse`: [加注]. A double click endorses once.
pub async fn endorse(
    State(state): State<AppState>,
    Path(number): Path<String>,
    posted: Posted<TokenForm>,
) -> Response {
    let holder = match holder_of(&state, posted.session, posted.client).await {
        Ok(holder) => holder,
        Err(response) => return response,
    };
    let stored = match own_certificate(&state, &holder, &number).await {
        Ok(stored) => stored,
        Err(response) => return response,
    };
    let acting = match acting_holder(&state, &holder).await {
        Ok(acting) => acting,
        Err(response) => return response,
    };
    let registration_number = &stored.registration.number;
    let now = jiff::Timestamp::now();
    match endorsements::endorse(&state.store, &acting, registration_number, now).await {
        Ok(outcome) => {
            if let Some(downloads) = &state.downloads {
                downloads.wake();
            }
            let kind = match outcome {
                Endorsement::Granted(_) => "new",
                Endorsement::StillRunning(_) => "running",
            };
            Redirect::to(&format!(
                "/user/certificates/{registration_number}/endorse?endorsed={kind}"
            ))
            .into_response()
        }
        Err(EndorseError::NotFound) => not_found(),
        Err(EndorseError::Store(error)) => internal(&error),
        Err(EndorseError::Refused(refusal)) => {
            let view = RefusalView::of(&refusal);
            render_endorse(&state, &holder, &number, String::new(), None, Some(view)).await
        }
    }
}

/// The download form.
#[derive(Debug, Deserialize)]
pub struct DownloadForm {
    csrf: String,
    format: String,
}

impl CarriesCsrf for DownloadForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /user/certificates/{number}/downloads`: [确定] in the download dialog; queues the
/// file (or finds the one already made) and shows its progress.
pub async fn request_download(
    State(state): State<AppState>,
    Path(number): Path<String>,
    posted: Posted<DownloadForm>,
) -> Response {
    let format = match posted.form.format.as_str() {
        "pdf" => FileFormat::Pdf,
        "ofd" => FileFormat::Ofd,
        _ => return (StatusCode::BAD_REQUEST, "格式只能是 pdf 或 ofd").into_response(),
    };
    let holder = match holder_of(&state, posted.session, posted.client).await {
        Ok(holder) => holder,
        Err(response) => return response,
    };
    let stored = match own_certificate(&state, &holder, &number).await {
        Ok(stored) => stored,
        Err(response) => return response,
    };
    let acting = match acting_holder(&state, &holder).await {
        Ok(acting) => acting,
        Err(response) => return response,
    };
    let now = jiff::Timestamp::now();
    let Some(downloads) = &state.downloads else {
        return unavailable();
    };
    match downloads
        .request(&acting, &stored.registration.number, format, now)
        .await
    {
        Ok(job) => Redirect::to(&format!("/user/downloads/{}", job.id)).into_response(),
        Err(DownloadError::NotFound) => not_found(),
        Err(refused @ (DownloadError::NotEndorsed | DownloadError::Refused(_))) => {
            let view = RefusalView {
                message: refused.message().unwrap_or_default(),
                remedy: refused.remedy().unwrap_or_default(),
                link: None,
            };
            render_endorse(&state, &holder, &number, String::new(), None, Some(view)).await
        }
        Err(error) => internal(&error),
    }
}

/// `GET /user/downloads/{job}`: the job's progress; 404 for anyone but its owner.
pub async fn download_page(
    State(state): State<AppState>,
    holder: Holder,
    Path(job_id): Path<String>,
) -> Response {
    let job = match own_job(&state, &holder, &job_id).await {
        Ok(job) => job,
        Err(response) => return response,
    };
    let template = DownloadPage {
        chrome: chrome(&holder),
        id: job.id.clone(),
        number: job.registration_number.as_str().to_owned(),
        version: job.version,
        format: format_label(job.format),
        period: job.period.printed(),
        progress: job.progress_text(),
        working: matches!(job.progress, Progress::Working { .. }),
        download_name: match &job.progress {
            Progress::Ready { download_name } => Some(download_name.clone()),
            _ => None,
        },
    };
    page(&state, &holder.session, &template)
}

/// What the download page polls.
#[derive(Debug, Serialize)]
pub struct JobState {
    state: &'static str,
    progress: String,
    download_name: Option<String>,
}

/// `GET /user/downloads/{job}/state`.
pub async fn download_state(
    State(state): State<AppState>,
    holder: Holder,
    Path(job_id): Path<String>,
) -> Response {
    let job = match own_job(&state, &holder, &job_id).await {
        Ok(job) => job,
        Err(response) => return response,
    };
    let (kind, download_name) = match &job.progress {
        Progress::Working { .. } => ("working", None),
        Progress::Ready { download_name } => ("ready", Some(download_name.clone())),
        Progress::Failed { .. } => ("failed", None),
    };
    Json(JobState {
        state: kind,
        progress: job.progress_text(),
        download_name,
    })
    .into_response()
}

/// `GET /user/downloads/{job}/file`: the signed file; 404 for anyone but its owner.
pub async fn download_file(
    State(state): State<AppState>,
    holder: Holder,
    Path(job_id): Path<String>,
) -> Response {
    let Some(downloads) = &state.downloads else {
        return not_found();
    };
    let file = match downloads
        .open_file(&holder.account.account_id, &job_id)
        .await
    {
        Ok(Some(file)) => file,
        Ok(None) => return not_found(),
        Err(error) => return internal(&error),
    };
    let disposition = format!(
        "attachment; filename=\"{}\"",
        file.download_name.replace(['"', '\\'], "_")
    );
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.media_type),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

async fn render_endorse(
    state: &AppState,
    holder: &Holder,
    number: &str,
    dialog: String,
    done: Option<String>,
    refusal: Option<RefusalView>,
) -> Response {
    let stored = match own_certificate(state, holder, number).await {
        Ok(stored) => stored,
        Err(response) => return response,
    };
    let next = format!("/user/certificates/{}/endorse", stored.registration.number);
    let realname = match realname_gate(state, holder, &next).await {
        Ok(gate) => gate,
        Err(response) => return response,
    };
    let usage = match running(state, &stored).await {
        Ok(usage) => usage,
        Err(response) => return response,
    };
    let template = EndorsePage {
        chrome: chrome(holder),
        realname,
        card: CertificateCard::of(&stored, usage),
        dialog,
        done,
        refusal,
        formats: [("pdf", "pdf"), ("ofd", "OFD")],
    };
    page(state, &holder.session, &template)
}

/// The real-name panel when this session has not passed authentication yet.
async fn realname_gate(
    state: &AppState,
    holder: &Holder,
    next: &str,
) -> Result<Option<RealNamePanel>, Response> {
    if holder.session.authenticated() {
        return Ok(None);
    }
    panel(state, holder, next, None).await.map(Some)
}

/// The registration `number` if it is the holder's; 404 otherwise.
async fn own_certificate(
    state: &AppState,
    holder: &Holder,
    number: &str,
) -> Result<StoredRegistration, Response> {
    holders::certificate(&state.store, &holder.account.account_id, number)
        .await
        .map_err(|error| internal(&error))?
        .ok_or_else(not_found)
}

async fn own_job(state: &AppState, holder: &Holder, job_id: &str) -> Result<JobView, Response> {
    let Some(downloads) = &state.downloads else {
        return Err(not_found());
    };
    downloads
        .job(&holder.account.account_id, job_id)
        .await
        .map_err(|error| internal(&error))?
        .ok_or_else(not_found)
}

async fn running(
    state: &AppState,
    stored: &StoredRegistration,
) -> Result<Option<ecert_domain::UsagePeriod>, Response> {
    endorsements::running_period(
        &state.store,
        &stored.registration.number,
        jiff::Timestamp::now(),
    )
    .await
    .map_err(|error| internal(&error))
}

/// The holder as the use cases see them: bound certificates, phone, and whether this
/// session passed real-name authentication.
async fn acting_holder(state: &AppState, holder: &Holder) -> Result<holders::Holder, Response> {
    holders::Holder::of(
        &state.store,
        &holder.account,
        holder.session.authenticated(),
    )
    .await
    .map_err(|error| internal(&error))
}

fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "本服务器不提供证照下载，请稍后再试",
    )
        .into_response()
}

fn chrome(holder: &Holder) -> Chrome {
    Chrome::of(&holder.session, Some(&holder.account.username))
}

fn format_label(format: FileFormat) -> &'static str {
    match format {
        FileFormat::Pdf => "PDF",
        FileFormat::Ofd => "OFD",
    }
}
