//! `ecert render NUMBER --format pdf|ofd --out FILE [--from DATE]` and
//! `ecert render --all --format pdf|ofd --out DIR`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, anyhow};
use ecert_app::certificates::{
    CertificateError, FileFormat, PreparedCertificate, Renderer, render_all,
};
use ecert_app::files::write_atomically;
use ecert_app::keys;
use ecert_domain::EndorsementRefusal;
use ecert_domain::calendar::{self, Day};
use ecert_sign::{Algorithm, Kek, Signer};
use ecert_store::Store;
use jiff::Timestamp;

use crate::cli::FormatArg;
use crate::progress::Bar;

/// Certificates gathered and rendered together; bounds memory (photos) for `--all`.
const BATCH: usize = 64;

/// The command's arguments.
pub struct Request {
    pub number: Option<String>,
    pub all: bool,
    pub format: FormatArg,
    pub out: PathBuf,
    pub from: Option<String>,
}

/// The keys a render needs: ES256 signs the QR payload and the PDF; SM2 seals the OFD.
pub struct Signers {
    qr_and_pdf: Arc<dyn Signer>,
    ofd_seal: Option<Arc<dyn Signer>>,
}

impl Signers {
    /// Opens the active keys the format needs, or says which key to generate.
    pub async fn load(store: &Store, kek: &Kek, format: FormatArg) -> anyhow::Result<Self> {
        let now = Timestamp::now();
        let es256 = keys::active_signer(store, kek, Algorithm::Es256, now).await?;
        let ofd_seal = match format {
            FormatArg::Ofd => Some(Arc::new(
                keys::active_signer(store, kek, Algorithm::Sm2Sm3, now).await?,
            ) as Arc<dyn Signer>),
            FormatArg::Pdf => None,
        };
        Ok(Self {
            qr_and_pdf: Arc::new(es256),
            ofd_seal,
        })
    }
}

pub async fn run(
    store: &Store,
    public_url: &str,
    signers: Signers,
    request: Request,
) -> anyhow::Result<ExitCode> {
    let now = Timestamp::now();
    let first_day = match &request.from {
        Some(text) => calendar::parse_day(text).map_err(|e| anyhow!("--from: {e}"))?,
        None => calendar::day_of(now),
    };
    let format = match request.format {
        FormatArg::Pdf => FileFormat::Pdf,
        FormatArg::Ofd => FileFormat::Ofd,
    };
    let mut renderer = Renderer::new(public_url)
        .context("cannot load the certificate font")?
        .with_signer(signers.qr_and_pdf);
    if let Some(seal) = signers.ofd_seal {
        renderer = renderer.with_seal_signer(seal);
    }
    match (&request.number, request.all) {
        (Some(number), false) => {
            one(
                store,
                &renderer,
                number,
                format,
                &request.out,
                first_day,
                now,
            )
            .await
        }
        _ => every(store, &renderer, format, &request.out, first_day, now).await,
    }
}

async fn one(
    store: &Store,
    renderer: &Renderer,
    number: &str,
    format: FileFormat,
    out: &std::path::Path,
    first_day: Day,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let number = super::parse_numbers(&[number.to_owned()])?.remove(0);
    let certificate = renderer.prepare(store, &number, first_day).await?;
    let bytes = renderer.render(&certificate, format, now)?;
    write_atomically(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "wrote {} ({} KB): version {}, {}",
        out.display(),
        bytes.len().div_ceil(1024),
        certificate.version,
        certificate.usage.printed()
    );
    Ok(ExitCode::SUCCESS)
}

async fn every(
    store: &Store,
    renderer: &Renderer,
    format: FileFormat,
    folder: &std::path::Path,
    first_day: Day,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(folder)
        .with_context(|| format!("cannot create {}", folder.display()))?;
    let numbers = store.registration_numbers().await?;
    let started = Instant::now();
    let bar = Bar::new("rendering");
    ecert_app::Progress::start(&bar, numbers.len() as u64);
    let mut tally = Tally::default();
    for batch in numbers.chunks(BATCH) {
        let mut ready = Vec::with_capacity(batch.len());
        for number in batch {
            match renderer.prepare(store, number, first_day).await {
                Ok(certificate) => ready.push(certificate),
                Err(error) => tally.skip(&error)?,
            }
        }
        tally.record(&ready, render_all(renderer, &ready, format, folder, now));
        ecert_app::Progress::advance(&bar, batch.len() as u64);
    }
    bar.finish();
    tally.print(format, folder, started.elapsed().as_secs_f64());
    Ok(if tally.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// What `--all` did, for its summary.
#[derive(Default)]
struct Tally {
    written: usize,
    bytes: u64,
    skipped: BTreeMap<String, usize>,
    failed: Vec<String>,
}

impl Tally {
    /// Counts a registration that cannot be endorsed; any other error stops the run.
    fn skip(&mut self, error: &CertificateError) -> anyhow::Result<()> {
        match error {
            CertificateError::NotReady { gaps, .. } => {
                let reason = gaps
                    .first()
                    .map_or_else(String::new, EndorsementRefusal::message);
                *self.skipped.entry(reason).or_default() += 1;
                Ok(())
            }
            CertificateError::Render { .. } => {
                self.failed.push(error.to_string());
                Ok(())
            }
            other => Err(anyhow!("{other}")),
        }
    }

    fn record(
        &mut self,
        certificates: &[PreparedCertificate],
        results: Vec<Result<PathBuf, String>>,
    ) {
        for (certificate, result) in certificates.iter().zip(results) {
            match result {
                Ok(path) => {
                    self.written += 1;
                    self.bytes += std::fs::metadata(&path).map_or(0, |m| m.len());
                }
                Err(reason) => self
                    .failed
                    .push(format!("{}: {reason}", certificate.number)),
            }
        }
    }

    fn print(&self, format: FileFormat, folder: &std::path::Path, seconds: f64) {
        for failure in &self.failed {
            eprintln!("failed: {failure}");
        }
        let written = u32::try_from(self.written).unwrap_or(u32::MAX);
        let rate = if seconds > 0.0 {
            f64::from(written) / seconds
        } else {
            0.0
        };
        println!(
            "rendered {} {format} files into {} in {seconds:.1} s \
             ({rate:.0} files/s, {} KB on average)",
            self.written,
            folder.display(),
            self.bytes / 1024 / (self.written.max(1) as u64),
        );
        for (reason, count) in &self.skipped {
            println!("skipped {count}: {reason}");
        }
    }
}
