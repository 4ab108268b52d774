//! QR payloads signed and verified per second on one core, for ES256 and SM2 with SM3.
//!
//! `cargo bench -p ecert-sign --bench qr`
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    reason = "a benchmark that prints its rates"
)]

use std::time::{Duration, Instant};

use ecert_sign::{
    Algorithm, Claims, Kek, KeyRecord, TrustList, Validity, sign_payload, verify_payload,
};
use jiff::civil::date;

fn main() {
    let kek = Kek::from_slice(&[3u8; 32]).unwrap();
    for alg in [Algorithm::Es256, Algorithm::Sm2Sm3] {
        let validity = Validity {
            not_before: "2025-01-01T00:00:00Z".parse().unwrap(),
            not_after: "2035-01-01T00:00:00Z".parse().unwrap(),
        };
        let record = KeyRecord::generate(alg, &kek, "bench", validity).unwrap();
        let signer = record.signer(&kek).unwrap();
        let trust = TrustList::from_records([&record]).unwrap();
        let claims = claims();
        let sign_rate = rate(|| {
            sign_payload(&claims, &signer).unwrap();
        });
        let payload = sign_payload(&claims, &signer).unwrap();
        let now = "2026-12-02T00:00:00Z".parse().unwrap();
        let verify_rate = rate(|| {
            verify_payload(&payload, &trust, now).unwrap();
        });
        println!("{alg}: sign {sign_rate:.0}/s, verify {verify_rate:.0}/s (one core)");
    }
}

/// Calls `f` for about two seconds and returns calls per second.
fn rate(mut f: impl FnMut()) -> f64 {
    for _ in 0..50 {
        f();
    }
    let start = Instant::now();
    let mut count = 0u32;
    while start.elapsed() < Duration::from_secs(2) {
        f();
        count += 1;
    }
    f64::from(count) / start.elapsed().as_secs_f64()
}

fn claims() -> Claims {
    Claims {
        licence_id: "1.2.156.3005.2.11100000000013338W.100001.001.K".into(),
        version: 1,
        name: "张三".into(),
        masked_id: "110101********123X".into(),
        registration_number: "11110101234".into(),
        employer: "北京某某建筑设计研究院有限公司".into(),
        registration_valid_from: date(2025, 3, 1),
        registration_valid_until: date(2027, 2, 28),
        usage_first_day: date(2026, 12, 1),
        usage_last_day: date(2027, 2, 28),
        issued_at: "2026-12-01T02:00:00Z".parse().unwrap(),
    }
}
