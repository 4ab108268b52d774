//! `ecert verify FILE.pdf | FILE.ofd | --qr-image IMAGE | --payload URL [--trust-list FILE]
//! [--online BASE_URL]`.
//!
//! Offline, the signature decides: a file's own signature first, then the signed QR payload
//! it links to, whose claims are printed. `--online` then asks a server for the live status,
//! which decides whether the certificate is in force now.
//!
//! Exit status: 0 genuine (and in force, when asked online); 1 not genuine, or the check
//! could not be made; 3 genuine but not in force.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use ecert_app::{images, keys};
use ecert_sign::{Refusal, TrustList, VerifiedClaims, verify_ofd, verify_payload, verify_pdf};
use ecert_store::Store;
use ecert_web::VerificationView;
use jiff::Timestamp;

/// Genuine, but the server says it is not in force now.
const NOT_IN_FORCE: u8 = 3;

/// How long the server may take to answer `--online`.
const ONLINE_TIMEOUT: Duration = Duration::from_secs(15);

/// What to check.
pub enum Evidence {
    /// A signed PDF or sealed OFD.
    File(PathBuf),
    /// A picture of the QR code.
    QrImage(PathBuf),
    /// The QR code's text: the verification URL, or the payload alone.
    Payload(String),
}

pub async fn run(
    store: &Store,
    evidence: Evidence,
    trust_list: Option<PathBuf>,
    online: Option<String>,
) -> anyhow::Result<ExitCode> {
    let trust = match trust_list {
        Some(path) => read_trust_list(&path)?,
        None => keys::trust_list(store).await?,
    };
    let payload = match evidence {
        Evidence::File(file) => match verify_file(&file, &trust)? {
            Ok(Some(url)) => url,
            Ok(None) => {
                println!("  (the file links no QR payload, so its claims cannot be shown)");
                return Ok(ExitCode::SUCCESS);
            }
            Err(refusal) => return Ok(not_genuine(&refusal)),
        },
        Evidence::QrImage(image) => read_qr_image(&image)?,
        Evidence::Payload(payload) => payload,
    };
    let verified = match verify_payload(&payload, &trust, Timestamp::now()) {
        Ok(verified) => verified,
        Err(refusal) => return Ok(not_genuine(&refusal)),
    };
    print_claims(&verified);
    match online {
        Some(base) => live_status(&base, payload).await,
        None => Ok(ExitCode::SUCCESS),
    }
}

fn read_trust_list(path: &Path) -> anyhow::Result<TrustList> {
    let json =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    TrustList::from_json(&json).with_context(|| format!("{} is not a trust list", path.display()))
}

/// Checks the file's own signature; on success prints it and gives the verification URL
/// the file links (the signed QR payload), if any.
fn verify_file(file: &Path, trust: &TrustList) -> anyhow::Result<Result<Option<String>, Refusal>> {
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let checked = match extension.as_deref() {
        Some("pdf") => verify_pdf(&bytes, trust).map(|info| {
            let summary = format!(
                "the PDF signature covers the whole file, signed by key {} ({}) at {}",
                info.key_id, info.algorithm, info.signed_at
            );
            (summary, info.verification_url)
        }),
        Some("ofd") => verify_ofd(&bytes, trust).map(|info| {
            let summary = format!(
                "the OFD seal covers all {} parts, signed by key {} at {}",
                info.covered_parts, info.key_id, info.signed_at
            );
            (summary, info.verification_url)
        }),
        _ => anyhow::bail!("{}: give a .pdf or .ofd file", file.display()),
    };
    Ok(checked.map(|(summary, url)| {
        println!("genuine: {summary}");
        url
    }))
}

fn read_qr_image(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    images::read_qr_code(&bytes).with_context(|| format!("{}", path.display()))
}

fn not_genuine(refusal: &Refusal) -> ExitCode {
    println!("NOT genuine: {refusal} ({})", refusal.code());
    ExitCode::FAILURE
}

fn print_claims(verified: &VerifiedClaims) {
    let c = &verified.claims;
    println!(
        "genuine: the QR payload is signed by key {} ({}) at {}",
        verified.key_id, verified.algorithm, c.issued_at
    );
    println!("  licence identifier  {}", c.licence_id);
    println!("  version             {}", c.version);
    println!("  name                {}", c.name);
    println!("  ID number           {}", c.masked_id);
    println!("  registration number {}", c.registration_number);
    println!("  employer            {}", c.employer);
    println!(
        "  registration valid  {} to {}",
        c.registration_valid_from, c.registration_valid_until
    );
    println!(
        "  usage period        {} to {}",
        c.usage_first_day, c.usage_last_day
    );
}

/// Asks `base`'s `/api/v1/verify` whether the certificate is in force now.
async fn live_status(base: &str, payload: String) -> anyhow::Result<ExitCode> {
    let url = format!("{}/api/v1/verify", base.trim_end_matches('/'));
    let view = tokio::task::spawn_blocking(move || fetch_view(&url, &payload))
        .await
        .context("the online check stopped")??;
    println!("live status from {base} at {}:", view.checked_at);
    if !view.genuine {
        for reason in &view.reasons {
            println!(
                "  the server does not accept it: {} ({})",
                reason.message, reason.code
            );
        }
        return Ok(ExitCode::FAILURE);
    }
    if view.in_force {
        let until = view
            .in_force_until
            .map_or_else(String::new, |day| format!(" until {day}"));
        println!("  in force{until}");
        return Ok(ExitCode::SUCCESS);
    }
    for reason in &view.reasons {
        println!("  NOT in force: {} ({})", reason.message, reason.code);
    }
    Ok(ExitCode::from(NOT_IN_FORCE))
}

fn fetch_view(url: &str, payload: &str) -> anyhow::Result<VerificationView> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(ONLINE_TIMEOUT))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .get(url)
        .query("payload", payload)
        .call()
        .with_context(|| format!("cannot reach {url}"))?;
    let status = response.status();
    if status == 429 {
        let wait = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("a few");
        anyhow::bail!("{url} limits how often it is asked; try again in {wait} seconds");
    }
    if !status.is_success() {
        anyhow::bail!("{url} answered {status}");
    }
    response
        .body_mut()
        .read_json()
        .with_context(|| format!("{url} did not answer with a verification"))
}
