//! Writes the OFD seal vectors of `vectors/ofd/` (run once; the files are kept).
//!
//! `cargo run -p ecert-sign --example make_ofd_vectors -- vectors/ofd`
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a one-off generator that fails loudly"
)]

use std::io::{Cursor, Read as _, Write as _};
use std::path::{Path, PathBuf};

use ecert_render::{CertificateSheet, RenderAssets};
use ecert_sign::{Algorithm, Kek, KeyRecord, TrustList, Validity, seal_ofd, verify_ofd};
use jiff::Timestamp;
use serde_json::{Value, json};

const SIGNED_AT: &str = "2026-12-01T02:30:00Z";

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or("vectors/ofd".into()));
    std::fs::create_dir_all(&dir).unwrap();
    let kek = Kek::from_slice(&[9u8; 32]).unwrap();
    let mut key = key(&kek);
    let other = self::key(&kek);
    let at: Timestamp = SIGNED_AT.parse().unwrap();
    let assets = RenderAssets::load().unwrap();
    let mut package = ecert_render::build_ofd(&CertificateSheet::sample(), &assets, at).unwrap();
    let unsigned = package.zip().unwrap();
    let png = package.files()["Doc_0/Res/Image_4.png"].clone();
    seal_ofd(&mut package, &key.signer(&kek).unwrap(), &png, at).unwrap();
    let sealed = package.zip().unwrap();
    let trust = TrustList::from_records([&key]).unwrap();
    let out = Out { dir: &dir };

    out.file("sm2_sealed.ofd", &sealed);
    out.file("not_signed.ofd", &unsigned);
    out.file("changed_part.ofd", &changed(&sealed));
    out.file(
        "added_part.ofd",
        &edited(&sealed, |parts| {
            parts.push(("Doc_0/Res/extra.png".into(), b"extra".to_vec()));
        }),
    );
    out.file(
        "removed_part.ofd",
        &edited(&sealed, |parts| {
            parts.retain(|(name, _)| name != "Doc_0/Res/Font_2.ttf");
        }),
    );

    out.case(
        "sm2_valid",
        "sealed by a trusted SM2 key",
        "sm2_sealed.ofd",
        &trust,
    );
    out.case("not_signed", "no seal at all", "not_signed.ofd", &trust);
    out.case(
        "changed_part",
        "one byte of the page content changed after sealing",
        "changed_part.ofd",
        &trust,
    );
    out.case(
        "added_part",
        "a part added after sealing",
        "added_part.ofd",
        &trust,
    );
    out.case(
        "removed_part",
        "the font removed after sealing",
        "removed_part.ofd",
        &trust,
    );
    let strangers = TrustList::from_records([&other]).unwrap();
    out.case(
        "unknown_key",
        "sealed by a key not on the trust list",
        "sm2_sealed.ofd",
        &strangers,
    );
    key.retire("2026-06-01T00:00:00Z".parse().unwrap());
    let retired = TrustList::from_records([&key]).unwrap();
    out.case(
        "retired_key_after_retirement",
        "sealed (per timeInfo) after the key was retired",
        "sm2_sealed.ofd",
        &retired,
    );
}

fn key(kek: &Kek) -> KeyRecord {
    let validity = Validity {
        not_before: "2025-01-01T00:00:00Z".parse().unwrap(),
        not_after: "2035-01-01T00:00:00Z".parse().unwrap(),
    };
    KeyRecord::generate(Algorithm::Sm2Sm3, kek, "ecert vector sealing key", validity).unwrap()
}

/// The package with one digit of the page content changed.
fn changed(zip: &[u8]) -> Vec<u8> {
    edited(zip, |parts| {
        let content = &mut parts
            .iter_mut()
            .find(|(name, _)| name == "Doc_0/Pages/Page_0/Content.xml")
            .unwrap()
            .1;
        let at = content.iter().position(u8::is_ascii_digit).unwrap();
        content[at] = if content[at] == b'7' { b'8' } else { b'7' };
    })
}

/// Unzips, applies `edit` to the parts, zips again.
fn edited(zip: &[u8], edit: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().into_owned(), bytes)
        })
        .collect();
    edit(&mut parts);
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in &parts {
        let options = zip::write::SimpleFileOptions::default();
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

struct Out<'a> {
    dir: &'a Path,
}

impl Out<'_> {
    fn file(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.dir.join(name), bytes).unwrap();
    }

    /// Writes a case whose expectation is what the verifier gives now.
    fn case(&self, name: &str, description: &str, ofd: &str, trust: &TrustList) {
        let bytes = std::fs::read(self.dir.join(ofd)).unwrap();
        let expected = match verify_ofd(&bytes, trust) {
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
            "ofd": ofd,
            "trust_list": trust,
            "expected": expected,
        });
        let text = serde_json::to_string_pretty(&case).unwrap() + "\n";
        std::fs::write(self.dir.join(format!("{name}.json")), text).unwrap();
        println!("{name}: {}", case["expected"]);
    }
}
