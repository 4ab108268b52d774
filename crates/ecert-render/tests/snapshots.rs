//! Snapshot tests of the rendered page: the PDF through pdftoppm and the OFD through sofd,
//! compared pixel by pixel, with a tolerance for anti-aliasing, against the PNGs committed in
//! `tests/snapshots/`. Run with `ECERT_UPDATE_SNAPSHOTS=1` to accept a new look.

mod common;

use std::path::{Path, PathBuf};

use common::{ofd_to_png, pdf_to_png, scratch, write};
use ecert_render::CertificateSheet;
use image::RgbaImage;

/// Resolution of the snapshots: enough to see every line of text, small enough to commit.
const DPI: u32 = 60;
/// A pixel counts as changed when a channel moved by more than this.
const CHANNEL_TOLERANCE: u8 = 64;
/// Share of changed pixels allowed, for rasterizer differences between tool versions.
const CHANGED_SHARE: f64 = 0.004;

#[test]
fn the_rendered_pdf_page_matches_its_snapshot() {
    let dir = scratch();
    let pdf = write(
        dir.path(),
        "c.pdf",
        &common::pdf(&CertificateSheet::longest()),
    );
    check(&pdf_to_png(&pdf, DPI), "certificate-pdf.png");
}

#[test]
fn the_rendered_ofd_page_matches_its_snapshot() {
    let dir = scratch();
    let ofd = write(
        dir.path(),
        "c.ofd",
        &common::ofd(&CertificateSheet::longest()),
    );
    check(&ofd_to_png(&ofd, DPI), "certificate-ofd.png");
}

fn reference(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name)
}

fn check(actual: &Path, name: &str) {
    let expected = reference(name);
    if std::env::var_os("ECERT_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::copy(actual, &expected).expect("writing the snapshot");
        return;
    }
    let got = image::open(actual).expect("the rendering reads").to_rgba8();
    let want = image::open(&expected)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; create it with ECERT_UPDATE_SNAPSHOTS=1",
                expected.display()
            )
        })
        .to_rgba8();
    let share = changed_share(&got, &want);
    if share > CHANGED_SHARE {
        let kept = std::env::temp_dir().join(format!("ecert-actual-{name}"));
        std::fs::copy(actual, &kept).expect("keeping the rendering");
        panic!(
            "{name}: {:.2} % of pixels changed (allowed {:.2} %); see {} and accept it with \
             ECERT_UPDATE_SNAPSHOTS=1 if the change is intended",
            share * 100.0,
            CHANGED_SHARE * 100.0,
            kept.display()
        );
    }
}

/// Share of pixels that differ beyond the tolerance; a size change counts as all of them.
fn changed_share(got: &RgbaImage, want: &RgbaImage) -> f64 {
    if got.dimensions() != want.dimensions() {
        return 1.0;
    }
    let changed = got
        .pixels()
        .zip(want.pixels())
        .filter(|(a, b)| {
            a.0.iter()
                .zip(b.0)
                .any(|(x, y)| x.abs_diff(y) > CHANNEL_TOLERANCE)
        })
        .count();
    let total = u64::from(got.width()) * u64::from(got.height());
    #[expect(clippy::cast_precision_loss, reason = "a ratio of pixel counts")]
    let share = changed as f64 / total as f64;
    share
}

#[test]
fn a_changed_picture_is_caught_by_the_comparison() {
    let white = RgbaImage::from_pixel(100, 100, image::Rgba([255, 255, 255, 255]));
    let mut marked = white.clone();
    for x in 0..10 {
        for y in 0..10 {
            marked.put_pixel(x, y, image::Rgba([0, 0, 0, 255]));
        }
    }
    assert!(changed_share(&white, &white) < f64::EPSILON);
    assert!(changed_share(&white, &marked) > CHANGED_SHARE);
}
