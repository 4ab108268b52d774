//! `ecert verify FILE.pdf | --payload URL [--trust-list FILE]`: offline verification.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use ecert_app::keys;
use ecert_sign::{TrustList, verify_ofd, verify_payload, verify_pdf};
use ecert_store::Store;
use jiff::Timestamp;

pub async fn run(
    store: &Store,
    file: Option<PathBuf>,
    payload: Option<String>,
    trust_list: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let trust = match trust_list {
        Some(path) => {
            let json = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            TrustList::from_json(&json)
                .with_context(|| format!("{} is not a trust list", path.display()))?
        }
        None => keys::trust_list(store).await?,
    };
    match (file, payload) {
        (Some(file), _) => verify_file(&file, &trust),
        (None, Some(payload)) => Ok(verify_qr(&payload, &trust)),
        (None, None) => anyhow::bail!("give a file or --payload"),
    }
}

fn verify_file(file: &Path, trust: &TrustList) -> anyhow::Result<ExitCode> {
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let verdict = match extension.as_deref() {
        Some("pdf") => verify_pdf(&bytes, trust).map(|info| {
            format!(
                "the PDF signature covers the whole file, signed by key {} ({}) at {}",
                info.key_id, info.algorithm, info.signed_at
            )
        }),
        Some("ofd") => verify_ofd(&bytes, trust).map(|info| {
            format!(
                "the OFD seal covers all {} parts, signed by key {} at {}",
                info.covered_parts, info.key_id, info.signed_at
            )
        }),
        _ => anyhow::bail!("{}: give a .pdf or .ofd file", file.display()),
    };
    match verdict {
        Ok(summary) => {
            println!("genuine: {summary}");
            Ok(ExitCode::SUCCESS)
        }
        Err(refusal) => {
            println!("NOT genuine: {refusal} ({})", refusal.code());
            Ok(ExitCode::FAILURE)
        }
    }
}

fn verify_qr(payload: &str, trust: &TrustList) -> ExitCode {
    match verify_payload(payload, trust, Timestamp::now()) {
        Ok(verified) => {
            let c = &verified.claims;
            println!(
                "genuine: signed by key {} ({}) at {}",
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
            ExitCode::SUCCESS
        }
        Err(refusal) => {
            println!("NOT genuine: {refusal} ({})", refusal.code());
            ExitCode::FAILURE
        }
    }
}
