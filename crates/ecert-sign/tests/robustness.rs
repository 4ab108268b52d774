//! The verifiers under hostile input, as a fuzzer would feed them (stable Rust has no
//! libFuzzer, so proptest drives them): arbitrary bytes, and signed payloads, PDFs and OFDs
//! with bytes overwritten at random. None may panic, and no change may verify as anything but
//! the signed original. `PROPTEST_CASES=20000` runs longer.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{at, claims, kek, record};
use ecert_render::{CertificateSheet, RenderAssets};
use ecert_sign::{
    Algorithm, TrustList, seal_ofd, sign_payload, sign_pdf, verify_ofd, verify_payload, verify_pdf,
};
use proptest::prelude::*;

const SIGNED_AT: &str = "2026-12-01T02:00:00Z";

/// One key of each algorithm, their trust list, and a signed item of each kind.
struct Signed {
    trust: TrustList,
    payload: Vec<u8>,
    pdf: Vec<u8>,
    ofd: Vec<u8>,
}

static SIGNED: LazyLock<Signed> = LazyLock::new(|| {
    let es256 = record(Algorithm::Es256);
    let sm2 = record(Algorithm::Sm2Sm3);
    let (es256_signer, sm2_signer) = (es256.signer(&kek()).unwrap(), sm2.signer(&kek()).unwrap());
    let payload = sign_payload(&claims(SIGNED_AT), &es256_signer).unwrap();
    let assets = RenderAssets::load().unwrap();
    let sheet = CertificateSheet::sample();
    let rendered = ecert_render::render_pdf(&sheet, &assets, at(SIGNED_AT)).unwrap();
    let pdf = sign_pdf(&rendered, &es256_signer, at(SIGNED_AT), None).unwrap();
    let mut package = ecert_render::build_ofd(&sheet, &assets, at(SIGNED_AT)).unwrap();
    let seal_png = package.files()["Doc_0/Res/Image_4.png"].clone();
    seal_ofd(&mut package, &sm2_signer, &seal_png, at(SIGNED_AT)).unwrap();
    Signed {
        trust: TrustList::from_records([&es256, &sm2]).unwrap(),
        payload: URL_SAFE_NO_PAD.decode(payload).unwrap(),
        pdf,
        ofd: package.zip().unwrap(),
    }
});

/// A few bytes overwritten at positions anywhere in the item.
fn overwrites() -> impl Strategy<Value = Vec<(usize, u8)>> {
    prop::collection::vec((any::<usize>(), any::<u8>()), 1..4)
}

fn overwritten(original: &[u8], changes: &[(usize, u8)]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for &(position, byte) in changes {
        let len = bytes.len();
        bytes[position % len] = byte;
    }
    bytes
}

fn now() -> jiff::Timestamp {
    at("2026-12-02T00:00:00Z")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_as_a_qr_payload_is_refused_or_read_without_panic(text in "\\PC{0,700}") {
        let _ = verify_payload(&text, &SIGNED.trust, now());
    }

    #[test]
    fn a_changed_payload_never_verifies_as_other_claims(changes in overwrites()) {
        let text = URL_SAFE_NO_PAD.encode(overwritten(&SIGNED.payload, &changes));
        if let Ok(verified) = verify_payload(&text, &SIGNED.trust, now()) {
            prop_assert_eq!(verified.claims, claims(SIGNED_AT));
        }
    }

    #[test]
    fn any_bytes_as_a_pdf_or_an_ofd_are_refused_without_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..4096)
    ) {
        prop_assert!(verify_pdf(&bytes, &SIGNED.trust).is_err());
        prop_assert!(verify_ofd(&bytes, &SIGNED.trust).is_err());
    }
}

proptest! {
    // Each case re-hashes a whole file: fewer cases by default.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_changed_pdf_never_verifies_as_another_document(changes in overwrites()) {
        let original = verify_pdf(&SIGNED.pdf, &SIGNED.trust).unwrap();
        if let Ok(info) = verify_pdf(&overwritten(&SIGNED.pdf, &changes), &SIGNED.trust) {
            // Only bytes the signature does not cover may change, e.g. the case of a hex
            // digit inside /Contents, and they change nothing that is shown.
            prop_assert_eq!(info.verification_url, original.verification_url);
            prop_assert_eq!(info.key_id, original.key_id);
        }
    }

    #[test]
    fn a_changed_ofd_never_verifies_as_another_document(changes in overwrites()) {
        let original = verify_ofd(&SIGNED.ofd, &SIGNED.trust).unwrap();
        if let Ok(info) = verify_ofd(&overwritten(&SIGNED.ofd, &changes), &SIGNED.trust) {
            // The zip's own headers and unused fields are outside every part's digest.
            prop_assert_eq!(info.verification_url, original.verification_url);
            prop_assert_eq!(info.covered_parts, original.covered_parts);
        }
    }
}
