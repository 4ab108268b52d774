//! Rendering alone, one thread: N certificates per format, per-file p50 and p99 and file size.
//!
//! `cargo bench -p ecert-render --bench render` (N from `ECERT_BENCH_N`, default 200). The
//! last lines are `RESULT ...` for `bench/run-render.sh` to read.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::time::{Duration, Instant};

use ecert_render::{CertificateSheet, RenderAssets, RenderError};
use jiff::{Timestamp, ToSpan};

type Renderer = fn(&CertificateSheet, &RenderAssets, Timestamp) -> Result<Vec<u8>, RenderError>;

fn main() {
    let n: u32 = std::env::var("ECERT_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let started = Instant::now();
    let assets = RenderAssets::load().expect("the embedded font loads");
    println!("assets loaded in {:.3} ms", ms(started.elapsed()));
    let sheet = CertificateSheet::sample();
    let longest = CertificateSheet::longest();
    println!("rendering {n} certificates per format on one thread");
    for (format, render) in [
        ("pdf", ecert_render::render_pdf as Renderer),
        ("ofd", ecert_render::render_ofd as Renderer),
    ] {
        let (times, size) = measure(render, &sheet, &assets, n);
        let longest_size = render(&longest, &assets, at(0)).expect("renders").len();
        let (p50, p99) = (percentile(&times, 50), percentile(&times, 99));
        println!(
            "{format}: p50 {p50:.2} ms, p99 {p99:.2} ms, {size} bytes ({longest_size} bytes at \
             the longest values)"
        );
        println!("RESULT {format} p50_ms={p50:.3} p99_ms={p99:.3} bytes={size}");
    }
}

/// Renders `n` files, each at another second so no two are alike, after a short warm-up.
fn measure(
    render: Renderer,
    sheet: &CertificateSheet,
    assets: &RenderAssets,
    n: u32,
) -> (Vec<Duration>, usize) {
    for i in 0..5 {
        render(sheet, assets, at(i)).expect("renders");
    }
    let mut size = 0;
    let times = (0..n)
        .map(|i| {
            let start = Instant::now();
            let bytes = render(sheet, assets, at(i)).expect("renders");
            let took = start.elapsed();
            size = bytes.len();
            std::hint::black_box(bytes);
            took
        })
        .collect();
    (times, size)
}

fn at(i: u32) -> Timestamp {
    let base: Timestamp = "2025-06-01T02:30:00Z".parse().expect("a timestamp");
    base + i64::from(i).seconds()
}

fn percentile(times: &[Duration], p: usize) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    let index = (sorted.len() * p).div_ceil(100).saturating_sub(1);
    sorted.get(index).map_or(0.0, |d| ms(*d))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
