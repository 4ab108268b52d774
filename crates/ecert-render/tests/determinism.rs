//! Same inputs and the same time give the same bytes, in both formats.

mod common;

use common::ASSETS;
use ecert_render::CertificateSheet;
use jiff::ToSpan;

#[test]
fn the_pdf_is_the_same_byte_for_byte_when_rendered_twice() {
    let sheet = CertificateSheet::longest();
    assert_eq!(common::pdf(&sheet), common::pdf(&sheet.clone()));
}

#[test]
fn the_ofd_is_the_same_byte_for_byte_when_rendered_twice() {
    let sheet = CertificateSheet::longest();
    assert_eq!(common::ofd(&sheet), common::ofd(&sheet.clone()));
}

#[test]
fn another_render_time_gives_another_file() {
    let sheet = CertificateSheet::sample();
    let later = common::issued_at() + 1.second();
    let pdf = ecert_render::render_pdf(&sheet, &ASSETS, later).expect("renders");
    let ofd = ecert_render::render_ofd(&sheet, &ASSETS, later).expect("renders");
    assert_ne!(pdf, common::pdf(&sheet));
    assert_ne!(ofd, common::ofd(&sheet));
}
