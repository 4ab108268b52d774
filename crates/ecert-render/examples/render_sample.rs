//! Writes the sample certificate as `certificate.pdf` and `certificate.ofd` into a folder
//! (default `.`), to look at or to make the documentation pictures:
//! `cargo run -p ecert-render --features fixtures --example render_sample -- /tmp/out`.

use std::path::PathBuf;

use ecert_render::{CertificateSheet, RenderAssets};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".to_owned()));
    let longest = std::env::args().nth(2).is_some_and(|a| a == "--longest");
    let sheet = if longest {
        CertificateSheet::longest()
    } else {
        CertificateSheet::sample()
    };
    let assets = RenderAssets::load()?;
    let at: jiff::Timestamp = "2025-06-01T02:30:00Z".parse()?;
    let pdf = ecert_render::render_pdf(&sheet, &assets, at)?;
    let ofd = ecert_render::render_ofd(&sheet, &assets, at)?;
    std::fs::write(dir.join("certificate.pdf"), pdf)?;
    std::fs::write(dir.join("certificate.ofd"), ofd)?;
    Ok(())
}
