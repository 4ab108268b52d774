//! The PDF judged by outside tools: qpdf, pdftotext, pdftoppm and zbarimg.

mod common;

use common::{decode_qr, pdf_to_png, run_ok, scratch, write};
use ecert_render::CertificateSheet;
use ecert_render::testing::RARE_NAME;

#[test]
fn qpdf_finds_no_error_in_the_pdf() {
    let dir = scratch();
    let path = write(
        dir.path(),
        "c.pdf",
        &common::pdf(&CertificateSheet::longest()),
    );
    let out = run_ok("qpdf", &["--check", path.to_str().expect("UTF-8")]);
    assert!(out.contains("No syntax or stream encoding errors"), "{out}");
}

#[test]
fn pdftotext_gives_back_the_name_id_number_and_registration_number() {
    let sheet = CertificateSheet::sample();
    let text = pdf_text(&common::pdf(&sheet));
    assert!(text.contains(&sheet.name), "{text}");
    assert!(text.contains(&sheet.id_number), "{text}");
    assert!(text.contains(&sheet.registration_number), "{text}");
    assert!(
        text.contains("中华人民共和国一级注册建筑师注册证书"),
        "{text}"
    );
    assert!(
        text.contains("使用有效期：2025年06月01日至2025年11月27日"),
        "{text}"
    );
    assert!(text.contains(&sheet.licence_id), "{text}");
    for label in [
        "姓名",
        "性别",
        "出生日期",
        "身份证件号码",
        "注册号",
        "执业印章号",
    ] {
        assert!(text.contains(label), "{label} missing from {text}");
    }
    for label in [
        "聘用单位",
        "注册有效期",
        "发证机关",
        "发证日期",
        "个人签名：",
        "第1版",
    ] {
        assert!(text.contains(label), "{label} missing from {text}");
    }
}

#[test]
fn rare_name_characters_render_in_the_pdf() {
    let sheet = CertificateSheet {
        name: RARE_NAME.to_owned(),
        ..CertificateSheet::sample()
    };
    let text = pdf_text(&common::pdf(&sheet));
    assert!(text.contains(RARE_NAME), "{text}");
}

#[test]
fn pdftoppm_renders_the_page_at_a4_landscape() {
    let dir = scratch();
    let path = write(
        dir.path(),
        "c.pdf",
        &common::pdf(&CertificateSheet::sample()),
    );
    let png = pdf_to_png(&path, 72);
    let picture = image::open(&png).expect("pdftoppm wrote a PNG");
    // 297 × 210 mm at 72 dpi is 841.9 × 595.3 points; pdftoppm rounds up.
    assert_eq!((picture.width(), picture.height()), (842, 596));
}

#[test]
fn the_qr_code_decodes_from_the_rendered_pdf_page() {
    let sheet = CertificateSheet::sample();
    assert_eq!(decoded_qr(&sheet, 150), [sheet.qr_content]);
}

#[test]
fn a_900_character_signed_url_decodes_from_the_rendered_pdf_page() {
    let sheet = CertificateSheet::longest();
    assert_eq!(sheet.qr_content.len(), 900);
    assert_eq!(decoded_qr(&sheet, 300), [sheet.qr_content]);
}

#[test]
fn the_pdf_stays_small_with_the_font_subset() {
    let bytes = common::pdf(&CertificateSheet::longest());
    assert!(bytes.len() < 300 * 1024, "{} bytes", bytes.len());
}

fn decoded_qr(sheet: &CertificateSheet, dpi: u32) -> Vec<String> {
    let dir = scratch();
    let path = write(dir.path(), "c.pdf", &common::pdf(sheet));
    decode_qr(&pdf_to_png(&path, dpi))
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = scratch();
    let path = write(dir.path(), "c.pdf", pdf);
    run_ok(
        "pdftotext",
        &["-enc", "UTF-8", path.to_str().expect("UTF-8"), "-"],
    )
}
