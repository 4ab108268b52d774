//! Helpers shared by the integration tests: running the outside tools and reading their output.

#![allow(
    dead_code,
    reason = "each test file uses a different subset of the helpers"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use ecert_render::{CertificateSheet, RenderAssets};
use jiff::Timestamp;

/// Assets are loaded once per test binary, as a server loads them once per process.
pub static ASSETS: LazyLock<RenderAssets> =
    LazyLock::new(|| RenderAssets::load().expect("the embedded font loads"));

/// The render time used throughout: 2025-06-01 10:30:00 in Beijing.
pub fn issued_at() -> Timestamp {
    "2025-06-01T02:30:00Z".parse().expect("a valid timestamp")
}

pub fn pdf(sheet: &CertificateSheet) -> Vec<u8> {
    ecert_render::render_pdf(sheet, &ASSETS, issued_at()).expect("the PDF renders")
}

pub fn ofd(sheet: &CertificateSheet) -> Vec<u8> {
    ecert_render::render_ofd(sheet, &ASSETS, issued_at()).expect("the OFD renders")
}

/// Which package brings each outside tool, for the failure message.
fn package_of(tool: &str) -> &'static str {
    match tool {
        "qpdf" => "apt-get install -y qpdf",
        "pdftoppm" | "pdftotext" => "apt-get install -y poppler-utils",
        "zbarimg" => "apt-get install -y zbar-tools",
        "sofd" => "cargo install sofd-cli --version 0.6.1 --locked",
        _ => "its package",
    }
}

/// Runs an outside tool and returns its stdout; a missing tool fails the test, loudly.
pub fn run(tool: &str, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "{tool} is needed by this test and could not be run ({e}); install it with: {}",
            package_of(tool)
        )
    });
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs a tool that must succeed.
pub fn run_ok(tool: &str, args: &[&str]) -> String {
    let (ok, stdout, stderr) = run(tool, args);
    assert!(ok, "{tool} {args:?} failed:\n{stdout}\n{stderr}");
    stdout
}

/// A scratch directory removed when the test ends.
pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("writing a scratch file");
    path
}

/// Rasterizes the first page of a PDF with pdftoppm; returns the PNG's path.
pub fn pdf_to_png(pdf: &Path, dpi: u32) -> PathBuf {
    let stem = pdf.with_extension("");
    let stem = stem.to_str().expect("a UTF-8 path");
    let dpi = dpi.to_string();
    let pdf = pdf.to_str().expect("a UTF-8 path");
    run_ok("pdftoppm", &["-png", "-r", &dpi, "-singlefile", pdf, stem]);
    PathBuf::from(format!("{stem}.png"))
}

/// Rasterizes the page of an OFD with sofd; returns the PNG's path.
pub fn ofd_to_png(ofd: &Path, dpi: u32) -> PathBuf {
    let png = ofd.with_extension("png");
    let dpi = dpi.to_string();
    let (ofd, out) = (ofd.to_str().expect("UTF-8"), png.to_str().expect("UTF-8"));
    run_ok("sofd", &["render", "--dpi", &dpi, "-o", out, ofd]);
    png
}

/// The QR payloads zbarimg finds in a picture.
pub fn decode_qr(png: &Path) -> Vec<String> {
    let png = png.to_str().expect("a UTF-8 path");
    let (_, stdout, stderr) = run(
        "zbarimg",
        &["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png],
    );
    assert!(
        !stdout.trim().is_empty(),
        "zbarimg found no QR code in {png}: {stderr}"
    );
    stdout.lines().map(str::to_owned).collect()
}
