//! The certificate files rendered and signed, p50 and p99 over 200 runs each: the PDF with
//! its PAdES B-B signature (ES256) and the OFD with its GB/T 38540 seal (SM2 with SM3), and
//! each signature alone. Goals at the median: PDF within 25 ms, OFD within 15 ms.
//!
//! `cargo bench -p ecert-sign --bench files`
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a benchmark that prints its timings"
)]

use std::time::{Duration, Instant};

use ecert_render::layout::{PAGE_HEIGHT, SEAL_STAMP};
use ecert_render::{CertificateSheet, RenderAssets};
use ecert_sign::{Algorithm, Kek, KeyRecord, StampPlacement, Validity, seal_ofd, sign_pdf};

const RUNS: usize = 200;

fn main() {
    let kek = Kek::from_slice(&[3u8; 32]).unwrap();
    let validity = Validity {
        not_before: "2025-01-01T00:00:00Z".parse().unwrap(),
        not_after: "2035-01-01T00:00:00Z".parse().unwrap(),
    };
    let record = KeyRecord::generate(Algorithm::Es256, &kek, "bench", validity).unwrap();
    let signer = record.signer(&kek).unwrap();
    let sm2_record = KeyRecord::generate(Algorithm::Sm2Sm3, &kek, "bench", validity).unwrap();
    let sm2_signer = sm2_record.signer(&kek).unwrap();
    let assets = RenderAssets::load().unwrap();
    let sheet = CertificateSheet::sample();
    let at = "2026-12-01T00:00:00Z".parse().unwrap();
    let stamp = Some(StampPlacement {
        rect: SEAL_STAMP.to_pdf_points(PAGE_HEIGHT),
    });
    let rendered = ecert_render::render_pdf(&sheet, &assets, at).unwrap();
    let sign_only = timings(|| {
        sign_pdf(&rendered, &signer, at, stamp).unwrap();
    });
    let both = timings(|| {
        let pdf = ecert_render::render_pdf(&sheet, &assets, at).unwrap();
        sign_pdf(&pdf, &signer, at, stamp).unwrap();
    });
    report("pdf sign", &sign_only);
    report("pdf render + sign", &both);

    let unsealed = ecert_render::build_ofd(&sheet, &assets, at).unwrap();
    // Any PNG stands in for the seal artwork: the rendered page's own.
    let seal_png = unsealed.files()["Doc_0/Res/Image_4.png"].clone();
    let seal_only = timings(|| {
        let mut package = unsealed.clone();
        seal_ofd(&mut package, &sm2_signer, &seal_png, at).unwrap();
    });
    let ofd = timings(|| {
        let mut package = ecert_render::build_ofd(&sheet, &assets, at).unwrap();
        seal_ofd(&mut package, &sm2_signer, &seal_png, at).unwrap();
        package.zip().unwrap();
    });
    report("ofd seal", &seal_only);
    report("ofd render + seal", &ofd);
}

/// Runs `f` [`RUNS`] times after a warm-up and returns the sorted durations.
fn timings(mut f: impl FnMut()) -> Vec<Duration> {
    for _ in 0..5 {
        f();
    }
    let mut all: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    all.sort_unstable();
    all
}

fn report(what: &str, sorted: &[Duration]) {
    let p50 = sorted[sorted.len() / 2];
    let p99 = sorted[sorted.len() * 99 / 100];
    println!("{what}: p50 {:.2} ms, p99 {:.2} ms", ms(p50), ms(p99));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
