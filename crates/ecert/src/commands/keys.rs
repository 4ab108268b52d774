//! `ecert keys generate|list|rotate|retire|export-trust-list`.

use std::process::ExitCode;

use anyhow::Context;
use ecert_app::files::write_atomically;
use ecert_app::keys;
use ecert_sign::{Kek, KeyRecord};
use ecert_store::Store;
use jiff::Timestamp;

use crate::cli::KeysCommand;

pub async fn run(
    store: &Store,
    kek: impl FnOnce() -> anyhow::Result<Kek>,
    command: KeysCommand,
) -> anyhow::Result<ExitCode> {
    let now = Timestamp::now();
    match command {
        KeysCommand::Generate { alg } => {
            let key = keys::generate(store, &kek()?, alg.algorithm(), now).await?;
            println!("generated {}", describe(&key));
        }
        KeysCommand::List => {
            let all = keys::list(store).await?;
            if all.is_empty() {
                println!("no signing keys; run `ecert keys generate`");
            }
            for key in all {
                println!("{}", describe(&key));
            }
        }
        KeysCommand::Rotate { alg } => {
            let (new, retired) = keys::rotate(store, &kek()?, alg.algorithm(), now).await?;
            println!("generated {}", describe(&new));
            for key in retired {
                println!("retired   {}", describe(&key));
            }
        }
        KeysCommand::Retire { id } => {
            let key = keys::retire(store, &id, now).await?;
            println!("retired {}", describe(&key));
        }
        KeysCommand::ExportTrustList { file } => {
            let trust = keys::trust_list(store).await?;
            write_atomically(&file, trust.to_json().as_bytes())
                .with_context(|| format!("cannot write {}", file.display()))?;
            println!(
                "wrote the trust list ({} keys) to {}",
                trust.keys().len(),
                file.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per key: id, algorithm, validity, state.
fn describe(key: &KeyRecord) -> String {
    let state = key
        .retired_at
        .map_or_else(|| "in use".to_owned(), |at| format!("retired {at}"));
    format!(
        "{}  {:<8}valid {} to {}  {state}",
        key.id,
        key.algorithm.to_string(),
        key.not_before.strftime("%Y-%m-%d"),
        key.not_after.strftime("%Y-%m-%d")
    )
}
