//! `ecert verify --payload URL [--trust-list FILE]`: offline verification of a QR payload.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use ecert_app::keys;
use ecert_sign::{TrustList, verify_payload};
use ecert_store::Store;
use jiff::Timestamp;

pub async fn run(
    store: &Store,
    payload: &str,
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
    match verify_payload(payload, &trust, Timestamp::now()) {
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
            Ok(ExitCode::SUCCESS)
        }
        Err(refusal) => {
            println!("NOT genuine: {refusal} ({})", refusal.code());
            Ok(ExitCode::FAILURE)
        }
    }
}
