//! Checks the last PAdES signature of a PDF against the trust list.

use jiff::Timestamp;
use sha2::{Digest as _, Sha256};

use super::{cms, syntax};
use crate::{Algorithm, PublicKey, Refusal, TrustList, cert, key_id};

/// What a verified PDF signature says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfSignatureInfo {
    /// The signing key's id on the trust list.
    pub key_id: String,
    /// The signing time, from the signature dictionary's `/M`.
    pub signed_at: Timestamp,
    /// The signature algorithm.
    pub algorithm: Algorithm,
    /// The signed `/ByteRange`: everything but the `/Contents` hex string.
    pub byte_range: [usize; 4],
    /// The verification page the QR code's link opens, read from the signed bytes: its
    /// payload is the certificate's signed claims.
    pub verification_url: Option<String>,
}

/// Verifies the last signature in `pdf`: that it covers the whole file except its own
/// `/Contents`, that the CMS signs that digest, and that its key is on `trust` and was
/// usable at `/M`. A PDF without a signature is [`Refusal::NotSigned`].
pub fn verify_pdf(pdf: &[u8], trust: &TrustList) -> Result<PdfSignatureInfo, Refusal> {
    let range_at = syntax::rfind(pdf, b"/ByteRange").ok_or(Refusal::NotSigned)?;
    let byte_range = byte_range(&pdf[range_at + 10..])?;
    let contents = contents(pdf, byte_range)?;
    let mut hash = Sha256::new();
    hash.update(&pdf[..byte_range[1]]);
    hash.update(&pdf[byte_range[2]..]);
    let parsed = cms::parse(&contents, &hash.finalize())?;
    let signed_at = signing_time(pdf, range_at)?;
    let certificate =
        cert::read(&parsed.certificate).map_err(|e| Refusal::Malformed(e.to_string()))?;
    let kid = key_id(&certificate.public_key).map_err(|e| Refusal::Malformed(e.to_string()))?;
    let trusted = trust.find(&kid)?;
    check_signature(trusted.public_key(), &parsed, &kid)?;
    trusted.check_signed_at(signed_at)?;
    if signed_at > Timestamp::now() + jiff::SignedDuration::from_mins(5) {
        return Err(Refusal::IssuedInFuture { signed_at });
    }
    Ok(PdfSignatureInfo {
        key_id: kid,
        signed_at,
        algorithm: trusted.algorithm(),
        byte_range,
        verification_url: verification_url(&pdf[..byte_range[1]]),
    })
}

/// The first `/URI (…)` string that opens a verification page (`…/v/…`). Only the signed
/// bytes are searched, so the signature vouches for it; its payload is then checked on its
/// own. Escaped strings are passed over: ecert's addresses need no escapes.
fn verification_url(signed: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(at) = syntax::find(&signed[from..], b"/URI") {
        from += at + 4;
        let rest = &signed[from..];
        let open = rest.iter().position(|b| !b.is_ascii_whitespace())?;
        if rest[open] != b'(' {
            continue;
        }
        let close = syntax::skip_string(rest, open)?;
        let text = std::str::from_utf8(&rest[open + 1..close]).ok()?;
        if text.contains("/v/") && !text.contains('\\') {
            return Some(text.to_owned());
        }
    }
    None
}

fn altered(what: &str) -> Refusal {
    Refusal::Altered(what.into())
}

/// Reads `[a b c d]` and checks it is `[0, start of Contents, end of Contents, rest]`.
fn byte_range(text: &[u8]) -> Result<[usize; 4], Refusal> {
    let close = text.iter().position(|&b| b == b']');
    let inner = close
        .and_then(|c| text.get(..c))
        .and_then(|t| std::str::from_utf8(t).ok())
        .and_then(|t| t.trim_start().strip_prefix('['))
        .ok_or_else(|| Refusal::Malformed("bad /ByteRange".into()))?;
    let numbers: Vec<usize> = inner
        .split_ascii_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| Refusal::Malformed("bad /ByteRange".into()))?;
    match numbers[..] {
        [0, a, b, c] if a < b => Ok([0, a, b, c]),
        _ => Err(altered(
            "the /ByteRange does not start at the beginning of the file",
        )),
    }
}

/// The CMS bytes of the `/Contents` hex string the range leaves out, after checking that it
/// is the only part left out and the range reaches the end of the file.
fn contents(pdf: &[u8], range: [usize; 4]) -> Result<Vec<u8>, Refusal> {
    let [_, start, end, tail] = range;
    if end.checked_add(tail) != Some(pdf.len()) {
        return Err(altered("bytes were added after the signed range"));
    }
    let hex = &pdf[start..end];
    let inner = hex
        .strip_prefix(b"<")
        .and_then(|h| h.strip_suffix(b">"))
        .filter(|h| h.len() % 2 == 0)
        .ok_or_else(|| altered("the unsigned gap is not exactly the /Contents string"))?;
    inner
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| altered("the /Contents string is not hex"))
}

/// The `/M` of the signature dictionary holding the `/ByteRange` at `range_at`.
fn signing_time(pdf: &[u8], range_at: usize) -> Result<Timestamp, Refusal> {
    let missing = || Refusal::Malformed("the signature has no readable /M".into());
    let dict_start = syntax::rfind(&pdf[..range_at], b"<<").ok_or_else(missing)?;
    let dict = syntax::dictionary(&pdf[dict_start..]).ok_or_else(missing)?;
    let value = syntax::value_of(dict, b"/M").ok_or_else(missing)?;
    let close = value.iter().position(|&b| b == b')').ok_or_else(missing)?;
    let text = std::str::from_utf8(&value[..close]).map_err(|_| missing())?;
    let text = text.trim_start().strip_prefix("(D:").ok_or_else(missing)?;
    parse_pdf_date(text).ok_or_else(missing)
}

/// `YYYYMMDDHHmmSS` followed by `Z` or `+HH'mm'` / `-HH'mm'`.
fn parse_pdf_date(text: &str) -> Option<Timestamp> {
    let (digits, zone) = text.split_at_checked(14)?;
    let offset = match zone.trim_end_matches('\'') {
        "Z" | "" => "+00:00".to_owned(),
        z => z.replacen('\'', ":", 1),
    };
    let iso = format!(
        "{}-{}-{}T{}:{}:{}{offset}",
        digits.get(..4)?,
        digits.get(4..6)?,
        digits.get(6..8)?,
        digits.get(8..10)?,
        digits.get(10..12)?,
        digits.get(12..14)?
    );
    iso.parse().ok()
}

fn check_signature(key: &PublicKey, parsed: &cms::Parsed, kid: &str) -> Result<(), Refusal> {
    let bad = || Refusal::BadSignature { kid: kid.into() };
    let certified = PublicKey::from_spki_der(
        &key.to_spki_der()
            .map_err(|e| Refusal::Malformed(e.to_string()))?,
    )
    .map_err(|e| Refusal::Malformed(e.to_string()))?;
    if parsed.algorithm != key.algorithm().signature_oid() || key.algorithm() != Algorithm::Es256 {
        return Err(Refusal::WrongAlgorithm {
            kid: kid.into(),
            claimed: parsed.algorithm.to_string(),
            expected: Algorithm::Es256.jose_name().into(),
        });
    }
    if certified.verify_der(&parsed.signed_bytes, &parsed.signature) {
        Ok(())
    } else {
        Err(bad())
    }
}
