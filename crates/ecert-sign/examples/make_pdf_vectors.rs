//! Writes the PDF signature vectors of `vectors/pdf/` (run once; the files are kept).
//!
//! `cargo run -p ecert-sign --example make_pdf_vectors -- vectors/pdf`
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a one-off generator that fails loudly"
)]

use std::path::{Path, PathBuf};

use ecert_render::layout::{PAGE_HEIGHT, SEAL_STAMP};
use ecert_render::{CertificateSheet, RenderAssets};
use ecert_sign::{
    Algorithm, Kek, KeyRecord, StampPlacement, TrustList, Validity, sign_pdf, verify_pdf,
};
use jiff::Timestamp;
use serde_json::{Value, json};

const SIGNED_AT: &str = "2026-12-01T02:30:00Z";

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or("vectors/pdf".into()));
    std::fs::create_dir_all(&dir).unwrap();
    let kek = Kek::from_slice(&[9u8; 32]).unwrap();
    let mut key = key(&kek);
    let other = self::key(&kek);
    let at: Timestamp = SIGNED_AT.parse().unwrap();
    let assets = RenderAssets::load().unwrap();
    let unsigned = ecert_render::render_pdf(&CertificateSheet::sample(), &assets, at).unwrap();
    let stamp = StampPlacement {
        rect: SEAL_STAMP.to_pdf_points(PAGE_HEIGHT),
    };
    let signed = sign_pdf(&unsigned, &key.signer(&kek).unwrap(), at, Some(stamp)).unwrap();
    let trust = TrustList::from_records([&key]).unwrap();
    let out = Out { dir: &dir };

    out.pdf("es256_signed.pdf", &signed);
    out.pdf("not_signed.pdf", &unsigned);
    out.pdf(
        "flipped_original_byte.pdf",
        &flip(&signed, unsigned.len() / 2),
    );
    out.pdf("flipped_update_byte.pdf", &flip(&signed, signed.len() - 8));
    out.pdf(
        "bytes_appended.pdf",
        &[&signed[..], b"% appended\n"].concat(),
    );

    out.case(
        "es256_valid",
        "signed by a trusted key",
        "es256_signed.pdf",
        &trust,
    );
    out.case(
        "not_signed",
        "no signature at all",
        "not_signed.pdf",
        &trust,
    );
    out.case(
        "flipped_original_byte",
        "one byte of the rendered page changed after signing",
        "flipped_original_byte.pdf",
        &trust,
    );
    out.case(
        "flipped_update_byte",
        "one byte of the signing update (outside /Contents) changed",
        "flipped_update_byte.pdf",
        &trust,
    );
    out.case(
        "bytes_appended",
        "bytes added after the signed range",
        "bytes_appended.pdf",
        &trust,
    );
    let strangers = TrustList::from_records([&other]).unwrap();
    out.case(
        "unknown_key",
        "signed by a key not on the trust list",
        "es256_signed.pdf",
        &strangers,
    );
    key.retire("2026-06-01T00:00:00Z".parse().unwrap());
    let retired = TrustList::from_records([&key]).unwrap();
    out.case(
        "retired_key_after_retirement",
        "signed (per /M) after the key was retired",
        "es256_signed.pdf",
        &retired,
    );
}

fn key(kek: &Kek) -> KeyRecord {
    let validity = Validity {
        not_before: "2025-01-01T00:00:00Z".parse().unwrap(),
        not_after: "2035-01-01T00:00:00Z".parse().unwrap(),
    };
    KeyRecord::generate(Algorithm::Es256, kek, "ecert vector signing key", validity).unwrap()
}

/// Flips one digit-or-letter byte at `at` to another.
fn flip(pdf: &[u8], at: usize) -> Vec<u8> {
    let mut pdf = pdf.to_vec();
    pdf[at] = if pdf[at] == b'7' { b'8' } else { b'7' };
    pdf
}

struct Out<'a> {
    dir: &'a Path,
}

impl Out<'_> {
    fn pdf(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.dir.join(name), bytes).unwrap();
    }

    /// Writes a case whose expectation is what the verifier gives now.
    fn case(&self, name: &str, description: &str, pdf: &str, trust: &TrustList) {
        let bytes = std::fs::read(self.dir.join(pdf)).unwrap();
        let expected = match verify_pdf(&bytes, trust) {
            Ok(info) => json!({
                "valid": true,
                "key_id": info.key_id,
                "signed_at": info.signed_at.to_string(),
            }),
            Err(refusal) => json!({"valid": false, "reason": refusal.code()}),
        };
        let trust: Value = serde_json::from_str(&trust.to_json()).unwrap();
        let case = json!({
            "description": description,
            "pdf": pdf,
            "trust_list": trust,
            "expected": expected,
        });
        let text = serde_json::to_string_pretty(&case).unwrap() + "\n";
        std::fs::write(self.dir.join(format!("{name}.json")), text).unwrap();
        println!("{name}: {}", case["expected"]);
    }
}
