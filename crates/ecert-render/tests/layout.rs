//! The layout's own checks: room for the longest values, glyph coverage, QR limits.

mod common;

use common::ASSETS;
use ecert_render::layout::{self, LaidBox, PRINTABLE, Role, SEAL_STAMP};
use ecert_render::testing::{RARE_NAME, long_qr_content};
use ecert_render::{CertificateSheet, RenderError};

fn overlapping_pairs(boxes: &[LaidBox]) -> Vec<(Role, Role)> {
    let mut pairs = Vec::new();
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            // The seal is stamped over the issuing authority and date, as on paper.
            let stamped = a.role == Role::Seal || b.role == Role::Seal;
            if !stamped && a.rect.intersects(&b.rect) {
                pairs.push((a.role, b.role));
            }
        }
    }
    pairs
}

#[test]
fn nothing_overlaps_at_the_longest_values() {
    let sheet = CertificateSheet::longest();
    assert_eq!(sheet.name.chars().count(), 32);
    assert_eq!(sheet.employer_name.chars().count(), 64);
    assert_eq!(sheet.id_number.chars().count(), 32);
    assert_eq!(sheet.issuing_authority.chars().count(), 40);
    let layout = layout::lay_out(&sheet, &ASSETS).expect("the longest values fit");
    assert_eq!(overlapping_pairs(&layout.boxes), []);
    for laid in &layout.boxes {
        assert!(PRINTABLE.contains(&laid.rect), "{laid:?} leaves the border");
    }
}

#[test]
fn long_values_wrap_onto_several_lines() {
    let layout = layout::lay_out(&CertificateSheet::longest(), &ASSETS).expect("it fits");
    let lines = |field| {
        let role = Role::Value(field);
        layout.boxes.iter().filter(|b| b.role == role).count()
    };
    assert_eq!(lines(layout::Field::Employer), 3);
    assert_eq!(lines(layout::Field::Name), 2);
    assert!(lines(layout::Field::IssuingAuthority) >= 2);
}

#[test]
fn nothing_overlaps_on_an_ordinary_certificate() {
    let layout = layout::lay_out(&CertificateSheet::sample(), &ASSETS).expect("it fits");
    assert_eq!(overlapping_pairs(&layout.boxes), []);
}

#[test]
fn the_seal_stamp_rectangle_is_clear_of_the_qr_code_and_photo() {
    let layout = layout::lay_out(&CertificateSheet::longest(), &ASSETS).expect("it fits");
    assert_eq!(layout.seal_stamp, SEAL_STAMP);
    for laid in &layout.boxes {
        if matches!(
            laid.role,
            Role::Qr | Role::Photo | Role::Signature | Role::LicenceId
        ) {
            assert!(
                !laid.rect.intersects(&SEAL_STAMP),
                "{laid:?} under the stamp"
            );
        }
    }
}

#[test]
fn a_character_missing_from_the_font_is_refused_before_any_file_is_made() {
    // U+17000 is a Tangut ideograph, which LXGW WenKai does not draw.
    let sheet = CertificateSheet {
        name: "王\u{17000}".to_owned(),
        ..CertificateSheet::sample()
    };
    let error = ecert_render::render_pdf(&sheet, &ASSETS, common::issued_at())
        .expect_err("a missing glyph is an error");
    assert!(matches!(
        error,
        RenderError::MissingGlyph {
            field: "name",
            character: '\u{17000}'
        }
    ));
    let error = ecert_render::render_ofd(&sheet, &ASSETS, common::issued_at())
        .expect_err("a missing glyph is an error");
    assert!(matches!(
        error,
        RenderError::MissingGlyph { field: "name", .. }
    ));
}

#[test]
fn a_control_character_in_the_employer_is_refused() {
    let sheet = CertificateSheet {
        employer_name: "北京\u{7}公司".to_owned(),
        ..CertificateSheet::sample()
    };
    let error = layout::lay_out(&sheet, &ASSETS).expect_err("a bell cannot be printed");
    assert!(matches!(
        error,
        RenderError::MissingGlyph {
            field: "employer_name",
            character: '\u{7}'
        }
    ));
}

#[test]
fn every_rare_name_character_has_a_glyph() {
    for c in RARE_NAME.chars() {
        assert!(ASSETS.can_draw(c), "{c} has no glyph");
    }
    let sheet = CertificateSheet {
        name: RARE_NAME.to_owned(),
        ..CertificateSheet::sample()
    };
    let layout = layout::lay_out(&sheet, &ASSETS).expect("rare characters lay out");
    let name: String = layout
        .texts()
        .filter(|run| run.text.contains('龑'))
        .map(|run| run.text.clone())
        .collect();
    assert_eq!(name, RARE_NAME);
}

#[test]
fn a_right_to_left_mark_is_kept_in_the_text_but_not_drawn() {
    let sheet = CertificateSheet {
        name: "王\u{200F}建筑".to_owned(),
        ..CertificateSheet::sample()
    };
    let layout = layout::lay_out(&sheet, &ASSETS).expect("it lays out");
    let run = layout
        .texts()
        .find(|run| run.text.starts_with('王'))
        .expect("the name is laid out");
    assert_eq!(run.text, "王\u{200F}建筑");
    assert_eq!(run.glyphs.len(), 3);
}

#[test]
fn a_long_signed_url_still_fits_the_qr_code() {
    let sheet = CertificateSheet {
        qr_content: long_qr_content(900),
        ..CertificateSheet::sample()
    };
    layout::lay_out(&sheet, &ASSETS).expect("900 alphanumeric characters fit version 20");
}

#[test]
fn content_beyond_qr_version_20_is_refused() {
    let sheet = CertificateSheet {
        qr_content: "https://ecert.example.cn/v/".to_owned() + &"x".repeat(700),
        ..CertificateSheet::sample()
    };
    let error = layout::lay_out(&sheet, &ASSETS).expect_err("727 bytes need version 21+");
    assert!(matches!(error, RenderError::QrTooLong { len: 727 }));
}

#[test]
fn the_usage_period_is_printed_in_the_prescribed_form() {
    let layout = layout::lay_out(&CertificateSheet::sample(), &ASSETS).expect("it fits");
    assert!(
        layout
            .texts()
            .any(|run| run.text == "使用有效期：2025年06月01日至2025年11月27日")
    );
}

#[test]
fn a_name_too_long_for_its_area_is_refused_with_the_field_named() {
    let sheet = CertificateSheet {
        employer_name: "建".repeat(200),
        ..CertificateSheet::longest()
    };
    let error = layout::lay_out(&sheet, &ASSETS).expect_err("200 characters do not fit");
    assert!(matches!(
        error,
        RenderError::TooLong {
            field: "employer_name",
            ..
        }
    ));
}

#[test]
fn the_seal_can_be_left_out_for_an_electronic_stamp_or_given_as_a_picture() {
    let sheet = CertificateSheet::sample();
    let omitted = ecert_render::RenderAssets::load()
        .expect("assets load")
        .with_seal(ecert_render::SealArt::Omitted);
    let layout = layout::lay_out(&sheet, &omitted).expect("it lays out");
    assert!(layout.boxes.iter().all(|b| b.role != Role::Seal));

    let picture = ecert_render::testing::sample_signature();
    let pictured = ecert_render::RenderAssets::load()
        .expect("assets load")
        .with_seal(ecert_render::SealArt::Picture(picture));
    let layout = layout::lay_out(&sheet, &pictured).expect("it lays out");
    let images = layout
        .items
        .iter()
        .filter(|item| matches!(item, layout::Item::Image(_)))
        .count();
    assert_eq!(images, 3, "photo, signature and seal picture");
    let pdf = ecert_render::render_pdf(&sheet, &pictured, common::issued_at());
    assert!(pdf.is_ok());
}
